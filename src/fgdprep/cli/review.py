"""``fgdprep review``: the review queue of uncertain findings, and decisions on it."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, utc_now
from fgdprep.store import current_user


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

    Without options: id, label, type, recognizer, score, paragraph and the words around
    each pending suggestion ("translation" marks one in the turn's translation). Decisions
    are applied by the next 'fgdprep pseudonymise'; when other pseudonymised sessions name
    what was decided, 'fgdprep pseudonymise --all' applies them everywhere.

    \b
    Example: fgdprep review DS-pre --accept 12 --reject 13 --add "Mama Grace" --as P01
    """
    from fgdprep.model import TRANSLATION
    from fgdprep.stages.review import Decisions, pending_rows, record

    if len(add_texts) != len(add_targets):
        raise click.UsageError("give one --as for every --add")
    study = obj.study()
    if not (accept or reject or accept_all or add_texts or dismiss_leak):
        rows = pending_rows(study, session_id)
        if not rows:
            click.echo(f"No pending suggestions for {study.load_session(session_id).id}.")
            return
        for row in rows:
            s = row.suggestion
            where = f"¶{row.paragraph or '?'}" + (" translation" if s.field == TRANSLATION else "")
            click.echo(
                f"{s.id:>4}  {s.label:<14} {s.entity_type:<13} {s.recognizer:<9} {s.score:.2f}"
                f"  {where}: …{row.context}…"
            )
        click.echo(f"{len(rows)} pending; decide with --accept/--reject ID or --accept-all.")
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
    outcome, sid = done.outcome, done.outcome.queue.session_id
    parts = [f"accepted {outcome.accepted}", f"rejected {outcome.rejected}"]
    if outcome.added:
        parts.append(f"added {len(outcome.added)} ({', '.join(outcome.added)})")
    if dismiss_leak:
        parts.append(f"dismissed {len(dismiss_leak)} leak-check hit(s)")
    click.echo(
        f"{sid}: {', '.join(parts)}; {done.pending} pending. Apply with: fgdprep pseudonymise {sid}"
    )
    if done.others:
        click.echo(
            f"Also named in {len(done.others)} other pseudonymised session(s)"
            f" ({', '.join(done.others)}); apply everywhere with: fgdprep pseudonymise --all"
        )
