"""E-mail addresses, ID-like numbers, calendar dates and ages."""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import ClassVar, Self

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import AGE, DATE, EMAIL, ID_NUMBER
from fgdprep.recognizers.ages import spoken_ages
from fgdprep.recognizers.base import RecognizerContext, every_language_data, result

#: A letter of a word in any study script: Python's ``\w`` leaves out Devanagari vowel signs
#: ("जीमेल" would break into pieces), the joiners inside Devanagari words, Hebrew points and
#: the geresh ("ג׳ימייל").
_W = r"[\w\u0900-\u097f\u0591-\u05c7\u05f3\u05f4\u200c\u200d']"
#: Letters, digits and the marks a written name of an address has ("k.wolff", "t-online").
_WX = r"[\w\u0900-\u097f\u0591-\u05c7\u05f3\u05f4\u200c\u200d'.-]"
_END = r"(?![\w\u0900-\u097f\u0591-\u05c7\u05f3\u05f4\u200c\u200d])"


@dataclasses.dataclass(frozen=True)
class EmailWords:
    """The words of an address read out, of every study language together (``email`` in
    ``data/lang_<code>.yaml``; speakers code-switch inside an address)."""

    dot: frozenset[str]
    at: frozenset[str]
    join: frozenset[str]
    joined: frozenset[str]
    tld: frozenset[str]
    providers: frozenset[str]
    numbers: frozenset[str]
    glued: frozenset[str]
    cues: frozenset[str]
    weak_cues: frozenset[str]


@functools.cache
def email_words() -> EmailWords:
    found: dict[str, set[str]] = {f.name: set() for f in dataclasses.fields(EmailWords)}
    for data in every_language_data():
        section = data.get("email") or {}
        for key, words in found.items():
            words.update(str(w).casefold() for w in section.get(key) or ())
        found["numbers"].update(
            str(w).casefold() for w in (data.get("ages") or {}).get("numbers") or ()
        )
    return EmailWords(**{k: frozenset(v) for k, v in found.items()})


def _alt(words: frozenset[str]) -> str:
    """A regex alternation of ``words``, longest first ("at the rate" before "at")."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"


@functools.cache
def _email_patterns() -> tuple[Pattern, ...]:
    words = email_words()
    dot = _alt(words.dot)
    join = _alt(words.dot | words.join)
    at = _alt(words.at | {"at", "@"})
    tld = _alt(words.tld)
    # numbers read out inside an address's name ("pinky dot bhosale ninety nine at ..."),
    # German ones written as one word ("zweiundachtzig")
    numbers = _alt(words.numbers)
    number = rf"(?:\d+|{numbers}(?:und{numbers})?){_END}"
    # a dot as ASR writes it between host and domain: " dot ", ".", " . "
    dots = rf"(?: {dot} | ?\. ?)"
    # the local part: words glued by spoken dots, underscores, dashes, numbers, "all joined"
    # ("grace . nambi", as ASR writes a spoken dot)
    local = (
        rf"(?<![\w@.'-]){_WX}*{_W}"
        rf"(?:(?: {join} | [._-] ){_W}+| {number}| {_alt(words.joined)})*"
    )
    # the host: one word, or two ("at heart sounds dot org", "at t minus online punkt de")
    host = rf"{_W}(?:{_W}|-)*(?: (?:{join} )?{_W}+)?"
    # the domain after the host: ".com", " dot co dot in", " dotcom"; a Marathi postposition
    # may be glued to its end ("डॉट कॉमवर", on ...com), outside the span
    domain = (
        rf"(?:(?:{dots}{tld})+| (?:dotcom|डॉटकॉम))"
        rf"(?={_alt(words.glued)}?{_END})"
    )
    return (
        Pattern("written", r"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b", 0.95),
        # a comma typed for the last dot: "grace@gmail,com"
        Pattern("comma", rf"\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)*,{tld}\b", 0.9),
        Pattern("spoken", rf"{local} {at} {host}{domain}", 0.9),
        # "nambi@gmail dot com", "nambi @ gmail . com": written and spoken parts mixed
        Pattern("mixed", rf"(?<![\w@.-])[\w.+-]*\w ?@ ?[\w-]+{domain}", 0.9),
        # "nambi at gmail", "nambi at yahoo com": a mail provider, the domain left unsaid
        # (only before the end of the clause or a word in another script: "at gmail आहे")
        Pattern(
            "provider",
            rf"{local} {at} ?{_alt(words.providers)}(?:(?:(?:{dots}| ){tld})+{_END}"
            r"|(?= ?(?:[.,;:!?)\u0964]|$)| [\u0900-\u097f\u0590-\u05ff]))",
            0.9,
        ),
        # "mary.nambi (at) yahoo.com", "mary.nambi[at]yahoo[dot]com", "mary.nambi @ yahoo.com"
        Pattern(
            "bracketed",
            r"(?<![\w@])[\w.+-]+ ?(?:[(\[{] ?(?:at|@) ?[)\]}]| @ ) ?[\w-]+"
            r"(?:(?: ?[(\[{] ?(?:dot|\.) ?[)\]}] ?|\.)[\w-]+)*"
            rf"(?: ?[(\[{{] ?(?:dot|\.) ?[)\]}}] ?|\.){tld}\b",
            0.9,
        ),
    )


class FgdEmailRecognizer(PatternRecognizer):
    """Written addresses (name@host.tld) and spoken ones ("grace at gmail dot com")."""

    def __init__(self, language: str) -> None:
        super().__init__(
            supported_entity=EMAIL,
            name="email",
            supported_language=language,
            patterns=list(_email_patterns()),
        )

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> FgdEmailRecognizer:
        return cls(ctx.language)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = list(
            super().analyze(text, entities, nlp_artifacts, regex_flags) or []
        )
        for r in out:
            if "@" not in text[r.start : r.end]:
                r.start = spoken_local_part(text, _spelt_start(text, r.start))
        return out


_LETTER_BEFORE = re.compile(r"(?<![\w'])[^\W\d_] $")


def _spelt_start(text: str, start: int) -> int:
    """Where a name spelt letter by letter starts ("g r a c e at gmail dot com"): the
    single letters right before a one-letter ``start``, else ``start``."""
    if not re.match(r"[^\W\d_](?!\w)", text[start:]):
        return start
    while (m := _LETTER_BEFORE.search(text, 0, start)) is not None:
        start = m.start()
    return start


_WORD_BEFORE = re.compile(
    r"((?:[^\W\d_]|\d)[\w\u0900-\u097f\u0591-\u05c7\u05f3\u05f4\u200c\u200d'-]*) $"
)
#: How many words a spoken address's name may have (ASR splits "atimhope85" into three).
MAX_LOCAL_WORDS = 3
#: Marks that end the clause before a spoken address ("ईमेल पण देते, sunny jadhav at ...").
_CLAUSE_END = ("", ":", ",", ";", "(", "\u2013", "\u2014", "\u0964")


def spoken_local_part(text: str, start: int) -> int:
    """Where a spoken address starts when ASR split its name into words ("my email is grace
    nambi at gmail dot com"): one word back if a cue word ("is", "ni", "ye"; ``cues`` of
    ``email`` in the language data), a colon, a comma or the start of the text comes right
    before it, up to :data:`MAX_LOCAL_WORDS` back where a strong cue does ("it is atim hope 85
    at ..."; not "the long letter grace at ..."); else ``start``."""
    words = email_words()
    begin = found = start
    for step in range(MAX_LOCAL_WORDS - 1):
        m = _WORD_BEFORE.search(text, 0, begin)
        if m is None or m.group(1).casefold() in words.cues:
            break
        begin = m.start(1)
        before = _WORD_BEFORE.search(text, 0, begin)
        cue = "" if before is None else before.group(1).casefold()
        strong = cue in words.cues and (step == 0 or cue not in words.weak_cues)
        if strong or text[:begin].rstrip()[-1:] in _CLAUSE_END:
            found = begin
    return found


#: Words that say the number after them is an identity, file or insurance number, not a
#: phone number (an Aadhaar number has 12 digits, an Israeli ID 9: both read as phones).
ID_CUE = re.compile(
    r"(?:\bID|\bI\.D\.|identity|identification|\bNIN\b|\bNIDA\b|passport|file|patient"
    r"|kitambulisho|Ausweis\w*|Personalausweis\w*|Versicherten\w*|Krankenversicherungs\w*"
    r"|Patientennummer|Aktenzeichen|endagamuntu|ndagamuntu|\bPAN\b|Aadhaa?r|aadhar"
    r"|\w*(?:versicherungs|kassen|fall|akten|kunden|renten|steuer|sozialversicherungs)nummer"
    r"|\bfaili|\bbima\b|NHIF|\bkadi\b|mgonjwa|\bkaadi\b|\bNIN\b|केस\s*पेपर|कार्ड"
    r"|UHID|\bMRN\b|\bIPD\s+(?:no|number)|\bOPD\s+(?:no|number)|Fallnummer"
    r"|תעודת\s+(?:ה)?זהות|ת\.ז\.?|ת״ז|ת\"ז|מספר\s+(?:ה)?זהות|זהות|आधार|पॅन|ओळखपत्र)"
    r"(?:[\s:,.\-]+(?:card|number|no|nr|nummer|namba|ya|yangu|yake|ni|ist|lautet|is|was|my|of"
    r"|kadi|कार्ड|नंबर|क्रमांक|मधील|चा|शी|שלי|שלו|שלה|מספר|זה|היא|הוא|ennamba|yange|ye"
    r"|kyange|\S{0,3}))*[\s:,.\-]*$",
    re.IGNORECASE,
)
ID_RUN = re.compile(r"(?<![\w+])\d[\d \-/]{4,30}\d(?!\w)")


def id_cue_before(text: str, start: int) -> bool:
    """Whether an identity-number cue ends just before ``start`` ("ID number", "ת״ז")."""
    return ID_CUE.search(text[max(0, start - 60) : start]) is not None


class FgdIdNumberRecognizer(PatternRecognizer):
    """National IDs, file and insurance numbers: long digit runs, letter+digit codes, and any
    digit run after an identity-number cue."""

    PATTERNS = (
        Pattern("ug_nin", r"\b(?:CM|CF)[A-Z0-9]{12}\b", 0.9),
        # read or typed in groups: "CM 8801 2103 K7PA"
        Pattern("ug_nin_spaced", r"\b(?:CM|CF)(?: ?[A-Z0-9]){12}\b", 0.85),
        Pattern("aadhaar", r"\b[2-9]\d{3} \d{4} \d{4}\b", 0.85),
        Pattern("coded", r"\b[A-Z]{1,4}[-/]?\d{5,}[A-Z]{0,3}\b", 0.85),
        Pattern("file", r"\b[A-Z]{1,4}(?:[-/]\d{2,}){2,3}\b", 0.85),
        Pattern("digits", r"(?<![\d+])\d{6,8}(?!\d)", 0.85),
        Pattern("slashed", r"\b\d{2,6}/\d{2,6}/\d{2,6}\b(?!\s*\d)", 0.6),
        # German health insurance number: a letter and nine digits, read in groups
        Pattern("de_kvnr", r"\b[A-Z] ?\d{3} ?\d{3} ?\d{3}\b", 0.85),
    )

    def __init__(self, language: str) -> None:
        super().__init__(
            supported_entity=ID_NUMBER,
            name="id_number",
            supported_language=language,
            patterns=list(self.PATTERNS),
            global_regex_flags=re.UNICODE,
        )

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> FgdIdNumberRecognizer:
        return cls(ctx.language)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = list(
            super().analyze(text, entities, nlp_artifacts, regex_flags) or []
        )
        for m in ID_RUN.finditer(text):
            if len(re.sub(r"\D", "", m.group())) >= 6 and id_cue_before(text, m.start()):
                out.append(result(ID_NUMBER, m.start(), m.end(), 0.95, "id_number", how="cue"))
        return out


MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    # German (and Austrian), abbreviations with their dot
    "|januar|jänner|februar|feber|märz|mai|juni|juli|oktober|dezember"
    r"|(?:jan|jän|feb|mär|apr|aug|sept|sep|okt|nov|dez)\."
    "|okt|dez"
    # Kiswahili
    "|januari|februari|machi|aprili|mei|julai|agosti|septemba|oktoba|novemba|desemba"
    # Luganda
    "|gatonnya|mukutulansanja|mugulansigo|kafuumuulampawu|muzigo|ssebaaseka|kasambula"
    "|muwakanya|mutunda|mukulukusabitungotungo|museenene|ntenvu"
    # ... and as Luganda speakers borrow them ("Okitobba", "Febwali")
    "|janwali|febwali|maaki|apuli|maayi|juuni|julaayi|agusito|sebuttemba|okitobba|okitoba"
    "|novemba|ddesemba"
    # Hebrew (Gregorian and Hebrew calendar), with the prefix letters ב/ל/ה before them
    "|[בלה]?(?:ינואר|פברואר|מרץ|מרס|אפריל|מאי|יוני|יולי|אוגוסט|ספטמבר|אוקטובר|נובמבר|דצמבר"
    "|תשרי|חשוון|חשון|כסלו|טבת|שבט|אדר|ניסן|אייר|סיוון|סיון|תמוז|אב|אלול)"
    # Marathi, with its case endings glued on ("ऑगस्टला")
    "|(?:जानेवारी|फेब्रुवारी|मार्च|एप्रिल|मे|जून|जुलै|ऑगस्ट|सप्टेंबर|ऑक्टोबर|नोव्हेंबर"
    "|डिसेंबर)(?:ला|मध्ये|च्या|ची|चा|चे|पासून|पर्यंत|ात)?"
)
# Never inside a word: a month name, day or year is followed by no letter or digit ("Nov" is
# no match in "Novemba": the whole word is, or nothing), in any script.
_END = r"(?![\w\u0590-\u05ff\u0900-\u097f])"
_MONTH = rf"(?:{MONTHS}){_END}"
# a day is digits of any script (\d also matches Devanagari digits: "१५ ऑगस्ट")
_DAY = r"\d{1,2}(?:st|nd|rd|th|\.)?"
# a year may carry a Marathi case ending ("२०२१ला"), left outside the date
_YEAR = rf"(?:,?\s+\d{{4}}(?=(?:ला|मध्ये|च्या|पासून|पर्यंत|ात|त)?{_END}))?"
#: English ordinals spoken out: "on the second of june", "twenty-first of March".
_ORDINAL = (
    r"(?:twenty[- ]|thirty[- ])?(?:first|second|third|fourth|fifth|sixth|seventh|eighth"
    r"|ninth)|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    r"|eighteenth|nineteenth|twentieth|thirtieth"
)
_NUMERIC = rf"\d{{1,2}}[./]\d{{1,2}}[./](?:\d{{4}}|\d{{2}}){_END}|\d{{4}}-\d{{2}}-\d{{2}}{_END}"
DATE_RE = re.compile(
    # a Hebrew prefix letter may be glued to the day's digits ("ב12 במרץ", "וב3.5.2021")
    rf"(?:(?<![\w\u0590-\u05ff\u0900-\u097f])|(?<=\b[בלמו])|(?<=\bו[בלמ]))(?:"
    # Kiswahili "tarehe 27 Novemba 2026", "tarehe 27/11/2026": the cue word and the date
    rf"tarehe\s+(?:{_NUMERIC}|\d{{1,2}}{_END}(?:\s+{_MONTH})?{_YEAR})"
    rf"|{_DAY}\s+(?:of\s+|ya\s+)?{_MONTH}{_YEAR}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?{_END}{_YEAR}"
    rf"|(?:{_ORDINAL})\s+of\s+{_MONTH}{_YEAR}"
    rf"|{_NUMERIC}"
    # German day and month without a year after "am/vom/bis/zum/ab/seit": "am 2.10."
    r"|(?:(?<=\bam )|(?<=\bvom )|(?<=\bbis )|(?<=\bzum )|(?<=\bab )|(?<=\bseit ))"
    rf"\d{{1,2}}\.\d{{1,2}}\.(?![\d\w]))",
    re.IGNORECASE,
)


class _KeepableRecognizer(EntityRecognizer):
    """A recognizer of one entity the study config may keep in the text (``dates: keep``,
    ``ages: keep``): ``SETTING`` names that key of the recognizer context."""

    ENTITY: ClassVar[str]
    NAME: ClassVar[str]
    SETTING: ClassVar[str]

    def __init__(self, language: str) -> None:
        entities = [self.ENTITY]
        super().__init__(supported_entities=entities, name=self.NAME, supported_language=language)

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> Self | None:
        return None if getattr(ctx, cls.SETTING) == "keep" else cls(ctx.language)

    def load(self) -> None:
        pass


class FgdDateRecognizer(_KeepableRecognizer):
    """Calendar dates (not "last year"): a day with a month, or a numeric date."""

    ENTITY, NAME, SETTING = DATE, "date", "dates"

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return [result(DATE, m.start(), m.end(), 0.9, "date") for m in DATE_RE.finditer(text)]


AGE_RE = re.compile(
    r"\b(\d{1,3})(?:\s+|-)(?:years?|yrs?)(?:\s+|-)old\b"
    r"|\baged?\s+(?:of\s+)?(\d{1,3})\b"
    r"|\b(\d{1,3})\s+Jahre\s+alt\b|\b(\d{1,3})-?jährig"
    r"|\bmiaka\s+(\d{1,3})\b",
    re.IGNORECASE,
)


class FgdAgeRecognizer(_KeepableRecognizer):
    """A person's age: only the number, so "[30-39] years old" still reads."""

    ENTITY, NAME, SETTING = AGE, "age", "ages"

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = []
        for m in AGE_RE.finditer(text):
            group = next(g for g in range(1, 6) if m.group(g) is not None)
            out.append(result(AGE, m.start(group), m.end(group), 0.9, "age"))
        taken = {(r.start, r.end) for r in out}
        for start, end in spoken_ages(text, self.supported_language):
            if (start, end) not in taken:
                out.append(result(AGE, start, end, 0.85, "age", how="spoken"))
        return out
