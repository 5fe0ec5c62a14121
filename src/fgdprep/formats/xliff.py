"""The translator packet as XLIFF 2.0 (OASIS core), for CAT tools (OmegaT, memoQ, Trados).

One ``<unit>`` per turn, its ``id`` the turn id and its ``name`` the row number; the speaker
code in a ``<note category="speaker">``; every [label] of the source a protected inline code
(``<ph canDelete="no" equiv="[P03]" disp="[P03]"/>``) so a CAT tool shows it as a tag to
carry over, not words to translate. The row number at export and the source digest are
attributes in fgdprep's own namespace (XLIFF allows them on ``<file>`` and ``<unit>``).
Written and read with lxml: translate-toolkit writes the 1.1 namespace and misplaces 2.0
notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fgdprep.errors import InputError
from fgdprep.formats.packet import LABEL, Packet, PacketRow, instructions, parse_header

NS = "urn:oasis:names:tc:xliff:document:2.0"
FGD = "urn:fgdprep:translation-packet:1"
_X = f"{{{NS}}}"
_F = f"{{{FGD}}}"
SPEAKER = "speaker"


def _inline(parent: Any, text: str, source: dict[str, str] | None = None) -> dict[str, str]:
    """Fill ``parent`` with ``text``, each label a ``<ph>``; returns ph id -> label. For a
    target, ``source`` is the source's codes: a label takes the id of the source code it
    copies, and one the source has no (further) code for stays text."""
    from lxml import etree

    codes: dict[str, str] = {}
    free = list((source or {}).items())
    last: Any = None
    pos = 0

    def put(chunk: str) -> None:
        if not chunk:
            return
        if last is None:
            parent.text = (parent.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    for m in LABEL.finditer(text):
        if source is None:
            pid = str(len(codes) + 1)
        else:
            pid = next((i for i, label in free if label == m.group()), "")
            if not pid:
                continue  # stays in the text as it is
            free.remove((pid, m.group()))
        put(text[pos : m.start()])
        codes[pid] = m.group()
        last = etree.SubElement(
            parent, f"{_X}ph", id=pid, canDelete="no", disp=m.group(), equiv=m.group()
        )
        pos = m.end()
    put(text[pos:])
    return codes


def write(packet: Packet) -> bytes:
    from lxml import etree

    root = etree.Element(
        f"{_X}xliff",
        nsmap={None: NS, "fgd": FGD},
        version="2.0",
        srcLang=packet.source_language,
        trgLang=packet.target_language,
    )
    file = etree.SubElement(root, f"{_X}file", id=packet.session_id, canResegment="no")
    file.set(f"{_F}packet", packet.header())
    notes = etree.SubElement(file, f"{_X}notes")
    for text in instructions(packet):
        etree.SubElement(notes, f"{_X}note", category="instructions").text = text
    for r in packet.rows:
        unit = etree.SubElement(file, f"{_X}unit", id=r.turn, name=str(r.row))
        unit.set(f"{_F}row", str(r.row))
        unit.set(f"{_F}sourceSha256", r.source_sha256)
        unit_notes = etree.SubElement(unit, f"{_X}notes")
        etree.SubElement(unit_notes, f"{_X}note", category=SPEAKER).text = r.speaker
        if r.note:
            etree.SubElement(unit_notes, f"{_X}note", category="note").text = r.note
        segment = etree.SubElement(unit, f"{_X}segment")
        if r.translation:
            segment.set("state", "translated")
        codes = _inline(etree.SubElement(segment, f"{_X}source"), r.source)
        if r.translation:
            _inline(etree.SubElement(segment, f"{_X}target"), r.translation, codes)
    # not pretty-printed: indenting would put whitespace into a source made of codes only
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _text(element: Any, codes: dict[str, str], where: str) -> str:
    """Plain text of a source or target: each ``<ph>`` its source label (by id)."""
    out = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == f"{_X}ph":
            pid = str(child.get("id", ""))
            if pid not in codes:
                raise InputError(f"{where}: inline code {pid!r} is not in the source")
            out.append(codes[pid])
        elif tag in (f"{_X}mrk", f"{_X}pc"):
            out.append(_text(child, codes, where))
        elif tag == f"{_X}cp":
            out.append(chr(int(str(child.get("hex", "20")), 16)))
        out.append(child.tail or "")
    return "".join(out)


def _codes(element: Any) -> dict[str, str]:
    return {
        str(ph.get("id")): str(ph.get("equiv") or ph.get("disp") or "")
        for ph in element.iter(f"{_X}ph")
    }


def _segments(unit: Any) -> Iterator[Any]:
    for child in unit:
        if child.tag in (f"{_X}segment", f"{_X}ignorable"):
            yield child


def read(path: Path) -> Packet:
    """A packet as returned by a CAT tool; :class:`InputError` for a file that is not one."""
    from lxml import etree

    where = path.name
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise InputError(f"{where}: not readable XML ({type(exc).__name__})") from None
    if root.tag != f"{_X}xliff" or not str(root.get("version", "")).startswith("2."):
        raise InputError(
            f"{where}: not XLIFF 2 (namespace {etree.QName(root).namespace or 'none'});"
            " return the packet as XLIFF 2.0"
        )
    files = root.findall(f"{_X}file")
    if len(files) != 1:
        raise InputError(f"{where}: {len(files)} <file> elements; a packet has one")
    file = files[0]
    session, count, source, target, checksum = parse_header(str(file.get(f"{_F}packet", "")), where)
    rows = []
    for unit in file.iter(f"{_X}unit"):
        turn = str(unit.get("id", ""))
        try:
            row = int(str(unit.get(f"{_F}row")))
        except ValueError:
            raise InputError(
                f"{where}: unit {turn!r} is not a row of the packet; keep the units as sent"
            ) from None
        name = str(unit.get("name", ""))
        unit_where = f"{where} row {row}"
        speaker = ""
        notes = []
        for note in unit.iter(f"{_X}note"):
            if note.get("category") == SPEAKER:
                speaker = (note.text or "").strip()
            elif (note.text or "").strip():
                notes.append(" ".join((note.text or "").split()))
        src_parts, trg_parts = [], []
        for segment in _segments(unit):
            src = segment.find(f"{_X}source")
            codes = _codes(src) if src is not None else {}
            if src is not None:
                src_parts.append(_text(src, codes, unit_where))
            trg = segment.find(f"{_X}target")
            if trg is not None:
                trg_parts.append(_text(trg, codes, unit_where))
        rows.append(
            PacketRow(
                row=row,
                turn=turn,
                source_sha256=str(unit.get(f"{_F}sourceSha256", "")),
                speaker=speaker,
                source="".join(src_parts),
                translation=" ".join("".join(trg_parts).split()),
                note=" ".join(notes),
                number=int(name) if name.isdigit() else None,
            )
        )
    return Packet(session, source, target, tuple(rows), count, checksum)
