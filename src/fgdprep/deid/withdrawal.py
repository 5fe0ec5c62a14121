"""The pure part of a consent withdrawal (:mod:`fgdprep.stages.withdraw`): each kind of study
file rewritten without the person's words and with their name labelled, computed in memory
from what the stage loaded. Nothing here reads or writes a file."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fgdprep.model import (
    INPUTS,
    TEXT,
    WITHDRAWN,
    Finalised,
    FlagCode,
    Person,
    PiiSpan,
    ReviewQueue,
    Stage,
    Transcript,
    Translation,
    TranslationRow,
    Turn,
    Word,
    source_sha256,
)
from fgdprep.text import WORD_NAMES, PhraseIndex, Token, name_parts, phrase_keys, tokens


@dataclass(frozen=True)
class WithdrawRequest:
    site: str
    code: str
    #: The data manager confirmed (``--yes``): without it nothing is changed.
    confirmed: bool = False


#: The roster name of a withdrawn person: no word in it, so no recognizer, leak check or
#: spelling check ever matches it, and the code stays taken (no one else becomes P03).
WITHDRAWN_NAME = "—"
#: Flags that ask a person to look at the words: nothing to look at in a withdrawn turn.
#: Those about time and speaker (overlap, untranscribed speech) stay: they give the marks
#: of the transcription conventions around the paragraph.
CONTENT_FLAGS = frozenset(
    {
        FlagCode.LOW_CONFIDENCE,
        FlagCode.POSSIBLE_HALLUCINATION,
        FlagCode.NO_SPEECH,
        FlagCode.UNCERTAIN_PII,
        FlagCode.NAME_NEAR_MISS,
        FlagCode.OTHER_LANGUAGE,
    }
)
_LABEL = re.compile(r"\[[^\[\]\n]{1,40}\]")

# -- pure: one turn ---------------------------------------------------------------------------


def withdraw_turn(turn: Turn) -> Turn:
    """The turn with its words gone: same id, times and speaker code."""
    return dataclasses.replace(
        turn,
        text=WITHDRAWN,
        words=(),
        pii=(),
        translation=WITHDRAWN if turn.translation is not None else None,
        translation_pii=(),
        flags=tuple(f for f in turn.flags if f.code not in CONTENT_FLAGS),
    )


#: Finds a person's names in a text: (start, end) of each.
Find = Callable[[str], list[tuple[int, int]]]


def name_finder(names: Iterable[str], fuzzy_threshold: float | None) -> Find:
    """Every spelling of the person (name, aliases, name parts; inflected forms of every
    study language; near-misses of ASR above the threshold), as the leak check finds them,
    outside [labels]. A name that is also a word ("hope") counts only written as a name."""
    index = PhraseIndex[str](language="*", fuzzy_threshold=fuzzy_threshold)
    for name in names:
        if phrase_keys(name):
            index.add(name, name)
            for part in name_parts(name):
                index.add(part, name)

    def find(text: str) -> list[tuple[int, int]]:
        if not len(index) or not text:
            return []
        labels = [(m.start(), m.end()) for m in _LABEL.finditer(text)]
        toks: list[Token] = [
            t for t in tokens(text) if not any(a <= t.start < b for a, b in labels)
        ]
        out = []
        for m in index.find(text, toks):
            surface = text[m.start : m.end]
            keys = phrase_keys(surface)
            if len(keys) == 1 and keys[0] in WORD_NAMES and surface == surface.lower():
                continue
            out.append((m.start, m.end))
        return out

    return find


@dataclass(frozen=True)
class Splice:
    """A text with some of its pieces replaced by a label, and where old offsets went."""

    text: str
    cuts: tuple[tuple[int, int], ...]  # old (start, end) of each replaced piece
    width: int  # the label's length

    def where(self, offset: int, end: bool = False) -> int:
        """The new offset of an old one; inside a cut: the label's start (its end for an
        ``end`` offset)."""
        shift = 0
        for a, b in self.cuts:
            if offset <= a:
                break
            if offset < b:
                return a + shift + (self.width if end else 0)
            shift += self.width - (b - a)
        return offset + shift

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.where(start), max(self.where(start), self.where(end, end=True))


def splice(text: str, cuts: Sequence[tuple[int, int]], label: str) -> Splice:
    """``text`` with each of ``cuts`` (merged where they overlap) replaced by ``label``."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(cuts):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        elif b > a:
            merged.append((a, b))
    out, last = [], 0
    for a, b in merged:
        out += [text[last:a], label]
        last = b
    out.append(text[last:])
    return Splice("".join(out), tuple(merged), len(label))


def _pii(spans: Sequence[PiiSpan], done: Splice) -> tuple[PiiSpan, ...]:
    out = []
    for s in spans:
        start, end = done.span(s.start, s.end)
        out.append(dataclasses.replace(s, start=start, end=end))
    return tuple(out)


@dataclass(frozen=True)
class Mentioned:
    """A turn with the person's name labelled, and how its texts' offsets moved."""

    turn: Turn
    count: int
    text: Splice
    translation: Splice | None


def label_mentions(
    turn: Turn, find: Find, label: str, extra: Sequence[tuple[int, int]] = ()
) -> Mentioned:
    """The person's name in another speaker's turn (text, translation, words) as ``label``;
    ``extra``: spans of the text known to name them (the pseudonymised transcript's PII spans
    with their label)."""
    cuts = [*find(turn.text), *extra]
    text = splice(turn.text, cuts, label)
    translation = None
    count = len(text.cuts)
    if turn.translation is not None:
        extra_t = [(s.start, s.end) for s in turn.translation_pii if s.label == label]
        translation = splice(turn.translation, [*find(turn.translation), *extra_t], label)
        count += len(translation.cuts)
    words = []
    for w in turn.words:
        done = splice(w.text, find(w.text), label)
        words.append(dataclasses.replace(w, text=done.text) if done.cuts else w)
    if not count and all(a is b for a, b in zip(words, turn.words, strict=True)):
        return Mentioned(turn, 0, text, translation)
    new = dataclasses.replace(
        turn,
        text=text.text,
        pii=_pii(turn.pii, text),
        words=tuple(words),
        translation=translation.text if translation is not None else turn.translation,
        translation_pii=_pii(turn.translation_pii, translation)
        if translation is not None
        else turn.translation_pii,
    )
    return Mentioned(new, count, text, translation)


# -- pure: transcripts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Withdrawn:
    """A transcript after the withdrawal: turns withdrawn, names labelled, and per turn id
    how its texts moved (the review queue's offsets follow)."""

    transcript: Transcript
    turns: int
    mentions: int
    moved: Mapping[str, Mentioned]


def withdraw_attributed(transcript: Transcript, code: str, find: Find, label: str) -> Withdrawn:
    """A transcript with speaker codes: the person's turns withdrawn, their name labelled in
    the others'."""
    turns, moved = [], {}
    withdrawn = mentions = 0
    for t in transcript.turns:
        if t.speaker == code:
            if t.text != WITHDRAWN or t.words:
                withdrawn += 1
            turns.append(withdraw_turn(t))
            continue
        extra = [(s.start, s.end) for s in t.pii if s.label == label]
        done = label_mentions(t, find, label, extra)
        if done.count:
            mentions += done.count
            moved[t.id] = done
        turns.append(done.turn)
    out = dataclasses.replace(transcript, turns=tuple(turns))
    return Withdrawn(out, withdrawn, mentions, moved)


def _key(w: Word) -> tuple[float, float, str]:
    return (round(w.start, 3), round(w.end, 3), w.text)


@dataclass(frozen=True)
class Voice:
    """Where the person speaks in a session: the words of their turns, and the times of
    their turns that have no words (edited in the back-check, typed)."""

    words: frozenset[tuple[float, float, str]]
    spans: tuple[tuple[float, float], ...]

    def has(self, w: Word) -> bool:
        mid = (w.start + w.end) / 2
        return _key(w) in self.words or any(a <= mid <= b for a, b in self.spans)

    def covers(self, turn: Turn) -> bool:
        """Most of a turn without words lies in their turns."""
        length = turn.end - turn.start
        inside = sum(max(0.0, min(b, turn.end) - max(a, turn.start)) for a, b in self.spans)
        return length > 0 and inside >= length / 2


def voice_of(transcripts: Iterable[Transcript], code: str) -> Voice:
    words: set[tuple[float, float, str]] = set()
    spans = []
    for tr in transcripts:
        for t in tr.turns:
            if t.speaker != code:
                continue
            if t.words:
                words.update(_key(w) for w in t.words)
            elif t.end > t.start:
                spans.append((t.start, t.end))
    return Voice(frozenset(words), tuple(sorted(set(spans))))


def withdraw_draft(transcript: Transcript, voice: Voice, find: Find, label: str) -> Withdrawn:
    """The transcription without speakers: the person's words taken out of each segment (the
    marker where they were, once per run of their words), their name labelled elsewhere."""
    turns, moved = [], {}
    withdrawn = mentions = 0
    for t in transcript.turns:
        if t.words and any(voice.has(w) for w in t.words):
            pieces: list[str] = []
            kept: list[Word] = []
            for w in t.words:
                if voice.has(w):
                    if not pieces or pieces[-1] != WITHDRAWN:
                        pieces.append(WITHDRAWN)
                else:
                    pieces.append(w.text)
                    kept.append(w)
            t = dataclasses.replace(t, text=" ".join(pieces), words=tuple(kept), pii=())
            withdrawn += 1
        elif not t.words and t.text and t.text != WITHDRAWN and voice.covers(t):
            t = withdraw_turn(t)
            withdrawn += 1
        done = label_mentions(t, find, label)
        if done.count:
            mentions += done.count
            moved[t.id] = done
        turns.append(done.turn)
    out = dataclasses.replace(transcript, turns=tuple(turns))
    return Withdrawn(out, withdrawn, mentions, moved)


def remap_options(options: Mapping[str, Any], remap: Mapping[str, str]) -> dict[str, Any]:
    """Provenance options with every recorded checksum of a rewritten file made the new
    one: what was current stays current, what was out of date stays so."""
    out = dict(options)
    inputs = out.get(INPUTS)
    if isinstance(inputs, dict):
        out[INPUTS] = {k: remap.get(v, v) if isinstance(v, str) else v for k, v in inputs.items()}
    for key, value in options.items():
        if key != INPUTS and isinstance(value, str) and value in remap:
            out[key] = remap[value]
    return out


def withdraw_queue(
    queue: ReviewQueue, turns: frozenset[str], find: Find, moved: Mapping[str, Mentioned]
) -> tuple[ReviewQueue, int]:
    """The review queue without the suggestions in withdrawn turns or of the person's name
    (their text quotes them); the others' offsets follow the labelled names."""
    kept = []
    for s in queue.suggestions:
        if s.turn in turns or find(s.text):
            continue
        done = moved.get(s.turn)
        where = None if done is None else (done.text if s.field == TEXT else done.translation)
        if where is not None:
            start, end = where.span(s.start, s.end)
            s = dataclasses.replace(s, start=start, end=end)
        kept.append(s)
    dropped = len(queue.suggestions) - len(kept)
    return dataclasses.replace(queue, suggestions=tuple(kept)), dropped


def withdraw_translation(
    translation: Translation, shareable: Transcript, turns: frozenset[str], at: str
) -> Translation:
    """Rows of withdrawn turns say :data:`WITHDRAWN`, made from the withdrawn source (so
    nothing waits for a translator there); approvals of the rows as they were hold for the
    rows as they are (only withdrawn text changed)."""
    from fgdprep.stages.translate import rows_sha256

    before = rows_sha256(translation)
    rows = {r.turn: r for r in translation.rows}
    for t in shareable.turns:
        was = rows.get(t.id)
        if t.id in turns and (was is None or (was.text, was.note) != (WITHDRAWN, "")):
            rows[t.id] = TranslationRow(t.id, WITHDRAWN, source_sha256(WITHDRAWN), "", "", at)
    order = [t.id for t in shareable.turns if t.id in rows]
    order += [r.turn for r in translation.rows if r.turn not in order]
    new = dataclasses.replace(translation, rows=tuple(rows[t] for t in order))
    after = rows_sha256(new)
    approvals = tuple(
        dataclasses.replace(a, sha256=after) if a.sha256 == before else a
        for a in translation.approvals
    )
    return dataclasses.replace(new, approvals=approvals)


def withdraw_finalised(finalised: Finalised, turns: frozenset[str], source: str) -> Finalised:
    """Every numbered unit of a withdrawn turn says :data:`WITHDRAWN` under its number
    (marks of the conventions kept); the frozen turns likewise."""
    units = tuple(
        dataclasses.replace(u, text=WITHDRAWN) if u.turn in turns else u for u in finalised.units
    )
    frozen = tuple(withdraw_turn(t) if t.id in turns else t for t in finalised.turns)
    return dataclasses.replace(finalised, units=units, turns=frozen, source_sha256=source)


_LOG_TEXT = ("before", "after")


def withdraw_change_log(
    lines: Sequence[dict[str, Any]], turns: frozenset[str], code: str, find: Find, label: str
) -> list[dict[str, Any]]:
    """The change log's text diffs: those of withdrawn turns (or split off to the person)
    withdrawn, their name labelled in the others; speaker changes (codes) stay."""
    out = []
    for line in lines:
        line = dict(line)
        mine = line.get("turn") in turns or (
            line.get("change") == "split" and line.get("speaker") == code
        )
        for key in _LOG_TEXT:
            value = line.get(key)
            if not isinstance(value, str) or line.get("change") == "speaker":
                continue
            line[key] = WITHDRAWN if mine else splice(value, find(value), label).text
        out.append(line)
    return out


def withdraw_roster(people: Sequence[Person], code: str) -> tuple[Person, ...]:
    return tuple(
        dataclasses.replace(p, name=WITHDRAWN_NAME, aliases=()) if p.code == code else p
        for p in people
    )


# -- in the study -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A session's transcripts after the withdrawal, computed before anything is written:
    per stage, the ids of the person's turns in the latest transcript with speakers (what
    the shareable copy, translation and review queue point at), every id they ever had
    (the change log), and how many turns and mentions that latest transcript has."""

    stages: Mapping[Stage, Withdrawn]
    ids: frozenset[str]
    ever: frozenset[str]
    turns: int
    mentions: int

    @property
    def changed(self) -> bool:
        return bool(self.turns) or any(w.turns or w.mentions for w in self.stages.values())


def plan_session(loaded: Mapping[Stage, Transcript], code: str, find: Find, label: str) -> Plan:
    """Who said what is the latest transcript with speakers (the back-check's, else the
    speaker turns'): there and in the pseudonymised transcript made from it, the person's
    turns are withdrawn; the transcripts before it lose the words of those turns (by word,
    else by time) wherever they sit, so a speaker the back-check corrected is followed."""
    latest = next((st for st in (Stage.CHECKED, Stage.SPEAKERS) if st in loaded), None)
    stages: dict[Stage, Withdrawn] = {}
    ever: set[str] = set()
    for tr in loaded.values():
        ever |= {t.id for t in tr.turns if t.speaker == code}
    voice = voice_of([loaded[latest]] if latest is not None else [], code)
    for st, tr in loaded.items():
        if st in (latest, Stage.PSEUDONYMISED):
            stages[st] = withdraw_attributed(tr, code, find, label)
        else:
            stages[st] = withdraw_draft(tr, voice, find, label)
    last = stages.get(latest) if latest is not None else stages.get(Stage.TRANSCRIBED)
    ids = frozenset(t.id for t in loaded[latest].turns if t.speaker == code) if latest else ()
    return Plan(
        stages,
        frozenset(ids),
        frozenset(ever),
        len(ids),
        last.mentions if last is not None else 0,
    )
