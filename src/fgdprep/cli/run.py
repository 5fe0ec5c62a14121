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
    from fgdprep.stages.ingest import IngestRequest
    from fgdprep.store import Study


@click.command("run")
@click.argument("target", required=False)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A batch: CSV file,session,site,wave,date,roster[,language,mode].",
)
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
def run_command(
    obj: Ctx, /, target: str | None, manifest: Path | None, quiet: bool, **ingest: Any
) -> None:
    """Bring a session up to date: ingest, transcribe, speaker turns, first PII pass.

    TARGET is a recording (ingested first as --session, with --site, --wave and --date) or
    the id of a session already in the study; --manifest runs a batch (a row that fails is
    reported and the others go on). Stages that are done and current are skipped,
    so running it again continues after an interruption and does nothing when there is
    nothing to do; it ends with what needs a person next.

    \b
    Example: fgdprep run ../ds_pre.m4a --session DS-pre --site DS --wave pre \\
                 --date 2019-12-10 --roster ../roster_ds.csv
             fgdprep run DS-pre
             fgdprep run --manifest recordings.csv
    """
    from fgdprep.errors import FgdprepError
    from fgdprep.stages.ingest import IngestRequest, read_manifest

    if target is None and manifest is None:
        raise click.UsageError("give a recording, a session id or --manifest")
    if target is not None and manifest is not None:
        raise click.UsageError("give a recording or a session id, or --manifest, not both")
    study = obj.study()
    hooks, bar = rendering_hooks(study, quiet, lambda: ask_passphrase(study))
    with study.lock():
        if manifest is None:
            assert target is not None
            if Path(target).is_file():
                needed = ("session_id", "site", "wave", "date")
                missing = [f"--{k.replace('_id', '')}" for k in needed if not ingest[k]]
                if missing:
                    names = ", ".join(missing)
                    raise click.UsageError(f"a recording needs {names} to become a session")
                mode = Mode(ingest.pop("mode").replace("-", "_"))
                _one(study, hooks, bar, IngestRequest(audio=Path(target), mode=mode, **ingest))
            else:
                _one(study, hooks, bar, target)
            return
        failed = []
        rows = read_manifest(manifest)
        for request in rows:
            try:
                _one(study, hooks, bar, request)
            except FgdprepError as exc:
                click.echo(f"{request.session_id}: failed: {exc.format_message()}")
                failed.append(request.session_id)
    if failed:
        raise FgdprepError(
            f"{len(failed)} of {len(rows)} session(s) failed ({', '.join(failed)});"
            " fix them and run the manifest again (finished sessions are skipped)"
        )


def _one(study: Study, hooks: Hooks, bar: ProgressBar, target: str | IngestRequest) -> None:
    """One session: ingested if new, brought up to date, what needs a person shown."""
    from fgdprep.cli import backcheck
    from fgdprep.cli import ingest as ingest_cli
    from fgdprep.pipeline import bring_up_to_date, next_for_a_person
    from fgdprep.stages.ingest import ingest_once

    sid = target if isinstance(target, str) else target.session_id
    if not isinstance(target, str):
        session = ingest_once(study, target)
        if session is not None:
            ingest_cli.render(session)
    study.load_session(sid)
    try:
        ran = bring_up_to_date(study, sid, hooks)
    finally:
        bar.close()
    if not ran:
        click.echo(f"{sid} is up to date; nothing to run.")
    backcheck.after_run(study, sid)
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
