"""Names spelt out as letters: "M .B." for Mbale, "G. A." for Grace Atim. Recognised only
for values the study knows (site places and facilities, roster names), since two capitals
with dots are otherwise an abbreviation. One matcher, used by this recognizer (for
``deidentify`` and ``pseudonymise``) and by the leak check."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import FACILITY, LOCATION, ROSTER_PERSON
from fgdprep.recognizers.base import RecognizerContext, result
from fgdprep.text import phrase_keys

T = TypeVar("T")
NAME = "spelt"

#: Capital letters with dots or spaces between them ("M .B.", "G. A.", "K.M").
INITIALS = re.compile(r"(?<![\w.])[A-Z](?:\s*\.\s*[A-Z]|\s+[A-Z](?=\s*\.))+\s*\.?(?!\w)")


def spelt_matcher(values: Iterable[tuple[str, T]]) -> Callable[[str], list[tuple[int, int, T]]]:
    """A function finding letters spelt out that begin a known value ("M .B." for Mbale) or
    are the initials of a known multi-word value ("G. A." for Grace Atim); ``values`` are
    (value, payload), the payload is returned with each (start, end)."""
    starts: list[tuple[str, T]] = []
    initials: dict[str, T] = {}
    for value, payload in values:
        keys = phrase_keys(value)
        if keys:
            starts.append((keys[0], payload))
        if len(keys) > 1:
            initials.setdefault("".join(k[0] for k in keys), payload)

    def find(text: str) -> list[tuple[int, int, T]]:
        out = []
        for m in INITIALS.finditer(text):
            if "." not in m.group():
                continue
            letters = "".join(c for c in m.group() if c.isalpha()).casefold()
            if letters in initials:
                out.append((m.start(), m.end(), initials[letters]))
                continue
            found = (p for key, p in starts if len(key) > len(letters) and key.startswith(letters))
            payload = next(found, None)
            if payload is not None:
                out.append((m.start(), m.end(), payload))
        return out

    return find


class SpeltRecognizer(EntityRecognizer):
    """Known places, facilities and roster names spelt out as letters."""

    def __init__(self, language: str, values: Iterable[tuple[str, tuple[str, str | None]]]):
        self.find = spelt_matcher(values)
        entities = [LOCATION, FACILITY, ROSTER_PERSON]
        super().__init__(supported_entities=entities, name=NAME, supported_language=language)

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> SpeltRecognizer | None:
        values: list[tuple[str, tuple[str, str | None]]] = [
            *((p, (LOCATION, None)) for p in ctx.places),
            *((f, (FACILITY, None)) for f in ctx.facilities),
            *((p.name, (ROSTER_PERSON, p.code)) for p in ctx.people),
        ]
        return cls(ctx.language, values) if values else None

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for start, end, (entity, person) in self.find(text):
            meta = {"person": person} if person else {}
            out.append(result(entity, start, end, 0.85, NAME, how="spelt", **meta))
        return out
