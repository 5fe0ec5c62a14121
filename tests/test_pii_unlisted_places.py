"""Towns a study did not list, found from the packaged place lists: Hebrew spelling with or
without vowel letters, the everyday short form of a listed town, a town after a word of
nearness; Marathi towns and post offices listed only in Latin letters, found by romanising
a Devanagari word in a place case; the wards and villages of Tanzania and Uganda,
capitalised inside a sentence. Real Presidio, no roster and no gazetteer."""

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "עספיא" is listed; written with its vowel letters, glued to "from"
        ("אני ח׳ליל מעוספיא.", ["עוספיא"]),
        # a frequent word is no town, whatever its letters without the vowel letters
        ("הוא מעולם לא היה שם.", []),
        # after a street word any word is the street's name, with the article too
        ("בכללית, במרפאה ברחוב הרצל.", ["הרצל"]),
        # after "in the village" a frequent word is what happens there, no name
        ("קשה. בכפר כולם מכירים את כולם.", []),
        ("בכפר קוראים לי אבו סאמר.", []),
    ],
)
def test_hebrew_vowel_letters_streets_and_cue_words(text: str, expected: list[str]) -> None:
    assert places("he", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a word that opens place names and a rarer word after it: one place, the prefix
        # letter outside
        ("אני סמאח, גרה בוואדי ניסנאס.", ["וואדי ניסנאס"]),
        ("גר בנווה שאנן, עובד בנמל.", ["נווה שאנן"]),
        ("אני עובדת בקיוסק של הדוד שלי, בשוק תלפיות.", ["שוק תלפיות"]),
        # a frequent word or one with the article after it: a market, no place's name
        ("הייתי בשוק היום.", []),
        ("בשוק העבודה קשה.", []),
    ],
)
def test_hebrew_place_openers(text: str, expected: list[str]) -> None:
    assert places("he", text) == expected


@pytest.mark.parametrize(
    ("word", "key"),
    [
        # Devanagari and GeoNames' Latin spelling of one town reach one key
        ("कामठी", "kmti"),
        ("Kāmthi", "kmti"),
        ("भंडारा", "bndr"),
        ("Bhandāra", "bndr"),
        ("पारडी", "prdi"),
        ("Pārdi", "prdi"),
        ("वर्धा", "vrd"),
        ("Wardha", "vrd"),
        ("अमरावती", "amrvti"),
        ("Amrāvati", "amrvti"),
    ],
)
def test_loose_latin_keys(word: str, key: str) -> None:
    from fgdprep.text import loose_latin

    assert loose_latin(word) == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # towns GeoNames spells in Latin letters only, in the ablative or locative
        ("मी संजय. कामठीहून येतो, रोज बसनं.", ["कामठी"]),
        ("माझा मित्र तुकाराम भंडाऱ्याहून रोज फोन करतो.", ["भंडाऱ्या"]),
        ("माझी बायको शुभांगी रोज पारडीहून डबा घेऊन यायची.", ["पारडी"]),
        ("माझी बहीण कामठीत असते.", ["कामठी"]),  # after a kinship word: where she is
        ("ती कामठीत राहते.", ["कामठी"]),
        # the genitive, a person's case too, for a town or a post office of Maharashtra
        # (India Post) whose romanised key is long enough to be no ordinary word's
        ("माझा मित्र हिंगणाचा आहे.", ["हिंगणा"]),
        ("आमची शाळा कोराडीच्या जवळ आहे.", ["कोराडी"]),
        ("मी रोहनच्या घरी गेलो.", []),
        # no town case (the dative, a person's case too), no town
        ("मी कामठीला फोन केला.", []),
        ("कामठी खूप छान आहे.", []),
        # an ordinary word in a town case that romanises to a town: Marathi "ळ" is Hindi
        # "ल" ("मंडल", an association), no Mandla
        ("तो गणपती मंडळात ढोल वाजवतो.", []),
        # a rare word in a town case that is no town of the list
        ("मी ढोलकीतून आवाज काढला.", []),
    ],
)
def test_marathi_towns_in_latin_only(text: str, expected: list[str]) -> None:
    assert places("mr", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "from (a place)": a rare word so declined names a place nobody listed
        ("हो, मंगला ताई नंदनवनहून येतील.", ["नंदनवन"]),
        # a verb's participle ending alike ("पाहून", having seen), a frequent word ("घरून")
        ("ते पाहून मला बरं वाटलं.", []),
        ("मी घरून आलो.", []),
        # from a person is "-कडून"
        ("मी गोखलेकडून पैसे घेतले.", []),
        # Pune, a frequent word of the Hindi list the build filters with, now listed
        ("मग मुलगा नोकरीला पुण्याला गेला.", ["पुण्या"]),
    ],
)
def test_marathi_from_a_place(text: str, expected: list[str]) -> None:
    assert places("mr", text) == expected


def test_romanised_towns_are_suggestions() -> None:
    hits = [score for span, _, score in found("mr", "मी कामठीहून येतो.") if span == "कामठी"]
    assert hits and all(score < 0.85 for score in hits)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # wards and villages of the site country's official lists, capitalised inside a
        # sentence, after a cue or not
        ("sw", "Mimi ni Kulwa, natokea Buhongwa.", ["Buhongwa"]),
        ("sw", "Nafanya kazi ya bodaboda Kirumba.", ["Kirumba"]),
        ("sw", "Nauza vitenge pale soko la Mlango Mmoja.", ["Mlango Mmoja"]),
        ("lg", "Mayanja oyo ow'e Kasensero?", ["Kasensero"]),
        # the same lists hold words of the language: no village at the start of a sentence
        # ("Karibuni": welcome; "Kati": now) nor in lower case ("ssomero": school)
        ("sw", "Karibuni wote, tuanze.", []),
        ("lg", "Kati nfuna eddagala ku Lwakutaano.", []),
        ("lg", "Nnali musomesa ku ssomero.", []),
    ],
)
def test_local_wards_and_villages(language: str, text: str, expected: list[str]) -> None:
    assert places(language, text) == expected


def test_place_lists_name_their_source_and_licence() -> None:
    from importlib import resources

    lists = [
        f
        for f in resources.files("fgdprep").joinpath("data").iterdir()
        if f.name.startswith("places_") and f.name.endswith(".txt")
    ]
    assert {"places_tz_local.txt", "places_ug_local.txt", "places_in_latin.txt"} <= {
        f.name for f in lists
    }
    for source in lists:
        lines = source.read_text(encoding="utf-8").splitlines()
        head = " ".join(line for line in lines if line.startswith("#"))
        assert "build_place_lexicons.py" in head, source.name
        assert "MIT" in head or "CC BY" in head, source.name
        assert all(line.strip() for line in lines), source.name  # no blank name
