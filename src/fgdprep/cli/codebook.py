"""``fgdprep codebook``: rekey or export the encrypted study codebook."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from fgdprep.cli.context import (
    Ctx,
    ask_passphrase,
    pass_ctx,
)
from fgdprep.codebook import load_codebook, save_codebook
from fgdprep.errors import FgdprepError, InputError
from fgdprep.store import atomic_write_text

ENV_NEW_PASSPHRASE = "FGDPREP_NEW_PASSPHRASE"


@click.group()
def codebook() -> None:
    """The encrypted study codebook (real names <-> labels): rekey, export.

    \b
    Example: fgdprep codebook rekey
    """


@codebook.command()
@pass_ctx
def rekey(obj: Ctx) -> None:
    """Change the codebook passphrase.

    Old passphrase: FGDPREP_PASSPHRASE or a prompt; new one: FGDPREP_NEW_PASSPHRASE or a
    prompt (asked twice).

    \b
    Example: fgdprep codebook rekey
    """
    study = obj.study()
    with study.lock():
        if not study.codebook_path.is_file():
            raise FgdprepError("the study has no codebook yet; 'fgdprep pseudonymise' makes it")
        book = load_codebook(study, ask_passphrase(study, "Current codebook passphrase"))
        new = os.environ.get(ENV_NEW_PASSPHRASE) or click.prompt(
            "New codebook passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
        if not new:
            raise InputError("the new passphrase is empty; nothing was changed")
        save_codebook(study, book, new)
        study.audit("codebook rekey", counts={"entries": len(book.entries)})
    click.echo(f"The codebook has a new passphrase ({len(book.entries)} entries).")


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
    study = obj.study()
    shareable = study.shareable.resolve()
    target = output.resolve()
    if target == shareable or shareable in target.parents:
        raise InputError(f"{output}: the readable codebook may never go into the shareable area")
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise InputError(f"{output}: exists and is not a plain file; name a new file")
    with study.lock():
        book = load_codebook(study, ask_passphrase(study))
        if not yes:
            click.confirm(
                f"Write the readable codebook ({len(book.entries)} real names) to {output}?",
                abort=True,
                err=True,
            )
        data = json.loads(book.to_json())
        atomic_write_text(
            output, json.dumps(data, ensure_ascii=False, indent=1) + "\n", study.perms
        )
        study.audit("codebook export", counts={"entries": len(book.entries)})
    click.echo(f"Wrote {len(book.entries)} codebook entries to {output} (owner-only).")
