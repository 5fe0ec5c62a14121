"""Site gazetteers from the study config: places, facilities and wards.

A facility is also found by its distinctive first word ("at Muhimbili" for "Muhimbili
National Hospital"), unless that word is generic ("Hospital", "Klinik").
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import FACILITY, LOCATION, WARD
from fgdprep.recognizers.base import RecognizerContext, result
from fgdprep.text import PhraseIndex, phrase_keys

NAME = "gazetteer"

GENERIC = frozenset(
    {
        "hospital",
        "national",
        "regional",
        "referral",
        "general",
        "district",
        "health",
        "centre",
        "center",
        "clinic",
        "university",
        "mental",
        "medical",
        "st",
        "saint",
        "klinik",
        "klinikum",
        "krankenhaus",
        "universitätsklinikum",
        "bezirkskrankenhaus",
        "hospitali",
        "zahanati",
        "kituo",
        "the",
        "city",
        "new",
        "old",
        "ward",
        "station",
    }
)


class GazetteerRecognizer(EntityRecognizer):
    def __init__(
        self,
        language: str,
        places: tuple[str, ...],
        facilities: tuple[str, ...],
        wards: tuple[str, ...],
        fuzzy_threshold: float,
    ) -> None:
        self.index: PhraseIndex[str] = PhraseIndex(language, fuzzy_threshold, fuzzy_min_len=6)
        for place in places:
            self.index.add(place, LOCATION)
        for ward in wards:
            self.index.add(ward, WARD)
        for facility in facilities:
            self.index.add(facility, FACILITY)
        for facility in facilities:
            keys = phrase_keys(facility)
            if len(keys) > 1 and keys[0] not in GENERIC and len(keys[0]) >= 4:
                self.index.add(keys[0], FACILITY)
        super().__init__(
            supported_entities=[LOCATION, FACILITY, WARD], name=NAME, supported_language=language
        )

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> GazetteerRecognizer | None:
        if not (ctx.places or ctx.facilities or ctx.wards):
            return None
        return cls(ctx.language, ctx.places, ctx.facilities, ctx.wards, ctx.fuzzy_threshold)

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in self.index.find(text):
            score = {"exact": 0.95, "inflected": 0.9}.get(m.how, 0.6)
            out.append(result(m.payload, m.start, m.end, score, NAME, how=m.how))
        return out
