"""Bench: ``fgdprep transcribe`` against plain faster-whisper, same model, options and file.

    python bench/transcribe.py                      # 20-min speed run + 60-min memory run
    python bench/transcribe.py --speed-minutes 5 --memory-minutes 10

Each run is its own child process, so peak memory (ru_maxrss) is that run's alone. Both runs
include loading the model. fgdprep's run is the whole `fgdprep transcribe` command on a study
that already holds the ingested recording (ingest is a separate step users run once).
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

PLAIN = textwrap.dedent(
    """
    import json, resource, sys, time
    from faster_whisper import WhisperModel
    from fgdprep.asr import load_model, resolve_model
    from fgdprep.transcription.options import TranscribeOptions, whisper_kwargs
    t0 = time.perf_counter()
    options = TranscribeOptions(model=sys.argv[2], device="cpu", compute_type="int8")
    model = load_model(resolve_model(options.model), "cpu", "int8", 0)
    segments, info = model.transcribe(sys.argv[1], **whisper_kwargs(options, "en", None))
    n = sum(1 for _ in segments)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime
    print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": peak, "cpu_s": cpu,
                      "segments": n}))
    """
)

FGDPREP = textwrap.dedent(
    """
    import json, resource, sys, time
    from fgdprep.cli import cli
    t0 = time.perf_counter()
    cli.main(["--study", sys.argv[1], "transcribe", "B-pre", "--quiet", "--force",
              "--model", sys.argv[2], "--device", "cpu", "--compute-type", "int8"],
             standalone_mode=False)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime
    print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": peak, "cpu_s": cpu}))
    """
)


def _child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench child failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _study(audio: Path) -> Path:
    study = CACHE / f"study-{audio.stem}"
    if study.exists():
        shutil.rmtree(study)
    cfg = CACHE / "bench.yaml"
    cfg.write_text(
        "study: {name: bench}\nsites: [{code: B, name: Bench, country: GB, language: en}]\n"
    )
    for args in (
        ["init", str(study), "--config", str(cfg)],
        [
            "--study",
            str(study),
            "ingest",
            str(audio),
            "--session",
            "B-pre",
            "--site",
            "B",
            "--wave",
            "pre",
            "--date",
            "2024-01-01",
        ],
    ):
        subprocess.run(
            [sys.executable, "-m", "fgdprep", *args], check=True, stdout=subprocess.DEVNULL
        )
    return study


def bench(minutes: float, model: str, plain: bool = True) -> dict[str, dict[str, float]]:
    audio = long_recording(minutes)
    study = _study(audio)
    results = {"fgdprep": _child(FGDPREP, str(study), model)}
    if plain:
        results["faster-whisper"] = _child(PLAIN, str(audio), model)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-minutes", type=float, default=20)
    parser.add_argument("--memory-minutes", type=float, default=60)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument(
        "--no-plain-memory",
        action="store_true",
        help="skip plain faster-whisper on the long file (it needs GBs)",
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.processor() or '?'},"
        f" {subprocess.getoutput('nproc')} cores; model {args.model} int8 on CPU"
    )
    for minutes, plain, what in (
        (args.speed_minutes, True, "speed"),
        (args.memory_minutes, not args.no_plain_memory, "memory"),
    ):
        r = bench(minutes, args.model, plain)
        audio_s = minutes * 60
        print(f"\n{what}: {minutes:g}-minute file")
        for name, v in r.items():
            print(
                f"  {name:<15} {v['seconds']:8.1f} s  ({v['seconds'] / audio_s:.3f}x real time)"
                f"  cpu {v['cpu_s']:7.1f} s  peak {v['peak_mb']:7.0f} MB"
            )
        if "faster-whisper" in r:
            ratio = r["fgdprep"]["seconds"] / r["faster-whisper"]["seconds"]
            mem = r["fgdprep"]["peak_mb"] / r["faster-whisper"]["peak_mb"]
            cpu = r["fgdprep"]["cpu_s"] / r["faster-whisper"]["cpu_s"]
            print(
                f"  time ratio fgdprep / faster-whisper: {ratio:.3f} (cpu {cpu:.3f});"
                f" memory ratio {mem:.2f}; load average {os.getloadavg()[0]:.1f}"
            )


if __name__ == "__main__":
    main()
