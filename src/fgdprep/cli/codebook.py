"""``fgdprep codebook``: rekey or export the encrypted study codebook."""

from __future__ import annotations

import os
from pathlib import Path

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx

ENV_NEW_PASSPHRASE = "FGDPREP_NEW_PASSPHRASE"


@click.group()
def codebook() -> None:
    """The encrypted study codebook (real names <-> labels): backup, rekey, export.

    \b
    Example: fgdprep codebook backup -o /media/usb/ds-codebook.enc
    """


@codebook.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="File or folder for the copy (outside the study; never inside shareable/).",
)
@pass_ctx
def backup(obj: Ctx, output: Path) -> None:
    """Copy the encrypted codebook to a safe place (owner-only; the audit log records where).

    Without the codebook the labels can never be undone and no session can be
    pseudonymised again; a lost codebook's message names the last backup. Restore by
    copying it back to identifiable/codebook.enc.

    \b
    Example: fgdprep codebook backup -o /media/usb/ds-codebook.enc
    """
    from fgdprep.codebook import backup as run

    study = obj.study()
    with study.lock():
        run(study, output)
    click.echo(f"Copied the encrypted codebook to {output} (owner-only).")


@codebook.command()
@pass_ctx
def rekey(obj: Ctx) -> None:
    """Change the codebook passphrase.

    Old passphrase: FGDPREP_PASSPHRASE or a prompt; new one: FGDPREP_NEW_PASSPHRASE or a
    prompt (asked twice).

    \b
    Example: fgdprep codebook rekey
    """
    from fgdprep.codebook import rekey as run

    def new() -> str:
        value: str = os.environ.get(ENV_NEW_PASSPHRASE) or click.prompt(
            "New codebook passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
        return value

    study = obj.study()
    with study.lock():
        entries = run(study, lambda: ask_passphrase(study, "Current codebook passphrase"), new)
    click.echo(f"The codebook has a new passphrase ({entries} entries).")


@codebook.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the readable key (never inside shareable/).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def export(obj: Ctx, output: Path, yes: bool) -> None:
    """Write the codebook as readable JSON for the data manager's records.

    The file undoes the pseudonymisation: keep it as safe as the recordings.

    \b
    Example: fgdprep codebook export -o /secure/ds-codebook.json
    """
    from fgdprep.codebook import export_readable

    def confirm(entries: int) -> None:
        if not yes:
            message = f"Write the readable codebook ({entries} real names) to {output}?"
            click.confirm(message, abort=True, err=True)

    study = obj.study()
    with study.lock():
        entries = export_readable(study, output, lambda: ask_passphrase(study), confirm)
    click.echo(f"Wrote {entries} codebook entries to {output} (owner-only).")
