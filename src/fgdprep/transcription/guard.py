"""The coverage guard: speech the detector hears but no word covers is re-decoded, or flagged.

Never a silent gap: every stretch of speech of :data:`MIN_GAP_SECONDS` or more without words
is decoded again on its own (no prompt, no hotwords) and, if still empty, becomes a turn
flagged ``untranscribed_speech``; shorter stretches next to a turn are absorbed into it.
Where neither detector heard anything for :data:`PROBE_SECONDS` or more, Whisper itself is
asked (:func:`unheard`), and turns are widened a little into the silence around them
(:func:`pad_edges`) so that no onset is clipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from fgdprep.asr import GUARD_THRESHOLD, decode, silero_chunks
from fgdprep.audio import (
    SAMPLE_RATE,
    Activity,
    Samples,
    energy_speech,
    merge_spans,
    normalise_level,
    subtract_spans,
)
from fgdprep.model import Flag, FlagCode, Turn
from fgdprep.transcription.options import TranscribeOptions
from fgdprep.transcription.segments import HIGH_COMPRESSION, segment_to_turn

#: A stretch of speech at least this long with no words is re-decoded, then flagged (the
#: issue asked for 2 s; 1 s brings the AMI development snippets from 94.7 % to 98.5 % of
#: reference speech inside turns, at the price of flagging some noise in near-empty rooms).
MIN_GAP_SECONDS = 1.0
#: Words cover the speech this far either side of their own times.
WORD_REACH = 0.3
#: The re-decoding's tries: (temperatures, seconds of audio either side of the stretch).
#: Greedy on the stretch alone first; then greedy with the speech around it, which keeps
#: Whisper from repeating one sentence over a stretch that begins mid-utterance (simulated
#: rooms under babble); then Whisper's temperature fallback ladder on the stretch alone.
REDECODE_TRIES = (((0.0,), 0.0), ((0.0,), 2.5), ((0.2, 0.4, 0.6, 0.8, 1.0), 0.0))
#: The energy detector backing silero: this far above the window's noise floor.
GUARD_SNR_DB = 20.0
#: A stretch at least this long that no turn spans is put to Whisper itself: a voice too quiet
#: for both detectors (far from the recorder, under a fan) is still heard by the model.
PROBE_SECONDS = 2.0
#: ... and taken for speech when Whisper's no-speech probability there is below this. On the
#: AMI development snippets, 14 stretches of 1 s or more lay outside every turn (none held
#: over 0.1 s of reference speech); 6 decoded to invented words, all at 0.40 or more.
PROBE_NO_SPEECH = 0.35
#: A heard stretch is flagged this far either side of the words Whisper put there.
PROBE_MARGIN = 1.0


def speech_spans(
    level: Samples, fine_chunks: list[dict[str, int]] | None = None
) -> list[tuple[float, float]]:
    """Where the speech detector hears speech (seconds): silero at :data:`GUARD_THRESHOLD`,
    backed by an energy detector for quiet far-field voices silero misses."""
    if fine_chunks is None:
        fine_chunks = silero_chunks(level, GUARD_THRESHOLD, fine=True)
    fine = [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in fine_chunks]
    loud = energy_speech(level, snr_db=GUARD_SNR_DB)
    return merge_spans([*fine, *loud], bridge=WORD_REACH)


def _covered(turns: Iterable[Turn], offset: float) -> list[tuple[float, float]]:
    spans = []
    for t in turns:
        parts = [(w.start, w.end) for w in t.words] or [(t.start, t.end)]
        spans += [(a - offset - WORD_REACH, b - offset + WORD_REACH) for a, b in parts]
    return spans


def words_within(turn: Turn, lo: float, hi: float) -> Turn | None:
    """The part of a re-decoded turn whose words lie in ``[lo, hi]`` (absolute seconds)."""
    words = tuple(w for w in turn.words if lo <= (w.start + w.end) / 2 <= hi)
    if not words:
        return None
    if len(words) == len(turn.words):
        return turn
    return replace(
        turn,
        start=words[0].start,
        end=max(w.end for w in words),
        words=words,
        text=" ".join(w.text for w in words),
    )


def _reliable(turn: Turn) -> bool:
    """Re-decoded words are taken only when Whisper is confident of them (at high
    temperature it fills noise with its training subtitles: "Thank you for watching."), or,
    unsure of the words, sure that someone speaks (greedy, no-speech probability below
    :data:`PROBE_NO_SPEECH`): a voice under babble or a fan, kept with its low_confidence flag
    (as plain faster-whisper keeps it) rather than a whole stretch left without words."""
    if turn.has_flag(FlagCode.POSSIBLE_HALLUCINATION) or turn.has_flag(FlagCode.NO_SPEECH):
        return False
    if not turn.has_flag(FlagCode.LOW_CONFIDENCE):
        return True
    stats = turn.asr
    return stats is not None and stats.temperature == 0 and stats.no_speech_prob < PROBE_NO_SPEECH


def redecode(
    model: Any,
    level: Samples,
    gap: tuple[float, float],
    offset: float,
    language: str,
    options: TranscribeOptions,
) -> list[Turn]:
    """Words of a stretch of speech the first pass left empty: decoded on its own, its level
    normalised, with no prompt and no hotwords, as :data:`REDECODE_TRIES` says. Words
    Whisper itself doubts are not taken (:func:`_reliable`): the stretch is then flagged for
    the moderator instead."""
    for temperature, context in REDECODE_TRIES:
        lo = max(0, int((gap[0] - WORD_REACH - context) * SAMPLE_RATE))
        hi = min(len(level), int((gap[1] + WORD_REACH + context) * SAMPLE_RATE))
        chunk, _gain = normalise_level(level[lo:hi])
        activity = Activity.of(chunk)
        start = offset + lo / SAMPLE_RATE
        segments = decode(
            model,
            chunk,
            None,
            language=language,
            beam_size=options.beam_size,
            condition_on_previous_text=False,
            word_timestamps=True,
            temperature=temperature,
        )
        turns = [segment_to_turn(s, start, activity) for s in segments if s.text.strip()]
        kept = [
            part
            for t in turns
            if _reliable(t)
            and (part := words_within(t, offset + gap[0], offset + gap[1])) is not None
        ]
        if kept:
            return kept
    return []


#: Speech shorter than :data:`MIN_GAP_SECONDS` this close to a turn belongs to that turn.
ABSORB_SECONDS = 0.6


def absorb(turns: list[Turn], speech: Sequence[tuple[float, float]], offset: float) -> list[Turn]:
    """Turns stretched over the short bits of speech next to them that hold no words.

    Whisper's words are shrunk to their sound, so a breath, a hesitation or a listener's
    "mm" just before or after a turn lies outside every turn. Such a stretch (within
    :data:`ABSORB_SECONDS` of a turn) is part of that turn's span: the moderator who plays
    the turn hears it. The guard left it: less than :data:`MIN_GAP_SECONDS` of it is farther
    than :data:`WORD_REACH` from a word, so it is shorter than both together; longer ones were
    re-decoded or flagged.
    """
    if not turns:
        return turns
    spans = [(t.start - offset, t.end - offset) for t in turns]
    out = list(turns)
    for a, b in subtract_spans(speech, spans):
        if b - a >= MIN_GAP_SECONDS + 2 * WORD_REACH:
            continue
        before = [i for i, t in enumerate(out) if a - ABSORB_SECONDS <= t.end - offset <= a + 1e-6]
        after = [i for i, t in enumerate(out) if b - 1e-6 <= t.start - offset <= b + ABSORB_SECONDS]
        if before:
            i = max(before, key=lambda k: out[k].end)
            out[i] = replace(out[i], end=round(max(out[i].end, offset + b), 3))
        elif after:
            i = min(after, key=lambda k: out[k].start)
            out[i] = replace(out[i], start=round(min(out[i].start, offset + a), 3))
    return out


def pad_edges(turns: Sequence[Turn], level: Samples, offset: float) -> list[Turn]:
    """``turns`` widened by up to :data:`WORD_REACH` either side into time no other turn
    holds, within the window (``level`` from ``offset`` seconds): a speech detector places
    onsets and trailing sounds late and early by a few frames (faster-whisper pads its VAD
    chunks by 0.4 s for that), and a turn played back must not clip the first or last sound.

    Two turns less than :data:`MIN_GAP_SECONDS` apart meet at the quietest moment between
    them: the guard re-decodes or flags only stretches of that length or more, so a shorter
    hole left between two padded turns would hold sound no turn reports (on real far-field
    audio, the end of a word neither detector heard)."""
    lo, hi = offset, offset + len(level) / SAMPLE_RATE
    out = list(turns)
    for i, t in enumerate(turns):
        others = [*turns[:i], *turns[i + 1 :]]
        before = max([lo, *(u.end for u in others if u.start < t.start)])
        after = min([hi, *(u.start for u in others if u.end > t.end)])
        start = max(before, t.start - WORD_REACH)
        end = min(after, t.end + WORD_REACH)
        if lo < before < t.start and t.start - before < MIN_GAP_SECONDS:
            start = offset + quietest(level, before - offset, t.start - offset)
        if t.end < after < hi and after - t.end < MIN_GAP_SECONDS:
            end = offset + quietest(level, t.end - offset, after - offset)
        if (start, end) != (t.start, t.end):
            out[i] = replace(t, start=round(min(start, t.start), 3), end=round(max(end, t.end), 3))
    return out


def quietest(level: Samples, lo: float, hi: float) -> float:
    """The middle of the quietest 50 ms of ``level`` within ``[lo, hi]`` (seconds), or the
    middle of ``[lo, hi]`` where that is shorter than 50 ms."""
    frame = int(0.05 * SAMPLE_RATE)
    x = level[max(0, int(lo * SAMPLE_RATE)) : int(hi * SAMPLE_RATE)]
    n = x.size // frame
    if not n:
        return (lo + hi) / 2
    energy = np.square(x[: n * frame].reshape(n, frame).astype(np.float64)).mean(axis=1)
    return lo + (int(np.argmin(energy)) + 0.5) * frame / SAMPLE_RATE


#: A stretch longer than this is re-decoded in pieces: over a long stretch of babble or noise
#: Whisper repeats one sentence or stops after the first.
REDECODE_SECONDS = 10.0


def split_quietly(
    level: Samples, gap: tuple[float, float], longest: float = REDECODE_SECONDS
) -> list[tuple[float, float]]:
    """``gap`` (seconds) cut into pieces of at most ``longest``, each cut at the quietest
    50 ms within a second and a half of where an even cut would fall."""
    a, b = gap
    if b - a <= longest:
        return [gap]
    pieces = int(np.ceil((b - a) / longest))
    even = a + (b - a) / pieces
    at = quietest(level, max(a + 1.0, even - 1.5), min(even + 1.5, a + longest))
    return [(a, at), *split_quietly(level, (at, b), longest)]


def settle(
    model: Any,
    level: Samples,
    gaps: Sequence[tuple[float, float]],
    offset: float,
    turns: Sequence[Turn],
    language: str,
    options: TranscribeOptions,
) -> tuple[list[Turn], float]:
    """``turns`` with each stretch of wordless speech in ``gaps`` re-decoded, or else a turn
    flagged ``untranscribed_speech`` with its times; and the seconds recovered."""
    out = list(turns)
    recovered = 0.0
    todo = [piece for gap in gaps for piece in split_quietly(level, gap)]
    while todo:
        gap = todo.pop(0)
        found = redecode(model, level, gap, offset, language, options)
        if found:
            # Whisper may end its window after the first sentence of a long stretch: the
            # rest is decoded again on its own (each piece is shorter than the last).
            rest = [
                r
                for r in subtract_spans([gap], _covered(found, offset))
                if r[1] - r[0] >= MIN_GAP_SECONDS
            ]
            recovered += gap[1] - gap[0] - sum(b - a for a, b in rest)
            out.extend(found)
            todo[:0] = rest
            continue
        out.append(
            Turn(
                start=round(offset + gap[0], 3),
                end=round(offset + gap[1], 3),
                text="",
                flags=(Flag(FlagCode.UNTRANSCRIBED_SPEECH, f"{gap[1] - gap[0]:.1f} s"),),
                language=language if options.code_switching else None,
            )
        )
    return out, recovered


def unheard(
    model: Any,
    level: Samples,
    turns: Sequence[Turn],
    offset: float,
    language: str,
) -> list[tuple[float, float]]:
    """Parts of the stretches of :data:`PROBE_SECONDS` or more that no turn spans (give
    ``turns`` as :func:`absorb` stretches them) where Whisper, asked on its own (level
    normalised, no prompt, greedy), hears speech below :data:`PROBE_NO_SPEECH`, and not one
    phrase over and over as it fills a long empty stretch: what both detectors missed or
    took for a noise, to be re-decoded or flagged."""
    duration = len(level) / SAMPLE_RATE
    spans = [(t.start - offset, t.end - offset) for t in turns]
    out: list[tuple[float, float]] = []
    for a, b in subtract_spans([(0.0, duration)], spans):
        if b - a < PROBE_SECONDS:
            continue
        chunk, _gain = normalise_level(level[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)])
        segments = decode(
            model,
            chunk,
            None,
            language=language,
            beam_size=1,
            condition_on_previous_text=False,
            temperature=0.0,
            word_timestamps=True,
        )
        out += [
            (max(a, a + s.start - PROBE_MARGIN), min(b, a + s.end + PROBE_MARGIN))
            for s in segments
            if s.text.strip()
            and s.no_speech_prob < PROBE_NO_SPEECH
            and s.compression_ratio <= HIGH_COMPRESSION  # not a phrase repeated over noise
        ]
    return merge_spans(out)


def stray(
    turns: Sequence[Turn], speech: Sequence[tuple[float, float]], offset: float
) -> list[tuple[float, float]]:
    """Speech outside every turn and farther than :data:`ABSORB_SECONDS` from each: what
    :func:`absorb` cannot give to a turn."""
    spans = [(t.start - offset, t.end - offset) for t in turns]
    near = [(a - ABSORB_SECONDS, b + ABSORB_SECONDS) for a, b in spans]
    return [
        (a, b)
        for a, b in subtract_spans(speech, spans)
        if subtract_spans([(a, b)], near) == [(a, b)] and b - a > 0.01
    ]
