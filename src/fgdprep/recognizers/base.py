"""What every recognizer of ours is built from, and the entity types they report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from presidio_analyzer import RecognizerResult

from fgdprep.model import Person


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
