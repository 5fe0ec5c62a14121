"""``fgdprep run``: every stage a session still needs, in order, as one command."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, quiet_option
from fgdprep.model import Mode, Stage

if TYPE_CHECKING:
    from fgdprep.model import Session
    from fgdprep.pipeline import Hooks
    from fgdprep.stages.ingest import IngestRequest
    from fgdprep.stages.transcribe import WindowResult
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
    from fgdprep.errors import FgdprepError, InputError
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
            elif any(ingest[k] for k in ("session_id", "site", "wave", "date")):
                what = "not a file" if Path(target).exists() else "file not found"
                raise InputError(
                    f"{target}: {what}; --session, --site, --wave and --date go with a recording"
                )
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


def _one(study: Study, hooks: Hooks, bar: Display, target: str | IngestRequest) -> None:
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
    bar.session = sid
    try:
        ran = bring_up_to_date(study, sid, hooks)
    finally:
        bar.close()
    if not ran:
        click.echo(f"{sid} is up to date; nothing to run.")
    # what comes next: the back-check worksheet, then what waits for a person
    backcheck.after_run(study, sid)
    for line in next_for_a_person(study, sid):
        click.echo(f"Next: {line}")


def rendering_hooks(
    study: Study,
    quiet: bool,
    passphrase: Callable[[], str],
    then: Callable[[Stage, Any], None] | None = None,
) -> tuple[Hooks, Display]:
    """Pipeline hooks that show what each command shows: the progress bar, then each
    finished stage's summary (and ``then``)."""
    from fgdprep.cli import pseudonymise, speakers, transcribe
    from fgdprep.pipeline import Hooks

    bar = Display(hidden=quiet)

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

    return Hooks(passphrase, bar, loading, finished, bar.stage), bar


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


class Display:
    """The one progress display of a run, on stderr: the step (with the work beside it),
    window n/N of the transcription, elapsed time and, once a window is done, the time
    left (from the audio seconds done so far). On a terminal one line is redrawn (every
    second, so the clock moves while a step has no windows); otherwise each change is a plain
    line. Hidden with -q."""

    def __init__(self, hidden: bool, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.hidden = hidden
        self.tty = self.stream.isatty()
        self.session = ""
        self.label = ""
        self.started = time.monotonic()
        self.windows = 0
        self.done_window = 0
        self.audio_total = 0.0
        self.audio_done = 0.0
        self.width = 0
        self.lock = threading.Lock()
        self.ticker: threading.Timer | None = None

    # the pipeline's hooks ---------------------------------------------------------------

    def stage(self, label: str) -> None:
        self.label, self.started, self.windows, self.done_window = label, time.monotonic(), 0, 0
        self._show()

    def start(self, session: Session, model: str, windows: int) -> None:
        """Transcription starts (the :class:`~fgdprep.stages.transcribe.Progress` protocol)."""
        assert session.audio is not None
        self.session, self.windows, self.audio_total = session.id, windows, session.audio.duration
        self.audio_done, self.started = 0.0, time.monotonic()
        self._show()

    def window(self, result: WindowResult) -> None:
        self.done_window, self.audio_done = result.index + 1, result.end
        self._show()

    def close(self) -> None:
        """The line ends (before other output)."""
        with self.lock:
            if self.ticker is not None:
                self.ticker.cancel()
                self.ticker = None
            if self.tty and self.width and not self.hidden:
                self.stream.write("\r" + " " * self.width + "\r")
                self.stream.flush()
            self.width = 0

    # drawing ------------------------------------------------------------------------------

    def line(self) -> str:
        spent = time.monotonic() - self.started
        parts = [f"{self.session}: {self.label}" if self.session else self.label]
        if self.windows:
            parts.append(f"window {self.done_window}/~{max(self.windows, self.done_window)}")
        parts.append(f"{_clock(spent)} elapsed")
        if self.windows and self.audio_done > 0:
            left = spent / self.audio_done * max(0.0, self.audio_total - self.audio_done)
            parts.append(f"about {_clock(left)} left")
        return ", ".join(parts)

    def _show(self) -> None:
        if self.hidden or not self.label:
            return
        with self.lock:
            text = self.line()
            if not self.tty:
                self.stream.write(text + "\n")
            else:
                self.stream.write("\r" + text.ljust(self.width))
                self.width = max(self.width, len(text))
                if self.ticker is None:
                    self.ticker = threading.Timer(1.0, self._tick)
                    self.ticker.daemon = True
                    self.ticker.start()
            self.stream.flush()

    def _tick(self) -> None:
        with self.lock:
            self.ticker = None
        if self.width:
            self._show()
