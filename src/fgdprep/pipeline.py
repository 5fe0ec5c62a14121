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

from fgdprep.model import INPUTS, SOURCE_STAGES, Stage
from fgdprep.store import Study


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


STEPS = (
    Step(Stage.TRANSCRIBED, "transcribe", lambda study, sid: {}),
    Step(Stage.SPEAKERS, "speakers", _speakers_inputs),
    Step(Stage.PSEUDONYMISED, "pseudonymise", _pseudonymised_inputs),
)


def _inputs_unchanged(study: Study, sid: str, step: Step) -> bool:
    transcript = study.load_transcript(sid, step.stage)
    recorded = transcript.provenance.options.get(INPUTS)
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
