"""Span recall and precision on the committed FGD corpus (English, German, Kiswahili)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fgdprep.config import PseudonymisationConfig
from fgdprep.evaluate import Document, Scores, context_for, load_corpus, run_ours, score
from fgdprep.pii import Analyzer

CORPUS = Path(__file__).parent / "data" / "pii_corpus.yaml"
CORPUS_CONFIG = PseudonymisationConfig(allow_list=("UPSIDES", "CFIR", "peer support"))


@pytest.fixture(scope="module")
def corpus() -> list[Document]:
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def analyzer_for() -> Callable[[Document], Analyzer]:
    """An analyzer per corpus document, cached (Presidio + spaCy load once)."""
    cache: dict[str, Analyzer] = {}

    def get(doc: Document) -> Analyzer:
        if doc.name not in cache:
            cache[doc.name] = Analyzer(
                context_for(doc, CORPUS_CONFIG), CORPUS_CONFIG.nlp_model(doc.language)
            )
        return cache[doc.name]

    return get


def _scores(corpus: list[Document], analyzer_for: Callable[[Document], Analyzer]) -> Scores:
    total = Scores({}, {})
    for doc in corpus:
        analyzer = analyzer_for(doc)
        predicted, _ = run_ours(doc, analyzer.analyze, CORPUS_CONFIG)
        total = total.merged(score(doc.texts, doc.gold, predicted))
    return total


def test_corpus_covers_the_required_cases(corpus: list[Document]) -> None:
    languages = {d.language for d in corpus}
    assert {"en", "de", "sw"} <= languages
    categories = {g.category for d in corpus for g in d.gold}
    assert {"roster", "person", "place", "phone", "email"} <= categories
    text = " ".join(t for d in corpus for t in d.texts).casefold()
    for word in ("hope", "grace", "will", "mercy", "faith", "baraka", "imani"):
        assert f" {word} " in f" {text} ", word


def test_recall_and_precision_per_entity_type(
    corpus: list[Document], analyzer_for: Callable[[Document], Analyzer]
) -> None:
    s = _scores(corpus, analyzer_for)
    assert Scores.ratio(s.recall["roster"]) == 1.0, s.recall
    assert Scores.ratio(s.recall["person"]) >= 0.90, s.recall
    assert Scores.ratio(s.recall["place"]) >= 0.90, s.recall
    assert Scores.ratio(s.recall["phone"]) == 1.0, s.recall
    assert Scores.ratio(s.recall["email"]) == 1.0, s.recall
    assert s.overall_precision() >= 0.85, s.precision


def test_word_names_stay_words_where_they_are_words(
    corpus: list[Document], analyzer_for: Callable[[Document], Analyzer]
) -> None:
    doc = next(d for d in corpus if d.name == "en-butabika")
    _, result = run_ours(doc, analyzer_for(doc).analyze, CORPUS_CONFIG)
    by_text = dict(zip(doc.texts, result.texts, strict=True))
    grace = next(t for t in doc.texts if t.startswith("By the grace of God"))
    assert by_text[grace].startswith("By the grace of God I am now well.")
    hope = next(t for t in doc.texts if t.startswith("My name is Hope"))
    assert by_text[hope] == (
        "My name is [P03]. I hope this discussion will help other people who are still at"
        " home with their illness."
    )
