"""Site rosters: a clash of spellings at ingest, ``roster fix`` and ``roster show``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import encode, run
from fgdprep.store import Study

PRE = ["--session", "BU-pre", "--site", "BU", "--wave", "pre", "--date", "2024-01-02"]
POST = ["--session", "BU-post", "--site", "BU", "--wave", "post", "--date", "2024-06-02"]


@pytest.fixture
def rostered(study: Path, short_speech: Path, tmp_path: Path) -> Path:
    """BU-pre ingested with a roster of three people."""
    roster = tmp_path / "pre.csv"
    roster.write_text(
        "code,name,aliases,role\nMOD,Ann Apio,,moderator\nP01,Neema Swai,,\nP02,Bea Birungi,,\n"
    )
    args = ["ingest", str(short_speech), *PRE, "--language", "en", "--roster", str(roster)]
    assert run(args, study).exit_code == 0
    return study


def test_a_code_spelt_another_way_shows_both_and_offers_roster_fix(
    rostered: Path, short_speech: Path, tmp_path: Path, unchanged: Any
) -> None:
    post = tmp_path / "post.csv"
    post.write_text("code,name,role\nMOD,Ann Apio,moderator\nP01,Neema Swaai,participant\n")
    other = encode(short_speech, tmp_path / "post.m4a", "aac")
    with unchanged(rostered):
        refused = run(
            ["ingest", str(other), *POST, "--language", "en", "--roster", str(post)], rostered
        )
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: roster post.csv: BU/P01 is 'Neema Swai' in the site roster but 'Neema Swaai'"
        " here. The same person spelt another way: correct this file, or take this spelling"
        " with fgdprep roster fix BU P01 --name 'Neema Swaai' and ingest again. Another"
        " person: give them a new code\n"
    )
    fixed = run(["roster", "fix", "BU", "P01", "--name", "Neema Swaai"], rostered)
    assert fixed.exit_code == 0, fixed.output
    assert fixed.output == "BU/P01 is now 'Neema Swaai' (was 'Neema Swai').\n"
    entry = Study.open(rostered).audit_entries()[-1]
    assert entry["command"] == "roster fix" and entry["counts"] == {"site": "BU", "code": "P01"}
    assert "Neema" not in str(entry)
    again = run(["ingest", str(other), *POST, "--language", "en", "--roster", str(post)], rostered)
    assert again.exit_code == 0, again.output
    shown = run(["roster", "show", "BU"], rostered)
    assert shown.output == (
        "MOD    Ann Apio, moderator: BU-post, BU-pre\n"
        "P01    Neema Swaai (Neema Swai), participant: BU-post, BU-pre\n"
        "P02    Bea Birungi, participant: BU-pre\n"
    )
    # one code per person: the site roster has no second code for her
    site = (rostered / "identifiable" / "rosters" / "BU.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in site] == ["code", "MOD", "P01", "P02"]


UNCHANGED = "; nothing was changed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["XX", "P01", "--name", "A B"],
            "unknown site 'XX'; sites in fgdprep.yaml: ULM, UKE, BU, DS, BGU, PU",
        ),
        (
            ["BU", "P09", "--name", "A B"],
            "BU has no P09 in its roster (codes: MOD, P01, P02)" + UNCHANGED,
        ),
        (
            ["BU", "P01", "--name", "bea  birungi"],
            "that name is BU/P02's in the site roster;"
            " a person keeps one code (nothing was changed)",
        ),
        (["BU", "P01", "--name", "Neema Swai"], "BU/P01 is already spelt so" + UNCHANGED),
        (["BU", "P01", "--name", " "], "--name is empty" + UNCHANGED),
        (
            ["DS", "P01", "--name", "A B"],
            "site DS has no roster yet; ingest a session with --roster",
        ),
    ],
)
def test_roster_fix_refusals(rostered: Path, args: list[str], message: str, unchanged: Any) -> None:
    with unchanged(rostered):
        result = run(["roster", "fix", *args], rostered)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"


def test_a_known_person_under_a_new_code_is_told_their_code(
    rostered: Path, short_speech: Path, tmp_path: Path, unchanged: Any
) -> None:
    post = tmp_path / "post.csv"
    post.write_text("code,name\nP07,neema  swai\n")
    other = encode(short_speech, tmp_path / "post.m4a", "aac")
    with unchanged(rostered):
        refused = run(["ingest", str(other), *POST, "--roster", str(post)], rostered)
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: roster post.csv: 'neema  swai' (P07 here) is BU/P01 in the site roster;"
        " a person keeps one code across sessions: use P01 here\n"
    )
