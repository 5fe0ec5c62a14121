"""The pipeline of a session: its stages in order, what each is made from, and whether what
a stage wrote is still current.

Each stage's transcript records the SHA-256 of the study files it was made from
(``provenance.options["inputs"]``, :data:`fgdprep.model.INPUTS`). A stage is current while
those files are as recorded and the stage before it is current: after ``transcribe
--force`` the speaker turns, and after ``speakers`` the shareable copy, are out of date until
their stage runs again. Review decisions not yet applied are :func:`fgdprep.gates.
decisions_applied`'s to tell. Transcripts written before inputs were recorded count as
current.
"""

from __future__ import annotations

import os
import shlex
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fgdprep.gates import decisions_applied
from fgdprep.model import INPUTS, SOURCE_STAGES, Stage
from fgdprep.store import CheckpointDir, Study

if TYPE_CHECKING:
    from fgdprep.stages.transcribe import Progress


def _speakers_inputs(study: Study, sid: str) -> dict[str, Path]:
    return {
        Stage.TRANSCRIBED.value: study.transcript_path(sid, Stage.TRANSCRIBED),
        "diarization": study.diarization_path(sid),
        "speaker_assignments": study.assignments_path(sid),
    }


def _pseudonymised_inputs(study: Study, sid: str) -> dict[str, Path]:
    """The latest transcript it would read now: made from another one, it is out of date."""
    latest = study.latest_stage(sid, SOURCE_STAGES)
    return {latest.value: study.transcript_path(sid, latest)} if latest is not None else {}


@dataclass(frozen=True)
class Hooks:
    """How a run reports and asks: each step as it starts (its name), transcription progress,
    the codebook passphrase (asked only when pseudonymisation runs), a note before the
    analyzers load, and each finished stage with its result."""

    passphrase: Callable[[], str]
    progress: Progress | None = None
    loading: Callable[[], None] | None = None
    finished: Callable[[Stage, Any], None] | None = None
    started: Callable[[str], None] | None = None


@dataclass(frozen=True)
class Threads:
    """CPU threads of the step that runs and of the work beside it (see :func:`split`)."""

    main: int
    beside: int


def split(cores: int | None = None) -> Threads:
    """How the cores are shared while transcription and diarization run side by side: half
    each, transcription taking the odd one (2 cores: one each; 8: four each). On two cores one
    CTranslate2 thread transcribes tiny.en about as fast as two, so the second core is worth
    more to the diarizer; neither gets fewer than one thread."""
    n = max(1, cores if cores is not None else os.cpu_count() or 1)
    beside = max(1, n // 2)
    return Threads(max(1, n - beside), beside)


#: Work of a step that needs only the recording, made ready to start beside the steps
#: before it (None: nothing to do there); it gets the thread count it may use and an event
#: set when the main steps fail or are interrupted (it should then stop at its next safe
#: point, raising :class:`~fgdprep.errors.Stopped`), may save what it made as soon as it is
#: made (then the step's next run finds it), and its result is handed to the step's ``run``.
Beside = Callable[[Study, str, int, threading.Event], "Callable[[], Any] | None"]


@dataclass(frozen=True)
class Step:
    """A stage of the pipeline; ``inputs`` are the files its output may have been made from
    (by the names its provenance records them under); ``run`` is its entry point (saves,
    audits, returns a result), given the hooks, what its ``beside`` work made (or None) and
    its CPU threads (None: all)."""

    stage: Stage
    command: str
    inputs: Callable[[Study, str], dict[str, Path]]
    run: Callable[[Study, str, Hooks, Any, int | None], Any]
    beside: Beside | None = None
    #: Shown while it runs, with ``beside_label`` when its beside work runs alongside.
    label: str = ""
    beside_label: str = ""
    #: Not applicable to a session without a recording (``import``: typed by hand, its
    #: speaker turns come from the file).
    needs_audio: bool = False


def _transcribe(study: Study, sid: str, hooks: Hooks, _prepared: Any, threads: int | None) -> Any:
    from fgdprep.stages import transcribe

    if study.config.transcription.cpu_threads:
        threads = None  # the study config's own choice wins
    request = transcribe.TranscribeRequest(
        sid, force=True, cpu_threads=threads, resume=shlex.join(["fgdprep", "run", sid])
    )
    return transcribe.run(study, request, hooks.progress)


def _diarize_beside(
    study: Study, sid: str, threads: int, stop: threading.Event
) -> Callable[[], Any] | None:
    """Diarization, when the speaker step will need a new one and there is a recording."""
    from fgdprep.stages import speakers

    if study.diarization_path(sid).is_file() or study.load_session(sid).audio is None:
        return None
    request = speakers.SpeakersRequest(sid, threads=threads, stop=stop)
    return lambda: speakers.diarize_and_save(study, request)


def _speakers(study: Study, sid: str, hooks: Hooks, prepared: Any, threads: int | None) -> Any:
    from fgdprep.stages import speakers

    return speakers.run(study, speakers.SpeakersRequest(sid, diarization=prepared))


def _pseudonymise(study: Study, sid: str, hooks: Hooks, _p: Any, _t: int | None) -> Any:
    from fgdprep.stages import pseudonymise

    return pseudonymise.run(study, [sid], hooks.passphrase, hooks.loading)


#: The stages in order. A new stage is a row here (and its ``Stage``); a step that may start
#: later (an imported, text-only session starts after transcription) is skipped by
#: :func:`bring_up_to_date` as long as its output is current.
STEPS = (
    Step(
        Stage.TRANSCRIBED,
        "transcribe",
        lambda study, sid: {},
        _transcribe,
        label="transcribe",
        needs_audio=True,
    ),
    Step(
        Stage.SPEAKERS,
        "speakers",
        _speakers_inputs,
        _speakers,
        _diarize_beside,
        label="speaker turns",
        beside_label="diarize",
        needs_audio=True,
    ),
    Step(
        Stage.PSEUDONYMISED,
        "pseudonymise",
        _pseudonymised_inputs,
        _pseudonymise,
        label="first PII pass",
    ),
)


def _inputs_unchanged(study: Study, sid: str, step: Step) -> bool:
    recorded = study.transcript_summary(sid, step.stage).provenance.options.get(INPUTS)
    if not isinstance(recorded, dict):
        return True  # made before inputs were recorded
    paths = step.inputs(study, sid)
    return all(
        name in paths and study.digest(paths[name]) == digest for name, digest in recorded.items()
    )


@dataclass(frozen=True)
class SessionState:
    """The stages a session has done, in order, and the first that is out of date."""

    done: tuple[Stage, ...]
    stale: Stage | None

    @property
    def latest(self) -> Stage | None:
        return self.done[-1] if self.done else None

    def is_current(self, stage: Stage) -> bool:
        if stage not in self.done:
            return False
        return self.stale is None or self.done.index(stage) < self.done.index(self.stale)

    @property
    def next_command(self) -> str | None:
        """The command that brings the session up to date (None when it is)."""
        if self.stale is None:
            return None
        return next(s.command for s in STEPS if s.stage == self.stale)


def state(study: Study, session_id: str) -> SessionState:
    done = tuple(s.stage for s in STEPS if study.has_transcript(session_id, s.stage))
    stale = next(
        (s.stage for s in STEPS if s.stage in done and not _inputs_unchanged(study, session_id, s)),
        None,
    )
    return SessionState(done, stale)


def _needs_run(study: Study, session_id: str, stage: Stage) -> bool:
    now = state(study, session_id)
    if not now.is_current(stage):
        return True
    return stage == Stage.PSEUDONYMISED and not decisions_applied(study, session_id)


class _Beside:
    """Work running in a thread beside the main steps: :meth:`result` waits for it and hands
    back its value or raises its error in the caller's thread. What it saves is whole
    (atomic writes), so a kill loses only what a rerun redoes; an error in the main steps
    (Ctrl-C included) sets :attr:`stop` and waits for it to stop at its next safe point
    (daemon only so that a kill of the main thread's wait never hangs the exit)."""

    def __init__(self, work: Callable[[], Any], stop: threading.Event) -> None:
        self.stop = stop
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._value = work()
        except BaseException as exc:  # handed to the main thread by result()
            self._error = exc

    def stop_and_wait(self) -> None:
        """Ask it to stop, then wait until it has; its value or error is dropped."""
        self.stop.set()
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def bring_up_to_date(study: Study, session_id: str, hooks: Hooks) -> list[Stage]:
    """Run every stage of the session that has not run or is out of date, in order (the
    stages' own entry points: saved, audited); returns the stages that ran. A finished,
    current stage is skipped, so running again after a crash or a kill continues where it
    stopped (transcription from its checkpoints); the checkpoints of a stage that is current
    (left by an interrupted ``transcribe --force``) are deleted.

    A step's ``beside`` work (diarization: it needs only the recording) starts at once in a
    thread beside the steps before it, on the cores :func:`split` gives it; the step itself
    (the word-to-speaker assignment) waits for it. An error on either side is raised as it
    is, once: the main steps' first (after the beside work stops at its next safe point,
    its result dropped), else the beside work's when its step is reached. Needs the study
    lock."""
    typed = study.load_session(session_id).audio is None
    todo = [
        step
        for step in STEPS
        if not (typed and step.needs_audio) and _needs_run(study, session_id, step.stage)
    ]
    for step in STEPS:
        if step not in todo:
            # a current stage's leftover checkpoints (an interrupted --force) are stale
            CheckpointDir(study, session_id, step.stage).clear()
    threads = split()
    started: dict[Stage, _Beside] = {}
    for step in todo[1:]:
        stop = threading.Event()
        work = step.beside(study, session_id, threads.beside, stop) if step.beside else None
        if work is not None:
            started[step.stage] = _Beside(work, stop)
    labels = [s.beside_label for s in todo if s.stage in started]
    ran = []
    try:
        for step in todo:
            if hooks.started is not None:
                hooks.started(" + ".join([step.label, *labels]))
            prepared = started.pop(step.stage).result() if step.stage in started else None
            labels = [s.beside_label for s in todo if s.stage in started]
            threads_now = threads.main if started else None
            result = step.run(study, session_id, hooks, prepared, threads_now)
            ran.append(step.stage)
            if hooks.finished is not None:
                hooks.finished(step.stage, result)
    finally:
        # A thread still inside torch when the interpreter exits aborts the process
        # ("terminate called without an active exception"): the error waits for it to stop.
        for beside in started.values():
            beside.stop_and_wait()
    return ran


def next_for_a_person(study: Study, session_id: str) -> list[str]:
    """What the session waits for from a person, with the command for each."""
    from fgdprep.gates import review_blockers
    from fgdprep.stages.speakers import load_assignments, load_diarization

    out = []
    now = state(study, session_id)
    if now.next_command is not None:
        out.append(f"{now.stale} is out of date: fgdprep {now.next_command} {session_id}")
    diarization = load_diarization(study, session_id)
    if diarization is not None:
        assigned = load_assignments(study, session_id).mapping()
        left = [label for label in diarization.labels if label not in assigned]
        if left:
            out.append(
                f"{len(left)} speaker label(s) to name with a roster code:"
                f" fgdprep speakers {session_id} --show"
            )
    pending = review_blockers(study, session_id)
    if pending:
        out.append(f"{pending} suggestion(s) to review: fgdprep review {session_id}")
    return out
