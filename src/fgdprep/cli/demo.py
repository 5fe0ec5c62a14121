"""``fgdprep demo``: the bundled sample FGD from recording to archive (:mod:`fgdprep.demo`)."""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fgdprep.cli.context import quiet_option
from fgdprep.codebook import ENV_PASSPHRASE
from fgdprep.model import Stage

if TYPE_CHECKING:
    from fgdprep.demo import Folders, Walked
    from fgdprep.store import Study


@click.command()
@click.argument("folder", type=click.Path(path_type=Path), default="demo-study")
@quiet_option
def demo(folder: Path, quiet: bool) -> None:
    """Take the bundled sample FGD through every role, from recording to archive.

    Makes a study in FOLDER (default: ./demo-study) from sample_audio/demo.yaml and runs the
    sample recording with its roster (transcription, speaker turns, first PII pass), names
    the voices, does the back-check round trip and the review of the PII suggestions,
    finalises, exports every format into FOLDER-exports/ and archives into FOLDER-archive/
    (BagIt). Where a person decides, the demo decides by a stated rule and says so. The
    codebook passphrase is FGDPREP_PASSPHRASE, or "demo-passphrase" when that is not set.

    \b
    Example: fgdprep demo
    """
    from fgdprep import demo as walk
    from fgdprep.cli.run import rendering_hooks
    from fgdprep.cli.study import make_study

    sample = walk.find_sample([Path.cwd(), Path(__file__).resolve().parents[3]])
    folders = walk.Folders.beside(folder)
    folders.check_free()
    study = make_study(folder, sample.config)
    given = os.environ.get(ENV_PASSPHRASE)
    shown: set[Stage] = set()

    def draft(stage: Stage, result: Any) -> None:
        from fgdprep.formats.plain import render_turns

        if stage == Stage.SPEAKERS and stage not in shown:  # the draft, once
            click.echo(render_turns(result.result.transcript) + "\n")
        shown.add(stage)

    hooks, bar = rendering_hooks(study, quiet, lambda: given or walk.PASSPHRASE, draft)
    if hooks.loading is not None:  # the analyzers load once; say so once
        hooks = dataclasses.replace(hooks, loading=functools.cache(hooks.loading))
    bar.session = walk.SESSION
    with study.lock():
        try:
            done = walk.walk(study, sample, folders, hooks, lambda step, r: _show(study, step, r))
        finally:
            bar.close()
    _open_first(study, folders, done)
    if given is None:
        click.echo(f"The demo codebook's passphrase is {walk.PASSPHRASE!r}.")


def _show(study: Study, step: str, result: Any) -> None:
    """Each step of the walk as it ends."""
    from fgdprep import demo as walk
    from fgdprep import report
    from fgdprep.formats.plain import format_time

    if step == "ingest":
        click.echo(report.ingested(result))
    elif step == "voices":
        pairs = ", ".join(f"{a.label}={a.code}" for a in result.result.assignments.assignments)
        clips = study.clip_path(walk.SESSION, "x").parent.relative_to(study.root)
        click.echo(
            f"\nVoices named by the demo from the sample's script (a moderator names them"
            f" from the clips in {clips}/): {pairs}"
        )
    elif step == "backcheck":
        click.echo("\n" + report.worksheet_written(result.worksheet, study.root))
        click.echo(
            f"The demo, standing in for the moderator who listens, set {result.texts} Text and"
            f" {result.speakers} Speaker cell(s) to the sample's script, left {result.left}"
            " row(s) as heard (their turn cuts an utterance) and imported it with --by DEMO."
        )
        click.echo(report.backchecked(result.imported))
    elif step == "review" and not result.decided:
        click.echo("\nReview of the PII suggestions: none pending.")
    elif step == "review":
        click.echo(f"\nReview of the PII suggestions: {len(result.decided)} decided by the demo.")
        for d in result.decided:
            s = d.suggestion
            click.echo(f"  {s.id:>3} «{s.text}» {s.entity_type} ({s.recognizer}): {d.why}")
    elif step == "translation":
        click.echo(
            f"\nTranslation: none; the FGD was held in {result.language}, the study's"
            " translation language (fgdprep translate makes packets for the others)."
        )
    elif step == "finalise":
        f = result.finalised
        click.echo(
            f"\nFinalised {f.session.id}: {len(f.units)} numbered paragraphs ({f.prefix}"
            f" 1–{len(f.units)}), nothing pending, nothing forced:"
        )
        for u in f.units:
            click.echo(f"{f.prefix} {u.n:>2}  {format_time(u.start)}  {u.speaker}: {u.body}")
    elif step == "export":
        names = ", ".join(p.name for p in result.files)
        click.echo(
            f"\nExported every format after the leak check found nothing in"
            f" {result.checked_files} shareable file(s): {names}"
        )
    elif step == "archive":
        click.echo(f"Archived: a BagIt bag of {result.files} file(s).")
    elif step == "verify":
        problems = "; ".join(f"{p.file}: {p.what}" for p in result.problems) or "valid"
        click.echo(f"Verified the bag ({result.files} file(s)): {problems}.")


def _open_first(study: Study, folders: Folders, done: Walked) -> None:
    name = next(p.name for p in done.exports if p.name.endswith(f"_{done.language}.docx"))
    docx = folders.exports / name
    click.echo(
        "\nDecided by the demo, not by a person: who each voice is, the back-check edits"
        " and the review above. In a real study the moderator makes each of these decisions."
        f"\n\nOpen first:\n  {docx}  the numbered, pseudonymised transcript (Word)"
        f"\n  {folders.archive}{os.sep}data{os.sep}README.txt  what the archive (BagIt) holds"
        f"\n  {done.worksheet}  the back-check worksheet, as the demo edited it (identifiable)"
        f'\nTry: fgdprep --study {folders.study} cite "{done.prefix} 2"'
        f"\nThe demo study is in {folders.study}{os.sep}; try: fgdprep --study {folders.study}"
        " status"
    )
