"""``fgdprep archive`` and ``archive --verify``: a BagIt bag of finalised, pseudonymised
sessions that ``bagit`` validates and that holds no roster name; refusals change nothing."""

from __future__ import annotations

import csv
import hashlib
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bagit
import pytest
from click.testing import CliRunner, Result

from exportdata import DS_TURNS, make_session
from fgdprep.cli import cli
from fgdprep.codebook import Codebook, Entry, save_codebook
from fgdprep.formats.documents import read_paragraphs
from fgdprep.model import Approval
from fgdprep.store import Study

ENV = {"FGDPREP_PASSPHRASE": "secret"}
NAMES = ("Amina Hassan", "Halima Juma", "Baraka Mwita", "Neema Kweka")
ROSTER = (
    "code,name,aliases,role,gender\n"
    "MOD,Amina Hassan,,moderator,f\n"
    "P01,Halima Juma,Mama Halima,participant,f\n"
    "P02,Baraka Mwita,,participant,m\n"
    "P03,Neema Kweka,,participant,f\n"
)


def invoke(study: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--study", str(study), *args], env=ENV, catch_exceptions=False)


def session_with_codebook(root: Path) -> Study:
    """The Kiswahili DS sample saved through the store, with its roster (real names) and a
    codebook entry (passphrase "secret"), not finalised."""
    s = make_session(root)
    for path in (s.roster_path("DS"), s.session_roster_path("DS-pre")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ROSTER)
    with s.lock():
        book = Codebook()
        book.add_entry(Entry("DS/P01", "PERSON", "[P01]", "Halima Juma", ["Mama Halima"]))
        save_codebook(s, book, "secret")
    return s


def finalised_study(root: Path, approve: bool = False) -> Study:
    """:func:`session_with_codebook`, finalised."""
    s = session_with_codebook(root)
    with s.lock():
        if approve:
            from fgdprep.model import Translation
            from fgdprep.stages.translate import rows_sha256

            path = s.translation_path("DS-pre")
            tr = s.read_doc(path, "translation", Translation)
            digest = rows_sha256(tr)
            approvals = (
                Approval("rev1", "2020-01-01", digest),
                Approval("rev2", "2020-01-02", digest),
            )
            import dataclasses

            s.save_doc(path, "translation", dataclasses.replace(tr, approvals=approvals))
    result = invoke(root, "finalise", "DS-pre")
    assert result.exit_code == 0, result.output
    return s


def every_text(root: Path) -> str:
    """Every file of the bag as text (docx: its paragraphs)."""
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file():
            if p.suffix == ".docx":
                out += read_paragraphs(p)
            else:
                out.append(p.read_text(encoding="utf-8"))
    return "\n".join(out)


def test_archive_is_a_valid_bag_without_names(
    study: Path, tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    finalised_study(study)
    out = tmp_path / "bag"
    with unchanged(study / "identifiable"), unchanged(study / "shareable"):
        result = invoke(study, "archive", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Archived DS-pre: 7 file(s); translation: not approved.\nNo leaks in"
    )
    # nothing of the identifiable area (recordings, codebook, stage files, rosters) in it
    ident = {
        hashlib.sha256(p.read_bytes()).digest()
        for p in study.rglob("identifiable/**/*")
        if p.is_file()
    }
    assert not ident & {
        hashlib.sha256(p.read_bytes()).digest() for p in out.rglob("*") if p.is_file()
    }
    bag = bagit.Bag(str(out))
    assert bag.is_valid()
    payload = sorted(str(Path(p).relative_to("data")) for p in bag.payload_files())
    assert payload == [
        "README.txt",
        "audit.jsonl",
        "data_list.csv",
        "sessions/DS-pre/DS-pre_en.docx",
        "sessions/DS-pre/DS-pre_en.json",
        "sessions/DS-pre/DS-pre_en.txt",
        "sessions/DS-pre/DS-pre_sw.docx",
        "sessions/DS-pre/DS-pre_sw.json",
        "sessions/DS-pre/DS-pre_sw.txt",
        "sessions/DS-pre/metadata.json",
        "summary.csv",
    ]
    text = every_text(out).lower()
    for name in NAMES:
        for part in name.lower().split():
            assert part not in text, part
    with (out / "data" / "data_list.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["file"] for r in rows) == [
        p for p in payload if p.startswith("sessions/") and "metadata" not in p
    ]
    assert {(r["site"], r["wave"], r["date"], r["participants"]) for r in rows} == {
        ("DS", "pre", "2019-12-10", "3")
    }
    assert {r["file"].rsplit("_")[-1].split(".")[0] for r in rows} == {"sw", "en"}
    assert all(r["language"] in r["file"] for r in rows)
    assert all("pseudonymised" in r["processing"] for r in rows)
    with (out / "data" / "summary.csv").open() as fh:
        (summary,) = list(csv.DictReader(fh))
    assert (summary["participants"], summary["moderators"]) == ("3", "1")
    assert (summary["female"], summary["male"]) == ("3", "1")
    assert summary["paragraphs"] == "5" and summary["duration_min"] == "0.5"
    sw_txt = (out / "data" / "sessions" / "DS-pre" / "DS-pre_sw.txt").read_text()
    assert DS_TURNS[4][3] in sw_txt
    audit = [json.loads(line) for line in (out / "data" / "audit.jsonl").read_text().splitlines()]
    assert {e["user"] for e in audit} == {"user-1"}
    assert [e["command"] for e in audit][-2:] == ["finalise", "leakcheck"]
    # the study audited the archive (counts and the manifest's checksum only)
    last = Study.open(study).audit_entries()[-1]
    assert last["command"] == "archive" and last["counts"]["sessions"] == 1
    # status shows the session archived, by whom and when, while its numbers are as archived
    (row,) = json.loads(invoke(study, "status", "--json").output)
    assert row["stages"]["archived"] == {
        "done": True,
        "current": True,
        "by": last["user"],
        "at": last["time"],
    }


def test_verify_a_good_bag_then_a_damaged_one(study: Path, tmp_path: Path) -> None:
    finalised_study(study, approve=True)
    out = tmp_path / "bag"
    made = invoke(study, "archive", "-o", str(out))
    assert "translation: approved" in made.output
    ok = invoke(study, "archive", "--verify", str(out))
    assert ok.exit_code == 0, ok.output
    assert ok.output == (
        f"{out}: a valid bag; 11 file(s), checksums match, no phone number or e-mail"
        " address found.\n"
    )
    txt = out / "data" / "sessions" / "DS-pre" / "DS-pre_en.txt"
    txt.write_text(txt.read_text() + "P02: call me on +255 754 123 456 or b.mwita@example.org\n")
    bad = invoke(study, "archive", "--verify", str(out))
    assert bad.exit_code == 1
    lines = bad.output.splitlines()
    assert lines[-1] == f"Error: {out}: 4 problem(s) in 11 file(s)"
    assert "  data/sessions/DS-pre/DS-pre_en.txt: paragraph 6: a possible PHONE_NUMBER" in lines
    assert "  data/sessions/DS-pre/DS-pre_en.txt: paragraph 6: a possible EMAIL_ADDRESS" in lines
    assert lines[0].startswith("  bag: Payload-Oxum validation failed.")
    assert (
        "  data/sessions/DS-pre/DS-pre_en.txt: changed: its SHA-256 is not the manifest's" in lines
    )


def test_verify_refuses_a_folder_that_is_not_a_bag(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    result = invoke(tmp_path, "archive", "--verify", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path / 'x'} is not a BagIt bag (")


def test_anonymisation_log_only_on_request_and_apart(study: Path, tmp_path: Path) -> None:
    finalised_study(study)
    log = tmp_path / "keys" / "anonymisation.json"
    log.parent.mkdir()
    result = invoke(study, "archive", "-o", str(tmp_path / "bag"), "--anonymisation-log", str(log))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert json.loads(log.read_text()) == [
        {"label": "[P01]", "type": "PERSON", "value": "Halima Juma", "aliases": ["Mama Halima"]}
    ]
    assert "halima" not in every_text(tmp_path / "bag").lower()
    last = Study.open(study).audit_entries()[-1]
    assert last["counts"]["anonymisation_log_entries"] == 1


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (
            "nonempty",
            ["-o", "{out}"],
            "Error: {out} exists and is not empty; name a new folder, or replace it with --force\n",
        ),
        (
            "",
            ["-o", "{study}/x"],
            "Error: {study}/x is inside the study folder; archive to a folder outside it\n",
        ),
        (
            "",
            [
                "-o",
                "{out}",
                "--session",
                "DS-pre",
                "--anonymisation-log",
                "{study}/shareable/log.json",
            ],
            "Error: {study}/shareable/log.json: the anonymisation log is identifiable; keep it"
            " out of the shareable area\n",
        ),
        (
            "leak",
            ["-o", "{out}"],
            "Error: the leak check found 1 possible leak(s) in the shareable area; nothing was"
            " archived. See them with 'fgdprep leakcheck'\n",
        ),
        ("", ["--verify", "{out}", "-o", "{out}"], None),
    ],
)
def test_refusals_write_nothing(
    study: Path,
    tmp_path: Path,
    unchanged: Callable[..., Any],
    setup: str,
    args: list[str],
    message: str | None,
) -> None:
    s = finalised_study(study)
    out = tmp_path / "bag"
    if setup == "nonempty":
        out.mkdir()
        (out / "mine.txt").write_text("keep me")
    if setup == "leak":
        path = study / "shareable" / "sessions" / "DS-pre" / "note.txt"
        path.write_text("Baraka Mwita said so\n")
    del s
    fill = {"out": str(out), "study": str(study)}
    if setup == "leak":  # the leak check audits its run (counts), nothing else changes
        before = Study.open(study).audit_entries()
        with unchanged(study / "identifiable"), unchanged(study / "shareable"):
            result = invoke(study, "archive", *[a.format(**fill) for a in args])
        after = Study.open(study).audit_entries()
        assert after[:-1] == before
        assert (after[-1]["command"], after[-1]["counts"]["hits"]) == ("leakcheck", 1)
    else:
        with unchanged(study):
            result = invoke(study, "archive", *[a.format(**fill) for a in args])
    if message is None:
        assert result.exit_code == 2
        assert result.output.endswith(
            "Error: give -o DIR to make a bag, or --verify DIR to check one\n"
        )
    else:
        assert result.exit_code == 1
        assert result.output == message.format(**fill)
    assert not out.exists() or [p.name for p in out.iterdir()] == ["mine.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_force_replaces_a_folder(study: Path, tmp_path: Path) -> None:
    finalised_study(study)
    out = tmp_path / "bag"
    out.mkdir()
    (out / "old.txt").write_text("old")
    result = invoke(study, "archive", "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "old.txt").exists()
    assert bagit.Bag(str(out)).is_valid()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bag", "study"]


def test_chosen_sessions_and_one_without_translation(study: Path, tmp_path: Path) -> None:
    finalised_study(study)
    make_session(study, "DS-post", wave="post", translate=False)
    assert invoke(study, "finalise", "DS-post").exit_code == 0
    out = tmp_path / "bag"
    result = invoke(study, "archive", "-o", str(out), "--session", "DS-post")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Archived DS-post: 4 file(s); translation: none."
    with (out / "data" / "data_list.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["file"], r["wave"], r["language"], r["participants"]) for r in rows] == [
        (f"sessions/DS-post/DS-post_sw{ext}", "post", "sw", "")  # no session roster: unknown
        for ext in (".json", ".docx", ".txt")
    ]
    meta = json.loads((out / "data" / "sessions" / "DS-post" / "metadata.json").read_text())
    assert meta["translation"] == {"state": "none", "language": None}
    assert not (out / "data" / "sessions" / "DS-pre").exists()
    assert bagit.Bag(str(out)).is_valid()
