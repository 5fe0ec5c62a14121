"""Every leak and evasion of issue 12, both ways: planted in a shareable file, ``leakcheck``
reports it; given to ``deidentify --site``, it is replaced. One matcher serves both.

One study (site BU, English, the real spaCy model and Presidio), its roster written through
the store; no session is needed for either command.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fgdprep.cli import cli
from fgdprep.store import Study

PASS = "correct horse battery staple"
CONFIG = """\
study:
  name: Evasions
sites:
  - code: BU
    name: Butabika
    country: UG
    language: en
    places: [Kampala, Mbale, Jinja]
    facilities: [Mulago Hospital]
"""
ROSTER = """\
code,name,aliases,role
MOD,Grace Atim,,moderator
P01,Peter Wanyama,,participant
P02,Moses Okello,,participant
P03,Aisha Nakato,,participant
P04,Jo Kisakye,,participant
P05,Mary Nambi,,participant
"""
#: (case, text, what must not survive de-identification)
CASES = (
    ("split", "Then Wan Yama stood up.", "Wan Yama"),
    ("luganda", "I went with ow'Okello to the market.", "Okello"),
    ("tens", "My number is zero seven seventy-two, one twenty-three, four five six.", "seventy"),
    ("at", "Write to mary.nambi @ yahoo.com any time.", "yahoo"),
    ("at-brackets", "Or mary.nambi (at) yahoo.com for the forms.", "yahoo"),
    ("soft-hyphen", "Then A\u00adisha said it was fine.", "A\u00adisha"),
    ("zwj", "We asked Na\u200dkato about it.", "Na\u200dkato"),
    ("cyrillic", "\u0410isha came on Monday.", "\u0410isha"),
    ("two-letter", "Only Jo stayed behind.", "Jo "),
    ("place", "I came from Mbale by bus.", "Mbale"),
    ("facility", "They sent me to Mulago Hospital.", "Mulago"),
    ("email", "Her address is grace.atim@gmail.com.", "gmail"),
    ("roster", "Moses Okello was there.", "Moses"),
    ("spelt", "I came from M .B. last year.", "M .B."),  # the demo's ASR spelt Mbale out
    ("initials", "Then G. A. asked the next question.", "G. A."),
)


def run(args: list[str], env: dict[str, str | None] | None = None) -> Result:
    full: dict[str, str | None] = {"FGDPREP_PASSPHRASE": PASS, **(env or {})}
    return CliRunner().invoke(cli, args, env=full, catch_exceptions=False)


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("evasions")
    config = base / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    root = base / "study"
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    study = Study.open(root)
    with study.lock():
        study.write_text(study.roster_path("BU"), ROSTER)
    yield root


def test_each_evasion_planted_in_a_shareable_file_is_a_leak(study_dir: Path) -> None:
    planted = study_dir / "shareable" / "planted"
    planted.mkdir()
    for case, text, _gone in CASES:
        (planted / f"{case}.txt").write_text(f"Notes.\n{text}\n", encoding="utf-8")
    # a name hyphenated across two turns of a transcript-like JSON
    turns = [{"text": "I spoke to Wan-"}, {"text": "-yama yesterday."}]
    doc = {"kind": "transcript", "transcript": {"turns": turns}}
    (planted / "across.json").write_text(json.dumps(doc), encoding="utf-8")
    # a field other than text/translation, a hidden file, a file name
    other = {"kind": "notes", "meta": {"interviewer": "Moses Okello"}}
    (planted / "fields.json").write_text(json.dumps(other), encoding="utf-8")
    (planted / ".hidden.txt").write_text("Peter came late.\n", encoding="utf-8")
    (planted / "Joseph_Okello_interview.txt").write_text("[P02] came.\n", encoding="utf-8")
    (planted / "clean.txt").write_text("[P01] said the bus was late.\n", encoding="utf-8")
    try:
        result = run(["--study", str(study_dir), "leakcheck"])
        assert result.exit_code == 1, result.output
        lines = result.output.splitlines()
        hit_files = {line.split(" ", 1)[0] for line in lines if line.startswith("shareable/")}
        expected = {f"shareable/planted/{case}.txt" for case, _t, _g in CASES}
        expected |= {
            f"shareable/planted/{n}"
            for n in (
                "across.json",
                "fields.json",
                ".hidden.txt",
                "Joseph_Okello_interview.txt",
            )
        }
        assert hit_files == expected
        name_hit = next(x for x in lines if x.startswith("shareable/planted/Joseph_Okello"))
        assert name_hit.startswith("shareable/planted/Joseph_Okello_interview.txt name: [P02]")
        across = next(x for x in lines if x.startswith("shareable/planted/across.json"))
        assert "across paragraphs 1-2" in across
        # the words around each hit are shown, the hit itself as its label, never the value
        place = next(x for x in lines if x.startswith("shareable/planted/place.txt"))
        assert place.endswith("…I came from «LOCATION» by bus…")
        for value in ("Wanyama", "Okello ", "Nakato", "yahoo", "Mbale", "Mulago", "Moses"):
            assert value not in result.output.replace("Joseph_Okello_interview", "")
        assert lines[-1].startswith(f"Error: {len(expected)} possible leak(s) in")
    finally:
        for path in planted.iterdir():
            path.unlink()
        planted.rmdir()


def test_each_evasion_given_to_deidentify_is_replaced(study_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    lines = [text for _case, text, _gone in CASES] + ["I spoke to Wan-", "-yama yesterday."]
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "notes.deid.txt"
    result = run(["--study", str(study_dir), "deidentify", str(notes), "--site", "BU"])
    assert result.exit_code == 0, result.output
    done = out.read_text(encoding="utf-8").split("\n")
    for (case, _text, gone), line in zip(CASES, done, strict=False):
        assert gone not in line, (case, line)
    assert done[CASES.index(CASES[0])] == "Then [P01] stood up."
    assert done[len(CASES)] == "I spoke to [P01]"
    assert done[len(CASES) + 1] == "[P01] yesterday."
    assert done[5] == "Then [P03] said it was fine."
    assert done[8] == "Only [P04] stayed behind."


def test_a_zip_bomb_is_not_unpacked(study_dir: Path, unchanged: Callable[[Path], Any]) -> None:
    bomb = study_dir / "shareable" / "exports" / "big.xlsx"
    bomb.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (65 << 20) + b"</sst>")
    try:
        with unchanged(study_dir):
            result = run(["--study", str(study_dir), "leakcheck"])
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {bomb}: part 'xl/sharedStrings.xml' is {(65 << 20) + 11} bytes unpacked;"
            " the leak check does not unpack it (a zip bomb?)\n"
        )
    finally:
        bomb.unlink()


def test_unconfirmed_suggestions_are_pending_not_leaks(study_dir: Path, tmp_path: Path) -> None:
    notes = tmp_path / "field.txt"
    notes.write_text("Call Kevin on Monday about the forms.\n", encoding="utf-8")
    made = run(["--study", str(study_dir), "deidentify", str(notes), "--site", "BU"])
    assert made.exit_code == 0, made.output
    assert "1 uncertain" in made.output
    planted = study_dir / "shareable" / "memo.txt"
    planted.write_text("I will call Kevin tomorrow.\n", encoding="utf-8")
    try:
        result = run(["--study", str(study_dir), "leakcheck"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        # the guess's label number depends on what this module's study has seen before
        assert re.fullmatch(
            r"pending: shareable/memo\.txt paragraph 1: \[Person \d+\] \(unconfirmed suggestion\)",
            lines[0],
        )
        assert lines[-1].endswith("; 1 pending suggestion(s) to review.")
    finally:
        planted.unlink()
