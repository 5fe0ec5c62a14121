"""A recording of over ten minutes, transcribed in windows: cuts in silence, no word doubled
or dropped at a cut, and kill -9 in the middle resumes to the identical transcript."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLE, run, sample_study, script
from fgdprep.audio import SAMPLE_RATE, stream_mono, windows
from fgdprep.model import FlagCode, Transcript
from fgdprep.store import Study

REPEATS = 7
PAUSE = 1.0
WINDOW = "60"


def norm(word: str) -> str:
    return re.sub(r"[^\w'-]", "", word.lower())


@pytest.fixture(scope="module")
def long_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("long")
    pause = tmp / "pause.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(pause), "trim", "0", str(PAUSE)], check=True
    )
    parts = []
    for _ in range(REPEATS):
        parts += [str(SAMPLE / "fgd_sample.flac"), str(pause)]
    audio = tmp / "long.flac"
    subprocess.run(["sox", *parts, str(audio)], check=True)
    root = sample_study(tmp / "study", audio)
    return root


@pytest.fixture(scope="module")
def uninterrupted(long_study: Path, tmp_path_factory: pytest.TempPathFactory) -> Transcript:
    root = tmp_path_factory.mktemp("long-copy") / "study"
    shutil.copytree(long_study, root)
    result = run(["transcribe", "BU-pre", "-q", "--window-seconds", WINDOW], root)
    assert result.exit_code == 0, result.output
    return Study.open(root).load_transcript("BU-pre", "transcribed")


def cut_times(study: Path) -> list[float]:
    s = Study.open(study)
    session = s.load_session("BU-pre")
    cuts = [
        w.end / SAMPLE_RATE
        for w in windows(
            stream_mono(s.recording_path(session)),
            int(float(WINDOW) * SAMPLE_RATE),
            int(15 * SAMPLE_RATE),
        )
    ]
    return cuts[:-1]


def test_long_recording_is_at_least_ten_minutes(long_study: Path) -> None:
    session = Study.open(long_study).load_session("BU-pre")
    assert session.audio is not None and session.audio.duration >= 600


def test_every_repetition_has_the_key_words_in_order(uninterrupted: Transcript) -> None:
    data = script()
    period = data["duration"] + PAUSE
    words = [w for turn in uninterrupted.turns for w in turn.words]
    for r in range(REPEATS):
        for u in data["utterances"]:
            lo, hi = r * period + u["start"] - 0.5, r * period + u["end"] + 0.5
            said = [norm(w.text) for w in words if lo <= w.start <= hi]
            positions = [said.index(k) for k in u["key_words"] if k in said]
            assert len(positions) == len(u["key_words"]), (r, u["start"], said)
            assert positions == sorted(positions), (r, u["start"], said)


def test_cuts_in_silence_and_no_word_doubled_or_dropped(
    long_study: Path, uninterrupted: Transcript
) -> None:
    data = script()
    period = data["duration"] + PAUSE
    cuts = cut_times(long_study)
    assert len(cuts) >= 9
    words = [w for turn in uninterrupted.turns for w in turn.words]
    heard = [
        w
        for turn in uninterrupted.turns
        if not turn.has_flag(FlagCode.POSSIBLE_HALLUCINATION)
        for w in turn.words
    ]
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    for cut in cuts:
        # The cut lies in a pause between scripted utterances.
        offset = cut % period
        assert not any(u["start"] <= offset <= u["end"] for u in data["utterances"]), cut
        # No word spans the cut, no word is repeated across it.
        assert not any(w.start < cut < w.end for w in words), cut
        near = [w for w in words if cut - 3 <= w.start <= cut + 3]
        before = [norm(w.text) for w in near if w.end <= cut]
        after = [norm(w.text) for w in near if w.start >= cut]
        assert not (before and after and before[-1] == after[0]), (cut, before, after)
        # Nothing is dropped: the utterances either side of the cut have all their words,
        # as many as the same utterance has in the repetitions where it is not cut (not
        # counting what Whisper invents in pauses, which is flagged and varies by chance).
        for u in data["utterances"]:
            if abs(u["end"] - offset) < 3 or abs(u["start"] - offset) < 3:
                r = int(cut // period)
                counts = []
                for rep in range(REPEATS):
                    lo, hi = rep * period + u["start"] - 0.5, rep * period + u["end"] + 0.5
                    counts.append(sum(1 for w in heard if lo <= w.start <= hi))
                assert counts[r] >= min(c for i, c in enumerate(counts) if i != r), (cut, counts)


def test_ctrl_c_and_kill_minus_nine_then_resume_give_identical_transcript(
    long_study: Path, uninterrupted: Transcript
) -> None:
    work = long_study / "identifiable/sessions/BU-pre/work/transcribed"
    cmd = [
        sys.executable,
        "-m",
        "fgdprep",
        "--study",
        str(long_study),
        "transcribe",
        "BU-pre",
        "-q",
        "--window-seconds",
        WINDOW,
    ]

    def start_and_wait_for(windows_done: int) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        deadline = time.monotonic() + 300
        while len(list(work.glob("window-*.json"))) < windows_done:
            assert proc.poll() is None, "transcription ended before it could be stopped"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        return proc

    # Ctrl-C: a one-line message saying how to resume.
    proc = start_and_wait_for(2)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert re.fullmatch(
        r"Error: interrupted after \d+ finished window\(s\); run 'fgdprep transcribe BU-pre"
        rf" --window-seconds {WINDOW}' again to resume\n",
        err,
    ), err
    # kill -9: no message, no transcript, whole checkpoints only.
    proc = start_and_wait_for(4)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    done_before = len(list(work.glob("window-*.json")))
    assert 4 <= done_before < uninterrupted_windows(long_study)
    assert not (long_study / "identifiable/sessions/BU-pre/transcribed.json").exists()
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    resumed = Study.open(long_study).load_transcript("BU-pre", "transcribed")
    assert resumed == uninterrupted
    assert not work.exists()
    entries = Study.open(long_study).audit_entries()
    assert entries[-1]["counts"]["windows"] == uninterrupted_windows(long_study)


def uninterrupted_windows(study: Path) -> int:
    return len(cut_times(study)) + 1
