"""``fgdprep status`` and ``sessions``: every session by stage, from the study's files.

The back-check, translation and finalise stages are built elsewhere; their outputs are
written here through the store and the shared model (a checked transcript with by/at in its
provenance, a Translation with rows and approvals, a finalised file), as those stages will.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from fgdprep.model import (
    Approval,
    Provenance,
    Stage,
    TranscriptSummary,
    Translation,
    TranslationRow,
    source_sha256,
)
from fgdprep.stages.translate import rows_sha256
from fgdprep.store import Study, sha256_file
from test_old_study import FIXTURE
from test_old_study import run as run_old

STAGES = (Stage.TRANSCRIBED, Stage.SPEAKERS, Stage.PSEUDONYMISED)


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """The 0.1.0 study (one pseudonymised session, BU-pre), its transcripts saved again
    through today's store (which keeps their summaries)."""
    root = tmp_path / "study"
    shutil.copytree(FIXTURE, root)
    study = Study.open(root)
    with study.lock():
        for stage in STAGES:
            study.save_transcript(study.load_transcript("BU-pre", stage), stage)
    return root


def cells(line: str) -> list[str]:
    return re.split(r" {2,}", line.strip())


def test_the_store_keeps_a_summary_of_every_transcript_it_saves(old: Path) -> None:
    study = Study.open(old)
    for stage in STAGES:
        path = study.transcript_path("BU-pre", stage)
        summary = study.transcript_summary("BU-pre", stage)
        assert summary == TranscriptSummary.of(
            stage, study.load_transcript("BU-pre", stage), sha256_file(path)
        )
    # a transcript changed behind the store's back: its summary is not used
    path = study.transcript_path("BU-pre", Stage.SPEAKERS)
    doc = json.loads(path.read_text())
    doc["transcript"]["turns"] = doc["transcript"]["turns"][:3]
    path.write_text(json.dumps(doc))
    assert Study.open(old).transcript_summary("BU-pre", Stage.SPEAKERS).turns == 3


def test_listing_never_parses_a_word_level_transcript(old: Path, monkeypatch: Any) -> None:
    before = run(["sessions"], old).output
    full = run(["status", "--json"], old).output

    def refuse(*args: object) -> None:
        raise AssertionError("a word-level transcript was parsed")

    monkeypatch.setattr(Study, "load_transcript", refuse)
    assert run(["sessions"], old).output == before
    assert run(["status", "--json"], old).output == full
    assert before.splitlines()[1].endswith("pseudonymised, 0 to review")


def _translate(
    study: Study, approvers: tuple[str, ...], stale: bool = False
) -> tuple[Translation, int]:
    shared = [t for t in study.load_shareable("BU-pre").turns if t.text.strip()]
    rows: tuple[TranslationRow, ...] = (
        TranslationRow(shared[0].id, "One.", source_sha256(shared[0].text), "", "TR", "2026-12-01"),
        TranslationRow(shared[1].id, "Two.", source_sha256(shared[1].text), "", "TR", "2026-12-02"),
    )
    if stale:  # made from a text the turn no longer has: not counted, approvals withdrawn
        rows += (
            TranslationRow(
                shared[2].id, "Three.", source_sha256("before the back-check"), "", "TR"
            ),
        )
    translation = Translation("BU-pre", "en", "en", rows)
    approvals = tuple(
        Approval(by, f"2026-12-0{i + 3}", rows_sha256(translation))
        for i, by in enumerate(approvers)
    )
    # an approval of other rows (before a later change) does not count
    approvals += (Approval("XY", "2026-12-01", "0" * 64),)
    translation = dataclasses.replace(translation, approvals=approvals)
    with study.lock():
        study.save_doc(study.translation_path("BU-pre"), "translation", translation)
    return translation, len(shared)


def test_status_shows_each_stage_with_who_and_when(old: Path) -> None:
    study = Study.open(old)
    _, spoken = _translate(study, ("AC", "BD"))
    with study.lock():
        study.write_text(study.finalised_path("BU-pre"), "{}\n")
    result = run(["status"], old)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert cells(lines[0]) == [
        "SESSION", "SITE", "WAVE", "DATE", "LANG", "LENGTH", "PEOPLE", "INGESTED",
        "TRANSCRIBED", "SPEAKERS", "CHECKED", "PSEUDONYMISED", "REVIEWED", "TRANSLATED",
        "APPROVED", "FINALISED", "ARCHIVED", "FLAGS",
    ]  # fmt: skip
    assert cells(lines[1]) == [
        "BU-pre", "BU", "pre", "2025-03-14", "en", "1.6 min", "4", "✓", "✓", "✓", "—", "✓",
        "✓", f"2/{spoken}", "×2", "✓", "—", "0",
    ]  # fmt: skip
    assert lines[2] == (
        "  by: ingested root 2026-11-28; transcribed root 2026-11-28; speakers root"
        " 2026-11-28; pseudonymised root 2026-11-28; reviewed root 2026-11-28; translated TR"
        " 2026-12-02; approved AC, BD 2026-12-04"
    )
    assert lines[3:] == [
        "  next: 3 speaker label(s) to name with a roster code: fgdprep speakers BU-pre --show"
    ]


def test_a_back_check_makes_the_later_stages_stale(old: Path) -> None:
    # pseudonymised by today's fgdprep, so that it records what it was made from
    assert run_old(["pseudonymise", "BU-pre", "-q"], old).exit_code == 0
    study = Study.open(old)
    speakers = study.load_transcript("BU-pre", Stage.SPEAKERS)
    turns = (
        dataclasses.replace(speakers.turns[0], text="Welcome, all of you."),
        *speakers.turns[1:],
    )
    checked = dataclasses.replace(
        speakers,
        turns=turns,
        provenance=Provenance("checked", "0.2", options={"by": "MK", "at": "2026-11-30T10:00"}),
    )
    with study.lock():
        study.save_transcript(checked, Stage.CHECKED)
    _translate(study, ("AC",), stale=True)
    found = json.loads(run(["status", "--json"], old).output)
    assert len(found) == 1
    stages = found[0]["stages"]
    assert stages["checked"] == {
        "done": True,
        "current": True,
        "by": "MK",
        "at": "2026-11-30T10:00",
    }
    assert stages["pseudonymised"]["current"] is False
    assert stages["reviewed"]["current"] is False
    # a row made from the text before the back-check is stale: its approval no longer holds
    assert stages["approved"] == {"done": False, "current": True, "by": "", "at": ""}
    assert stages["finalised"] == {"done": False, "current": True, "by": "", "at": ""}
    assert stages["archived"] == {"done": False, "current": True, "by": "", "at": ""}
    assert found[0]["stale"] == "pseudonymised"
    assert found[0]["next_command"] == "pseudonymise"
    row = cells(run(["status"], old).output.splitlines()[1])
    pending = found[0]["pending_review"]
    assert row[10:14] == [
        "✓",
        "stale",
        f"{pending} to review, stale" if pending else "stale",
        row[13],
    ]
    listed = run(["sessions"], old).output.splitlines()[1]
    assert listed.endswith(
        f"pseudonymised, {pending} to review, out of date: run 'fgdprep pseudonymise BU-pre'"
    )


def test_status_filters(old: Path, unchanged: Any) -> None:
    assert run(["status", "--site", "BU", "--wave", "post"], old).output == "No sessions match.\n"
    assert [
        s["session"] for s in json.loads(run(["status", "--json", "--wave", "pre"], old).output)
    ] == ["BU-pre"]
    with unchanged(old):
        bad = run(["status", "--site", "DS", "--wave", "mid"], old)
    assert bad.exit_code == 1
    assert bad.output == (
        "Error: unknown site 'DS'; sites in fgdprep.yaml: BU; unknown wave 'mid'; waves in"
        " fgdprep.yaml: pre, post\n"
    )


def test_status_of_an_empty_study(study: Path) -> None:
    assert run(["status"], study).output == "No sessions yet.\n"
    assert run(["status", "--json"], study).output == "[]\n"


def test_sessions_names_a_back_checked_session_checked(old: Path) -> None:
    study = Study.open(old)
    (old / "identifiable/sessions/BU-pre/pseudonymised.json").unlink()
    speakers = study.load_transcript("BU-pre", Stage.SPEAKERS)
    checked = dataclasses.replace(speakers, provenance=Provenance("checked", "0.2"))
    with study.lock():
        study.save_transcript(checked, Stage.CHECKED)
    assert run(["sessions"], old).output.splitlines()[1].endswith("  checked")
    assert cells(run(["status"], old).output.splitlines()[1])[8:12] == ["✓", "✓", "✓", "—"]


def test_a_session_typed_by_hand_has_the_length_of_its_turns(study: Path) -> None:
    """A transcript imported as text (no recording): its length is its last turn's end."""
    from fgdprep.model import Session, Transcript, Turn

    store = Study.open(study)
    session = Session("BU-post", "BU", "post", "2025-09-14", "lg", attendance=("MOD", "P01"))
    turns = (Turn(0.0, 4.0, "Mwasuze mutya?", "MOD"), Turn(4.5, 150.0, "Bulungi.", "P01"))
    with store.lock():
        store.save_session(session)
        store.save_transcript(
            Transcript("BU-post", "lg", turns, Provenance("import", "0.2")), Stage.SPEAKERS
        )
    row = cells(run(["status"], study).output.splitlines()[1])
    assert row[:10] == [
        "BU-post",
        "BU",
        "post",
        "2025-09-14",
        "lg",
        "2.5 min (text)",
        "2",
        "✓",
        "—",
        "✓",
    ]
    listed = run(["sessions"], study).output.splitlines()[1]
    assert listed == "BU-post          BU     post   2025-09-14  lg     (text)    speakers"
