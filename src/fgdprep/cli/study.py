"""Study-wide commands: make a study, list its sessions, show a transcript."""

from __future__ import annotations

from pathlib import Path

import click

from fgdprep.cli.context import Ctx, pass_ctx
from fgdprep.config import default_config_text, parse_config
from fgdprep.errors import InputError
from fgdprep.model import Stage
from fgdprep.store import Study

#: Transcript stages in pipeline order; ``show`` and ``sessions`` report the latest one.
STAGES = (Stage.TRANSCRIBED, Stage.SPEAKERS, Stage.PSEUDONYMISED)


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
    if config_path is not None:
        try:
            text = config_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"config {config_path}: file not found") from None
        source = str(config_path)
    else:
        text, source = default_config_text(), "default config"
    config = parse_config(text, source)
    study = Study.create(folder, config, text)
    from fgdprep.volume import describe, volume_of

    volume = volume_of(folder)
    with study.lock():
        study.audit(
            "init",
            counts={"sites": len(config.sites), "encrypted_volume": volume.encrypted},
        )
    click.echo(f"Created study {config.study.name!r} in {folder} ({len(config.sites)} sites).")
    click.echo(describe(volume), err=True)


@click.command()
@pass_ctx
def sessions(obj: Ctx) -> None:
    """List the study's sessions and how far each has come.

    A pseudonymised session shows how many review suggestions are still pending ("3 to
    review"): they block finalisation until 'fgdprep review' decides them; "decisions not
    yet applied" until 'fgdprep pseudonymise' runs after a review.

    \b
    Example: fgdprep sessions
    """
    from fgdprep.gates import decisions_applied, review_blockers
    from fgdprep.pipeline import state
    from fgdprep.stages.transcribe import untranscribed_note

    study = obj.study()
    ids = study.session_ids()
    if not ids:
        click.echo("No sessions yet; add one with 'fgdprep ingest'.")
        return
    click.echo(f"{'SESSION':<16} {'SITE':<6} {'WAVE':<6} {'DATE':<10}  LANG     LENGTH  STAGE")
    for sid in ids:
        s = study.load_session(sid)
        minutes = f"{s.audio.duration / 60:6.1f} min" if s.audio else "  (text)  "
        now = state(study, sid)
        stage: str = now.latest or "ingested"
        if now.latest == Stage.PSEUDONYMISED:
            stage += f", {review_blockers(study, sid)} to review"
            if not decisions_applied(study, sid):
                stage += ", decisions not yet applied"
        if now.latest is not None:
            stage += untranscribed_note(study.load_transcript(sid, now.latest))
        if now.next_command is not None:
            stage += f", out of date: run 'fgdprep {now.next_command} {sid}'"
        click.echo(
            f"{sid:<16} {s.site:<6} {s.wave:<6} {s.date:<10}  {s.language:<4} {minutes}  {stage}"
        )


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
    from fgdprep.pipeline import state

    study = obj.study()
    session = study.load_session(session_id)
    if stage_name is None:
        done = [st for st in reversed(STAGES) if study.has_transcript(session.id, st)]
        stage = done[0] if done else STAGES[0]
    else:
        stage = Stage(stage_name)
    transcript = study.load_transcript(session.id, stage)
    if stage == Stage.PSEUDONYMISED:
        transcript = study.load_shareable(session.id)
        now = state(study, session.id)
        if not now.is_current(stage):
            click.echo(
                f"Note: this shareable copy is out of date ({now.stale} and the stages after"
                f" it must run again, first 'fgdprep {now.next_command} {session.id}')",
                err=True,
            )
    else:
        study.audit_read("show", session=session.id, stage=stage.value, turns=len(transcript.turns))
    click.echo(render_turns(transcript))
