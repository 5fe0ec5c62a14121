"""A Whisper segment as a draft turn: words shrunk to their sound, flags for a human."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fgdprep.audio import Activity
from fgdprep.model import AsrStats, Flag, FlagCode, Turn, Word

LOW_LOGPROB = -1.0
LOW_WORD_PROBABILITY = 0.45
HALLUCINATED_WORD_PROBABILITY = 0.15
HIGH_COMPRESSION = 2.4
HIGH_NO_SPEECH = 0.6


def _flags(segment: Any, words: Sequence[Word]) -> tuple[Flag, ...]:
    flags = []
    mean_p = sum(w.probability for w in words) / len(words) if words else 1.0
    if segment.avg_logprob < LOW_LOGPROB or mean_p < LOW_WORD_PROBABILITY:
        flags.append(
            Flag(FlagCode.LOW_CONFIDENCE, f"avg_logprob={segment.avg_logprob:.2f} p={mean_p:.2f}")
        )
    if segment.compression_ratio > HIGH_COMPRESSION:
        flags.append(
            Flag(FlagCode.POSSIBLE_HALLUCINATION, f"compression={segment.compression_ratio:.2f}")
        )
    elif words and mean_p < HALLUCINATED_WORD_PROBABILITY:
        # Words the model itself barely believes: typically hotwords (roster names!)
        # emitted into a pause at the highest fallback temperature.
        flags.append(Flag(FlagCode.POSSIBLE_HALLUCINATION, f"p={mean_p:.2f}"))
    elif segment.no_speech_prob > HIGH_NO_SPEECH and segment.avg_logprob < LOW_LOGPROB:
        flags.append(Flag(FlagCode.NO_SPEECH, f"no_speech_prob={segment.no_speech_prob:.2f}"))
    return tuple(flags)


def segment_to_turn(segment: Any, offset: float, activity: Activity | None = None) -> Turn:
    """A Whisper segment as a draft turn (speaker unknown), times shifted by ``offset``.

    With ``activity`` (the window's sound), word times are shrunk to the sound inside them,
    and the turn spans its words.
    """
    raw = [w for w in segment.words or () if w.word.strip()]
    words = []
    for i, w in enumerate(raw):
        start, end = w.start, w.end
        if activity is not None:
            prefer = "last" if i == 0 else "first" if i == len(raw) - 1 else "longest"
            start, end = activity.tighten(start, end, prefer)
        words.append(
            Word(
                round(start + offset, 3),
                round(end + offset, 3),
                w.word.strip(),
                round(float(w.probability), 4),
            )
        )
    start, end = segment.start + offset, segment.end + offset
    if words:
        start, end = words[0].start, max(w.end for w in words)
    return Turn(
        start=round(start, 3),
        end=round(end, 3),
        text=segment.text.strip(),
        words=tuple(words),
        flags=_flags(segment, words),
        asr=AsrStats(
            round(float(segment.avg_logprob), 4),
            round(float(segment.no_speech_prob), 4),
            round(float(segment.compression_ratio), 4),
            float(segment.temperature or 0.0),
        ),
    )
