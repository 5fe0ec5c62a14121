"""Study-wide commands: make a study, list its sessions, show a transcript."""

from __future__ import annotations

from pathlib import Path

import click

from fgdprep.cli.context import Ctx, pass_ctx
from fgdprep.config import config_text, parse_config
from fgdprep.model import Stage
from fgdprep.store import Study


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Study config to start from (default: a one-site template).",
)
def init(folder: Path, config_path: Path | None) -> None:
    """Make a new study folder with its fgdprep.yaml.

    \b
    Example: fgdprep init mystudy --config configs/upsides.yaml
    """
    make_study(folder, config_path)


def make_study(folder: Path, config_path: Path | None) -> Study:
    """``init``'s work, shown as it shows it (``demo`` starts with it too)."""
    from fgdprep.volume import describe, volume_of

    text, source = config_text(config_path)
    config = parse_config(text, source, check_models=True)
    study = Study.create(folder, config, text)
    volume = volume_of(folder)
    with study.lock():
        study.audit(
            "init",
            counts={"sites": len(config.sites), "encrypted_volume": volume.encrypted},
        )
    click.echo(f"Created study {config.study.name!r} in {folder} ({len(config.sites)} sites).")
    click.echo(describe(volume), err=True)
    return study


@click.command()
@pass_ctx
def sessions(obj: Ctx) -> None:
    """List the study's sessions and how far each has come (the short form of 'status').

    A pseudonymised session shows how many review suggestions are still pending ("3 to
    review"): they block finalisation until 'fgdprep review' decides them; "decisions not
    yet applied" until 'fgdprep pseudonymise' runs after a review.

    \b
    Example: fgdprep sessions
    """
    from fgdprep.status import sessions_lines, study_status

    study = obj.study()
    if not study.session_ids():
        click.echo("No sessions yet; add one with 'fgdprep ingest'.")
        return
    click.echo("\n".join(sessions_lines(study_status(study))))


@click.command()
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--wave", "waves", multiple=True, help="Only this wave (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per session, for scripts.")
@pass_ctx
def status(obj: Ctx, sites: tuple[str, ...], waves: tuple[str, ...], as_json: bool) -> None:
    """Every session by stage: done, out of date, who and when, what waits for a person.

    Columns: ingested, transcribed, speakers, checked (back-checked), pseudonymised,
    reviewed, translated (turns translated from the text as it is now / turns with text),
    approved (x2: by two different people), finalised, archived; then the number of flags
    on the latest transcript. "stale": made from an input that changed since.

    \b
    Example: fgdprep status --site DS --wave pre
             fgdprep status --json
    """
    import json

    from fgdprep.status import check_filters, study_status, table_lines

    study = obj.study()
    check_filters(study.config, sites, waves)
    found = study_status(study, sites, waves)
    if as_json:
        click.echo(json.dumps([s.to_json() for s in found], ensure_ascii=False, indent=1))
    elif not found:
        click.echo("No sessions" + (" match" if sites or waves else " yet") + ".")
    else:
        click.echo("\n".join(table_lines(found)))


@click.command()
@click.argument("session_id")
@click.option(
    "--stage",
    "stage_name",
    type=click.Choice([s.value for s in Stage]),
    help="Which stage's transcript to show (default: the latest there is).",
)
@pass_ctx
def show(obj: Ctx, session_id: str, stage_name: str | None) -> None:
    """Print a session's transcript, one turn per line with times, translations below.

    Transcribed and speakers: the identifiable text. Pseudonymised: the de-identified
    (shareable) copy, with the labels that replaced the names.

    \b
    Example: fgdprep show DS-pre
             fgdprep show DS-pre --stage speakers
    """
    from fgdprep.formats.plain import render_turns
    from fgdprep.status import to_show

    transcript, note = to_show(obj.study(), session_id, Stage(stage_name) if stage_name else None)
    if note is not None:
        click.echo(note, err=True)
    click.echo(render_turns(transcript))
