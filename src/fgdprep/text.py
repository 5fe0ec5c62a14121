"""Tokens, inflection variants and a phrase index shared by roster, gazetteer and leak check.

Names in FGD transcripts are inflected (German genitive "Annas", Kiswahili/Luganda class
prefixes "kwaJuma", "eMbale", Marathi case suffixes "सीताने", Hebrew prefix letters "ולשרה")
and misspelt by ASR ("akieng" for "Achieng"). A ``\\b`` regex misses most of these: Python's
``\\w`` does not cover Devanagari vowel signs, so "सीताने" has no word boundary after "सीता".
We tokenise with our own word class, look every token up in a dict (exact, then stripped of
known affixes), and only then fuzzy-match, against a small bucket of index tokens that share
the first letter or the last two letters, memoised per distinct token: never a scan of the
whole roster per token.

Matching normalises first (:func:`fold`), so that the recognizers of ``pseudonymise`` and
``deidentify`` and the leak check see through the same evasions: NFKC, invisible characters
(soft hyphen, zero-width joiner, BOM...) removed, look-alike Cyrillic and Greek letters mapped
to Latin ("Аisha" with a Cyrillic А), Luganda elided prefixes ("ow'Okello", "wa'Nambi") and a
name split by a space or a hyphen, also across a line break ("Wan Yama", "Wan-\nyama").
Offsets always point into the original text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

P = TypeVar("P")

# \w plus combining marks (Devanagari signs, Hebrew points, Latin diacritics as marks).
_WORD = r"\w\u0300-\u036f\u0591-\u05c7\u0900-\u0dff"
# Apostrophes join a word's parts, and so do the Hebrew geresh and gershayim (ASCII or not):
# "ג׳וני", "רמב\"ם", "ד״ר" are one word each.
TOKEN_RE = re.compile(
    rf"[{_WORD}]+(?:['’׳״][{_WORD}]+|(?<=[\u05d0-\u05ea])\"[\u05d0-\u05ea][{_WORD}]*)*"
)

# Affixes that attach to names, per language. Stripping only ever leads to an exact index hit.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "en": ("'s", "’s", "s"),
    "de": ("'s", "’s", "s", "es", "n"),
    "sw": ("ni",),
    "lg": (),
    # diminutives and "my" glued to a given name: "נועהל'ה", "נועל׳ה", "אביטלי"
    "he": ("ל'ה", "'לה", "לה", "קה", "וש", "י"),
    "mr": (
        # honorifics glued to a name, alone or before a case ending: "सुनीताताईंनी"
        *(
            h + c
            for h in ("ताई", "दादा", "बाई", "भाऊ", "राव", "मावशी", "भाई", "साहेब", "वहिनी")
            for c in (
                *("ंनी", "ंना", "ंचा", "ंची", "ंचे", "ंच्या"),
                *("ांनी", "ांना", "ांचा", "ांची", "ांचे", "ांच्या"),
                *("ने", "ला", "ची", "चा", "चे", ""),
            )
        ),
        "च्याकडे",
        # the plural of respect: "पाटलांनी", "देशमुखांचा", "कुलकर्णींनी"
        *(
            n + c
            for n in ("ां", "ं")
            for c in ("नी", "ना", "चा", "ची", "चे", "च्या", "कडे", "साठी", "शी", "कडून")
        ),
        # postpositions built on others: "बारामतीजवळच्या", "पुण्यापर्यंत", "गावावरून"
        *(
            p + c
            for p in ("जवळ", "कड", "मधल", "वरल")
            for c in ("च्या", "चा", "ची", "चे", "्या", "ा", "ी", "े")
        ),
        "च्याजवळ",
        # "in the ... of": "पेठेतल्या", "कसबा पेठेतलं", "रोडवरच्या", "मंडईजवळचं"
        *(p + c for p in ("ात", "त", "वर", "जवळ") for c in ("ल्या", "लं", "ले", "च्या", "चं")),
        "पर्यंत",
        # spatial postpositions glued to a place: "पर्वतीवर" (on Parvati), "स्टेशनसमोर"
        *(
            p + c
            for p in ("वर", "समोर", "मागे", "पाशी", "शेजारी")
            for c in ("च्या", "चा", "ची", "चे", "चं", "")
        ),
        "वरून",
        "ातून",
        "तून",
        "मधून",
        "पासून",
        "ातील",
        "तील",
        "ातला",
        "ातली",
        "तला",
        "तली",
        "जवळ",
        "कडून",
        "कडे",
        "साठी",
        "मध्ये",
        "च्या",
        "ने",
        "ला",
        "चा",
        "ची",
        "चे",
        "चं",  # the spoken neuter genitive ("साताऱ्याचं", of Satara)
        "ना",
        "नी",
        "शी",
        "ही",
        "हून",
        "ात",
        "त",
        "स",
    ),
}
PREFIXES: dict[str, tuple[str, ...]] = {
    "sw": ("kwa", "mwa", "wa", "ya", "za", "la", "ku", "mu", "ki", "vi", "ma", "m", "n"),
    "lg": ("kwa", "wa", "ya", "ku", "mu", "ne", "ka", "ba", "e", "o", "n"),
    "he": (
        "וכש",
        "ומה",
        "כשה",
        "שב",
        "שה",
        "של",
        "שמ",
        "כש",
        "מה",
        "לה",
        "בה",
        "וב",
        "ול",
        "וה",
        "ומ",
        "וש",
        "ו",
        "ה",
        "ב",
        "ל",
        "מ",
        "ש",
    ),
}
MIN_STEM = 3
#: Oblique stems a case ending is glued to, back to the name as written alone: Marathi
#: "पुण्याला" (पुणे), "येरवड्यात" (येरवडा), "पेठेत" (पेठ). Only tried after an ending.
OBLIQUE: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "mr": (("्या", ("ा", "े")), ("े", ("",)), ("ल", ("ील",))),
    # a name ending in ה drops it before a diminutive: "נועל'ה" (נועה)
    "he": (("", ("ה",)),),
}
#: Marathi: the plural of respect (anusvara before a case ending) sits on a name ending in a
#: consonant or a long vowel ("पाटलांनी", "कुलकर्णींनी"); after "ा" it is the plural of a
#: noun ("वर्षांची", of years).
NASAL_PLURAL = "ं"
NASAL_NOT_AFTER = "ा"
#: Luganda (and Lusoga) elided prefixes before a name: "ow'Okello", "wa'Nambi", "gw'Achieng".
ELIDED_PREFIXES = ("ow'", "wa'", "w'", "gw'", "ab'", "ak'", "ek'", "og'", "ey'", "bw'", "lw'")

#: Characters that render as nothing (or nearly) and are dropped before matching.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]"
)
#: Cyrillic and Greek letters that look like Latin ones; the Hebrew maqaf as a hyphen.
LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХУІЈЅԁаеорсухіјѕԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοιν\u05be",
    "ABEKMHOPCTXYIJSdaeopcyxijsqwABEZHIKMNOPTYXoiv-",
)
_NEEDS_FOLD = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\u0370-\u03ff"
    "\u0400-\u052f\u05be]"
)

#: Titles and kinship words that are part of aliases ("Mama Grace") but never a name alone.
TITLE_WORDS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "doctor",
        "nurse",
        "sister",
        "brother",
        "auntie",
        "aunt",
        "uncle",
        "pastor",
        "father",
        "sheikh",
        "madam",
        "prof",
        "professor",
        "frau",
        "herr",
        "doktor",
        "schwester",
        "pfleger",
        "tante",
        "onkel",
        "oma",
        "opa",
        "mama",
        "baba",
        "dada",
        "kaka",
        "bibi",
        "babu",
        "mzee",
        "daktari",
        "dokta",
        "dkt",
        "nesi",
        "mwalimu",
        "bi",
        "bwana",
        "shangazi",
        "mjomba",
        "ssebo",
        "nnyabo",
        "jjajja",
        "jajja",
        "maama",
        "taata",
        "ssenga",
        "kojja",
        "mukyala",
        "muky",
        "omwami",
        "nnaalongo",
        "ssaalongo",
        "the",
        # Marathi honorifics and kinship words that follow a name ("वैशाली ताई")
        "ताई",
        "दादा",
        "बाई",
        "भाऊ",
        "मावशी",
        "काका",
        "मामा",
        "आजी",
        "राव",
        "सर",
    }
)

#: Given names that are everyday words in the study languages.
WORD_NAMES = frozenset(
    {
        "hope",
        "grace",
        "will",
        "mercy",
        "faith",
        "joy",
        "patience",
        "precious",
        "gift",
        "charity",
        "prudence",
        "blessing",
        "peace",
        "victory",
        "justice",
        "rose",
        "april",
        "may",
        "june",
        "dawn",
        "hoffnung",
        "ernst",
        "frank",
        "baraka",
        "imani",
        "amani",
        "neema",
        "rehema",
        "upendo",
        "furaha",
        "zawadi",
        "tumaini",
        "faraja",
        "sabra",
    }
)


def fold(text: str) -> tuple[str, list[int] | None]:
    """The text as matching sees it (NFKC, invisible characters dropped, look-alike letters
    mapped) and, for each of its characters, the offset in ``text`` it came from (plus one
    entry for the end); None when folding changed nothing."""
    if text.isascii() or (
        _NEEDS_FOLD.search(text) is None and unicodedata.is_normalized("NFKC", text)
    ):
        return text, None
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        if INVISIBLE.match(c):
            continue
        f = unicodedata.normalize("NFKC", c).translate(LOOKALIKES)
        out.append(f)
        where.extend([i] * len(f))
    where.append(len(text))
    return "".join(out), where


def norm(text: str) -> str:
    """Case- and apostrophe-insensitive form of a token or phrase (folded, NFC, casefolded)."""
    folded = fold(text)[0]
    key = unicodedata.normalize("NFC", folded).casefold().replace("’", "'")
    return key.replace("׳", "'").replace("״", '"')  # Hebrew geresh and gershayim


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    key: str


def tokens(text: str) -> list[Token]:
    """Word tokens of the folded text (:func:`fold`), with offsets into ``text``."""
    folded, where = fold(text)
    if where is None:
        return [
            Token(m.start(), m.end(), m.group(), norm(m.group())) for m in TOKEN_RE.finditer(text)
        ]
    out = []
    for m in TOKEN_RE.finditer(folded):
        start, end = where[m.start()], where[m.end() - 1] + 1
        out.append(Token(start, end, text[start:end], norm(m.group())))
    return out


def phrase_keys(phrase: str) -> tuple[str, ...]:
    return tuple(norm(m.group()) for m in TOKEN_RE.finditer(fold(phrase)[0]))


def variants(key: str, language: str) -> Iterator[tuple[str, int, int]]:
    """Candidate base forms of a token with the lengths of the prefix and suffix removed.

    Language "*" tries the affixes of every language (the leak check reads them all)."""
    if language == "*":
        suffixes = tuple(dict.fromkeys(x for v in SUFFIXES.values() for x in v))
        prefixes = tuple(dict.fromkeys(x for v in PREFIXES.values() for x in v))
    else:
        suffixes = SUFFIXES.get(language, ()) + SUFFIXES["en"][:2]
        prefixes = PREFIXES.get(language, ())
    oblique = OBLIQUE.get(language, ())
    for suf in suffixes:
        if key.endswith(suf) and len(key) - len(suf) >= MIN_STEM:
            stem = key[: -len(suf)]
            if suf.startswith(NASAL_PLURAL) and stem.endswith(NASAL_NOT_AFTER):
                continue  # "वर्षांची" (of years) is no plural of respect of "वर्षा"
            yield stem, 0, len(suf)
            for ending, bases in oblique:
                if stem.endswith(ending) and len(stem) - len(ending) >= 2:
                    for base in bases:
                        yield stem[: len(stem) - len(ending)] + base, 0, len(suf)
    for pre in ELIDED_PREFIXES:
        if key.startswith(pre) and len(key) - len(pre) >= MIN_STEM:
            yield key[len(pre) :], len(pre), 0
    for pre in prefixes:
        if key.startswith(pre) and len(key) - len(pre) >= MIN_STEM:
            stem = key[len(pre) :]
            yield stem, len(pre), 0
            for suf in suffixes:
                if stem.endswith(suf) and len(stem) - len(suf) >= MIN_STEM:
                    yield stem[: -len(suf)], len(pre), len(suf)


_PHONETIC = (("ph", "f"), ("ch", "k"), ("ck", "k"), ("th", "t"), ("sch", "sh"), ("c", "k"))
#: Devanagari long and short vowel signs spelt either way ("सुनिता", "सुनीता"), nukta dropped.
_DEVANAGARI_SOUNDS = str.maketrans({"ी": "ि", "ू": "ु", "ई": "इ", "ऊ": "उ", "\u093c": None})
#: Hebrew vowel letters (matres lectionis) inside a word, spelt or left out: "חדאד", "חדד".
_HEBREW_MATRES = re.compile(r"(?<=[\u05d0-\u05ea])[אוי](?=[\u05d0-\u05ea])")


def defective(key: str) -> str:
    """A Hebrew word without the vowel letters inside it (its defective spelling): "עילית"
    and "עלית" -> "עלת", "עוספיא" and "עספיא" -> "עספא"."""
    return _HEBREW_MATRES.sub("", key)


def phonetic(key: str) -> str:
    """A rough sound key for ASR misspellings: ch/k/c, ph/f, doubled letters, Devanagari
    vowel length, Hebrew vowel letters inside the word."""
    out = key
    for a, b in _PHONETIC:
        out = out.replace(a, b)
    if not out.isascii():
        out = defective(out.translate(_DEVANAGARI_SOUNDS)).replace("'", "")
    return squeeze(out)


def squeeze(key: str) -> str:
    """A word with its doubled letters single ("robbie" -> "robie", "nnakato" -> "nakato")."""
    return re.sub(r"(.)\1+", r"\1", key)


@dataclass(frozen=True)
class Match(Generic[P]):
    """A phrase found in a text: character span, payload, and how it was found."""

    start: int
    end: int
    payload: P
    how: str  # "exact", "inflected" or "fuzzy"
    score: float


@dataclass
class PhraseIndex(Generic[P]):
    """Phrases (one or more tokens) -> payload; finds them in text, longest match first.

    ``fuzzy_threshold`` (0-100, Jaro-Winkler on the token and on its sound key) applies to
    tokens of at least ``fuzzy_min_len`` letters; None turns fuzzy matching off.
    """

    language: str = "en"
    fuzzy_threshold: float | None = None
    fuzzy_min_len: int = 5
    _by_first: dict[str, list[tuple[tuple[str, ...], P]]] = field(default_factory=dict)
    _vocab: set[str] = field(default_factory=set)
    _bucket_first: dict[str, list[str]] = field(default_factory=dict)
    _bucket_last: dict[str, list[str]] = field(default_factory=dict)
    _memo: dict[str, tuple[str, float] | None] = field(default_factory=dict)
    _sounds: dict[str, str] = field(default_factory=dict)

    def add(self, phrase: str, payload: P) -> None:
        keys = phrase_keys(phrase)
        if not keys:
            return
        entries = self._by_first.setdefault(keys[0], [])
        if any(k == keys for k, _ in entries):
            return
        entries.append((keys, payload))
        entries.sort(key=lambda e: -len(e[0]))
        for k in keys:
            if k not in self._vocab:
                self._vocab.add(k)
                self._sounds.setdefault(phonetic(k), k)
                if len(k) >= self.fuzzy_min_len:
                    self._bucket_first.setdefault(k[0], []).append(k)
                    self._bucket_last.setdefault(k[-2:], []).append(k)
        self._memo.clear()

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def knows(self, key: str) -> bool:
        """Whether ``key`` (a normalised token) is a word of some indexed phrase, as written."""
        return key in self._vocab

    def entries(self, first: str | None = None) -> list[tuple[tuple[str, ...], P]]:
        """The indexed phrases (their token keys) with their payloads: all of them, or those
        whose first token is ``first``."""
        if first is not None:
            return list(self._by_first.get(first, ()))
        return [e for entries in self._by_first.values() for e in entries]

    def resolve(self, key: str) -> tuple[str, str, float, int, int] | None:
        """The index token a text token stands for: (index key, how, similarity, prefix and
        suffix lengths outside the name)."""
        if key in self._vocab:
            return key, "exact", 1.0, 0, 0
        if len(key) >= 5 and key[0] == key[1] and key[1:] in self._vocab:
            return key[1:], "inflected", 0.95, 0, 0  # "Nnakato", "Ssekandi": one spelling
        forms = list(variants(key, self.language))
        for v, pre, suf in forms:
            if v in self._vocab:
                return v, "inflected", 0.95, pre, suf
        if self.fuzzy_threshold is not None and not key.isascii():
            for v, pre, suf in forms:  # "सुनिताने": an ending on a name spelt another way
                sound = self._sounds.get(phonetic(v))
                if sound is not None and len(v) >= 4:
                    return sound, "fuzzy", 0.95, pre, suf
        if self.fuzzy_threshold is None or len(key) < 3:
            return None
        sound = self._sounds.get(phonetic(key))
        if sound is not None and (len(key) >= 4 or len(sound) > len(key)):
            return sound, "fuzzy", 0.95, 0, 0  # "Uli" for "Ulli": a letter doubled
        if len(key) < self.fuzzy_min_len:
            return None
        if key in self._memo:
            hit = self._memo[key]
        else:
            hit = self._fuzzy(key)
            if len(self._memo) < 200_000:
                self._memo[key] = hit
        return None if hit is None else (hit[0], "fuzzy", hit[1], 0, 0)

    def _fuzzy(self, key: str) -> tuple[str, float] | None:
        assert self.fuzzy_threshold is not None
        pool = {
            c
            for c in (*self._bucket_first.get(key[0], ()), *self._bucket_last.get(key[-2:], ()))
            if abs(len(c) - len(key)) <= 2
        }
        if not pool:
            return None
        cutoff = self.fuzzy_threshold / 100.0
        choices = sorted(pool)
        best = process.extractOne(
            key, choices, scorer=JaroWinkler.normalized_similarity, score_cutoff=cutoff
        )
        sound = phonetic(key)
        best_sound = process.extractOne(
            sound,
            [phonetic(c) for c in choices],
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=max(cutoff, 0.92),
        )
        found: tuple[str, float] | None = None
        if best is not None:
            found = (best[0], float(best[1]))
        if best_sound is not None and (found is None or best_sound[1] > found[1]):
            found = (choices[best_sound[2]], float(best_sound[1]))
        return found

    def find(self, text: str, toks: Sequence[Token] | None = None) -> list[Match[P]]:
        """Non-overlapping matches, left to right, longest phrase first at each position."""
        toks = tokens(text) if toks is None else toks
        resolved = [self.resolve(t.key) for t in toks]
        out: list[Match[P]] = []
        i = 0
        while i < len(toks):
            r = resolved[i]
            if r is None or r[0] not in self._by_first:
                joined = self._joined(text, toks, i)
                if joined is not None:
                    out.append(joined)
                i += 2 if joined is not None else 1
                continue
            done = False
            for keys, payload in self._by_first[r[0]]:
                n = len(keys)
                if i + n > len(toks):
                    continue
                ok = True
                parts = resolved[i : i + n]
                for j in range(1, n):
                    rj = resolved[i + j]
                    gap = text[toks[i + j - 1].end : toks[i + j].start]
                    if rj is not None and rj[0] == keys[j] and _joinable(gap):
                        continue
                    if (
                        _joinable(gap)
                        and r[4] == 0  # "שכבתי שבוע" (I lay a week) is no "בת שבע"
                        and self._spelt_alike(toks[i + j].key, keys[j])
                    ):
                        parts[j] = (keys[j], "inflected", 0.95, 0, 0)  # "נצרת עילית"
                        continue
                    ok = False
                    break
                if not ok:
                    continue
                if n == 1 and len(keys[0]) <= 2 and not _written_as_name(toks[i].text):
                    continue
                hows = {p[1] for p in parts if p is not None}
                how = (
                    "fuzzy" if "fuzzy" in hows else "inflected" if "inflected" in hows else "exact"
                )
                score = min(p[2] for p in parts if p is not None)
                first, last = parts[0], parts[-1]
                assert first is not None and last is not None
                start = toks[i].start + first[3]
                end = toks[i + n - 1].end - last[4]
                out.append(Match(start, end, payload, how, score))
                i += n
                done = True
                break
            if not done:
                joined = self._joined(text, toks, i)
                if joined is not None:
                    out.append(joined)
                    i += 2
                else:
                    i += 1
        return out

    def _spelt_alike(self, key: str, listed: str) -> bool:
        """Hebrew: a later word of a listed name spelt with or without its vowel letters
        (plene or defective: "נצרת עילית" for "נצרת עלית", "קרית" for "קריית")."""
        return (
            self.language == "he"
            and min(len(key), len(listed)) >= MIN_STEM
            and defective(key) == defective(listed)
        )

    def _joined(self, text: str, toks: Sequence[Token], i: int) -> Match[P] | None:
        """A one-word name split in two: "Wan Yama", "Wan-yama", "Wan-\\n-yama"."""
        if i + 1 >= len(toks) or not SPLIT_GAP.fullmatch(text[toks[i].end : toks[i + 1].start]):
            return None
        key = toks[i].key + toks[i + 1].key
        if len(key) < self.fuzzy_min_len:
            return None
        r = self.resolve(key)
        if r is None or r[1] != "exact":
            return None  # "wa Temeke" is no "watemeke": the joined word must be a name as is
        for keys, payload in self._by_first.get(r[0], ()):
            if len(keys) == 1:
                end = toks[i + 1].end - r[4]
                return Match(toks[i].start + r[3], end, payload, "joined", r[2])
        return None


#: What may stand between the two halves of a split name: a space, or a hyphen with a line
#: break (and a second hyphen) around it.
SPLIT_GAP = re.compile(r" |\s*-\s*-?\s*|-?\s*\n\s*-?\s*")


def _written_as_name(word: str) -> bool:
    """A short given name only counts written as one: "Jo", not "jo" or "JO"."""
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _joinable(gap: str) -> bool:
    return len(gap) <= 3 and all(c in " -'’.\u00a0\u05be" for c in gap)


#: Two-letter words of the study languages that are never indexed as a given name alone.
SHORT_WORDS = frozenset(
    {
        "am",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "hi",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "oh",
        "ok",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
        "ya",
        "na",
        "ni",
        "wa",
        "za",
        "la",
        "ku",
        "mu",
        "ki",
        "vi",
        "ne",
        "ka",
        "ba",
        "er",
        "es",
        "du",
        "da",
        "ja",
        "wo",
        "zu",
        "um",
        "im",
        "ab",
    }
)


def name_parts(phrase: str) -> list[str]:
    """The parts of a multi-word name that are indexed alone: three letters or more, or a
    two-letter given name ("Jo", "Li") that is no common word (it then only matches written
    as a name, :meth:`PhraseIndex.find`); never a title ("Mama")."""
    keys = phrase_keys(phrase)
    if len(keys) < 2:
        return []
    return [
        k
        for k in keys
        if k not in TITLE_WORDS and (len(k) >= 3 or (len(k) == 2 and k not in SHORT_WORDS))
    ]


def words_of(phrases: Iterable[str]) -> set[str]:
    return {k for p in phrases for k in phrase_keys(p)}


def age_band(value: str) -> str:
    """ "34" -> "30-39"; ages under 18 stay "under 18" (minors are always generalised)."""
    try:
        years = int(value)
    except ValueError:
        return "age"
    if years < 18:
        return "under 18"
    low = years // 10 * 10
    return f"{low}-{low + 9}"


#: Devanagari to the Latin spelling Marathi speakers use in code-switched text ("Sunita",
#: "Rajesh", "Kulkarni"): consonants with their inherent "a", vowel signs, a final "a" dropped.
_DEVA_CONSONANTS = dict(
    zip(
        "कखगघङचछजझञटठडढणतथदधनपफबभमयरलळवशषसहऱ",
        re.findall(
            r"\S+",
            "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l l v sh sh s h r",
        ),
        strict=True,
    )
)
_DEVA_VOWELS = dict(
    zip(
        "अआइईउऊएऐओऔऋािीुूेैोौृंँः",
        re.findall(r"\S+", "a a i i u u e ai o au ru a i i u u e ai o au ru n n h"),
        strict=True,
    )
)
_VIRAMA = "\u094d"


def latin(phrase: str) -> str:
    """A Devanagari name as it is commonly written in Latin letters ("सुनीता पाटील" ->
    "sunita patil", "राजेश कुलकर्णी" -> "rajesh kulkarni"): a final inherent "a" is dropped,
    and so is a medial one between a vowel-consonant and a consonant-vowel; other characters
    are kept."""
    units: list[list[str]] = []  # [letters, kind]: kind "c" consonant, "a" its inherent a, "v"
    chars = [c for c in phrase if c != "\u093c"]  # nukta
    for i, c in enumerate(chars):
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if c in _DEVA_CONSONANTS:
            units.append([_DEVA_CONSONANTS[c], "c"])
            word_end = not ("\u0900" <= nxt <= "\u097f") or nxt in "ंँः"
            if nxt != _VIRAMA and nxt not in _DEVA_VOWELS and not word_end:
                units.append(["a", "a"])
        elif c in _DEVA_VOWELS:
            units.append([_DEVA_VOWELS[c], "v"])
        elif c != _VIRAMA:
            units.append([c, "o"])
    kinds = "".join(u[1] for u in units)
    for k in range(2, len(units) - 2):
        between = kinds[k - 2] in "va" and kinds[k + 1] == "c" and kinds[k + 2] in "va"
        if kinds[k] == "a" and kinds[k - 1] == "c" and between:
            units[k][0] = ""
            kinds = kinds[:k] + "x" + kinds[k + 1 :]
    return re.sub(r"n(?=[pbm])", "m", "".join(u[0] for u in units))


#: Spellings of one sound in romanised Indian names ("Wardha"/"vardha", "Kolhapur").
_LOOSE_LETTERS = (("w", "v"), ("z", "j"), ("q", "k"), ("x", "ks"), ("ee", "i"), ("oo", "u"))
#: The "h" of an aspirate or of "sh" after a consonant ("bh", "th", "chh", "sh").
_ASPIRATE_H = re.compile(r"(?<=[bcdgjklmnprstv])h")


@functools.lru_cache(maxsize=65536)
def loose_latin(name: str) -> str:
    """A loose key of a place name in Latin letters or Devanagari, for matching the two:
    Devanagari romanised by :func:`latin` (consonants, vowel signs, anusvara, virama, an
    inherent "a" dropped at the end and between syllables), accents folded, then vowel length
    ("aa", "ee", "oo"), aspiration ("bh", "th"), retroflex ("ड"/"द" are both "d") and
    doubled letters folded, w/v and z/j alike, and every "a" after the first letter dropped
    (an inherent "a" is spoken or not by rules no table gets right, "अमरावती" -> "amravti"
    for "Amrāvati"; "ā" is "a" once length is folded): "कामठी" and "Kāmthi" -> "kmti",
    "भंडारा" and "Bhandāra" -> "bndr"."""
    text = latin(name) if not name.isascii() else name
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z]", "", text)
    for a, b in _LOOSE_LETTERS:
        text = text.replace(a, b)
    text = squeeze(_ASPIRATE_H.sub("", text))
    return text[:1] + text[1:].replace("a", "")
