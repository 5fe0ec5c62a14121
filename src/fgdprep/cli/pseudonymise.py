"""``fgdprep pseudonymise``: the shareable, de-identified copy of sessions."""

from __future__ import annotations

import os

import click

from fgdprep.cli.context import (
    Ctx,
    ask_passphrase,
    check_nlp_model,
    pass_ctx,
    quiet_option,
)
from fgdprep.codebook import load_codebook, save_codebook
from fgdprep.errors import FgdprepError


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
    with study.lock():
        if session_id is not None:
            ids = [study.load_session(session_id).id]
        else:
            ids = study.sessions_with(stage.STAGE)
            if not ids:
                raise FgdprepError(
                    "no session has been pseudonymised yet; run 'fgdprep pseudonymise"
                    " SESSION' first"
                )
        pseudo = study.config.pseudonymisation
        inputs = []
        for sid in ids:  # every input is checked before the passphrase is asked for
            session = study.load_session(sid)
            check_nlp_model(pseudo, session.language, "fgdprep.yaml")
            inputs.append(stage.load_input(study, session.id))
        passphrase = ask_passphrase(study)
        codebook = load_codebook(study, passphrase)
        if not quiet:
            click.echo("Loading the analyzers...", err=True)
        from fgdprep.pii import presidio_version, study_engines

        engines = study_engines(study.config, study.site_roster)
        before = {sid: study.digest(study.shareable_path(sid)) for sid in ids}
        runs = stage.run_sessions(study, inputs, engines, codebook)
        save_codebook(study, codebook, passphrase)
        command = "pseudonymise --all" if all_sessions else "pseudonymise"
        for run in runs:
            run.audit(study, command, presidio_version())
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
            same = before[run.session.id] == run.shareable_digest
            line += " Unchanged." if same else " Updated."
        click.echo(line)
    if session_id is not None:
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
