"""Presidio recognizers of ours, with a small name -> class registry.

Each recognizer is built from a :class:`RecognizerContext` (language, site, roster, config)
by its ``from_context`` class method, which returns None where it has nothing to do (a
recognizer of ages when the study keeps ages). The analyzer engine runs them all, plus
spaCy's NER where the language has a spaCy pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from fgdprep.recognizers.base import RecognizerContext
from fgdprep.recognizers.candidates import CandidateRecognizer
from fgdprep.recognizers.cues import CueRecognizer
from fgdprep.recognizers.gazetteer import GazetteerRecognizer
from fgdprep.recognizers.patterns import (
    FgdAgeRecognizer,
    FgdDateRecognizer,
    FgdEmailRecognizer,
    FgdIdNumberRecognizer,
)
from fgdprep.recognizers.phone import FgdPhoneRecognizer
from fgdprep.recognizers.roster import RosterRecognizer
from fgdprep.recognizers.spelt import SpeltRecognizer

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

__all__ = ["REGISTRY", "RecognizerContext", "build_recognizers"]


class RecognizerFactory(Protocol):
    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> EntityRecognizer | None: ...


REGISTRY: dict[str, type[RecognizerFactory]] = {
    "roster": RosterRecognizer,
    "gazetteer": GazetteerRecognizer,
    "spelt": SpeltRecognizer,
    "phone": FgdPhoneRecognizer,
    "email": FgdEmailRecognizer,
    "id_number": FgdIdNumberRecognizer,
    "date": FgdDateRecognizer,
    "age": FgdAgeRecognizer,
    "cues": CueRecognizer,
    "candidates": CandidateRecognizer,
}


def build_recognizers(ctx: RecognizerContext) -> list[EntityRecognizer]:
    """Every registered recognizer that has work to do for this language, site and roster."""
    built = (factory.from_context(ctx) for factory in REGISTRY.values())
    return [r for r in built if r is not None]
