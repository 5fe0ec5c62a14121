"""Shared fixtures: real synthetic speech (espeak-ng), fresh studies, study snapshots."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# urllib3 (pulled in by spaCy/Presidio) probes for IPv6 with a socket at import time; import it
# before pytest-socket blocks sockets, so the probe is not reported as a network access.
import urllib3  # noqa: F401
from click.testing import CliRunner, Result

from fgdprep.cli import cli
from fgdprep.stages.ingest import read_manifest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_audio"
UPSIDES = REPO / "configs" / "upsides.yaml"


@pytest.fixture(scope="session", autouse=True)
def _offline_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Our cache (assembled models) in a temp folder; the hub is never asked."""
    old = {k: os.environ.get(k) for k in ("FGDPREP_CACHE", "HF_HUB_OFFLINE")}
    os.environ["FGDPREP_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def speak(path: Path, parts: list[tuple[str, str]], gap: float = 0.6) -> Path:
    """Synthesise utterances (voice, text) with espeak-ng, joined by silence, as 16 kHz FLAC."""
    work = path.parent / (path.stem + "-parts")
    work.mkdir(exist_ok=True)
    pieces = []
    for i, (voice, text) in enumerate(parts):
        wav = work / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "155", "-w", str(wav), text], check=True)
        pieces.append(str(wav))
        if i < len(parts) - 1:
            pad = work / f"{i}-gap.wav"
            subprocess.run(
                ["sox", "-n", "-r", "22050", "-c", "1", str(pad), "trim", "0", str(gap)],
                check=True,
            )
            pieces.append(str(pad))
    subprocess.run(["sox", *pieces, "-r", "16000", "-c", "1", "-b", "16", str(path)], check=True)
    shutil.rmtree(work)
    return path


@pytest.fixture(scope="session")
def short_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few seconds of real (synthetic) English speech."""
    return speak(
        tmp_path_factory.mktemp("speech") / "short.flac",
        [
            ("en-us+m3", "Welcome everyone to our group discussion about peer support."),
            ("en-gb+f3", "The group helped my family and I take my medicine every day."),
        ],
    )


def run(args: list[str], study: Path | None = None, **kwargs: Any) -> Result:
    env = {"FGDPREP_STUDY": str(study)} if study is not None else {}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False, **kwargs)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A fresh study made with the six-site example config."""
    root = tmp_path / "study"
    result = run(["init", str(root), "--config", str(UPSIDES)])
    assert result.exit_code == 0, result.output
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (but the lock file) with its checksum."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "lock"
    }


@pytest.fixture
def unchanged() -> Callable[[Path], Any]:
    """``with unchanged(study): ...`` asserts the study's files are the same afterwards."""
    from contextlib import contextmanager

    @contextmanager
    def check(root: Path) -> Iterator[None]:
        before = snapshot(root)
        yield
        assert snapshot(root) == before

    return check


def write_docx(path: Path, *paragraphs: str) -> Path:
    """A real .docx (python-docx) with one paragraph per argument."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def script() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLE / "fgd_sample.script.json").read_text())
    return data


def encode(src: Path, dest: Path, codec: str, channels: int = 1, rate: int = 16000) -> Path:
    """Re-encode ``src`` with PyAV (aac, libmp3lame, libopus, flac, pcm_s16le...)."""
    import av

    layout = "stereo" if channels == 2 else "mono"
    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        stream = out.add_stream(codec, rate=48000 if codec == "libopus" else rate, layout=layout)
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout=layout, rate=stream.rate
        )
        for frame in inp.decode(audio=0):
            frame.pts = None
            for f in resampler.resample(frame):
                for packet in stream.encode(f):
                    out.mux(packet)
        for f in resampler.resample(None):
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return dest


#: Where the sample goes in a study made with the demo config: session BU-pre, English
#: (sample_audio/manifest.csv, the one place that says so).
SAMPLE_REQUEST = read_manifest(SAMPLE / "manifest.csv")[0]
SAMPLE_INGEST = SAMPLE_REQUEST.options()


def sample_study(root: Path, audio: Path = SAMPLE / "fgd_sample.flac") -> Path:
    """A study made with the demo config holding ``audio`` as session BU-pre (English)."""
    assert run(["init", str(root), "--config", str(SAMPLE / "demo.yaml")]).exit_code == 0
    args = ["ingest", str(audio), *SAMPLE_INGEST]
    result = run(args, root)
    assert result.exit_code == 0, result.output
    return root
