"""``fgdprep withdraw``: a participant withdrew consent."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx


@click.command()
@click.argument("code")
@click.option("--site", required=True, help="The site whose roster has CODE (e.g. DS).")
@click.option("--yes", is_flag=True, help="Confirm: the withdrawal cannot be undone.")
@pass_ctx
def withdraw(obj: Ctx, code: str, site: str, yes: bool) -> None:
    """Withdraw a participant: every turn they spoke says "[contribution withdrawn]".

    In every session, translation and finalised transcript the turn keeps its paragraph
    number and speaker code, so citations still point at the same numbers; their name is
    labelled in other people's turns, their codebook entry and roster name are erased, and
    files that quote or voice them and are remade on demand (back-check worksheets and
    clips, speaker clips, checkpoints) are deleted. Exports and archives made after this
    carry the change; those made before are listed. The original recordings still hold
    their voice: delete them by hand. The audit log records who, when and how many turns.

    \b
    Example: fgdprep withdraw P03 --site DS --yes
    """
    from fgdprep.stages.withdraw import WithdrawRequest, run

    study = obj.study()
    with study.lock():
        result = run(study, WithdrawRequest(site, code, yes), lambda: ask_passphrase(study))
    who = f"{result.site}/{result.code}"
    click.echo(
        f"Withdrew {who} ({result.label}): {result.turns} turn(s) in {len(result.sessions)}"
        " session(s) now say '[contribution withdrawn]' under their paragraph numbers."
    )
    for s in result.sessions:
        click.echo(
            f"  {s.session_id}: {s.turns} turn(s), {s.mentions} mention(s) of their name"
            f" labelled; {len(s.rewritten)} file(s) rewritten, {len(s.deleted)} deleted"
        )
    click.echo(
        f"Codebook entries erased: {result.codebook_entries}; documents changed:"
        f" {result.documents}; the rosters keep the code with no name."
    )
    for sid in result.unattributed:
        click.echo(
            f"Note: {sid} lists {who} as attending but no turn has that speaker; if they"
            f" spoke, assign their voice ('fgdprep speakers {sid} --show') and run this again.",
            err=True,
        )
    if result.recordings:
        click.echo("The original recordings still hold their voice; delete them by hand:")
        for path in result.recordings:
            click.echo(f"  {path}")
    if result.earlier:
        click.echo(
            "Made before the withdrawal, outside the study (may hold their words or name):"
            " delete them and make them again (fgdprep export / archive / translate):"
        )
        for e in result.earlier:
            where = f" -> {e.destination}" if e.destination else ""
            click.echo(f"  {e.time} {e.command} ({', '.join(e.sessions)}){where}")
