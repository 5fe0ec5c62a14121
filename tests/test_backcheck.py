"""The back-check worksheet round trip: real .docx written by python-docx, edited as a person
would (and once saved again by LibreOffice), read back into the checked transcript."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import wave
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest

from conftest import SAMPLE, SAMPLE_INGEST, encode, run, sample_study, script
from fgdprep import pipeline
from fgdprep.formats import worksheet
from fgdprep.model import (
    INPUTS,
    AsrStats,
    Flag,
    FlagCode,
    Provenance,
    Stage,
    Transcript,
    Turn,
    Word,
    with_turn_ids,
)
from fgdprep.stages.backcheck import clip_name, for_run
from fgdprep.store import Study

SID = "BU-pre"
ASR = AsrStats(avg_logprob=-0.2, no_speech_prob=0.01, compression_ratio=1.4, temperature=0.0)
#: Utterances of the sample given planted problems (0-based): low word probabilities, and
#: the speaker stage's overlap flag.
LOW, OVERLAPPED = 2, 5


def draft_of_the_sample() -> Transcript:
    """The sample's script as a speaker-turn draft (no Whisper run: this is about the
    worksheet), every word timed evenly across its utterance."""
    turns = []
    for i, u in enumerate(script()["utterances"]):
        texts = u["text"].split()
        step = (u["end"] - u["start"]) / len(texts)
        p = 0.1 if i == LOW else 0.95
        ws = tuple(
            Word(round(u["start"] + k * step, 3), round(u["start"] + (k + 1) * step, 3), f" {w}", p)
            for k, w in enumerate(texts)
        )
        flags = (Flag(FlagCode.OVERLAP, "4 of 12 words with P02"),) if i == OVERLAPPED else ()
        turns.append(Turn(u["start"], u["end"], u["text"], u["speaker"], ws, flags=flags, asr=ASR))
    return with_turn_ids(
        Transcript(SID, "en", tuple(turns), Provenance("speakers", "0", options={}))
    )


@pytest.fixture
def drafted(tmp_path: Path) -> Path:
    root = sample_study(tmp_path / "study")
    study = Study.open(root)
    with study.lock():
        study.save_transcript(draft_of_the_sample(), Stage.SPEAKERS)
        digest = study.digest(study.transcript_path(SID, Stage.SPEAKERS))
        # a shareable copy made from this draft: the import must make it out of date
        made = Provenance("pseudonymised", "0", options={INPUTS: {"speakers": digest}})
        study.save_transcript(replace(draft_of_the_sample(), provenance=made), Stage.PSEUDONYMISED)
    return root


def cells(path: Path) -> list[list[str]]:
    table = docx.Document(str(path)).tables[0]
    return [[c.text for c in row.cells] for row in table.rows]


def shaded(row: Any) -> bool:
    return "w:shd" in row._tr.xml and worksheet.SHADE in row._tr.xml


def test_worksheet_lists_flagged_turns_with_clips(drafted: Path) -> None:
    result = run(["backcheck", SID], drafted)
    assert result.exit_code == 0, result.output
    out = drafted / "identifiable/sessions/BU-pre/backcheck/BU-pre_backcheck.docx"
    assert result.output.startswith(
        "Back-check worksheet of BU-pre: identifiable/sessions/BU-pre/backcheck/"
        "BU-pre_backcheck.docx ("
    )
    document = docx.Document(str(out))
    rows = document.tables[0].rows
    header, body = [c.text for c in rows[0].cells], rows[1:]
    assert header == list(worksheet.HEADER)
    numbers = [int(r.cells[0].text) for r in body]
    assert {LOW + 1, OVERLAPPED + 1} <= set(numbers)
    draft = draft_of_the_sample()
    clips = out.parent / "BU-pre_backcheck_clips"
    for row in body:
        n = int(row.cells[0].text)
        t = draft.turns[n - 1]
        assert row.cells[2].text == t.speaker and row.cells[3].text == t.text
        assert row.cells[4].text and shaded(row)  # flagged rows only, all shaded
        # the time cell links to the clip: one second of margin on each side
        name = clip_name(SID, n, t.start)
        rid = row.cells[1]._tc.xpath(".//w:hyperlink/@r:id")[0]
        assert document.part.rels[rid].target_ref == f"BU-pre_backcheck_clips/{name}"
        with wave.open(str(clips / name)) as w:
            seconds = w.getnframes() / w.getframerate()
        assert seconds == pytest.approx(min(t.end + 1, 96.333) - max(0, t.start - 1), abs=0.01)
    assert sorted(p.name for p in clips.iterdir()) == sorted(
        clip_name(SID, n, draft.turns[n - 1].start) for n in numbers
    )
    why = {int(r.cells[0].text): r.cells[4].text for r in body}
    assert why[LOW + 1].startswith("the speech recogniser was unsure of these words (")
    assert why[OVERLAPPED + 1] == (
        "two voices at once: words may be missing or mixed (4 of 12 words with P02)"
    )
    props = document.core_properties
    assert props.identifier == SID
    meta, _rows = worksheet.read(out.read_bytes(), out.name)
    study = Study.open(drafted)
    assert meta.session == SID and meta.rows == tuple(numbers)
    assert meta.draft_sha256 == study.digest(study.transcript_path(SID, Stage.SPEAKERS))
    entry = study.audit_entries()[-1]
    assert entry["command"] == "backcheck"
    assert entry["counts"]["rows"] == len(numbers) and entry["counts"]["outside_study"] is False
    log = study.audit_log.read_text()
    assert all(t.text not in log for t in draft.turns)


def test_all_lists_every_turn_and_o_writes_elsewhere(drafted: Path, tmp_path: Path) -> None:
    out = tmp_path / "carry" / "sheet.docx"
    result = run(["backcheck", SID, "--all", "-o", str(out)], drafted)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("It is outside the study and identifiable: keep it safe.\n")
    rows = cells(out)[1:]
    draft = draft_of_the_sample()
    assert [r[3] for r in rows] == [t.text for t in draft.turns]
    body = docx.Document(str(out)).tables[0].rows[1:]
    assert [shaded(r) for r in body] == [bool(r[4]) for r in rows]
    assert (out.parent / "BU-pre_backcheck_clips").is_dir()
    entry = Study.open(drafted).audit_entries()[-1]
    assert entry["counts"]["outside_study"] is True


# --- editing as a person would ---------------------------------------------------------------


def set_cell(cell: Any, text: str) -> None:
    """Type over a cell's text, keeping its first run's formatting (as Word does)."""
    paragraph = cell.paragraphs[0]
    runs = paragraph.runs
    if runs:
        runs[0].text = text
        for r in runs[1:]:
            r.text = ""
    else:
        paragraph.add_run(text)


def row_of(table: Any, number: int) -> Any:
    return next(r for r in table.rows[1:] if r.cells[0].text == str(number))


def insert_row_under(row: Any) -> Any:
    new = copy.deepcopy(row._tr)
    row._tr.addnext(new)
    from docx.table import _Row

    return _Row(new, row._parent)


EDIT_WORD, NEW_SPEAKER, SPLIT = 2, 4, 8  # row numbers (1-based turns)


def edit_as_a_person(path: Path) -> None:
    draft = draft_of_the_sample()
    document = docx.Document(str(path))
    table = document.tables[0]
    # change a word
    text = draft.turns[EDIT_WORD - 1].text
    set_cell(row_of(table, EDIT_WORD).cells[3], text.replace("peer support", "peer-support"))
    # reassign a speaker
    set_cell(row_of(table, NEW_SPEAKER).cells[2], "P01")
    # split a row: the later sentence goes to a new row marked +
    row = row_of(table, SPLIT)
    first, second = split_text(draft.turns[SPLIT - 1].text)
    set_cell(row.cells[3], first)
    new = insert_row_under(row)
    set_cell(new.cells[0], "+")
    set_cell(new.cells[1], "")
    set_cell(new.cells[2], "MOD")
    set_cell(new.cells[3], second)
    document.save(str(path))


def split_text(text: str) -> tuple[str, str]:
    cut = text.index(". ") + 1
    return text[:cut], text[cut + 1 :]


def libreoffice(path: Path, work: Path) -> Path:
    """Open and save the file in LibreOffice (headless), as a person's word processor would."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (make system-deps installs libreoffice-writer-nogui)"
    out = work / "lo-out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{work / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / path.name


@pytest.mark.parametrize("editor", ["python-docx", "libreoffice"])
def test_round_trip_applies_exactly_the_edits(drafted: Path, tmp_path: Path, editor: str) -> None:
    sheet = drafted / "identifiable/sessions/BU-pre/backcheck/BU-pre_backcheck.docx"
    assert run(["backcheck", SID, "--all"], drafted).exit_code == 0
    edit_as_a_person(sheet)
    if editor == "libreoffice":
        sheet = libreoffice(sheet, tmp_path)
    study = Study.open(drafted)
    assert pipeline.state(study, SID).stale is None
    result = run(["backcheck", SID, "--import", str(sheet), "--by", "GA"], drafted)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "BU-pre back-checked: 3 of 19 row(s) changed (1 speaker, 1 split, 2 text); the"
        " de-identified copy is out of date until 'fgdprep pseudonymise BU-pre' (or"
        " 'fgdprep run BU-pre').\n"
    )
    draft = draft_of_the_sample()
    study = Study.open(drafted)
    checked = study.load_transcript(SID, Stage.CHECKED)
    assert len(checked.turns) == len(draft.turns) + 1
    before, after = list(draft.turns), list(checked.turns)
    # untouched turns: exactly as they were (ids, words, flags)
    touched = {EDIT_WORD, NEW_SPEAKER, SPLIT}
    expected_untouched = [t for n, t in enumerate(before, 1) if n not in touched]
    got_untouched = [t for t in after if t.id not in {before[n - 1].id for n in touched}]
    got_untouched = [t for t in got_untouched if t.start != after[SPLIT].start]
    assert got_untouched == expected_untouched
    # the changed word
    edited = after[EDIT_WORD - 1]
    old = before[EDIT_WORD - 1]
    assert edited.id == old.id and edited.speaker == old.speaker
    assert edited.text == old.text.replace("peer support", "peer-support")
    assert edited.flags == () and (edited.start, edited.end) == (old.start, old.end)
    # the speaker reassigned, words and times kept
    moved = after[NEW_SPEAKER - 1]
    old = before[NEW_SPEAKER - 1]
    assert moved == replace(old, speaker="P01", flags=())
    # the split: two turns, cut at the word where the second part begins
    old = before[SPLIT - 1]
    first, second = after[SPLIT - 1], after[SPLIT]
    a, b = split_text(old.text)
    assert (first.id, first.text, first.speaker) == (old.id, a, old.speaker)
    assert (second.text, second.speaker) == (b, "MOD")
    k = len(a.split())
    assert first.words == old.words[:k] and second.words == old.words[k:]
    assert (first.start, first.end, second.start, second.end) == (
        old.start,
        old.words[k - 1].end,
        old.words[k].start,
        old.end,
    )
    assert second.id == f"t{round(old.words[k].start * 1000)}"
    # provenance: who and when, what it was made from; the shareable copy is out of date
    options = checked.provenance.options
    assert options["by"] == "GA" and options["at"]
    assert options[INPUTS] == {"speakers": study.digest(study.transcript_path(SID, Stage.SPEAKERS))}
    assert pipeline.state(study, SID).stale == Stage.PSEUDONYMISED
    # the change log has the texts; the audit log only who and how many
    changes = [json.loads(line) for line in study.change_log_path(SID).read_text().splitlines()]
    assert [(c["row"], c["change"]) for c in changes] == [
        (EDIT_WORD, "text"),
        (NEW_SPEAKER, "speaker"),
        (SPLIT, "text"),
        (SPLIT, "split"),
    ]
    assert changes[0]["before"] == before[EDIT_WORD - 1].text
    assert changes[0]["after"] == edited.text
    assert (changes[1]["before"], changes[1]["after"]) == (before[NEW_SPEAKER - 1].speaker, "P01")
    assert changes[3]["after"] == b and changes[3]["speaker"] == "MOD"
    entry = study.audit_entries()[-1]
    assert entry["command"] == "backcheck import"
    assert entry["counts"]["by"] == "GA" and entry["counts"]["changed_rows"] == 3
    log = study.audit_log.read_text()
    assert "peer-support" not in log and all(t.text not in log for t in draft.turns)


# --- merge and refusals --------------------------------------------------------------------


def exported(root: Path) -> Path:
    assert run(["backcheck", SID, "--all"], root).exit_code == 0
    return root / "identifiable/sessions/BU-pre/backcheck/BU-pre_backcheck.docx"


def test_a_row_merged_into_the_one_above(drafted: Path) -> None:
    sheet = exported(drafted)
    document = docx.Document(str(sheet))
    set_cell(row_of(document.tables[0], 6).cells[0], "^6")
    document.save(str(sheet))
    result = run(["backcheck", SID, "--import", str(sheet), "--by", "GA"], drafted)
    assert result.exit_code == 0, result.output
    draft = draft_of_the_sample()
    checked = Study.open(drafted).load_transcript(SID, Stage.CHECKED)
    five, six = draft.turns[4], draft.turns[5]
    merged = checked.turns[4]
    assert len(checked.turns) == len(draft.turns) - 1
    assert (merged.id, merged.speaker, merged.start, merged.end) == (
        five.id,
        five.speaker,
        five.start,
        six.end,
    )
    assert merged.text == f"{five.text} {six.text}" and merged.words == five.words + six.words
    assert merged.flags == ()
    assert checked.turns[5:] == draft.turns[6:]


def refused(root: Path, sheet: Path, unchanged: Callable[..., Any], *extra: str) -> str:
    with unchanged(root):
        result = run(["backcheck", SID, "--import", str(sheet), "--by", "GA", *extra], root)
    assert result.exit_code == 1, result.output
    return result.output


def test_refuses_a_worksheet_of_another_session(
    drafted: Path, tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    sheet = exported(drafted)
    other = [a if a != "BU-pre" else "BU-post" for a in SAMPLE_INGEST]
    other[other.index("pre")] = "post"
    audio = encode(SAMPLE / "fgd_sample.flac", tmp_path / "post.wav", "pcm_s16le")
    assert run(["ingest", str(audio), *other], drafted).exit_code == 0
    with unchanged(drafted):
        result = run(["backcheck", "BU-post", "--import", str(sheet), "--by", "GA"], drafted)
    assert result.exit_code == 1
    assert result.output == (
        "Error: BU-pre_backcheck.docx is the back-check worksheet of session BU-pre, not"
        " BU-post; import it with 'fgdprep backcheck BU-pre --import BU-pre_backcheck.docx'\n"
    )


def test_refuses_a_file_that_is_not_a_docx(
    drafted: Path, tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    fake = tmp_path / "notes.docx"
    fake.write_text("Row 3: Joseph said it, not Aisha.\n")
    assert refused(drafted, fake, unchanged) == (
        "Error: notes.docx is not a Word document (.docx); save the worksheet as .docx and"
        " try again\n"
    )
    other = tmp_path / "letter.docx"
    docx.Document().save(str(other))
    assert refused(drafted, other, unchanged) == (
        "Error: letter.docx is not an fgdprep back-check worksheet (its properties do not say"
        " which session it is); export one with 'fgdprep backcheck SESSION'\n"
    )


def test_refuses_a_speaker_not_in_the_roster(drafted: Path, unchanged: Callable[..., Any]) -> None:
    sheet = exported(drafted)
    document = docx.Document(str(sheet))
    set_cell(row_of(document.tables[0], 7).cells[2], "P09")
    document.save(str(sheet))
    assert refused(drafted, sheet, unchanged) == (
        "Error: BU-pre_backcheck.docx: row 7: the speaker is not a code of the BU roster"
        " (codes: MOD, P01, P02, P03); write a roster code or add the person to the roster"
        " first\n"
    )


def test_refuses_missing_and_duplicated_rows(drafted: Path, unchanged: Callable[..., Any]) -> None:
    sheet = exported(drafted)
    document = docx.Document(str(sheet))
    table = document.tables[0]
    for n in (3, 4, 9):
        tr = row_of(table, n)._tr
        tr.getparent().remove(tr)
    document.save(str(sheet))
    assert refused(drafted, sheet, unchanged) == (
        "Error: BU-pre_backcheck.docx: row(s) 3-4,9 are missing; put them back (to merge a"
        " row into the one above, write ^ before its number)\n"
    )
    sheet = exported_again(drafted)
    document = docx.Document(str(sheet))
    insert_row_under(row_of(document.tables[0], 5))
    document.save(str(sheet))
    assert refused(drafted, sheet, unchanged) == (
        "Error: BU-pre_backcheck.docx: row(s) 5 appear more than once; mark a split row"
        " with + instead of a number\n"
    )


def exported_again(root: Path) -> Path:
    assert run(["backcheck", SID, "--all", "--force"], root).exit_code == 0
    return root / "identifiable/sessions/BU-pre/backcheck/BU-pre_backcheck.docx"


def test_a_draft_changed_since_export_needs_force(
    drafted: Path, unchanged: Callable[..., Any]
) -> None:
    sheet = exported(drafted)
    document = docx.Document(str(sheet))
    set_cell(row_of(document.tables[0], 2).cells[3], "Hello, Grace. My name is Joseph.")
    set_cell(row_of(document.tables[0], 10).cells[2], "P01")
    document.save(str(sheet))
    # meanwhile the draft changes (speakers run again): turn 10 and turn 12 differ
    study = Study.open(drafted)
    draft = draft_of_the_sample()
    turns = list(draft.turns)
    turns[9] = replace(turns[9], text="Transport is the main problem.")
    turns[11] = replace(turns[11], speaker="P02")
    with study.lock():
        study.save_transcript(replace(draft, turns=tuple(turns)), Stage.SPEAKERS)
    report = (
        "changed in the draft: rows 10,12; edited in the worksheet: rows 2,10; both: rows 10;"
        " edits whose turn is gone from the draft (not applied): rows none"
    )
    assert refused(drafted, sheet, unchanged) == (
        "Error: the draft of session BU-pre changed since BU-pre_backcheck.docx was exported"
        f" ({report}); pass --force to apply the worksheet's edits to the new draft (the"
        " worksheet wins where both changed)\n"
    )
    result = run(["backcheck", SID, "--import", str(sheet), "--by", "GA", "--force"], drafted)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"The draft had changed since export: {report}.\n")
    checked = Study.open(drafted).load_transcript(SID, Stage.CHECKED)
    assert checked.turns[1].text == "Hello, Grace. My name is Joseph."
    assert checked.turns[9].speaker == "P01"
    assert checked.turns[9].text == draft.turns[9].text  # the worksheet's row wins
    assert checked.turns[11].speaker == "P02"  # the draft's own change stays


def test_export_will_not_overwrite_a_worksheet(
    drafted: Path, unchanged: Callable[..., Any]
) -> None:
    exported(drafted)
    with unchanged(drafted):
        result = run(["backcheck", SID], drafted)
    assert result.exit_code == 1
    path = drafted / "identifiable/sessions/BU-pre/backcheck/BU-pre_backcheck.docx"
    assert result.output == (
        f"Error: {path} exists (it may hold the moderator's edits); import it with 'fgdprep"
        f" backcheck BU-pre --import {path} --by INITIALS' or pass --force to replace it\n"
    )


def test_run_ends_by_writing_the_worksheet(drafted: Path, unchanged: Callable[..., Any]) -> None:
    study = Study.open(drafted)
    with study.lock():  # every stage done and current: run has nothing else to do
        made = Provenance("transcribed", "0")
        study.save_transcript(replace(draft_of_the_sample(), provenance=made), Stage.TRANSCRIBED)
    result = run(["run", SID], drafted)
    assert result.exit_code == 0, result.output
    path = "identifiable/sessions/BU-pre/backcheck/BU-pre_backcheck.docx"
    lines = result.output.splitlines()
    assert lines[0] == "BU-pre is up to date; nothing to run."
    flagged = len(cells(drafted / path)) - 1
    assert lines[1] == (
        f"Back-check worksheet of BU-pre: {path} ({flagged} row(s), {flagged} flagged,"
        f" {flagged} clip(s) in BU-pre_backcheck_clips/)"
    )
    assert lines[2] == (
        f"Next: check it against the clips, then: fgdprep backcheck BU-pre --import {path}"
        " --by INITIALS"
    )
    with unchanged(drafted):  # the moderator may be editing it: named, never overwritten
        again = run(["run", SID], drafted)
    assert again.output.splitlines()[1] == (
        f"Back-check worksheet of BU-pre: {path} (already there)"
    )
    # the draft changes (speakers run again): the worksheet there is named as out of date
    draft = draft_of_the_sample()
    changed = replace(draft, turns=(replace(draft.turns[0], speaker="P01"), *draft.turns[1:]))
    with study.lock():
        study.save_transcript(changed, Stage.SPEAKERS)
    made = for_run(Study.open(drafted), SID)
    assert made is not None and made.result is None and made.current is False
    sheet = drafted / path
    args = ["backcheck", SID, "--import", str(sheet), "--by", "GA", "--force"]
    assert run(args, drafted).exit_code == 0
    assert for_run(Study.open(drafted), SID) is None  # back-checked: no worksheet from run


def test_usage_mistakes(drafted: Path, unchanged: Callable[..., Any]) -> None:
    sheet = exported(drafted)
    cases = [
        (["--import", str(sheet)], "Error: --import needs --by with your initials"),
        (["--by", "GA"], "Error: --by goes with --import"),
        (
            ["--import", str(sheet), "--by", "GA", "--all"],
            "Error: -o and --all are for writing a worksheet, not with --import",
        ),
    ]
    for args, message in cases:
        with unchanged(drafted):
            result = run(["backcheck", SID, *args], drafted)
        assert result.exit_code == 2
        assert result.output.splitlines()[-1] == message
    with unchanged(drafted):
        result = run(["backcheck", SID, "--import", str(sheet), "--by", "G A"], drafted)
    assert result.exit_code == 1
    assert result.output == (
        "Error: --by: give your initials (letters, 1-20 characters), e.g. --by AK\n"
    )


def test_a_second_round_works_on_the_checked_transcript(drafted: Path) -> None:
    sheet = exported(drafted)
    document = docx.Document(str(sheet))
    set_cell(row_of(document.tables[0], LOW + 1).cells[2], "P01")
    document.save(str(sheet))
    assert run(["backcheck", SID, "--import", str(sheet), "--by", "GA"], drafted).exit_code == 0
    study = Study.open(drafted)
    first = study.load_transcript(SID, Stage.CHECKED)
    # the turn a person checked is no longer flagged; the next worksheet lists what is left
    assert run(["backcheck", SID, "--force"], drafted).exit_code == 0
    listed = [int(r[0]) for r in cells(sheet)[1:]]
    assert LOW + 1 not in listed and OVERLAPPED + 1 in listed
    document = docx.Document(str(sheet))
    set_cell(row_of(document.tables[0], OVERLAPPED + 1).cells[3], "A good day is when.")
    document.save(str(sheet))
    assert run(["backcheck", SID, "--import", str(sheet), "--by", "AK"], drafted).exit_code == 0
    second = Study.open(drafted).load_transcript(SID, Stage.CHECKED)
    ids = {first.turns[LOW].id, first.turns[OVERLAPPED].id}
    assert set(second.provenance.options["edited"]) == ids
    assert second.provenance.options["by"] == "AK"
    assert second.provenance.options[INPUTS] == first.provenance.options[INPUTS]
    assert second.turns[LOW] == first.turns[LOW]
    assert second.turns[OVERLAPPED].text == "A good day is when."
    changes = study.change_log_path(SID).read_text().splitlines()
    assert [json.loads(c)["by"] for c in changes] == ["GA", "AK"]
