"""``fgdprep finalise`` and ``fgdprep reopen``: freeze a session's paragraph numbers."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, pass_ctx


@click.command()
@click.argument("session_id")
@click.option(
    "--force",
    is_flag=True,
    help="Finalise although review, back-check or pseudonymisation is pending (the audit log"
    " records what was pending).",
)
@pass_ctx
def finalise(obj: Ctx, session_id: str, force: bool) -> None:
    """Number the session's de-identified transcript and freeze the numbers.

    One numbered paragraph per speaker turn (numbering: line in fgdprep.yaml numbers wrapped
    lines instead); a turn longer than numbering.max_paragraph_chars is split at sentence
    ends. These are the paragraph numbers MAXQDA, NVivo and ATLAS.ti show after importing an
    export, and the numbers 'fgdprep cite' resolves. Refuses while suggestions wait for
    review, review decisions are not applied, the shareable copy is out of date or the
    session is not back-checked, naming each; --force finalises anyway.

    \b
    Example: fgdprep finalise DS-pre
    """
    from fgdprep.stages import finalise as stage

    study = obj.study()
    with study.lock():
        result = stage.run(study, session_id, force)
    done = result.finalised
    if result.forced:
        click.echo(
            f"Warning: finalised with --force while pending: {'; '.join(result.forced)}",
            err=True,
        )
    last = len(done.units)
    span = f"{done.prefix} 1–{last}" if last else "none"
    click.echo(
        f"Finalised {session_id}: {last} numbered paragraph(s) ({span}), {done.numbering}"
        f" numbering; {result.path.relative_to(study.root)}"
    )


@click.command()
@click.argument("session_id")
@pass_ctx
def reopen(obj: Ctx, session_id: str) -> None:
    """Unfreeze a finalised session so that it can change (audited).

    Its paragraph numbers are no longer frozen: when it is finalised again they may differ,
    and citations made from the old numbers may point at other paragraphs.

    \b
    Example: fgdprep reopen DS-pre
    """
    from fgdprep.stages import finalise as stage

    study = obj.study()
    with study.lock():
        done = stage.reopen(study, session_id)
    click.echo(
        f"Warning: {session_id} is reopened; citations of its {len(done.units)} numbered"
        f" paragraph(s) ({done.prefix} …) may break when it is finalised again.",
        err=True,
    )
    click.echo(f"Reopened {session_id}; finalise it again with: fgdprep finalise {session_id}")
