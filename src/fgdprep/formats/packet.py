"""The translator packet: one row per turn of the pseudonymised transcript, as a Word table.

A :class:`Packet` is what a translator receives and returns; :func:`write_docx` and
:func:`read_docx` put it into a .docx and take it back (:mod:`fgdprep.formats.xliff` does the
same in XLIFF 2.0). The table has one row per turn: number, speaker code, source text, an
empty translation cell, a note cell and a column per reviewer. What identifies a row is kept
where a translator does not type: each number cell holds, in hidden text, the row number at
export, the turn id and the SHA-256 of the source text as sent; the document properties hold
the session, the row count and a checksum over those ids. Word and LibreOffice keep both
(LibreOffice writes the core-properties relationship in a form python-docx does not find, so
the properties are read from the package directly).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgdprep.errors import InputError

#: A label that stands for removed personal information ([P03], [Person 1], [30-39]).
LABEL = re.compile(r"\[[^\[\]\n]+\]")
#: What the document properties of a packet start with (the ``description`` field).
MARK = "fgdprep translation packet 1"
REVIEWERS = 2
_HIDDEN = re.compile(r"^\|(\d+)\|([^|\s]+)\|([0-9a-f]{64})\|$")
_HEADER = re.compile(
    rf"^{re.escape(MARK)}; session (\S+); rows (\d+); (\S+) -> (\S+); sha256 ([0-9a-f]{{64}})$"
)


def labels(text: str) -> list[str]:
    """The [labels] of a text, in order."""
    return LABEL.findall(text)


@dataclass(frozen=True)
class PacketRow:
    """One turn. ``row`` is its number at export (hidden), ``number`` what the file shows
    now (None where the cell holds no number)."""

    row: int
    turn: str
    source_sha256: str
    speaker: str
    source: str
    translation: str = ""
    note: str = ""
    number: int | None = None


@dataclass(frozen=True)
class Packet:
    session_id: str
    source_language: str
    target_language: str
    rows: tuple[PacketRow, ...]
    #: The row count and checksum as exported (what a packet read back is checked against).
    count: int = 0
    checksum: str = ""

    def digest(self) -> str:
        """The checksum over session, languages and every row's number, turn id and source
        digest: the same for the packet as exported and as read back, unless rows or their
        hidden ids changed."""
        lines = [f"{self.session_id}\t{self.source_language}\t{self.target_language}"]
        lines += [f"{r.row}\t{r.turn}\t{r.source_sha256}" for r in sorted(self.rows, key=_row)]
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    def header(self) -> str:
        return (
            f"{MARK}; session {self.session_id}; rows {len(self.rows)};"
            f" {self.source_language} -> {self.target_language}; sha256 {self.digest()}"
        )


def _row(r: PacketRow) -> int:
    return r.row


def parse_header(text: str, where: str) -> tuple[str, int, str, str, str]:
    """(session, rows, source language, target language, checksum) of a packet header."""
    m = _HEADER.match(text.strip())
    if m is None:
        raise InputError(
            f"{where}: not a translation packet made by 'fgdprep translate' (its identifying"
            " properties are missing or changed); make a new one with 'fgdprep translate"
            " SESSION -o FILE'"
        )
    return m[1], int(m[2]), m[3], m[4], m[5]


def hidden_id(row: PacketRow) -> str:
    return f"|{row.row}|{row.turn}|{row.source_sha256}|"


def parse_hidden(text: str) -> tuple[int, str, str] | None:
    m = _HIDDEN.match(text.strip())
    return None if m is None else (int(m[1]), m[2], m[3])


# -- docx ----------------------------------------------------------------------------------


def instructions(packet: Packet) -> list[str]:
    target = packet.target_language
    return [
        f"Write the translation ({target}) of each turn in the column 'Translation ({target})'."
        " Leave a row empty if you have not translated it yet: empty rows are not imported,"
        " so the packet can come back in parts.",
        "Keep every [label] exactly as it is, with its brackets, for example [P03],"
        " [Person 1] or [Place 2]: each stands for a name that was removed. Do not translate"
        " a label, do not add one that is not in the source, and never write a real name.",
        "Do not add, delete, split, merge, move or renumber rows, and do not change the"
        " number, speaker or source cells.",
        "Notes for the team go in the column 'Note'. The reviewer columns are for the two"
        " members of the translation team who check the translation.",
        "Return the file as a Word document (.docx).",
    ]


def columns(packet: Packet) -> list[str]:
    return [
        "#",
        "Speaker",
        f"Source ({packet.source_language})",
        f"Translation ({packet.target_language})",
        "Note",
        *(f"Reviewer {n}" for n in range(1, REVIEWERS + 1)),
    ]


def write_docx(packet: Packet) -> bytes:
    """The packet as a .docx: instructions, then the table; identification in hidden text
    and in the document properties."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    props = document.core_properties
    props.title = f"Translation packet {packet.session_id}"
    props.subject = "fgdprep translation packet"
    props.keywords = "fgdprep"
    props.comments = packet.header()
    props.author = "fgdprep"
    document.add_heading(
        f"Translation packet {packet.session_id}"
        f" ({packet.source_language} -> {packet.target_language})",
        level=1,
    )
    for text in instructions(packet):
        document.add_paragraph(text, style="List Bullet")
    names = columns(packet)
    table = document.add_table(rows=1, cols=len(names))
    table.style = "Table Grid"
    widths = [Cm(1.2), Cm(2.1), Cm(7.0), Cm(7.4), Cm(2.8), *([Cm(2.2)] * REVIEWERS)]
    header = table.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, name in zip(header.cells, names, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    for r in packet.rows:
        cells = table.add_row().cells
        number = cells[0].paragraphs[0]
        number.add_run(str(r.row))
        hidden = number.add_run(hidden_id(r))
        hidden.font.hidden = True
        hidden.font.size = Pt(6)
        cells[1].text = r.speaker
        cells[2].text = r.source
        cells[3].text = r.translation
        cells[4].text = r.note
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # the cell widths Word lays out by
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _core_description(path: Path) -> str:
    """``dc:description`` of the package's core properties, wherever its relationship
    points (Word and LibreOffice write the relationship type differently)."""
    from lxml import etree

    rels_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(path) as package:
        rels = etree.fromstring(package.read("_rels/.rels"), parser)
        for rel in rels.iter(f"{rels_ns}Relationship"):
            if str(rel.get("Type", "")).endswith("/metadata/core-properties"):
                target = str(rel.get("Target", "")).lstrip("/")
                core = etree.fromstring(package.read(target), parser)
                found = core.find("{http://purl.org/dc/elements/1.1/}description")
                return "" if found is None or found.text is None else str(found.text)
    return ""


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Tracked changes: what a cell says depends on accepting or rejecting them.
_TRACKED = tuple(f"{_W}{t}" for t in ("ins", "del", "moveFrom", "moveTo"))


def _run_hidden(run: Any) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(f"{_W}val") not in ("0", "false", "off")


def _paragraph_text(p: Any, hidden: bool) -> str:
    """The text of a paragraph's runs, wherever they sit (hyperlinks, content controls,
    smart tags), only the hidden ones or only the visible ones."""
    out = []
    for run in p.iter(f"{_W}r"):
        if _run_hidden(run) != hidden:
            continue
        for child in run:
            if child.tag == f"{_W}t":
                out.append(child.text or "")
            elif child.tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                out.append(" ")
    return "".join(out)


def _cell_text(cell: Any, hidden: bool = False) -> str:
    """A cell's text: its paragraphs joined by a space (a turn is one paragraph)."""
    parts = [_paragraph_text(p, hidden) for p in cell._tc.iter(f"{_W}p")]
    return " ".join(" ".join(p.split()) for p in parts if p.strip())


def _tracked(cell: Any) -> bool:
    return any(True for _ in cell._tc.iter(*_TRACKED))


def read_docx(path: Path) -> Packet:
    """A packet as returned. Raises :class:`InputError` for a file that is not a packet;
    rows are returned as found (numbers, duplicates and gaps are checked by the caller)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    where = path.name
    unreadable = (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError)
    try:
        document = docx.Document(str(path))
        description = _core_description(path)
    # XMLSyntaxError: a damaged part, or a text of 10 MB or more (lxml's limit)
    except (*unreadable, XMLSyntaxError) as exc:
        raise InputError(
            f"{where}: not a readable Word document ({type(exc).__name__}); return the"
            " packet as .docx"
        ) from None
    session, count, source, target, checksum = parse_header(description, where)
    if not document.tables:
        raise InputError(f"{where}: the packet's table is missing; make a new packet")
    table = document.tables[0]
    width = len(columns(Packet(session, source, target, ())))
    rows = []
    for n, row in enumerate(table.rows[1:], start=1):
        cells = row.cells
        if len(cells) < width:
            raise InputError(
                f"{where}: table row {n} has {len(cells)} cells instead of {width} (cells"
                " merged or deleted); keep the table as it was sent"
            )
        ident = parse_hidden(_cell_text(cells[0], hidden=True))
        if ident is None:
            raise InputError(
                f"{where}: table row {n} is not a row of the packet (its hidden id is"
                " missing: a row added or its number cell retyped); keep the rows as sent"
            )
        if any(_tracked(c) for c in cells[:5]):
            raise InputError(
                f"{where}: row {ident[0]} has tracked changes; accept or reject them (Word:"
                " Review > Accept all changes), save, and import again"
            )
        visible = _cell_text(cells[0])
        rows.append(
            PacketRow(
                row=ident[0],
                turn=ident[1],
                source_sha256=ident[2],
                speaker=_cell_text(cells[1]),
                source=_cell_text(cells[2]),
                translation=_cell_text(cells[3]),
                note=_cell_text(cells[4]),
                number=int(visible) if visible.isdigit() else None,
            )
        )
    return Packet(session, source, target, tuple(rows), count, checksum)
