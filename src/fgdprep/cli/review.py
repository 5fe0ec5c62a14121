"""``fgdprep review``: the review queue of uncertain findings, and decisions on it."""

from __future__ import annotations

import getpass

import click

from fgdprep.cli.context import (
    Ctx,
    ask_passphrase,
    pass_ctx,
    utc_now,
)
from fgdprep.codebook import load_codebook, save_codebook
from fgdprep.errors import FgdprepError
from fgdprep.model import Stage


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
    from fgdprep.model import TRANSLATION
    from fgdprep.stages.review import (
        Decisions,
        decide,
        load_review,
        pending,
        save_review,
        sessions_naming,
        text_of,
    )

    if len(add_texts) != len(add_targets):
        raise click.UsageError("give one --as for every --add")
    study = obj.study()
    session = study.load_session(session_id)
    queue = load_review(study, session.id)
    if not (accept or reject or accept_all or add_texts or dismiss_leak):
        waiting = pending(queue)
        if not study.has_transcript(session.id, Stage.PSEUDONYMISED):
            raise FgdprepError(
                f"{session.id} has not been pseudonymised; run 'fgdprep pseudonymise"
                f" {session.id}' first"
            )
        if not waiting:
            click.echo(f"No pending suggestions for {session.id}.")
            return
        turns = study.load_transcript(session.id, Stage.PSEUDONYMISED).turns
        number = {t.id: n for n, t in enumerate(turns, 1)}
        for s in waiting:
            n = number.get(s.turn)
            text = text_of(turns[n - 1], s.field) if n is not None else ""
            where = f"¶{n or '?'}" + (" translation" if s.field == TRANSLATION else "")
            context = (
                text[max(0, s.start - 40) : s.start]
                + "«"
                + text[s.start : s.end]
                + "»"
                + text[s.end : s.end + 40]
            ).replace("\n", " ")
            click.echo(
                f"{s.id:>4}  {s.label:<14} {s.entity_type:<13} {s.recognizer:<9} {s.score:.2f}"
                f"  {where}: …{context}…"
            )
        click.echo(f"{len(waiting)} pending; decide with --accept/--reject ID or --accept-all.")
        return
    with study.lock():
        passphrase = ask_passphrase(study)
        codebook = load_codebook(study, passphrase)
        who, when = getpass.getuser(), utc_now()
        outcome = decide(
            queue,
            codebook,
            Decisions(accept, reject, accept_all, tuple(zip(add_texts, add_targets, strict=True))),
            session.site,
            study.site_roster(session.site),
            who,
            when,
        )
        for hit in dismiss_leak:
            codebook.dismissed[hit] = {"by": who, "at": when, "session": session.id}
        codebook.changed = True
        save_codebook(study, codebook, passphrase)
        save_review(study, outcome.queue)
        others = sessions_naming(study, outcome.changed, session.id)
        study.audit(
            "review",
            session=session.id,
            counts={
                "accepted": outcome.accepted,
                "rejected": outcome.rejected,
                "added": len(outcome.added),
                "leaks_dismissed": len(dismiss_leak),
                "pending": len(pending(outcome.queue)),
                "other_sessions_affected": len(others),
            },
        )
    parts = [f"accepted {outcome.accepted}", f"rejected {outcome.rejected}"]
    if outcome.added:
        parts.append(f"added {len(outcome.added)} ({', '.join(outcome.added)})")
    if dismiss_leak:
        parts.append(f"dismissed {len(dismiss_leak)} leak-check hit(s)")
    click.echo(
        f"{session.id}: {', '.join(parts)}; {len(pending(outcome.queue))} pending."
        f" Apply with: fgdprep pseudonymise {session.id}"
    )
    if others:
        click.echo(
            f"Also named in {len(others)} other pseudonymised session(s) ({', '.join(others)});"
            " apply everywhere with: fgdprep pseudonymise --all"
        )
