"""Towns a study did not list, found from the packaged place lists: Hebrew spelling with or
without vowel letters, the everyday short form of a listed town, a town after a word of
nearness. Real Presidio, no roster and no gazetteer."""

from __future__ import annotations

import pytest

from fgdprep.pii import Analyzer
from fgdprep.recognizers import RecognizerContext

_CACHE: dict[str, Analyzer] = {}


def found(language: str, text: str) -> list[tuple[str, str, float]]:
    if language not in _CACHE:
        _CACHE[language] = Analyzer(RecognizerContext(language=language), None)
    return [
        (text[d.start : d.end], d.entity_type, d.score)
        for d in _CACHE[language].analyze(text)
        if d.recognizer == "candidates"
    ]


def places(language: str, text: str) -> list[str]:
    return [span for span, entity, _ in found(language, text) if entity == "LOCATION"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "נצרת עלית" is listed; spoken and written with a yod ("עילית"): one town
        ("אמא שלי באה מנצרת עילית לעזור.", ["נצרת עילית"]),
        # the short form of "קריית טבעון", glued to "from"
        ("הפסיכולוגית שלי, נורית מטבעון, אמרה את זה.", ["טבעון"]),
        ("גרנו בטבעון עשר שנים.", ["טבעון"]),
        # a listed town that is a frequent word in the news, after "near"
        ("מזרע זה ליד עכו, לא?", ["מזרע", "עכו"]),
        # no short form where the rest is a word ("כפר סבא": grandpa; "כפר ורדים": roses)
        ("הלכתי אל סבא שלי.", []),
        ("קניתי ורדים לאמא.", []),
        # "near" a person is no place
        ("ישבתי ליד שרה בכיתה.", []),
        # vowel letters are tolerated only on a later word of a listed name
        ("היא עילית בתחום שלה.", []),
    ],
)
def test_hebrew_spellings_short_forms_and_nearness(text: str, expected: list[str]) -> None:
    assert places("he", text) == expected
