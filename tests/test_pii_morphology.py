"""Name morphology and context in uncased scripts (Hebrew, Marathi), through the real Presidio
analyzer with no roster and no gazetteer: prefix letters and case endings of places, facility
heads behind qualifiers, place-name endings, declined honorifics, full names and names joined
by "and" — and the words these rules must leave alone (verbs after a kin word, cue words)."""

from __future__ import annotations

import pytest

from fgdprep.pii import Analyzer
from fgdprep.recognizers import RecognizerContext

_CACHE: dict[str, Analyzer] = {}


def found(language: str, text: str) -> list[tuple[str, str]]:
    if language not in _CACHE:
        _CACHE[language] = Analyzer(RecognizerContext(language=language), None)
    return sorted(
        (text[d.start : d.end], d.entity_type)
        for d in _CACHE[language].analyze(text)
        if d.recognizer == "candidates"
    )


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # a town that is a frequent word counts with a place prefix letter (מ, ב, ל)
        ("he", "החבר שלי סרגיי מאשדוד התקשר.", [("אשדוד", "LOCATION"), ("סרגיי", "PERSON")]),
        ("he", "נסענו לאילת בחופש.", [("אילת", "LOCATION")]),
        # ... and a place in a place case after a kin word stays a place ("mother came from")
        ("mr", "आई सोलापूरहून आली.", [("सोलापूर", "LOCATION")]),
        # the spoken neuter genitive "-चं": "my in-laws are of Kolhapur"
        ("mr", "माझं सासर कोल्हापूरचं आहे.", [("कोल्हापूर", "LOCATION")]),
        # a common given name beside a surname or joined by "and" to a name is a name
        ("he", "אברהם אדרי מהמושב שלנו נפטר.", [("אברהם", "PERSON"), ("אדרי", "PERSON")]),
        ("he", "יעקב ושושנה מהשכונה עזרו.", [("יעקב", "PERSON"), ("שושנה", "PERSON")]),
        # ... but not alone
        ("he", "אברהם אבינו.", []),
        # an apposition is set off by commas on both sides; a verb after the name is none
        ("he", "הפסיכיאטרית שלי, ד״ר ולדמן, הפנתה אותי.", [("ולדמן", "PERSON")]),
        # cue words and facility head words are not names themselves
        ("he", "אנחנו גרים בשכונת נווה נוי.", [("נווה נוי", "LOCATION")]),
        ("he", "המנהל של בית הספר הזמין אותנו.", []),
        # Marathi facility heads with case endings, behind qualifiers
        ("mr", "स्नेहदीप व्यसनमुक्ती केंद्रात सहा महिने होतो.", [("स्नेहदीप", "FACILITY")]),
        ("mr", "मुलगा सरस्वती विद्यालयात शिकतो.", [("सरस्वती", "FACILITY")]),
        # a well-known school (data/institutions_in.yaml): the whole name
        # the oblique stem ("विद्यालया" + "त") is the name's, the case ending outside
        ("mr", "मुलगा अभिनव विद्यालयात शिकतो.", [("अभिनव विद्यालया", "FACILITY")]),
        # a known name before a facility's name belongs to it
        ("mr", "यशवंतराव चव्हाण रुग्णालयात नेलं.", [("यशवंतराव चव्हाण", "FACILITY")]),
        # a name ending like a case ending ("-नी") is not cut when the stem is unknown
        ("mr", "संजीवनी क्लिनिकचे डॉक्टर चांगले आहेत.", [("संजीवनी", "FACILITY")]),
        # place-name endings and words that belong to a place's name
        ("mr", "आम्ही कोरेगाव पार्कमध्ये राहत होतो.", [("कोरेगाव पार्क", "LOCATION")]),
        # a rare word in a place case before a verb of living
        ("mr", "मी शिरवळला राहायचो.", [("शिरवळ", "LOCATION")]),
        # ... not of going, which mostly takes common nouns (temple, pilgrimage, work);
        # a person's ("-कडे") or a title before it is no place
        ("mr", "सुट्टीत आम्ही वडूजला राहायचो.", [("वडूज", "LOCATION")]),
        ("mr", "गुरुवारी मी देवळात जाते.", []),
        ("mr", "मी दरवर्षी वारीला जाते.", []),
        ("mr", "मी डॉक्टरांकडे गेले.", []),
        # ... a common one is no place
        ("mr", "मी घरात राहायचो.", []),
        # declined honorifics after a name
        ("mr", "अहिल्या आजींनी मला सांभाळलं.", [("अहिल्या", "PERSON")]),
        ("mr", "मी गोखले सरांकडे जाते.", [("गोखले", "PERSON")]),
        # a geresh or gershayim is inside a word: "ז׳קלין", "רמב\"ם" are whole names
        ("he", "הדודה שלי ז׳קלין הייתה חולה שנים.", [("ז׳קלין", "PERSON")]),
        ("he", 'הילדים לומדים בבית הספר רמב"ם בשכונה.', [('רמב"ם', "FACILITY")]),
        # ablative and locative endings on a known place
        ("mr", "भोसरीतून कामाला रोज बसने जातो.", [("भोसरी", "LOCATION")]),
        # a place head word with a case ending, not a word that starts like one ("चौकट", box)
        ("mr", "वापरकर्ता चौकटीत लिहा.", []),
        # a frequent word that is also a small town's name is no place, even after a prefix
        ("he", "הוא נח במנוחה בבית.", []),
        # a verb form after a kin word is no name
        ("mr", "शाळेत मुलगी जाते.", []),
        ("mr", "गावात भरपूर पाऊस पडला.", []),
        # a frequent word in a place case after a kin word says where, not who ("शहर" ends
        # listed names such as "पुणे शहर" and is still no name); the name after it is found
        ("mr", "तानाजीचा मुलगा शहरात कामाला गेला.", [("तानाजी", "PERSON")]),
        ("mr", "माझा मुलगा सुधीरला घेऊन गेला.", [("सुधीर", "PERSON")]),
        # a kinship word with an honorific glued on is no name; the name after it is
        ("mr", "माझ्या सासूबाई लक्ष्मीबाई आजारी होत्या.", [("लक्ष्मी", "PERSON")]),
        ("mr", "सुनीताताईंनी मला सांगितलं.", [("सुनीता", "PERSON")]),
        # oblique stems before a case ending: सातारा -> साताऱ्याला is not it, but
        # "कोल्हापूर" stays, "ठाणे" -> "ठाण्यात", "लोणावळा" -> "लोणावळ्याहून"
        ("mr", "माझी मावशी ठाण्यात असते.", [("ठाण्या", "LOCATION")]),
        ("mr", "आम्ही लोणावळ्याहून परत आलो.", [("लोणावळ्या", "LOCATION")]),
        # a feminine place in the oblique ("पेठ" -> "पेठेत") keeps its whole name
        ("mr", "आम्ही सदाशिव पेठेत असतो.", [("सदाशिव पेठे", "LOCATION")]),
        # postpositions built on others: "-जवळच्या", "-पर्यंत"
        ("mr", "ती सोलापूरजवळच्या गावात शिकली.", [("सोलापूर", "LOCATION")]),
        # a world city in the script of the language, with a case ending or a prefix
        ("mr", "माझी मुलगी लंडनमध्ये शिकते.", [("लंडन", "LOCATION")]),
        ("he", "הבן שלי עבר לטורונטו לפני שנה.", [("טורונטו", "LOCATION")]),
        # Hebrew: a kinship word or role with a prefix letter glued on ("לאחותי", "והמדריך")
        ("he", "התקשרתי לאחותי דורינה אתמול.", [("דורינה", "PERSON")]),
        ("he", "דיברתי עם השכנה והמדריך שמואליק הגיע.", [("שמואליק", "PERSON")]),
        # ... but "my husband" is no name after a prefix, a frequent verb after a kin word
        # is none either, nor a noun with the article, an acronym or a region
        ("he", "בעלי לא הבין אותי.", []),
        ("he", "אחותי מספרת לכולם.", []),
        ("he", "השייח של המסגד עזר לנו.", []),
        ("he", "קצינת הת״ש עזרה לי.", []),
        ("he", "אחר כך עברנו לצפון.", []),
        # a school numbered by a Hebrew letter after its head word
        ("he", "למדתי בתיכון מקיף ד׳ בעיר.", [("מקיף ד׳", "FACILITY")]),
        # a head word in the construct state: any word after it names the place
        # the listed "מכללת אחוה", spelt with a second vav: the whole listed name
        ("he", "הבן שלי לומד במכללת אחווה.", [("מכללת אחווה", "FACILITY")]),
        # initials before a facility head word; a Latin name before a case ending apart
        ("mr", "तो बी. जे. कॉलेजमध्ये शिकला.", [("बी. जे", "FACILITY")]),
        ("mr", "आम्ही आता Baner ला राहतो.", [("Baner", "LOCATION")]),
        ("mr", "मी private मध्ये जातो.", []),
        # an honorific glued on ("-भाई") stays outside the name
        ("mr", "रफीकभाईंनी मदत केली.", [("रफीक", "PERSON")]),
        # a place-name ending ("-बाग", "-पुरा") on a word nobody listed
        ("mr", "संध्याकाळी आम्ही हिराबागमध्ये फिरलो.", [("हिराबाग", "LOCATION")]),
    ],
)
def test_morphology(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(language, text) == sorted(expected)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # German: "Klinik am X", "Praxis an der X"; a named school compound, not a kind of one
        # (the head word and its link words belong to the name: a hill, a square alone)
        (
            "de",
            "Ich war sechs Wochen in der Klinik am Eichert.",
            [("Klinik am Eichert", "FACILITY")],
        ),
        (
            "de",
            "Meine Ärztin in der Praxis am Münsterplatz ist gut.",
            [("Praxis am Münsterplatz", "FACILITY")],
        ),
        # a hyphenated school name is one facility, the given names in it no persons
        (
            "de",
            "Sie geht aufs Carl-und-Gerhart-Hauptmann-Gymnasium.",
            [("Carl-und-Gerhart-Hauptmann-Gymnasium", "FACILITY")],
        ),
        # a role word before ", Frau X" is no name; a compound of two words is a noun
        ("de", "Die Stationsleiterin, Frau Obermaier, kam dazu.", [("Obermaier", "PERSON")]),
        ("de", "Ich war beim Krisendienst, das hat geholfen.", []),
        ("de", "Der Ansprechpartner vom Gesundheitsverein hat angerufen.", []),
        ("de", "Die Marienschule war gleich um die Ecke.", [("Marienschule", "FACILITY")]),
        ("de", "Die Grundschule war gleich um die Ecke.", []),
        ("de", "Ich war in der Klinik am Montag.", []),
        # Kiswahili: qualifiers between the head word and the name
        ("sw", "Mtoto anasoma shule ya msingi Mapambano.", [("Mapambano", "FACILITY")]),
        ("sw", "Hospitali ya rufaa ya Amana ilinisaidia.", [("Amana", "FACILITY")]),
        # a verb starting the sentence before a lower-case head word is no facility
        ("sw", "Nilipelekwa hospitali usiku.", []),
    ],
)
def test_facility_context(language: str, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(language, text) == sorted(expected)
