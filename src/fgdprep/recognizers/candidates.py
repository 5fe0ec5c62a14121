"""Candidate people, places and facilities nobody put on a list, for languages without NER.

Kept apart from the recognizers that are certain: everything found here scores below the
review threshold, so it is replaced (safe side) and waits in the review queue.

- Cased scripts (German, Kiswahili, Luganda): a capitalised word that does not start a
  sentence and is rare in the language (wordfreq for German, where every noun is capitalised;
  a list of capitalised non-names elsewhere), runs of them joined into one name.
- Every language: the word after a kinship word, title or role in any possessive, case or
  article form ("ihrer Tochter Lena", "dada yake Halima", "muuguzi Adhiambo", "הבן שלי
  עידן", "माझा भाऊ सचिन"); honorifics glued to a Marathi name ("सुनीताताईंनी"); a place
  after "wohnt in", "nakaa", "abeera", "גרתי ב", before "भागात"; facility head words
  ("Albertinen Krankenhaus", "hospitali ya Amana", "בית החולים סורוקה", "जहांगीर हॉस्पिटल").
- Uncased scripts (Hebrew, Devanagari): given names, surnames, towns and hospitals from the
  language's lexicon, found through prefix letters and case endings (fgdprep.text).

The data of a language is in ``fgdprep/data/lang_<code>.yaml`` (cues, lexicons; source and
licence in its header) and ``places_<code>.txt`` (GeoNames towns).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import FACILITY, LOCATION, PERSON
from fgdprep.recognizers.base import RecognizerContext, every_language, language_data, result
from fgdprep.recognizers.cues import GENERIC_COMPOUND
from fgdprep.text import (
    MIN_STEM,
    OBLIQUE,
    SUFFIXES,
    WORD_NAMES,
    Match,
    PhraseIndex,
    Token,
    defective,
    loose_latin,
    norm,
    phrase_keys,
    tokens,
)

NAME = "candidates"
#: Candidates travel through Presidio under types of their own, so that its de-duplication
#: (which keeps the higher score of overlapping results of one type) never drops a certain
#: finding, such as a fuzzy gazetteer hit, for a candidate; the analyzer maps them back.
AS_CANDIDATE = {
    PERSON: "CANDIDATE_PERSON",
    LOCATION: "CANDIDATE_LOCATION",
    FACILITY: "CANDIDATE_FACILITY",
}
FROM_CANDIDATE = {v: k for k, v in AS_CANDIDATE.items()}
#: Scores: all below the default review threshold (0.85), so every candidate is reviewed.
CUE_SCORE = 0.8
LEXICON_SCORE = 0.75
SHAPE_SCORE = 0.6
#: Zipf frequency above which a word of an uncased language is a word, not a name, unless a
#: cue says otherwise (Hebrew "שלום" is hello and a name).
COMMON_ZIPF = 4.3
#: A name known only from the name statistics (``names_<code>.txt``) this frequent as a word
#: needs a cue, as one of COMMON_ZIPF does.
LISTED_ZIPF = 3.5
#: After a weak cue ("עם", with) only a rare word is taken for a name.
WEAK_ZIPF = 3.0
#: "Jungfernstieg" (2.6) names a street, "Spielplatz" (3.5) and "Heimweg" are words.
STREET_ZIPF = 3.0
#: German plural and case endings a compound's last part may carry ("Formulare", "Träumen").
PLURAL_ENDINGS = ("e", "en", "n", "er", "s")
#: German compounds: both parts this long, the last this frequent ("verein", "stelle").
COMPOUND_PART = 5
COMPOUND_TAIL_ZIPF = 3.5
#: German: the masculine of a feminine role noun ("Hausmeister" of "Hausmeisterin") this
#: long at least; shorter ones end names ("Karin", "Erwin").
FEMININE_BASE = 6
#: German: a word this frequent after a place preposition is a noun ("im Kurs": 4.6), a rarer
#: one a place ("nach Kempten": 3.6).
NOUN_ZIPF = 4.0
#: After a facility's head word in an uncased script, a word this frequent is no name (a verb).
FACILITY_ZIPF = 4.0
#: wordfreq's code of each language (Marathi is looked up in Hindi, the nearest list).
WORDFREQ = {"en": "en", "de": "de", "he": "he", "hi": "hi"}
#: Where a language has no list of its own, the nearest one, for rough commonness only.
WORDFREQ_NEAREST = {"mr": "hi"}
#: Drug names are capitalised mid-sentence and are no one's name.
DRUG_ENDINGS = (
    "apine",
    "azepine",
    "oxetine",
    "aline",
    "amine",
    "idone",
    "azole",
    "azine",
    "pam",
    "lam",
    "thium",
    "triptyline",
    "pramine",
    "afaxine",
    "oate",
    "proate",
    "mide",
    "olol",
    "pril",
    "sartan",
    "statin",
    "mycin",
    "cillin",
    "formin",
    "tiapin",
    "tiapine",
    "alin",
    "apin",
    "peridol",
    "pentin",
    "gabalin",
    "trigine",
    "pidem",
    "piclone",
    "ixol",
    "adol",
    "amol",
    "profen",
    # antiretrovirals ("Dolutegravir", "Tenofovir", "Efavirenz", "Lamivudine")
    "gravir",
    "fovir",
    "navir",
    "virenz",
    "vudine",
)
#: Cue words that are verbs ("called", "heißt"): after a comma they name what follows, not
#: the word before.
VERB_CUES = frozenset(
    {
        *("called", "named", "heißt", "hieß", "namens", "genannt", "anaitwa", "ayitibwa"),
        *("kinaitwa", "inaitwa", "kiitwacho", "kiitwa", "ekiyitibwa", "eriyitibwa"),
    }
)


#: Last words that make a run of capitalised words a place ("Mbezi Beach", "Jinja Road").
PLACE_HEADS = frozenset(
    {
        "beach",
        "road",
        "street",
        "avenue",
        "market",
        "stage",
        "estate",
        "hill",
        "hills",
        "town",
        "city",
        "village",
        "straße",
        "strasse",
        "weg",
        "platz",
        "viertel",
        "sokoni",
        "barabara",
    }
)


#: Particles that open surnames with a second capital: "McDonald", "DeSouza", "O'Brien".
CAMEL_NAME = re.compile(r"(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|O['’])[A-Z][a-z]")


def _camel(text: str) -> bool:
    """A word with a second capital that is no acronym and no surname of that shape: a
    degree or a product ("MSc", "PhD", "WhatsApp", "AppStream"), nobody's name."""
    return (
        sum(c.isupper() for c in text) >= 2
        and not text.isupper()
        and "-" not in text
        and not CAMEL_NAME.match(text)
    )


#: A Hebrew letter used as a number ("ג׳", "ד'"): schools and neighbourhoods are so named.
HEBREW_LETTER_NUMBER = re.compile(r"[\u05d0-\u05ea][׳']")
#: A capitalised word in Latin letters (a name written so inside Devanagari or Hebrew text).
LATIN_NAME = re.compile(r"[A-Z][a-z]{2,}")
#: A facility's initials in Latin or Devanagari-free capitals: "KEM", "YCM", "BKH".
ACRONYM = re.compile(r"[A-Z]{2,6}")
#: Initials of diseases, treatments, departments and kinds of facility, before a head word
#: or a case ending: no facility's name ("HIV clinic", "ART clinic", "OPD मध्ये", "PHC").
NOT_FACILITY_ACRONYMS = frozenset(
    {
        *("HIV", "AIDS", "TB", "ART", "ARV", "ARVS", "OPD", "IPD", "ICU", "NICU", "CCU", "HDU"),
        *("ECT", "MCH", "RCH", "CTC", "ANC", "PMTCT", "NCD", "ENT", "STD", "STI", "HC", "PHC"),
        *("CHC", "GP", "ER", "AE", "MRI", "CT", "ECG", "EEG", "OT", "PT", "IV", "VCT", "PHQ"),
        *("ADHD", "PTSD", "OCD", "COVID", "NGO", "CBO", "FGD", "SMS", "ID", "NHS", "NHIF"),
        *("DOT", "DOTS", "MDR", "HCIV", "HCIII", "HCII", "II", "III", "IV", "OK", "TV", "PIA"),
        # German authorities, insurers, parties, clubs, trains, tests, rooms: no facility
        *("BAMF", "ADAC", "ICE", "WG", "DRV", "MDK", "KV", "BA", "EU", "USA", "DDR", "BRD"),
        *("HSV", "FC", "SPD", "CDU", "CSU", "AFD", "FDP", "PC", "LKW", "PKW", "WC", "OP"),
        *("EKG", "MRT", "ABM", "BTHG", "SGB", "GDB", "EM", "ALG", "HARTZ", "BU", "AU", "BEM"),
    }
)
#: German adjectives of kind that open a facility's name ("Evangelische", "Städtisches").
FACILITY_ADJECTIVES = ("ische", "isches", "ischen", "ischer", "liche", "liches", "lichen")
#: Marathi: the plural of respect between a name and its case ending ("पाटलांनी").
RESPECT_MARKS = ("ां", "ीं", "ूं", "ें")
#: Marathi: vowel signs a noun takes before a case ending ("काम" -> "कामावर").
OBLIQUE_VOWELS = ("ा", "े")
#: Marathi genitive endings: a known name so declined before a facility is its owner.
GENITIVES = ("च्या", "चा", "ची", "चे")
#: Marathi "-कडे" (to someone's): "गोखले सरांकडे जाते" goes to a person, not a place.
TO_A_PERSON = ("कडे", "कडून")
#: Marathi case endings this long ("-मध्ये", "-तल्या", "-हून") mark a declined word, no name
#: before a facility head word; shorter ones ("-त", "-ला") also end names ("अनंत").
DECLINED_ENDING = 3
#: One-letter prefixes glued to a name (Hebrew ב ל מ ה ו ש כ).
GLUED_PREFIXES = {"he": ("ב", "ל", "מ", "ה", "ו", "ש", "כ")}
#: Prefixes glued to a kinship word or role ("לאחותי", "והיועץ", "שבעלי", "וכשאמא").
KIN_PREFIXES = {"he": ("ב", "ל", "מ", "ו", "ש", "כש", "וב", "ול", "ומ", "וש", "שב", "של", "שמ")}
#: A kinship word with a prefix glued on that is this frequent is another word ("מרכז",
#: centre, is no "מ" + "רכז"; "בחברה", in society).
KIN_WORD_ZIPF = 4.5
#: Hebrew: a word nobody listed this frequent after a kinship word is a verb or noun
#: ("אחותי לומדת", my sister studies; "הילדה מספרת"), not her name.
CUED_WORD_ZIPF = 4.0
#: Hebrew: the definite article on a word nobody listed marks a noun, not a name ("השייח של
#: המסגד", "הרופאה המשפחתית"), unless the word without it is rarer than this.
ARTICLE_ZIPF = 3.0


@dataclass(frozen=True)
class Lexicon:
    """One language's cues and lexicons (keys normalised with :func:`fgdprep.text.norm`)."""

    language: str
    cased: bool
    kin: frozenset[tuple[str, ...]]
    between: frozenset[str]
    stop: frozenset[str]
    place_cues: frozenset[tuple[str, ...]]
    place_cue_after: bool
    not_after_place_cue: frozenset[str]
    facility_after: frozenset[str]
    facility_before: frozenset[tuple[str, ...]]
    facility_link: frozenset[str]
    not_names: frozenset[str]
    after_name: tuple[str, ...]
    names: PhraseIndex[str]
    rare_zipf: float
    shape: bool  # capitalised rare words are candidates (off where NER does that: English)
    place_after_name: frozenset[str]
    facility_compounds: tuple[str, ...]
    noun_endings: tuple[str, ...]  # rare words with these endings are nouns, not names
    place_verb_stems: tuple[str, ...]  # verbs of living and moving: a place follows
    facility_stems: tuple[str, ...]  # facility head words with any ending (uncased scripts)
    weak_kin: frozenset[str]  # "with", "of": a person follows when the word is rare
    place_prefixes: frozenset[str]  # letters glued to a place in a locative case ("ב", "מ")
    place_suffixes: frozenset[str]  # case endings of a place ("हून", "मध्ये")
    place_endings: tuple[str, ...]  # endings of place names ("नगर", "ingen")
    place_heads: frozenset[str]  # words after a place that are part of its name ("पार्क")
    facility_qualifiers: frozenset[str]  # words between a name and a facility head word
    strip_known_only: tuple[str, ...]  # endings that also end names: cut only on a known stem
    verb_endings: tuple[str, ...]  # endings of verb forms, never names (uncased scripts)
    conjunctions: frozenset[str]  # "and": names joined by it are names alike
    nouns_capitalised: bool = False  # German: a capital says noun, not name
    street_endings: tuple[str, ...] = ()  # "Bahnhofstraße": one word naming a street
    street_heads: frozenset[str] = frozenset()  # "Neue Straße", "Alter Weg": the last word
    street_endings_rare: tuple[str, ...] = ()  # "Jungfernstieg", not "Spielplatz": rare only
    given: frozenset[str] = frozenset()  # given names (German: no noun, unlike many surnames)
    surnames: frozenset[str] = frozenset()
    #: Names known only from the name statistics (``names_<code>.txt``), not from the
    #: language's own data: with a prefix or ending they count only where the whole word is
    #: rare ("שתיתי", I drank, is no "ש" + "תיתי", a surname).
    listed: frozenset[str] = frozenset()
    listed_zipf: float = LISTED_ZIPF
    #: Clitics glued to any word ("-ही", "-च"): a stop word with one is a stop word.
    clitics: tuple[str, ...] = ()
    #: One-word places and facilities of the lexicon (a given name may be a town too: "עומר").
    place_names: frozenset[str] = frozenset()
    #: Words before a bare acronym that make it an institution ("im UKE", "an der HAW").
    acronym_cues: frozenset[tuple[str, ...]] = frozenset()
    #: Phrases after a name that say it is one: "is her name", "ni jina langu".
    name_after: frozenset[tuple[str, ...]] = frozenset()
    #: "with", "at (someone's)": a listed place right after them is a person ("עם יפעת")
    companions: frozenset[str] = frozenset()
    #: Words that only a definite object follows (Hebrew "את"): a known given name or surname
    #: without the article right after one is a person's ("פגשתי את שמעון").
    object_markers: frozenset[str] = frozenset()
    #: Frequent words that end several listed names and start none ("शहर" of "पुणे शहर",
    #: city): a kind of place, no name on their own.
    generic: frozenset[str] = frozenset()
    #: Endings of pet forms made from the start of a given name ("Gabi", "יוסיק", "दत्तू").
    diminutives: tuple[str, ...] = ()
    #: Names that are everyday words of the language, where no frequency list says so
    #: (Marathi "आशा", hope; "पूजा", worship): a cue must say a person is meant.
    word_names: frozenset[str] = frozenset()
    #: Nouns counted by a number before them ("שלוש משפחות", three families): a number so
    #: followed names no neighbourhood ("בשכונה שלוש משפחות").
    counted: frozenset[str] = frozenset()
    numbered_places: frozenset[str] = frozenset()
    #: Words between a letter and the word of the spelling alphabet that spells it ("W wie
    #: Wilhelm", "M as in Mary").
    spelled_as: frozenset[str] = frozenset()
    #: Words between a place case and a verb of moving ("घेऊन", taking; "पण", also).
    verb_helpers: frozenset[str] = frozenset()
    #: Endings of surnames of the language's communities ("-וביץ׳", "-סקי", "-שטיין").
    surname_endings: tuple[str, ...] = ()
    #: Particles that open a name with the word after them ("אבו עראר", father of Arar).
    name_particles: frozenset[str] = frozenset()
    #: Verbs after a rare word opening a sentence that make it a person ("X is the one").
    subject_verbs: frozenset[str] = frozenset()
    #: Words after which a name of the site's lists is a person's ("with", "told", "asked").
    person_before: frozenset[str] = frozenset()
    #: German: a place cue with its article before a rare word that make it a place ("in der
    #: Borstei"); not "bei der", "von der" ("bei der Conny": a person).
    place_articles: frozenset[tuple[str, ...]] = frozenset()
    #: German endings of compounds that name a kind of facility ("Therapiezentrum"): with a
    #: name after them, the two are one facility ("Therapiezentrum Burgau").
    kind_compounds: tuple[str, ...] = ()
    #: German contracted articles before an institution's hyphenated name ("am Max-Planck").
    named_facility_links: frozenset[str] = frozenset()
    #: German: "die" before a kinship word or role that is no feminine singular ("die
    #: Lehrer") makes it a plural, after which no name follows.
    plural_articles: frozenset[str] = frozenset()
    feminine_endings: tuple[str, ...] = ()
    #: Words that open a facility's name after its head word ("בית הכנסת אוהל מועד").
    name_openers: frozenset[str] = frozenset()
    #: Stems of verbs and nouns of being admitted, treated or sent somewhere ("aufgenommen",
    #: "אושפזתי", "दाखल"): near them a rare word in a place case names a hospital.
    admission: tuple[str, ...] = ()
    #: Departments and wards of a hospital (stems): after a rare word in a place case they
    #: make it the hospital ("मेयोमध्ये मानसोपचार विभागात"); before it they name none.
    departments: tuple[str, ...] = ()
    #: Words before such a name in a cased script ("im", "ins"; German contracted articles,
    #: which no town and no person takes).
    admission_links: frozenset[str] = frozenset()
    #: Beginnings of verbs in the third person singular (Kiswahili "ali-", "ana-", "yuko";
    #: Luganda "yali", "alina"): a known given name before one is a person's, even opening a
    #: sentence or in lower case ("Rehema sasa ndiye...", "shabani sasa yuko").
    person_verbs: tuple[str, ...] = ()
    #: Adverbs and pronouns that may stand between such a name and its verb ("sasa", now).
    verb_adverbs: frozenset[str] = frozenset()
    #: Hebrew verbs of moving, taking and coming (stems): a town that is also a given name
    #: with "ל" or "מ" glued on after one is the town ("נסעתי לעומר").
    motion_verbs: tuple[str, ...] = ()
    #: Pronouns that take up a name set off by commas before them ("Shobha, she was...").
    resumptive: frozenset[str] = frozenset()
    #: Words of nearness before a place ("ליד", near): a listed town after one is a place.
    near: frozenset[str] = frozenset()
    #: Hebrew: one-word towns of the lexicon without their inner vowel letters
    #: (fgdprep.text.defective): "עספיא" -> "עספא", for "מעוספיא".
    defective_places: frozenset[str] = frozenset()
    #: Hebrew: one-word given names and surnames without their inner vowel letters: a rare
    #: word so spelt is the name written with other vowel letters ("מחמד" for "מוחמד").
    defective_names: frozenset[str] = frozenset()
    #: Street words after which any word names the street ("ברחוב הרצל", "רחוב הגפן").
    street_cues: frozenset[tuple[str, ...]] = frozenset()
    #: Hebrew words that open a place's name ("וואדי", "נווה", "שוק"): with a rare word
    #: after them, the two are a place.
    place_openers: frozenset[str] = frozenset()
    #: Hebrew openers that name nothing but a place ("קריית", town of): any word after one,
    #: however frequent, is the rest of the name ("בקריית אתא", "בקריית אליעזר").
    place_openers_strong: frozenset[str] = frozenset()
    #: Hebrew verbs of living and being born ("גרה", "נולדתי"): a listed given name with "ב"
    #: glued on right after one is a place ("גרה בדליה", in Daliya; "גר ביובל").
    dwell_verbs: frozenset[str] = frozenset()
    #: Endings that say "from a place" and that no person takes ("-हून").
    from_suffixes: tuple[str, ...] = ()
    #: Marathi endings that only a place takes: "near" and "of (a place)" as an adjective
    #: ("-जवळच्या", "-तले"): a rare word so declined is a place ("बजेरियातले लोक").
    place_of_suffixes: tuple[str, ...] = ()
    #: Loose keys (fgdprep.text.loose_latin) of towns GeoNames spells only in Latin letters
    #: ("Kāmthi"), from ``places_<country>_latin.txt``; a rare word in a town case that
    #: romanises to one is suggested as a place ("कामठीहून").
    latin_places: frozenset[str] = frozenset()
    #: Case endings that put a word in a town's case: locative, ablative and the genitive
    #: ("-हून", "-मध्ये", "धंतोलीच्या"), not the dative ("-ला") a person takes more often; a
    #: person's genitive ("रोहनच्या") romanises to no town of the list.
    town_suffixes: frozenset[str] = frozenset()
    #: Hebrew: the word before "בעומר" in the name of a holiday (Lag BaOmer), not the town.
    holiday_before: frozenset[str] = frozenset()
    #: Places only the lists of a country's wards and villages hold (``places_<country>_
    #: local.txt``): tens of thousands, many of them words of the language too ("Kati",
    #: "Katale", "Ssomero"), so they count only capitalised inside a sentence.
    local_places: PhraseIndex[str] | None = None

    def bare(self, key: str) -> str:
        """A word without the case ending of a place (uncased scripts)."""
        if self.cased:
            return key
        for suf in sorted(self.place_suffixes, key=len, reverse=True):
            if key.endswith(suf) and len(key) - len(suf) >= 2:
                return key[: -len(suf)]
        return key

    def place_head_after(self, text: str, key: str, gap: str) -> bool:
        """Whether a word (``text``, its ``key``) right after a name, ``gap`` between, is a
        road or place word that makes the name a place's: "Kampala Road",
        "Kurt-Schumacher-Allee", "लक्ष्मी रोडवर" (with any case ending in uncased scripts)."""
        if gap not in (" ", "-", "\u00a0"):
            return False
        if self.cased:
            heads = self.place_heads | self.street_heads | PLACE_HEADS
            return text[:1].isupper() and key in heads
        return key in self.place_heads or self.bare(key) in self.place_heads


def _keys(items: Any) -> frozenset[str]:
    return frozenset(k for item in items or () for k in phrase_keys(str(item)))


def _one_word(items: Any) -> frozenset[str]:
    return frozenset(keys[0] for keys in map(phrase_keys, items) if len(keys) == 1)


def _phrases(items: Any) -> frozenset[tuple[str, ...]]:
    return frozenset(p for p in (phrase_keys(str(i)) for i in items or ()) if p)


def site_countries(language: str, countries: tuple[str, ...]) -> tuple[str, ...]:
    """The site countries whose institutions the language reads only at a site there
    (``site_institutions`` in its data: English at Ulm reads Germany's "RKU", "Zwiefalten"),
    in the order given, lower case; () for every other site."""
    site = {str(c) for c in (language_data(language) or {}).get("site_institutions") or ()}
    return tuple(dict.fromkeys(c.lower() for c in countries if c.lower() in site))


@functools.cache
def lexicon(language: str, countries: tuple[str, ...] = ()) -> Lexicon | None:
    """The packaged data of a language, None where there is none; with ``countries`` (of
    :func:`site_countries`), also those countries' institutions."""
    shared = language_data(language)
    if shared is None:
        return None
    data = dict(shared)  # the institutions below join its places and facilities
    data["institutions"] = [
        *(data.get("institutions") or ()),
        *(c for c in countries if c not in (data.get("institutions") or ())),
    ]
    data_dir = resources.files("fgdprep").joinpath("data")
    names: PhraseIndex[str] = PhraseIndex(language)
    for key, entity in (("given_names", PERSON), ("surnames", PERSON)):
        for item in data.get(key) or ():
            names.add(str(item), entity)
    _add_places(names, data, language)
    # English spoken at a Kampala or Dar es Salaam site names the same neighbourhoods
    for other in data.get("places_of") or ():
        other_data = language_data(str(other)) or {}
        for key, entity in (("places", LOCATION), ("facilities", FACILITY)):
            for item in other_data.get(key) or ():
                names.add(str(item), entity)
    places = data_dir.joinpath(f"places_{language}.txt")
    if places.is_file():
        for line in _list_lines(places):
            names.add(line, LOCATION)
    # the well-known institutions and landmarks of the countries where the language is spoken
    # at a study site, named without a head word ("im Bethesda", "ससूनला", "at Mengo"); added
    # last, so that a name the lists above give a kind keeps it ("Nsambya", a place)
    for country in data.get("institutions") or ():
        known = yaml.safe_load(
            data_dir.joinpath(f"institutions_{country}.yaml").read_text(encoding="utf-8")
        )
        _add_places(names, known, language)
        for key in ("places", "facilities"):
            data[key] = [*(data.get(key) or ()), *(known.get(key) or ())]
    # given names and surnames from official name statistics (names_<code>.txt), after the
    # places, so that a name that is a town too stays the town it was ("עומר")
    extra_given, extra_surnames = _name_list(data_dir, language)
    listed: set[str] = set()
    for item in sorted(extra_given | extra_surnames):
        keys = phrase_keys(item)
        if not keys or any(k == keys for k, _ in names.entries(keys[0])):
            continue  # listed already, as a name or as a place ("עומר", a town)
        if any(names.knows(p + keys[0]) for p in GLUED_PREFIXES.get(language, ())):
            continue  # "דסה" would read "בהדסה" as "ב" + "ה" + a name, not the hospital
        names.add(item, PERSON)
        listed.add(" ".join(keys))
    local = _local_places(names, data_dir, data.get("local_places") or (), language)
    # a facility's head phrase of three words or more ending in a definite word names one
    # institution by itself ("המרכז לבריאות הנפש", the mental health centre of the town)
    for keys in _phrases(data.get("facility_before")):
        if len(keys) >= 3 and keys[-1].startswith("ה") and not keys[0].startswith("ה"):
            names.add(" ".join(keys), FACILITY)
    if language == "he":
        # the article of a definite name drops after ב/ל/כ: "בעיר העתיקה" (in the Old City,
        # "העיר העתיקה"); the prefix letter is stripped by fgdprep.text, the name kept
        for keys, entity in names.entries():
            noun = keys[0][1:]  # "עיר" of "העיר העתיקה"; not "דסה" of "הדסה הר הצופים"
            if len(keys) > 1 and keys[0][:1] == keys[1][:1] == "ה" and zipf(noun, "he") >= 3:
                names.add(" ".join((noun, *keys[1:])), entity)
        _add_short_forms(names, data)
        # neighbourhoods named by a number: "שכונה שלוש", "שכונה 3"
        for head in data.get("numbered_places") or ():
            for number in (*(data.get("ages") or {}).get("numbers", ()), *map(str, range(1, 21))):
                names.add(f"{head} {number}", LOCATION)
    # a listed facility called by its first word alone ("रुबीमध्ये" for Ruby Hall, "Ruby"),
    # where the rest is a kind of building and the first word is no word of the language
    # kinds of building that end a facility's name besides the head words ("Ruby Hall"), of
    # every language together
    heads = (
        _keys(data.get("facility_after"))
        | _keys(data.get("facility_stems"))
        | every_language("halls")
    )
    for item in data.get("facilities") or ():
        keys = phrase_keys(str(item))
        if (
            len(keys) > 1
            and all(k in heads for k in keys[1:])
            and rough_zipf(keys[0], language) < WEAK_ZIPF
            and zipf(keys[0], "en") < WEAK_ZIPF
        ):
            names.add(keys[0], FACILITY)
    pets = _pet_forms(data, names, language)
    # prefix letters on a first word too short to be stripped ("בתל אביב", "מתל שבע"), or
    # that, so glued, reads as another name ("בסמי שמעון" is no "בסמה", a village)
    for prefix in GLUED_PREFIXES.get(language, ()):
        for keys, entity in names.entries():
            if len(keys) > 1 and (
                len(keys[0]) < MIN_STEM
                or (
                    len(keys[0]) == MIN_STEM
                    and (names.resolve(prefix + keys[0]) or (keys[0],))[0] != keys[0]
                )
            ):
                names.add(" ".join((prefix + keys[0], *keys[1:])), entity)
    kin = _phrases(data.get("kin"))
    if language in GLUED_PREFIXES:
        # the article on a role or kinship word: "המפקד שלי", "הגיסה", "המורה"; on the second
        # noun of a two-word one, the construct state: "בן הדוד", "בת הזוג"
        kin |= {("ה" + keys[0], *keys[1:]) for keys in kin if not keys[0].startswith("ה")}
        kin |= {
            (keys[0], "ה" + keys[1])
            for keys in kin
            if len(keys) == 2 and not keys[0].startswith("ה") and not keys[1].startswith("ה")
        }
    # a kinship word or role with a prefix letter glued on: "לאחותי", "והיועץ", "שבעלי"
    kin |= {
        (prefix + keys[0], *keys[1:])
        for keys in kin
        for prefix in KIN_PREFIXES.get(language, ())
        if not keys[0].startswith(prefix) and zipf(prefix + keys[0], language) < KIN_WORD_ZIPF
    }
    facility_before = _phrases(data.get("facility_before"))
    if language in GLUED_PREFIXES:
        # a facility's head word with the article on its second word and a prefix letter on
        # its first: "בית הכנסת", "לבית הכנסת", "ובבי״ח", "מהמרכז הרפואי" from "בית כנסת"
        facility_before |= {
            (keys[0], "ה" + keys[1])
            for keys in facility_before
            if len(keys) == 2 and not keys[1].startswith("ה")
        }
        facility_before |= {
            (prefix + keys[0], *keys[1:])
            for keys in facility_before
            for prefix in (*KIN_PREFIXES.get(language, ()), "מה", "וה", "שה")
        }
    return Lexicon(
        language=language,
        cased=bool(data.get("cased", True)),
        kin=frozenset(kin),
        between=_keys(data.get("between")),
        stop=_keys(data.get("stop")),
        place_cues=_phrases(data.get("place_cues")),
        place_cue_after=language == "mr",
        not_after_place_cue=_keys(data.get("not_after_place_cue")),
        facility_after=_keys(data.get("facility_after")),
        facility_before=frozenset(facility_before),
        facility_link=_keys(data.get("facility_link")),
        not_names=_keys(data.get("not_names")),
        after_name=tuple(
            sorted((norm(str(w)) for w in data.get("after_name") or ()), key=len, reverse=True)
        ),
        names=names,
        rare_zipf=float(data.get("rare_zipf", 0.0)),
        shape=bool(data.get("shape", True)),
        place_after_name=_keys(data.get("place_after_name")),
        facility_compounds=tuple(norm(str(x)) for x in data.get("facility_compounds") or ()),
        noun_endings=tuple(norm(str(x)) for x in data.get("noun_endings") or ()),
        place_verb_stems=tuple(norm(str(x)) for x in data.get("place_verb_stems") or ()),
        facility_stems=tuple(norm(str(x)) for x in data.get("facility_stems") or ()),
        weak_kin=_keys(data.get("weak_kin")),
        place_prefixes=_keys(data.get("place_prefixes")),
        place_suffixes=frozenset(norm(str(x)) for x in data.get("place_suffixes") or ()),
        place_endings=tuple(norm(str(x)) for x in data.get("place_endings") or ()),
        place_heads=_keys(data.get("place_heads")),
        facility_qualifiers=_keys(data.get("facility_qualifiers")),
        strip_known_only=tuple(norm(str(x)) for x in data.get("strip_known_only") or ()),
        verb_endings=tuple(norm(str(x)) for x in data.get("verb_endings") or ()),
        conjunctions=_keys(data.get("conjunctions")),
        nouns_capitalised=bool(data.get("nouns_capitalised", False)),
        street_endings=tuple(norm(str(x)) for x in data.get("street_endings") or ()),
        street_heads=_keys(data.get("street_heads")),
        street_endings_rare=tuple(norm(str(x)) for x in data.get("street_endings_rare") or ()),
        listed=frozenset(listed),
        listed_zipf=float(data.get("listed_zipf", LISTED_ZIPF)),
        # of the statistics, one-word names only: "עבד" (worked) is no surname for being the
        # first word of "עבד אלקאדר"
        given=_keys(data.get("given_names")) | pets | _one_word(extra_given),
        surnames=_keys(data.get("surnames")) | _one_word(extra_surnames - extra_given),
        clitics=tuple(norm(str(x)) for x in data.get("clitics") or ()),
        name_after=_phrases(data.get("name_after")),
        acronym_cues=_phrases(data.get("acronym_cues")),
        admission=tuple(norm(str(x)) for x in data.get("admission") or ()),
        departments=tuple(norm(str(x)) for x in data.get("departments") or ()),
        admission_links=_keys(data.get("admission_links")),
        person_verbs=tuple(norm(str(x)) for x in data.get("person_verbs") or ()),
        verb_adverbs=_keys(data.get("verb_adverbs")),
        motion_verbs=tuple(norm(str(x)) for x in data.get("motion_verbs") or ()),
        resumptive=_keys(data.get("resumptive")),
        near=_keys(data.get("near")),
        defective_places=_defective_keys(names, LOCATION, language),
        defective_names=_defective_keys(names, PERSON, language),
        street_cues=_phrases(data.get("street_cues")),
        from_suffixes=tuple(norm(str(x)) for x in data.get("from_suffixes") or ()),
        place_of_suffixes=tuple(
            sorted((norm(str(x)) for x in data.get("place_of_suffixes") or ()), key=len)[::-1]
        ),
        place_openers=_keys(data.get("place_openers")) | _keys(data.get("place_openers_strong")),
        place_openers_strong=_keys(data.get("place_openers_strong")),
        dwell_verbs=_keys(data.get("dwell_verbs")),
        latin_places=_latin_places(data_dir, data.get("latin_places") or ()),
        town_suffixes=frozenset(norm(str(x)) for x in data.get("town_suffixes") or ()),
        holiday_before=_keys(data.get("holiday_before")),
        local_places=local,
        place_names=frozenset(
            keys[0]
            for keys in map(
                phrase_keys, (*(data.get("places") or ()), *(data.get("facilities") or ()))
            )
            if len(keys) == 1
        ),
        companions=_keys(data.get("companions")),
        object_markers=_keys(data.get("object_markers")),
        generic=_generic(names, language),
        diminutives=tuple(norm(str(x)) for x in data.get("diminutives") or ()),
        word_names=_keys(data.get("word_names")),
        counted=_keys((data.get("ages") or {}).get("not_after")) | _keys(data.get("counted")),
        numbered_places=_keys(data.get("numbered_places")),
        name_openers=_keys(data.get("name_openers")),
        spelled_as=_keys(data.get("spelled_as")),
        verb_helpers=_keys(data.get("verb_helpers")),
        surname_endings=tuple(norm(str(x)) for x in data.get("surname_endings") or ()),
        name_particles=_keys(data.get("name_particles")),
        subject_verbs=_keys(data.get("subject_verbs")),
        person_before=_keys(data.get("person_before")),
        place_articles=_phrases(data.get("place_articles")),
        named_facility_links=_keys(data.get("named_facility_links")),
        kind_compounds=tuple(norm(str(x)) for x in data.get("kind_compounds") or ()),
        plural_articles=_keys(data.get("plural_articles")),
        feminine_endings=tuple(norm(str(x)) for x in data.get("feminine_endings") or ()),
    )


#: A site name this frequent as an English word ("grace", "innocent", "rose", "john") is left
#: to NER and the roster: lower case, it is mostly the word.
SITE_NAME_ZIPF = 4.0


@functools.cache
def site_names(language: str, countries: tuple[str, ...]) -> frozenset[str]:
    """The one-word given names and surnames of the languages spoken in the site's countries
    (``site_names`` in the language's data: English at a Ugandan site reads Luganda's lists,
    at a Tanzanian one Kiswahili's), less words of English and of those languages ("mukisa",
    blessing; "grace"); none where the site's country is not named."""
    data = language_data(language) or {}
    by_country = data.get("site_names") or {}
    out: set[str] = set()
    for country in countries:
        for other in by_country.get(country.lower()) or ():
            other_data = language_data(str(other)) or {}
            words = _keys(other_data.get("word_names")) | _keys(other_data.get("not_names"))
            for key in ("given_names", "surnames"):
                for keys in map(phrase_keys, map(str, other_data.get(key) or ())):
                    if (
                        len(keys) == 1
                        and keys[0] not in words
                        and keys[0] not in WORD_NAMES
                        and zipf(keys[0], "en") < SITE_NAME_ZIPF
                    ):
                        out.add(keys[0])
    lex = lexicon(language)
    if lex is not None:
        out -= lex.not_names | lex.stop | lex.between | {k[0] for k in lex.kin}
        out -= {k for k in out if any(p == (k,) and e != PERSON for p, e in lex.names.entries(k))}
    return frozenset(out)


def _list_lines(source: Any) -> list[str]:
    """The entries of a packaged word list (``places_*.txt``, ``names_*.txt``): its lines,
    less empty ones and the ``#`` comments of its header (source, licence, build script)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _name_list(data_dir: Any, language: str) -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames of ``names_<code>.txt`` (built from official name statistics
    by scripts/build_name_lexicons.py; source and licence in its header), as written."""
    source = data_dir.joinpath(f"names_{language}.txt")
    given: set[str] = set()
    surnames: set[str] = set()
    if source.is_file():
        for line in _list_lines(source):
            name, _, kind = line.partition("\t")
            if name:
                (given if kind == "given" else surnames).add(name)
    return frozenset(given), frozenset(surnames)


#: A Hebrew town this short without its vowel letters is matched only as written.
DEFECTIVE_MIN = 4


def _defective_keys(names: PhraseIndex[str], entity: str, language: str) -> frozenset[str]:
    """Hebrew: the one-word names of ``entity`` in the index without their inner vowel
    letters (fgdprep.text.defective), of DEFECTIVE_MIN letters or more; none elsewhere."""
    if language != "he":
        return frozenset()
    keys = (defective(k[0]) for k, e in names.entries() if len(k) == 1 and e == entity)
    return frozenset(k for k in keys if len(k) >= DEFECTIVE_MIN)


#: A romanised town key this short matches too many words ("pune" -> "pun").
LATIN_KEY_MIN = 4


def _latin_places(data_dir: Any, countries: Any) -> frozenset[str]:
    """Loose keys of the towns each country's Latin list holds (comments aside)."""
    out: set[str] = set()
    for country in countries:
        for line in _list_lines(data_dir.joinpath(f"places_{country}_latin.txt")):
            key = loose_latin(line)
            if len(key) >= LATIN_KEY_MIN:
                out.add(key)
    return frozenset(out)


def _local_places(
    names: PhraseIndex[str], data_dir: Any, countries: Any, language: str
) -> PhraseIndex[str] | None:
    """The wards and villages of each country's local list (comments aside) that no other
    list names, as places (a village named like a person the lexicon knows stays a person);
    None where the language reads no such list."""
    if not countries:
        return None
    local: PhraseIndex[str] = PhraseIndex(language)
    for country in countries:
        for line in _list_lines(data_dir.joinpath(f"places_{country}_local.txt")):
            keys = phrase_keys(line)
            if keys and not any(k == keys for k, _ in names.entries(keys[0])):
                local.add(line, LOCATION)
    return local


#: A short form of a town (``short_form_heads`` in the language's data: "מטבעון" for "קריית
#: טבעון") counts only where the rest is rarer than this as a word ("כפר סבא" is no "סבא",
#: grandpa; "קריית שמונה" no "שמונה", eight).
SHORT_FORM_ZIPF = 3.5


def _add_short_forms(names: PhraseIndex[str], data: dict[str, Any]) -> None:
    """Index the short form of each listed two-word town opened by a head word that speech
    drops, where the rest is a rare word of three letters or more, no plural noun ("כפר
    ורדים": roses), no word with the article, nobody's name and not listed on its own."""
    people = _keys(data.get("given_names")) | _keys(data.get("surnames"))
    heads = _keys(data.get("short_form_heads"))
    for keys, entity in names.entries():
        if entity != LOCATION or len(keys) != 2 or keys[0] not in heads:
            continue
        rest = keys[1]
        if (
            len(rest) >= MIN_STEM
            and not rest.startswith("ה")
            and not rest.endswith(("ים", "ות"))
            and rest not in people
            and not names.entries(rest)
            and zipf(rest, "he") < SHORT_FORM_ZIPF
        ):
            names.add(rest, LOCATION)


VOWELS = frozenset("aeiouyäöü")
#: Pet forms are made of a given name's first letters, this many, and a diminutive ending.
PET_STEMS = (3, 4)


def _pet_forms(data: dict[str, Any], names: PhraseIndex[str], language: str) -> frozenset[str]:
    """Where the language's data asks for them, pet forms of its given names, indexed as
    persons: the first three or four letters, the last one maybe doubled, and a diminutive
    ending ("Gabi" of Gabriele, "Moni" of Monika, "Steffi" of Stefanie); not a word of the
    language ("Wolle") nor anything the lexicon already has."""
    if not data.get("pet_forms"):
        return frozenset()
    endings = [norm(str(x)) for x in data.get("diminutives") or ()]
    out: set[str] = set()
    for key in _keys(data.get("given_names")):
        if len(key) < 5:
            continue
        for n in PET_STEMS:
            stem = key[:n]
            if stem[-1] in VOWELS:
                continue  # "Mon-i", "Gab-i": the ending after a consonant
            doubled = stem + stem[-1] if stem[-1] != stem[-2] else stem  # "Steff-i", "Ann-i"
            for form in {stem + e for e in endings} | {doubled + e for e in endings}:
                if (
                    not names.knows(form)
                    and zipf(form, language) < NOUN_ZIPF
                    and zipf(form, "en") < WEAK_ZIPF  # "Berry", "Army": English words
                ):
                    out.add(form)
    for form in out:
        names.add(form, PERSON)
    return frozenset(out)


def _add_places(names: PhraseIndex[str], data: dict[str, Any], language: str) -> None:
    """The ``places`` and ``facilities`` of a data file into the index; in Hebrew, which is
    written with or without the vowel letters ו and י ("סרוקה" for "סורוקה"), in their
    defective spellings too."""
    for key, entity in (("places", LOCATION), ("facilities", FACILITY)):
        for item in data.get(key) or ():
            names.add(str(item), entity)
    if language == "he":
        for key, entity in (("places", LOCATION), ("facilities", FACILITY)):
            for item in data.get(key) or ():
                for variant in _defective(str(item)):
                    if zipf(variant, language) < COMMON_ZIPF:
                        names.add(variant, entity)


def _defective(name: str) -> set[str]:
    """Hebrew spellings of a name without a vowel letter ו or י inside a word of four letters
    or more ("סורוקה" -> "סרוקה"; "איכילוב" -> "איכלוב"): one letter dropped at a time."""
    out: set[str] = set()
    words = name.split()
    for n, word in enumerate(words):
        if len(word) < 4:
            continue
        for k in range(1, len(word) - 1):
            if word[k] in "וי" and word[k - 1] not in "וי" and word[k + 1] not in "וי":
                out.add(" ".join((*words[:n], word[:k] + word[k + 1 :], *words[n + 1 :])))
    return out


def _generic(names: PhraseIndex[str], language: str) -> frozenset[str]:
    """Frequent words that end two or more of the lexicon's names and never start one ("शहर"
    of "पुणे शहर", "Road" of "Kampala Road"): a kind of place, no name when alone."""
    phrases = [keys for keys, _ in names.entries()]
    alone = {keys[0] for keys in phrases}
    ends = collections.Counter(keys[-1] for keys in phrases if len(keys) > 1)
    return frozenset(
        k
        for k, n in ends.items()
        if n >= 2 and k not in alone and rough_zipf(k, language) >= COMMON_ZIPF
    )


@functools.cache
def zipf(word: str, language: str) -> float:
    code = WORDFREQ.get(language)
    if code is None:
        return 0.0
    import wordfreq

    return float(wordfreq.zipf_frequency(word, code))


def rough_zipf(word: str, language: str) -> float:
    """:func:`zipf` in the language's own list, else the nearest one (Marathi: Hindi), for
    rough commonness only."""
    return zipf(word, WORDFREQ_NEAREST.get(language, language))


@dataclass
class _Word:
    start: int
    end: int
    text: str
    key: str
    glued: bool = False  # the part after an elided particle ("w'Olivia")


def _words(text: str) -> list[_Word]:
    """Tokens, with Luganda/Kiswahili elided particles split off: "w'Olivia" -> "w'", "Olivia"."""
    out: list[_Word] = []
    for t in tokens(text):
        cut = max(t.text.rfind("'"), t.text.rfind("’"))
        if 0 < cut < len(t.text) - 1 and t.text[cut + 1].isupper():
            head = t.text[: cut + 1]
            out.append(_Word(t.start, t.start + cut + 1, head, norm(head)))
            rest = t.text[cut + 1 :]
            out.append(_Word(t.start + cut + 1, t.end, rest, norm(rest), glued=True))
        else:
            out.append(_Word(t.start, t.end, t.text, t.key))
    return out


def _ends_with(words: list[_Word], i: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    """Whether the words before index ``i`` end with one of ``phrases``."""
    for n in (1, 2, 3):
        if i - n < 0:
            break
        if tuple(w.key for w in words[i - n : i]) in phrases:
            return True
    return False


def _starts_with(words: list[_Word], i: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    """Whether the words from index ``i`` on start with one of ``phrases``."""
    return any(
        tuple(w.key for w in words[i : i + n]) in phrases
        for n in (1, 2, 3, 4)
        if i + n <= len(words)
    )


class CandidateRecognizer(EntityRecognizer):
    """Suggestions of persons, places and facilities from cues, shape and lexicons."""

    def __init__(
        self, language: str, lex: Lexicon, site_names: frozenset[str] = frozenset()
    ) -> None:
        self.lex = lex
        #: names of the site country's languages, found in a person slot only (site_names)
        self.site_names = site_names
        self._gaps: dict[int, str] = {}  # what stands between word i-1 and word i
        self._local: set[int] = set()  # where a match of the local lists starts
        super().__init__(
            supported_entities=list(FROM_CANDIDATE),
            name=NAME,
            supported_language=language,
        )

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> CandidateRecognizer | None:
        lex = lexicon(ctx.language, site_countries(ctx.language, ctx.countries))
        if lex is None:
            return None
        return cls(ctx.language, lex, site_names(ctx.language, ctx.countries))

    def load(self) -> None:
        pass

    # -- word tests ----------------------------------------------------------------------

    def _compound_noun(self, key: str) -> bool:
        """German: a compound of two words of the language ("Betreuungsverein",
        "Beratungsstelle"), a noun however rare the whole; names of people rarely split so
        ("Baumgärtner": "baum" is too short a head to count)."""
        if not self.lex.nouns_capitalised:
            return False
        for cut in range(COMPOUND_PART, len(key) - COMPOUND_PART + 1):
            head, tail = key[:cut], key[cut:]
            if all(  # the tail, or its singular: "formulare" -> "formular"
                zipf(t, self.lex.language) < COMPOUND_TAIL_ZIPF
                for t in (tail, *(tail[: -len(e)] for e in PLURAL_ENDINGS if tail.endswith(e)))
            ):
                continue
            for part in (head, head[:-1] if head.endswith("s") else ""):
                if len(part) >= COMPOUND_PART and zipf(part, self.lex.language) >= WEAK_ZIPF:
                    return True
        return False

    def _common(self, key: str) -> bool:
        if key in self.lex.not_names:
            return True
        if (
            self.lex.feminine_endings
            and key.endswith("in")
            and len(key) >= FEMININE_BASE + 2
            and not self.lex.names.knows(key)
            and zipf(key[:-2], self.lex.language) >= self.lex.rare_zipf
        ):
            return True  # "Hausmeisterin", "Nachbarin": a role, its masculine a word
        if key.endswith(self.lex.noun_endings) and not self.lex.names.knows(key):
            return True
        return bool(self.lex.rare_zipf) and zipf(key, self.lex.language) >= self.lex.rare_zipf

    def _name_shaped(self, w: _Word, lower_text: bool) -> bool:
        """A word that may be a name: capitalised in a cased script (any word in text that is
        lowercase throughout, as ASR writes it), not a stop word or kin word, not a drug."""
        if len(w.key) < 2 or not w.text[:1].isalpha() or w.key in self.lex.stop:
            return False
        if any(w.key.endswith(c) and w.key[: -len(c)] in self.lex.stop for c in self.lex.clitics):
            return False  # "त्यांनाही", "तेव्हाच": a stop word with a clitic glued on
        if any(
            r in self.lex.not_names
            or r in self.lex.stop
            or (r,) in self.lex.facility_before
            or (r,) in self.lex.place_cues
            or r.startswith(self.lex.facility_stems or ("\0",))
            for r in self._unprefixed(w.key)
        ):
            return False  # "לדרום" (to the south), "כשאני", "למרפאה", "בשכונה" (in the area)
        if not self.lex.cased and w.key in self.lex.place_suffixes:
            return False  # "Baner ला राहतो": a case ending written apart
        if not self.lex.cased and self.lex.after_name and self._facility_head(w.key):
            return False  # "शाळेतल्या बाई": the school's teacher, no one named "शाळा"
        if not self.lex.cased and ("״" in w.text or '"' in w.text):
            return False  # "קצינת הת״ש", "מד״א": an acronym, no one's name
        if w.key in self.lex.between or (w.key,) in self.lex.kin or w.key in self.lex.not_names:
            return False
        if w.key in self.lex.facility_after or (w.key,) in self.lex.facility_before:
            return False  # "Hospitali", "Krankenhaus": the head word, not the name
        if (w.key,) in self.lex.place_cues or w.key in self.lex.facility_qualifiers:
            return False  # "בשכונת", "गावात", "व्यसनमुक्ती": cue words, not names
        if self.lex.cased:
            if w.key.endswith(DRUG_ENDINGS) or (len(w.text) > 1 and w.text.isupper()):
                return False  # drug names and acronyms ("FGD", "NHIF")
            if _camel(w.text):
                return False  # degrees and product words: "MSc", "PhD", "AppStream"
            if w.text.endswith("s") and (
                (len(w.text) > 2 and w.text[:-1].isupper()) or w.key[:-1] in self.lex.not_names
            ):
                return False  # plurals of initials and of non-names: "ARVs", "Thursdays"
            return w.text[:1].isupper() or lower_text
        return True

    def _lexicon_matches(
        self, text: str, words: list[_Word], by_start: dict[int, int], lower_text: bool
    ) -> list[Match[str]]:
        """The lexicon's names in the text, and where no name of it is, the wards and villages
        of the local lists: capitalised inside a sentence ("natokea Buhongwa", "ow'e
        Kasensero"), not a word that starts one ("Kati ali Lukaya"), one in lower case ("mu
        ddwaliro") or in capitals, nor one after a capitalised word ("Ramadhani Kitwana")."""
        toks = self._unclitic(words)
        found = self.lex.names.find(text, toks)
        self._local = set()
        if self.lex.local_places is None:
            return found
        taken = [(m.start, m.end) for m in found]
        for m in self.lex.local_places.find(text, toks):
            i = by_start.get(m.start, -1)
            if (
                i >= 0
                and not lower_text
                and words[i].text[:1].isupper()
                and not words[i].text.isupper()  # "KIGAMBO", "TASO": a heading or initials
                and not self._sentence_initial(text, words[i])
                # "Ramadhani Kitwana": a village's name after a name is a surname
                and not (i > 0 and words[i - 1].text[:1].isupper() and self._gaps[i] == " ")
                and not any(s < m.end and m.start < e for s, e in taken)
            ):
                found.append(m)
                self._local.add(m.start)
        return sorted(found, key=lambda m: m.start)

    def _sentence_initial(self, text: str, w: _Word) -> bool:
        before = text[: w.start].rstrip(" \"'“„«(–-")
        return not before or before[-1] in ".?!:;…"

    def _stem(self, w: _Word) -> tuple[int, int]:
        """Character span of a name inside a word of an uncased script: prefix letters and case
        endings, honorifics glued on, left outside."""
        start, end = w.start, w.end
        if self.lex.language == "he":
            hit = self.lex.names.resolve(w.key)
            if hit is not None:
                return start + hit[3], end - hit[4]
            return start + self._defective_place(w.key), end
        cut = self._clitic_cut(w.key)  # "नाशिकमध्येच": a clitic after the case ending
        if cut:
            w = _Word(w.start, w.end - cut, w.text[:-cut], w.key[:-cut])
            end = w.end
        hit = self.lex.names.resolve(w.key)
        if hit is not None and hit[1] == "inflected":
            return start + hit[3], end - hit[4]  # "ठाण्यात": an oblique stem of ठाणे
        if self._bare(w.key) in self.lex.place_heads:
            return start, start + len(self._bare(w.key))  # "रोडवर": the head, not "वर"
        key = w.key
        for _ in range(2):
            for suf in (*self.lex.after_name, *SUFFIXES.get(self.lex.language, ())):
                if (
                    suf in self.lex.strip_known_only
                    and not self.lex.names.knows(key[: -len(suf)])
                    and not self._latin_town(key[: -len(suf)])
                ):
                    continue  # "संजीवनी", "अमित": the ending is part of an unknown name
                if key.endswith(suf) and len(key) - len(suf) >= 2:
                    key = key[: -len(suf)]
                    end -= len(suf)
                    break
            if self.lex.names.knows(key):
                break
        # the plural of respect stays with the name ("गोखल्यांनी": "गोखल्यां"), the case ending
        # after it outside
        tail = w.text[end - w.start :]
        for respect in RESPECT_MARKS:
            if tail.startswith(respect) and len(tail) > len(respect):
                end += len(respect)
                break
        return start, end

    # -- analysis ------------------------------------------------------------------------

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        words = _words(text)
        if not words:
            return []
        self._gaps = {i: text[words[i - 1].end : w.start] for i, w in enumerate(words) if i}
        lower_text = self.lex.cased and not any(c.isupper() for c in text)
        found: dict[int, tuple[str, float, str]] = {}  # word index -> (entity, score, how)
        common_names: dict[int, tuple[int, int]] = {}  # known names that are frequent words
        spans: list[tuple[int, int, str, float, str]] = []

        # lexicon names, places and facilities (prefixes and endings tolerated)
        by_start = {w.start: i for i, w in enumerate(words)}
        # "W wie Wilhelm": a word of the spelling alphabet after a letter names nobody
        spelled = {
            i
            for i in range(2, len(words))
            if words[i - 1].key in self.lex.spelled_as and len(words[i - 2].key) == 1
        }
        opened = self._opened_places(words)  # "בוואדי ניסנאס": no word of it on its own
        spelled |= {k for i, _ in opened for k in (i, i + 1)}
        spans.extend(span for _, span in opened)
        for m in self._lexicon_matches(text, words, by_start, lower_text):
            i = by_start.get(_word_start(words, m.start), -1)
            if i < 0 or i in spelled:
                continue
            w = words[i]
            if (
                self.lex.cased
                and not (w.text[:1].isupper() or lower_text)
                and not (m.payload != PERSON and self._after_place_cue(words, i))
                and not (m.payload == PERSON and self._verb_follows(words, i))
            ):
                continue  # lower case only after a place cue: "ku nsambya", "in kawempe"
            surface = norm(text[m.start : m.end])
            if surface in self.lex.not_names or (surface,) in self.lex.kin:
                continue  # "सून" (daughter-in-law) is a kinship word before it is a town
            if (
                m.start > w.start
                and (w.key,) in self.lex.kin
                and not GLUED_PREFIXES.get(self.lex.language)
            ):
                continue  # the kinship word of a language with prefixes is tried below
            if self._street_word(words, i, m):
                continue  # "בשדרות רגר": Rager Avenue, not the town Sderot
            if self._counts_after(words, i, m.end):
                continue  # "בשכונה שלוש משפחות": three families in the neighbourhood
            if m.payload == PERSON and self._article_inside(words, i, m.end):
                continue  # "בן הדוד" (the cousin) is no "בן דוד": no article inside a name
            common = " " not in surface and zipf(surface, self.lex.language) >= COMMON_ZIPF
            if " " in surface and surface.replace(" ", "") in self.lex.listed:
                continue  # "של הבת" (of the daughter) read as one word is no "שלהבת"
            if m.payload == PERSON and surface in self.lex.listed:
                if m.end < w.end and self.lex.language in GLUED_PREFIXES:
                    continue  # "ולידי" (and beside me) is no "וליד" with an ending
                if (m.start > w.start or m.end < w.end) and (
                    zipf(w.key, self.lex.language) >= WEAK_ZIPF
                    or (self.lex.cased and zipf(w.key, "en") >= WEAK_ZIPF)
                ):
                    continue  # "שתיתי" (I drank) is no "ש" + "תיתי"; "Peers" no Peer's
                # a name known only from the statistics that is also a word ("רעד", a
                # tremor; "Peers") needs a cue, as a frequent one does
                common = common or zipf(surface, self.lex.language) >= self.lex.listed_zipf
            glued = norm(text[w.start : m.start]) if m.start > w.start else ""
            located = False  # a name that is also a town, with "in" glued on: "בעומר"
            if glued and self.lex.language in GLUED_PREFIXES and " " not in surface:
                town = surface in self.lex.place_names
                if m.payload == PERSON and "ה" in glued and not town:
                    continue  # "העביר" (he moved) is no "the Abir": no article on a name
                if not (town and glued.endswith("מ")):  # "ממאיר" (malignant), no "from Meir"
                    # a prefix letter on a name: how frequent the whole word is says whether
                    # it is one ("בגיל", at the age) or a name ("לרבקה", "כשמאיר", "ואבי")
                    common = zipf(w.key, self.lex.language) >= COMMON_ZIPF
                # "בעומר יש מרפאה" (in Omer), "למרפאה בחורה" (to the clinic in Hura, though
                # "בחורה" is a girl after anything else); not "ל״ג בעומר", a holiday
                prior = {words[i - 1].key, *self._unprefixed(words[i - 1].key)} if i else set()
                if prior & self.lex.holiday_before:
                    continue
                # "גרה בדליה", "גר ביובל": where one lives, though a listed given name too
                dwelt = (
                    m.payload == PERSON
                    and glued in self.lex.place_prefixes
                    and glued.endswith("ב")
                    and i > 0
                    and words[i - 1].key in self.lex.dwell_verbs
                    and self._gaps.get(i) == " "
                )
                located = dwelt or (
                    town
                    and (
                        (glued.endswith("ב") and (not common or self._facility_word(words, i - 1)))
                        # "לקחה את הילדים לעומר": to Omer the town after a verb of moving
                        or (
                            m.payload != FACILITY
                            and glued.endswith(("ל", "מ"))
                            and self._moved(words, i)
                        )
                    )
                )
                if located:
                    common = False
                elif (w.key,) in self.lex.kin:
                    continue  # "בעלי" (my husband) is no "עלי" after a prefix letter
            # a place in a locative case ("מאשדוד", "सोलापूरहून") is a place, however frequent
            place_case = (
                located
                or (
                    m.payload != PERSON
                    and (
                        self._place_case(text, words, m.start, m.end)
                        or (  # "בתל שבע", "מתל אביב": listed with the letter on a short first word
                            " " in surface
                            and len(w.key) <= MIN_STEM
                            and w.key[:1] in self.lex.place_prefixes
                            and m.start == w.start
                        )
                        or (
                            m.payload == FACILITY and _ends_with(words, i, self.lex.facility_before)
                        )
                        or (  # "ליד עכו": near a listed town, however frequent its name
                            m.start == w.start
                            and i > 0
                            and words[i - 1].key in self.lex.near
                            and self._gaps.get(i) == " "
                        )
                    )
                )
            )
            # German capitalises nouns: a surname that is a noun ("Sommer") needs a cue
            noun = (
                self.lex.nouns_capitalised and m.payload == PERSON and surface not in self.lex.given
            )
            if (
                (common or surface in WORD_NAMES or surface in self.lex.word_names)
                and not place_case
                and not self._named(text, words, i, noun)
            ):
                if m.payload == PERSON and (not self.lex.cased or self.lex.nouns_capitalised):
                    common_names[i] = (m.start, m.end)
                continue
            entity, how = (LOCATION if located else m.payload), "lexicon"
            if m.start in self._local and self._place_or_person(words, i) == FACILITY:
                entity, how = FACILITY, "cue"  # "shule ya msingi Mapambano": the school
            if (
                i > 0
                and m.start == w.start
                and not place_case
                and (self._after_kin(words, i) or words[i - 1].key in self.lex.companions)
                and not (m.payload != PERSON and words[i - 1].key in self.lex.place_after_name)
            ):
                # "Dr. Kasozi", though Kasozi is also a town; but "Daktari wa Amana" is a
                # doctor of the hospital
                entity, how = PERSON, "cue"
            last = next((k for k in range(i, len(words)) if words[k].end >= m.end), i)
            if (
                entity == PERSON
                and last + 1 < len(words)
                and self._head_next(words, last)
                and not self._owner(words[last])
            ):
                entity, how = FACILITY, "cue"  # "Joshi Hospital", "בספיר, המכללה בשדרות"
            if (
                entity == LOCATION
                and not self.lex.cased
                and self.lex.language not in GLUED_PREFIXES
                and m.end >= words[last].end  # "पुण्यात हॉस्पिटल": in Pune, a hospital
                and last + 1 < len(words)
                and self._head_next(words, last)
            ):
                entity, how = FACILITY, "cue"  # "शिरूर ग्रामीण रुग्णालय": the town's hospital
            if entity == PERSON and last + 1 < len(words) and self._place_head(words[last + 1]):
                entity, how = LOCATION, "cue"  # "लक्ष्मी रोडवर": a road named after someone
            if (
                entity == LOCATION
                and last + 1 < len(words)
                and self._place_head_after(words, last + 1)
            ):
                # "Kampala Road", "लक्ष्मी रोडवर": the place head word is part of the name
                head = words[last + 1]
                end_head = head.end if self.lex.cased else head.start + len(self._bare(head.key))
                m = dataclasses.replace(m, end=end_head)
            thing = self._named_thing(words, i) if m.start == w.start else None
            if thing is not None:
                entity, how = thing, "cue"  # "zahanati inaitwa Tumaini": the clinic's name
            score = LEXICON_SCORE if entity == PERSON else CUE_SCORE
            spans.append((m.start, m.end, entity, score, how))
            for j, x in enumerate(words):
                if x.start < m.end and m.start < x.end:  # "ושושנה": the name after a prefix
                    found[j] = (entity, score, how)

        for i, w in enumerate(words):
            if i not in found and self._given_after_kin(words, i):
                found[i] = (PERSON, CUE_SCORE, "cue")  # "Mjomba wangu Ramadhani"
            if (i not in found or found[i][2] == "shape") and self._site_name(text, words, i):
                found[i] = (PERSON, CUE_SCORE, "cue")  # "i went with nakato", "rukundo said"
            if i in found or i in spelled or not self._name_shaped(w, lower_text):
                continue
            if self._verb_shaped(w):
                continue
            if _starts_with(words, i, self.lex.facility_before):
                continue  # "בית" of "בית הספר": a facility's head word, not a name
            cue = self._cued(words, i)
            if cue is None and self._defective_name(w):
                found[i] = (PERSON, LEXICON_SCORE, "lexicon")  # "מחמד" for "מוחמד"
                continue
            named_kind = cue is None and self._generic_before_name(words, i)
            if cue is None and (self._compound_facility(w) or named_kind):
                found[i] = (FACILITY, CUE_SCORE, "cue")
                if named_kind:
                    found[i + 1] = (FACILITY, CUE_SCORE, "cue")  # "Seniorenheim Sonnenhof"
                continue
            street = self._street(text, words, i)
            if cue is None and street:
                for k in range(i, i + street):
                    found[k] = (LOCATION, CUE_SCORE, "cue")
                continue
            if cue is None and self._subject_of(text, words, i):
                found[i] = (PERSON, SHAPE_SCORE, "shape")  # "Kayondo is the one who paid"
                continue
            if cue is None and self.lex.shape and self.lex.cased and not lower_text:
                if (
                    self._sentence_initial(text, w)
                    or self._common(w.key)
                    or self._compound_noun(w.key)
                    or (self.lex.facility_compounds and GENERIC_COMPOUND.match(w.text))
                ):
                    continue  # "Hauptkirche", "Tagesklinik": a kind of place, no name
                found[i] = (self._place_or_person(words, i) or PERSON, SHAPE_SCORE, "shape")
                continue
            if cue is None and self.lex.after_name:
                cue = self._honorific(words, i)
            if cue is not None:
                if (
                    self.lex.cased
                    and self._common(w.key)
                    and not w.text[:1].isupper()
                    and not (  # "bei der sabrina, meiner schwester": a name, though frequent
                        self._kin_after(words, i)
                        and zipf(w.key, self.lex.language) < NOUN_ZIPF
                        and w.key not in self.lex.not_names
                    )
                ):
                    continue
                if cue == LOCATION and self._noun_after_preposition(w.key):
                    continue  # "aus Angst", "im Kurs": a German noun after a preposition
                if (
                    cue in (FACILITY, LOCATION)
                    and w.key.startswith("ה")
                    and self.lex.language in GLUED_PREFIXES
                    and self._prefixed_word(w)
                    and not _ends_with(words, i, self.lex.street_cues)  # "ברחוב הרצל"
                ):
                    continue  # "בית החולים הפסיכיאטרי": an adjective with the article
                if cue == PERSON and self._romanised_town(w):
                    cue = LOCATION  # "माझी बहीण कामठीत असते": my sister lives in Kamthi
                if cue == PERSON and (self._common_in_case(w) or self._prefixed_word(w)):
                    continue  # "तानाजीचा मुलगा शहरात": a son in town, not a son named so
                found[i] = (cue, CUE_SCORE, "cue")

        if self.lex.cased:
            self._saints(words, found)
            self._facility_heads(words, found)
            self._hyphenated_facilities(words, found)
        else:
            spans.extend(self._initials_and_latin(text, words))
            spans.extend(self._opened_names(words))
        spans.extend(self._acronyms(words))

        # a known name that is also a frequent word is a name beside another person's name:
        # "אברהם אדרי" (given name + surname), "יעקב ושושנה", "प्रसाद आणि मेघना"
        # (never one beside the other: "קובי עבד איתי" is Kobi who worked with me)
        persons = dict(found)
        for i, (start, end) in sorted(common_names.items()):
            glued_and = start > words[i].start and words[i].key.startswith("ו")
            if i not in found and self._beside_person(words, persons, i, glued_and):
                found[i] = (PERSON, LEXICON_SCORE, "lexicon")
                spans.append((start, end, PERSON, LEXICON_SCORE, "lexicon"))

        # "Pastorin Anke Ehlers": a capitalised rare word right after a name that a kinship
        # word or title says is a person's is the surname
        if self.lex.cased and not lower_text:
            for i in sorted(found):
                if (
                    found[i][0] == PERSON
                    and (
                        (found[i][2] == "cue" and self._after_kin(words, i))
                        or words[i].key in self.lex.given
                    )
                    and i + 1 not in found
                    and self._surname_shaped(words, i + 1)
                ):
                    found[i + 1] = (PERSON, CUE_SCORE, "cue")

        if not self.lex.cased:
            # Hebrew "סשה גורביץ׳", "השייח׳ אבו עראר": after a person's name a rare word with
            # a surname's ending, or the name after a particle of names ("אבו", father of)
            for i in sorted(found):
                if found[i][0] == PERSON and i + 1 not in found and self._surname_after(words, i):
                    found[i + 1] = (PERSON, CUE_SCORE, "cue")
            for i, w in enumerate(words[:-1]):
                if (
                    w.key in self.lex.name_particles
                    and self._gaps.get(i + 1) == " "
                    and (i in found or self._after_kin(words, i))
                    and self._name_shaped(words[i + 1], False)
                    and zipf(words[i + 1].key, self.lex.language) < WEAK_ZIPF
                ):
                    found[i] = found[i + 1] = (PERSON, CUE_SCORE, "cue")

        # German "Dieters Mutter", "Lenas Freund": a name in the genitive before a kin word
        if self.lex.nouns_capitalised:
            for i in range(len(words) - 1):
                if i not in found and self._genitive_before_kin(words, i):
                    found[i] = (PERSON, CUE_SCORE, "cue")

        # "aus Billstedt, Mümmelmannsberg", "Mwanza, Igoma": a word taken for a name by its
        # shape alone, set off by a comma right after a place, names a part of that place
        for i in sorted(found):
            if (
                found[i][0] == PERSON
                and found[i][2] == "shape"
                and self._gaps.get(i, "").strip() == ","
                and found.get(i - 1, ("",))[0] == LOCATION
            ):
                found[i] = (LOCATION, CUE_SCORE, "cue")

        # runs of candidate words (cased scripts) become one name
        i = 0
        order = sorted(found)
        while i < len(order):
            j = i
            first = order[i]
            entity, score, how = found[first]
            kin_cued = entity == PERSON and how == "cue" and self._after_kin(words, first)
            while (
                self.lex.cased
                and j + 1 < len(order)
                and order[j + 1] == order[j] + 1
                and _joinable_after(
                    words[order[j]], text[words[order[j]].end : words[order[j + 1]].start]
                )
            ):
                j += 1
                other, other_score, other_how = found[order[j]]
                if other != PERSON and entity != FACILITY and not kin_cued:
                    # "Kreiskrankenhaus Laupheim" stays a facility, "Pastorin Wiebke
                    # Thiessen" a person though Thiessen is a village too
                    entity = other
                if other_score > score:
                    score, how = other_score, other_how
            last = order[j]
            if (
                self.lex.cased
                and entity != FACILITY
                and last + 1 < len(words)
                and last + 1 not in found
                and self._place_head_after(words, last + 1)
            ):
                # "Kurt-Schumacher-Allee", "Senapati Bapat Road": a street named after someone
                last += 1
                entity = LOCATION
            if last > first and words[last].key in PLACE_HEADS and entity == PERSON:
                entity = LOCATION
            if self.lex.cased and entity == PERSON and last > first and words[first].key in SAINTS:
                entity = FACILITY  # "St. Joseph", "Saint Francis": a church, a school
            if (
                self.lex.cased
                and entity == PERSON
                and how == "shape"
                and self._acronym_before(words, first)
            ):
                first, entity = first - 1, FACILITY  # "KKKT Azania Front": a church
            entity = self._facility(words, first, last, entity)
            if entity == FACILITY and self.lex.cased:
                # a capitalised head word next to the name belongs to it: "Klinikum Nord"
                first, last = self._with_heads(words, first, last)
            start, end = words[first].start, words[last].end
            while entity == FACILITY and self.lex.cased and text[start - 1 : start] == "-":
                before = next((w for w in words if w.end == start - 1), None)
                if before is None:
                    break
                start = before.start  # "Hans-und-Sophie-Scholl-Gymnasium": one name
            if not self.lex.cased:
                while (
                    entity == FACILITY
                    and first > 0
                    and self.lex.language not in GLUED_PREFIXES  # Hebrew names the head first
                    and self._known_name(words[first - 1])
                ):
                    first -= 1  # "भारती विद्यापीठ रुग्णालय", "ओम साई क्लिनिक": a known name before
                if entity == FACILITY and first > 0 and self._plain_rare(words, first - 1):
                    first -= 1  # "सिल्व्हर ज्युबिली रुग्णालयात": a name of two rare words
                start, _ = self._stem(words[first])
                _, end = self._stem(words[last])
                if (
                    entity == LOCATION
                    and last + 1 < len(words)
                    and self._place_head(words[last + 1])
                ):
                    _, end = self._stem(words[last + 1])  # "कोरेगाव पार्कमध्ये": one name
            if (first, last) == (first, first) and any(
                s <= start and end <= e for s, e, *_ in spans
            ):
                i = j + 1
                continue
            if end > start:
                spans.append((start, end, entity, score, how))
            i = j + 1
        # a person inside a facility or a place ("Kurt" of "Kurt-Schumacher-Allee") is its name
        places = [(s, t, e) for s, t, e, *_ in spans if e != PERSON]
        return [
            result(AS_CANDIDATE[e], s, t, score, NAME, how=how)
            for s, t, e, score, how in spans
            if e != PERSON
            or not any(
                fs <= s and t <= ft and (fe == FACILITY or (fs, ft) != (s, t))
                for fs, ft, fe in places
            )
        ]

    def _initials_and_latin(
        self, text: str, words: list[_Word]
    ) -> list[tuple[int, int, str, float, str]]:
        """Uncased scripts: initials before a facility head word ("बी. जे. मेडिकल कॉलेज",
        "के. ई. एम. हॉस्पिटल"), a name numbered by a Hebrew letter after a facility head
        word ("בתיכון מקיף ג׳"), and a capitalised Latin word before a place case ending
        written apart, as code-switched speech is transcribed ("Wakad ला", "Baner मध्ये")."""
        out: list[tuple[int, int, str, float, str]] = []
        for i, w in enumerate(words):
            if i and self._facility_head(w.key):
                j = i
                while j > 0 and len(words[j - 1].key) <= 3 and self._gaps[j].startswith("."):
                    j -= 1
                if i - j >= 2:
                    out.append((words[j].start, words[i - 1].end + 1, FACILITY, CUE_SCORE, "cue"))
            nxt = words[i + 1].key if i + 1 < len(words) else ""
            if (
                _ends_with(words, i, self.lex.facility_before)
                and i + 1 < len(words)
                and HEBREW_LETTER_NUMBER.fullmatch(text, words[i + 1].start, words[i + 1].end + 1)
            ):
                # "בתיכון מקיף ג׳": a school numbered by a letter, however frequent the word
                out.append((w.start, words[i + 1].end + 1, FACILITY, CUE_SCORE, "cue"))
            elif (
                i > 0
                and (words[i - 1].key,) in self.lex.facility_before
                and HEBREW_LETTER_NUMBER.fullmatch(text, w.start, w.end + 1)
            ):
                # "את מקיף א׳": the head word and its letter are the school's whole name
                out.append((words[i - 1].start, w.end + 1, FACILITY, CUE_SCORE, "cue"))
            if (
                nxt in self.lex.place_suffixes
                and LATIN_NAME.fullmatch(w.text)
                and zipf(w.key, "en") < WEAK_ZIPF
                and self._gaps.get(i + 1, "") == " "
            ):
                out.append((w.start, w.end, LOCATION, CUE_SCORE, "cue"))
        return out

    def _opened_names(self, words: list[_Word]) -> list[tuple[int, int, str, float, str]]:
        """Hebrew: a facility's name of two words opened by a word that opens such names,
        after its head word ("בית הכנסת אוהל מועד", "ישיבת שערי תורה"), however frequent
        the words, the second with no prefix letter ("בבית הכנסת אוהל בשבת"); the head word
        stays outside."""
        out: list[tuple[int, int, str, float, str]] = []
        for i in range(1, len(words) - 1):
            if (
                words[i].key in self.lex.name_openers
                and _ends_with(words, i, self.lex.facility_before)
                and self._gaps.get(i) == " "
                and self._gaps.get(i + 1) == " "
                and words[i + 1].key not in self.lex.stop
                and not words[i + 1].key.startswith(("ב", "ל", "כ", "ה", "ו", "ש"))
            ):
                out.append((words[i].start, words[i + 1].end, FACILITY, CUE_SCORE, "cue"))
        return out

    def _opened_places(
        self, words: list[_Word]
    ) -> list[tuple[int, tuple[int, int, str, float, str]]]:
        """Hebrew: a place named by a word that opens place names and a word after it that
        is no frequent word and has no prefix letter ("בוואדי ניסנאס", "בנווה שאנן", "בשוק
        תלפיות"; not "בשוק היום"); the opener is part of the name, its prefix letter not."""
        out: list[tuple[int, tuple[int, int, str, float, str]]] = []
        for i in range(len(words) - 1 if self.lex.place_openers else 0):
            key, name = words[i].key, words[i + 1]
            opener = next(
                (k for k in (key, *self._unprefixed(key)) if k in self.lex.place_openers), ""
            )
            if (
                opener
                and self._gaps.get(i + 1) == " "
                and name.key not in self.lex.stop
                and not name.key.startswith(("ב", "ל", "כ", "ה", "ו"))
                and (
                    zipf(name.key, self.lex.language) < CUED_WORD_ZIPF
                    or opener in self.lex.place_openers_strong
                )
            ):
                start = words[i].end - len(opener)
                out.append((i, (start, name.end, LOCATION, CUE_SCORE, "cue")))
        return out

    def _acronym_before(self, words: list[_Word], first: int) -> bool:
        """An institution's initials right before word ``first`` ("KKKT Azania Front")."""
        if first == 0 or self._gaps.get(first) != " ":
            return False
        w = words[first - 1]
        return (
            ACRONYM.fullmatch(w.text) is not None
            and len(w.text) >= 3
            and w.text.upper() not in NOT_FACILITY_ACRONYMS
            and w.key not in self.lex.not_names
            and w.key not in self.lex.stop
        )

    def _acronyms(self, words: list[_Word]) -> list[tuple[int, int, str, float, str]]:
        """A facility named by its initials before its head word ("KEM hospital", "YCM
        हॉस्पिटल", "MMH Klinik") or after one ("BKH Kaufbeuren" is found by the name after
        it), or before a case ending written apart ("YCM मध्ये"); not the initials of a
        disease, a treatment or a department ("HIV clinic", "OPD मध्ये")."""
        out: list[tuple[int, int, str, float, str]] = []
        for i, w in enumerate(words):
            if not ACRONYM.fullmatch(w.text) or w.text.upper() in NOT_FACILITY_ACRONYMS:
                continue
            if w.key in self.lex.not_names or w.key in self.lex.stop:
                continue  # "AOK", "TK": insurers and authorities, no facility
            if not self.lex.cased and w.key in self.lex.place_heads:
                continue  # "हिंगणा MIDC मध्ये": an industrial area, the place before it
            if len(w.text) >= 3 and _ends_with(words, i, self.lex.acronym_cues):
                # German "im UKE", "an der HAW", "ins AK": an institution by its initials
                out.append((w.start, w.end, FACILITY, CUE_SCORE, "cue"))
                continue
            if i + 1 == len(words):
                continue
            nxt = words[i + 1]
            if not _joinable(self._gaps.get(i + 1, "")):
                continue
            if self._facility_head(nxt.key) or (
                not self.lex.cased and nxt.key in self.lex.place_suffixes
            ):
                out.append((w.start, w.end, FACILITY, CUE_SCORE, "cue"))
        return out

    def _place_case(self, text: str, words: list[_Word], start: int, end: int) -> bool:
        """Whether the name at start..end carries a prefix letter or case ending of place."""
        first = _word_start(words, start)
        last = next((w.end for w in words if w.start < end <= w.end), end)
        ending = norm(text[end:last])
        for c in self.lex.clitics:  # "येरवड्यातच": a case ending and a clitic after it
            if ending.endswith(c) and len(ending) > len(c):
                ending = ending[: -len(c)]
                break
        return (
            first >= 0 and start > first and norm(text[first:start]) in self.lex.place_prefixes
        ) or (end < last and ending in self.lex.place_suffixes)

    def _with_heads(self, words: list[_Word], first: int, last: int) -> tuple[int, int]:
        heads = self.lex.facility_after | {p[-1] for p in self.lex.facility_before}
        while first > 0 and words[first - 1].key in heads and words[first - 1].text[:1].isupper():
            first -= 1
        # German "Praxis am Münsterplatz", "Klinik an der Blau": a square or a river, no
        # facility's name without the head word and its link words
        k = first
        while k > 0 and words[k - 1].key in self.lex.facility_link:
            k -= 1
        if (
            self.lex.nouns_capitalised
            and 0 < k < first
            and words[k - 1].key in heads
            and words[k - 1].text[:1].isupper()
        ):
            first = k - 1
        # German "Evangelische Stiftung Alsterdorf", "Katholisches Marienkrankenhaus": a
        # capitalised adjective of kind before the facility is part of its name
        while (
            self.lex.nouns_capitalised
            and first > 0
            and words[first - 1].text[:1].isupper()
            and words[first - 1].key.endswith(FACILITY_ADJECTIVES)
            and _joinable(self._gaps.get(first, ""))
        ):
            first -= 1
        while (
            last + 1 < len(words)
            and words[last + 1].key in heads
            and words[last + 1].text[:1].isupper()
        ):
            last += 1
        return first, last

    def _named(self, text: str, words: list[_Word], i: int, noun: bool = False) -> bool:
        """A name that is also a word ("Imani", "שלום") names a person only after a kin word,
        before an apposition ("Imani, mdogo wangu"), or capitalised inside a sentence."""
        if self._after_kin(words, i):
            return True
        if i > 0 and words[i - 1].key in self.lex.companions:
            return True  # "אצל שפירא" (at Shapira's), "עם רבקה": a frequent surname or name
        if (
            i > 0
            and words[i - 1].key in self.lex.object_markers
            and self._gaps.get(i) == " "
            and (words[i].key in self.lex.given or words[i].key in self.lex.surnames)
        ):
            return True  # "פגשתי את שמעון": a bare noun after "את" is a name
        nxt = words[i + 1] if i + 1 < len(words) else None
        apposition = nxt is not None and text[words[i].end : nxt.start].strip() == ","
        if (
            apposition
            and nxt is not None
            and (_starts_with(words, i + 1, self.lex.kin) or nxt.key in self.lex.between)
        ):
            return True  # "Imani, mdogo wangu"; "אבי, בן הדוד שלי"
        if not self.lex.cased and self._surname_after(words, i):
            return True  # "אלכסנדר גורביץ׳": a given name before a surname by its ending
        if self._verb_follows(words, i):
            return True  # "Rehema sasa ndiye anayenikumbusha": a person does it
        if self.lex.cased and words[i].key in self.lex.given and self._surname_shaped(words, i + 1):
            return True  # "Anton Brugger, oder?": a frequent given name before a surname
        if (
            not self.lex.cased
            and nxt is not None
            and self._gaps.get(i + 1) == " "
            and (nxt.key,) in self.lex.kin
            and i + 2 < len(words)
            and words[i + 2].key in self.lex.between
        ):
            return True  # "עומר הבן שלי": a kinship word with its possessive after the name
        w = words[i]
        return (
            self.lex.cased
            and not noun
            and w.text[:1].isupper()
            and not self._sentence_initial(text, w)
            and (nxt is None or nxt.key not in self.lex.place_after_name)
        )

    def _noun_after_preposition(self, key: str) -> bool:
        """German: a frequent noun after "in/aus/bei" is no place ("aus Angst", "im Kurs");
        towns as frequent are in the lexicon, rarer ones ("nach Kempten") stay places."""
        return self.lex.nouns_capitalised and (
            key.endswith(self.lex.noun_endings)
            or zipf(key, self.lex.language) >= NOUN_ZIPF
            or self._compound_noun(key)  # "im Wartezimmer", "in der Tagesstätte"
        )

    def _given_after_kin(self, words: list[_Word], i: int) -> bool:
        """A given name that is also a listed non-name, right after a kinship word or title
        ("Mjomba wangu Ramadhani": an uncle, not the month)."""
        w = words[i]
        return (
            self.lex.cased
            and w.key in self.lex.given
            and w.key in self.lex.not_names
            and w.text[:1].isupper()
            and self._after_kin(words, i)
        )

    def _facility_heads(self, words: list[_Word], found: dict[int, tuple[str, float, str]]) -> None:
        """A capitalised facility head word next to a found name is part of the facility:
        "Klinik Ochsenzoll", "Evangelischen Krankenhaus Alsterdorf"."""
        heads = self.lex.facility_after | {p[0] for p in self.lex.facility_before if len(p) == 1}
        for i, w in enumerate(words):
            if i in found or w.key not in heads or not w.text[:1].isupper():
                continue
            if any(
                k in found and found[k][0] != PERSON and _joinable(self._gaps.get(max(i, k), ""))
                for k in (i - 1, i + 1)
            ):
                found[i] = (FACILITY, CUE_SCORE, "cue")

    def _saints(self, words: list[_Word], found: dict[int, tuple[str, float, str]]) -> None:
        """A saint's name in the possessive, or before a facility's head word, after "St." or
        "Saint" is a church's, a school's or a hospital's ("St. Philip's church", "Saint
        Kizito school"); not "Kampala St. Then", a street before a new sentence."""
        for i in range(1, len(words)):
            w = words[i]
            if (
                words[i - 1].key not in SAINTS
                or not words[i - 1].text[:1].isupper()
                or self._gaps.get(i) not in (" ", ". ")
                or not w.text[:1].isupper()
                or w.key in self.lex.not_names
            ):
                continue
            head = i + 1 < len(words) and self._facility_head(words[i + 1].key)
            if w.key.endswith(("'s", "’s")) or head:
                found.setdefault(i - 1, (FACILITY, CUE_SCORE, "cue"))
                if found.get(i, ("",))[0] != FACILITY:
                    found[i] = (FACILITY, CUE_SCORE, "cue")
                if head and self._gaps.get(i + 1) == " ":
                    found[i + 1] = (FACILITY, CUE_SCORE, "cue")

    def _hyphenated_facilities(
        self, words: list[_Word], found: dict[int, tuple[str, float, str]]
    ) -> None:
        """German: a hyphenated name opened by a given name after "am", "im", "ins" ("am
        Max-Planck", "im Hans-Sachs"), its last part no everyday noun, is an institution named
        after someone, which no person and no town is so introduced."""
        for i in range(1, len(words) - 1):
            if words[i - 1].key not in self.lex.named_facility_links:
                continue
            k = i
            while k + 1 < len(words) and self._gaps.get(k + 1) == "-":
                k += 1
            if (
                k > i
                and self._gaps.get(i) == " "
                and words[i].key in self.lex.given  # named after someone: no "im Write-Ahead-Log"
                and all(words[n].text[:1].isupper() for n in range(i, k + 1))
                and words[k].key not in self.lex.not_names
                and zipf(words[k].key, self.lex.language) < NOUN_ZIPF
                and not any(found.get(n, ("",))[0] in (LOCATION, FACILITY) for n in range(i, k + 1))
            ):
                for n in range(i, k + 1):
                    found[n] = (FACILITY, CUE_SCORE, "cue")

    def _generic_before_name(self, words: list[_Word], i: int) -> bool:
        """A kind of clinic named by the name after it: "Kreiskrankenhaus Laupheim",
        "Therapiezentrum Burgau", "Tagesstätte Lichtblick"."""
        w = words[i]
        if not self.lex.facility_compounds or not (
            GENERIC_COMPOUND.match(w.text)
            or any(
                w.key.endswith(end) and len(w.key) >= len(end) + 3
                for end in self.lex.kind_compounds
            )
        ):
            return False
        nxt = words[i + 1] if i + 1 < len(words) else None
        return (
            nxt is not None
            and _joinable(self._gaps.get(i + 1, ""))
            and nxt.text[:1].isupper()
            and (
                self.lex.names.knows(nxt.key)
                or not self._common(nxt.key)
                # "Seniorenheim Sonnenhof": after a kind of home, a noun rarer than an
                # everyday one ("Besuch") is the home's name
                or (
                    nxt.key not in self.lex.not_names
                    and zipf(nxt.key, self.lex.language) < NOUN_ZIPF
                    and not nxt.text.isupper()
                )
            )
        )

    def _street(self, text: str, words: list[_Word], i: int) -> int:
        """Words of a street name starting at word i (0 if none): one compound
        ("Bahnhofstraße") or a capitalised word before a street word ("Neue Straße")."""
        w = words[i]
        if not w.text[:1].isupper():
            return 0
        if self.lex.street_endings and any(
            w.key.endswith(e) and len(w.key) >= len(e) + 3 for e in self.lex.street_endings
        ):
            return 1
        if (
            any(
                w.key.endswith(e) and len(w.key) >= len(e) + 3 for e in self.lex.street_endings_rare
            )
            and zipf(w.key, self.lex.language) < STREET_ZIPF
        ):
            return 1
        nxt = words[i + 1] if i + 1 < len(words) else None
        if (
            nxt is not None
            and nxt.key in self.lex.street_heads
            and nxt.text[:1].isupper()
            and _joinable(self._gaps.get(i + 1, ""))
            and not self._sentence_initial(text, w)
        ):
            return 2
        return 0

    def _compound_facility(self, w: _Word) -> bool:
        """German compounds naming one clinic ("Bundeswehrkrankenhaus"), not a kind of clinic
        ("Tagesklinik")."""
        if not self.lex.facility_compounds or not w.text[:1].isupper():
            return False
        return any(
            w.key.endswith(end) and len(w.key) >= len(end) + 4
            for end in self.lex.facility_compounds
        ) and not GENERIC_COMPOUND.match(w.text)

    def _after_kin(self, words: list[_Word], i: int) -> bool:
        j = i
        while (
            j > 0
            and words[j - 1].key in self.lex.between
            and (words[j - 1].key,) not in self.lex.kin
        ):
            j -= 1
        if (
            not self.lex.cased
            and j >= 2
            and words[j - 1].key in self.lex.after_name
            and self._gaps.get(j - 1) == " "
            and words[j - 2].key not in self.lex.stop
            and words[j - 2].key not in self.lex.between
            and (words[j - 2].key,) not in self.lex.kin
        ):
            return False  # "शिंदे मामा माहीत आहेत": the title of the name before, not a cue
        if (
            self.lex.feminine_endings
            and j >= 2
            and words[j - 2].key in self.lex.plural_articles
            and (words[j - 1].key,) in self.lex.kin
            and words[j - 1].text[:1].isupper()  # a noun: not "die hieß Hafner" (she)
            and not words[j - 1].key.endswith(self.lex.feminine_endings)
        ):
            return False  # "die Lehrer Bescheid": teachers, plural, name no one after them
        if self._sentence_between(words, j, i):
            return False  # "Faith and hope, madam. Without that": a new sentence
        return _ends_with(words, j, self.lex.kin)

    def _sentence_between(self, words: list[_Word], j: int, i: int) -> bool:
        """Whether a sentence ends between word j-1 and word i: "?", "!", or a full stop
        after a word that is no abbreviation ("Dr. Kasozi" and "Prof. Mushi" go on)."""
        for k in range(max(j, 1), i + 1):
            gap = self._gaps.get(k, "")
            if "?" in gap or "!" in gap:
                return True
            prior = words[k - 1].key
            if "." in gap and len(prior) > 4:  # "Dr.", "Prof.", "Mrs.": abbreviations
                return True
        return False

    def _cued(self, words: list[_Word], i: int) -> str | None:
        """PERSON after a kinship word or title, LOCATION after a place cue, FACILITY next to
        a facility head word."""
        named = self._named_thing(words, i)
        if named is not None:
            return named
        if self._after_kin(words, i) or self._apposition(words, i) or self._weak_cue(words, i):
            return PERSON
        if self.lex.cased and (
            self._kin_after(words, i)
            or self._name_before(words, i)
            or self._titled(words, i)
            or self._resumed(words, i)
        ):
            return PERSON
        if self._admitted(words, i):
            return FACILITY
        return self._place_or_person(words, i)

    def _admitted(self, words: list[_Word], i: int) -> bool:
        """A rare word in a place case near a verb of being admitted, treated or sent ("im
        Elisabethen aufgenommen", "אושפזתי בהרצפלד", "सावलीमध्ये दाखल केलं"): a hospital
        nobody listed, named without its head word."""
        if not self.lex.admission or not (
            any(
                words[k].key.startswith(self.lex.admission)
                for k in range(max(0, i - 4), min(len(words), i + 5))
                if k != i
            )
            # a department after it: "मेयोमध्ये मानसोपचार विभागात" (in Mayo's psychiatry)
            or any(
                words[k].key.startswith(self.lex.departments)  # () matches nothing
                for k in range(i + 1, min(len(words), i + 4))
            )
        ):
            return False
        w = words[i]
        if self.lex.cased:
            return (
                i > 0
                and words[i - 1].key in self.lex.admission_links
                and self._gaps.get(i) == " "
                and w.text[:1].isupper()
                and zipf(w.key, self.lex.language) < WEAK_ZIPF + 0.5
                and zipf(w.key, "en") < WEAK_ZIPF + 0.5  # "im Lockdown": a loanword
                and not self._compound_noun(w.key)
            )
        if self.lex.language in GLUED_PREFIXES:
            return (
                w.key[:1] in self.lex.place_prefixes
                and zipf(w.key, self.lex.language) < WEAK_ZIPF  # "בחורף", in winter
                and zipf(w.key[1:], self.lex.language) < CUED_WORD_ZIPF
            )
        bare = self._bare(w.key)
        return (
            bare != w.key
            and bare not in self.lex.not_names
            and bare not in self.lex.stop
            and (bare,) not in self.lex.kin  # "बायकोची पण तपासणी": the wife's check-up
            # "पंचवटीतल्या एका क्लिनिकमध्ये दाखवलं": of a place, where the clinic is
            and not w.key.endswith(self.lex.place_of_suffixes or ("\0",))
            and all(  # "योजनेत": in the scheme ("योजना"), its oblique stem
                rough_zipf(form, self.lex.language) < WEAK_ZIPF
                for form in (bare, *(bare[:-1] + v for v in OBLIQUE_VOWELS if bare[-1:] in "ाे"))
            )
        )

    def _name_before(self, words: list[_Word], i: int) -> bool:
        """ "Sunanda is her name", "Subira ni jina langu": the word before a phrase that says
        it is a name (any case: a name that is also a word counts here)."""
        if self.lex.nouns_capitalised and (
            self._noun_after_preposition(words[i].key) or self._compound_noun(words[i].key)
        ):
            return False  # German "dem Chef seine Frau": the boss's wife, no name
        return _starts_with(words, i + 1, self.lex.name_after) and not self._gaps.get(
            i + 1, " "
        ).strip(" ,")

    def _titled(self, words: list[_Word], i: int) -> bool:
        """A capitalised word right before an honorific that follows names ("Gokhale madam",
        "Farooq bhai", "Salunkhe tai"), not a frequent word ("Thank you madam")."""
        nxt = words[i + 1] if i + 1 < len(words) else None
        return (
            nxt is not None
            and nxt.key in self.lex.after_name
            and words[i].text[:1].isupper()
            and _joinable(self._gaps.get(i + 1, ""))
            and not self._common(words[i].key)
        )

    def _head_next(self, words: list[_Word], last: int) -> bool:
        """A facility head word right after word ``last`` ("Joshi Hospital", "सोनवणे
        हॉस्पिटलमध्ये"), or after a comma with its article ("בספיר, המכללה בשדרות": Sapir,
        the college)."""
        nxt = words[last + 1]
        gap = self._gaps.get(last + 1, "")
        if _joinable(gap) and not self.lex.cased and self.lex.language not in GLUED_PREFIXES:
            # Marathi: qualifiers may stand between ("शिरूर ग्रामीण रुग्णालयात", "सिंहगड
            # मेडिकल कॉलेजमध्ये"): a town before them names the hospital, not where it is
            k = last + 1
            while k + 1 < len(words) and words[k].key in self.lex.facility_qualifiers:
                k += 1
            return self._facility_head(words[k].key) and not self._declined(words[last])
        if _joinable(gap):
            return self._facility_head(nxt.key)
        if gap.strip() != "," or self.lex.language not in GLUED_PREFIXES:
            return False
        bare = nxt.key[1:] if nxt.key.startswith("ה") else ""
        return bool(bare) and ((bare,) in self.lex.facility_before or self._facility_head(bare))

    def _plain_rare(self, words: list[_Word], i: int) -> bool:
        """Uncased scripts: a rare word without a case ending that is no stop, kinship, cue or
        qualifier word, joined by a space to the next: the first word of a two-word name."""
        w = words[i]
        return (
            self.lex.language not in GLUED_PREFIXES  # Hebrew: a verb before "ב" + a name
            and self._gaps.get(i + 1, "") == " "
            and self._name_shaped(w, False)
            and not self._verb_shaped(w)
            and self._bare(w.key) == w.key
            and w.key not in self.lex.after_name
            and not self._is_honorific(w.key)
            and not self._facility_head(w.key)
            and rough_zipf(w.key, self.lex.language) < WEAK_ZIPF
        )

    def _after_place_cue(self, words: list[_Word], i: int) -> bool:
        """Whether a place cue of the language ("ku", "mu", "in", "from") ends right before
        word i, with nothing but a space between."""
        return _ends_with(words, i, self.lex.place_cues) and self._gaps.get(i, "") == " "

    def _unclitic(self, words: list[_Word]) -> list[Token]:
        """Tokens for the lexicon, an emphatic clitic cut off a word the lexicon knows only
        without it ("येरवड्यातच": in Yerawada itself)."""
        out = _as_tokens(words)
        if not self.lex.clitics:
            return out
        return [
            Token(t.start, t.end - cut, t.text[:-cut], t.key[:-cut])
            if (cut := self._clitic_cut(t.key))
            else t
            for t in out
        ]

    def _clitic_cut(self, key: str) -> int:
        """The length of an emphatic clitic ("-च", "-ही") glued to a word the lexicon knows
        only without it; 0 where there is none."""
        if not self.lex.clitics or self.lex.names.resolve(key) is not None:
            return 0
        for c in self.lex.clitics:
            rest = key[: -len(c)]
            if key.endswith(c) and len(rest) >= MIN_STEM and self.lex.names.resolve(rest):
                return len(c)
        return 0

    def _genitive_before_kin(self, words: list[_Word], i: int) -> bool:
        """German: "Dieters Mutter", "Lenas Freund" (even starting a sentence): a capitalised
        word ending in -s, no frequent word without it, right before a kinship word or role."""
        w, nxt = words[i], words[i + 1]
        return (
            w.text[:1].isupper()
            and w.key.endswith("s")
            and len(w.key) >= 4
            and (nxt.key,) in self.lex.kin
            and nxt.key not in VERB_CUES
            and nxt.text[:1].isupper()
            and _joinable(self._gaps.get(i + 1, ""))
            and w.key not in self.lex.between
            and w.key not in self.lex.not_names
            and zipf(w.key, self.lex.language) < NOUN_ZIPF
            and (w.key[:-1] in self.lex.given or zipf(w.key[:-1], self.lex.language) < NOUN_ZIPF)
        )

    def _named_thing(self, words: list[_Word], i: int) -> str | None:
        """ "a clinic called Sanjeevani", "ein Dorf namens Asch", "kijiji kinaitwa X": after
        a verb of naming, what the word before it names (a facility, a place), not a person."""
        if i < 2 or words[i - 1].key not in VERB_CUES:
            return None
        head = words[i - 2].key
        if self._facility_head(head) or (head,) in self.lex.facility_before:
            return FACILITY
        if head in PLACE_HEADS or (head,) in self.lex.place_cues:
            return LOCATION
        return None

    def _kin_after(self, words: list[_Word], i: int) -> bool:
        """A name set off by a comma before a kinship word or title that says who it is:
        "bei der sabrina, meiner schwester", "Imani, mdogo wangu", "Okello, my neighbour"."""
        if "," not in self._gaps.get(i + 1, ""):
            return False
        j = i + 1
        while j < min(len(words), i + 4) and words[j].key in self.lex.between:
            if (words[j].key,) in self.lex.kin:
                return not self._titles_next(words, j)
            j += 1
        return (
            j < len(words)
            and (words[j].key,) in self.lex.kin
            and words[j].key not in VERB_CUES
            and not self._titles_next(words, j)
        )

    def _titles_next(self, words: list[_Word], j: int) -> bool:
        """The kinship word or title at j names the capitalised word after it ("Die
        Leiterin, Frau Hummel, ..."), not the word before the comma."""
        nxt = words[j + 1] if j + 1 < len(words) else None
        return (
            self.lex.cased
            and nxt is not None
            and nxt.text[:1].isupper()
            and _joinable_after(words[j], self._gaps.get(j + 1, ""))
        )

    def _facility_head(self, key: str) -> bool:
        """A facility head word; in uncased scripts with any case ending ("हॉस्पिटलमध्ये")."""
        if key in self.lex.facility_after:
            return True
        return not self.lex.cased and key.startswith(self.lex.facility_stems)

    def _weak_cue(self, words: list[_Word], i: int) -> bool:
        """Hebrew "עם/של/אצל X": a person when X is rare and takes no article ה."""
        if i == 0 or words[i - 1].key not in self.lex.weak_kin:
            return False
        key = words[i].key
        return not key.startswith("ה") and zipf(key, self.lex.language) < WEAK_ZIPF

    def _apposition(self, words: list[_Word], i: int) -> bool:
        """ "בעלה של רותי, שלום, ...": a name set off by commas after a cued name (on both
        sides, or ending the sentence; "ד״ר ולדמן, הפנתה אותי" is a verb after the name)."""
        before = self._gaps.get(i, "").strip()
        after = self._gaps.get(i + 1, "").strip() if i + 1 < len(words) else "."
        return i > 0 and before == "," and after[:1] in (",", ".") and self._after_kin(words, i - 1)

    def _word_after_cue(self, words: list[_Word], i: int) -> bool:
        """Hebrew: a frequent word after a place cue that does not name what follows ("בכפר
        כולם מכירים", in the village everyone knows; "בכפר קוראים לי", they call me there),
        unlike a noun in the construct state ("בשכונת התקווה") or a street word ("ברחוב
        הרצל"), after which any word is the name."""
        return (
            self.lex.language in GLUED_PREFIXES
            and i > 0
            and zipf(words[i].key, self.lex.language) >= CUED_WORD_ZIPF
            and not self._construct(words[i - 1].key)
            and not _ends_with(words, i, self.lex.street_cues)
        )

    def _defective_place(self, key: str) -> int:
        """Hebrew: the length of the place prefix ("ב", "מ", "ל") glued to a rare word that is
        a listed town spelt with other vowel letters ("מעוספיא" for "עספיא"); 0 where the
        word is none."""
        for prefix in sorted(self.lex.place_prefixes, key=len, reverse=True):
            rest = key[len(prefix) :]
            if (
                key.startswith(prefix)
                and len(rest) >= DEFECTIVE_MIN
                and defective(rest) in self.lex.defective_places
                and zipf(rest, self.lex.language) < WEAK_ZIPF
            ):
                return len(prefix)
        return 0

    def _defective_name(self, w: _Word) -> bool:
        """Hebrew: a rare word, no word of the lexicon, that is a listed given name or surname
        written with other vowel letters ("מחמד", "חוסין", "אלגה")."""
        if not self.lex.defective_names or len(w.key) < DEFECTIVE_MIN:
            return False
        key = defective(w.key)
        return (
            not self.lex.names.knows(w.key)
            and key in self.lex.defective_names
            and key not in self.lex.defective_places
            and zipf(w.key, self.lex.language) < WEAK_ZIPF
        )

    def _place_or_person(self, words: list[_Word], i: int) -> str | None:
        lex = self.lex
        if lex.defective_places and self._defective_place(words[i].key):
            return LOCATION  # "מעוספיא": from Isfiya, listed as "עספיא"
        k = i + 1
        while k < len(words) and words[k].key in lex.facility_qualifiers:
            k += 1  # "स्नेहदीप व्यसनमुक्ती केंद्रात", "Helios Fachklinik"
        if not lex.cased and self._owner(words[i]):
            return PERSON  # "ओंकारच्या शाळेत": Omkar's school, not a school called Omkar
        if k < len(words) and self._facility_head(words[k].key) and not self._declined(words[i]):
            # a capitalised verb starting a sentence before a lower-case head word is no name:
            # "Nilipelekwa hospitali ya ..." (I was taken to hospital ...)
            initial = i == 0 or self._gaps.get(i, "").strip()[-1:] in tuple(".?!:;…")
            # nor before a head word whose name follows it: "Nilipelekwa Hospitali ya Amana"
            linked = k + 1 < len(words) and words[k + 1].key in lex.facility_link
            if not (lex.cased and initial and (words[k].text[:1].islower() or linked)):
                return FACILITY
        j = i
        while j > 0 and words[j - 1].key in lex.facility_link:
            j -= 1
        # uncased: "בית הספר הזמין" is a school that invited, not a school's name
        if _ends_with(words, j, lex.facility_before) and (
            lex.cased
            or zipf(words[i].key, lex.language) < FACILITY_ZIPF
            or self._construct(words[j - 1].key)
        ):
            return FACILITY
        if self._place_ending(words[i].key):
            return LOCATION  # "कोरेगाव", "Wiblingen": the shape of a place name
        if lex.place_cue_after:
            nxt = words[i + 1].key if i + 1 < len(words) else ""
            if (nxt,) in lex.place_cues or (i + 1 < len(words) and self._place_head(words[i + 1])):
                return LOCATION
            k = i + 1
            while k < len(words) - 1 and words[k].key in lex.verb_helpers:
                k += 1  # "मुक्तांगणला घेऊन गेला": took (him) to Muktangan
            verb = words[k].key if k < len(words) else ""
            if verb.startswith(lex.place_verb_stems or ("\0",)) and self._in_place_case(words[i]):
                return LOCATION  # "शिरवळला राहायचो": a place case before a verb of living
            if self._romanised_town(words[i]):
                return LOCATION  # "कामठीहून": Kāmthi, which GeoNames spells in Latin only
            if self._from_somewhere(words[i]):
                return LOCATION  # "नंदनवनहून येतील": from a place, whatever its name
            if self._of_somewhere(words[i]):
                return LOCATION  # "मोरभवनजवळच्या" (near), "बजेरियातले लोक" (people of)
            return None
        if (
            i >= 2
            and _ends_with(words, i, lex.place_articles)
            and all(self._gaps.get(k) == " " for k in (i - 1, i))
            and words[i].key not in lex.not_after_place_cue
            and not words[i].key.endswith(lex.street_endings + lex.street_endings_rare)
            and not (i + 1 < len(words) and words[i + 1].key in lex.street_heads)
            and not GENERIC_COMPOUND.match(words[i].text)  # "in der Uniklinik"
            and not self._compound_facility(words[i])
            # a rare word, no compound noun ("in der Zeitzonen"), no English loan ("in der
            # Cache") and no part of a hyphenated one ("in dem Tablespace-Mapping")
            and words[i].key not in lex.not_names
            and zipf(words[i].key, lex.language) < WEAK_ZIPF
            and not self._compound_noun(words[i].key)
            and zipf(words[i].key, "en") < WEAK_ZIPF
            and (i + 1 == len(words) or self._gaps.get(i + 1) != "-")
        ):
            return LOCATION  # "in der Borstei", "aus dem Westend": no person so introduced
        if (
            _ends_with(words, i, lex.place_cues)
            and words[i].key not in lex.not_after_place_cue
            and not self._gaps.get(i, "").strip()  # "Halima hapa. Nimekuja": a new sentence
            and not self._word_after_cue(words, i)
        ):
            return LOCATION
        if (
            i > 0
            and lex.place_verb_stems
            and words[i].text[:1].isupper()
            and words[i - 1].key.endswith(lex.place_verb_stems)
        ):
            return LOCATION  # "Tulihamia Chanika", "nnakulira Mityana"
        # "Mchungaji Mollel wa Tabata": after a name, "wa" names where the person is from
        if i >= 2 and words[i - 1].key in lex.place_after_name:
            before = words[i - 2]
            if before.text[:1].isupper() and not self._common(before.key):
                return LOCATION
        return None

    def _beside_person(
        self,
        words: list[_Word],
        found: dict[int, tuple[str, float, str]],
        i: int,
        glued_and: bool = False,
    ) -> bool:
        """Whether word i stands next to a found person, or is joined to one by "and". Right
        after a person only a surname counts ("אברהם אדרי"; "קובי עבד", Kobi worked, is a
        verb), or a name with "and" glued on ("יעקב ושושנה")."""
        for j, between in ((i - 1, ()), (i + 1, ()), (i - 2, (i - 1,)), (i + 2, (i + 1,))):
            if not 0 <= j < len(words) or found.get(j, ("",))[0] != PERSON:
                continue
            if j == i - 1 and not glued_and and words[i].key not in self.lex.surnames:
                continue
            if j == i + 1 and words[j].key in self.lex.given - self.lex.surnames:
                continue  # "שלום סיגל" (hello Sigal): a given name is no surname
            if all(words[k].key in self.lex.conjunctions for k in between):
                if not between and self._gaps.get(max(i, j), " ").strip():
                    continue  # "שלום, אבי": a comma between is no full name
                return True
        return False

    def _verb_shaped(self, w: _Word) -> bool:
        """A word of an uncased script ending like a verb form ("जाते", "राहतात"), not a name
        the lexicon knows."""
        return (
            not self.lex.cased
            and w.key.endswith(self.lex.verb_endings or ("\0",))
            and not self.lex.names.knows(w.key)
        )

    def _known_name(self, w: _Word) -> bool:
        """A word the lexicon knows as a name (affixes aside), not a stop or cue word."""
        return (
            w.key not in self.lex.stop
            and w.key not in self.lex.not_names
            and (w.key,) not in self.lex.kin
            and w.key not in self.lex.between
            and self.lex.names.resolve(w.key) is not None
        )

    def _subject_of(self, text: str, words: list[_Word], i: int) -> bool:
        """English, where NER finds names and the shape rule is off: a rare capitalised word
        opening a sentence before a verb that takes a person ("Kayondo is the one", "Agatha
        still calls"), no drug and no word of the language."""
        w = words[i]
        return (
            bool(self.lex.subject_verbs)
            and i + 1 < len(words)
            and w.text[:1].isupper()
            and not w.text.isupper()
            and self._sentence_initial(text, w)
            and words[i + 1].key in self.lex.subject_verbs
            and self._gaps.get(i + 1) == " "
            and not w.key.endswith(DRUG_ENDINGS)
            and w.key not in self.lex.not_names
            and not self._common(w.key)  # the language's rarity: "Agatha", not "Epilepsy"
        )

    def _site_name(self, text: str, words: list[_Word], i: int) -> bool:
        """English at an East African site: a name of the site country's lists (lower case
        as ASR writes it, or capitalised) in a person's slot: after "with", "told", "asked",
        "and" ("i went with nakato"), before a verb that takes a person ("kansiime is not
        bad", "rukundo said"), or alone between commas and a stop ("Yes, rukundo.")."""
        w = words[i]
        if w.key not in self.site_names or (i > 0 and not self._gaps.get(i, " ")[-1:].isspace()):
            return False
        if i > 0 and self._gaps.get(i) == " " and words[i - 1].key in self.lex.person_before:
            return True
        after = self._gaps.get(i + 1, "") if i + 1 < len(words) else ""
        if after == " " and words[i + 1].key in self.lex.subject_verbs:
            return True
        before = text[: w.start].rstrip()
        return (not before or before[-1] in ",.?!") and (
            i + 1 == len(words) or after.strip()[:1] in (",", ".", "?", "!")
        )

    def _resumed(self, words: list[_Word], i: int) -> bool:
        """A rare capitalised word set off by commas and taken up by "she"/"he" ("one lady
        at the OPD, Shobha, she was from Daund"): a person, whatever NER says."""
        k = i + 1
        return (
            bool(self.lex.resumptive)
            and k < len(words)
            and self._gaps.get(i, "").strip() == ","
            and self._gaps.get(k, "").strip() == ","
            and words[k].key in self.lex.resumptive
            and words[i].text[:1].isupper()
            and not self._common(words[i].key)
        )

    def _moved(self, words: list[_Word], i: int) -> bool:
        """A verb of moving, taking or coming among the four words before word i ("נסעתי",
        "לקחה את הילדים", "חזרנו"): a town after it is where, not whom."""
        return bool(self.lex.motion_verbs) and any(
            words[k].key.startswith(self.lex.motion_verbs) for k in range(max(0, i - 4), i)
        )

    def _verb_follows(self, words: list[_Word], i: int) -> bool:
        """A verb in the third person singular after word i, an adverb or two between and
        nothing but spaces: "Baraka alikuja", "Rehema sasa ndiye", "Nakato yali"."""
        if not self.lex.person_verbs:
            return False
        k = i + 1
        while k < len(words) and k <= i + 2 and words[k].key in self.lex.verb_adverbs:
            k += 1
        return (
            k < len(words)
            and all(self._gaps.get(n) == " " for n in range(i + 1, k + 1))
            and words[k].key.startswith(self.lex.person_verbs)
        )

    def _surname_after(self, words: list[_Word], i: int) -> bool:
        """Uncased scripts: the word after the name at i is a surname by its ending
        ("גורביץ׳", "קוזלובסקי"), no frequent word, joined by a space."""
        k = i + 1
        if k >= len(words) or self._gaps.get(k) != " " or not self.lex.surname_endings:
            return False
        w = words[k]
        return (
            w.key.endswith(self.lex.surname_endings)
            and len(w.key) >= 4
            and w.key not in self.lex.stop
            and zipf(w.key, self.lex.language) < COMMON_ZIPF  # "גורביץ" is frequent as a name
        )

    def _surname_shaped(self, words: list[_Word], k: int) -> bool:
        """Word k may be the surname after a given name: capitalised, joined by a space, no
        frequent word or noun of the language ("Anke Ehlers", not "Anna Blumen"), no cue."""
        if k >= len(words) or self._gaps.get(k) != " ":
            return False
        w = words[k]
        return (
            w.text[:1].isupper()
            and not w.text.isupper()
            and w.key not in self.lex.stop
            and w.key not in self.lex.not_names
            and w.key not in self.lex.between
            and (w.key,) not in self.lex.kin
            and w.key not in self.lex.facility_after
            and not _starts_with(words, k, self.lex.facility_before)
            and not w.key.endswith(self.lex.noun_endings or ("\0",))
            and not w.key.endswith(DRUG_ENDINGS)
            and not self._compound_noun(w.key)
            and zipf(w.key, self.lex.language) < NOUN_ZIPF
        )

    def _facility_word(self, words: list[_Word], k: int) -> bool:
        """Word k is a facility's head word, prefix letters aside ("למרפאה", "בבית החולים")."""
        if k < 0:
            return False
        keys = (words[k].key, *self._unprefixed(words[k].key))
        return any(
            (key,) in self.lex.facility_before or self._facility_head(key) for key in keys
        ) or _ends_with(words, k + 1, self.lex.facility_before)

    def _street_word(self, words: list[_Word], i: int, m: Any) -> bool:
        """A one-word place of the lexicon that is also a street or area word of the language
        ("שדרות": Sderot, and avenue), before a rare word that names the street."""
        w = words[i]
        if self.lex.cased or m.end != w.end or i + 1 >= len(words):
            return False
        if not any((k,) in self.lex.place_cues for k in (w.key, *self._unprefixed(w.key))):
            return False
        nxt = words[i + 1]
        return (
            self._gaps.get(i + 1) == " "
            and nxt.key not in self.lex.stop
            and not nxt.key.isdigit()
            and zipf(nxt.key, self.lex.language) < WEAK_ZIPF
        )

    def _counts_after(self, words: list[_Word], i: int, end: int) -> bool:
        """A numbered place ("שכונה שלוש") from word i, its number counting the noun after
        it ("שלוש משפחות", "12 שנים")."""
        if words[i].key not in self.lex.numbered_places and not any(
            r in self.lex.numbered_places for r in self._unprefixed(words[i].key)
        ):
            return False
        nxt = next((k for k, x in enumerate(words) if x.start >= end), None)
        return nxt is not None and words[nxt].key in self.lex.counted

    def _article_inside(self, words: list[_Word], i: int, end: int) -> bool:
        """Hebrew: a later word of a name found from word i carries the article ה ("בן
        הדוד", the cousin, is no "בן דוד")."""
        if self.lex.language not in GLUED_PREFIXES:
            return False
        for x in words[i + 1 :]:
            if x.start >= end:
                break
            hit = self.lex.names.resolve(x.key)
            if hit is not None and "ה" in x.key[: hit[3]]:
                return True
        return False

    def _place_head_after(self, words: list[_Word], k: int) -> bool:
        """Word k, joined to the name before it, is a road or place word of that name."""
        w = words[k]
        return self.lex.place_head_after(w.text, w.key, self._gaps.get(k, ""))

    def _place_head(self, w: _Word) -> bool:
        """A word that belongs to the place name before it, with any case ending ("पार्कमध्ये";
        not "चौकट", a box)."""
        return self._bare(w.key) in self.lex.place_heads or w.key in self.lex.place_heads

    def _place_ending(self, key: str) -> bool:
        """A word (case ending aside) that ends like a place name and is not a common word."""
        if not self.lex.place_endings or key in self.lex.not_names or self._common(key):
            return False
        stem = self._bare(key)
        return (
            any(stem.endswith(e) and len(stem) >= len(e) + 2 for e in self.lex.place_endings)
            and rough_zipf(stem, self.lex.language) < WEAK_ZIPF
        )

    def _bare(self, key: str) -> str:
        return self.lex.bare(key)

    def _common_in_case(self, w: _Word) -> bool:
        """A frequent word with a case ending that names nobody (uncased scripts): "शहरात"
        (in town) after a kinship word says where the relative is, not who."""
        stem = self._bare(w.key)
        hit = self.lex.names.resolve(w.key)
        return (
            stem != w.key
            and (hit is None or hit[0] in self.lex.generic)
            and (not self.lex.names.knows(stem) or stem in self.lex.generic)
            and rough_zipf(stem, self.lex.language) >= COMMON_ZIPF
        )

    def _construct(self, key: str) -> bool:
        """Hebrew: a head word in the construct state ("מכללת", "באוניברסיטת"), which a name
        must follow, however frequent the word ("מכללת ספיר"), unlike "בית הספר הזמין"."""
        return self.lex.language == "he" and key.endswith("ת") and not key.startswith("ה")

    def _unprefixed(self, key: str) -> list[str]:
        """A word of a language with glued prefixes without each of them ("לדרום": "דרום")."""
        return [
            key[len(p) :]
            for p in GLUED_PREFIXES.get(self.lex.language, ())
            if key.startswith(p) and len(key) - len(p) >= 2
        ]

    def _prefixed_word(self, w: _Word) -> bool:
        """Hebrew: a word nobody listed that is a word of the language behind a prefix letter:
        the article ("המסגד", the mosque) or a preposition on a stop word ("לשלושה", to three)."""
        if self.lex.language not in GLUED_PREFIXES:
            return False
        hit = self.lex.names.resolve(w.key)
        if hit is not None and any(len(k) == 1 for k, _ in self.lex.names.entries(hit[0])):
            return "ה" in w.key[: hit[3]]  # "העביר": the article on a listed name, a verb
        for prefix in GLUED_PREFIXES[self.lex.language]:
            rest = w.key[len(prefix) :]
            if not w.key.startswith(prefix) or len(rest) < 2:
                continue
            if rest in self.lex.stop or (rest,) in self.lex.kin or rest in self.lex.not_names:
                return True
            if prefix in "הבלמכ" and zipf(rest, self.lex.language) >= ARTICLE_ZIPF:
                return True  # "המסגד"; "הרופא בקופה", "הבת שלי בגן": at the clinic, at nursery
        return zipf(w.key, self.lex.language) >= CUED_WORD_ZIPF

    def _in_place_case(self, w: _Word) -> bool:
        """A rare word with a locative, dative or ablative case ending ("शिरवळला")."""
        stem = self._bare(w.key)
        return (
            stem != w.key
            and w.key not in self.lex.stop
            and not w.key.endswith(TO_A_PERSON)
            and (stem,) not in self.lex.kin
            and stem not in self.lex.not_names  # "वारीला जातात": to the pilgrimage
            and not self._is_honorific(w.key)
            and rough_zipf(stem, self.lex.language) < WEAK_ZIPF
            # nor the oblique stem of a frequent word: "कामावर" (at work, of "काम")
            and not (
                stem.endswith(OBLIQUE_VOWELS)
                and rough_zipf(stem[:-1], self.lex.language) >= WEAK_ZIPF
            )
        )

    def _romanised_town(self, w: _Word) -> bool:
        """A rare word in a town case (locative, ablative) whose stem, or the name its oblique
        stem stands for ("भंडाऱ्या" for "भंडारा"), romanises to a town of the Latin list,
        and is nobody's name the lexicon knows. Marathi "ळ" is Hindi "ल" in the frequency list:
        "मंडळात" (in the association, Hindi "मंडल") is a word, no "Mandla"."""
        stem = self._bare(w.key)
        return (
            bool(self.lex.latin_places)
            and w.key[len(stem) :] in self.lex.town_suffixes
            and self._in_place_case(w)
            and rough_zipf(stem.replace("ळ", "ल"), self.lex.language) < WEAK_ZIPF
            and self._latin_town(stem)
        )

    def _from_somewhere(self, w: _Word) -> bool:
        """Marathi: a rare word of three letters or more before an ending that says "from a
        place" ("-हून"; a person is "-कडून"): "नंदनवनहून", not "पाहून" (having seen)."""
        return any(
            w.key.endswith(suf)
            and len(w.key) - len(suf) >= MIN_STEM
            and self._bare(w.key) == w.key[: -len(suf)]
            for suf in self.lex.from_suffixes
        ) and self._in_place_case(w)

    def _of_somewhere(self, w: _Word) -> bool:
        """Marathi: a rare word before an ending that only a place takes, "near" or "of (a
        place)" as an adjective ("झिरो माईलजवळ", "बजेरियातले लोक"); no kinship word or known
        person ("आईजवळ", near mother)."""
        ending = next((s for s in self.lex.place_of_suffixes if w.key.endswith(s)), "")
        if not ending or len(w.key) - len(ending) < MIN_STEM:
            return False
        stem = w.key[: -len(ending)]
        if stem.endswith("ि"):
            return False  # "मागितला" (asked): a verb's past, no "-तला" of a place
        # a kind of place ("वस्तीतल्या", of the quarter; "तलावाजवळ", near the lake), also in
        # its oblique stem ("मोहल्ल्यातल्या": "मोहल्ला")
        kinds = self.lex.place_heads | {c[0] for c in self.lex.place_cues}
        bases = {stem, stem + "ा"}
        if stem[-1:] in OBLIQUE_VOWELS:
            bases |= {stem[:-1], stem[:-1] + "ा"}  # "तलावा": "तलाव"
        for oblique in ("्या", "्य"):
            if stem.endswith(oblique):
                bases.add(stem[: -len(oblique)] + "ा")  # "मोहल्ल्य(ा)": "मोहल्ला"
        if bases & kinds:
            return False
        return (
            stem not in self.lex.stop
            and stem not in self.lex.not_names
            and (stem,) not in self.lex.kin
            and not self.lex.names.knows(stem)
            and not self._is_honorific(stem)
            and rough_zipf(stem, self.lex.language) < WEAK_ZIPF
            and not (
                stem.endswith(OBLIQUE_VOWELS)
                and rough_zipf(stem[:-1], self.lex.language) >= WEAK_ZIPF
            )
        )

    def _latin_town(self, stem: str) -> bool:
        """A Devanagari stem, or the name its oblique form stands for, that romanises to a
        town of the Latin list and is nobody's name the lexicon knows."""
        if not self.lex.latin_places:
            return False
        forms = [stem]
        for ending, bases in OBLIQUE.get(self.lex.language, ()):
            if ending and stem.endswith(ending) and len(stem) - len(ending) >= 2:
                forms += [stem[: -len(ending)] + base for base in bases]
        return any(
            form not in self.lex.given
            and form not in self.lex.surnames
            and loose_latin(form) in self.lex.latin_places
            for form in forms
        )

    def _honorific(self, words: list[_Word], i: int) -> str | None:
        """Marathi: a name with an honorific glued on ("सुनीताताई") or following it ("जोशी
        सर"). Short honorifics that end ordinary words (बी, जी) count only on a known name."""
        w = words[i]
        nxt = words[i + 1].key if i + 1 < len(words) else ""
        if self._is_honorific(nxt) and w.key not in self.lex.stop:
            return PERSON
        if self.lex.cased:
            return None  # glued honorifics are Marathi's ("सुनीताताई"), not English's
        endings = SUFFIXES.get(self.lex.language, ())
        for honorific in self.lex.after_name:
            at = w.key.find(honorific)
            rest = w.key[at + len(honorific) :] if at >= 0 else ""
            if rest and not any(rest.removeprefix(n) in endings for n in ("", "ं", "ां")):
                continue  # "ईश्वरावर" (on God) holds "राव" inside, no honorific at its end
            if at >= 2:
                stem = w.key[:at]
                if (stem,) in self.lex.kin:
                    return None  # "सासूबाई": a mother-in-law, respectfully, not a name
                if len(honorific) >= 3 or self.lex.names.knows(stem):
                    return PERSON
        return None

    def _facility(self, words: list[_Word], first: int, last: int, entity: str) -> str:
        if entity == FACILITY:
            return entity
        if (
            last + 1 < len(words)
            and self._facility_head(words[last + 1].key)
            and not self._declined(words[last])  # "इंदिरानगरमधल्या दवाखान्यात": where it is
        ):
            return PERSON if self._owner(words[last]) else FACILITY
        return entity

    def _declined(self, w: _Word) -> bool:
        """Marathi: a word with a case ending of three letters or more ("गावातल्या प्राथमिक
        आरोग्य केंद्रात", the village's health centre; "-मध्ये", "-हून"), which a facility's
        name before its head word never takes: it says where the facility is, or whose."""
        if self.lex.cased or self.lex.language in GLUED_PREFIXES:
            return False
        return any(
            w.key.endswith(suf) and len(suf) >= DECLINED_ENDING and len(w.key) > len(suf) + 1
            for suf in (*self.lex.place_suffixes, *self.lex.place_of_suffixes)
            if suf not in GENITIVES  # "सुपेच्या प्राथमिक आरोग्य केंद्रात": Supe's own centre
        )

    def _owner(self, w: _Word) -> bool:
        """Marathi: a known name in the genitive ("ओंकारच्या"), the owner of what follows."""
        genitive = next((g for g in GENITIVES if w.key.endswith(g)), "")
        return bool(genitive) and w.key[: -len(genitive)] in self.lex.given | self.lex.surnames

    def _is_honorific(self, key: str) -> bool:
        """An honorific, alone or declined: "सर", "सरांकडे", "आजींनी", "मॅडमनी"."""
        if key in self.lex.after_name:
            return True
        endings = SUFFIXES.get(self.lex.language, ())
        for h in self.lex.after_name:
            if key.startswith(h) and len(h) >= 2:
                rest = key[len(h) :].removeprefix("ा").removeprefix("ी").removeprefix("ं")
                if not rest or (len(rest) >= 2 and rest in endings):
                    return True
        return False


def _joinable(gap: str) -> bool:
    return gap in (" ", "-", "\u00a0")


#: A name opened by a saint is a church's, a school's or a hospital's ("St. Joseph").
SAINTS = frozenset({"st", "saint", "sankt", "santa", "san"})
#: Abbreviations inside a name, joined to the next word by ". ": "Hauptkirche St. Michaelis".
NAME_ABBREVIATIONS = frozenset({"st", "mt", "dr", "hl"})


def _joinable_after(word: _Word, gap: str) -> bool:
    return _joinable(gap) or (gap == ". " and word.key in NAME_ABBREVIATIONS)


def _as_tokens(words: list[_Word]) -> list[Token]:
    return [Token(w.start, w.end, w.text, w.key) for w in words]


def _word_start(words: list[_Word], char: int) -> int:
    for w in words:
        if w.start <= char < w.end:
            return w.start
    return -1
