"""Time finalise's numbering and every export format on a long synthetic FGD.

1,500 turns of 45-2,600 characters (1 in 20 longer than max_paragraph_chars, so split),
about 8 hours of speech at 15 characters a second (four long FGDs in one), the text
cycling through Kiswahili, Hebrew, Marathi and English sentences. Prints units made and,
per format, bytes written, wall and CPU seconds
(process time: user + sys) and the load average, since the machine may be shared.

    python bench/export.py [--turns N]
"""

from __future__ import annotations

import argparse
import os
import random
import time

from fgdprep.config import ConventionsConfig, NumberingConfig
from fgdprep.formats.export import FORMATS, ExportDoc, ExportOptions
from fgdprep.model import Provenance, Transcript, Turn
from fgdprep.stages.finalise import number

SENTENCES = [
    "Dawa zinasaidia sana, lakini usafiri ni ghali.",
    "אני מגיעה למרפאה כל חודש, והצוות עוזר לי.",
    "मी दर महिन्याला दवाखान्यात येते आणि गट मदत करतो।",
    "[P03] said the group helped her family take the medicine every day.",
]


def transcript(turns: int, seed: int = 7) -> Transcript:
    rng = random.Random(seed)
    out, t = [], 0.0
    for i in range(turns):
        n = rng.choice([1, 2, 3, 5, 8]) if rng.random() > 0.05 else rng.randint(25, 50)
        text = " ".join(rng.choice(SENTENCES) for _ in range(n))
        start = t + rng.uniform(-0.5, 4.0)
        end = start + max(1.0, len(text) / 15)
        out.append(Turn(max(start, 0.0), end, text, f"P{rng.randint(1, 8):02d}", id=f"t{i}"))
        t = end
    return Transcript("BENCH", "sw", tuple(out), Provenance("deidentified", "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=1500)
    args = parser.parse_args()
    tr = transcript(args.turns)
    c0, w0 = time.process_time(), time.perf_counter()
    units = number(tr, NumberingConfig(), ConventionsConfig())
    print(
        f"numbering: {len(tr.turns)} turns ({tr.duration / 3600:.2f} h) -> {len(units)} units;"
        f" {time.perf_counter() - w0:.2f} s wall, {time.process_time() - c0:.2f} s CPU"
    )
    doc = ExportDoc("BENCH", "DS", "pre", "2019-12-10", "sw", "DS", "source", "turn", "", (), units)
    for name, cls in FORMATS.items():
        c0, w0 = time.process_time(), time.perf_counter()
        exporter = cls(ExportOptions("f4"))
        data = exporter.write([doc])
        read = exporter.read(data)
        assert len(read) == len(units), name
        print(
            f"{name:<12} {len(data) / 1e6:6.2f} MB  write+read {time.perf_counter() - w0:5.2f} s"
            f" wall, {time.process_time() - c0:5.2f} s CPU"
        )
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
