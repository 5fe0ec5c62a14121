"""Site gazetteers from the study config: places, facilities and wards.

A facility is also found by its distinctive first word ("at Muhimbili" for "Muhimbili
National Hospital"), unless that word is generic ("Hospital", "Klinik").
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import FACILITY, LOCATION, WARD
from fgdprep.recognizers.base import RecognizerContext, result
from fgdprep.recognizers.candidates import COMMON_ZIPF, lexicon, rough_zipf
from fgdprep.text import PhraseIndex, norm, phrase_keys, tokens

NAME = "gazetteer"

#: Words that make a place name a facility: "temeke hospitali", "hospitali ya temeke".
FACILITY_AFTER = frozenset(
    {
        "hospital",
        "hospitali",
        "clinic",
        "kliniki",
        "klinik",
        "dispensary",
        "zahanati",
        "krankenhaus",
        "klinikum",
    }
)
FACILITY_BEFORE = frozenset(
    {
        ("hospitali", "ya"),
        ("zahanati", "ya"),
        ("kliniki", "ya"),
        ("klinik", "in"),
        ("hospital", "of"),
    }
)

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

    def _word_near_miss(self, key: str) -> bool:
        """A near-miss of a listed name that is a word the language's cues know ("प्राथमिक",
        primary, is no "प्रादेशिक"), or a frequent word of an uncased script."""
        lex = lexicon(self.supported_language)
        if lex is None:
            return False
        if (
            key in lex.facility_qualifiers
            or key in lex.stop
            or key in lex.not_names
            or (key,) in lex.kin  # "सून" (daughter-in-law) is no near-miss of "ससून"
        ):
            return True
        return not lex.cased and rough_zipf(key, lex.language) >= COMMON_ZIPF

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
        toks = tokens(text)
        at = {t.start: i for i, t in enumerate(toks)}
        ends = {t.end: i for i, t in enumerate(toks)}
        out = []
        for m in self.index.find(text, toks):
            if m.how == "fuzzy" and self._word_near_miss(norm(text[m.start : m.end])):
                continue
            score = {"exact": 0.95, "inflected": 0.9}.get(m.how, 0.6)
            entity, start, end = m.payload, m.start, m.end
            first, last = at.get(m.start), ends.get(m.end)
            after = toks[last + 1].key if last is not None and last + 1 < len(toks) else ""
            before = (
                (toks[first - 2].key, toks[first - 1].key)
                if first is not None and first >= 2
                else ("", "")
            )
            if entity == LOCATION and after in FACILITY_AFTER:
                assert last is not None
                entity, end = FACILITY, toks[last + 1].end
            elif entity == LOCATION and before in FACILITY_BEFORE:
                assert first is not None
                entity, start = FACILITY, toks[first - 2].start
            out.append(result(entity, start, end, score, NAME, how=m.how))
        return out
