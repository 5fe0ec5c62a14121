"""The gates later steps call before a transcript leaves the study (export, archive,
finalisation): whether its shareable copy is current and whether suggestions wait for review.
"""

from __future__ import annotations

from fgdprep.model import ReviewQueue, Stage
from fgdprep.stages.pseudonymise import QUEUE_DIGEST
from fgdprep.store import Study


def decisions_applied(study: Study, session_id: str) -> bool:
    """Whether the session's shareable copy reflects its review queue as it is now: False
    after ``review`` decided something until ``pseudonymise`` runs again. Export and archive
    must refuse a copy that is not current."""
    path = study.review_path(session_id)
    if not study.has_transcript(session_id, Stage.PSEUDONYMISED) or not path.is_file():
        return True
    summary = study.transcript_summary(session_id, Stage.PSEUDONYMISED)
    applied = summary.provenance.options.get(QUEUE_DIGEST)
    return applied is None or applied == study.digest(path)


def review_blockers(study: Study, session_id: str) -> int:
    """Pending suggestions of a session (in its text and its translation): finalisation,
    export and archive must refuse while there are any. The one gate later stages call."""
    path = study.review_path(session_id)
    if not path.is_file():
        return 0
    # read as it is: which turn a suggestion is in does not change the count
    queue = study.read_doc(path, "review", ReviewQueue)
    return sum(1 for s in queue.suggestions if s.status == "pending")


def finalise_blockers(study: Study, session_id: str) -> list[tuple[str, str]]:
    """What keeps a session from being finalised, as (code, message) pairs: the shareable
    copy out of date, review decisions not applied, suggestions pending, no back-check
    (no checked transcript). Codes go into the audit log; messages name the command."""
    from fgdprep.pipeline import state

    out = []
    now = state(study, session_id)
    if now.stale is not None and now.next_command is not None:
        out.append(
            ("out_of_date", f"{now.stale} is out of date (fgdprep {now.next_command} {session_id})")
        )
    if not decisions_applied(study, session_id):
        out.append(
            (
                "decisions_not_applied",
                f"review decisions not yet applied (fgdprep pseudonymise {session_id})",
            )
        )
    pending = review_blockers(study, session_id)
    if pending:
        out.append(
            ("review_pending", f"{pending} suggestion(s) to review (fgdprep review {session_id})")
        )
    if not study.has_transcript(session_id, Stage.CHECKED):
        out.append(("not_backchecked", f"not back-checked (fgdprep backcheck {session_id})"))
    return out


def is_finalised(study: Study, session_id: str) -> bool:
    """Whether ``finalise`` froze the session's numbers and source text."""
    return study.finalised_path(session_id).is_file()


def refuse_if_finalised(study: Study, session_id: str, command: str) -> None:
    """Stages that would change a finalised session's source text call this first: a
    finalised session changes only after ``fgdprep reopen`` (translations may still come)."""
    from fgdprep.errors import StageError

    if is_finalised(study, session_id):
        raise StageError(
            f"{session_id} is finalised: its numbers and text are frozen, so '{command}' would"
            f" change a cited transcript. Reopen it first: fgdprep reopen {session_id}"
            " (citations may break)"
        )
