"""Names that the words around them give away, for languages without an NER model too.

"Dr. Mwakyusa", "Frau Schneider", "dada yangu Rehema", "my husband Peter", "jina langu ni
Zuhura"; "Kisenyi Health Centre", "Hospitali ya Amana", "St. Anna-Klinik"; "ward 7",
"Station 3B", "wodi namba 4"; "the village of Nyakasura", "kijiji cha Mbezi". Everything
found here is a suggestion for the review queue (applied, but pending).
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import FACILITY, LOCATION, PERSON, WARD
from fgdprep.recognizers.base import RecognizerContext, result

NAME = "cues"

_CAP = r"[A-ZÄÖÜÉ][\w'’]+(?:-[A-ZÄÖÜ][\w'’]+)?"
_NAMES = rf"{_CAP}(?:\s+{_CAP})?"
TITLES = (
    r"Mr|Mrs|Ms|Miss|Dr|Doctor|Nurse|Sister|Brother|Auntie|Aunt|Uncle|Pastor|Father|Sheikh"
    r"|Madam|Professor|Prof|Frau|Herr|Doktor|Schwester|Pfleger|Tante|Onkel|Oma|Opa"
    r"|Mama|Baba|Dada|Kaka|Bibi|Babu|Mzee|Daktari|Dokta|Dkt|Nesi|Mwalimu|Bi|Bwana|Shangazi"
    r"|Mjomba|Ssebo|Nnyabo|Jjajja"
)
KIN = (
    r"(?:my|our|her|his)\s+(?:husband|wife|son|daughter|sister|brother|mother|father|cousin"
    r"|neighbour|neighbor|friend|child|uncle|aunt|grandmother|grandfather)"
    r"|(?:mein|meine|meinen|meiner|unser|unsere)\s+(?:Mann|Frau|Sohn|Tochter|Schwester|Bruder"
    r"|Mutter|Vater|Nachbarin|Nachbar|Freundin|Freund|Enkel|Enkelin)"
    r"|(?:mume|mke|mtoto|dada|kaka|mama|baba|jirani|rafiki|binti|mwana)\s+(?:wangu|yangu|wetu)"
)
# "my name is x" names a person even in lowercase ASR text; "called X" only with a capital.
NAMED = r"my\s+name\s+is|jina\s+langu\s+ni|naitwa|ich\s+heiße|mein\s+Name\s+ist"
CALLED = r"called|named|anaitwa|heißt|wanamwita"
# Titles may be chained: "Frau Dr. Weber", "Herr Prof. Dr. med. Meier", "Mama Dkt. Mrema".
_TITLE_CHAIN = rf"(?:(?:{TITLES}|med|phil|rer\.?\s*nat)\.?\s+)+"
PERSON_RE = re.compile(
    rf"\b(?:{_TITLE_CHAIN}(?P<t>{_NAMES})"
    rf"|(?i:{KIN}),?\s+(?P<k>{_NAMES})"
    rf"|(?i:{NAMED})\s+(?P<n>{_NAMES}|[a-z]{{3,}}\b)"
    rf"|(?i:{CALLED})\s+(?P<c>{_NAMES}))"
)
# Kiswahili words between a facility's head and its name: "Hospitali ya Taifa ya Muhimbili"
_SW_QUALIFIERS = r"Taifa|Wilaya|Mkoa|Rufaa|Kanda|Jeshi|Serikali|Misheni|Kikuu|Katoliki|Kilutheri"
FACILITY_RE = re.compile(
    rf"\b(?P<a>(?:St\.?\s+)?{_CAP}(?:\s+{_CAP}){{0,2}}\s+(?:(?:Regional\s+|District\s+)?"
    r"(?:Referral\s+)?Hospital|Health\s+Cent(?:re|er)(?:\s+(?:II|III|IV))?|Clinic"
    r"|Dispensary|Medical\s+Cent(?:re|er)))\b"
    rf"|\b(?P<b>(?:Hospitali|Zahanati|Kliniki|Kituo\s+cha\s+Afya)\s+(?:ya\s+|cha\s+)?"
    rf"(?:(?i:{_SW_QUALIFIERS})\s+(?:ya|la|cha|wa)\s+)*(?!(?:{_SW_QUALIFIERS})\b){_NAMES})"
    rf"|\b(?P<c>(?:St\.?\s+)?{_CAP}-?(?:[Kk]linik(?:um)?|[Kk]rankenhaus|[Ss]pital))\b"
    rf"|\b(?P<d>(?:Klinik|Klinikum|Krankenhaus|Praxis)\s+(?:für\s+\w+\s+)?(?:{_TITLE_CHAIN})?"
    rf"(?:{_NAMES}|[IVX]+\b))"
)
WARD_RE = re.compile(
    r"\b(?P<w>(?i:ward|station|wodi)\s+(?:(?i:namba|nummer|number|no\.?)\s+)?"
    r"(?:\d{1,3}[A-Za-z]?\b|[A-Z]\d?\b|[A-Z][a-zäöü]+(?=\s|[.,]|$)))"
)
PLACE_RE = re.compile(
    rf"\b(?i:village|town|parish|sub-county|district|estate|area)\s+of\s+(?P<a>{_NAMES})"
    rf"|\b(?i:kijiji\s+cha|mtaa\s+wa|wilaya\s+ya|kata\s+ya|kitongoji\s+cha|eneo\s+la)"
    rf"\s+(?P<b>{_NAMES})"
    rf"|\b(?P<c>{_CAP})\s+(?i:village|trading\s+centre|sub-county)\b"
    rf"|\b(?i:im\s+Dorf|aus\s+dem\s+Dorf|Ortsteil)\s+(?P<d>{_NAMES})"
)
# German compounds naming a kind of clinic, not a clinic: "Tagesklinik", "Uniklinik".
GENERIC_COMPOUND = re.compile(
    r"^(?:Tages|Nacht|Uni|Privat|Kinder|Reha|Fach|Kreis|Bezirks|Land|Stadt|Kur|Psycho|Nerven"
    r"|Spezial|Akut|Haupt)-?(?:klinik|klinikum|krankenhaus|spital)$"
    # kinds of school, church and practice ("Grundschule", "Hausarztpraxis"), not names
    r"|^(?:Grund|Real|Haupt|Werkreal|Mittel|Ober|Berufs|Fach|Hoch|Volkshoch|Gesamt|F[öo]rder"
    r"|Sonder|Musik|Abend|Privat|Kranken|Pflege|Sprach|Fahr|Tanz|Koch|Sonntags)-?schule$"
    r"|^(?:Stadt|Dorf|Pfarr|Land|Haupt|Kloster|Dom|Frei|Gemeinde)-?kirche$"
    r"|^(?:Haus|Fach|Zahn|Frauen|Kinder|Nerven|Tier|Haut|Augen|HNO|Physio|Ergo|Logo|Gemeinschafts"
    r"|Psychotherapie|Therapie|Arzt|Hausarzt|Kinderarzt|Zahnarzt|Frauenarzt|Gruppen|Privat)"
    r"-?praxis$"
    r"|^(?:Wohn|Pflege|Alten|Senioren|Kinder|Jugend|Studenten|Obdachlosen|Tier|Übergangs)-?heim$",
    re.IGNORECASE,
)
# Words a title or kinship cue may be followed by that are not names.
NOT_NAMES = frozenset(
    {
        "The",
        "And",
        "But",
        "So",
        "Yes",
        "No",
        "Na",
        "Und",
        "Aber",
        "Ja",
        "Nein",
        "Sie",
        "Er",
        "Ni",
        "Yeye",
        "Mimi",
        "Sisi",
        "Wewe",
        "Alisema",
        "Said",
        "Hospital",
        "Clinic",
        "Klinik",
        "Station",
        "Yangu",
        "Wangu",
        "Yetu",
        "Wetu",
        "Yako",
        "Wako",
        "Der",
        "Die",
        "Das",
        "Den",
        "Dem",
    }
)


class CueRecognizer(EntityRecognizer):
    def __init__(self, language: str) -> None:
        super().__init__(
            supported_entities=[PERSON, FACILITY, WARD, LOCATION],
            name=NAME,
            supported_language=language,
        )

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> CueRecognizer:
        return cls(ctx.language)

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for entity, regex, score in (
            (PERSON, PERSON_RE, 0.7),
            (FACILITY, FACILITY_RE, 0.7),
            (WARD, WARD_RE, 0.9),
            (LOCATION, PLACE_RE, 0.6),
        ):
            for m in regex.finditer(text):
                group = next(g for g, v in m.groupdict().items() if v is not None)
                start, end = m.span(group)
                value = m.group(group)
                words = value.split()
                while words and words[-1] in NOT_NAMES:
                    words.pop()
                if not words or words[0] in NOT_NAMES:
                    continue
                if group == "c" and GENERIC_COMPOUND.match(value):
                    continue
                end = start + len(" ".join(words)) if len(words) > 1 else start + len(words[0])
                if value[: end - start] != " ".join(words) and len(words) > 1:
                    end = start + len(words[0])
                out.append(result(entity, start, end, score, NAME, how=group))
        return out
