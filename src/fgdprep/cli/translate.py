"""``fgdprep translate``: translator packet out, translation in, reviewers' approvals."""

from __future__ import annotations

import re
from pathlib import Path

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx

#: Initials, never a name: they are kept in the shareable translation and the audit log.
INITIALS = re.compile(r"^[A-Z]{1,4}[0-9]?$")


def _by(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if not INITIALS.match(value.upper()):
        raise click.BadParameter("give initials (1-4 letters, e.g. AC), not a name", ctx, param)
    return value.upper()


@click.command()
@click.argument("session_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the translator packet here (.docx, or .xlf with --format xliff).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "xliff"]),
    help="Packet format (default: from the file name; docx).",
)
@click.option(
    "--import",
    "import_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take a returned packet (.docx or .xlf) into the translation, row by row.",
)
@click.option("--approve", is_flag=True, help="Approve the translation as it is now.")
@click.option("--status", "show_status", is_flag=True, help="Show where the translation is.")
@click.option("--by", callback=_by, help="Initials of the translator or reviewer.")
@click.option("--force", is_flag=True, help="Replace an existing file at -o.")
@pass_ctx
def translate(
    obj: Ctx,
    session_id: str,
    output: Path | None,
    fmt: str | None,
    import_path: Path | None,
    approve: bool,
    show_status: bool,
    by: str | None,
    force: bool,
) -> None:
    """Translator packets out, translations in, two reviewers' approvals.

    -o writes the packet: one row per turn of the pseudonymised transcript (number, speaker
    code, source text, an empty translation cell, a note cell, a column per reviewer),
    only while the shareable copy is current and the leak check finds nothing in it; the
    target language is translation.language in fgdprep.yaml. --format xliff writes XLIFF
    2.0 for CAT tools. --import takes the packet back (partial packets merge; rows left
    empty change nothing); it is refused, naming the rows, when rows are missing,
    duplicated or renumbered, a [label] is dropped or added, or a real name is in a
    translation. --approve records a reviewer's approval: two different people approve,
    and any later change withdraws the approvals. With no option: the status.

    \b
    Example: fgdprep translate DS-pre -o DS-pre_translation.docx
             fgdprep translate DS-pre --import DS-pre_translation.docx --by NM
             fgdprep translate DS-pre --approve --by AC
             fgdprep translate DS-pre
    """
    from fgdprep import report
    from fgdprep.stages import translate as stage

    actions = [
        a
        for a, on in (
            ("-o", output),
            ("--import", import_path),
            ("--approve", approve),
            ("--status", show_status),
        )
        if on
    ]
    if len(actions) > 1:
        raise click.UsageError(
            f"give one of -o, --import, --approve, --status (got {', '.join(actions)})"
        )
    action = actions[0] if actions else "--status"
    if by is None and action in ("--import", "--approve"):
        raise click.UsageError(f"{action} needs --by INITIALS (who did the work)")
    if by is not None and action not in ("--import", "--approve"):
        raise click.UsageError("--by goes with --import or --approve")
    if fmt is not None and action != "-o":
        raise click.UsageError("--format goes with -o")
    if force and action != "-o":
        raise click.UsageError("--force goes with -o")
    study = obj.study()
    if action == "-o":
        assert output is not None
        named = stage.format_of(output)
        fmt = fmt or named
        if fmt is None or named != fmt:
            suffixes = ", ".join(stage.FORMATS[fmt or "docx"][0])
            raise click.UsageError(
                f"-o {output.name}: a {fmt or 'docx'} packet is a {suffixes} file"
            )
        with study.lock():
            request = stage.ExportRequest(session_id, output, fmt, force)
            done = stage.export(study, request, lambda: ask_passphrase(study))
        click.echo(report.packet_written(done))
        return
    if action == "--import":
        assert import_path is not None and by is not None
        with study.lock():
            result = stage.import_packet(
                study, session_id, import_path, by, lambda: ask_passphrase(study)
            )
        click.echo(report.translation_imported(result))
        return
    if action == "--approve":
        assert by is not None
        with study.lock():
            now = stage.approve(study, session_id, by)
        click.echo(f"Approved by {by}.\n" + report.translation_progress(now))
        return
    click.echo(report.translation_progress(stage.status(study, session_id)))
