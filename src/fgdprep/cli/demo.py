"""``fgdprep demo``: the whole available pipeline on the bundled sample FGD."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from fgdprep.cli.context import Ctx, quiet_option
from fgdprep.cli.study import init
from fgdprep.codebook import ENV_PASSPHRASE
from fgdprep.config import CONFIG_NAME
from fgdprep.errors import InputError
from fgdprep.model import Stage

#: The demo study's codebook passphrase (when FGDPREP_PASSPHRASE is not set).
DEMO_PASSPHRASE = "demo-passphrase"
SESSION = "DEMO-pre"


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
    FGDPREP_PASSPHRASE, or "demo-passphrase" when that is not set.

    \b
    Example: fgdprep demo
    """
    sample = _sample_dir()
    if (folder / CONFIG_NAME).exists():
        raise InputError(f"{folder} already holds a study; remove it or name another folder")
    ctx.invoke(init, folder=folder, config_path=sample / "demo.yaml")
    from fgdprep.cli import ingest as ingest_cli
    from fgdprep.cli.run import rendering_hooks
    from fgdprep.formats.plain import render_turns
    from fgdprep.pipeline import bring_up_to_date
    from fgdprep.stages.ingest import IngestRequest
    from fgdprep.stages.ingest import ingest as run_ingest

    study = Ctx(folder).study()

    def show(stage: Stage, result: Any) -> None:
        if stage == Stage.SPEAKERS:
            click.echo(render_turns(result.result.transcript) + "\n")
        elif stage == Stage.PSEUDONYMISED:
            click.echo("\n" + render_turns(study.load_shareable(SESSION)))

    given = os.environ.get(ENV_PASSPHRASE)
    hooks, bar = rendering_hooks(study, quiet, lambda: given or DEMO_PASSPHRASE, show)
    bar.session = SESSION
    request = IngestRequest(
        audio=sample / "fgd_sample.flac",
        session_id=SESSION,
        site="BU",
        wave="pre",
        date="2025-03-14",
        language="en",
        roster=sample / "roster.csv",
    )
    with study.lock():
        ingest_cli.render(run_ingest(study, request).session)
        try:
            bring_up_to_date(study, SESSION, hooks)
        finally:
            bar.close()
    if given is None:
        click.echo(f"\nThe demo codebook's passphrase is {DEMO_PASSPHRASE!r}.")
    click.echo(f"The demo study is in {folder}{os.sep}; try: fgdprep --study {folder} sessions")
