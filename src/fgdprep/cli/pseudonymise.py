"""``fgdprep pseudonymise``: the shareable, de-identified copy of sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, quiet_option

if TYPE_CHECKING:
    from collections.abc import Sequence

    from fgdprep.stages.pseudonymise import SessionRun
    from fgdprep.store import Study


@click.command()
@click.argument("session_id", required=False)
@click.option(
    "--all",
    "all_sessions",
    is_flag=True,
    help="Re-run every session pseudonymised before (after review decisions, roster or"
    " gazetteer changes): the codebook's names reach every session.",
)
@quiet_option
@pass_ctx
def pseudonymise(obj: Ctx, session_id: str | None, all_sessions: bool, quiet: bool) -> None:
    """Detect and replace personal information; write the shareable transcript.

    Reads the session's latest transcript (checked, else speakers, else transcribed),
    labels every finding from the study codebook ([P03], [Person 2], [Place 1],
    [phone number] ...) and writes shareable/sessions/SESSION/deidentified.json. Turns'
    translations are pseudonymised too, with the same labels (translation.language in
    fgdprep.yaml, English by default). Uncertain findings are replaced too but wait in the
    review queue (fgdprep review). Re-running gives the same output plus the review
    decisions; --all re-runs every session pseudonymised before, so that names accepted or
    added in one session's review are replaced in all of them. Codebook passphrase:
    FGDPREP_PASSPHRASE or a prompt.

    \b
    Example: fgdprep pseudonymise DS-pre
             fgdprep pseudonymise --all
    """
    from fgdprep.stages import pseudonymise as stage

    if session_id is not None and all_sessions:
        raise click.UsageError("give a SESSION_ID or --all, not both")
    if session_id is None and not all_sessions:
        raise click.UsageError("give a SESSION_ID, or --all for every pseudonymised session")
    study = obj.study()

    def loading() -> None:
        if not quiet:
            click.echo("Loading the analyzers...", err=True)

    with study.lock():
        ids = None if all_sessions else [session_id or ""]
        runs = stage.run(study, ids, lambda: ask_passphrase(study), loading)
    render(runs, study, all_sessions)


def render(runs: Sequence[SessionRun], study: Study, all_sessions: bool = False) -> None:
    from fgdprep.report import pseudonymised

    click.echo(pseudonymised(runs, study, all_sessions))
