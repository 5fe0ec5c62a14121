"""``fgdprep check``: each kind of damage found, each with its repair; a sound study passes;
the check changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import sample_study
from fgdprep.cli import cli
from fgdprep.store import Study
from fgdprep.volume import describe, volume_of
from test_archive import finalised_study


@dataclass(frozen=True)
class Checked:
    exit_code: int
    output: str  # without the line on the volume


def check(study: Path, passphrase: str = "secret") -> Checked:
    """``fgdprep check``, which first says (on stderr) whether the study is on an encrypted
    volume: that line is checked here and left out of ``output``."""
    result = CliRunner().invoke(
        cli, ["--study", str(study), "check"], env={"FGDPREP_PASSPHRASE": passphrase}
    )
    volume = describe(volume_of(study))
    assert result.stderr.splitlines()[0] == volume, result.output
    return Checked(result.exit_code, result.output.replace(volume + "\n", "", 1))


def test_a_sound_study_passes(study: Path, unchanged: Callable[..., Any]) -> None:
    finalised_study(study)
    with unchanged(study):
        result = check(study)
    assert result.exit_code == 0, result.output
    files = sum(1 for p in study.rglob("*") if p.is_file())
    assert result.output == f"{study}: {files} file(s), all whole and as the audit log says.\n"


FINALISED = "shareable/sessions/DS-pre/finalised.json"


def _truncate(study: Path) -> tuple[str, str]:
    path = study / FINALISED
    path.write_bytes(path.read_bytes()[:200])
    return (
        f"{FINALISED}: cannot be read: truncated or damaged (",
        "  repair: restore it from your backup (its numbers are cited); else delete it and run"
        " 'fgdprep finalise DS-pre' (numbers may change)",
    )


def _tamper(study: Path) -> tuple[str, str]:
    path = study / FINALISED
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4))  # parses, differs
    return (
        f"{FINALISED}: does not match the checksum the audit log recorded ('finalise' at ",
        "  repair: restore it from your backup (its numbers are cited); else delete it and run"
        " 'fgdprep finalise DS-pre' (numbers may change)",
    )


def _stray_temp(study: Path) -> tuple[str, str]:
    rel = "identifiable/sessions/DS-pre/.checked.json.k2j3h4.tmp"
    (study / rel).write_text('{"kind": "transc')
    return (
        f"{rel}: a temporary file a write left when it was interrupted (the file it was to"
        " replace is whole)",
        f"  repair: delete it: rm '{rel}'",
    )


def _orphan(study: Path) -> tuple[str, str]:
    (study / "shareable" / "notes.txt").write_text("to do\n")
    return (
        "shareable/notes.txt: not a file fgdprep writes here (an orphan)",
        "  repair: move it out of the study folder (keep it if it is yours), or delete it",
    )


def _half_audit_line(study: Path) -> tuple[str, str]:
    with (study / "logs" / "audit.jsonl").open("a") as fh:
        fh.write('{"command": "pseudonymise", "time": "2026-')
    return (
        "logs/audit.jsonl: cannot be read: truncated or damaged (",
        "  repair: a command killed while auditing leaves a half line at the end: keep a copy"
        " of the file, remove that line; else restore the log from your backup",
    )


def _edited_audit_line(study: Path) -> tuple[str, str]:
    log = study / "logs" / "audit.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    entry = json.loads(lines[0])
    entry["user"] = "someone else"  # parses, every checksum it records unchanged
    lines[0] = json.dumps(entry) + "\n"
    log.write_text("".join(lines), encoding="utf-8")
    return (
        "logs/audit.jsonl: its hash chain breaks at line 2: an entry was edited, removed or"
        " inserted after it was written",
        "  repair: compare the log with your backup to see what changed and restore it; keep"
        " this copy as evidence (fgdprep cannot tell what the line said before)",
    )


DAMAGES = [_truncate, _tamper, _stray_temp, _orphan, _half_audit_line, _edited_audit_line]


@pytest.mark.parametrize("damage", DAMAGES)
def test_each_damage_is_found_with_its_repair(
    study: Path, unchanged: Callable[..., Any], damage: Callable[[Path], tuple[str, str]]
) -> None:
    finalised_study(study)
    what, repair = damage(study)
    with unchanged(study):
        result = check(study)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3, result.output
    assert lines[0].startswith(what), lines[0]
    assert lines[1] == repair
    files = sum(1 for p in study.rglob("*") if p.is_file())
    assert lines[2] == f"Error: 1 problem(s) in {files} file(s) of {study}"


def test_a_wrong_passphrase(study: Path, unchanged: Callable[..., Any]) -> None:
    finalised_study(study)
    with unchanged(study):
        result = check(study, "not the passphrase")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "identifiable/codebook.enc: does not decrypt: wrong passphrase for the codebook"
        " identifiable/codebook.enc; nothing was changed (set FGDPREP_PASSPHRASE or type it"
        " when asked)",
        "  repair: give the right passphrase (FGDPREP_PASSPHRASE or the prompt); if it is"
        " right, restore the codebook from your backup",
    ]


def test_a_changed_recording_and_a_sound_ingested_study(
    tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    root = sample_study(tmp_path / "s")
    assert check(root).exit_code == 0
    (recording,) = (root / "identifiable" / "recordings").rglob("recording.*")
    data = bytearray(recording.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: still the same size
    recording.write_bytes(bytes(data))
    with unchanged(root):
        result = check(root)
    assert result.exit_code == 1
    rel = recording.relative_to(root).as_posix()
    assert result.output.splitlines()[:2] == [
        f"{rel}: does not match the checksum the audit log recorded ('ingest' at "
        + next(e["time"] for e in Study.open(root).audit_entries() if e["command"] == "ingest")
        + "): changed outside fgdprep, damaged, or a command was interrupted",
        "  repair: copy the original recording back from where it was recorded or your backup",
    ]
