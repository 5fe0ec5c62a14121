"""Ages said in words or bare digits, as ASR writes them: "i am now thirty", "Ich bin
zweiundfünfzig", "miaka ishirini na tano", "wa myaka amakumi ana", "בן תשע", "पस्तीस वर्षांचा".

A number (number words of the language, joined by its "and"; German compounds; digits) is an
age where the language's cue says so: before it ("I am", "bin", "miaka", "myaka", "בן/בת",
"वय") and not followed by a unit ("two weeks", "zwei Kinder"), or after it ("years old",
"Jahre alt", "वर्षांचा"). Cues and number words are in ``data/lang_<code>.yaml`` (``ages``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from fgdprep.recognizers.base import every_language, language_data
from fgdprep.text import Token, norm, phrase_keys, tokens

MAX_AGE = 120
#: Ages below this, set off by commas after a name, are more likely counts than ages.
MIN_INTRODUCED_AGE = 15
#: Units of age that end a clause as an age ("I was 17 years.", "nilikuwa na miaka 20.").


@dataclass(frozen=True)
class AgeCues:
    before: frozenset[tuple[str, ...]]
    after: frozenset[tuple[str, ...]]
    not_after: frozenset[str]
    not_before: frozenset[str]  # words before the cue that make it a duration ("kwa miaka")
    numbers: frozenset[str]
    joiners: frozenset[str]
    prefixes: tuple[str, ...]  # letters glued to number words (Hebrew ו)
    any_before_after: bool  # any one word before an "after" cue counts (Marathi numbers)
    #: German: a number right before a capitalised word counts things ("war ein Engel",
    #: "zwei Kinder"), it is no age
    noun_follows: bool = False


def _phrases(items: object) -> frozenset[tuple[str, ...]]:
    seq = items if isinstance(items, list) else []
    return frozenset(p for p in (phrase_keys(str(i)) for i in seq) if p)


def _keys(items: object) -> frozenset[str]:
    seq = items if isinstance(items, list) else []
    return frozenset(norm(str(i)) for i in seq)


@functools.cache
def age_cues(language: str) -> AgeCues | None:
    data = (language_data(language) or {}).get("ages")
    if not isinstance(data, dict):
        return None
    return AgeCues(
        before=_phrases(data.get("before")),
        after=_phrases(data.get("after")),
        not_after=_keys(data.get("not_after")),
        not_before=_keys(data.get("not_before")),
        numbers=_keys(data.get("numbers")),
        joiners=_keys(data.get("joiners")),
        prefixes=tuple(norm(str(p)) for p in data.get("prefixes") or ()),
        any_before_after=bool(data.get("any_word_before_after", False)),
        noun_follows=bool(data.get("counts_before_nouns", False)),
    )


def _compound(key: str, numbers: frozenset[str], joiners: frozenset[str]) -> bool:
    """ "zweiundfünfzig": number words and joiners written as one word."""
    if not key:
        return True
    for n in range(len(key), 1, -1):
        head = key[:n]
        if (head in numbers or head in joiners) and _compound(key[n:], numbers, joiners):
            return True
    return False


def _is_number(t: Token, cues: AgeCues) -> bool:
    key = t.key
    if key.isdigit():
        return int(key) <= MAX_AGE
    if key in cues.numbers:
        return True
    for prefix in cues.prefixes:
        if key.startswith(prefix) and key[len(prefix) :] in cues.numbers:
            return True
    return len(key) > 6 and _compound(key, cues.numbers, cues.joiners)


def _ends_with(toks: list[Token], i: int, phrases: frozenset[tuple[str, ...]]) -> int:
    """Length of a phrase of ``phrases`` ending just before token ``i`` (0 if none)."""
    for n in (3, 2, 1):
        if i - n >= 0 and tuple(t.key for t in toks[i - n : i]) in phrases:
            return n
    return 0


def _starts_with(toks: list[Token], i: int, phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(tuple(t.key for t in toks[i : i + n]) in phrases for n in (1, 2, 3))


def _introduced(text: str, toks: list[Token], i: int, cues: AgeCues) -> bool:
    """An adult's age in digits set off by commas after a self-introduction in the same
    sentence: "Ich bin die Heike, 54, und ...", "I am Grace, 45, from Mbale"."""
    key = toks[i].key
    if not (key.isdigit() and MIN_INTRODUCED_AGE <= int(key) <= MAX_AGE):
        return False
    before = text[toks[i - 1].end : toks[i].start].strip() if i else ""
    if before != "," or text[toks[i].end : toks[i].end + 1] != ",":
        return False
    for k in range(i - 1, max(i - 5, 0), -1):
        if "." in text[toks[k].end : toks[i].start]:
            return False
        if _ends_with(toks, k, cues.before):
            return True
    return False


def spoken_ages(text: str, language: str) -> list[tuple[int, int]]:
    """Character spans of ages in ``text`` (the number only)."""
    cues = age_cues(language)
    if cues is None:
        return []
    toks = tokens(text)
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        if not _is_number(toks[i], cues):
            if (
                cues.any_before_after
                and i + 1 < len(toks)
                and _starts_with(toks, i + 1, cues.after)
            ):
                out.append((toks[i].start, toks[i].end))
            i += 1
            continue
        j = i
        while j + 1 < len(toks):
            nxt = toks[j + 1]
            gap = text[toks[j].end : nxt.start]
            if gap.strip(" -") == "" and _is_number(nxt, cues):
                j += 1
            elif (
                nxt.key in cues.joiners
                and j + 2 < len(toks)
                and _is_number(toks[j + 2], cues)
                and not toks[j + 2].key.isdigit()
            ):
                j += 2
            else:
                break
        after = toks[j + 1].key if j + 1 < len(toks) else ""
        cue = _ends_with(toks, i, cues.before)
        duration = cue and i - cue - 1 >= 0 and toks[i - cue - 1].key in cues.not_before
        # "I was 17 years." ends the clause on the unit: an age, unlike "I was 2 years in ..."
        years = every_language("ages", "years")
        clause_end = after in years and text[toks[j + 1].end : toks[j + 1].end + 1] in (
            "",
            ".",
            ",",
            ";",
            "!",
        )
        counted = (
            cues.noun_follows
            and j + 1 < len(toks)
            and text[toks[j].end : toks[j + 1].start] == " "
            and toks[j + 1].text[:1].isupper()
        )
        is_age = (
            (cue and not duration and not counted and (after not in cues.not_after or clause_end))
            or _starts_with(toks, j + 1, cues.after)
            or (i == j and _introduced(text, toks, i, cues))
        )
        if is_age:
            out.append((toks[i].start, toks[j].end))
        i = j + 1
    return out
