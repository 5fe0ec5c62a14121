"""Ingest: real files in every format users record, and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import encode, run
from fgdprep.model import Session, loads
from fgdprep.store import sha256_file

INGEST = ["--session", "BU-pre", "--site", "BU", "--wave", "pre", "--date", "2024-01-02"]


def ingest(study: Path, audio: Path, *extra: str) -> Any:
    return run(["ingest", str(audio), *INGEST, "--language", "en", *extra], study)


def ingest_post(study: Path, audio: Path, *extra: str) -> Any:
    """The same site's post-intervention session."""
    args = ["--session", "BU-post", "--site", "BU", "--wave", "post", "--date", "2024-06-02"]
    return run(["ingest", str(audio), *args, *extra], study)


@pytest.mark.parametrize(
    ("name", "codec", "channels"),
    [
        ("fgd.wav", "pcm_s16le", 1),
        ("fgd.mp3", "libmp3lame", 1),
        ("fgd.m4a", "aac", 2),
        ("fgd.ogg", "libopus", 1),
        ("fgd.flac", "flac", 2),
        ("fgd.mp4", "aac", 1),
    ],
)
def test_ingest_formats(
    study: Path, short_speech: Path, tmp_path: Path, name: str, codec: str, channels: int
) -> None:
    audio = encode(short_speech, tmp_path / name, codec, channels)
    result = ingest(study, audio)
    assert result.exit_code == 0, result.output
    session = loads(
        "session", Session, (study / "identifiable/sessions/BU-pre/session.json").read_text()
    )
    assert session.audio is not None
    assert session.audio.channels == channels
    true = float(
        subprocess.run(
            ["soxi", "-D", str(short_speech)], capture_output=True, text=True, check=True
        ).stdout
    )
    assert session.audio.duration == pytest.approx(true, abs=0.08)
    copy = study / "identifiable/recordings/BU-pre" / session.audio.filename
    assert sha256_file(copy) == sha256_file(audio) == session.audio.sha256
    assert session.language == "en" and session.citation_prefix == "BU"


def test_ingest_roster_copied_and_merged(study: Path, short_speech: Path, tmp_path: Path) -> None:
    pre = tmp_path / "pre.csv"
    pre.write_text(
        "code,name,aliases,role,gender\nMOD,Sarah Nambi,,moderator,f\n"
        "P01,Grace Achieng,Gracie;Mama Grace,participant,f\nP02,John Okello,,participant,m\n"
    )
    assert ingest(study, short_speech, "--roster", str(pre)).exit_code == 0
    post = tmp_path / "post.csv"
    post.write_text(
        "code,name,aliases,role,gender\nMOD,Sarah Nambi,,moderator,f\n"
        "P01,grace achieng,Akello,participant,f\nP03,Peter Mugisha,,participant,m\n"
    )
    other = encode(short_speech, tmp_path / "post.m4a", "aac")
    result = ingest_post(study, other, "--language", "en", "--roster", str(post))
    assert result.exit_code == 0, result.output
    site = (study / "identifiable/rosters/BU.csv").read_text().splitlines()
    assert site[0] == "code,name,aliases,role,gender"
    assert [line.split(",")[0] for line in site[1:]] == ["MOD", "P01", "P02", "P03"]
    assert "Gracie;Mama Grace;Akello" in site[2]
    session = json.loads((study / "identifiable/sessions/BU-post/session.json").read_text())
    assert session["session"]["attendance"] == ["MOD", "P01", "P03"]
    audit = (study / "logs/audit.jsonl").read_text()
    for secret in ("Grace", "Nambi", "Okello", "Akello"):
        assert secret not in audit


def test_mode_and_prefix(study: Path, short_speech: Path) -> None:
    result = ingest(study, short_speech, "--mode", "online", "--prefix", "BU1")
    assert result.exit_code == 0, result.output
    data = json.loads((study / "identifiable/sessions/BU-pre/session.json").read_text())
    assert data["session"]["mode"] == "online"
    assert data["session"]["citation_prefix"] == "BU1"


def _truncated_wav(src: Path, tmp: Path) -> Path:
    wav = encode(src, tmp / "full.wav", "pcm_s16le")
    data = wav.read_bytes()
    out = tmp / "cut.wav"
    out.write_bytes(data[: len(data) // 2])
    return out


def _truncated_flac(src: Path, tmp: Path) -> Path:
    data = src.read_bytes()
    out = tmp / "cut.flac"
    out.write_bytes(data[: len(data) // 2])
    return out


def _sox(tmp: Path, name: str, seconds: str) -> Path:
    out = tmp / name
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(out), "trim", "0", seconds], check=True
    )
    return out


def _text(tmp: Path, name: str, content: str) -> Path:
    out = tmp / name
    out.write_text(content)
    return out


BAD_AUDIO: list[tuple[str, Callable[[Path, Path], Path], str]] = [
    ("missing", lambda s, t: t / "nowhere.m4a", "nowhere.m4a: file not found"),
    (
        "not audio",
        lambda s, t: _text(t, "notes.m4a", "minutes of the meeting\n" * 30),
        "notes.m4a: not an audio or video file that can be decoded",
    ),
    (
        "empty file",
        lambda s, t: _text(t, "empty.mp3", ""),
        "empty.mp3: not an audio or video file that can be decoded",
    ),
    ("truncated wav", _truncated_wav, "cut.wav: the recording looks truncated: its header says"),
    ("truncated flac", _truncated_flac, "cut.flac: the recording is damaged after"),
    ("zero length", lambda s, t: _sox(t, "zero.wav", "0"), "zero.wav: holds no audio (0.0 s)"),
    (
        "all silence",
        lambda s, t: _sox(t, "quiet.wav", "8"),
        "quiet.wav: the recording is silent (peak below -60 dBFS)",
    ),
]


@pytest.mark.parametrize(("case", "make", "message"), BAD_AUDIO, ids=[b[0] for b in BAD_AUDIO])
def test_bad_audio(
    study: Path,
    short_speech: Path,
    tmp_path: Path,
    unchanged: Any,
    case: str,
    make: Callable[[Path, Path], Path],
    message: str,
) -> None:
    audio = make(short_speech, tmp_path)
    with unchanged(study):
        result = ingest(study, audio)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_duplicate_session(study: Path, short_speech: Path, tmp_path: Path, unchanged: Any) -> None:
    assert ingest(study, short_speech).exit_code == 0
    other = encode(short_speech, tmp_path / "other.m4a", "aac")
    with unchanged(study):
        result = ingest(study, other)
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: session BU-pre already exists; choose another id (nothing was changed)\n"
    )


def test_same_recording_twice(study: Path, short_speech: Path, unchanged: Any) -> None:
    assert ingest(study, short_speech).exit_code == 0
    with unchanged(study):
        result = ingest_post(study, short_speech)
    assert result.exit_code == 1
    assert result.output == "Error: short.flac is already the recording of session BU-pre\n"


def test_bad_options_all_listed(study: Path, short_speech: Path, unchanged: Any) -> None:
    args = [
        "ingest",
        str(short_speech),
        "--session",
        "a b",
        "--site",
        "XX",
        "--wave",
        "mid",
        "--date",
        "10.12.2019",
    ]
    with unchanged(study):
        result = run(args, study)
    assert result.exit_code == 1
    assert "session id 'a b' must be" in result.output
    assert "unknown site 'XX'; sites in fgdprep.yaml: ULM, UKE, BU, DS, BGU, PU" in result.output
    assert "unknown wave 'mid'; waves in fgdprep.yaml: pre, post" in result.output
    assert "date '10.12.2019' must be YYYY-MM-DD" in result.output


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        ("code,name\nP01,Ann\nP01,Bea\n", "row 3: code P01 is also on row 2"),
        (
            "code,name,role\nP01,Ann,participant\nP02,Bea,boss\n",
            "row 3: role of P02 must be one of moderator, assistant, participant",
        ),
        ("code,name\np1,Ann\n", "row 2: code must be uppercase letters/digits"),
        ("code,name\nP01,\n", "row 2: name is empty for P01"),
        ("id,name\nP01,Ann\n", "missing column(s) code"),
        ("code,name,age\nP01,Ann,30\n", "unknown column(s) age"),
        ("code,name\n", "the roster has no people"),
    ],
)
def test_bad_roster(
    study: Path, short_speech: Path, tmp_path: Path, unchanged: Any, csv: str, message: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(csv)
    with unchanged(study):
        result = ingest(study, short_speech, "--roster", str(roster))
    assert result.exit_code == 1
    assert result.output.startswith("Error: roster roster.csv: ")
    assert message in result.output
    assert "Ann" not in result.output and "Bea" not in result.output


def test_roster_code_taken_by_other_person(
    study: Path, short_speech: Path, tmp_path: Path, unchanged: Any
) -> None:
    first = tmp_path / "a.csv"
    first.write_text("code,name\nP01,Ann Apio\n")
    assert ingest(study, short_speech, "--roster", str(first)).exit_code == 0
    second = tmp_path / "b.csv"
    second.write_text("code,name\nP01,Bea Birungi\n")
    other = encode(short_speech, tmp_path / "x.m4a", "aac")
    with unchanged(study):
        result = ingest_post(study, other, "--roster", str(second))
    assert result.exit_code == 1
    assert result.output == (
        "Error: roster b.csv: BU/P01 is 'Ann Apio' in the site roster but 'Bea Birungi' here."
        " The same person spelt another way: correct this file, or take this spelling with"
        " fgdprep roster fix BU P01 --name 'Bea Birungi' and ingest again. Another person:"
        " give them a new code\n"
    )
