"""``fgdprep demo``: the whole available pipeline on the bundled sample FGD."""

from __future__ import annotations

import os
from pathlib import Path

import click

from fgdprep.cli.context import Ctx, quiet_option
from fgdprep.cli.ingest import ingest
from fgdprep.cli.pseudonymise import pseudonymise
from fgdprep.cli.speakers import speakers
from fgdprep.cli.study import init, show
from fgdprep.cli.transcribe import transcribe
from fgdprep.codebook import ENV_PASSPHRASE
from fgdprep.config import CONFIG_NAME
from fgdprep.errors import InputError

#: The demo study's codebook passphrase (when FGDPREP_PASSPHRASE is not set).
DEMO_PASSPHRASE = "demo"


def _sample_dir() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (base / "sample_audio" / "fgd_sample.flac").is_file():
            return base / "sample_audio"
    raise InputError(
        "sample_audio/fgd_sample.flac not found; run the demo from a clone of the fgdprep"
        " repository"
    )


@click.command()
@click.argument("folder", type=click.Path(path_type=Path), default="demo-study")
@quiet_option
@click.pass_context
def demo(ctx: click.Context, folder: Path, quiet: bool) -> None:
    """Run the whole available pipeline on the bundled sample FGD.

    Makes a study in FOLDER (default: ./demo-study), ingests sample_audio/, transcribes it
    offline with the embedded model, finds the speaker turns and prints them, then
    pseudonymises them and prints the shareable copy. The demo's codebook passphrase is
    FGDPREP_PASSPHRASE, or "demo" when that is not set.

    \b
    Example: fgdprep demo
    """
    sample = _sample_dir()
    if (folder / CONFIG_NAME).exists():
        raise InputError(f"{folder} already holds a study; remove it or name another folder")
    ctx.invoke(init, folder=folder, config_path=sample / "demo.yaml")
    ctx.obj = Ctx(folder)
    sid = "DEMO-pre"
    ctx.invoke(
        ingest,
        audio=sample / "fgd_sample.flac",
        session_id=sid,
        site="BU",
        wave="pre",
        date="2025-03-14",
        language="en",
        roster=sample / "roster.csv",
    )
    ctx.invoke(transcribe, session_id=sid, quiet=quiet)
    ctx.invoke(speakers, session_id=sid)
    ctx.invoke(show, session_id="DEMO-pre", stage_name="speakers")

    given = os.environ.get(ENV_PASSPHRASE)
    os.environ[ENV_PASSPHRASE] = given or DEMO_PASSPHRASE
    try:
        click.echo("")
        ctx.invoke(pseudonymise, session_id="DEMO-pre", all_sessions=False, quiet=quiet)
    finally:
        if given is None:
            del os.environ[ENV_PASSPHRASE]
    click.echo("")
    ctx.invoke(show, session_id="DEMO-pre", stage_name="pseudonymised")
    if given is None:
        click.echo(f"\nThe demo codebook's passphrase is {DEMO_PASSPHRASE!r}.")
    click.echo(f"The demo study is in {folder}{os.sep}; try: fgdprep --study {folder} sessions")
