"""Reliability under faults: ``kill -9`` at points of a command chosen by a seeded RNG, then
the command again; a full disk (the file size limit, ``ulimit -f``: EFBIG, as ENOSPC would
be); two fgdprep processes on one study; owner-only permissions whatever the umask.

Every kill is a real SIGKILL of a real ``fgdprep`` process, at a moment found by watching
the files it writes (plus a random delay). After it: the command again finishes, ``check``
is clean, nothing is doubled (audit entries, codebook entries) and nothing lost (the files
equal those of a run never interrupted).
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import stat
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import numpy as np
import pytest
from click.testing import CliRunner, Result

from conftest import REPO, SAMPLE, run, sample_study, script, snapshot
from exportdata import PASSPHRASE, make_session
from fgdprep.cli import cli
from fgdprep.codebook import load_codebook
from fgdprep.model import Provenance, Stage, Transcript, Turn
from fgdprep.store import Study, verify_audit_chain

SECRET = "secret"  # the passphrase of test_archive's finalised_study
RUN_SECRET = "faults-passphrase"
#: Seeds of the kill points: each test runs once per seed (FGDPREP_FAULT_SEEDS=1,2 for
#: others: the loop of 20 runs gives each run its own).
SEEDS = tuple(int(x) for x in os.environ.get("FGDPREP_FAULT_SEEDS", "11,22,33").split(","))


def env(passphrase: str = SECRET) -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(REPO / "src"), "FGDPREP_PASSPHRASE": passphrase}


def argv(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "fgdprep", "--study", str(root), *args]


def kill_when(
    command: list[str], seen: Callable[[], bool], delay: float, passphrase: str = SECRET
) -> int:
    """Run ``command``; SIGKILL it ``delay`` seconds after ``seen()`` first holds. Returns its
    exit status (-9 when killed, 0 when it had finished by then)."""
    proc = subprocess.Popen(
        command, env=env(passphrase), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not seen() and proc.poll() is None:
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    assert "Traceback" not in err, err
    proc.stderr.close()
    return proc.returncode


def check_clean(root: Path, passphrase: str = SECRET) -> None:
    result = CliRunner().invoke(
        cli, ["--study", str(root), "check"], env={"FGDPREP_PASSPHRASE": passphrase}
    )
    assert result.exit_code == 0, result.output
    assert result.output.endswith("all whole and as the audit log says.\n"), result.output
    assert verify_audit_chain(root / "logs" / "audit.jsonl") is None


def audits(root: Path, command: str) -> list[dict[str, Any]]:
    return [e for e in Study.open(root).audit_entries() if e["command"] == command]


def invoke(root: Path, *args: str, passphrase: str = SECRET) -> Result:
    return CliRunner().invoke(
        cli,
        ["--study", str(root), *args],
        env={"FGDPREP_PASSPHRASE": passphrase},
        catch_exceptions=False,
    )


def temp_files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*") if p.name.endswith(".tmp"))


# --- kill -9 ----------------------------------------------------------------------------------


def speakers_study(root: Path) -> Path:
    """The sample ingested, with a speaker-turn transcript of its script saved through the
    store (no Whisper, no diarizer): ``run`` has only pseudonymisation (the codebook) left."""
    sample_study(root)
    study = Study.open(root)
    utterances = script()["utterances"]
    with study.lock():
        for stage in (Stage.TRANSCRIBED, Stage.SPEAKERS):
            turns = tuple(
                Turn(
                    u["start"],
                    u["end"],
                    u["text"],
                    u["speaker"] if stage == Stage.SPEAKERS else None,
                )
                for u in utterances
            )
            study.save_transcript(
                Transcript("BU-pre", "en", turns, Provenance(stage.value, "test")), stage
            )
    return root


PSEUDONYMISED = (
    "shareable/sessions/BU-pre/deidentified.json",
    "identifiable/sessions/BU-pre/pseudonymised.json",
    "identifiable/sessions/BU-pre/review.json",
)


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same study, ``run`` never interrupted."""
    root = speakers_study(tmp_path_factory.mktemp("whole") / "study")
    result = run_in(root)
    assert result.exit_code == 0, result.output
    return root


def run_in(root: Path) -> Result:
    return invoke(root, "run", "BU-pre", "-q", passphrase=RUN_SECRET)


def codebook_entries(root: Path) -> list[tuple[str, str, str]]:
    book = load_codebook(Study.open(root), RUN_SECRET)
    return sorted((e.label, e.type, e.value) for e in book.entries)


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_while_the_codebook_is_written_then_run_again(
    tmp_path: Path, whole_run: Path, seed: int
) -> None:
    """Killed 0-40 ms after the codebook appears (then the review queue, the shareable and
    the identifiable transcript, the audit entry are written): ``run`` again finishes with
    the files of a run never interrupted, one codebook entry per name, one audit entry."""
    root = speakers_study(tmp_path / "study")
    codebook = Study.open(root).codebook_path
    delay = random.Random(seed).uniform(0, 0.04)
    status = kill_when(argv(root, "run", "BU-pre", "-q"), codebook.is_file, delay, RUN_SECRET)
    assert status in (-signal.SIGKILL, 0)
    again = run_in(root)
    assert again.exit_code == 0, again.output
    for rel in PSEUDONYMISED:
        assert (root / rel).read_bytes() == (whole_run / rel).read_bytes(), rel
    entries = codebook_entries(root)
    assert entries == codebook_entries(whole_run)
    assert len({label for label, _t, _v in entries}) == len(entries)
    # the killed run's entry, or the second run's, or a "recover" one for a killed run's
    # write that was never audited: one, never two
    made = [e for e in Study.open(root).audit_entries() if "pseudonymised" in e["outputs"]]
    assert len(made) == 1, made
    # a "recover" entry only for a write that is still there and that no entry audits
    assert all(e["outputs"] for e in audits(root, "recover"))
    check_clean(root, RUN_SECRET)


def finalised(root: Path) -> Path:
    """test_archive's finalised DS-pre (Kiswahili, roster, codebook) in a new study."""
    make_session_with_codebook(root)
    assert invoke(root, "finalise", "DS-pre").exit_code == 0
    return root


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_during_finalise_then_finalise_again(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "study"
    make_session_with_codebook(root)
    path = root / "shareable/sessions/DS-pre/finalised.json"
    delay = random.Random(seed).uniform(0, 0.02)
    kill_when(argv(root, "finalise", "DS-pre"), path.is_file, delay)
    if not path.is_file():
        assert invoke(root, "finalise", "DS-pre").exit_code == 0
    else:  # finalised before the kill: saying so is finishing
        again = invoke(root, "finalise", "DS-pre")
        assert again.exit_code in (0, 1), again.output
    json.loads(path.read_text(encoding="utf-8"))
    made = audits(root, "finalise") + audits(root, "recover")
    assert len(made) == 1, made
    check_clean(root)


def make_session_with_codebook(root: Path) -> None:
    """test_archive's study before its finalise."""
    assert run(["init", str(root), "--config", str(REPO / "configs/upsides.yaml")]).exit_code == 0
    from test_archive import session_with_codebook

    session_with_codebook(root)


EXPORT = ("export", "DS-pre", "--format", "docx", "--format", "txt", "--format", "json", "-o")


def export_files(out: Path) -> dict[str, bytes | list[str]]:
    """Every exported file; a docx as its paragraphs read back with python-docx (a docx's
    zip carries its time)."""
    files: dict[str, bytes | list[str]] = {}
    for p in sorted(out.iterdir()):
        if p.suffix == ".docx":
            files[p.name] = [para.text for para in docx.Document(str(p)).paragraphs]
        else:
            files[p.name] = p.read_bytes()
    return files


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_during_export_then_export_again(tmp_path: Path, seed: int) -> None:
    root = finalised(tmp_path / "study")
    whole = tmp_path / "whole"
    assert invoke(root, *EXPORT, str(whole)).exit_code == 0
    out = tmp_path / "out"
    delay = random.Random(seed).uniform(0, 0.05)
    status = kill_when(argv(root, *EXPORT, str(out)), out.is_dir, delay)
    killed_after_audit = len(audits(root, "export")) - 1
    again = invoke(root, *EXPORT, str(out))
    assert again.exit_code == 0, again.output
    assert export_files(out) == export_files(whole)
    assert temp_files(out) == []
    assert status in (-signal.SIGKILL, 0)
    assert len(audits(root, "export")) == 2 + killed_after_audit
    check_clean(root)


@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_during_archive_then_archive_again(tmp_path: Path, seed: int) -> None:
    """A kill leaves a half bag beside the target (``.NAME.xxxx.tmp``): the archive again
    removes it and makes the bag; nothing half is ever at the target."""
    root = finalised(tmp_path / "study")
    out = tmp_path / "bag"

    def half_bag() -> bool:
        return any(tmp_path.glob(".bag.*.tmp"))

    delay = random.Random(seed).uniform(0, 0.3)
    kill_when(argv(root, "archive", "-o", str(out)), half_bag, delay)
    if out.exists():  # the kill came after the bag was in place: it must be whole
        assert invoke(root, "archive", "--verify", str(out)).exit_code == 0
        again = invoke(root, "archive", "-o", str(out), "--force")
    else:
        again = invoke(root, "archive", "-o", str(out))
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bag", "study"]
    verified = invoke(root, "archive", "--verify", str(out))
    assert verified.exit_code == 0, verified.output
    assert verify_audit_chain(out / "data" / "audit.jsonl") is None
    check_clean(root)


def test_a_killed_archive_that_had_moved_the_old_bag_aside_puts_it_back(
    tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    """``--force`` moves the old bag aside, then renames the new one in: killed in between,
    the next archive puts the old one back before it decides anything."""
    root = finalised(tmp_path / "study")
    out = tmp_path / "bag"
    assert invoke(root, "archive", "-o", str(out)).exit_code == 0
    before = snapshot(out)
    os.replace(out, tmp_path / ".bag.old-99999")  # what the kill left
    (tmp_path / ".bag.k3j4.tmp").mkdir()
    refused = invoke(root, "archive", "-o", str(out))
    assert refused.exit_code == 1
    assert "exists and is not empty" in refused.output
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bag", "study"]


def test_kill_9_during_transcription_of_short_speech_then_run_again(
    tmp_path: Path, short_speech: Path
) -> None:
    """Real tiny.en on a few seconds of speech: killed 0.3-1.5 s after ``run`` started (the
    imports, the model loading or the transcription itself: short speech is transcribed in
    about a second; tests/test_run.py kills at a transcription checkpoint of the sample),
    ``run`` again finishes with one transcribe entry and a clean check."""
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(SAMPLE / "demo.yaml")]).exit_code == 0
    ingest = ["ingest", str(short_speech), "--session", "BU-pre", "--site", "BU"]
    done = run([*ingest, "--wave", "pre", "--date", "2025-01-02", "--language", "en"], root)
    assert done.exit_code == 0, done.output
    started = time.monotonic()
    delay = random.Random(SEEDS[0]).uniform(0.3, 1.5)
    status = kill_when(argv(root, "run", "BU-pre", "-q"), lambda: True, delay, RUN_SECRET)
    assert status == -signal.SIGKILL, f"finished within {time.monotonic() - started:.1f} s"
    again = run_in(root)
    assert again.exit_code == 0, again.output
    assert len(audits(root, "transcribe")) == 1
    check_clean(root, RUN_SECRET)


def test_kill_9_while_ingest_copies_a_long_recording_then_ingest_again(tmp_path: Path) -> None:
    """Killed while the recording's copy is half written: the next ``ingest`` removes the
    half copy (the copy was noted in the journal), takes the recording and ``check`` is clean."""
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(SAMPLE / "demo.yaml")]).exit_code == 0
    long = tmp_path / "long.wav"  # 40 min of 16 kHz 16-bit audio: 77 MB, copied in steps
    with wave.open(str(long), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        tone = (3000 * np.sin(np.arange(16000) * 2 * np.pi * 220 / 16000)).astype("<i2")
        out.writeframes(np.tile(tone, 40 * 60).tobytes())
    folder = root / "identifiable/recordings/BU-pre"
    ingest = ["ingest", str(long), "--session", "BU-pre", "--site", "BU", "--wave", "pre"]
    ingest += ["--date", "2025-01-02", "--language", "en"]

    def copying() -> bool:
        return folder.is_dir() and any(folder.glob(".recording.wav.*.tmp"))

    status = kill_when(argv(root, *ingest), copying, 0.0)
    assert status == -signal.SIGKILL
    assert temp_files(root) != []  # the half copy, left by the kill
    again = run(ingest, root)
    assert again.exit_code == 0, again.output
    assert temp_files(root) == []
    assert (folder / "recording.wav").read_bytes() == long.read_bytes()
    assert len(audits(root, "ingest")) == 1
    check_clean(root)


# --- a full disk ------------------------------------------------------------------------------


def limited(
    root: Path, limit: int, *args: str, passphrase: str = SECRET
) -> subprocess.CompletedProcess[str]:
    """``fgdprep ARGS`` in a process that may write no file beyond ``limit`` bytes (RLIMIT_FSIZE:
    a write past it fails with EFBIG, as on a full disk with ENOSPC; Python ignores SIGXFSZ)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        argv(root, *args), env=env(passphrase), capture_output=True, text=True, preexec_fn=cap
    )


def assert_one_line_error(done: subprocess.CompletedProcess[str], path: Path) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: File too large [EFBIG] ("), lines[0]
    assert lines[0].endswith(
        "; the files written before are whole (a write that fails leaves the old file);"
        " free some space and run the command again"
    )
    assert str(path) in lines[0]


def test_disk_full_writing_a_stage_file(tmp_path: Path, unchanged: Callable[..., Any]) -> None:
    root = tmp_path / "study"
    make_session_with_codebook(root)
    with unchanged(root):
        done = limited(root, 600, "finalise", "DS-pre")
    assert_one_line_error(done, root / "shareable/sessions/DS-pre")
    assert temp_files(root) == []
    assert invoke(root, "finalise", "DS-pre").exit_code == 0  # with room, it works
    check_clean(root)


def test_disk_full_writing_the_codebook(tmp_path: Path, unchanged: Callable[..., Any]) -> None:
    root = finalised(tmp_path / "study")
    size = Study.open(root).codebook_path.stat().st_size
    with unchanged(root):
        done = subprocess.run(
            argv(root, "codebook", "rekey"),
            env=env() | {"FGDPREP_NEW_PASSPHRASE": "a-new-passphrase-2"},
            capture_output=True,
            text=True,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size - 1, size - 1)),
        )
    assert_one_line_error(done, root / "identifiable")
    assert temp_files(root) == []
    check_clean(root)  # the old codebook, with the old passphrase


def test_disk_full_appending_to_the_audit_log(tmp_path: Path) -> None:
    """The finalised transcript is written, the audit entry is not: the error says so, the
    file is whole, and the next command that takes the lock audits it (``recover``)."""
    root = tmp_path / "study"
    make_session_with_codebook(root)
    log = root / "logs" / "audit.jsonl"
    study = Study.open(root)
    while log.stat().st_size < 30_000:  # longer than the finalised transcript will be
        study.audit_read("review list", session="DS-pre", pending=0)
    size = log.stat().st_size
    finalised_json = root / "shareable/sessions/DS-pre/finalised.json"
    done = limited(root, size, "finalise", "DS-pre")
    assert_one_line_error(done, log)
    json.loads(finalised_json.read_text(encoding="utf-8"))  # whole
    assert log.stat().st_size == size
    assert (root / ".fgdprep/journal.jsonl").is_file()
    assert invoke(root, "finalise", "DS-pre").exit_code == 1  # already finalised: refused
    recovered = audits(root, "recover")
    assert [(e["session"], list(e["outputs"])) for e in recovered] == [("DS-pre", ["finalised"])]
    assert not (root / ".fgdprep/journal.jsonl").exists()
    check_clean(root)


def only_the_leak_check_audited(root: Path, before: dict[str, str]) -> None:
    """The study as ``before`` but for one audit entry: the leak check that ran first."""
    after = snapshot(root)
    log = "logs/audit.jsonl"
    assert {k: v for k, v in after.items() if k != log} == {
        k: v for k, v in before.items() if k != log
    }
    assert Study.open(root).audit_entries()[-1]["command"] == "leakcheck"


def test_disk_full_writing_an_export(tmp_path: Path) -> None:
    root = finalised(tmp_path / "study")
    out = tmp_path / "out"
    before = snapshot(root)
    done = limited(root, 20_000, "export", "DS-pre", "--format", "docx", "-o", str(out))
    assert_one_line_error(done, out)
    only_the_leak_check_audited(root, before)
    assert sorted(out.iterdir()) == []  # no half docx, no temp file


def test_disk_full_writing_the_archive(tmp_path: Path) -> None:
    root = finalised(tmp_path / "study")
    out = tmp_path / "bag"
    before = snapshot(root)
    done = limited(root, 2_000, "archive", "-o", str(out))
    assert_one_line_error(done, tmp_path / ".bag.")
    only_the_leak_check_audited(root, before)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study"]


# --- two processes ----------------------------------------------------------------------------


def hold_lock(root: Path) -> subprocess.Popen[str]:
    """Another process holding the study lock (as a running fgdprep command does)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'a+b');"
            " fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(root / ".fgdprep" / "lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


IN_USE = (
    "Error: the study {} is in use by another fgdprep command;"
    " wait for it to finish and try again\n"
)


def test_a_second_command_that_changes_the_study_refuses_and_readers_go_on(
    tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    root = finalised(tmp_path / "study")
    holder = hold_lock(root)
    try:
        with unchanged(root):
            for args in (
                ("reopen", "DS-pre"),
                ("export", "DS-pre", "-o", str(tmp_path / "out")),
                ("archive", "-o", str(tmp_path / "bag")),
                ("codebook", "rekey"),
                ("pseudonymise", "DS-pre"),
            ):
                result = invoke(root, *args)
                assert result.exit_code == 1, (args, result.output)
                assert result.output == IN_USE.format(root), args
            for args in (("sessions",), ("status",), ("cite", "DS 2"), ("check",)):
                result = invoke(root, *args)
                assert result.exit_code == 0, (args, result.output)
        assert not (tmp_path / "out").exists() and not (tmp_path / "bag").exists()
    finally:
        holder.kill()
        holder.wait()


def test_two_fgdprep_processes_at_once_never_corrupt(tmp_path: Path) -> None:
    """Two real ``export``s and two ``finalise``s started together: each pair leaves whole
    files, one finalise entry, and a clean check; the loser says why."""
    root = tmp_path / "study"
    make_session_with_codebook(root)
    procs = [
        subprocess.Popen(
            argv(root, "finalise", "DS-pre"),
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate() for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 1], outs
    loser = next(err for p, (_o, err) in zip(procs, outs, strict=True) if p.returncode == 1)
    assert loser in (IN_USE.format(root),) or "already finalised" in loser, loser
    assert len(audits(root, "finalise")) == 1
    check_clean(root)


# --- permissions ------------------------------------------------------------------------------


def test_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    """Every file fgdprep writes under identifiable/ (recording, rosters, transcripts,
    codebook) and every export: 0600, folders 0700, under umask 0."""
    old = os.umask(0)
    try:
        root = sample_study(tmp_path / "study")
        make_session(root, "BU-pre", "BU", language="en")
        assert invoke(root, "finalise", "BU-pre", passphrase=PASSPHRASE).exit_code == 0
        out = tmp_path / "out"
        export = invoke(
            root, "export", "BU-pre", "--format", "docx", "-o", str(out), passphrase=PASSPHRASE
        )
        assert export.exit_code == 0, export.output
    finally:
        os.umask(old)
    study = Study.open(root)
    assert stat.S_IMODE(study.identifiable.stat().st_mode) == 0o700
    assert stat.S_IMODE(study.codebook_path.stat().st_mode) == 0o600
    for path in study.identifiable.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    for path in (tmp_path / "out").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
