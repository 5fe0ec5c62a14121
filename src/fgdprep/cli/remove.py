"""``fgdprep remove``: take a session out of the study (a wrong recording)."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, pass_ctx


@click.command()
@click.argument("session_id")
@click.option("--force", is_flag=True, help="Also when it holds human work, which is discarded.")
@pass_ctx
def remove(obj: Ctx, session_id: str, force: bool) -> None:
    """Remove a session: its recording, transcripts, review queue and shareable copy.

    For a wrong recording: remove it, then ingest the right one under the same id. The site
    roster and the codebook keep the people and names. Speaker assignments or review
    decisions in the session are only discarded with --force.

    \b
    Example: fgdprep remove DS-pre
    """
    from fgdprep.stages.remove import describe
    from fgdprep.stages.remove import remove as run

    study = obj.study()
    with study.lock():
        result = run(study, session_id, force)
    what = describe(result.discarded)
    click.echo(f"Removed session {result.session.id}" + (f" (discarded {what})." if what else "."))
