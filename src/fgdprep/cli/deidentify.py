"""``fgdprep deidentify``: a memo or field notes through the labelling engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from fgdprep.cli.context import (
    Ctx,
    ask_passphrase,
    check_nlp_model,
    pass_ctx,
)
from fgdprep.codebook import Codebook, load_codebook, save_codebook
from fgdprep.errors import InputError
from fgdprep.model import Person
from fgdprep.store import Study, atomic_write_bytes, atomic_write_text, sha256_file


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
    paragraphs joined with newlines), entity_type, text, label, score and recognizer.

    \b
    Example: fgdprep deidentify notes.docx --site DS -o notes.deid.docx --spans spans.json
    """
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.deid.engine import Options, pseudonymise_texts
    from fgdprep.formats.documents import read_paragraphs, render_paragraphs
    from fgdprep.roster import read_roster

    if site is None and language is None:
        raise click.UsageError("give --site (with a study) or --language (without one)")
    if site is not None and roster_file is not None:
        raise click.UsageError("--roster is for use without a study; --site uses its roster")
    output = output or file.with_name(f"{file.stem}.deid{file.suffix}")
    if output.resolve() == file.resolve():
        raise click.UsageError("-o must name a new file, not the input")
    paragraphs = read_paragraphs(file)
    study: Study | None = None
    if site is not None:
        study = obj.study()
        site_config = study.config.site(site)
        if site_config is None:
            known = ", ".join(s.code for s in study.config.sites)
            raise InputError(f"unknown site {site!r} (sites in this study: {known})")
        language = language or site_config.language
        pseudo = study.config.pseudonymisation
    else:
        pseudo = PseudonymisationConfig()
    assert language is not None
    model = check_nlp_model(pseudo, language, "fgdprep.yaml" if study else "--language")
    people: tuple[Person, ...] = read_roster(roster_file) if roster_file else ()

    from fgdprep.pii import Analyzer, context_for_site, model_version, presidio_version
    from fgdprep.recognizers import RecognizerContext

    if study is not None and site is not None:
        from fgdprep.stages.pseudonymise import options_for

        with study.lock():
            people = study.site_roster(site)
            passphrase = ask_passphrase(study)
            codebook = load_codebook(study, passphrase)
            analyzer = Analyzer(context_for_site(study.config, site, language, people), model)
            result = pseudonymise_texts(
                paragraphs, analyzer.analyze, codebook, options_for(study, file.name, site, people)
            )
            save_codebook(study, codebook, passphrase)
            _write_outputs(file, output, spans, paragraphs, result, render_paragraphs, study)
            study.audit(
                "deidentify",
                inputs={"file": sha256_file(file)},
                outputs={
                    "file": sha256_file(output),
                    **({"spans": sha256_file(spans)} if spans is not None else {}),
                },
                counts={
                    **result.counts(),
                    "paragraphs": len(paragraphs),
                    "model": model_version(model),
                    "presidio": presidio_version(),
                },
            )
    else:
        analyzer = Analyzer(RecognizerContext(language=language, people=people), model)
        options = Options(source=file.name, people=people, review_threshold=pseudo.review_threshold)
        result = pseudonymise_texts(paragraphs, analyzer.analyze, Codebook(), options)
        _write_outputs(file, output, spans, paragraphs, result, render_paragraphs, None)
    total = sum(len(s) for s in result.spans)
    click.echo(
        f"De-identified {file.name} -> {output}: {total} replaced, {result.pending} uncertain."
    )


def _write_outputs(
    source: Path,
    output: Path,
    spans_path: Path | None,
    paragraphs: list[str],
    result: Any,
    render: Any,
    study: Study | None,
) -> None:
    perms = study.perms if study is not None else None
    data = render(source, list(result.texts))
    if perms is not None:
        atomic_write_bytes(output, data, perms)
    else:
        atomic_write_bytes(output, data)
    if spans_path is None:
        return
    offsets = []
    pos = 0
    for p in paragraphs:
        offsets.append(pos)
        pos += len(p) + 1
    records = [
        {
            "start": offsets[s.paragraph] + s.start,
            "end": offsets[s.paragraph] + s.end,
            "entity_type": s.entity_type,
            "text": s.text,
            "label": s.label,
            "score": s.score,
            "recognizer": s.recognizer,
            "status": s.status,
        }
        for spans in result.spans
        for s in spans
    ]
    text = json.dumps({"file": source.name, "spans": records}, ensure_ascii=False, indent=1) + "\n"
    if perms is not None:
        atomic_write_text(spans_path, text, perms)
    else:
        atomic_write_text(spans_path, text)
