"""The back-check worksheet: a Word table the moderator edits against the recording.

One table row per turn: number, start-end time (a link to the turn's clip where it has one),
speaker, text, why it was flagged; flagged rows shaded. The session id, the draft's stage
and checksum and the row numbers listed are stored in the document's custom properties
(``docProps/custom.xml``, which Word and LibreOffice keep), the session id also as the core
property ``identifier``. Reading takes the cells as the person left them, whatever runs and
styles the word processor split them into.

Markers a person writes in the number cell (the instructions at the top say so):
``+`` on a row inserted under a row splits that turn (the new row holds the later part);
``^12`` merges row 12 into the turn above it.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from fgdprep.errors import InputError

HEADER = ("No.", "Time", "Speaker", "Text", "Why flagged")
SPLIT = "+"
MERGE = "^"
SHADE = "FCE4D6"
PROPERTY_PREFIX = "fgdprep."

INSTRUCTIONS = (
    "Listen to each shaded row (click its time to play the clip) and correct the Text and"
    " Speaker cells (speaker: a roster code). Do not change the numbers.",
    f"To split a turn: insert a row under it, write {SPLIT} in its No. cell, its speaker, and"
    " move the later part of the text there.",
    f"To merge a turn into the turn above it: write {MERGE} before its number (e.g. {MERGE}12)"
    " and leave its text as it is.",
    "Then: fgdprep backcheck {session} --import THIS.docx --by YOUR-INITIALS",
)

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


@dataclass(frozen=True)
class Meta:
    """What the worksheet was made from (kept in its properties)."""

    session: str
    stage: str
    draft_sha256: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Row:
    """A row to write. ``clip``: the clip's path relative to the worksheet, or None."""

    number: int
    time: str
    speaker: str
    text: str
    why: str
    clip: str | None = None


@dataclass(frozen=True)
class ReadRow:
    """A row as the person left it (cell texts, whitespace tidied)."""

    number: str
    time: str
    speaker: str
    text: str


def hms(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def format_rows(rows: Sequence[int]) -> str:
    """Row numbers as ranges: 1-3,7."""
    out: list[str] = []
    nums = sorted(rows)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ",".join(out)


def parse_rows(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in filter(None, text.split(",")):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return tuple(out)


def write(title: str, meta: Meta, rows: Sequence[Row]) -> bytes:
    """The worksheet as .docx bytes."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.5)
    document.add_heading(title, level=1)
    for line in INSTRUCTIONS:
        document.add_paragraph(line.replace("{session}", meta.session))
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = name
        cell.paragraphs[0].runs[0].bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        cells[0].text = str(row.number)
        if row.clip is not None:
            _hyperlink(document, cells[1].paragraphs[0], row.time, row.clip)
        else:
            cells[1].text = row.time
        cells[2].text = row.speaker
        cells[3].text = row.text
        cells[4].text = row.why
        if row.why:
            for cell in cells:
                _shade(cell, SHADE)
    table.autofit = False
    for i, width in enumerate((Cm(1.2), Cm(4.2), Cm(2.4), Cm(11.6), Cm(5.5))):
        table.columns[i].width = width  # the grid: LibreOffice reads this
        for cell in table.columns[i].cells:
            cell.width = width  # Word reads the cells
    core = document.core_properties
    core.identifier = meta.session
    core.title = title
    _set_custom(
        document,
        {
            "session": meta.session,
            "stage": meta.stage,
            "draft_sha256": meta.draft_sha256,
            "rows": format_rows(meta.rows),
        },
    )
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _repeat_header(row: object) -> None:
    """The header row on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)  # type: ignore[attr-defined]


def _shade(cell: object, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _hyperlink(document: object, paragraph: object, text: str, target: str) -> None:
    """A link to a relative path (a click plays the clip in Word and LibreOffice)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    part = document.part  # type: ignore[attr-defined]
    rid = part.relate_to(target, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:color")
    style.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(style)
    props.append(underline)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)  # type: ignore[attr-defined]


def _set_custom(document: object, values: dict[str, str]) -> None:
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    ET.register_namespace("", _CUSTOM_NS)
    ET.register_namespace("vt", _VT_NS)
    root = ET.Element(f"{{{_CUSTOM_NS}}}Properties")
    for pid, (name, value) in enumerate(values.items(), start=2):
        prop = ET.SubElement(root, f"{{{_CUSTOM_NS}}}property")
        prop.set("fmtid", _FMTID)
        prop.set("pid", str(pid))
        prop.set("name", PROPERTY_PREFIX + name)
        ET.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    blob = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
    package = document.part.package  # type: ignore[attr-defined]
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)


def _custom(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            xml = z.read("docProps/custom.xml")
        except KeyError:
            return {}
    root = ET.fromstring(xml)
    out = {}
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property"):
        name = prop.get("name", "")
        if name.startswith(PROPERTY_PREFIX):
            out[name[len(PROPERTY_PREFIX) :]] = "".join(prop.itertext()).strip()
    return out


def _cell_text(cell: object) -> str:
    paragraphs = cell.paragraphs  # type: ignore[attr-defined]
    return " ".join(" ".join(p.text.split()) for p in paragraphs).strip()


def read(data: bytes, name: str) -> tuple[Meta, list[ReadRow]]:
    """The worksheet's properties and rows; :class:`InputError` when ``data`` is not a
    worksheet fgdprep wrote."""
    import docx
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
        props = _custom(data)
    except XMLSyntaxError:  # a damaged part, or a text of 10 MB or more (lxml's limit)
        raise InputError(
            f"{name}: a part of the document cannot be read (damaged, or a text of 10 MB or"
            " more); correct it in Word or export a new worksheet"
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError, ET.ParseError):
        raise InputError(
            f"{name} is not a Word document (.docx); save the worksheet as .docx and try again"
        ) from None
    except Exception as exc:  # python-docx raises its own errors for a damaged package
        if type(exc).__name__ != "PackageNotFoundError":
            raise
        raise InputError(
            f"{name} is not a Word document (.docx); save the worksheet as .docx and try again"
        ) from None
    try:
        meta = Meta(
            props["session"], props["stage"], props["draft_sha256"], parse_rows(props["rows"])
        )
    except (KeyError, ValueError):
        raise InputError(
            f"{name} is not an fgdprep back-check worksheet (its properties do not say which"
            " session it is); export one with 'fgdprep backcheck SESSION'"
        ) from None
    tables = document.tables
    if not tables or tuple(_cell_text(c) for c in tables[0].rows[0].cells) != HEADER:
        raise InputError(
            f"{name}: the worksheet's table is missing or its header row was changed;"
            " export a new worksheet with 'fgdprep backcheck SESSION'"
        )
    rows = []
    for tr in tables[0].rows[1:]:
        cells = [_cell_text(c) for c in tr.cells]
        if len(cells) < 4 or not any(cells[:4]):
            continue
        rows.append(ReadRow(cells[0], cells[1], cells[2], cells[3]))
    return meta, rows
