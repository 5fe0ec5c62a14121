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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fgdprep.gates import decisions_applied
from fgdprep.model import INPUTS, SOURCE_STAGES, Stage
from fgdprep.store import Study

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
class Step:
    """A stage of the pipeline; ``inputs`` are the files its output may have been made from
    (by the names its provenance records them under)."""

    stage: Stage
    command: str
    inputs: Callable[[Study, str], dict[str, Path]]
    #: Not applicable to a session without a recording (``import``: typed by hand, its
    #: speaker turns come from the file).
    needs_audio: bool = False


STEPS = (
    Step(Stage.TRANSCRIBED, "transcribe", lambda study, sid: {}, needs_audio=True),
    Step(Stage.SPEAKERS, "speakers", _speakers_inputs, needs_audio=True),
    Step(Stage.PSEUDONYMISED, "pseudonymise", _pseudonymised_inputs),
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


@dataclass(frozen=True)
class Hooks:
    """How a run reports and asks: transcription progress, the codebook passphrase (asked
    only when pseudonymisation runs), a note before the analyzers load, and each finished
    stage with its result."""

    passphrase: Callable[[], str]
    progress: Progress | None = None
    loading: Callable[[], None] | None = None
    finished: Callable[[Stage, Any], None] | None = None


def _needs_run(study: Study, session_id: str, stage: Stage) -> bool:
    now = state(study, session_id)
    if not now.is_current(stage):
        return True
    return stage == Stage.PSEUDONYMISED and not decisions_applied(study, session_id)


def bring_up_to_date(study: Study, session_id: str, hooks: Hooks) -> list[Stage]:
    """Run every stage of the session that has not run or is out of date, in order (the
    stages' own entry points: saved, audited); returns the stages that ran. A finished,
    current stage is skipped, so running again after a crash or a kill continues where it
    stopped (transcription from its checkpoints). Needs the study lock."""
    from fgdprep.stages import pseudonymise, speakers, transcribe

    ran = []
    typed = study.load_session(session_id).audio is None
    for step in STEPS:
        if (typed and step.needs_audio) or not _needs_run(study, session_id, step.stage):
            continue
        result: Any
        if step.stage == Stage.TRANSCRIBED:
            request = transcribe.TranscribeRequest(session_id, force=True)
            result = transcribe.run(study, request, hooks.progress)
        elif step.stage == Stage.SPEAKERS:
            result = speakers.run(study, speakers.SpeakersRequest(session_id))
        else:
            result = pseudonymise.run(study, [session_id], hooks.passphrase, hooks.loading)
        ran.append(step.stage)
        if hooks.finished is not None:
            hooks.finished(step.stage, result)
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
