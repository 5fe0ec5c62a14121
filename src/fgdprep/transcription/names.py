"""Names as the roster spells them: near-misses rewritten after decoding without hotwords."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fgdprep.model import Turn, Word

#: How close (rapidfuzz ratio, 0-100) a word must be to a roster or gazetteer name.
NAME_SIMILARITY = 84.0
#: ... unless Whisper was this sure of the word: then only a closer match is rewritten.
SURE_WORD = 0.85
SURE_SIMILARITY = 92.0


#: Words of facility names and titles that are ordinary words: never a correction target.
GENERIC_WORDS = frozenset(
    [
        "hospital",
        "hospitals",
        "clinic",
        "centre",
        "center",
        "health",
        "national",
        "referral",
        "regional",
        "district",
        "university",
        "general",
        "medical",
        "ward",
        "station",
        "unit",
        "care",
        "home",
        "mental",
        "village",
        "town",
        "city",
        "street",
        "road",
        "market",
        "school",
        "church",
        "mosque",
        "madam",
        "mama",
        "baba",
        "mister",
        "mr",
        "mrs",
        "ms",
        "dr",
        "doctor",
        "sister",
        "brother",
        "uncle",
        "aunt",
        "klinik",
        "klinikum",
        "krankenhaus",
        "universitätsklinikum",
        "bezirkskrankenhaus",
        "für",
        "psychiatrie",
        "und",
        "der",
        "die",
        "das",
        "hospitali",
        "kituo",
        "cha",
        "afya",
        "ya",
        "wa",
        "la",
    ]
)


def _name_key(text: str) -> str:
    from fgdprep.text import norm

    return norm(text.strip(".,;:!?\"'()[]-"))


def _best_name(key: str, names: Sequence[str]) -> tuple[str, float]:
    from rapidfuzz import fuzz

    from fgdprep.text import phonetic

    best, score = "", 0.0
    for name in names:
        nkey = _name_key(name)
        if nkey in GENERIC_WORDS:
            continue
        s = float(fuzz.ratio(key, nkey))
        if phonetic(key) == phonetic(nkey):
            s = max(s, 95.0)
        if s > score:
            best, score = name, s
    return best, score


def correct_names(turn: Turn, names: Sequence[str]) -> Turn:
    """Near-misses of roster and gazetteer names rewritten to their spelling.

    A word (or two words Whisper split a name into) is rewritten only when it already
    sounds and reads like the name (similarity ≥ :data:`NAME_SIMILARITY`, or the same sound
    key), and more closely still when Whisper was sure of the word: a name is never put
    where nothing like it was said."""
    words = list(turn.words)
    changed = False
    i = 0
    while i < len(words):
        w = words[i]
        key = _name_key(w.text)
        done = False
        if i + 1 < len(words) and len(key) >= 2:
            pair = key + _name_key(words[i + 1].text)
            name, score = _best_name(pair, names)
            if score >= SURE_SIMILARITY and len(pair) >= 5 and _name_key(name) != key:
                tail = words[i + 1].text[len(words[i + 1].text.rstrip(".,;:!?")) :]
                words[i : i + 2] = [
                    Word(
                        w.start,
                        words[i + 1].end,
                        name + tail,
                        round(min(w.probability, words[i + 1].probability), 4),
                    )
                ]
                changed = done = True
        if not done and len(key) >= 4:
            name, score = _best_name(key, names)
            need = SURE_SIMILARITY if w.probability >= SURE_WORD else NAME_SIMILARITY
            core = w.text.strip(".,;:!?\"'()[]-")
            if score >= need and key != _name_key(name):
                words[i] = replace(w, text=w.text.replace(core, name, 1))
                changed = True
        i += 1
    if not changed:
        return turn
    return replace(turn, words=tuple(words), text=" ".join(x.text for x in words))
