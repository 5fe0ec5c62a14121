"""The candidate finder (people, places, facilities nobody listed), per language, through the
real Presidio analyzer with no roster and no gazetteer: what a data manager gets for field
notes in a language without an NER model."""

from __future__ import annotations

import pytest

from fgdprep.pii import Analyzer
from fgdprep.recognizers import RecognizerContext

_CACHE: dict[str, Analyzer] = {}


def candidates(language: str, text: str) -> list[tuple[str, str]]:
    if language not in _CACHE:
        _CACHE[language] = Analyzer(RecognizerContext(language=language), None)
    return [
        (text[d.start : d.end], d.entity_type)
        for d in _CACHE[language].analyze(text)
        if d.recognizer == "candidates"
    ]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # kinship words in every possessive and case form, titles and roles
        ("de", "Sie hat mit ihrer Tochter Lena gesprochen.", [("Lena", "PERSON")]),
        ("de", "Das hat seinem Bruder Michael gefallen.", [("Michael", "PERSON")]),
        (
            "de",
            "Frau Müllers Sohn Jonas war auch dabei.",
            [("Müllers", "PERSON"), ("Jonas", "PERSON")],
        ),
        ("de", "Sie wohnt in Blaubeuren bei der Familie.", [("Blaubeuren", "LOCATION")]),
        ("de", "Er war lange im Albertinen Krankenhaus.", [("Albertinen Krankenhaus", "FACILITY")]),
        # a capitalised common noun is no name; a frequent word in lowercase neither
        ("de", "Ich weiß nicht, ob das Treppenhaus offen war.", []),
        ("sw", "Dada yake Halima alikuja jana.", [("Halima", "PERSON")]),
        ("sw", "Tulikwenda kwa muuguzi Adhiambo kesho yake.", [("Adhiambo", "PERSON")]),
        ("sw", "Mama yangu anaishi Morogoro.", [("Morogoro", "LOCATION")]),
        ("sw", "Rehema ya Mungu ni kubwa.", []),
        ("sw", "Imani, mdogo wangu, ana kifafa.", [("Imani", "PERSON")]),
        ("lg", "Mutabani w'Olivia naye alwadde.", [("Olivia", "PERSON")]),
        ("lg", "Kojja wange Ssali abeera Entebbe.", [("Ssali", "PERSON"), ("Entebbe", "LOCATION")]),
        # Hebrew: kin words with possessive endings, prefix letters outside the name
        ("he", "אחותי מלכה באה איתי לסורוקה.", [("מלכה", "PERSON"), ("סורוקה", "FACILITY")]),
        ("he", "גרתי בערד עשר שנים.", [("ערד", "LOCATION")]),
        ("he", "שלום לכולם ותודה.", []),
        # Marathi: honorifics glued on and case endings stay outside the name
        ("mr", "माझा भाऊ सचिन मला घेऊन गेला.", [("सचिन", "PERSON")]),
        ("mr", "सिस्टर लताने मला इंजेक्शन दिलं.", [("लता", "PERSON")]),
        ("mr", "शेजारच्या फातिमाबी रोज जेवण देतात.", [("फातिमा", "PERSON")]),
        ("mr", "वाकडमध्ये नवीन घर घेतलं.", [("वाकड", "LOCATION")]),
        ("mr", "देव सगळं ठीक करेल.", []),
    ],
)
def test_candidates(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates(language, text) == expected


def test_candidates_are_suggestions() -> None:
    """Every candidate scores below the default review threshold: it waits for review."""
    scores = [d.score for d in _CACHE["de"].analyze("Mein Bruder Thomas wohnt in Dornstadt.")]
    assert scores and max(scores) < 0.85
