"""``fgdprep review``: the review queue of uncertain findings, and decisions on it."""

from __future__ import annotations

import getpass

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, utc_now


@click.command()
@click.argument("session_id")
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
    "--dismiss-leak", multiple=True, metavar="HIT", help="Dismiss a leak-check hit (its id)."
)
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
) -> None:
    """List pending suggestions, or record decisions on them (identifiable view).

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
    if not (accept or reject or accept_all or add_texts or dismiss_leak):
        rows = pending_rows(study, session_id)
        if not rows:
            click.echo(f"No pending suggestions for {study.load_session(session_id).id}.")
            return
        click.echo(review_pending(rows))
        return
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
            getpass.getuser(),
            utc_now(),
        )
    click.echo(review_recorded(done, len(dismiss_leak)))
