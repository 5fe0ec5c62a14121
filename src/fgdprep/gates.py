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
