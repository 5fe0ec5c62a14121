"""The forms a participant's roster name takes in a transcript, per language and class,
through the real Presidio analyzer with an invented roster: prefix letters and diminutives
(Hebrew), case endings, honorifics, the plural of respect and vowel-length spellings
(Marathi), verbs with a person object, l/r and doubled letters (Kiswahili, Luganda),
Latin spellings of Devanagari names in code-switched speech, and the everyday
words these rules must leave alone."""

from __future__ import annotations

import pytest

from fgdprep.model import Person
from fgdprep.pii import Analyzer
from fgdprep.recognizers import RecognizerContext

ROSTERS = {
    "he": (
        Person("P1", "נועה ברקוביץ", ("נועי",)),
        Person("P2", "יוסף חדד", ("יוסי",)),
        Person("P3", "אביטל מזרחי"),
        Person("P4", "וליד עזאם"),
        Person("P5", "ג'ני סויסה"),
    ),
    "mr": (
        Person("P1", "सुनीता पाटील"),
        Person("P2", "राजेश कुलकर्णी", ("राजू",)),
        Person("P3", "वर्षा देशमुख"),
        Person("P4", "गणेश मोरे"),
        Person("P5", "विठ्ठल पवार"),
    ),
    "sw": (
        Person("P1", "Rehema Achieng"),
        Person("P2", "Juma Otieno", ("Mzee Juma",)),
    ),
    "lg": (
        Person("P1", "Nakato Florence"),
        Person("P2", "Ssekandi Robert", ("Robbie",)),
    ),
}
_CACHE: dict[tuple[str, tuple[Person, ...]], Analyzer] = {}


def roster(
    language: str, text: str, people: tuple[Person, ...] | None = None
) -> list[tuple[str, str]]:
    """The roster's findings in ``text``: (surface, code), through the real analyzer."""
    people = ROSTERS[language] if people is None else people
    if (language, people) not in _CACHE:
        ctx = RecognizerContext(language=language, people=people)
        _CACHE[language, people] = Analyzer(ctx, None)
    return [
        (text[d.start : d.end], d.person or "")
        for d in _CACHE[language, people].analyze(text)
        if d.recognizer == "roster"
    ]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Hebrew prefix letters, alone and stacked
        ("he", "וכשנועה הגיעה כולם שמחו.", [("נועה", "P1")]),
        ("he", "שלנועה יש שלושה ילדים.", [("נועה", "P1")]),
        ("he", "כמו שאביטל אמרה קודם.", [("אביטל", "P3")]),
        # diminutives and "my" glued on, with or without geresh; a final ה dropped before it
        ("he", "ראיתי את נועהל'ה אתמול.", [("נועה", "P1")]),
        ("he", "נועל׳ה צודקת לגמרי.", [("נוע", "P1")]),
        ("he", "יוסי'לה אמר משהו חשוב.", [("יוסי", "P2")]),
        ("he", "ואביטלי צודקת.", [("אביטל", "P3")]),
        ("he", "אביטלוש צודקת.", [("אביטל", "P3")]),
        # the Hebrew geresh for the apostrophe of the roster; a maqaf joining a full name
        ("he", "וג׳ני אמרה שזה קשה.", [("ג׳ני", "P5")]),
        ("he", "נועה־ברקוביץ אמרה שזה קשה.", [("נועה־ברקוביץ", "P1")]),
        # Marathi: the plural of respect on surnames, an oblique stem ("पाटल" for "पाटील")
        ("mr", "पाटलांनी सांगितले.", [("पाटल", "P1")]),
        ("mr", "कुलकर्णींनी मदत केली.", [("कुलकर्णी", "P2")]),
        ("mr", "देशमुखांचा मुलगा आला.", [("देशमुख", "P3")]),
        ("mr", "पाटीलसाहेब आले होते.", [("पाटील", "P1")]),
        ("mr", "सुनीतावहिनींनी मदत केली.", [("सुनीता", "P1")]),
        ("mr", "राजेशरावांनी सांगितले.", [("राजेश", "P2")]),
        # short and long vowel signs spelt either way, with an ending
        ("mr", "सुनिताने सांगितले.", [("सुनिता", "P1")]),
        ("mr", "सुनीताकडे विचारा.", [("सुनीता", "P1")]),
        # Kiswahili: a name that is a word ("rehema", mercy) after a verb of telling, asking
        # or calling with the person glued on; l/r swapped, a letter doubled, after "kwa"
        ("sw", "nilimwambia rehema kwamba tutaonana.", [("rehema", "P1")]),
        ("sw", "nikampigia juma jana usiku.", [("juma", "P2")]),
        ("sw", "lehema alisema hapana.", [("lehema", "P1")]),
        ("sw", "Otienno alisema hivyo.", [("Otienno", "P2")]),
        ("sw", "Nilienda kwa Achieng jana.", [("Achieng", "P1")]),
        # Luganda: the first consonant written doubled or not ("Nnakato", "Sekandi")
        ("lg", "Nnakato yagamba nti kirungi.", [("Nnakato", "P1")]),
        ("lg", "Sekandi yagamba nti kirungi.", [("Sekandi", "P2")]),
        ("lg", "Nagenda ne Nnyabo Nakato.", [("Nakato", "P1")]),
        # Latin spellings of Devanagari roster names in code-switched speech
        ("mr", "Sunita tai म्हणाल्या की group छान आहे.", [("Sunita", "P1")]),
        ("mr", "rajesh bhau आले होते.", [("rajesh", "P2")]),
        ("mr", "Kulkarni sir बोलले.", [("Kulkarni", "P2")]),
        ("mr", "Pawar काका आले.", [("Pawar", "P5")]),
    ],
)
def test_roster_name_forms(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert roster(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # "of years" is no plural of respect of the participant वर्षा
        ("mr", "माझी मुलगी बारा वर्षांची आहे."),
        ("mr", "मी पस्तीस वर्षांचा आहे."),
        # the Latin spelling of मोरे is the English "more"
        ("mr", "मला more time हवा होता."),
        # "mercy" after a verb that takes no person stays the word
        ("sw", "tunaomba rehema ya Mungu."),
        # "next to me" is no וליד + "my"
        ("he", "ולידי ישבה אישה מבוגרת."),
    ],
)
def test_words_like_roster_names(language: str, text: str) -> None:
    assert roster(language, text) == []


NICK_ROSTERS = {
    "sw": (Person("P1", "Halima Mussa"), Person("P2", "Fredrick Mollel")),
    "he": (Person("P1", "יוסף חדד"), Person("P2", "שמואל כהן")),
    "mr": (Person("P1", "दत्ता जाधव"), Person("P2", "सचिन पाटील"), Person("P3", "भरत कदम")),
    "de": (Person("P1", "Gabriele Hofmann"), Person("P2", "Stefanie Wolf")),
    "en": (Person("P1", "Robert Okello"), Person("P2", "William Kato"), Person("P3", "Augustine")),
}
WORD_ROSTER = (Person("P1", "पूजा शिंदे"), Person("P2", "नाना भोसले"))
SW_WORD_ROSTER = (Person("P1", "Baraka Mollel"),)
HE_KIN_ROSTER = (Person("P1", "אבי דהן"), Person("P2", "עלי אבו קף"))
LG_WORD_ROSTER = (Person("P1", "Ssanyu Namubiru"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a participant named by a Luganda word (joy): said present, asked, or introduced
        ("Ssanyu wano. Nze nnina sukaali.", [("Ssanyu", "P1")]),
        ("Ssanyu ggwe?", [("Ssanyu", "P1")]),
        # the word itself is no one
        ("Ssanyu lye nnina kati kwe kuba nti abaana bange bansanyukira.", []),
    ],
)
def test_roster_word_names_luganda(text: str, expected: list[tuple[str, str]]) -> None:
    assert roster("lg", text, LG_WORD_ROSTER) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a participant named as a kinship word, behind a prefix letter: suggested
        ("לאבי יש גם את הסוכרת.", [("אבי", "P1")]),
        # a kinship word that only looks like a name behind the letter stays the word
        ("בעלי עובד בלילות.", []),
    ],
)
def test_roster_names_that_are_kinship_words(text: str, expected: list[tuple[str, str]]) -> None:
    assert roster("he", text, HE_KIN_ROSTER) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a word-name opening a sentence, the subject of a verb of the person class
        ("Asanteni sana wote. Baraka atagawa nauli sasa.", [("Baraka", "P1")]),
        # the blessing, with its own agreement, is no one
        ("Baraka zake ni nyingi sana.", []),
        ("Tunaomba baraka ambazo Mungu anatoa.", []),
    ],
)
def test_roster_word_names_as_subjects(text: str, expected: list[tuple[str, str]]) -> None:
    assert roster("sw", text, SW_WORD_ROSTER) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a participant whose name is a Marathi word: where the words around say a person
        ("नाना बरोबर बोलले.", [("नाना", "P2")]),
        ("पूजा म्हणाली की तिला भीती वाटते.", [("पूजा", "P1")]),
        ("मी पूजा.", [("पूजा", "P1")]),
        ("शिंदे ताई आल्या.", [("शिंदे", "P1")]),
        # and not where it is the word: worship at home, "our grandfather"
        ("घरी रोज पूजा होते.", []),
        ("आमचे नाना, म्हणजे आजोबा, आजारी होते.", []),
    ],
)
def test_roster_word_names_marathi(text: str, expected: list[tuple[str, str]]) -> None:
    assert roster("mr", text, WORD_ROSTER) == expected


def nicknamed(language: str, text: str) -> list[tuple[str, str]]:
    return roster(language, text, NICK_ROSTERS[language])


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # the start of a name alone (cased scripts), capitalised inside a sentence
        ("sw", "Nilimwambia Hali kwamba tutaonana.", [("Hali", "P1")]),
        # the start with a diminutive ending, doubled letters single ("Steffi", "Robbie")
        ("sw", "Kwa hiyo Fredy alisema hapana.", [("Fredy", "P2")]),
        ("de", "Die Gabi hat gesagt, es geht.", [("Gabi", "P1")]),
        ("de", "Ich war mit Steffi dort.", [("Steffi", "P2")]),
        ("en", "I told Robbie about it.", [("Robbie", "P1")]),
        # Hebrew: a diminutive, behind a prefix letter; a listed given name that is frequent
        ("he", "יוסיק אמר שזה קשה.", [("יוסיק", "P1")]),
        ("he", "ליוסיק יש שלושה ילדים.", [("יוסיק", "P1")]),
        ("he", "דיברתי עם שמוליק אתמול.", [("שמוליק", "P2")]),
        # Marathi: "सच्या" for सचिन, "भरतू" for भरत
        ("mr", "सच्या आला होता.", [("सच्या", "P2")]),
        ("mr", "भरतू आला होता.", [("भरतू", "P3")]),
    ],
)
def test_roster_pet_forms(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert nicknamed(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # "hali" (condition) opening a sentence or in lower case is the word
        ("sw", "Hali ilikuwa mbaya sana."),
        ("sw", "hali yangu ni nzuri."),
        # frequent English words and months stay words: "Will", "August"
        ("en", "Then Will said no."),
        ("en", "We will see in August."),
        # German nouns that start like a roster name ("Wolf" of Wolf is the surname itself,
        # not a pet form; "Gabel", a fork, is a frequent noun)
        ("de", "Im Winter ist es schlimm."),
        ("de", "Ich brauche eine Gabel."),
        # Marathi: a frequent word after a roster name's start ("सकाळी", in the morning);
        # a listed hospital that looks like a pet form ("भारती", not भरत's)
        ("mr", "मी सकाळी आलो."),
        ("mr", "मला भारतीमध्ये दाखल केलं."),
    ],
)
def test_words_like_pet_forms(language: str, text: str) -> None:
    assert nicknamed(language, text) == []
