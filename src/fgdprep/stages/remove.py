"""Remove a session (a wrong recording, a test run): its recording, transcripts, review queue
and shareable copy. Human work in it (speaker assignments, review decisions) is only
discarded with ``force``. The site roster and the codebook keep what the session added: the
people and names are still the study's."""

from __future__ import annotations

from dataclasses import dataclass

from fgdprep.errors import StageError
from fgdprep.model import Session, SpeakerAssignments
from fgdprep.stages.review import load_review
from fgdprep.store import Study


@dataclass(frozen=True)
class RemoveResult:
    session: Session
    #: Human work that was discarded (with force): what -> how many.
    discarded: dict[str, int]


def human_work(study: Study, session_id: str) -> dict[str, int]:
    """What a person did in the session that removing it would throw away."""
    work: dict[str, int] = {}
    path = study.assignments_path(session_id)
    if path.is_file():
        assignments = study.read_doc(path, "speaker_assignments", SpeakerAssignments)
        if assignments.assignments:
            work["speaker_assignments"] = len(assignments.assignments)
    decided = [s for s in load_review(study, session_id).suggestions if s.status != "pending"]
    if decided:
        work["review_decisions"] = len(decided)
    return work


def describe(work: dict[str, int]) -> str:
    """ "2 speaker assignment(s), 1 review decision(s)": for messages."""
    return ", ".join(f"{n} {kind.replace('_', ' ')[:-1]}(s)" for kind, n in work.items())


def remove(study: Study, session_id: str, force: bool) -> RemoveResult:
    """Delete the session's files, audited. Needs the study lock."""
    session = study.load_session(session_id)
    work = human_work(study, session.id)
    if work and not force:
        raise StageError(
            f"session {session.id} holds human work ({describe(work)}); removing it discards"
            " that."
            " Pass --force to remove it anyway (nothing was changed)"
        )
    for folder in (
        study.shareable_path(session.id).parent,
        study.recording_dir(session.id),
        study.session_dir(session.id),
    ):
        study.delete_tree(folder)
    study.audit(
        "remove",
        session=session.id,
        inputs={"recording": session.audio.sha256} if session.audio else {},
        counts={f"discarded_{kind}": n for kind, n in work.items()},
    )
    return RemoveResult(session, work)
