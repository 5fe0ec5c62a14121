"""``fgdprep cite``: the paper's citations resolved on finalised sample sessions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import run
from exportdata import DS_TURNS, PASSPHRASE, make_session
from fgdprep.cli import cli
from fgdprep.errors import InputError
from fgdprep.stages.cite import Reference, parse

SPEAKERS = ("MOD", "P01", "P02", "P03")


def _turns(n: int, lang: str) -> list[tuple[str, float, float, str, str]]:
    return [
        (SPEAKERS[i % 4], i * 10.0, i * 10.0 + 8, f"{lang} sentensi {i + 1}.", f"Sentence {i + 1}.")
        for i in range(n)
    ]


@pytest.fixture
def cited_study(study: Path) -> Path:
    make_session(study, "DS-pre", turns=_turns(110, "pre"))
    make_session(study, "DS-post", wave="post", turns=_turns(120, "post"))
    make_session(
        study,
        "BU-post",
        site="BU",
        wave="post",
        language="lg",
        turns=_turns(50, "bu"),
        translate=False,
    )
    make_session(study, "BU-pre", site="BU", wave="pre", language="lg")
    for sid in ("DS-pre", "DS-post", "BU-post"):
        assert run(["finalise", sid], study).exit_code == 0
    return study


def test_parse_ranges_lists_and_sites() -> None:
    assert parse("DS 34–35, 103; BU 45") == [
        Reference("DS", 34, 35),
        Reference("DS", 103, 103),
        Reference("BU", 45, 45),
    ]
    assert parse("(UKE 184-188)") == [Reference("UKE", 184, 188)]
    assert parse("DS 11, 19, 39, 47, 51–53") == [
        *(Reference("DS", n, n) for n in (11, 19, 39, 47)),
        Reference("DS", 51, 53),
    ]
    assert parse("ds1 84") == [Reference("DS1", 84, 84)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DS", "malformed citation 'DS': 'DS' is not a site prefix and paragraph numbers"),
        ("84", "malformed citation '84': '84' is not a site prefix and paragraph numbers"),
        ("DS 3–x", "malformed citation 'DS 3–x': '3–x' is not a paragraph number or range"),
        ("DS 5–3", "malformed citation 'DS 5–3': '5–3' is not a range of paragraph numbers"),
        ("DS 0", "malformed citation 'DS 0': '0' is not a range of paragraph numbers"),
        ("DS 4;", "malformed citation 'DS 4;': '' is not a site prefix and paragraph numbers"),
    ],
)
def test_malformed(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.message.startswith(message)


def test_two_sessions_of_one_wave_need_their_own_prefix(
    study: Path, unchanged: Callable[..., Any]
) -> None:
    make_session(study, "DS-pre-a")
    make_session(study, "DS-pre-b")
    make_session(study, "DS-pre-c", prefix="DS3")
    for sid in ("DS-pre-a", "DS-pre-b", "DS-pre-c"):
        assert run(["finalise", sid], study).exit_code == 0
    with unchanged(study):
        result = run(["cite", "DS 1"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: DS is ambiguous: DS-pre-a (pre), DS-pre-b (pre); sessions of one wave need"
        " their own citation prefix (ingest --prefix DS1)\n"
    )
    got = json.loads(run(["cite", "DS3 2", "--json"], study).output)
    assert [(c["session_id"], c["speaker"]) for c in got] == [("DS-pre-c", "P01")]


def test_the_papers_citation_with_a_wave(cited_study: Path) -> None:
    result = run(["cite", "DS 34–35, 103; BU 45", "--wave", "post", "--json"], cited_study)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert [(c["citation"], c["session_id"], c["speaker"]) for c in got] == [
        ("DS 34", "DS-post", "P01"),
        ("DS 35", "DS-post", "P02"),
        ("DS 103", "DS-post", "P02"),
        ("BU 45", "BU-post", "MOD"),
    ]
    assert got[0]["original"] == "post sentensi 34." and got[0]["translation"] == "Sentence 34."
    assert (got[0]["start"], got[0]["end"], got[0]["language"]) == (330.0, 338.0, "sw")
    assert got[3]["translation"] is None and got[3]["original"] == "bu sentensi 45."


def test_translation_and_original_side_by_side(study: Path) -> None:
    make_session(study)
    assert run(["finalise", "DS-pre"], study).exit_code == 0
    env = {"COLUMNS": "80", "FGDPREP_STUDY": str(study)}
    result = CliRunner().invoke(cli, ["cite", "DS 2-3"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "DS 2  DS-pre (pre)  P01  0:00:05.0–0:00:12.5\n"
        "  en:                                   │ sw:\n"
        "  My name is [P01]. I started at the    │ Jina langu ni [P01]. Nilianza kliniki\n"
        "  clinic last year.                     │ mwaka jana.\n"
        "\n"
        "DS 3  DS-pre (pre)  P02  0:00:12.0–0:00:15.0\n"
        "  en:                                   │ sw:\n"
        "  [crosstalk] Yes, me too.              │ [crosstalk] Ndiyo, hata mimi.\n"
    )
    assert DS_TURNS[1][4] == "My name is [P01]. I started at the clinic last year."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["DS 34"], "Error: DS is ambiguous: DS-post (post), DS-pre (pre); give --wave\n"),
        (
            ["XX 4"],
            "Error: unknown site prefix 'XX' in XX 4; prefixes in this study:"
            " BGU, BU, DS, PU, UKE, ULM\n",
        ),
        (
            ["BU 3", "--wave", "pre"],
            "Error: BU 3: no finalised session with prefix BU in wave pre (BU-pre not"
            " finalised; run 'fgdprep finalise BU-pre')\n",
        ),
        (
            ["DS 111", "--wave", "pre"],
            "Error: DS 111 is past the end: DS-pre has 110 numbered paragraph(s)\n",
        ),
        (["PU 1"], "Error: PU 1: no session with prefix PU\n"),
        (
            ["DS 1", "--wave", "later"],
            "Error: unknown wave 'later'; waves in this study: pre, post\n",
        ),
        (
            ["DS, 4"],
            "Error: malformed citation 'DS, 4': 'DS, 4' is not a site prefix and paragraph"
            " numbers (e.g. 'DS 84' or 'DS 34–35, 103; BU 45')\n",
        ),
    ],
)
def test_bad_citations(
    cited_study: Path, unchanged: Callable[..., Any], args: list[str], message: str
) -> None:
    with unchanged(cited_study):
        result = run(["cite", *args], cited_study)
    assert result.exit_code == 1
    assert result.output == message


def test_line_numbering_each_text_its_own_lines(study: Path, tmp_path: Path) -> None:
    config = study / "fgdprep.yaml"
    config.write_text(
        config.read_text() + "numbering:\n  mode: line\n  line_width: 24\n", encoding="utf-8"
    )
    make_session(study)
    assert run(["finalise", "DS-pre"], study).exit_code == 0
    result = run(["cite", "DS 2-3", "--json"], study)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    # Kiswahili lines 2-3 are the first turn's second line and P01's first; the English
    # beside each is its whole turn's translation (the turn maps the two numberings)
    assert [(c["speaker"], c["original"]) for c in got] == [
        ("MOD", "majadiliano."),
        ("P01", "Jina langu ni [P01]."),
    ]
    assert [c["translation"] for c in got] == [
        "Welcome all to the discussion.",
        "My name is [P01]. I started at the clinic last year.",
    ]
    env = {"FGDPREP_PASSPHRASE": PASSPHRASE, "FGDPREP_STUDY": str(study)}
    args = ["export", "DS-pre", "--format", "txt", "-o", str(tmp_path / "o")]
    assert CliRunner().invoke(cli, args, env=env).exit_code == 0
    english = (tmp_path / "o" / "DS-pre_en.txt").read_text().splitlines()
    assert english[:3] == [
        "MOD: Welcome all to the",
        "MOD: discussion.",
        "P01: My name is [P01]. I",
    ]
    # the marks of the conventions stay on the turn's first and last line in both texts
    assert "P02: [crosstalk] Yes, me too." in english
    assert "MOD: (4 s) [inaudible 00:00:19]" in english


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["DS", "UKE", "BU", "DS1"]),
            st.lists(
                st.tuples(st.integers(1, 999), st.integers(0, 20), st.sampled_from(["-", "–"])),
                min_size=1,
                max_size=4,
            ),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_parse_reads_what_papers_write(groups: list[Any]) -> None:
    text = "; ".join(
        f"{prefix} " + ", ".join(f"{a}{dash}{a + k}" if k else f"{a}" for a, k, dash in items)
        for prefix, items in groups
    )
    assert parse(text) == [
        Reference(prefix, a, a + k) for prefix, items in groups for a, k, _dash in items
    ]
