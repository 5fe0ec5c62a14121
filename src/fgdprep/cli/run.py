"""``fgdprep run``: every stage a session still needs, in order, as one command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, quiet_option
from fgdprep.model import Mode, Stage

if TYPE_CHECKING:
    from fgdprep.cli.transcribe import ProgressBar
    from fgdprep.pipeline import Hooks
    from fgdprep.store import Study


@click.command("run")
@click.argument("target")
@click.option("--session", "session_id", help="Session id for a new recording, e.g. DS-pre.")
@click.option("--site", help="Site code of a new recording.")
@click.option("--wave", help="Wave of a new recording (pre, post).")
@click.option("--date", help="Date of a new recording's FGD, YYYY-MM-DD.")
@click.option("--language", help="ISO 639 code if the FGD was not held in the site's language.")
@click.option("--mode", type=click.Choice(["in-person", "online"]), default="in-person")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), help="Roster CSV.")
@click.option("--prefix", "citation_prefix", help="Citation prefix (default: the site's).")
@quiet_option
@pass_ctx
def run_command(obj: Ctx, /, target: str, quiet: bool, **ingest: Any) -> None:
    """Bring a session up to date: ingest, transcribe, speaker turns, first PII pass.

    TARGET is a recording (ingested first as --session, with --site, --wave and --date) or
    the id of a session already in the study. Stages that are done and current are skipped,
    so running it again continues after an interruption and does nothing when there is
    nothing to do; it ends with what needs a person next.

    \b
    Example: fgdprep run ../ds_pre.m4a --session DS-pre --site DS --wave pre \\
                 --date 2019-12-10 --roster ../roster_ds.csv
             fgdprep run DS-pre
    """
    from fgdprep.cli import ingest as ingest_cli
    from fgdprep.pipeline import bring_up_to_date, next_for_a_person
    from fgdprep.stages.ingest import IngestRequest, ingest_once

    study = obj.study()
    hooks, bar = rendering_hooks(study, quiet, lambda: ask_passphrase(study))
    with study.lock():
        sid = target
        if Path(target).is_file():
            missing = [f"--{k}" for k in ("session_id", "site", "wave", "date") if not ingest[k]]
            if missing:
                names = ", ".join(m.replace("_id", "") for m in missing)
                raise click.UsageError(f"a recording needs {names} to become a session")
            mode = Mode(ingest.pop("mode").replace("-", "_"))
            request = IngestRequest(audio=Path(target), mode=mode, **ingest)
            session = ingest_once(study, request)
            if session is not None:
                ingest_cli.render(session)
            sid = request.session_id
        study.load_session(sid)
        try:
            ran = bring_up_to_date(study, sid, hooks)
        finally:
            bar.close()
    if not ran:
        click.echo(f"{sid} is up to date; nothing to run.")
    for line in next_for_a_person(study, sid):
        click.echo(f"Next: {line}")


def rendering_hooks(
    study: Study,
    quiet: bool,
    passphrase: Callable[[], str],
    then: Callable[[Stage, Any], None] | None = None,
) -> tuple[Hooks, ProgressBar]:
    """Pipeline hooks that show what each command shows: the progress bar, then each
    finished stage's summary (and ``then``)."""
    from fgdprep.cli import pseudonymise, speakers, transcribe
    from fgdprep.pipeline import Hooks

    bar = transcribe.ProgressBar(hidden=quiet)

    def finished(stage: Stage, result: Any) -> None:
        bar.close()
        if stage == Stage.TRANSCRIBED:
            transcribe.render(result)
        elif stage == Stage.SPEAKERS:
            speakers.render(result, study.root)
        else:
            pseudonymise.render(result, study)
        if then is not None:
            then(stage, result)

    def loading() -> None:
        if not quiet:
            click.echo("Loading the analyzers...", err=True)

    return Hooks(passphrase, bar, loading, finished), bar
