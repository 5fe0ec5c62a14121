"""``fgdprep export``: finalised sessions in the formats QDA programs import."""

from __future__ import annotations

from pathlib import Path

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx
from fgdprep.formats.export import FORMATS, STYLES

_FORMAT_LINES = "\n".join(f"  {name:<12} {cls.where}" for name, cls in FORMATS.items())

HELP = f"""Write finalised sessions in the formats QDA programs import.

Paragraph n of every file is numbered unit n (what 'fgdprep cite' resolves): the body holds
only the units, one paragraph each ("CODE: text"); session metadata goes into document
properties or a SESSION_LANG.meta.json sidecar. Reads only the shareable area and runs the
leak check first (codebook passphrase: FGDPREP_PASSPHRASE or a prompt). The text is the
translation where every turn has a current one, else the source; --text chooses.

\b
Formats (--format a,b,...):
{_FORMAT_LINES}

\b
Example: fgdprep export DS-pre --format docx,maxqda,nvivo,qdpx -o out/
         fgdprep export --all --format qdpx -o out/
"""


@click.command(help=HELP)
@click.argument("session_id", required=False)
@click.option("--all", "all_sessions", is_flag=True, help="Every finalised session.")
@click.option(
    "--format",
    "formats",
    default="docx",
    show_default=True,
    help="Comma-separated format names (listed above).",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (made if missing), outside the study folder.",
)
@click.option(
    "--text",
    type=click.Choice(["translation", "source"]),
    help="Which text: the translation (default where complete) or the source language.",
)
@click.option(
    "--timestamps",
    type=click.Choice(STYLES),
    help="Timestamps at the end of docx/txt paragraphs (default: export.timestamps in"
    " fgdprep.yaml); MAXQDA files always carry f4 (#00:01:23-4#).",
)
@click.option(
    "--with-recording",
    is_flag=True,
    help="qdpx only: put each session's recording into the project, its transcript synced"
    " to it. The recording is identifiable: so is the file then.",
)
@pass_ctx
def export(
    obj: Ctx,
    session_id: str | None,
    all_sessions: bool,
    formats: str,
    out_dir: Path,
    text: str | None,
    timestamps: str | None,
    with_recording: bool,
) -> None:
    from fgdprep.stages import export as stage

    if session_id is not None and all_sessions:
        raise click.UsageError("give a SESSION_ID or --all, not both")
    if session_id is None and not all_sessions:
        raise click.UsageError("give a SESSION_ID, or --all for every finalised session")
    names = tuple(n.strip() for n in formats.split(",") if n.strip())
    if not names:
        raise click.UsageError("--format needs at least one format name")
    request = stage.ExportRequest(
        None if all_sessions else (session_id or "",),
        names,
        out_dir,
        text,
        timestamps,
        with_recording,
    )
    study = obj.study()
    with study.lock():
        result = stage.run(study, request, lambda: ask_passphrase(study))
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    if with_recording:
        click.echo(
            "Warning: the .qdpx holds the identifiable recording(s); keep it where the"
            " recordings may be, never with the shareable files.",
            err=True,
        )
    for s in result.sessions:
        click.echo(
            f"Exported {s.session_id}: {s.units} numbered paragraph(s), {s.text} ({s.language})."
        )
    click.echo(
        f"No leaks in {result.checked_files} shareable file(s). Wrote {len(result.files)}"
        f" file(s) to {out_dir}:"
    )
    for path in result.files:
        click.echo(f"  {path.name}")
