"""How long ``fgdprep sessions`` and ``fgdprep status`` take on a study of long sessions.

Copies the 0.1.0 study fixture (one session, sample FGD), stretches every transcript of its
session to HOURS hours of speech by repeating its turns (saved through the store, so each
turn keeps an id and the words their times), then times the listing commands in a fresh
process each (CPU seconds, user + sys, of the child) and prints the load average beside them.

    python bench/status.py [--hours 2] [--sessions 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fgdprep.model import Stage, Transcript
from fgdprep.store import Study

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "data" / "old_study_v1"


def stretch(transcript: Transcript, hours: float) -> Transcript:
    """The turns repeated, shifted in time, until they cover ``hours``; new ids."""
    span = max(t.end for t in transcript.turns) + 1.0
    copies = max(1, round(hours * 3600 / span))
    turns = []
    for k in range(copies):
        shift = k * span
        for t in transcript.turns:
            words = tuple(
                dataclasses.replace(w, start=w.start + shift, end=w.end + shift) for w in t.words
            )
            turns.append(
                dataclasses.replace(t, start=t.start + shift, end=t.end + shift, words=words, id="")
            )
    return dataclasses.replace(transcript, turns=tuple(turns))


def build(root: Path, hours: float, sessions: int) -> Study:
    shutil.copytree(FIXTURE, root)
    study = Study.open(root)
    base = study.session_dir("BU-pre")
    for n in range(2, sessions + 1):
        sid = f"BU-pre{n}"
        shutil.copytree(base, study.session_dir(sid))
        path = study.session_path(sid)
        path.write_text(path.read_text().replace('"BU-pre"', f'"{sid}"'))
    with study.lock():
        for sid in study.session_ids():
            for stage in (Stage.TRANSCRIBED, Stage.SPEAKERS, Stage.PSEUDONYMISED):
                t = study.load_transcript(sid, stage)
                long = stretch(dataclasses.replace(t, session_id=sid), hours)
                study.save_transcript(long, stage)
                if stage == Stage.PSEUDONYMISED:
                    study.save_shareable(long)
    return study


def timed(root: Path, args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    command = [sys.executable, "-m", "fgdprep", "--study", str(root), *args]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.monotonic() - started, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--commands", nargs="*", default=["sessions", "status"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        study = build(root, args.hours, args.sessions)
        sizes = [
            study.transcript_path(s, Stage.TRANSCRIBED).stat().st_size for s in study.session_ids()
        ]
        print(
            f"{args.sessions} session(s) of {args.hours:g} h; transcribed.json"
            f" {sizes[0] / 1e6:.1f} MB each"
        )
        for command in args.commands:
            for label in ("first", "again"):
                wall, cpu = timed(root, [command])
                load = os.getloadavg()[0]
                print(
                    f"{command:<9} {label:<6} wall {wall:5.2f} s  cpu {cpu:5.2f} s  load {load:.2f}"
                )


if __name__ == "__main__":
    main()
