"""Code-switching: each turn transcribed in the language it is spoken, never translated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from fgdprep.asr import decode, detect_language
from fgdprep.audio import SAMPLE_RATE, Activity, Samples
from fgdprep.model import Flag, FlagCode, Turn
from fgdprep.transcription.guard import words_within
from fgdprep.transcription.options import TranscribeOptions
from fgdprep.transcription.segments import segment_to_turn

#: A segment is re-decoded in another language when Whisper hears it with this probability.
#: Whisper (base) hears English at 0.99-1.00 in every English turn of the development
#: code-switched files, but also hears English in some German sentences at 0.55-0.67: decoded
#: "in English" those come out translated, and the German words are lost.
SWITCH_PROBABILITY = 0.8
#: ... and its words in that language are taken only when Whisper's mean log probability of
#: them is at least this. On the development files, English speech decoded in English scores
#: -0.14 to -0.42, German sentences decoded "in English" (a translation) -0.56 to -1.30.
SWITCH_LOGPROB = -0.5
#: A switched turn is decoded with this much audio either side; its words are those inside it.
SWITCH_PAD = 0.5
#: Segments shorter than this keep the session language (too short to tell).
SWITCH_MIN_SECONDS = 1.5


def switch_languages(
    model: Any,
    level: Samples,
    offset: float,
    turns: Sequence[Turn],
    language: str,
    options: TranscribeOptions,
) -> list[Turn]:
    """Each turn in the language it is spoken: a turn Whisper hears in another language is
    transcribed again in that language (never translated), recorded and flagged, when Whisper
    is surer of those words than of the first ones."""
    out = []
    for turn in turns:
        lo = max(0, int((turn.start - offset - 0.1) * SAMPLE_RATE))
        hi = min(len(level), int((turn.end - offset + 0.1) * SAMPLE_RATE))
        same = replace(turn, language=language)
        if not turn.words or (hi - lo) < SWITCH_MIN_SECONDS * SAMPLE_RATE:
            out.append(same)
            continue
        spoken, p = detect_language(model, level[lo:hi])
        if spoken == language or p < SWITCH_PROBABILITY:
            out.append(same)
            continue
        # decoded with more room than the turn: Whisper cuts the last word of a chunk short
        dlo = max(0, int((turn.start - offset - SWITCH_PAD) * SAMPLE_RATE))
        dhi = min(len(level), int((turn.end - offset + SWITCH_PAD) * SAMPLE_RATE))
        chunk = level[dlo:dhi]
        segments = decode(
            model,
            chunk,
            None,
            language=spoken,
            task="transcribe",
            beam_size=options.beam_size,
            condition_on_previous_text=False,
            word_timestamps=True,
        )
        activity = Activity.of(chunk)
        again = [
            replace(
                t,
                language=spoken,
                flags=(*t.flags, Flag(FlagCode.OTHER_LANGUAGE, f"{spoken} p={p:.2f}")),
            )
            for s in segments
            if s.text.strip()
            and (
                t := words_within(
                    segment_to_turn(s, offset + dlo / SAMPLE_RATE, activity),
                    turn.start - 0.1,
                    turn.end + 0.1,
                )
            )
            is not None
        ]
        # Taken only when Whisper is surer of the words in the language it heard than of
        # those it was made to produce in the session's language, and sure of them: words
        # "transcribed" in a language that was not spoken are a translation.
        if again and _mean_p(again) > _mean_p([turn]) and _logprob(again) >= SWITCH_LOGPROB:
            out.extend(again)
        else:
            out.append(same)
    return out


def _logprob(turns: Sequence[Turn]) -> float:
    lps = [t.asr.avg_logprob for t in turns if t.asr is not None]
    return sum(lps) / len(lps) if lps else -99.0


def _mean_p(turns: Sequence[Turn]) -> float:
    ps = [w.probability for t in turns for w in t.words]
    return sum(ps) / len(ps) if ps else 0.0
