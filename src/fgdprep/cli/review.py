"""``fgdprep review``: the review queue of uncertain findings, and decisions on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, utc_now
from fgdprep.store import DOCUMENT_ID, current_user

if TYPE_CHECKING:
    from fgdprep.stages.review import Decisions
    from fgdprep.store import Study


@click.command()
@click.argument("session_id", metavar="SESSION|DOC-ID")
@click.option("--accept", multiple=True, type=int, metavar="ID", help="Accept a suggestion.")
@click.option("--reject", multiple=True, type=int, metavar="ID", help="Reject a suggestion.")
@click.option("--accept-all", is_flag=True, help="Accept every pending suggestion.")
@click.option("--add", "add_texts", multiple=True, metavar="TEXT", help="A name the tools missed.")
@click.option(
    "--as",
    "add_targets",
    multiple=True,
    metavar="TARGET",
    help="For each --add: a roster code (P01), a type (PERSON, LOCATION, FACILITY, WARD,"
    " PHONE, EMAIL, ID) or a codebook label ([Person 2]).",
)
@click.option(
    "--dismiss-leak",
    multiple=True,
    metavar="HIT",
    help="Dismiss a leak-check hit of this session's files (its id).",
)
@click.option("--yes", is_flag=True, help="Do not ask before dismissing an exact name.")
@pass_ctx
def review(
    obj: Ctx,
    session_id: str,
    accept: tuple[int, ...],
    reject: tuple[int, ...],
    accept_all: bool,
    add_texts: tuple[str, ...],
    add_targets: tuple[str, ...],
    dismiss_leak: tuple[str, ...],
    yes: bool,
) -> None:
    """List pending suggestions, or record decisions on them (identifiable view).

    Takes a session, or a document's id (doc-..., printed by 'deidentify --site'): its
    guesses join the codebook only when accepted.

    Without options: id, label, type, recognizer, score, paragraph and the words around
    each pending suggestion ("translation" marks one in the turn's translation). Decisions
    are applied by the next 'fgdprep pseudonymise'; when other pseudonymised sessions name
    what was decided, 'fgdprep pseudonymise --all' applies them everywhere.

    \b
    Example: fgdprep review DS-pre --accept 12 --reject 13 --add "Mama Grace" --as P01
    """
    from fgdprep.report import review_pending, review_recorded
    from fgdprep.stages.review import Decisions, pending_rows, record

    if len(add_texts) != len(add_targets):
        raise click.UsageError("give one --as for every --add")
    study = obj.study()
    if DOCUMENT_ID.match(session_id) and not study.has_session(session_id):
        if dismiss_leak:
            raise click.UsageError("--dismiss-leak takes a session, not a document")
        decisions = Decisions(
            accept, reject, accept_all, tuple(zip(add_texts, add_targets, strict=True))
        )
        _document(study, session_id, decisions)
        return
    if not (accept or reject or accept_all or add_texts or dismiss_leak):
        rows = pending_rows(study, session_id)
        if not rows:
            click.echo(f"No pending suggestions for {study.load_session(session_id).id}.")
            return
        click.echo(review_pending(rows))
        return

    def confirm_exact(n: int) -> None:
        if not yes:
            click.confirm(
                f"{n} of these hit(s) are, letter for letter, a roster or codebook name."
                " Dismiss anyway?",
                abort=True,
                err=True,
            )

    decisions = Decisions(
        accept, reject, accept_all, tuple(zip(add_texts, add_targets, strict=True))
    )
    with study.lock():
        done = record(
            study,
            session_id,
            decisions,
            dismiss_leak,
            lambda: ask_passphrase(study),
            current_user(),
            utc_now(),
            confirm_exact,
        )
    click.echo(review_recorded(done, len(dismiss_leak)))


def _document(study: Study, doc_id: str, decisions: Decisions) -> None:
    """``review DOC-ID``: a document's queue, listed or decided on."""
    from fgdprep.stages.deidentify import document_pending_rows, record_document_review

    if not (decisions.accept or decisions.reject or decisions.accept_all or decisions.add):
        rows = document_pending_rows(study, doc_id)
        if not rows:
            click.echo(f"No pending suggestions for {doc_id}.")
            return
        for row in rows:
            s = row.suggestion
            click.echo(
                f"{s.id:>4}  {s.label:<14} {s.entity_type:<13} {s.recognizer:<9} {s.score:.2f}"
                f"  {row.unit}: …{row.context}…"
            )
        click.echo(f"{len(rows)} pending; decide with --accept/--reject ID or --accept-all.")
        return
    with study.lock():
        done = record_document_review(
            study, doc_id, decisions, lambda: ask_passphrase(study), current_user(), utc_now()
        )
    parts = [f"accepted {done.accepted}", f"rejected {done.rejected}"]
    if done.added:
        parts.append(f"added {len(done.added)} ({', '.join(done.added)})")
    click.echo(
        f"{doc_id}: {', '.join(parts)}; {done.pending} pending. Apply to the document with:"
        f" fgdprep deidentify {done.document.file} --site {done.document.site}; to the"
        " sessions with: fgdprep pseudonymise --all"
    )
