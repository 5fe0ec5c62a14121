"""``fgdprep import``: a transcript typed by hand becomes a session with speaker turns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from fgdprep.cli.context import Ctx, pass_ctx
from fgdprep.cli.ingest import session_options
from fgdprep.model import Mode

FORMATS = ("docx", "txt", "vtt", "srt")


@click.command("import")
@click.argument("session_id")
@click.argument("file", type=click.Path(path_type=Path))
@session_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="The file's format (default: from its suffix: .docx, .txt, .vtt, .srt).",
)
@pass_ctx
def import_(
    obj: Ctx, /, session_id: str, file: Path, mode: str, fmt: str | None, **options: Any
) -> None:
    """Add a transcript typed by hand (Word, text, WebVTT, SRT) as a new session.

    Each turn begins with the speaker's roster code, name or alias and a colon
    ("Nakato: ..."); f4/f5 time stamps (#00:01:02-3#) at the end (or start) of a paragraph
    are kept, as are cue times (VTT voices <v Name> too) and a time column of a Word table.
    Unknown speaker names are listed and nothing is imported. The session has no
    recording: 'fgdprep run SESSION' goes on with pseudonymisation.

    \b
    Example: fgdprep import BU-pre bu_pre.docx --site BU --wave pre \\
                 --date 2025-03-14 --language lg --roster roster_bu.csv
    """
    from fgdprep.stages.import_ import ImportRequest, import_transcript

    study = obj.study()
    mode_ = Mode(mode.replace("-", "_"))
    request = ImportRequest(file=file, session_id=session_id, mode=mode_, format=fmt, **options)
    with study.lock():
        result = import_transcript(study, request)
    s, turns = result.session, result.transcript.turns
    click.echo(
        f"Imported {s.id} from a {result.format} file: {s.site} {s.wave} {s.date}, {s.language},"
        f" {len(turns)} turns by {len({t.speaker for t in turns})} speakers,"
        f" {len(turns) - result.untimed} with times."
    )
    if result.untimed:
        click.echo(f"{result.untimed} turn(s) without a time of their own are flagged untimed.")
    if result.skipped:
        click.echo(f"{result.skipped} paragraph(s) before the first speaker were left out.")
    click.echo(f"Next: fgdprep run {s.id}   (pseudonymisation; the back-check is optional)")
