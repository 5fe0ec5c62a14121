"""Phone numbers of the study's countries, as digit runs and as spoken digit words.

Digit runs ("+256 772 123456", "0772-123-456", "(0731) 500 2010") are checked with
libphonenumber for every country of the study's sites. Spoken numbers ("zero seven seven
two one two ...", "plus two five six ...", "sifuri saba ...", "null eins fünf ...") are read
into digits; nine or more digits (or a leading "plus") make a phone number.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from fgdprep.entities import PHONE
from fgdprep.recognizers.base import RecognizerContext, every_language, result
from fgdprep.recognizers.patterns import id_cue_before
from fgdprep.text import tokens

NAME = "phone"
COUNTRIES = ("UG", "TZ", "KE", "IN", "IL", "DE", "GB", "US")

# an Aadhaar number: 12 digits in fours, never starting with 0 or 1 (phones here start with 0)
AADHAAR = re.compile(r"^[2-9]\d{3} \d{4} \d{4}$")
# digits with spaces, dots, hyphens and brackets between; one slash after an area code
# ("040 / 22 81 93 40", "0731/500 2010")
DIGIT_RUN = re.compile(
    r"(?<![\w+/])(?:\+|00)?\(?\d(?:[\d ().\-]{6,20}|[\d ().\-]{1,6} ?/ ?[\d ().\-]{3,16})\d"
    r"(?![\w/])"
)

DIGIT_WORDS: dict[str, str] = {
    # English
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "nought": "0",
    # German
    "null": "0",
    "eins": "1",
    "zwei": "2",
    "zwo": "2",
    "drei": "3",
    "vier": "4",
    "fünf": "5",
    "sechs": "6",
    "sieben": "7",
    "acht": "8",
    "neun": "9",
    # Kiswahili
    "sifuri": "0",
    "moja": "1",
    "mbili": "2",
    "tatu": "3",
    "nne": "4",
    "tano": "5",
    "sita": "6",
    "saba": "7",
    "nane": "8",
    "tisa": "9",
    # Luganda
    "zeero": "0",
    "emu": "1",
    "bbiri": "2",
    "ssatu": "3",
    "nnya": "4",
    "ttaano": "5",
    "mukaaga": "6",
    "musanvu": "7",
    "munaana": "8",
    "mwenda": "9",
    "ziro": "0",
    "ziiro": "0",
    "zzeero": "0",
    "sufuri": "0",
    "omu": "1",
    "kimu": "1",
    "biri": "2",
    "satu": "3",
    "nya": "4",
    "taano": "5",
    "ttano": "5",
    "mukaga": "6",
    "musamvu": "7",
    "munana": "8",
    "mwennda": "9",
    # Hebrew (masculine and feminine forms)
    "אפס": "0",
    "אחת": "1",
    "אחד": "1",
    "שתיים": "2",
    "שתים": "2",
    "שניים": "2",
    "שלוש": "3",
    "שלושה": "3",
    "ארבע": "4",
    "ארבעה": "4",
    "חמש": "5",
    "חמישה": "5",
    "שש": "6",
    "שישה": "6",
    "שבע": "7",
    "שבעה": "7",
    "שמונה": "8",
    "תשע": "9",
    "תשעה": "9",
    # Marathi
    "शून्य": "0",
    "एक": "1",
    "दोन": "2",
    "तीन": "3",
    "चार": "4",
    "पाच": "5",
    "सहा": "6",
    "सात": "7",
    "आठ": "8",
    "नऊ": "9",
}
# numbers from ten to nineteen, read as one pair
DIGIT_WORDS.update(
    {
        "ten": "10",
        "eleven": "11",
        "twelve": "12",
        "thirteen": "13",
        "fourteen": "14",
        "fifteen": "15",
        "sixteen": "16",
        "seventeen": "17",
        "eighteen": "18",
        "nineteen": "19",
        "zehn": "10",
        "elf": "11",
        "zwölf": "12",
        "dreizehn": "13",
        "vierzehn": "14",
        "fünfzehn": "15",
        "sechzehn": "16",
        "siebzehn": "17",
        "achtzehn": "18",
        "neunzehn": "19",
    }
)
# Hebrew "and" glued to the last digit word: "אפס חמש ... ושבע"
for _word, _digit in list(DIGIT_WORDS.items()):
    if "\u05d0" <= _word[0] <= "\u05ea":
        DIGIT_WORDS["ו" + _word] = _digit
#: Tens read in pairs ("seventy two", "sabini na mbili"); the unit may follow, joined by "and".
TENS: dict[str, str] = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
    "zwanzig": "2",
    "dreißig": "3",
    "vierzig": "4",
    "fünfzig": "5",
    "sechzig": "6",
    "siebzig": "7",
    "achtzig": "8",
    "neunzig": "9",
    "ishirini": "2",
    "thelathini": "3",
    "arobaini": "4",
    "hamsini": "5",
    "sitini": "6",
    "sabini": "7",
    "themanini": "8",
    "tisini": "9",
}
REPEAT = {"double": 2, "triple": 3, "doppel": 2, "mara": 0}
# Spoken numbers may only be joined by spaces, commas and hyphens.
_JOIN = re.compile(r"^[\s,\-]*$")


class FgdPhoneRecognizer(EntityRecognizer):
    def __init__(self, language: str, countries: tuple[str, ...]) -> None:
        self.countries = tuple(dict.fromkeys((*countries, *COUNTRIES)))
        super().__init__(supported_entities=[PHONE], name=NAME, supported_language=language)

    @classmethod
    def from_context(cls, ctx: RecognizerContext) -> FgdPhoneRecognizer:
        return cls(ctx.language, ctx.countries)

    def load(self) -> None:
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        out = [result(PHONE, s, e, 0.9, NAME, how="digits") for s, e in self._digit_runs(text)]
        out += [
            result(PHONE, s, e, 0.9, NAME, how="spoken")
            for s, e in _spoken(text)
            if not id_cue_before(text, s)
        ]
        return out

    def _digit_runs(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for m in DIGIT_RUN.finditer(text):
            raw = m.group()
            if AADHAAR.match(raw) or id_cue_before(text, m.start()):
                continue  # an identity number, not a phone number
            if re.search(r"[A-Za-z][-/]$", text[max(0, m.start() - 2) : m.start()]):
                continue  # the digits of a code ("SGH-2019-0047731"), not a phone number
            digits = re.sub(r"\D", "", raw)
            if not 9 <= len(digits) <= 15:
                continue
            if raw.startswith("00"):
                raw = "+" + raw[2:]
            if self._valid(raw):
                spans.append((m.start(), m.end()))
        return spans

    def _valid(self, raw: str) -> bool:
        regions: tuple[str | None, ...] = (None,) if raw.startswith("+") else self.countries
        for region in regions:
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        # international digits without "+": 256772123456
        digits = re.sub(r"\D", "", raw)
        if not raw.startswith("+") and len(digits) >= 11:
            try:
                number = phonenumbers.parse("+" + digits, None)
            except phonenumbers.NumberParseException:
                return False
            return bool(phonenumbers.is_valid_number(number))
        return False


def _spoken(text: str) -> list[tuple[int, int]]:
    """Runs of digit words (and digits) read out, with "double"/"triple" and "plus"."""
    toks = tokens(text)
    spans = []
    i = 0
    while i < len(toks):
        start_i = i
        digits = ""
        plus = False
        words = 0
        repeat = 1
        j = i
        last = i - 1
        while j < len(toks):
            if j > start_i and not _JOIN.match(text[toks[j - 1].end : toks[j].start]):
                break
            key = toks[j].key
            if key in every_language("phone", "plus") and not digits:
                plus = True
            elif REPEAT.get(key):
                repeat = REPEAT[key]
            elif key in DIGIT_WORDS:
                digits += DIGIT_WORDS[key] * repeat
                repeat = 1
                words += 1
                last = j
            elif key in TENS:
                unit = "0"
                nxt = j + 1
                if nxt < len(toks) and toks[nxt].key in every_language("phone", "pair_join"):
                    nxt += 1
                if nxt < len(toks) and toks[nxt].key in DIGIT_WORDS:
                    unit = DIGIT_WORDS[toks[nxt].key]
                    j = nxt
                digits += (TENS[key] + unit) * repeat
                repeat = 1
                words += 1
                last = j
            elif _german_pair(key) is not None:
                digits += (_german_pair(key) or "") * repeat
                repeat = 1
                words += 1
                last = j
            elif key.isdigit() and len(key) <= 4:
                digits += key * repeat
                repeat = 1
                last = j
            else:
                break
            j += 1
        if words >= 3 and (len(digits) >= 9 or (plus and len(digits) >= 7)) and last >= start_i:
            spans.append((toks[start_i].start, toks[last].end))
            i = last + 1
        else:
            i = max(j, i + 1) if j > i and words == 0 else i + 1
    return spans


def _german_pair(key: str) -> str | None:
    """ "zweiundsiebzig" -> "72": Germans read phone numbers in pairs."""
    if "und" not in key:
        return None
    unit, _, tens = key.partition("und")
    if unit == "ein":  # "einundachtzig"
        unit = "eins"
    if unit in DIGIT_WORDS and tens in TENS and unit not in ("null", "zero"):
        return TENS[tens] + DIGIT_WORDS[unit]
    return None


def number_words(surface: str) -> bool:
    """Whether a span is only number words ("mukaaga", "musanvu"): inside a number read out,
    such words are digits, not a near-miss of a roster name."""
    keys = [t.key for t in tokens(surface)]
    return bool(keys) and all(
        k in DIGIT_WORDS or k in TENS or _german_pair(k) is not None for k in keys
    )
