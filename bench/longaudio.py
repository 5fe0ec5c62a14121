"""Long test recordings made of varied real and synthetic speech (for benches and slow tests).

Pieces: the sample FGD (four espeak-ng voices), the real LibriVox clips shipped in the
pocketsphinx sdist (fetched from PyPI once into .bench/), and espeak-ng paragraphs in other
voices, cycled with pauses until the wanted length. Deterministic for a given length.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".bench"

PARAGRAPHS = [
    (
        "en-us+m1",
        "When I first came to the group I did not talk to anyone. After some weeks the "
        "peer workers asked me to share my story, and that was the first time I felt understood.",
    ),
    (
        "en-gb+f2",
        "The hardest part is the stigma in the village. People think mental illness is a "
        "curse, so families hide their relatives instead of bringing them to the clinic.",
    ),
    (
        "en-029+m4",
        "We meet every Thursday after the market. Sometimes twenty people come, "
        "sometimes only five, but we always start with a song and a short prayer.",
    ),
    (
        "en-gb-scotland+f4",
        "Training helped me to listen without judging. Before, I used to give "
        "advice all the time, but now I ask questions and let the person decide.",
    ),
]


def _librivox() -> list[Path]:
    out = CACHE / "librivox"
    if not out.is_dir():
        CACHE.mkdir(exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                ":all:",
                "pocketsphinx==5.1.1",
                "-d",
                str(CACHE),
            ],
            check=True,
        )
        with tarfile.open(next(CACHE.glob("pocketsphinx-*.tar.gz"))) as tar:
            members = [
                m
                for m in tar.getmembers()
                if "/test/data/librivox/" in m.name and m.name.endswith(".wav")
            ]
            out.mkdir()
            for m in members:
                m.name = Path(m.name).name
                tar.extract(m, out, filter="data")
    return sorted(out.glob("*.wav"))


def _espeak(i: int, voice: str, text: str) -> Path:
    path = CACHE / f"para-{i}.wav"
    if not path.exists():
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
    return path


def _pause(seconds: float) -> Path:
    path = CACHE / f"pause-{seconds:.1f}.wav"
    if not path.exists():
        subprocess.run(
            ["sox", "-n", "-r", "16000", "-c", "1", str(path), "trim", "0", str(seconds)],
            check=True,
        )
    return path


def _normalised(path: Path) -> Path:
    """The piece as 16 kHz mono 16-bit WAV, so sox can join pieces from any source."""
    out = CACHE / f"norm-{path.stem}.wav"
    if not out.exists():
        subprocess.run(
            ["sox", str(path), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True
        )
    return out


def _seconds(path: Path) -> float:
    return float(
        subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout
    )


def long_recording(minutes: float) -> Path:
    """A 16 kHz mono FLAC of at least ``minutes`` of varied speech (cached in .bench/)."""
    CACHE.mkdir(exist_ok=True)
    target = CACHE / f"long-{minutes:g}min.flac"
    if target.exists():
        return target
    pieces = [REPO / "sample_audio" / "fgd_sample.flac", *_librivox()]
    pieces += [_espeak(i, v, t) for i, (v, t) in enumerate(PARAGRAPHS)]
    pieces = [_normalised(p) for p in pieces]
    lengths = {p: _seconds(p) for p in pieces}
    cycle: list[Path] = []
    total, i = 0.0, 0
    while total < minutes * 60:
        piece = pieces[i % len(pieces)]
        pause = _pause(0.8 + (i % 4) * 0.3)
        cycle += [piece, pause]
        total += lengths[piece] + _seconds(pause)
        i += 1
    # Concatenate in chunks (sox has an argument limit), then join the chunks.
    chunks = []
    for n in range(0, len(cycle), 200):
        chunk = CACHE / f".chunk-{n}.wav"
        subprocess.run(
            [
                "sox",
                *map(str, cycle[n : n + 200]),
                "-r",
                "16000",
                "-c",
                "1",
                "-b",
                "16",
                str(chunk),
            ],
            check=True,
        )
        chunks.append(chunk)
    subprocess.run(["sox", *map(str, chunks), str(target)], check=True)
    for chunk in chunks:
        chunk.unlink()
    return target


if __name__ == "__main__":
    print(long_recording(float(sys.argv[1]) if len(sys.argv) > 1 else 20))
