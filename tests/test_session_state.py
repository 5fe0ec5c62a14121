"""Session state a moderator can trust: hints that are commands which do what they say."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from conftest import SAMPLE, SAMPLE_INGEST
from fgdprep.stages.transcribe import TranscribeRequest
from fgdprep.store import Study
from test_old_study import FIXTURE, run


def test_the_resume_hint_repeats_the_options_the_checkpoints_depend_on() -> None:
    """After Ctrl-C in 'transcribe --force --window-seconds 30', plain 'transcribe X' would
    answer "already transcribed" (or start over with other windows): the hint repeats the
    request."""
    request = TranscribeRequest("DS-pre", window_seconds=30.0, force=True)
    assert request.command() == "fgdprep transcribe DS-pre --window-seconds 30 --force"
    model = TranscribeRequest("DS-pre", model="/models/my whisper", beam_size=3)
    assert model.command() == "fgdprep transcribe DS-pre --model '/models/my whisper' --beam-size 3"
    assert TranscribeRequest("DS-pre").command() == "fgdprep transcribe DS-pre"


def test_the_shareable_copy_is_out_of_date_after_speakers_change(tmp_path: Path) -> None:
    """Speaker turns changed after pseudonymisation: 'sessions' and 'show' say the shareable
    copy is out of date (and what to run) until 'pseudonymise' runs again."""
    root = tmp_path / "study"
    shutil.copytree(FIXTURE, root)
    assert run(["pseudonymise", "BU-pre", "-q"], root).exit_code == 0
    current = run(["sessions"], root).output
    assert re.search(r"pseudonymised, \d+ to review$", current.rstrip())
    assigned = run(["speakers", "BU-pre", "--assign", "SPEAKER_01=P01"], root)
    assert assigned.exit_code == 0, assigned.output
    stale = run(["sessions"], root).output
    assert stale.rstrip().endswith(" to review, out of date: run 'fgdprep pseudonymise BU-pre'")
    shown = run(["show", "BU-pre"], root)
    assert shown.exit_code == 0
    assert shown.stderr == (
        "Note: this shareable copy is out of date (pseudonymised and the stages after it must"
        " run again, first 'fgdprep pseudonymise BU-pre')\n"
    )
    assert "MOD: Welcome, everyone" in shown.stdout
    again = run(["pseudonymise", "BU-pre", "-q"], root)
    assert again.exit_code == 0, again.output
    assert run(["sessions"], root).output == current
    assert "P01: Hello, [MOD]." in run(["show", "BU-pre"], root).output


def test_an_added_name_is_a_decision_not_yet_applied(tmp_path: Path) -> None:
    root = tmp_path / "study"
    shutil.copytree(FIXTURE, root)
    added = run(["review", "BU-pre", "--add", "Butabika", "--as", "FACILITY"], root)
    assert added.exit_code == 0, added.output
    listed = run(["sessions"], root).output
    assert listed.rstrip().endswith(" to review, decisions not yet applied")
    assert run(["pseudonymise", "BU-pre", "-q"], root).exit_code == 0
    assert run(["sessions"], root).output.rstrip().endswith(" to review")


def test_a_closed_pipe_is_no_error(tmp_path: Path) -> None:
    """'fgdprep show X | head -1': the reader goes away; no "Broken pipe" message."""
    import subprocess
    import sys

    root = tmp_path / "study"
    shutil.copytree(FIXTURE, root)
    command = [sys.executable, "-m", "fgdprep", "--study", str(root), "show", "BU-pre"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes a line (it takes a while to start)
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == ""
    assert proc.returncode == 1


def test_remove_a_session_with_human_work_needs_force(tmp_path: Path, unchanged: Any) -> None:
    root = tmp_path / "study"
    shutil.copytree(FIXTURE, root)
    with unchanged(root):
        refused = run(["remove", "BU-pre"], root)
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: session BU-pre holds human work (1 speaker assignment(s), 2 review"
        " decision(s)); removing it discards that. Pass --force to remove it anyway"
        " (nothing was changed)\n"
    )
    removed = run(["remove", "BU-pre", "--force"], root)
    assert removed.exit_code == 0, removed.output
    assert removed.output == (
        "Removed session BU-pre (discarded 1 speaker assignment(s), 2 review decision(s)).\n"
    )
    assert run(["sessions"], root).output == "No sessions yet; add one with 'fgdprep ingest'.\n"
    left = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert not [p for p in left if "BU-pre" in p]
    entry = Study.open(root).audit_entries()[-1]
    assert entry["command"] == "remove" and entry["session"] == "BU-pre"
    assert entry["counts"] == {"discarded_speaker_assignments": 1, "discarded_review_decisions": 2}
    # the right recording goes in under the same id; the site roster kept its people
    again = run(["ingest", str(SAMPLE / "fgd_sample.flac"), *SAMPLE_INGEST], root)
    assert again.exit_code == 0, again.output
    assert "4 people on the roster" in again.output
