"""Every export format from the one model: golden files, read back (paragraph n == unit n,
text equal), the REFI-QDA project against the QDA-XML schema."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from exportdata import sample_doc
from fgdprep.errors import InputError
from fgdprep.formats.export import FORMATS, ExportDoc, ExportOptions, make_exporters
from fgdprep.formats.export.base import stamp, unstamp
from fgdprep.formats.export.qdpx import NS, read_project, source_text

GOLDEN = Path(__file__).parent / "golden"
XSD = Path(__file__).parent / "data" / "refi-qda" / "Project-mrt2019.xsd"
DOCX = {"docx", "maxqda-docx", "nvivo-docx"}
UPDATE = os.environ.get("FGDPREP_UPDATE_GOLDEN") == "1"


def _golden(name: str, actual: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(actual)
    assert actual == path.read_bytes(), name


def _docx_view(data: bytes) -> bytes:
    """What a program reads of a Word file: body paragraphs, table rows, header, properties."""
    document = docx.Document(io.BytesIO(data))
    core = document.core_properties
    lines = [f"title: {core.title}", f"subject: {core.subject}", f"keywords: {core.keywords}"]
    lines += [f"comments: {core.comments}", f"language: {core.language}"]
    lines += [f"header: {p.text}" for p in document.sections[0].header.paragraphs if p.text]
    lines += [f"paragraph: {p.text}" for p in document.paragraphs]
    for table in document.tables:
        lines += ["row: " + " | ".join(c.text for c in row.cells) for row in table.rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize("text", ["source", "translation"])
@pytest.mark.parametrize("name", list(FORMATS))
def test_golden_files(name: str, text: str) -> None:
    exporter = FORMATS[name](ExportOptions())
    data = exporter.write([sample_doc(text)])
    if name in DOCX:
        _golden(f"DS-pre_{text}{exporter.suffix}.txt", _docx_view(data))
    elif name == "qdpx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _golden(f"DS-pre_{text}.project.qde", archive.read("project.qde"))
    else:
        _golden(f"DS-pre_{text}{exporter.suffix}", data)


OPTIONS = [
    ExportOptions(),
    ExportOptions("f4", True),
    ExportOptions("bracket"),
    ExportOptions("qualcoder", True),
]


def check_read_back(doc: ExportDoc, options: ExportOptions) -> None:
    """Every format: unit n is what is read as n, with its speaker, text and times."""
    for exporter in make_exporters(list(FORMATS), options):
        units = exporter.read(exporter.write([doc]))
        assert [u.n for u in units] == [u.n for u in doc.units], exporter.name
        assert [u.speaker for u in units] == [u.speaker for u in doc.units], exporter.name
        if exporter.name != "rttm":  # RTTM holds no text
            assert [u.text for u in units] == [u.body for u in doc.units], exporter.name
        step = 10 if exporter.name.startswith("nvivo") else 1000  # tenths or milliseconds
        if exporter.name in ("vtt", "srt", "json", "rttm", "nvivo", "nvivo-docx"):
            assert [(round((u.start or 0) * step), round((u.end or 0) * step)) for u in units] == [
                (round(x.start * step), round(x.end * step)) for x in doc.units
            ], exporter.name


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("text", ["source", "translation"])
def test_every_format_reads_back_unit_for_unit(text: str, options: ExportOptions) -> None:
    check_read_back(sample_doc(text), options)


def test_maxqda_paragraphs_start_with_the_code_and_end_with_f4_times() -> None:
    doc = sample_doc("source")
    lines = FORMATS["maxqda"]().write([doc]).decode("utf-8-sig").split("\r\n")[:-1]
    assert lines[2] == "P02: [crosstalk] Ndiyo, hata mimi. #00:00:15-0#"
    for line, unit in zip(lines, doc.units, strict=True):
        code, colon, _rest = line.partition(":")
        assert colon and code == unit.speaker and len(code) <= 63 and " " not in code
        assert unstamp("f4", line)[1] == round(unit.end, 1)
    paragraphs = docx.Document(io.BytesIO(FORMATS["maxqda-docx"]().write([doc]))).paragraphs
    assert [p.text for p in paragraphs] == lines  # no title, no empty paragraph


def test_timestamp_styles() -> None:
    assert stamp("f4", 83.44) == "#00:01:23-4#"
    assert stamp("bracket", 83.44) == "[00:01:23]"
    assert stamp("qualcoder", 83.4) == "#00:01:23.400#"
    assert stamp("f4", 3599.96) == "#01:00:00-0#"
    assert unstamp("qualcoder", "P01: hi #01:02:03.250#") == ("P01: hi", 3723.25)


def test_qdpx_validates_and_codes_exactly_each_turn() -> None:
    doc = sample_doc("translation")
    data = FORMATS["qdpx"]().write([doc])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        xml = archive.read("project.qde")
        tree = etree.fromstring(xml)
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(tree)
        q = f"{{{NS}}}"
        assert [c.tag.removeprefix(q) for c in tree] == [
            "Users", "CodeBook", "Variables", "Cases", "Sources", "Sets",
        ]  # fmt: skip
        (source,) = tree.iter(f"{q}TextSource")
        assert source.get("richTextPath") is None
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        assert names == ["project.qde", f"sources/{source.get('guid')}.txt"]
        text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    expected_text, spans = source_text(doc)
    assert text == expected_text
    selections = list(source.iter(f"{q}PlainTextSelection"))
    assert [(int(s.get("startPosition")), int(s.get("endPosition"))) for s in selections] == spans
    assert [s.get("name") for s in selections] == [f"DS {u.n}" for u in doc.units]
    # the spans tile the text: every character of a paragraph coded, only the newlines not
    covered = "".join(text[a:b] for a, b in spans)
    assert len(covered) + len(spans) - 1 == len(text)
    codes = {c.get("guid"): c.get("name") for c in tree.iter(f"{q}Code")}
    assert [codes[s.find(f"{q}Coding/{q}CodeRef").get("targetGUID")] for s in selections] == [
        f"DS/{u.speaker}" for u in doc.units
    ]
    sets = {s.get("name") for s in tree.iter(f"{q}Set")}
    assert sets == {"Site DS", "Wave pre"}
    values = [v.text for v in tree.iter(f"{q}TextValue")]
    assert values == ["DS", "pre", "en"]
    ((name, units),) = read_project(data)
    assert name == "DS-pre" and [u.text for u in units] == [u.body for u in doc.units]


def test_qdpx_of_several_sessions_has_a_set_per_site_and_wave() -> None:
    import dataclasses

    a = sample_doc("source")
    b = dataclasses.replace(a, session_id="BU-post", site="BU", wave="post", prefix="BU")
    data = FORMATS["qdpx"]().write([a, b])
    tree = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("project.qde"))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(tree)
    sets = {s.get("name"): len(s) for s in tree.iter(f"{{{NS}}}Set")}
    assert sets == {"Site BU": 1, "Site DS": 1, "Wave post": 1, "Wave pre": 1}
    assert [(n, len(u)) for n, u in read_project(data)] == [("DS-pre", 5), ("BU-post", 5)]


def test_unknown_format_names_the_known_ones() -> None:
    with pytest.raises(InputError) as err:
        make_exporters(["docx", "pdf"], ExportOptions())
    assert err.value.message == (
        "unknown export format 'pdf'; use one or more of " + ", ".join(FORMATS)
    )
