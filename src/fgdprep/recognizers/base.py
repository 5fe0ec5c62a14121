"""What every recognizer of ours is built from, and the entity types they report."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from presidio_analyzer import RecognizerResult

from fgdprep.model import Person
from fgdprep.text import norm


@dataclass(frozen=True)
class RecognizerContext:
    """Everything a recognizer may need; none of it comes from global state."""

    language: str
    countries: tuple[str, ...] = ()
    people: tuple[Person, ...] = ()
    places: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    fuzzy_threshold: float = 88.0
    ages: str = "band"
    dates: str = "replace"


def result(
    entity: str, start: int, end: int, score: float, name: str, **meta: Any
) -> RecognizerResult:
    return RecognizerResult(
        entity,
        start,
        end,
        score,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: name,
            **meta,
        },
    )


@functools.cache
def language_data(language: str) -> dict[str, Any] | None:
    """The packaged data of a language (``data/lang_<code>.yaml``), parsed once; None where
    there is none. Shared between callers: read it, never change it."""
    source = resources.files("fgdprep").joinpath("data", f"lang_{language}.yaml")
    if not source.is_file():
        return None
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


@functools.cache
def every_language_data() -> tuple[dict[str, Any], ...]:
    """:func:`language_data` of every language that has packaged data, by file name."""
    data_dir = resources.files("fgdprep").joinpath("data")
    names = sorted(f.name for f in data_dir.iterdir())
    return tuple(
        data
        for name in names
        if name.startswith("lang_")
        and name.endswith(".yaml")
        and (data := language_data(name[len("lang_") : -len(".yaml")])) is not None
    )


@functools.cache
def every_language(*path: str) -> frozenset[str]:
    """The words under ``path`` (a key, or a section and its key) in the data of every study
    language together (``data/lang_<code>.yaml``, normalised with :func:`fgdprep.text.norm`):
    for cues read whatever the language of the text, since speakers code-switch."""
    words: set[str] = set()
    for data in every_language_data():
        node: Any = data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        words.update(norm(str(w)) for w in node or ())
    return frozenset(words)
