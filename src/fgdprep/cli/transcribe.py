"""``fgdprep transcribe``: a session's recording to a draft transcript, offline."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from fgdprep.cli.context import Ctx, pass_ctx, quiet_option

if TYPE_CHECKING:
    from fgdprep.model import Session
    from fgdprep.stages.transcribe import TranscribeResult, WindowResult


class ProgressBar:
    """One bar over the recording's seconds: window n/N, elapsed, remaining (on stderr)."""

    def __init__(self, hidden: bool) -> None:
        self.hidden = hidden
        self.bar: Any = None
        self.windows = 0
        self.started = time.monotonic()

    def start(self, session: Session, model: str, windows: int) -> None:
        assert session.audio is not None
        self.windows, self.started = windows, time.monotonic()
        self.bar = click.progressbar(
            length=max(1, round(session.audio.duration)),
            label=f"Transcribing {session.id} ({model})",
            file=sys.stderr,
            hidden=self.hidden,
            show_eta=True,
            item_show_func=self.status,
        ).__enter__()

    def status(self, r: WindowResult | None) -> str | None:
        if r is None:
            return None
        spent = time.monotonic() - self.started
        return f"window {r.index + 1}/~{self.windows}, {spent / 60:.1f} min elapsed"

    def window(self, result: WindowResult) -> None:
        self.bar.update(round(result.end) - round(result.start), result)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command()
@click.argument("session_id")
@click.option("--model", help="faster-whisper model name or local model folder.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Where to run.")
@click.option("--compute-type", help="CTranslate2 compute type (int8, float16, ...).")
@click.option("--beam-size", type=click.IntRange(1, 20), help="Beam size.")
@click.option("--window-seconds", type=click.FloatRange(30, 3600), help="Window length.")
@click.option(
    "--code-switching/--no-code-switching",
    default=None,
    help="Each segment in the language it is spoken (multilingual model); flags the switches.",
)
@click.option("--force", is_flag=True, help="Transcribe again although a transcript exists.")
@quiet_option
@pass_ctx
def transcribe(obj: Ctx, /, session_id: str, quiet: bool, **options: Any) -> None:
    """Transcribe a session's recording offline (resumable).

    Runs faster-whisper window by window; an interrupted run picks up at the first
    unfinished window. The draft has one turn per Whisper segment, speaker unknown.

    \b
    Example: fgdprep transcribe DS-pre
    """
    from fgdprep.stages import transcribe as stage

    study = obj.study()
    bar = ProgressBar(hidden=quiet)
    with study.lock():
        try:
            result = stage.run(study, stage.TranscribeRequest(session_id, **options), bar)
        finally:
            bar.close()
    render(result)


def render(result: TranscribeResult) -> None:
    from fgdprep.report import transcribed

    click.echo(transcribed(result))
