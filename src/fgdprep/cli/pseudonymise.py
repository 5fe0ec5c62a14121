"""``fgdprep pseudonymise``: the shareable, de-identified copy of sessions."""

from __future__ import annotations

import os
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
    for run in runs:
        result = run.result.result
        counts = result.counts()
        total = sum(counts["entity_types"].values())
        kinds = ", ".join(f"{n} {k.lower()}" for k, n in counts["entity_types"].items()) or "none"
        translations = run.translated_turns
        line = (
            f"Pseudonymised {run.session.id} ({run.input_stage}"
            + (
                f", {translations} translated turn{'s' * (translations != 1)}"
                if translations
                else ""
            )
            + f"): {total} replaced ({kinds}); {result.pending} pending review."
        )
        if all_sessions:
            line += " Updated." if run.changed else " Unchanged."
        click.echo(line)
    if not all_sessions:
        run = runs[0]
        click.echo(f"Shareable: {study.shareable_path(run.session.id).relative_to(study.root)}")
        if run.result.result.pending:
            click.echo(f"Review them with: fgdprep review {run.session.id}")
    else:
        waiting = [r.session.id for r in runs if r.result.result.pending]
        click.echo(
            f"{len(runs)} session(s) pseudonymised again; shareable copies in"
            f" {study.shareable_sessions.relative_to(study.root)}{os.sep}."
        )
        if waiting:
            click.echo(f"Pending review in {', '.join(waiting)}: fgdprep review SESSION")
