#!/usr/bin/env python3
"""Generate the synthetic focus-group sample recording used by tests and the demo.

Writes, under ``sample_audio/`` (next to this repo's ``scripts/`` folder):

* ``fgd_sample.flac``         -- ~90 s, 16 kHz, mono, 16-bit FLAC
* ``fgd_sample.script.json``  -- ground truth: who said what, when (seconds)
* ``roster.csv``              -- the (invented) speakers

Requirements: ``espeak-ng`` and ``sox`` on PATH (``apt-get install espeak-ng sox
libsox-fmt-all``).  Only the Python standard library is used otherwise.

The output is deterministic: espeak-ng and sox (run with ``-D``, no dither) give
the same samples for the same input, and the utterance timings are computed
from the sample counts of the generated segments, so re-running writes the same
script JSON.  Everything is synthetic; all names are invented.

Usage::

    python scripts/make_sample_audio.py [--out-dir sample_audio] [--keep-wav]
"""

from __future__ import annotations

import argparse
import array
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

SAMPLE_RATE = 16000
LEAD_IN = 0.50  # seconds of silence before the first utterance
TAIL = 0.80  # seconds of silence after the last utterance

# code -> (name, aliases, role, gender, espeak-ng voice, speed in wpm)
SPEAKERS: dict[str, dict] = {
    "MOD": {
        "name": "Grace Achieng",
        "aliases": ["Grace", "Madam Grace"],
        "role": "moderator",
        "gender": "f",
        "voice": "en-gb+f3",
        "speed": 150,
    },
    "P01": {
        "name": "Joseph Okello",
        "aliases": ["Joseph", "Joe"],
        "role": "participant",
        "gender": "m",
        "voice": "en-us+m3",
        "speed": 155,
    },
    "P02": {
        "name": "Aisha Nakato",
        "aliases": ["Aisha"],
        "role": "participant",
        "gender": "f",
        "voice": "en-us+f5",
        "speed": 150,
    },
    "P03": {
        "name": "Peter Wanyama",
        "aliases": ["Peter", "Pete"],
        "role": "participant",
        "gender": "m",
        "voice": "en-029+m7",
        "speed": 150,
    },
}

# (speaker, silence gap before this utterance in s, text, key_words)
#
# key_words: 2-3 lowercase plain words that tiny.en reliably recognises in
# this recording (checked by scripts/check_sample_audio.py).
#
# Utterances deliberately start and end with words of two or more syllables:
# faster-whisper's word timestamps let a short first/last word soak up the
# neighbouring silence (e.g. "you?" ending 0.6 s late), and its clamping
# heuristic bounds that error by ~2x the median word length, which a long
# boundary word mostly fills.
UTTERANCES: list[tuple[str, float, str, list[str]]] = [
    (
        "MOD",
        0.0,
        "Welcome, everyone, and thank you for coming to our group discussion at Butabika Hospital.",
        ["group", "discussion", "hospital"],
    ),
    (
        "P01",
        0.6,
        "Hello, Grace. My name is Joseph. I have been a peer support worker for two years.",
        ["name", "worker", "years"],
    ),
    (
        "P02",
        0.5,
        "Myself, I am Aisha. I came from Mbale for treatment, and now I volunteer here.",
        ["myself", "treatment"],
    ),
    (
        "P03",
        0.8,
        "My name is Peter, but everyone calls me Pete. I come to the clinic every month.",
        ["clinic", "month"],
    ),
    ("MOD", 1.5, "Wonderful. Please describe a good day at the hospital.", ["describe", "good"]),
    (
        "P01",
        0.5,
        "A good day is when a patient takes the medicine and talks to the family.",
        ["patient", "family"],
    ),
    (
        "P02",
        0.7,
        "For me, it is when a mother smiles again. Joe, do you remember the woman from Jinja?",
        ["mother", "remember", "woman"],
    ),
    (
        "P01",
        0.4,
        "Yes. She was afraid of the hospital, but she stayed for the whole meeting.",
        ["stayed", "meeting"],
    ),
    ("MOD", 1.0, "What are the biggest problems for peer supporters?", ["biggest", "problems"]),
    (
        "P03",
        1.2,
        "Transport is the main problem. The taxi is very expensive.",
        ["transport", "problem"],
    ),
    (
        "P02",
        0.4,
        "Another problem is the phone. Patients call me at night, but I have no airtime.",
        ["phone", "night"],
    ),
    ("MOD", 0.9, "Is there a telephone number for emergencies?", ["number", "emergencies"]),
    (
        "P01",
        0.6,
        "The ward line is zero seven seven two, one two three, four five six,"
        " but nobody answers on Sunday.",
        ["nobody", "sunday"],
    ),
    (
        "P03",
        0.5,
        "Aisha is right about money. Many families cannot pay for food and medicine.",
        ["money", "food"],
    ),
    ("MOD", 1.4, "Finally, what training would be most helpful?", ["training", "helpful"]),
    (
        "P02",
        0.5,
        "Counselling skills, and how to stay calm when a patient becomes violent.",
        ["calm", "violent"],
    ),
    (
        "P03",
        0.8,
        "We need training about sleep problems and stress management.",
        ["training", "sleep"],
    ),
    (
        "MOD",
        0.6,
        "Thank you all very much. We will meet again next month.",
        ["thank", "meet", "again"],
    ),
]


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _read_pcm(path: Path) -> array.array:
    with wave.open(str(path), "rb") as w:
        if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, SAMPLE_RATE):
            raise RuntimeError(f"unexpected WAV format in {path}")
        data = array.array("h")
        data.frombytes(w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data


def synth_segment(text: str, voice: str, speed: int, workdir: Path, idx: int) -> array.array:
    """espeak-ng -> 16 kHz mono 16-bit, leading/trailing silence trimmed, normalised."""
    raw = workdir / f"seg{idx:02d}_raw.wav"
    seg = workdir / f"seg{idx:02d}.wav"
    _run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text])
    _run(
        [
            "sox",
            "-D",
            str(raw),
            "-r",
            str(SAMPLE_RATE),
            "-c",
            "1",
            "-b",
            "16",
            str(seg),
            # trim silence at both ends so the segment bounds are the speech bounds
            "norm",
            "-3",
            "silence",
            "1",
            "0.01",
            "0.2%",
            "reverse",
            "silence",
            "1",
            "0.01",
            "0.2%",
            "reverse",
        ]
    )
    return _read_pcm(seg)


def build(out_dir: Path, keep_wav: bool = False) -> dict:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"error: '{tool}' not found on PATH (apt-get install espeak-ng sox)")
    out_dir.mkdir(parents=True, exist_ok=True)

    audio = array.array("h")
    utterances = []
    with tempfile.TemporaryDirectory(prefix="fgd_sample_") as tmp:
        workdir = Path(tmp)
        audio.extend([0] * round(LEAD_IN * SAMPLE_RATE))
        for i, (code, gap, text, key_words) in enumerate(UTTERANCES):
            spk = SPEAKERS[code]
            audio.extend([0] * round(gap * SAMPLE_RATE))
            start_n = len(audio)
            audio.extend(synth_segment(text, spk["voice"], spk["speed"], workdir, i))
            end_n = len(audio)
            utterances.append(
                {
                    "speaker": code,
                    "start": round(start_n / SAMPLE_RATE, 3),
                    "end": round(end_n / SAMPLE_RATE, 3),
                    "text": text,
                    "key_words": key_words,
                }
            )
        audio.extend([0] * round(TAIL * SAMPLE_RATE))

        wav_path = workdir / "fgd_sample.wav"
        pcm = array.array("h", audio)
        if sys.byteorder == "big":
            pcm.byteswap()
        with wave.open(str(wav_path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(pcm.tobytes())
        flac_path = out_dir / "fgd_sample.flac"
        _run(["sox", "-D", str(wav_path), "-C", "8", str(flac_path)])
        if keep_wav:
            shutil.copyfile(wav_path, out_dir / "fgd_sample.wav")

    script = {
        "audio": "fgd_sample.flac",
        "duration": round(len(audio) / SAMPLE_RATE, 3),
        "sample_rate": SAMPLE_RATE,
        "speakers": list(SPEAKERS),
        "voices": {code: spk["voice"] for code, spk in SPEAKERS.items()},
        "utterances": utterances,
    }
    (out_dir / "fgd_sample.script.json").write_text(
        json.dumps(script, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    with open(out_dir / "roster.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name", "aliases", "role", "gender"])
        for code, spk in SPEAKERS.items():
            writer.writerow(
                [code, spk["name"], ";".join(spk["aliases"]), spk["role"], spk["gender"]]
            )
    return script


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=repo / "sample_audio")
    ap.add_argument("--keep-wav", action="store_true", help="also keep the uncompressed WAV")
    args = ap.parse_args(argv)
    script = build(args.out_dir, keep_wav=args.keep_wav)
    print(
        f"wrote {args.out_dir}/fgd_sample.flac ({script['duration']:.2f} s, "
        f"{len(script['utterances'])} utterances), fgd_sample.script.json, roster.csv"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
