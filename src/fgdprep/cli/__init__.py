"""The ``fgdprep`` command line: options -> a stage's study-level entry point -> rendered result.

One module per stage or user task, mirroring ``stages/``; :mod:`fgdprep.cli.context` holds
what they share. Heavy imports (faster-whisper, Presidio, torch) happen inside the commands
that need them, so ``fgdprep --help`` and the light commands start fast.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from fgdprep import __version__
from fgdprep.cli import (
    archive,
    backcheck,
    cite,
    codebook,
    deidentify,
    demo,
    export,
    finalise,
    import_,
    ingest,
    leakcheck,
    pseudonymise,
    remove,
    review,
    roster,
    run,
    speakers,
    study,
    transcribe,
    translate,
    withdraw,
)
from fgdprep.cli.context import Ctx, FgdprepGroup
from fgdprep.config import CONFIG_NAME
from fgdprep.store import ENV_STUDY


@click.group(cls=FgdprepGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fgdprep")
@click.option(
    "--study",
    "study_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV_STUDY,
    help=f"Study folder (default: walk up from here to {CONFIG_NAME}; env {ENV_STUDY}).",
)
@click.option("-v", "--verbose", count=True, help="More log messages on stderr (-vv: debug).")
@click.pass_context
def cli(ctx: click.Context, study_dir: Path | None, verbose: int) -> None:
    """Focus-group recordings to citeable, de-identified transcripts, offline.

    \b
    fgdprep init mystudy --config configs/upsides.yaml
    cd mystudy
    fgdprep ingest ../ds_pre.m4a --session DS-pre --site DS --wave pre \\
        --date 2019-12-10 --roster ../roster_ds.csv
    fgdprep transcribe DS-pre
    fgdprep show DS-pre
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger().setLevel(level)  # also when logging was set up before (-q, tests)
    ctx.obj = Ctx(study_dir)


#: Every command, in the order of the pipeline and then the tools.
COMMANDS: tuple[click.Command, ...] = (
    study.init,
    run.run_command,
    ingest.ingest,
    import_.import_,
    transcribe.transcribe,
    speakers.speakers,
    backcheck.backcheck,
    pseudonymise.pseudonymise,
    review.review,
    translate.translate,
    finalise.finalise,
    finalise.reopen,
    export.export,
    archive.archive,
    cite.cite,
    study.show,
    study.sessions,
    study.status,
    remove.remove,
    roster.roster,
    leakcheck.leakcheck,
    archive.check,
    deidentify.deidentify,
    codebook.codebook,
    withdraw.withdraw,
    demo.demo,
)
for _command in COMMANDS:
    cli.add_command(_command)
