"""The codebook cannot be lost, weakened or rebuilt: every refusal with exit code, exact
message and an unchanged study; key-derivation cost and file versions; identifiable output
kept out of shareable/; dismissing leak-check hits; rejections that stay where they belong.

One study: a session saved through the store (no Whisper), pseudonymised with the real
Presidio engine.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fgdprep.cli import cli
from fgdprep.codebook import (
    MAGIC_V1,
    SCRYPT_LOG2_N,
    Codebook,
    CodebookError,
    decrypt,
    encrypt,
)
from fgdprep.model import Provenance, Session, Stage, Transcript, Turn
from fgdprep.store import Study, verify_audit_chain

PASS = "correct horse battery staple"
CONFIG = """\
study:
  name: Codebook safety
sites:
  - code: BU
    name: Butabika
    country: UG
    language: sw
    places: [Mbale, Jinja]
    transcription: {model: none}
"""
ROSTER = """\
code,name,aliases,role
MOD,Grace Atim,,moderator
P01,Peter Wanyama,,participant
P02,Imani Kato,,participant
"""
TURNS = (
    ("MOD", "Karibuni wote."),
    ("P01", "Asante Grace. Mimi ni Peter, natoka Mbale."),
    ("P02", "asante grace, karibu. Nina matumaini kwamba itasaidia."),
    ("MOD", "Asante Imani."),
)
RESTORE = "identifiable/codebook.enc is missing, but this study was already pseudonymised with it"


def run(
    args: list[str], env: dict[str, str | None] | None = None, input: str | None = None
) -> Result:
    full: dict[str, str | None] = {"FGDPREP_PASSPHRASE": PASS, **(env or {})}
    return CliRunner().invoke(cli, args, env=full, input=input, catch_exceptions=False)


def make_study(root: Path, config_text: str = CONFIG) -> Study:
    config = root.parent / f"{root.name}.yaml"
    config.write_text(config_text, encoding="utf-8")
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    study = Study.open(root)
    session = Session("BU-pre", "BU", "pre", "2026-01-10", "sw")
    turns = tuple(
        Turn(start=2.0 * i, end=2.0 * i + 1.5, text=text, speaker=code)
        for i, (code, text) in enumerate(TURNS)
    )
    transcript = Transcript(
        "BU-pre", "sw", turns, Provenance(stage="transcribed", tool_version="t")
    )
    with study.lock():
        study.write_text(study.roster_path("BU"), ROSTER)
        study.save_session(session)
        study.save_transcript(transcript, Stage.TRANSCRIBED)
    return study


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("safety") / "study"
    make_study(root)
    result = run(["--study", str(root), "pseudonymise", "BU-pre", "-q"])
    assert result.exit_code == 0, result.output
    yield root


def shareable_texts(root: Path) -> list[str]:
    doc = json.loads((root / "shareable/sessions/BU-pre/deidentified.json").read_text())
    return [t["text"] for t in doc["transcript"]["turns"]]


def test_lost_codebook_stops_every_command(
    study_dir: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    book = study_dir / "identifiable" / "codebook.enc"
    saved = tmp_path / "codebook.enc"
    backup = run(["--study", str(study_dir), "codebook", "backup", "-o", str(saved)])
    assert backup.exit_code == 0, backup.output
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    book.unlink()
    notes = tmp_path / "notes.txt"
    notes.write_text("Peter alikuja.\n", encoding="utf-8")
    try:
        for args in (
            ["pseudonymise", "BU-pre"],
            ["deidentify", str(notes), "--site", "BU"],
            ["leakcheck"],
            ["review", "BU-pre", "--add", "Halima", "--as", "PERSON"],
        ):
            with unchanged(study_dir):
                result = run(["--study", str(study_dir), *args], env={"FGDPREP_PASSPHRASE": None})
            assert result.exit_code == 1, (args, result.output)
            last = [
                e
                for e in json.loads(
                    "[" + ",".join((study_dir / "logs/audit.jsonl").read_text().splitlines()) + "]"
                )
                if e["command"] == "codebook backup"
            ][-1]
            assert result.output == (
                f"Error: {RESTORE} (1 session(s) or log entries); restore it from your backup"
                f" (the last backup recorded in the audit log is {saved.resolve()} (codebook"
                f" backup, {last['time']})) and copy it back to identifiable/codebook.enc;"
                " nothing was changed (fgdprep never starts a new codebook for a study that had"
                " one)\n"
            )
            assert not (tmp_path / "notes.deid.txt").exists()
    finally:
        shutil.copy2(saved, book)
    assert run(["--study", str(study_dir), "pseudonymise", "BU-pre", "-q"]).exit_code == 0


def test_new_codebook_says_it_cannot_be_recovered_and_wants_12_characters(
    tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    study = make_study(tmp_path / "new")
    root = study.root
    with unchanged(root):
        short = run(
            ["--study", str(root), "pseudonymise", "BU-pre"],
            env={"FGDPREP_PASSPHRASE": "short pass"},
        )
    assert short.exit_code == 1
    assert short.output == (
        "Error: the codebook passphrase must have at least 12 characters (it cannot be"
        " recovered, so make it long rather than clever); nothing was changed\n"
    )
    prompted = CliRunner().invoke(
        cli,
        ["--study", str(root), "pseudonymise", "BU-pre", "-q"],
        env={"FGDPREP_PASSPHRASE": None},
        input=f"{PASS}\n{PASS}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    notice = prompted.output.index("A new codebook is being made: its passphrase (at least 12")
    assert "cannot be recovered" in prompted.output
    assert "'fgdprep codebook backup -o DIR/codebook.enc'" in prompted.output
    assert notice < prompted.output.index("Codebook passphrase:")
    assert "Repeat for confirmation" in prompted.output
    blob = (root / "identifiable" / "codebook.enc").read_bytes()
    assert blob[len(b"FGDPREP-CODEBOOK-2\n")] == SCRYPT_LOG2_N == 17


def test_damaged_header_wrong_passphrase_and_capped_cost(study_dir: Path) -> None:
    blob = (study_dir / "identifiable" / "codebook.enc").read_bytes()
    with pytest.raises(CodebookError) as wrong:
        decrypt(blob, "not the passphrase", "cb.enc")
    assert wrong.value.message.startswith("wrong passphrase for the codebook cb.enc")
    salt_byte = len(b"FGDPREP-CODEBOOK-2\n") + 3
    damaged = blob[:salt_byte] + bytes([blob[salt_byte] ^ 1]) + blob[salt_byte + 1 :]
    with pytest.raises(CodebookError) as bad:
        decrypt(damaged, PASS, "cb.enc")
    assert bad.value.message == (
        "cb.enc is damaged (its header does not match its checksum); restore it from your backup"
    )
    # an N of 2^22 named by a (v1, unchecked) header is refused at once, not derived
    hostile = MAGIC_V1 + bytes([22]) + bytes(32) + bytes(40)
    began = time.process_time()
    with pytest.raises(CodebookError) as costly:
        decrypt(hostile, PASS, "cb.enc")
    assert time.process_time() - began < 0.5
    assert costly.value.message == (
        "cb.enc is damaged (bad key parameters: N = 2^22); restore it from your backup"
    )


def test_damaged_codebook_refused_naming_the_backup(
    study_dir: Path, unchanged: Callable[[Path], Any]
) -> None:
    book = study_dir / "identifiable" / "codebook.enc"
    good = book.read_bytes()
    book.write_bytes(good[:25] + bytes([good[25] ^ 1]) + good[26:])
    try:
        for args in (["pseudonymise", "BU-pre"], ["leakcheck"]):
            with unchanged(study_dir):
                result = run(["--study", str(study_dir), *args])
            assert result.exit_code == 1
            assert result.output.startswith(
                "Error: identifiable/codebook.enc is damaged (its header does not match its"
                " checksum); restore it from your backup (the last backup recorded in the audit"
                " log is "
            )
    finally:
        book.write_bytes(good)


def test_old_codebook_opens_and_rekey_upgrades(tmp_path: Path) -> None:
    study = make_study(tmp_path / "old")
    book = Codebook()
    book.new_entry("PERSON", "Halima Said", "notes", "cues")
    # a version 1 file as fgdprep wrote it before: N = 2^15, no header digest, short passphrase
    import hashlib
    import hmac
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt, nonce = os.urandom(16), os.urandom(12)
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(b"old")
    check = hmac.new(key, b"fgdprep codebook key check", hashlib.sha256).digest()[:16]
    header = MAGIC_V1 + bytes([15]) + salt + check
    old = header + nonce + AESGCM(key).encrypt(nonce, book.to_json(), header)
    path = study.root / "identifiable" / "codebook.enc"
    path.write_bytes(old)
    opened = run(["--study", str(study.root), "leakcheck"], env={"FGDPREP_PASSPHRASE": "old"})
    assert opened.exit_code == 0, opened.output
    short = run(
        ["--study", str(study.root), "codebook", "rekey"],
        env={"FGDPREP_PASSPHRASE": "old", "FGDPREP_NEW_PASSPHRASE": "still short"},
    )
    assert short.exit_code == 1 and path.read_bytes() == old
    assert "at least 12 characters" in short.output
    rekey = run(
        ["--study", str(study.root), "codebook", "rekey"],
        env={"FGDPREP_PASSPHRASE": "old", "FGDPREP_NEW_PASSPHRASE": PASS},
    )
    assert rekey.exit_code == 0, rekey.output
    new = path.read_bytes()
    assert new.startswith(b"FGDPREP-CODEBOOK-2\n") and new[19] == 17
    assert json.loads(decrypt(new, PASS, "cb"))["entries"][0]["value"] == "Halima Said"
    assert encrypt(b"{}", PASS)[19] == 17


def test_identifiable_output_refused_in_shareable(
    study_dir: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Peter alikuja.\n", encoding="utf-8")
    spans = study_dir / "shareable" / "spans.json"
    out = tmp_path / "notes.out.txt"
    with unchanged(study_dir):
        result = run(
            [
                "--study",
                str(study_dir),
                "deidentify",
                str(notes),
                "--site",
                "BU",
                "-o",
                str(out),
                "--spans",
                str(spans),
            ]
        )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {spans}: the spans file (real names) may never go into the shareable area;"
        " nothing was changed\n"
    )
    assert not out.exists()
    with unchanged(study_dir):
        backup = run(
            ["--study", str(study_dir), "codebook", "backup", "-o", str(study_dir / "shareable")]
        )
    assert backup.exit_code == 1
    outside = tmp_path / "spans.json"
    made = run(
        [
            *("--study", str(study_dir), "deidentify", str(notes), "--site", "BU"),
            *("-o", str(out), "--spans", str(outside)),
        ]
    )
    assert made.exit_code == 0, made.output
    assert oct(outside.stat().st_mode & 0o777) == "0o600"
    log = (study_dir / "logs" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(log[-1])["destination"] == str(outside.resolve())
    assert backup.output == (
        f"Error: {study_dir / 'shareable' / 'codebook.enc'}: the codebook may never go into the"
        " shareable area; nothing was changed\n"
    )


def test_dismissing_a_leak_hit(study_dir: Path, unchanged: Callable[[Path], Any]) -> None:
    planted = study_dir / "shareable" / "exports" / "BU-pre.txt"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text("[P01] alisema Peter ni rafiki.\n", encoding="utf-8")
    try:
        check = run(["--study", str(study_dir), "leakcheck"])
        assert check.exit_code == 1
        line = next(x for x in check.output.splitlines() if x.startswith("shareable/exports"))
        assert line.endswith("…[P01] alisema «[P01]» ni rafiki…")
        hit = re.search(r" \[([0-9a-f]{10})\] ", line)
        assert hit is not None
        with unchanged(study_dir):
            other = run(["--study", str(study_dir), "review", "BU-post", "--dismiss-leak", hit[1]])
        assert other.exit_code == 1
        with unchanged(study_dir):
            unknown = run(
                ["--study", str(study_dir), "review", "BU-pre", "--dismiss-leak", "0123456789"]
            )
        assert unknown.exit_code == 1
        assert unknown.output == (
            "Error: 0123456789: no such leak-check hit in the shareable files of BU-pre; run"
            " 'fgdprep leakcheck' for the current hits and their files; nothing was changed\n"
        )
        with unchanged(study_dir):
            asked = run(
                ["--study", str(study_dir), "review", "BU-pre", "--dismiss-leak", hit[1]],
                input="n\n",
            )
        assert asked.exit_code == 1
        assert (
            "1 of these hit(s) are, letter for letter, a roster or codebook name." in asked.output
        )
        done = run(
            ["--study", str(study_dir), "review", "BU-pre", "--dismiss-leak", hit[1], "--yes"]
        )
        assert done.exit_code == 0, done.output
        assert run(["--study", str(study_dir), "leakcheck"]).exit_code == 0
    finally:
        planted.unlink()
    assert verify_audit_chain(study_dir / "logs" / "audit.jsonl") is None


def test_rejecting_a_word_keeps_the_roster_name_elsewhere(study_dir: Path) -> None:
    listing = run(["--study", str(study_dir), "review", "BU-pre"])
    assert listing.exit_code == 0, listing.output
    row = next(x for x in listing.output.splitlines() if "«grace»" in x)
    sid = row.split()[0]
    rejected = run(["--study", str(study_dir), "review", "BU-pre", "--reject", sid])
    assert rejected.exit_code == 0, rejected.output
    assert run(["--study", str(study_dir), "pseudonymise", "BU-pre", "-q"]).exit_code == 0
    texts = shareable_texts(study_dir)
    # that occurrence is left as it is; the moderator's name written as such is still replaced
    assert texts[1] == "Asante [MOD]. Mimi ni [P01], natoka [Place 1]."
    assert texts[2] == "asante grace, karibu. Nina matumaini kwamba itasaidia."
    audit = [json.loads(x) for x in (study_dir / "logs/audit.jsonl").read_text().splitlines()]
    assert any(e["command"] == "review list" and e["session"] == "BU-pre" for e in audit)
