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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from fgdprep import __version__
from fgdprep.asr import ModelRef, whisper_languages
from fgdprep.audio import SAMPLE_RATE, Activity, stream_mono, windows
from fgdprep.config import SiteConfig, TranscriptionConfig
from fgdprep.errors import StageError
from fgdprep.model import (
    AsrStats,
    Flag,
    FlagCode,
    Person,
    Provenance,
    Session,
    Stage,
    Transcript,
    Turn,
    Word,
    dumps,
    loads,
)
from fgdprep.store import CheckpointDir, Study

log = logging.getLogger(__name__)

STAGE = Stage.TRANSCRIBED
#: Whisper prompts hold at most ~220 tokens; hotwords beyond this many words are dropped.
MAX_HOTWORDS = 120
LOW_LOGPROB = -1.0
LOW_WORD_PROBABILITY = 0.45
HALLUCINATED_WORD_PROBABILITY = 0.15
HIGH_COMPRESSION = 2.4
HIGH_NO_SPEECH = 0.6


@dataclass(frozen=True)
class TranscribeOptions:
    """Everything that changes the transcript; defaults come from the study config."""

    model: str = "tiny.en"
    device: str = "auto"
    compute_type: str = "auto"
    beam_size: int = 5
    vad: bool = True
    condition_on_previous_text: bool = False
    hotwords: bool = True
    window_seconds: float = 600.0
    cpu_threads: int = 0

    @classmethod
    def from_config(cls, config: TranscriptionConfig, **overrides: Any) -> TranscribeOptions:
        values = config.model_dump()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def search_seconds(self) -> float:
        """How far back from a window's end the cut may move to find silence."""
        return min(30.0, self.window_seconds / 4)


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

    @property
    def start(self) -> float:
        return self.start_sample / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.end_sample / SAMPLE_RATE


def hotwords_for(site: SiteConfig | None, people: Iterable[Person]) -> str | None:
    """Roster names and aliases, then the site's places and facilities, as Whisper hotwords."""
    terms: list[str] = []
    for p in people:
        terms.extend((p.name, *p.aliases))
    if site is not None:
        terms.extend((*site.places, *site.facilities))
    words: list[str] = []
    for term in dict.fromkeys(t.strip() for t in terms if t.strip()):
        words.extend(term.split())
    words = list(dict.fromkeys(words))[:MAX_HOTWORDS]
    return " ".join(words) or None


def whisper_kwargs(
    options: TranscribeOptions, language: str, hotwords: str | None
) -> dict[str, Any]:
    """The keyword arguments given to ``WhisperModel.transcribe`` (the bench uses them too)."""
    return {
        "language": language,
        "beam_size": options.beam_size,
        "vad_filter": options.vad,
        "condition_on_previous_text": options.condition_on_previous_text,
        "word_timestamps": True,
        "hotwords": hotwords if options.hotwords else None,
    }


def check_language(session: Session, ref: ModelRef, multilingual: bool) -> None:
    if session.language not in whisper_languages():
        raise StageError(
            f"Whisper does not know the language {session.language!r} of session {session.id};"
            " type the transcript by hand, or re-ingest with --language if the FGD was held"
            " in another language"
        )
    if not multilingual and session.language != "en":
        raise StageError(
            f"model {ref.name} is English-only but session {session.id} is in"
            f" {session.language!r}; use --model base (pip install 'fgdprep[multilingual]')"
            " or another multilingual model"
        )


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


def fingerprint(
    audio_sha256: str, ref: ModelRef, options: TranscribeOptions, kwargs: dict[str, Any]
) -> str:
    """Identifies a run: a checkpoint made with other audio, model or options is not reused."""
    model_bin = ref.path / "model.bin"
    key = {
        "audio": audio_sha256,
        "model": ref.name,
        "model_size": model_bin.stat().st_size if model_bin.exists() else None,
        "options": asdict(options) | {"device": None, "cpu_threads": None},
        "kwargs": kwargs,
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
        segments, _info = model.transcribe(window.audio, **kwargs)
        activity = Activity.of(window.audio)
        turns = tuple(segment_to_turn(s, offset, activity) for s in segments if s.text.strip())
        result = WindowResult(window.index, window.start, window.end, fp, turns)
        checkpoints.save(name, dumps("window", result))
        log.info("window %d: %d segments", window.index, len(turns))
        yield result


def assemble(
    session: Session,
    results: Iterable[WindowResult],
    ref: ModelRef,
    options: TranscribeOptions,
    hotwords: str | None,
) -> Transcript:
    """The draft transcript: one turn per Whisper segment, in time order, speaker unknown."""
    turns = tuple(t for r in results for t in r.turns)
    kwargs = whisper_kwargs(options, session.language, hotwords)
    kwargs["hotwords"] = len(hotwords.split()) if kwargs["hotwords"] and hotwords else 0
    import faster_whisper

    provenance = Provenance(
        stage=STAGE,
        tool_version=__version__,
        model=ref.name,
        options=kwargs
        | {
            "window_seconds": options.window_seconds,
            "compute_type": options.compute_type,
            "faster_whisper": faster_whisper.__version__,
        },
    )
    return Transcript(session.id, session.language, turns, provenance)


# --- the study-level run (the CLI calls this; it never prints) -------------------------------


@dataclass(frozen=True)
class TranscribeRequest:
    """What ``fgdprep transcribe`` was asked; None keeps the study config's value."""

    session_id: str
    model: str | None = None
    device: str | None = None
    compute_type: str | None = None
    beam_size: int | None = None
    window_seconds: float | None = None
    force: bool = False

    def command(self) -> str:
        """The command that makes this request again, and so resumes it (the checkpoints
        are reused only with the same options)."""
        import shlex

        parts = ["fgdprep", "transcribe", self.session_id]
        given = (
            ("--model", self.model),
            ("--device", self.device),
            ("--compute-type", self.compute_type),
            ("--beam-size", self.beam_size),
            ("--window-seconds", self.window_seconds),
        )
        for flag, value in given:
            if value is not None:
                parts += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
        return shlex.join(parts + (["--force"] if self.force else []))


class Progress(Protocol):
    """Where the run reports: once before the first window, then after every window."""

    def start(self, session: Session, model: str, windows: int) -> None: ...

    def window(self, result: WindowResult) -> None: ...


@dataclass(frozen=True)
class TranscribeResult:
    session: Session
    transcript: Transcript
    #: False when the session was already transcribed and nothing ran (no --force).
    ran: bool
    windows: int = 0
    seconds: float = 0.0


def run(
    study: Study, request: TranscribeRequest, progress: Progress | None = None
) -> TranscribeResult:
    """Transcribe a session in the study: options from the config and the request, the
    roster's names as hotwords, window by window with checkpoints; saves the transcript and
    audits the run. Needs the study lock."""
    import dataclasses
    import math
    import time

    from fgdprep.asr import load_model, pick_compute_type, pick_device, resolve_model

    session = study.load_session(request.session_id)
    if study.has_transcript(session.id, STAGE) and not request.force:
        return TranscribeResult(session, study.load_transcript(session.id, STAGE), ran=False)
    options = TranscribeOptions.from_config(
        study.config.transcription,
        model=request.model,
        device=request.device,
        compute_type=request.compute_type,
        beam_size=request.beam_size,
        window_seconds=request.window_seconds,
    )
    dev = pick_device(options.device)
    options = dataclasses.replace(
        options, device=dev, compute_type=pick_compute_type(options.compute_type, dev)
    )
    people = [
        p
        for p in study.site_roster(session.site)
        if not session.attendance or p.code in session.attendance
    ]
    hotwords = hotwords_for(study.config.site(session.site), people)
    ref = resolve_model(options.model)

    def load() -> Any:
        return load_model(ref, options.device, options.compute_type, options.cpu_threads)

    check_language(session, ref, bool(load().model.is_multilingual))
    checkpoints = CheckpointDir(study, session.id, STAGE)
    assert session.audio is not None
    started = time.monotonic()
    if progress is not None:
        progress.start(
            session, ref.name, math.ceil(session.audio.duration / options.window_seconds)
        )
    results: list[WindowResult] = []
    audio = study.recording_path(session)
    try:
        for result in transcribe(audio, session, load, ref, options, hotwords, checkpoints):
            results.append(result)
            if progress is not None:
                progress.window(result)
    except KeyboardInterrupt:
        raise StageError(
            f"interrupted after {len(results)} finished window(s);"
            f" run '{request.command()}' again to resume"
        ) from None
    transcript = assemble(session, results, ref, options, hotwords)
    digest = study.save_transcript(transcript, STAGE)
    checkpoints.clear()
    elapsed = time.monotonic() - started
    study.audit(
        "transcribe",
        session=session.id,
        stage=STAGE,
        inputs={"recording": session.audio.sha256},
        outputs={STAGE: digest},
        counts={
            "turns": len(transcript.turns),
            "flagged": sum(1 for t in transcript.turns if t.flags),
            "windows": len(results),
            "model": ref.name,
            "seconds": round(elapsed, 1),
            "audio_s": session.audio.duration,
        },
    )
    return TranscribeResult(session, transcript, True, len(results), elapsed)
