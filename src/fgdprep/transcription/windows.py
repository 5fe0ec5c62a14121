"""Transcription: faster-whisper over windows cut at silences, checkpointed per window.

faster-whisper decodes a whole file into memory (5.4 GB at 88 minutes with tiny.en). Here
the recording is streamed and cut into windows at the quietest point near each window's end;
each window is transcribed on its own, its times shifted by the window's start, and saved as
a checkpoint. Windows never overlap, so no word is doubled; cuts fall in silence, so words are
not split. Peak memory is bounded by one window, and an interrupted run resumes at the first
unfinished window with the same cuts (they depend only on the audio) and the same random seed
per window, so the result is identical to an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from fgdprep.asr import (
    GUARD_THRESHOLD,
    SPEECH_THRESHOLD,
    ModelRef,
    decode,
    silero_chunk_sets,
)
from fgdprep.audio import (
    SAMPLE_RATE,
    Activity,
    Samples,
    merge_spans,
    normalise_level,
    stream_mono,
    subtract_spans,
    windows,
)
from fgdprep.memory import trim
from fgdprep.model import Flag, FlagCode, Session, Turn, dumps, loads
from fgdprep.transcription.guard import (
    MIN_GAP_SECONDS,
    WORD_REACH,
    _covered,
    absorb,
    pad_edges,
    settle,
    speech_spans,
    stray,
    unheard,
)
from fgdprep.transcription.names import correct_names
from fgdprep.transcription.options import TranscribeOptions, whisper_kwargs
from fgdprep.transcription.segments import segment_to_turn
from fgdprep.transcription.switching import switch_languages

log = logging.getLogger(__name__)


class Checkpoints(Protocol):
    def load(self, name: str) -> str | None: ...
    def save(self, name: str, text: str) -> None: ...


@dataclass(frozen=True)
class WindowResult:
    index: int
    start_sample: int
    end_sample: int
    fingerprint: str
    turns: tuple[Turn, ...]
    #: Seconds the speech detector heard, recovered by re-decoding, and left without words.
    speech_s: float = 0.0
    recovered_s: float = 0.0
    untranscribed_s: float = 0.0

    @property
    def start(self) -> float:
        return self.start_sample / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.end_sample / SAMPLE_RATE


@dataclass(frozen=True)
class WindowTurns:
    turns: tuple[Turn, ...]
    speech_s: float
    recovered_s: float
    untranscribed_s: float


def transcribe_window(
    model: Any,
    audio: Samples,
    offset: float,
    options: TranscribeOptions,
    language: str,
    hotwords: str | None,
    multilingual: bool = False,
) -> WindowTurns:
    """One window: level normalised, speech detected, decoded, names corrected, and every
    stretch of speech of :data:`MIN_GAP_SECONDS` or more without words, and every shorter
    one silero hears away from all turns, and every longer stretch outside all turns where
    Whisper itself hears speech, re-decoded or turned into a turn flagged
    ``untranscribed_speech``; the rest lies inside a turn's span. Never a silent gap."""
    level, _gain = normalise_level(audio)
    kwargs = whisper_kwargs(options, language, hotwords)
    del kwargs["vad_filter"]
    chunks, fine_chunks = silero_chunk_sets(
        level, ((SPEECH_THRESHOLD, False), (GUARD_THRESHOLD, True))
    )
    activity = Activity.of(level)
    segments = decode(model, level, chunks if options.vad else None, **kwargs)
    turns = [segment_to_turn(s, offset, activity) for s in segments if s.text.strip()]
    speech = speech_spans(level, fine_chunks)
    gaps = [
        g
        for g in merge_spans(subtract_spans(speech, _covered(turns, offset)), bridge=WORD_REACH)
        if g[1] - g[0] >= MIN_GAP_SECONDS
    ]
    turns, recovered = settle(model, level, gaps, offset, turns, language, options)
    # Sub-second speech far from every turn: silero heard a word alone ("yes"), or the
    # energy detector a cup or a chair (on the AMI development snippets, 12 of 12 such
    # energy-only bursts were no one's speech): the first is re-decoded or flagged too.
    heard = [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in fine_chunks]
    alone = [s for s in stray(turns, speech, offset) if subtract_spans([s], heard) != [s]]
    turns, more = settle(model, level, alone, offset, turns, language, options)
    recovered += more
    # Long stretches no turn spans: Whisper itself is asked whether someone speaks there.
    quiet = unheard(model, level, absorb(turns, speech, offset), offset, language)
    turns, more = settle(model, level, quiet, offset, turns, language, options)
    recovered += more
    if options.code_switching and multilingual:
        turns = switch_languages(model, level, offset, turns, language, options)
    if options.hotwords == "correct" and hotwords:
        names = tuple(hotwords.split())
        turns = [correct_names(t, names) for t in turns]
    turns.sort(key=lambda t: (t.start, t.end))
    turns = [
        replace(t, flags=(Flag(FlagCode.UNTRANSCRIBED_SPEECH, f"{t.end - t.start:.1f} s"),))
        if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)
        else t
        for t in pad_edges(absorb(turns, speech, offset), level, offset)
    ]
    # sums start at 0.0: an int 0 would be read back from a checkpoint as 0.0, and a resumed
    # run's transcript would differ from an uninterrupted one's
    untranscribed = sum(
        (t.end - t.start for t in turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)), 0.0
    )
    return WindowTurns(
        tuple(turns),
        round(sum((e - s for s, e in speech), 0.0), 2),
        round(recovered, 2),
        round(untranscribed, 2),
    )


#: The code a window's words come from: this package and the modules it decodes and
#: detects speech with.
CODE = ("transcription/*.py", "asr.py", "audio.py")
PACKAGE = Path(__file__).resolve().parents[1]


@cache
def code_digest(root: Path = PACKAGE) -> str:
    """A digest of the transcription code under ``root`` (fgdprep's package folder) and of the
    versions of faster-whisper and CTranslate2: windows checkpointed by an older fgdprep or
    decoder are not mixed into a newer one's transcript when an interrupted run resumes."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for path in sorted(p for pattern in CODE for p in root.glob(pattern)):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    for package in ("faster-whisper", "ctranslate2"):
        h.update(f"{package}=={version(package)}".encode())
    return h.hexdigest()[:16]


def fingerprint(
    audio_sha256: str, ref: ModelRef, options: TranscribeOptions, kwargs: dict[str, Any]
) -> str:
    """Identifies a run: a checkpoint made with other audio, model, options or code is not
    reused."""
    model_bin = ref.path / "model.bin"
    key = {
        "audio": audio_sha256,
        "model": ref.name,
        "model_size": model_bin.stat().st_size if model_bin.exists() else None,
        "options": asdict(options) | {"device": None, "cpu_threads": None},
        "kwargs": kwargs,
        "code": code_digest(),
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def transcribe(
    audio: Path,
    session: Session,
    load: Callable[[], Any],
    ref: ModelRef,
    options: TranscribeOptions,
    hotwords: str | None,
    checkpoints: Checkpoints,
) -> Iterator[WindowResult]:
    """Transcribe ``audio`` window by window, yielding each finished window in order.

    ``load`` gives a fresh model. Whisper's temperature fallback samples at random, and
    CTranslate2 seeds each worker thread's generator once, when the thread first samples; a
    model loaded per window (0.3 s for tiny.en) after seeding with the window's index makes
    every window reproducible, so a resumed run equals an uninterrupted one.
    """
    import ctranslate2

    assert session.audio is not None
    kwargs = whisper_kwargs(options, session.language, hotwords)
    fp = fingerprint(session.audio.sha256, ref, options, kwargs)
    window_samples = int(options.window_seconds * SAMPLE_RATE)
    search_samples = int(options.search_seconds * SAMPLE_RATE)
    for window in windows(stream_mono(audio), window_samples, search_samples):
        name = f"window-{window.index:05d}"
        saved = checkpoints.load(name)
        if saved is not None:
            try:
                done = loads("window", WindowResult, saved)
            except ValueError:
                done = None
            if done and (done.fingerprint, done.start_sample, done.end_sample) == (
                fp,
                window.start,
                window.end,
            ):
                log.info("window %d: reused checkpoint", window.index)
                yield done
                continue
        ctranslate2.set_random_seed(window.index + 1)
        model = load()
        offset = window.start / SAMPLE_RATE
        done_window = transcribe_window(
            model,
            window.audio,
            offset,
            options,
            session.language,
            hotwords,
            bool(model.model.is_multilingual),
        )
        result = WindowResult(
            window.index,
            window.start,
            window.end,
            fp,
            done_window.turns,
            done_window.speech_s,
            done_window.recovered_s,
            done_window.untranscribed_s,
        )
        checkpoints.save(name, dumps("window", result))
        del model, done_window
        trim()  # the window's arrays go back to the system (see fgdprep.memory)
        log.info("window %d: %d turns", window.index, len(result.turns))
        yield result


def coverage(results: Iterable[WindowResult]) -> dict[str, float]:
    """Seconds of speech heard, recovered by re-decoding, and left untranscribed."""
    rs = list(results)
    return {
        "speech_s": round(sum(r.speech_s for r in rs), 1),
        "recovered_s": round(sum(r.recovered_s for r in rs), 1),
        "untranscribed_s": round(sum(r.untranscribed_s for r in rs), 1),
    }


def coverage_line(results: Iterable[WindowResult]) -> str:
    """What the coverage guard did, for the moderator: never a silent gap."""
    rs = list(results)
    c = coverage(rs)
    flagged = sum(1 for r in rs for t in r.turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH))
    return (
        f"Speech check: {c['speech_s']:.0f} s of speech heard; {c['recovered_s']:.1f} s with"
        f" no words re-decoded and recovered; {c['untranscribed_s']:.1f} s left untranscribed"
        f" in {flagged} turn(s) flagged untranscribed_speech (listen to them)."
    )
