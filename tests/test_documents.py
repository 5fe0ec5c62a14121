"""deidentify on documents: every part of real Word files (python-docx) and OpenDocument files,
formatting kept per run, the document review queue, dates as whole units, and refusals (zip
bombs, formats to convert, --stage paths) that change nothing.

The real Presidio engine and spaCy model do the work (English site BU); Kiswahili (DS) runs
the pattern-only engine.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from docx_build import build
from fgdprep.cli import cli
from fgdprep.formats.documents import MAX_RATIO, blank_png, text_parts
from fgdprep.model import Provenance, Transcript, Turn
from fgdprep.recognizers.patterns import DATE_RE
from fgdprep.store import Study

PASS = "a long enough passphrase"
CONFIG = """\
study:
  name: Document test study
sites:
  - code: BU
    name: Butabika
    country: UG
    language: en
    places: [Kireka, Nakawa]
    facilities: [Mulago Hospital]
  - code: DS
    name: Dar es Salaam
    country: TZ
    language: sw
    places: [Temeke]
    transcription: {model: base}
"""
ROSTER_BU = """\
code,name,aliases,role
MOD,Katrin Weber,,moderator
P01,Halima Nakato,Mama Halima,participant
P02,Emre Yilmaz,,participant
P03,Mary Njeri,,participant
"""
ROSTER_DS = """\
code,name,aliases,role
MOD,Rehema Mushi,,moderator
P01,Baraka Mwakyusa,,participant
"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def run(args: list[str], root: Path | None = None, **kwargs: Any) -> Result:
    env = {"FGDPREP_PASSPHRASE": PASS}
    study = ["--study", str(root)] if root is not None else []
    return CliRunner().invoke(cli, [*study, *args], env=env, catch_exceptions=False, **kwargs)


def _ingest(root: Path, base: Path, session: str, site: str, roster: str) -> None:
    audio = base / f"{session}.wav"
    subprocess.run(["espeak-ng", "-w", str(audio), f"hello {site}"], check=True)
    roster_file = base / f"{session}.csv"
    roster_file.write_text(roster, encoding="utf-8")
    args = ["ingest", str(audio), "--session", session, "--site", site, "--wave", "pre"]
    args += ["--date", "2025-01-01", "--roster", str(roster_file)]
    result = run(args, root)
    assert result.exit_code == 0, result.output


@pytest.fixture
def study(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    _ingest(root, tmp_path, "BU-pre", "BU", ROSTER_BU)
    _ingest(root, tmp_path, "DS-pre", "DS", ROSTER_DS)
    return root


def _save_turns(root: Path, session: str, language: str, texts: list[str]) -> None:
    study = Study.open(root)
    transcript = Transcript(
        session,
        language,
        tuple(Turn(2.0 * i, 2.0 * i + 1.5, t, "P01") for i, t in enumerate(texts)),
        Provenance(stage="transcribed", tool_version="test"),
    )
    with study.lock():
        study.save_transcript(transcript, "transcribed")


def _document_id(output: str) -> str:
    found = re.search(r"Document (doc-[0-9a-f]{10})", output)
    assert found, output
    return found.group(1)


def _codebook(root: Path, tmp_path: Path) -> dict[str, Any]:
    key = tmp_path / "key.json"
    result = run(["codebook", "export", "-o", str(key), "--yes"], root)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(key.read_text(encoding="utf-8"))
    key.unlink()
    return data


def _parts_text(path: Path) -> dict[str, str]:
    """Every part of the package, unzipped, as text (binary parts skipped)."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            raw = zf.read(name)
            try:
                out[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return out


# -- a Word file in every part -----------------------------------------------------------------

PLANTED = dict(
    author="Monika Müller",
    last_modified_by="Katrin Weber",
    title="Notes on Emre Yilmaz",
    subject="Halima Nakato",
    keywords="Kireka",
    comments="about Emre",
    header="Confidential - prepared by Katrin Weber",
    footer="Contact Katrin 0712 345 678",
    first_header="First page: Halima",
    even_footer="Even pages: Mulago Hospital",
    runs=[
        ("Met ", ""),
        ("Mulago Hospital", "b"),
        (" with ", ""),
        ("Halima", "ir"),
        (" (0712 345 678) today.", ""),
    ],
    body="Emre said Nakawa is far.",
    cell="Cell: Halima",
    nested_cell="Nested: Yilmaz",
    textbox="Box: Mama Halima",
    link_target="mailto:halima.nakato@example.com",
    link_text="Halima",
    footnote="Footnote: Katrin Weber",
    comment="Comment: ask Emre",
    comment_author="Katrin Weber",
    header2="Second section: Halima Nakato",
    custom="Halima",
    deleted="Halima",
    inserted="Emre",
    custom_xml="Katrin Weber",
    company="Mulago Hospital Research Unit",
    manager="Monika Müller",
)
#: Every value that must be gone from every part of the package.
VALUES = (
    "Halima",
    "Nakato",
    "Katrin",
    "Weber",
    "Emre",
    "Yilmaz",
    "Kireka",
    "Nakawa",
    "Mulago",
    "Monika",
    "Müller",
    "0712",
    "345 678",
)
#: Where each planted place lands in the package (the leak check searches these parts).
PARTS = {
    "word/document.xml": "Nested: Yilmaz",
    "word/header1.xml": "Confidential - prepared by Katrin Weber",
    "word/footer1.xml": "Contact Katrin 0712 345 678",
    "word/header2.xml": "First page: Halima",
    "word/footer2.xml": "Even pages: Mulago Hospital",
    "word/header3.xml": "Second section: Halima Nakato",
    "word/footnotes.xml": "Footnote: Katrin Weber",
    "word/comments.xml": "Comment: ask Emre",
    "word/_rels/document.xml.rels": "mailto:halima.nakato@example.com",
    "docProps/core.xml": "Monika Müller",
    "docProps/custom.xml": "Halima",
    "customXml/item1.xml": "Katrin Weber",
    "docProps/app.xml": "Mulago Hospital Research Unit",
}


def _runs(path: Path) -> list[tuple[str, bytes]]:
    """(text, run properties XML) of every run of the main story, in order."""
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    out = []
    for r in root.iter(f"{W}r"):
        props = r.find(f"{W}rPr")
        text = "".join(t.text or "" for t in r.findall(f"{W}t"))
        out.append((text, etree.tostring(props) if props is not None else b""))
    return out


def test_every_part_of_a_word_file_is_deidentified(study: Path, tmp_path: Path) -> None:
    notes = build(tmp_path / "notes.docx", PLANTED)
    # the untouched file holds each planted value in the part the leak check searches
    found = {p.name: p.strings for p in text_parts(notes)}
    for part, value in PARTS.items():
        assert value in found[part], part
    out = tmp_path / "notes.deid.docx"
    result = run(["deidentify", str(notes), "--site", "BU", "-o", str(out)], study)
    assert result.exit_code == 0, result.output

    parts = _parts_text(out)
    assert set(parts) == set(_parts_text(notes))
    for name, xml in parts.items():
        for value in VALUES:
            assert value.lower() not in xml.lower(), (name, value)
    for part in text_parts(out):
        for value in VALUES:
            assert not any(value.lower() in s.lower() for s in part.strings), (part.name, value)

    document = docx.Document(str(out))
    first = document.paragraphs[0]
    assert [(r.text, r.bold, r.italic) for r in first.runs] == [
        ("Met ", False, False),
        ("[Hospital 1]", True, False),
        (" with ", False, False),
        ("[P01]", False, True),
        (" ([phone number]) today.", False, False),
    ]
    assert first.runs[3].font.color.rgb == docx.shared.RGBColor(0xC0, 0, 0)
    # formatting of every run is what it was: same runs, same properties, in order
    before, after = _runs(notes), _runs(out)
    assert len(after) == len(before)
    for (old, old_props), (new, new_props) in zip(before, after, strict=True):
        assert new_props == old_props
        assert new == old or "[" in new, (old, new)
    section = document.sections[0]
    assert section.header.paragraphs[0].text == "Confidential - prepared by [MOD]"
    assert section.footer.paragraphs[0].text == "Contact [MOD] [phone number]"
    assert section.first_page_header.paragraphs[0].text == "First page: [P01]"
    assert section.even_page_footer.paragraphs[0].text == "Even pages: [Hospital 1]"
    assert document.sections[1].header.paragraphs[0].text == "Second section: [P01]"
    assert document.tables[0].cell(0, 0).text == "Cell: [P01]"
    assert document.tables[0].cell(0, 1).tables[0].cell(0, 0).text == "Nested: [P02]"
    props = document.core_properties
    assert (props.author, props.last_modified_by) == ("", "")
    assert (props.title, props.subject, props.keywords, props.comments) == (
        "Notes on [P02]",
        "[P01]",
        "[Place 2]",
        "about [P02]",
    )
    assert "Footnote: [MOD]" in parts["word/footnotes.xml"]
    assert "Comment: ask [P02]" in parts["word/comments.xml"]
    assert 'w:author="Author"' in parts["word/comments.xml"]
    assert 'Target="mailto:[email]"' in parts["word/_rels/document.xml.rels"]
    assert parts["word/document.xml"].count("Box: [P01]") == 2  # the text box and its fallback
    assert "<w:delText>[P01]</w:delText>" in parts["word/document.xml"]
    assert "<name>[MOD]</name>" in parts["customXml/item1.xml"]
    assert "<Company></Company><Manager></Manager>" in parts["docProps/app.xml"]


def test_leakcheck_sees_every_part_of_an_untouched_copy(study: Path, tmp_path: Path) -> None:
    notes = build(tmp_path / "notes.docx", PLANTED)
    out = study / "shareable" / "notes" / "notes.deid.docx"
    result = run(["deidentify", str(notes), "--site", "BU", "-o", str(out)], study)
    assert result.exit_code == 0, result.output
    assert run(["leakcheck"], study).exit_code == 0
    # one roster name in one part at a time: each is found
    for part, value in PARTS.items():
        planted = dict.fromkeys(PLANTED, "nothing here")
        planted["runs"] = [("plain", "")]
        planted["link_target"] = "https://example.org/"
        key = {
            "word/document.xml": "nested_cell",
            "word/header1.xml": "header",
            "word/footer1.xml": "footer",
            "word/header2.xml": "first_header",
            "word/footer2.xml": "even_footer",
            "word/header3.xml": "header2",
            "word/footnotes.xml": "footnote",
            "word/comments.xml": "comment",
            "word/_rels/document.xml.rels": "link_target",
            "docProps/core.xml": "author",
            "docProps/custom.xml": "custom",
            "customXml/item1.xml": "custom_xml",
            "docProps/app.xml": "manager",
        }[part]
        planted[key] = "Katrin Weber" if "docProps/" in part else value
        copy = build(study / "shareable" / "notes" / "copy.docx", planted)
        result = run(["leakcheck"], study)
        assert result.exit_code == 1, part
        assert result.output.startswith("shareable/notes/copy.docx paragraph "), part
        copy.unlink()


def test_a_name_split_over_runs_takes_the_first_runs_formatting(tmp_path: Path) -> None:
    from fgdprep.formats.documents import Replacement, read_document, render_document

    document = docx.Document()
    p = document.add_paragraph()
    for text, bold, italic in (("Met Hal", True, False), ("ima Nak", False, True), ("ato.", 0, 0)):
        run_ = p.add_run(text)
        run_.bold, run_.italic = bool(bold), bool(italic)
    p.add_run("\t")
    p.add_run(" Bye.")
    source = tmp_path / "split.docx"
    document.save(str(source))
    [unit] = [u for u in read_document(source) if u.part == "word/document.xml"]
    assert unit.text == "Met Halima Nakato.\t Bye."
    out = tmp_path / "out.docx"
    out.write_bytes(render_document(source, {unit.id: [Replacement(4, 17, "[P01]")]}))
    runs = docx.Document(str(out)).paragraphs[0].runs
    assert [(r.text, r.bold, r.italic) for r in runs] == [
        ("Met [P01]", True, False),
        ("", False, True),
        (".", False, False),
        ("\t", None, None),
        (" Bye.", None, None),
    ]


def test_untouched_parts_are_copied_byte_for_byte_and_runs_repeat(
    study: Path, tmp_path: Path
) -> None:
    notes = build(tmp_path / "notes.docx", PLANTED)
    out = tmp_path / "out.docx"
    assert run(["deidentify", str(notes), "--site", "BU", "-o", str(out)], study).exit_code == 0
    again = tmp_path / "again.docx"
    assert run(["deidentify", str(notes), "--site", "BU", "-o", str(again)], study).exit_code == 0
    assert again.read_bytes() == out.read_bytes()  # the same input, the same bytes
    with zipfile.ZipFile(notes) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        for name in ("word/styles.xml", "word/settings.xml", "word/theme/theme1.xml"):
            assert a.read(name) == b.read(name)


# -- the document review queue -----------------------------------------------------------------


def test_a_wrong_guess_waits_under_the_document_id_and_a_rejection_sticks(
    study: Path, tmp_path: Path
) -> None:
    _save_turns(study, "BU-pre", "en", ["Please call her at night.", "Halima came late."])
    note = tmp_path / "note.txt"
    note.write_text("Call Kevin on Monday about the meeting with Halima.\n", encoding="utf-8")
    result = run(["deidentify", str(note), "--site", "BU"], study)
    assert result.exit_code == 0, result.output
    doc = _document_id(result.output)
    assert result.output.splitlines()[1] == (
        f"Document {doc}: 1 to review with 'fgdprep review {doc}'"
        " (uncertain findings join the codebook only when accepted)."
    )
    deid = tmp_path / "note.deid.txt"
    assert deid.read_text(encoding="utf-8") == (
        "[Person 1] on Monday about the meeting with [P01].\n"
    )
    listing = run(["review", doc], study)
    assert listing.exit_code == 0, listing.output
    assert listing.output.splitlines() == [
        "   1  [Person 1]     PERSON        ner       0.85  line#1: …«Call Kevin» on Monday"
        " about the meeting with Halima…",
        "1 pending; decide with --accept/--reject ID or --accept-all.",
    ]
    book = _codebook(study, tmp_path)
    assert [e["value"] for e in book["entries"]] == ["Halima Nakato"]
    # the study's clean transcript stays clean: "call her" is no hit
    assert run(["pseudonymise", "BU-pre", "-q"], study).exit_code == 0
    clean = run(["leakcheck"], study)
    assert clean.exit_code == 0, clean.output

    rejected = run(["review", doc, "--reject", "1"], study)
    assert rejected.exit_code == 0, rejected.output
    assert rejected.output.startswith(f"{doc}: accepted 0, rejected 1; 0 pending.")
    again = run(["deidentify", str(note), "--site", "BU"], study)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[1] == f"Document {doc}: nothing to review."
    assert deid.read_text(encoding="utf-8") == (
        "Call Kevin on Monday about the meeting with [P01].\n"
    )
    assert run(["review", doc], study).output == f"No pending suggestions for {doc}.\n"
    assert [e["value"] for e in _codebook(study, tmp_path)["entries"]] == ["Halima Nakato"]


def test_an_accepted_guess_joins_the_codebook_with_its_label(study: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.txt"
    first.write_text("We met Juma Hamisi at the market.\n", encoding="utf-8")
    result = run(["deidentify", str(first), "--site", "BU"], study)
    doc = _document_id(result.output)
    assert (tmp_path / "first.deid.txt").read_text(encoding="utf-8") == (
        "We met [Person 1] at the market.\n"
    )
    assert _codebook(study, tmp_path)["entries"] == []
    accepted = run(["review", doc, "--accept", "1"], study)
    assert accepted.exit_code == 0, accepted.output
    entry = _codebook(study, tmp_path)["entries"][0]
    assert re.fullmatch(r"E\d{4}", entry["id"])
    assert (entry["label"], entry["value"], entry["confirmed"]) == (
        "[Person 1]",
        "Juma Hamisi",
        True,
    )
    # known now: replaced for certain in the next document and in the transcripts
    second = tmp_path / "second.txt"
    second.write_text("juma hamisi came again; Juma Hamisi's wife too.\n", encoding="utf-8")
    result = run(["deidentify", str(second), "--site", "BU"], study)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "second.deid.txt").read_text(encoding="utf-8") == (
        "[Person 1] came again; [Person 1]'s wife too.\n"
    )
    _save_turns(study, "BU-pre", "en", ["I saw Juma Hamisi yesterday."])
    assert run(["pseudonymise", "BU-pre", "-q"], study).exit_code == 0
    assert run(["show", "BU-pre"], study).output.rstrip().endswith("I saw [Person 1] yesterday.")


def test_a_name_one_document_taught_is_replaced_in_the_next(study: Path, tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("Dada yangu Halima alikuja Temeke.\n", encoding="utf-8")
    result = run(["deidentify", str(first), "--site", "DS"], study)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.deid.txt").read_text(encoding="utf-8") == (
        "Dada yangu [Person 1] alikuja [Place 1].\n"
    )
    # while it waits, a guess keeps its label in every document that names it
    second = tmp_path / "b.txt"
    second.write_text("Halima na Baraka walikuja.\n", encoding="utf-8")
    result = run(["deidentify", str(second), "--site", "DS"], study)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b.deid.txt").read_text(encoding="utf-8") == (
        "[Person 1] na [P01] walikuja.\n"
    )
    accepted = run(["review", _document_id(result.output), "--accept-all"], study)
    assert accepted.exit_code == 0, accepted.output
    # known now: found by the codebook sweep where no recognizer looks (lower case, inflected)
    third = tmp_path / "c.txt"
    third.write_text("tulimwona halima jana, na kwaHalima pia.\n", encoding="utf-8")
    result = run(["deidentify", str(third), "--site", "DS"], study)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.deid.txt").read_text(encoding="utf-8") == (
        "tulimwona [Person 1] jana, na kwa[Person 1] pia.\n"
    )


def test_roster_full_name_and_given_name_are_one_person(study: Path, tmp_path: Path) -> None:
    note = tmp_path / "n.txt"
    note.write_text("Mary Njeri spoke first, then Mary again.\n", encoding="utf-8")
    assert run(["deidentify", str(note), "--site", "BU"], study).exit_code == 0
    assert (tmp_path / "n.deid.txt").read_text(encoding="utf-8") == (
        "[P03] spoke first, then [P03] again.\n"
    )


def test_a_decision_makes_full_name_and_given_name_one_entry(study: Path, tmp_path: Path) -> None:
    first = tmp_path / "r1.txt"
    first.write_text("Yesterday my sister Rose came to the clinic.\n", encoding="utf-8")
    assert run(["deidentify", str(first), "--site", "BU"], study).exit_code == 0
    assert (tmp_path / "r1.deid.txt").read_text(encoding="utf-8") == (
        "Yesterday my sister [Person 1] came to the clinic.\n"
    )
    second = tmp_path / "r2.txt"
    second.write_text("Rose Wanjiku came late; Rose sat down.\n", encoding="utf-8")
    result = run(["deidentify", str(second), "--site", "BU"], study)
    doc = _document_id(result.output)
    # two guesses: the full name is new, the given name has the label the first note gave
    assert (tmp_path / "r2.deid.txt").read_text(encoding="utf-8") == (
        "[Person 2] came late; [Person 1] sat down.\n"
    )
    decided = run(["review", doc, "--add", "Rose Wanjiku", "--as", "[Person 1]"], study)
    assert decided.exit_code == 0, decided.output
    again = run(["deidentify", str(second), "--site", "BU"], study)
    assert again.output.splitlines()[1] == f"Document {doc}: nothing to review."
    assert (tmp_path / "r2.deid.txt").read_text(encoding="utf-8") == (
        "[Person 1] came late; [Person 1] sat down.\n"
    )
    [entry] = _codebook(study, tmp_path)["entries"]
    assert (entry["label"], entry["value"], entry["aliases"]) == (
        "[Person 1]",
        "Rose",
        ["Rose Wanjiku"],
    )


def test_dismiss_leak_takes_a_session_not_a_document(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Call Kevin on Monday.\n", encoding="utf-8")
    doc = _document_id(run(["deidentify", str(note), "--site", "BU"], study).output)
    with unchanged(study):
        result = run(["review", doc, "--dismiss-leak", "0123456789"], study)
    assert result.exit_code == 2
    assert result.output.endswith("Error: --dismiss-leak takes a session, not a document\n")


def test_review_of_an_unknown_document_is_refused(
    study: Path, unchanged: Callable[[Path], Any]
) -> None:
    with unchanged(study):
        result = run(["review", "doc-0123456789", "--reject", "1"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown document 'doc-0123456789' (documents in this study: none yet);"
        " 'fgdprep deidentify FILE --site SITE' records one\n"
    )


# -- dates and spans as whole units ------------------------------------------------------------

DATES = [
    ("tarehe 27 Novemba 2026 tulikutana", "tarehe 27 Novemba 2026"),
    ("mnamo tarehe 3 Machi, 2021", "tarehe 3 Machi, 2021"),
    ("tarehe 27/11/2026 asubuhi", "tarehe 27/11/2026"),
    ("Am 3. März 2024 war", "3. März 2024"),
    ("am 15. Okt. 2023", "15. Okt. 2023"),
    ("12 Jänner 2020", "12 Jänner 2020"),
    ("27 בנובמבר 2026 היה", "27 בנובמבר 2026"),
    ("२७ नोव्हेंबर २०२६ रोजी", "२७ नोव्हेंबर २०२६"),
    ("१५ ऑगस्टला", "१५ ऑगस्टला"),
    ("on 27 Nov 2026", "27 Nov 2026"),
    ("November 27, 2026", "November 27, 2026"),
]


@pytest.mark.parametrize(("text", "date"), DATES)
def test_dates_are_whole_units(text: str, date: str) -> None:
    assert [m.group() for m in DATE_RE.finditer(text)] == [date]


@pytest.mark.parametrize("text", ["27 Novembaaa", "15 mayonnaise", "१५ मेघा"])
def test_no_date_inside_a_word(text: str) -> None:
    assert list(DATE_RE.finditer(text)) == []


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("sw", "Tulikutana tarehe 27 Novemba 2026 sokoni.", "Tulikutana [date] sokoni."),
        ("de", "Wir trafen uns am 3. März 2024 im Park.", "Wir trafen uns am [date] im Park."),
        ("he", "נפגשנו ב-27 בנובמבר 2026 בפארק.", "נפגשנו ב-[date] בפארק."),
        ("mr", "आम्ही २७ नोव्हेंबर २०२६ रोजी भेटलो.", "आम्ही [date] रोजी भेटलो."),
    ],
)
def test_documents_get_whole_dates(language: str, text: str, expected: str, tmp_path: Path) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text(text + "\n", encoding="utf-8")
    result = run(["deidentify", str(memo), "--language", language])
    assert result.exit_code == 0, result.output
    out = (tmp_path / "memo.deid.txt").read_text(encoding="utf-8")
    assert out == expected + "\n"
    assert not re.search(r"\]\w", out)


def test_a_span_never_ends_inside_a_word_but_keeps_the_parentheses(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,aliases,role\nP07,Grace Nakato,,participant\n")
    memo = tmp_path / "memo.txt"
    memo.write_text("Grace Nakato (0772 123456) came on 3 Novemba.\n", encoding="utf-8")
    result = run(["deidentify", str(memo), "--language", "en", "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "memo.deid.txt").read_text(encoding="utf-8") == (
        "[P07] ([phone number]) came on [date].\n"
    )


# -- OpenDocument ------------------------------------------------------------------------------

ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)


def _odt(path: Path) -> Path:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODT_NS}>'
        "<office:body><office:text>"
        '<text:h>Visit to <text:span text:style-name="B">Mulago Hospital</text:span></text:h>'
        '<text:p>Met <text:span text:style-name="I">Halima</text:span> (0712 345 678).'
        '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
        "<text:note-body><text:p>Note on Emre Yilmaz</text:p></text:note-body></text:note>"
        "<office:annotation><dc:creator>Katrin Weber</dc:creator><text:p>ask Katrin</text:p>"
        "</office:annotation></text:p>"
        "<table:table><table:table-row><table:table-cell><text:p>Cell Halima</text:p>"
        "</table:table-cell></table:table-row></table:table>"
        '<text:p><text:a xlink:href="mailto:halima.nakato@example.com">write</text:a>'
        "<draw:frame><draw:text-box><text:p>by Yilmaz</text:p></draw:text-box></draw:frame>"
        "</text:p></office:text></office:body></office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ODT_NS}>'
        "<office:master-styles><style:master-page><style:header><text:p>Prepared by Katrin"
        "</text:p></style:header></style:master-page></office:master-styles>"
        "</office:document-styles>"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODT_NS}><office:meta>'
        "<meta:initial-creator>Monika Müller</meta:initial-creator><dc:creator>Katrin Weber"
        "</dc:creator><dc:title>Notes on Halima</dc:title>"
        '<meta:user-defined meta:name="Interviewer">Emre</meta:user-defined>'
        "</office:meta></office:document-meta>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("styles.xml", styles, zipfile.ZIP_DEFLATED)
        zf.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)
        zf.writestr(
            "Thumbnails/thumbnail.png", b"\x89PNG first page with Halima", zipfile.ZIP_STORED
        )
    return path


def test_an_odt_file_in_every_part(study: Path, tmp_path: Path) -> None:
    notes = _odt(tmp_path / "notes.odt")
    out = tmp_path / "notes.deid.odt"
    result = run(["deidentify", str(notes), "--site", "BU"], study)
    assert result.exit_code == 0, result.output
    parts = _parts_text(out)
    for name, xml in parts.items():
        for value in VALUES:
            assert value.lower() not in xml.lower(), (name, value)
    content = parts["content.xml"]
    assert '<text:span text:style-name="B">[Hospital 1]</text:span>' in content
    assert 'Met <text:span text:style-name="I">[P01]</text:span> ([phone number]).' in content
    assert "<text:p>Note on [P02]</text:p>" in content
    assert "<text:p>ask [MOD]</text:p>" in content
    assert "<text:p>by [P02]</text:p>" in content
    assert 'xlink:href="mailto:[email]"' in content
    assert "<text:p>Prepared by [MOD]</text:p>" in parts["styles.xml"]
    assert "<dc:title>Notes on [P01]</dc:title>" in parts["meta.xml"]
    with zipfile.ZipFile(out) as zf:
        first = zf.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert zf.read("Thumbnails/thumbnail.png") == blank_png()


# -- refusals ----------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_unzipped(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (16 * 1024 * 1024))
    info = zipfile.ZipFile(bomb).getinfo("word/document.xml")
    ratio = info.file_size / info.compress_size
    assert ratio > MAX_RATIO
    with unchanged(study):
        result = run(["deidentify", str(bomb), "--site", "BU"], study)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {bomb}: refused: part word/document.xml would unzip to 16.0 MiB"
        f" ({ratio:.0f} times its compressed size); limits 64.0 MiB per text part and ratio"
        f" {MAX_RATIO}: a zip bomb, not a document\n"
    )
    assert not (tmp_path / "bomb.deid.docx").exists()


def test_a_zip_that_lies_about_its_sizes_is_refused(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    liar = tmp_path / "liar.docx"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"a" * 500_000)
    data = bytearray(liar.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature, data.find(signature) + 1)  # the second part's headers
        data[at + offset : at + offset + 4] = (1000).to_bytes(4, "little")
    liar.write_bytes(bytes(data))
    assert zipfile.ZipFile(liar).getinfo("word/document.xml").file_size == 1000
    with unchanged(study):
        result = run(["deidentify", str(liar), "--site", "BU"], study)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {liar}: part word/document.xml cannot be unzipped; damaged document\n"
    )


def test_an_oversized_text_file_is_refused(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import fgdprep.formats.documents as documents

    monkeypatch.setattr(documents, "MAX_TEXT", 1024)  # the limit, not the code, made small
    big = tmp_path / "big.txt"
    big.write_text("Halima came.\n" * 200, encoding="utf-8")
    with unchanged(study):
        result = run(["deidentify", str(big), "--site", "BU"], study)
    assert result.exit_code == 1
    assert result.output == f"Error: {big}: refused: 2.5 KiB of text (at most 1.0 KiB)\n"


@pytest.mark.parametrize("suffix", [".rtf", ".pdf"])
def test_rtf_and_pdf_must_be_converted_first(
    suffix: str, study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    source = tmp_path / f"notes{suffix}"
    source.write_bytes(b"{\\rtf1 Halima}" if suffix == ".rtf" else b"%PDF-1.4 Halima")
    with unchanged(study):
        result = run(["deidentify", str(source), "--site", "BU"], study)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {source}: {suffix[1:]} files cannot be de-identified; convert to docx first"
        " (Word or LibreOffice: Save as .docx)\n"
    )
    assert not (tmp_path / f"notes.deid{suffix}").exists()


def test_a_damaged_docx_is_refused(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with unchanged(study):
        result = run(["deidentify", str(broken), "--site", "BU"], study)
    assert result.exit_code == 1
    assert result.output == f"Error: {broken}: not a readable docx document (not a zip)\n"


def test_an_output_that_cannot_be_written_changes_nothing(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Halima came with Juma Hamisi.\n", encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    with unchanged(study):
        result = run(["deidentify", str(note), "--site", "BU", "-o", str(blocker / "x.txt")], study)
    assert result.exit_code == 1
    assert result.output == f"Error: Not a directory [ENOTDIR] ({blocker}/x.txt)\n"
    assert not study.joinpath("identifiable", "documents").exists()


def test_show_takes_only_stage_names(study: Path, unchanged: Callable[[Path], Any]) -> None:
    _save_turns(study, "BU-pre", "en", ["Hello."])
    with unchanged(study):
        result = run(["show", "BU-pre", "--stage", "../../../../x"], study)
    assert result.exit_code == 2
    assert (
        "Invalid value for '--stage': '../../../../x' is not one of 'transcribed', 'speakers',"
        " 'checked', 'pseudonymised'." in result.output
    )
