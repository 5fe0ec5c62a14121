"""Shared fixtures: the real Presidio analyzers are built once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# urllib3 (pulled in by spaCy) probes for IPv6 with a socket at import time; import it here,
# before pytest-socket blocks sockets, so the probe is not reported as a network access.
import urllib3  # noqa: F401

from fgdprep.config import PseudonymisationConfig
from fgdprep.evaluate import Document, context_for, load_corpus

if TYPE_CHECKING:
    from fgdprep.pii import Analyzer

DATA = Path(__file__).parent / "data"
CORPUS_CONFIG = PseudonymisationConfig(allow_list=("UPSIDES", "CFIR", "peer support"))


@pytest.fixture(scope="session")
def corpus() -> list[Document]:
    return load_corpus(DATA / "pii_corpus.yaml")


@pytest.fixture(scope="session")
def analyzer_for() -> Callable[[Document], Analyzer]:
    """An analyzer per corpus document, cached (Presidio + spaCy load once)."""
    from fgdprep.pii import Analyzer

    cache: dict[str, Analyzer] = {}

    def get(doc: Document) -> Analyzer:
        if doc.name not in cache:
            cache[doc.name] = Analyzer(
                context_for(doc, CORPUS_CONFIG), CORPUS_CONFIG.nlp_model(doc.language)
            )
        return cache[doc.name]

    return get
