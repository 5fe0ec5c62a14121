"""``fgdprep backcheck``: the moderator's worksheet out, and back in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fgdprep.cli.context import Ctx, pass_ctx

if TYPE_CHECKING:
    from fgdprep.store import Study


@click.command()
@click.argument("session_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the worksheet here (default: the session's back-check folder, identifiable).",
)
@click.option("--all", "all_turns", is_flag=True, help="List every turn, not only flagged ones.")
@click.option(
    "--import",
    "import_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read an edited worksheet back: the session becomes back-checked.",
)
@click.option("--by", help="With --import: your initials (recorded as who checked).")
@click.option(
    "--force",
    is_flag=True,
    help="Replace a worksheet that is there; with --import: apply it to a draft that"
    " changed since export.",
)
@pass_ctx
def backcheck(
    obj: Ctx,
    session_id: str,
    output: Path | None,
    all_turns: bool,
    import_path: Path | None,
    by: str | None,
    force: bool,
) -> None:
    """Write the back-check worksheet of a session, or import it once edited.

    The worksheet (Word) has one row per flagged turn (every turn with --all): number,
    time (a link to the turn's clip), speaker, text and why it was flagged. Correct the
    text and speaker cells against the clips; split a turn with a row marked + under it,
    merge a turn into the one above with ^ before its number. Then import it.

    \b
    Example: fgdprep backcheck DS-pre -o DS-pre_backcheck.docx
             fgdprep backcheck DS-pre --import DS-pre_backcheck.docx --by AK
    """
    from fgdprep import report
    from fgdprep.stages import backcheck as stage

    if import_path is None:
        if by is not None:
            raise click.UsageError("--by goes with --import")
        study = obj.study()
        with study.lock():
            request = stage.ExportRequest(session_id, output, all_turns, force)
            done = stage.export(study, request)
        click.echo(report.worksheet_written(done, study.root))
        return
    if output is not None or all_turns:
        raise click.UsageError("-o and --all are for writing a worksheet, not with --import")
    if not by:
        raise click.UsageError("--import needs --by with your initials")
    study = obj.study()
    with study.lock():
        result = stage.import_worksheet(
            study, stage.ImportRequest(session_id, import_path, by, force)
        )
    click.echo(report.backchecked(result))


def after_run(study: Study, session_id: str) -> None:
    """The end of ``fgdprep run``: the back-check worksheet, named, and how to import it."""
    from fgdprep.report import worksheet_for_run
    from fgdprep.stages import backcheck as stage

    made = stage.for_run(study, session_id)
    if made is not None:
        click.echo(worksheet_for_run(made, session_id, study.root))
