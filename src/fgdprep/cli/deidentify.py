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
    """De-identify a Word, OpenDocument or text file (field notes, memos) in every part.

    Body, tables, headers and footers, footnotes, endnotes, comments, text boxes, links and
    document properties; each run keeps its formatting (.rtf, .pdf: convert to docx first).
    With --site the study's roster, gazetteers and codebook give the same labels as in the
    transcripts; the document gets an id (doc-...) and its uncertain findings wait for
    'fgdprep review DOC-ID' (only confirmed names join the codebook). Without a study:
    --language and optionally --roster. --spans writes start, end (character offsets into
    the document's texts joined with newlines), unit (the part and paragraph), entity_type,
    text, label, score, recognizer and status: replaced, or suggested (replaced, but
    waiting for review).

    \b
    Example: fgdprep deidentify notes.docx --site DS -o notes.deid.docx --spans spans.json
    """
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
    study = obj.study() if site is not None else None
    with study.lock() if study is not None else contextlib.nullcontext():
        done = run(request, study, lambda: ask_passphrase(study))
    result = done.result
    total = sum(len(s) for s in result.spans)
    click.echo(
        f"De-identified {file.name} -> {output}: {total} replaced, {result.pending} uncertain."
    )
    if done.document is not None:
        doc = done.document
        if result.pending:
            click.echo(
                f"Document {doc}: {result.pending} to review with 'fgdprep review {doc}'"
                " (uncertain findings join the codebook only when accepted)."
            )
        else:
            click.echo(f"Document {doc}: nothing to review.")
