"""``fgdprep deidentify``: a memo or field notes through the labelling engine."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, quiet_flag


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", help="Study site: its roster, gazetteers and the study codebook.")
@click.option("--language", help="ISO 639 code (default: the site's language).")
@click.option(
    "--roster",
    "roster_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Roster CSV, for use without a study.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="De-identified file."
)
@click.option(
    "--spans",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the detected spans (identifiable!) as JSON.",
)
@quiet_flag
@pass_ctx
def deidentify(
    obj: Ctx,
    file: Path,
    site: str | None,
    language: str | None,
    roster_file: Path | None,
    output: Path | None,
    spans: Path | None,
) -> None:
    """De-identify a text or Word file (field notes, memos) with the study's recognizers.

    With --site the study's roster, gazetteers and codebook give the same labels as in the
    transcripts (new names join the codebook). Without a study: --language and optionally
    --roster. --spans writes start, end (character offsets into the text; for docx its
    paragraphs joined with newlines), entity_type, text, label, score, recognizer and
    status: replaced, or suggested (replaced, but waiting for review).

    \b
    Example: fgdprep deidentify notes.docx --site DS -o notes.deid.docx --spans spans.json
    """
    from fgdprep.formats.documents import read_paragraphs
    from fgdprep.stages.deidentify import DeidentifyRequest
    from fgdprep.stages.deidentify import deidentify as run

    if site is None and language is None:
        raise click.UsageError("give --site (with a study) or --language (without one)")
    if site is not None and roster_file is not None:
        raise click.UsageError("--roster is for use without a study; --site uses its roster")
    output = output or file.with_name(f"{file.stem}.deid{file.suffix}")
    if output.resolve() == file.resolve():
        raise click.UsageError("-o must name a new file, not the input")
    request = DeidentifyRequest(file, output, site, language, roster_file, spans)
    paragraphs = read_paragraphs(file)
    study = obj.study() if site is not None else None
    with study.lock() if study is not None else contextlib.nullcontext():
        result = run(request, paragraphs, study, lambda: ask_passphrase(study))
    total = sum(len(s) for s in result.spans)
    click.echo(
        f"De-identified {file.name} -> {output}: {total} replaced, {result.pending} uncertain."
    )
