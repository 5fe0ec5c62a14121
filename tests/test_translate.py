"""translate: the translator packet (docx, XLIFF 2.0) out, translations in, two approvals.

One pseudonymised study per module (a "transcribed" transcript saved through the store, then
the real `pseudonymise` with Presidio and the study roster); tests that change it work on a
copy. Packets are real .docx files written by fgdprep, filled in with python-docx the way a
translator would, once passed through LibreOffice; XLIFF is validated against the OASIS
XLIFF 2.0 core schema (tests/data/xliff/).
"""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import snapshot
from fgdprep.cli import cli
from fgdprep.codebook import load_codebook
from fgdprep.formats.packet import Packet, PacketRow, parse_hidden
from fgdprep.model import Provenance, Transcript, Translation, TranslationRow, Turn, loads
from fgdprep.stages.translate import label_problems, progress, row_problems, rows_sha256
from fgdprep.store import Study

PASS = "translate test passphrase"
DATA = Path(__file__).parent / "data" / "xliff"
XLF = "{urn:oasis:names:tc:xliff:document:2.0}"
CONFIG = """\
study:
  name: Translation test study
sites:
  - code: DS
    name: Dar es Salaam
    country: TZ
    language: sw
    transcription: {model: base}
    places: [Kijitonyama, Temeke]
    facilities: [Muhimbili National Hospital]
pseudonymisation:
  allow_list: [Dar es Salaam]
"""
ROSTER = """\
code,name,aliases,role
MOD,Rehema Mushi,,moderator
P01,Baraka Mwakyusa,,participant
P02,Imani Kimaro,Mama Imani,participant
P03,Neema Swai,,participant
"""
TURNS = (
    ("MOD", "Karibuni wote. Baraka, tuanze na wewe."),
    ("P01", "Asante Rehema. Naishi Kijitonyama, nilitibiwa Muhimbili mwaka 2016."),
    ("P03", "asante neema, namba yangu ni sifuri saba tano nne tatu mbili moja nane saba sita"),
    ("P02", "Mimi ni Imani. Nina imani kwamba huduma zitasaidia watu wa Temeke."),
    ("P03", "Jana tulikwenda hospitali, ilikuwa imejaa."),
    ("MOD", ""),
    ("MOD", "Asanteni sana."),
)
#: What a translator writes, row by row (labels kept as they are).
ENGLISH = {
    1: "Welcome everyone. [P01], let us start with you.",
    2: "Thank you [MOD]. I live in [Place 1], I was treated at [Hospital 1] in 2016.",
    3: "thank you [P03], my number is [phone number]",
    4: "I am [P02]. I believe the services will help the people of [Place 2].",
    5: "Yesterday we went to the hospital, it was full.",
    7: "Thank you very much.",
}


def run(args: list[str], root: Path, env: dict[str, str] | None = None) -> Result:
    full_env = {"FGDPREP_PASSPHRASE": PASS, "FGDPREP_STUDY": str(root), **(env or {})}
    return CliRunner().invoke(cli, args, env=full_env, catch_exceptions=False)


def transcript(session_id: str) -> Transcript:
    turns = tuple(
        Turn(start=2.0 * i, end=2.0 * i + 1.5, text=text, speaker=code)
        for i, (code, text) in enumerate(TURNS)
    )
    return Transcript(session_id, "sw", turns, Provenance(stage="transcribed", tool_version="t"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("translate")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    root = folder / "study"
    assert run(["init", str(root), "--config", str(folder / "config.yaml")], root).exit_code == 0
    for sid, wave, said in (("DS-pre", "pre", "karibuni wote"), ("DS-post", "post", "tena")):
        audio = folder / f"{sid}.wav"
        subprocess.run(["espeak-ng", "-w", str(audio), said], check=True)
        args = ["ingest", str(audio), "--session", sid, "--site", "DS", "--wave", wave]
        args += ["--date", "2019-12-10", "--roster", str(folder / "roster.csv")]
        result = run(args, root)
        assert result.exit_code == 0, result.output
        study = Study.open(root)
        with study.lock():
            study.save_transcript(transcript(sid), "transcribed")
    result = run(["pseudonymise", "DS-pre", "-q"], root)
    assert result.exit_code == 0, result.output
    # "Nina imani kwamba" (I believe that) is a word, not Imani: the leak check finds it and
    # the moderator dismisses it, as the packet needs a clean leak check
    check = run(["leakcheck"], root)
    assert check.output.startswith("shareable/sessions/DS-pre/deidentified.json paragraph 4:")
    for hit in re.findall(r"\[([0-9a-f]{10})\]", check.output):
        assert run(["review", "DS-pre", "--dismiss-leak", hit], root).exit_code == 0
    assert run(["leakcheck"], root).exit_code == 0
    yield root


@pytest.fixture
def study(base: Path, tmp_path: Path) -> Path:
    """A copy of the module's study, for a test that changes it."""
    root = tmp_path / "study"
    shutil.copytree(base, root)
    return root


def shared_texts(root: Path, sid: str = "DS-pre") -> list[str]:
    path = root / "shareable" / "sessions" / sid / "deidentified.json"
    return [t.text for t in loads("transcript", Transcript, path.read_text()).turns]


def translation(root: Path, sid: str = "DS-pre") -> Translation:
    path = root / "shareable" / "sessions" / sid / "translation.json"
    return loads("translation", Translation, path.read_text(encoding="utf-8"))


def make_packet(root: Path, out: Path, *extra: str) -> Path:
    result = run(["translate", "DS-pre", "-o", str(out), *extra], root)
    assert result.exit_code == 0, result.output
    return out


def fill(packet: Path, rows: dict[int, str], dest: Path | None = None) -> Path:
    """Type translations into the packet's translation column, as a translator does."""
    document = docx.Document(str(packet))
    table = document.tables[0]
    for n, text in rows.items():
        table.rows[n].cells[3].text = text
    dest = dest or packet
    document.save(str(dest))
    return dest


def real_values(root: Path) -> list[str]:
    """Every roster name, name part and alias, and every codebook value of the study."""
    values = set()
    for line in ROSTER.splitlines()[1:]:
        _code, name, aliases, _role = line.split(",")
        for phrase in (name, *filter(None, aliases.split(";"))):
            values.add(phrase)
            values.update(w for w in phrase.split() if len(w) >= 3 and w != "Mama")
    book = load_codebook(Study.open(root), PASS)
    values.update(value for _entry, value in book.real_values())
    return sorted(values)


# -- the packet ------------------------------------------------------------------------------


def test_docx_packet_rows_instructions_ids_and_no_real_name(base: Path, tmp_path: Path) -> None:
    out = tmp_path / "DS-pre_translation.docx"
    result = run(["translate", "DS-pre", "-o", str(out)], base)
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Translation packet for DS-pre: {out} (7 rows, 0 already translated; docx).\n"
        "Leak check: no real names in the session's shareable files.\n"
        "Note: 1 suggestion(s) still wait for review (fgdprep review DS-pre); rows may change"
        " after it.\n"
    )
    document = docx.Document(str(out))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Keep every [label] exactly as it is" in body
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "#",
        "Speaker",
        "Source (sw)",
        "Translation (en)",
        "Note",
        "Reviewer 1",
        "Reviewer 2",
    ]
    texts = shared_texts(base)
    shareable = loads(
        "transcript",
        Transcript,
        (base / "shareable/sessions/DS-pre/deidentified.json").read_text(),
    )
    for n, (row, turn) in enumerate(zip(table.rows[1:], shareable.turns, strict=True), 1):
        cells = row.cells
        visible = "".join(r.text for r in cells[0].paragraphs[0].runs if not r.font.hidden)
        hidden = "".join(r.text for r in cells[0].paragraphs[0].runs if r.font.hidden)
        assert visible == str(n)
        ident = parse_hidden(hidden)
        assert ident is not None and ident[:2] == (n, turn.id)
        assert [cells[1].text, cells[2].text, cells[3].text, cells[4].text] == [
            turn.speaker,
            texts[n - 1],
            "",
            "",
        ]
    assert "[P03]" in table.rows[3].cells[2].text
    assert document.core_properties.comments.startswith(
        "fgdprep translation packet 1; session DS-pre; rows 7; sw -> en; sha256 "
    )
    # Done when: the packet holds no roster name, alias or codebook value in any part
    values = real_values(base)
    assert "Baraka" in values and "Kijitonyama" in values and "Mama Imani" in values
    with zipfile.ZipFile(out) as package:
        for name in package.namelist():
            part = package.read(name).decode("utf-8", errors="replace").casefold()
            # the one dismissed hit: "imani" the word (belief), not Imani the person
            part = part.replace("nina imani kwamba", "nina [dismissed] kwamba", 1)
            for value in values:
                assert not re.search(rf"\b{re.escape(value.casefold())}\b", part), (name, value)
    entry = Study.open(base).audit_entries()[-1]
    assert (entry["command"], entry["stage"], entry["counts"]["rows"]) == (
        "translate",
        "translation",
        7,
    )


def test_packet_needs_pseudonymisation(base: Path, tmp_path: Path, unchanged: Any) -> None:
    with unchanged(base):
        result = run(["translate", "DS-post", "-o", str(tmp_path / "p.docx")], base)
    assert result.exit_code == 1
    assert result.output == (
        "Error: session DS-post is not pseudonymised yet; run 'fgdprep pseudonymise DS-post'"
        " first (translators get only pseudonymised text)\n"
    )
    assert not (tmp_path / "p.docx").exists()


def test_packet_needs_a_current_shareable_copy(study: Path, tmp_path: Path, unchanged: Any) -> None:
    changed = transcript("DS-pre")
    turns = (copy.copy(changed.turns[0]), *changed.turns[1:])
    store = Study.open(study)
    with store.lock():
        store.save_transcript(
            Transcript("DS-pre", "sw", turns[:-1], changed.provenance), "transcribed"
        )
    with unchanged(study):
        result = run(["translate", "DS-pre", "-o", str(tmp_path / "p.docx")], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: the shareable copy of DS-pre is out of date; run 'fgdprep pseudonymise"
        " DS-pre' first\n"
    )


def test_packet_refused_when_the_leak_check_finds_a_name(study: Path, tmp_path: Path) -> None:
    (study / "shareable/sessions/DS-pre/notes.txt").write_text("Neema Swai came late.\n")
    log = study / "logs" / "audit.jsonl"
    before = snapshot(study)
    entries = len(Study.open(study).audit_entries())
    result = run(["translate", "DS-pre", "-o", str(tmp_path / "p.docx")], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: the leak check found 1 possible leak(s) in the shareable files of DS-pre; no"
        " packet was written. Run 'fgdprep leakcheck', fix or dismiss them, then make the"
        " packet\n"
    )
    assert not (tmp_path / "p.docx").exists()
    # nothing changed but the leak check's own audit entry (counts, no names)
    after = snapshot(study)
    name = str(log.relative_to(study))
    assert {k: v for k, v in after.items() if k != name} == {
        k: v for k, v in before.items() if k != name
    }
    added = Study.open(study).audit_entries()[entries:]
    assert [(e["command"], e["counts"]["hits"]) for e in added] == [("leakcheck", 1)]
    assert "Neema" not in log.read_text(encoding="utf-8")


def test_packet_does_not_overwrite_a_file_or_go_into_the_study(
    base: Path, tmp_path: Path, unchanged: Any
) -> None:
    out = tmp_path / "back.docx"
    out.write_bytes(b"a translator's work")
    with unchanged(base):
        result = run(["translate", "DS-pre", "-o", str(out)], base)
        inside = run(["translate", "DS-pre", "-o", str(base / "p.docx")], base)
        wrong = run(
            ["translate", "DS-pre", "-o", str(tmp_path / "p.docx"), "--format", "xliff"], base
        )
    assert (result.exit_code, inside.exit_code, wrong.exit_code) == (1, 1, 2)
    assert result.output == (
        f"Error: {out} exists (perhaps a translator's work); name another file or add --force"
        " to replace it\n"
    )
    assert inside.output == (
        f"Error: {base / 'p.docx'}: inside the study folder; write the packet elsewhere (it is"
        " a copy for the translator)\n"
    )
    assert wrong.output.endswith("Error: -o p.docx: a xliff packet is a .xlf, .xliff file\n")
    assert out.read_bytes() == b"a translator's work"


# -- import, partial and whole; approvals -------------------------------------------------------


def test_partial_imports_merge_and_two_reviewers_approve(study: Path, tmp_path: Path) -> None:
    packet = make_packet(study, tmp_path / "p.docx")
    fill(packet, {n: ENGLISH[n] for n in (1, 3)})
    result = run(["translate", "DS-pre", "--import", str(packet), "--by", "NM"], study)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Imported p.docx into DS-pre (by NM): 2 row(s) new or changed, 0 unchanged.\n"
        "DS-pre (sw -> en): 2/6 turns translated.\n"
        "To translate: row(s) 2, 4, 5, 7\n"
        "Approvals: none yet (2 needed).\n"
    )
    done = translation(study)
    assert [(r.text, r.by) for r in done.rows] == [(ENGLISH[1], "NM"), (ENGLISH[3], "NM")]
    # approval refused while rows wait: the row is named
    refused = run(["translate", "DS-pre", "--approve", "--by", "AC"], study)
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: row 2 of DS-pre has no translation (2/6 translated); import the missing"
        " rows before approving\n"
    )
    # the next packet comes pre-filled; the rest is translated and merged
    second = make_packet(study, tmp_path / "p2.docx")
    table = docx.Document(str(second)).tables[0]
    assert table.rows[1].cells[3].text == ENGLISH[1] and table.rows[2].cells[3].text == ""
    fill(second, {n: ENGLISH[n] for n in (2, 4, 5, 7)})
    result = run(["translate", "DS-pre", "--import", str(second), "--by", "NM"], study)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "Imported p2.docx into DS-pre (by NM): 4 row(s) new or changed, 2 unchanged.",
        "DS-pre (sw -> en): 6/6 turns translated.",
    ]
    assert run(["translate", "DS-pre", "--approve", "--by", "AC"], study).output == (
        "Approved by AC.\nDS-pre (sw -> en): 6/6 turns translated.\n"
        f"Approvals: AC ({translation(study).approvals[0].at[:10]}); 1 more needed.\n"
    )
    again = run(["translate", "DS-pre", "--approve", "--by", "AC"], study)
    assert again.exit_code == 1
    assert again.output == (
        "Error: AC has already approved this translation of DS-pre; the second approval must"
        " come from another reviewer\n"
    )
    second_ok = run(["translate", "DS-pre", "--approve", "--by", "BD"], study)
    assert second_ok.exit_code == 0
    assert "Approved by AC (" in second_ok.output and "BD (" in second_ok.output
    assert run(["translate", "DS-pre", "--approve", "--by", "CE"], study).output == (
        "Error: the translation of DS-pre is already approved by AC and BD\n"
    )
    # a later change to one row withdraws both approvals
    fill(second, {4: ENGLISH[4].replace("believe", "trust")})
    result = run(["translate", "DS-pre", "--import", str(second), "--by", "BD"], study)
    assert result.exit_code == 0, result.output
    assert "2 approval(s) withdrawn: the translation changed." in result.output
    status = run(["translate", "DS-pre"], study)
    assert status.output == (
        "DS-pre (sw -> en): 6/6 turns translated.\nApprovals: none yet (2 needed).\n"
    )
    log = (study / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    assert "services" not in log and "trust" not in log  # counts, never text
    imports = [e for e in Study.open(study).audit_entries() if e["command"] == "translate --import"]
    assert [(e["counts"]["by"], e["counts"]["rows_changed"]) for e in imports] == [
        ("NM", 2),
        ("NM", 4),
        ("BD", 1),
    ]


def test_source_change_makes_rows_stale_and_withdraws_approval() -> None:
    turns = (Turn(0, 1, "[P01] alisema.", "P01", id="t0"), Turn(1, 2, "Sawa.", "MOD", id="t1"))
    source = Transcript("DS-pre", "sw", turns, Provenance("deidentified", "t"))
    from fgdprep.model import Approval, source_sha256

    rows = tuple(
        TranslationRow(t.id, f"{t.text} (en)", source_sha256(t.text), by="NM") for t in turns
    )
    done = Translation("DS-pre", "en", "sw", rows)
    done = Translation("DS-pre", "en", "sw", rows, (Approval("AC", "x", rows_sha256(done)),))
    assert progress(source, done, "en").approvals == done.approvals
    edited = Turn(1, 2, "Sawa kabisa.", "MOD", id="t1")
    later = Transcript("DS-pre", "sw", (turns[0], edited), source.provenance)
    now = progress(later, done, "en")
    assert (now.translated, now.turns, now.stale_rows, now.approvals, now.withdrawn) == (
        1,
        2,
        (2,),
        (),
        1,
    )


def test_rows_of_a_changed_source_are_kept_stale_and_gone_turns_skipped(
    study: Path, tmp_path: Path
) -> None:
    packet = make_packet(study, tmp_path / "p.docx")
    fill(packet, dict(ENGLISH))
    # meanwhile the shareable copy changed: turn 7 reworded, turn 5 gone (as after a
    # back-check and pseudonymise again)
    store = Study.open(study)
    shared = store.load_shareable("DS-pre")
    turns = list(shared.turns)
    turns[6] = dataclasses.replace(turns[6], text="Asanteni sana, wote.")
    del turns[4]
    with store.lock():
        store.save_shareable(dataclasses.replace(shared, turns=tuple(turns)))
    result = run(["translate", "DS-pre", "--import", str(packet), "--by", "NM"], study)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Imported p.docx into DS-pre (by NM): 5 row(s) new or changed, 0 unchanged.\n"
        "Row(s) 7: the source changed since the packet was made; kept but marked stale:"
        " translate them again from a new packet.\n"
        "Row(s) 5: the turn is no longer in the transcript or was withdrawn; not imported.\n"
        "DS-pre (sw -> en): 4/5 turns translated, 1 stale.\n"
        "Approvals: none yet (2 needed).\n"
    )
    refused = run(["translate", "DS-pre", "--approve", "--by", "AC"], study)
    assert refused.output == (
        "Error: row 6 of DS-pre was translated from a source text that has changed since"
        " (1 stale); import a new translation of it before approving\n"
    )


# -- refusals on import: each names the row, changes nothing ------------------------------------


def edit_rows(packet: Path, dest: Path, how: Callable[[Any], None]) -> Path:
    document = docx.Document(str(packet))
    how(document.tables[0])
    document.save(str(dest))
    return dest


def _drop_row(table: Any) -> None:
    tr = table.rows[4]._tr
    tr.getparent().remove(tr)


def _copy_row(table: Any) -> None:
    tr = table.rows[2]._tr
    tr.addnext(copy.deepcopy(tr))


def _renumber(table: Any) -> None:
    run_ = table.rows[5].cells[0].paragraphs[0].runs[0]
    run_.text = "4"


def _tracked_insert(table: Any) -> None:
    """Row 5 typed with Word's track changes on: the run sits inside <w:ins>."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = table.rows[5].cells[3].paragraphs[0]._p
    ins = OxmlElement("w:ins")
    ins.set(qn("w:id"), "1")
    ins.set(qn("w:author"), "NM")
    for run in list(paragraph.findall(qn("w:r"))):
        ins.append(run)
    paragraph.append(ins)


@pytest.mark.parametrize(
    ("rows", "edit", "message"),
    [
        (
            {5: ENGLISH[5]},
            _tracked_insert,
            "row 5 has tracked changes; accept or reject them (Word: Review > Accept all"
            " changes), save, and import again",
        ),
        (
            {3: "thank you, my number is [phone number]"},
            None,
            "row 3: [P03] of the source is missing in the translation; keep every [label] as"
            " it is. Nothing was imported.",
        ),
        (
            {3: "thank you Neema, my number is [phone number]"},
            None,
            "2 problems, nothing was imported:\n"
            "  - row 3: [P03] of the source is missing in the translation; keep every [label]"
            " as it is\n"
            "  - row 3: the translation has a real name of [P03] (exact match); write the"
            " label [P03] instead",
        ),
        (
            {3: "thank you [P03] and [P04], my number is [phone number]"},
            None,
            "row 3: [P04] is not in the source; use only the labels of the source. Nothing"
            " was imported.",
        ),
        (
            {7: "Thank you very much, Mama Imani."},
            None,
            "row 7: the translation has a real name of [P02] (exact match); write the label"
            " [P02] instead. Nothing was imported.",
        ),
        (
            {1: ENGLISH[1]},
            _drop_row,
            "row 4 is missing; return every row, translated or not. Nothing was imported.",
        ),
        (
            {1: ENGLISH[1]},
            _copy_row,
            "row 2 appears twice; keep each row once. Nothing was imported.",
        ),
        (
            {1: ENGLISH[1]},
            _renumber,
            "row 5 is numbered 4; keep the numbers as they are. Nothing was imported.",
        ),
    ],
    ids=[
        "tracked",
        "drops-label",
        "real-name-for-label",
        "extra-label",
        "alias",
        "missing",
        "duplicated",
        "renumbered",
    ],
)
def test_import_refusals_name_the_row(
    base: Path,
    tmp_path: Path,
    unchanged: Any,
    rows: dict[int, str],
    edit: Callable[[Any], None] | None,
    message: str,
) -> None:
    packet = make_packet(base, tmp_path / "p.docx")
    fill(packet, rows)
    if edit is not None:
        edit_rows(packet, packet, edit)
    with unchanged(base):
        result = run(["translate", "DS-pre", "--import", str(packet), "--by", "NM"], base)
    assert result.exit_code == 1
    assert result.output == f"Error: p.docx: {message}\n"
    for value in ("Neema", "Imani", "Mwakyusa"):
        assert value not in result.output


def test_import_refuses_other_files(base: Path, tmp_path: Path, unchanged: Any) -> None:
    packet = make_packet(base, tmp_path / "pre.docx")
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip")
    plain = tmp_path / "notes.docx"
    docx.Document().save(str(plain))
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF")
    old_xliff = tmp_path / "old.xlf"
    old_xliff.write_text(
        '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file/></xliff>'
    )
    with unchanged(base):
        other = run(["translate", "DS-post", "--import", str(packet), "--by", "NM"], base)
        bad = run(["translate", "DS-pre", "--import", str(fake), "--by", "NM"], base)
        foreign = run(["translate", "DS-pre", "--import", str(plain), "--by", "NM"], base)
        kind = run(["translate", "DS-pre", "--import", str(pdf), "--by", "NM"], base)
        noby = run(["translate", "DS-pre", "--import", str(packet)], base)
        v12 = run(["translate", "DS-pre", "--import", str(old_xliff), "--by", "NM"], base)
        name = run(["translate", "DS-pre", "--import", str(packet), "--by", "Neema"], base)
    assert [r.exit_code for r in (other, bad, foreign, kind, noby, name)] == [1, 1, 1, 1, 2, 2]
    assert other.output == (
        "Error: pre.docx is the packet of session DS-pre, not DS-post; import it with"
        " 'fgdprep translate DS-pre --import pre.docx'\n"
    )
    assert bad.output == (
        "Error: fake.docx: not a readable Word document (PackageNotFoundError); return the"
        " packet as .docx\n"
    )
    assert foreign.output == (
        "Error: notes.docx: not a translation packet made by 'fgdprep translate' (its"
        " identifying properties are missing or changed); make a new one with 'fgdprep"
        " translate SESSION -o FILE'\n"
    )
    assert kind.output == (
        "Error: x.pdf: not a translation packet (.docx, or .xlf/.xliff for XLIFF 2.0)\n"
    )
    assert v12.exit_code == 1
    assert v12.output == (
        "Error: old.xlf: not XLIFF 2 (namespace urn:oasis:names:tc:xliff:document:1.2);"
        " return the packet as XLIFF 2.0\n"
    )
    assert noby.output.endswith("Error: --import needs --by INITIALS (who did the work)\n")
    assert "give initials (1-4 letters, e.g. AC), not a name" in name.output


# -- LibreOffice -------------------------------------------------------------------------------


def test_round_trip_through_libreoffice(study: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed: make system-deps"
    packet = make_packet(study, tmp_path / "p.docx")
    (tmp_path / "filled").mkdir()
    filled = fill(packet, dict(ENGLISH), tmp_path / "filled" / "p.docx")
    profile = (tmp_path / "lo-profile").as_uri()
    out = tmp_path / "lo"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = out / "p.docx"
    assert converted.read_bytes() != filled.read_bytes()
    result = run(["translate", "DS-pre", "--import", str(converted), "--by", "NM"], study)
    assert result.exit_code == 0, result.output
    assert "6 row(s) new or changed, 0 unchanged." in result.output
    assert "6/6 turns translated" in result.output
    assert [r.text for r in translation(study).rows] == [ENGLISH[n] for n in sorted(ENGLISH)]


# -- XLIFF 2.0 ---------------------------------------------------------------------------------


def xliff_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "xliff_core_2.0.xsd")))


def test_xliff_packet_is_valid_xliff_2_and_reads_back(study: Path, tmp_path: Path) -> None:
    out = make_packet(study, tmp_path / "p.xlf", "--format", "xliff")
    tree = etree.parse(str(out))
    schema = xliff_schema()
    assert schema.validate(tree), schema.error_log
    root = tree.getroot()
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "sw", "en")
    units = root.findall(f".//{XLF}unit")
    ids = [
        t.id
        for t in loads(
            "transcript",
            Transcript,
            (study / "shareable/sessions/DS-pre/deidentified.json").read_text(),
        ).turns
    ]
    assert [u.get("id") for u in units] == ids
    assert [u.get("name") for u in units] == [str(n) for n in range(1, 8)]
    speaker = units[2].find(f"{XLF}notes/{XLF}note[@category='speaker']")
    assert speaker is not None and speaker.text == "P03"
    source = units[2].find(f".//{XLF}source")
    assert source is not None
    ph = source.findall(f"{XLF}ph")
    assert [(p.get("equiv"), p.get("canDelete")) for p in ph] == [
        ("[P03]", "no"),
        ("[phone number]", "no"),
    ]
    assert "[P03]" not in (source.text or "")  # the label is a code, not text
    # a CAT tool's work: targets with the source's codes, written with lxml
    for n, unit in enumerate(units, 1):
        if n not in ENGLISH:
            continue
        segment = unit.find(f"{XLF}segment")
        src = segment.find(f"{XLF}source")
        target = etree.SubElement(segment, f"{XLF}target")
        codes = {p.get("equiv"): p.get("id") for p in src.findall(f"{XLF}ph")}
        parts = re.split(r"(\[[^\]]+\])", ENGLISH[n])
        target.text = parts[0]
        last = None
        for i in range(1, len(parts), 2):
            last = etree.SubElement(target, f"{XLF}ph", id=codes[parts[i]])
            last.tail = parts[i + 1]
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    assert schema.validate(etree.parse(str(out))), schema.error_log
    result = run(["translate", "DS-pre", "--import", str(out), "--by", "TR"], study)
    assert result.exit_code == 0, result.output
    assert [r.text for r in translation(study).rows] == [ENGLISH[n] for n in sorted(ENGLISH)]
    # the next XLIFF packet carries the translations as targets, still valid
    again = make_packet(study, tmp_path / "p2.xlf", "--format", "xliff")
    assert schema.validate(etree.parse(str(again)))


def test_xliff_dropped_code_is_refused(base: Path, tmp_path: Path, unchanged: Any) -> None:
    out = make_packet(base, tmp_path / "p.xliff")
    tree = etree.parse(str(out))
    unit = tree.getroot().findall(f".//{XLF}unit")[2]
    segment = unit.find(f"{XLF}segment")
    target = etree.SubElement(segment, f"{XLF}target")
    target.text = "thank you, my number is "
    etree.SubElement(target, f"{XLF}ph", id="2")
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    with unchanged(base):
        result = run(["translate", "DS-pre", "--import", str(out), "--by", "TR"], base)
    assert result.exit_code == 1
    assert result.output == (
        "Error: p.xliff: row 3: [P03] of the source is missing in the translation; keep every"
        " [label] as it is. Nothing was imported.\n"
    )
    # a code the source does not have
    etree.SubElement(target, f"{XLF}ph", id="9")
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    with unchanged(base):
        result = run(["translate", "DS-pre", "--import", str(out), "--by", "TR"], base)
    assert result.exit_code == 1
    assert result.output == "Error: p.xliff row 3: inline code '9' is not in the source\n"


def test_xliff_packet_has_no_real_name(base: Path, tmp_path: Path) -> None:
    text = make_packet(base, tmp_path / "p.xlf").read_text(encoding="utf-8").casefold()
    text = text.replace("nina imani kwamba", "nina [dismissed] kwamba", 1)  # the dismissed hit
    for value in real_values(base):
        assert not re.search(rf"\b{re.escape(value.casefold())}\b", text), value


def test_translation_language_changed_midway_is_refused(
    study: Path, tmp_path: Path, unchanged: Any
) -> None:
    packet = fill(make_packet(study, tmp_path / "en.docx"), {7: ENGLISH[7]})
    assert run(["translate", "DS-pre", "--import", str(packet), "--by", "NM"], study).exit_code == 0
    config = study / "fgdprep.yaml"
    config.write_text(config.read_text() + "translation:\n  language: de\n")
    with unchanged(study):
        out = run(["translate", "DS-pre", "-o", str(tmp_path / "de.docx")], study)
    back = run(["translate", "DS-pre", "--import", str(packet), "--by", "NM"], study)
    assert out.exit_code == 1
    assert out.output == (
        "Error: the translation of DS-pre is into en, but translation.language is de; set it"
        " back in fgdprep.yaml\n"
    )
    # an English packet still merges into the English translation
    assert back.exit_code == 0, back.output


# -- pure checks -------------------------------------------------------------------------------


def test_row_and_label_checks() -> None:
    rows = tuple(PacketRow(n, f"t{n}", "0" * 64, "P01", "x", number=n) for n in (1, 2, 3))
    packet = Packet("S", "sw", "en", rows, 3)
    packet = Packet("S", "sw", "en", rows, 3, packet.digest())
    assert row_problems(packet) == []
    moved = Packet("S", "sw", "en", (rows[2], rows[0], rows[1]), 3, packet.checksum)
    assert row_problems(moved) == []  # rows sorted differently: ids still match
    tampered = (rows[0], rows[1], PacketRow(3, "t9", "0" * 64, "P01", "x", number=3))
    assert row_problems(Packet("S", "sw", "en", tampered, 3, packet.checksum)) == [
        "the hidden row ids were changed; make a new packet with 'fgdprep translate'"
    ]
    assert label_problems(4, "[P03] na [P03] na [Place 1]", "[P03] and [Place 1]") == []
    assert label_problems(4, "[Person 1]", "[Persona 1]") == [
        "row 4: [Person 1] of the source is missing in the translation; keep every [label]"
        " as it is",
        "row 4: [Persona 1] is not in the source; use only the labels of the source",
    ]


def test_more_refusals_change_nothing(
    base: Path, study: Path, tmp_path: Path, unchanged: Any
) -> None:
    packet = make_packet(base, tmp_path / "p.docx")
    added = edit_rows(packet, tmp_path / "added.docx", lambda table: table.add_row())
    with unchanged(base):
        approve = run(["translate", "DS-pre", "--approve", "--by", "AC"], base)
        extra_row = run(["translate", "DS-pre", "--import", str(added), "--by", "NM"], base)
        missing = run(
            ["translate", "DS-pre", "--import", str(tmp_path / "no.docx"), "--by", "NM"], base
        )
        two = run(["translate", "DS-pre", "--approve", "--by", "AC", "--status"], base)
        by_alone = run(["translate", "DS-pre", "--by", "AC"], base)
        fmt_alone = run(["translate", "DS-pre", "--format", "xliff"], base)
    assert [r.exit_code for r in (approve, extra_row, missing, two, by_alone, fmt_alone)] == [
        1,
        1,
        1,
        2,
        2,
        2,
    ]
    assert approve.output == (
        "Error: DS-pre has no translation yet; import one with 'fgdprep translate DS-pre"
        " --import FILE --by INITIALS'\n"
    )
    assert extra_row.output == (
        "Error: added.docx: table row 8 is not a row of the packet (its hidden id is missing:"
        " a row added or its number cell retyped); keep the rows as sent\n"
    )
    assert missing.output == f"Error: {tmp_path / 'no.docx'}: file not found\n"
    assert two.output.endswith(
        "Error: give one of -o, --import, --approve, --status (got --approve, --status)\n"
    )
    assert by_alone.output.endswith("Error: --by goes with --import or --approve\n")
    assert fmt_alone.output.endswith("Error: --format goes with -o\n")
    # review decided but not yet applied: the shareable copy is not what the packet needs
    assert run(["review", "DS-pre", "--accept-all"], study).exit_code == 0
    with unchanged(study):
        result = run(["translate", "DS-pre", "-o", str(tmp_path / "q.docx")], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: review decisions of DS-pre are not applied to its shareable copy yet; run"
        " 'fgdprep pseudonymise DS-pre' first\n"
    )


_TEXT = st.text(
    alphabet=st.characters(
        categories=("L", "N", "P", "Zs", "S"), exclude_characters="\u00a0\u2028\u2029|"
    ),
    max_size=60,
).map(lambda s: " ".join(s.split()))
_LABELLED = st.lists(
    st.one_of(_TEXT, st.sampled_from(["[P03]", "[Person 1]", "[30-39]", "[phone number]"])),
    max_size=5,
).map(lambda parts: " ".join(p for p in parts if p))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(_LABELLED, _LABELLED, _TEXT), min_size=1, max_size=6),
    fmt=st.sampled_from(["docx", "xliff"]),
)
def test_packet_formats_round_trip(
    rows: list[tuple[str, str, str]], fmt: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from fgdprep.model import source_sha256
    from fgdprep.stages.translate import FORMATS

    made = tuple(
        PacketRow(n, f"t{n * 1000}", source_sha256(src), "P0" + str(n % 4), src, trg, note, n)
        for n, (src, trg, note) in enumerate(rows, 1)
    )
    packet = Packet("DS-pre", "sw", "en", made, len(made))
    packet = Packet("DS-pre", "sw", "en", made, len(made), packet.digest())
    suffixes, write, read = FORMATS[fmt]
    path = tmp_path_factory.mktemp("rt") / f"p{suffixes[0]}"
    path.write_bytes(write(packet))
    back = read(path)
    assert back == packet
    assert row_problems(back) == []
