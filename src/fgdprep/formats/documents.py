"""Field notes, memos and observation sheets: every text of a Word (.docx), OpenDocument
(.odt) or text file, read as units and written back with labels in place.

A document is a zip of XML parts, and a name can hide in any of them: the body, tables
(nested ones too), headers and footers of every section, footnotes, endnotes, comments
(and their authors), text boxes, tracked deletions, field codes, hyperlinks' targets, the
core, app and custom document properties, custom XML data. :func:`read_document` gives
every text of every part as a :class:`Unit` with a stable id (part and position), so the
labelling engine sees them all; :func:`render_document` writes a copy with the replacements
and every other byte of every other part unchanged; :func:`text_parts` lists the same texts
per part for the leak check.

Formatting belongs to runs (``w:r``, or the text pieces of an ODF paragraph): a replaced span
takes the formatting of the run where it starts, text around it keeps its own, so a bold
facility name becomes a bold label and "(0712 345 678)" keeps both parentheses.

The zip is measured before anything is unzipped (:func:`check_archive`): a part that would
unzip to more than :data:`MAX_RATIO` times its compressed size, a text part over
:data:`MAX_PART` bytes or a package over :data:`MAX_TOTAL` refuses the file (a "zip
bomb"). XML is parsed without entities or network.

People fields (author, last modified by, manager, company, comment and revision authors) are
blanked whatever they hold; the other properties go through the engine like any text.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from fgdprep.errors import InputError

#: Largest uncompressed text (XML) part, whole document, and number of parts we unzip.
MAX_PART = 64 * 1024 * 1024
MAX_TOTAL = 512 * 1024 * 1024
MAX_PARTS = 5000
#: Largest compression ratio of a part bigger than :data:`RATIO_FLOOR` (real XML: 5-20).
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
#: Largest plain-text file.
MAX_TEXT = 64 * 1024 * 1024

SUPPORTED = (".docx", ".odt", ".txt")
TEXT_SUFFIXES = (".txt", ".text", ".md", "")
CONVERT_FIRST = (".rtf", ".pdf", ".doc", ".docm", ".dotx", ".pages", ".wpd")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
XLINK = "http://www.w3.org/1999/xlink"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@dataclass(frozen=True)
class Unit:
    """One text of a document: a paragraph of a story part, a property, a link target.
    ``id`` is stable for the same file: ``part#n`` (the n-th paragraph), ``part@name``."""

    id: str
    part: str
    text: str


@dataclass(frozen=True)
class TextPart:
    """Every text of one part of a document (for the leak check)."""

    name: str
    strings: tuple[str, ...]


@dataclass(frozen=True)
class Replacement:
    """Characters ``start``-``end`` of a unit's text become ``label``."""

    start: int
    end: int
    label: str


def doc_format(path: Path) -> str:
    """ "docx", "odt" or "text"; refuses what must be converted first."""
    suffix = path.suffix.lower()
    if suffix in (".docx", ".odt"):
        return suffix[1:]
    if suffix in CONVERT_FIRST:
        raise InputError(
            f"{path}: {suffix[1:]} files cannot be de-identified; convert to docx first"
            " (Word or LibreOffice: Save as .docx)"
        )
    return "text"


def is_docx(path: Path) -> bool:
    return path.suffix.lower() == ".docx"


# -- the zip, measured before it is opened ------------------------------------------------------


def check_archive(path: Path) -> list[zipfile.ZipInfo]:
    """The parts of a zip package, after checking sizes and compression ratios from its
    directory (nothing is inflated): a bomb is refused with what was found. Text parts are
    parsed in memory, so they have a size limit of their own; pictures only count in the
    total."""
    fmt = doc_format(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"{path}: not a readable {path.suffix[1:]} document (not a zip)") from None
    if len(infos) > MAX_PARTS:
        raise InputError(
            f"{path}: refused: {len(infos)} parts (at most {MAX_PARTS}); not a real document"
        )
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        ratio = size / max(info.compress_size, 1)
        too_big = size > MAX_PART and _is_text_part(fmt, info.filename)
        if too_big or (size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise InputError(
                f"{path}: refused: part {info.filename} would unzip to {_mib(size)}"
                f" ({ratio:.0f} times its compressed size); limits {_mib(MAX_PART)} per text"
                f" part and ratio {MAX_RATIO}: a zip bomb, not a document"
            )
    if total > MAX_TOTAL:
        raise InputError(
            f"{path}: refused: would unzip to {_mib(total)} (at most {_mib(MAX_TOTAL)})"
        )
    return infos


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 100 * 1024 else f"{n / 1024:.1f} KiB"


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """A part, read with a cap (a directory that lies about sizes is caught here)."""
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_PART + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        raise InputError(
            f"{path}: part {info.filename} cannot be unzipped; damaged document"
        ) from None
    if len(data) > MAX_PART or len(data) > info.file_size:
        raise InputError(f"{path}: refused: part {info.filename} is larger than its directory says")
    return data


def _parse(data: bytes, path: Path, name: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise InputError(f"{path}: part {name} is not well-formed XML; damaged document") from None


# -- what each format keeps where ---------------------------------------------------------------


@dataclass(frozen=True)
class _Scheme:
    """Where a format keeps its text: paragraph elements, the elements whose text is text
    (None: every text and tail inside a paragraph), elements that stand for a character,
    attributes blanked or read as text, and property elements."""

    paragraphs: frozenset[str]
    text_holders: frozenset[str] | None
    separators: Mapping[str, str]
    blank_attrs: Mapping[str, str]  # attribute -> replacement value
    text_attrs: frozenset[str]
    blank_elements: frozenset[str]  # elements whose text is a person: emptied
    text_elements: frozenset[str]  # elements whose whole text is one unit
    #: Elements never walked for paragraph text (their text is an attribute-like value).
    skip: frozenset[str] = frozenset()


_DOCX = _Scheme(
    paragraphs=frozenset({_q(W, "p")}),
    text_holders=frozenset({_q(W, "t"), _q(W, "delText")}),
    separators={
        _q(W, "tab"): "\t",
        _q(W, "br"): "\n",
        _q(W, "cr"): "\n",
        _q(W, "noBreakHyphen"): "-",
    },
    blank_attrs={
        _q(W, "author"): "Author",
        _q(W, "initials"): "A",
        _q(W15, "author"): "Author",
        _q(W15, "userId"): "",
    },
    text_attrs=frozenset({_q(W, "tooltip"), _q(W, "instr")}),
    # people and the organisation they work for: blanked, whatever they hold
    blank_elements=frozenset(
        {_q(DC, "creator"), _q(CP, "lastModifiedBy"), _q(EP, "Manager"), _q(EP, "Company")}
    ),
    text_elements=frozenset(
        {
            _q(W, "instrText"),
            _q(DC, "title"),
            _q(DC, "subject"),
            _q(DC, "description"),
            _q(CP, "keywords"),
            _q(CP, "category"),
            _q(CP, "contentStatus"),
            _q(EP, "HyperlinkBase"),
            _q(VT, "lpstr"),
            _q(VT, "lpwstr"),
            _q(VT, "bstr"),
        }
    ),
)

_ODT = _Scheme(
    paragraphs=frozenset({_q(TEXT, "p"), _q(TEXT, "h")}),
    text_holders=None,
    separators={_q(TEXT, "s"): " ", _q(TEXT, "tab"): "\t", _q(TEXT, "line-break"): "\n"},
    blank_attrs={},
    text_attrs=frozenset({_q(XLINK, "href"), _q(OFFICE, "title"), _q(OFFICE, "name")}),
    blank_elements=frozenset({_q(DC, "creator"), _q(META, "initial-creator")}),
    text_elements=frozenset(
        {
            _q(DC, "title"),
            _q(DC, "subject"),
            _q(DC, "description"),
            _q(META, "keyword"),
            _q(META, "user-defined"),
        }
    ),
    skip=frozenset({_q(DC, "creator"), _q(DC, "date"), _q(TEXT, "note-citation")}),
)


def _is_text_part(fmt: str, name: str) -> bool:
    """The XML parts that can hold text a person wrote (not styles' names, themes, fonts)."""
    if fmt == "odt":
        return name in ("content.xml", "styles.xml", "meta.xml")
    if name.startswith("word/") and name.endswith(".xml"):
        base = name[5:]
        return base.startswith(
            ("document", "header", "footer", "footnotes", "endnotes", "comments", "people")
        ) or base.startswith("glossary/document")
    if name.endswith(".rels"):
        return True
    if name in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml"):
        return True
    return name.startswith("customXml/item") and name.endswith(".xml") and "Props" not in name


# -- reading: every text as a unit --------------------------------------------------------------


@dataclass
class _Segment:
    """A piece of a paragraph's text: an element's text, a tail, or a separator element."""

    element: Any
    where: str  # "text", "tail" or "sep"
    text: str


def _segments(paragraph: Any, scheme: _Scheme) -> list[_Segment]:
    """The paragraph's own text pieces in order (nested paragraphs are units of their own)."""
    out: list[_Segment] = []

    def walk(el: Any, top: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not top and tag in scheme.paragraphs:
            return  # its own unit (text box, note, comment inside a paragraph)
        if tag in scheme.skip:
            return
        if tag in scheme.separators:
            out.append(_Segment(el, "sep", scheme.separators[tag]))
        elif tag == _q(W, "delText") and el.text:
            # a tracked deletion is a text of its own: "Halima" deleted before "Mary" is
            # no "HalimaMary" (virtual separators, nothing is written for them)
            out.extend(
                (
                    _Segment(None, "sep", " "),
                    _Segment(el, "text", el.text),
                    _Segment(None, "sep", " "),
                )
            )
        elif (scheme.text_holders is None or tag in scheme.text_holders) and el.text:
            out.append(_Segment(el, "text", el.text))
        for child in el:
            walk(child, False)
            if scheme.text_holders is None and child.tail:
                out.append(_Segment(child, "tail", child.tail))

    walk(paragraph, True)
    return out


@dataclass
class _Part:
    name: str
    root: Any
    units: list[tuple[Unit, Any]]  # (unit, handle: segments, element or attribute)


def _units_of(fmt: str, name: str, root: Any) -> list[tuple[Unit, Any]]:
    scheme = _DOCX if fmt == "docx" else _ODT
    out: list[tuple[Unit, Any]] = []
    if name.endswith(".rels"):
        for n, rel in enumerate(root.iter(_q(REL, "Relationship"))):
            if rel.get("TargetMode") == "External" and rel.get("Target"):
                unit = Unit(f"{name}@{rel.get('Id') or n}", name, rel.get("Target"))
                out.append((unit, (rel, "Target")))
        return out
    if name.startswith("customXml/"):
        # data bound to content controls: every element's text
        texts = [el for el in root.iter() if isinstance(el.tag, str) and (el.text or "").strip()]
        return [(Unit(f"{name}@{n}", name, el.text), el) for n, el in enumerate(texts, 1)]
    paragraphs = others = 0
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in scheme.paragraphs:
            segs = _segments(el, scheme)
            paragraphs += 1
            text = "".join(s.text for s in segs)
            out.append((Unit(f"{name}#{paragraphs}", name, text), segs))
        elif tag in scheme.text_elements and el.text:
            others += 1
            out.append((Unit(f"{name}@{_local(tag)}{others}", name, el.text), el))
        for attr in sorted(scheme.text_attrs):
            value = el.get(attr)
            if value:
                others += 1
                out.append((Unit(f"{name}@{_local(attr)}{others}", name, value), (el, attr)))
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class _Package:
    path: Path
    fmt: str
    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes]
    parts: list[_Part]

    @property
    def units(self) -> list[Unit]:
        return [u for p in self.parts for u, _ in p.units]


def _open_package(path: Path) -> _Package:
    fmt = doc_format(path)
    infos = check_archive(path)
    data: dict[str, bytes] = {}
    parts: list[_Part] = []
    with zipfile.ZipFile(path) as zf:
        names = {i.filename for i in infos}
        if fmt == "docx" and "word/document.xml" not in names:
            raise InputError(f"{path}: not a readable Word document (no word/document.xml)")
        if fmt == "odt" and "content.xml" not in names:
            raise InputError(f"{path}: not a readable OpenDocument text (no content.xml)")
        for info in infos:
            if _is_text_part(fmt, info.filename):
                data[info.filename] = _read_part(zf, info, path)
    for info in _ordered(fmt, infos):
        if _is_text_part(fmt, info.filename):
            root = _parse(data[info.filename], path, info.filename)
            parts.append(_Part(info.filename, root, _units_of(fmt, info.filename, root)))
    return _Package(path, fmt, infos, data, parts)


def _ordered(fmt: str, infos: Sequence[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """The main story first (its paragraphs keep the numbers they always had), then the
    others in package order."""
    main = "word/document.xml" if fmt == "docx" else "content.xml"
    return sorted(infos, key=lambda i: i.filename != main)


def read_document(path: Path) -> list[Unit]:
    """Every text of a document, as units (a text file: one unit per line)."""
    fmt = doc_format(path)
    if fmt == "text":
        return [Unit(f"line#{n}", "", t) for n, t in enumerate(_read_text(path), 1)]
    return _open_package(path).units


def text_parts(path: Path) -> list[TextPart]:
    """Every text-bearing part of a .docx or .odt and its strings (the parts
    :func:`render_document` de-identifies): the leak check searches these. A text file is
    one part."""
    fmt = doc_format(path)
    if fmt == "text":
        return [TextPart(path.name, tuple(_read_text(path)))]
    package = _open_package(path)
    scheme = _DOCX if fmt == "docx" else _ODT
    return [
        TextPart(p.name, (*(u.text for u, _ in p.units), *_people(p.root, scheme)))
        for p in package.parts
    ]


def _people(root: Any, scheme: _Scheme) -> list[str]:
    """What the author fields and attributes hold (blanked on writing)."""
    out = []
    for el in root.iter():
        if el.tag in scheme.blank_elements and el.text:
            out.append(el.text)
        out += [el.get(a) for a in scheme.blank_attrs if el.get(a)]
    return out


def read_paragraphs(path: Path) -> list[str]:
    """Every text of a document (:func:`text_parts`, main story first; text files: lines)."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if path.suffix.lower() in (".docx", ".odt"):
        return [s for part in text_parts(path) for s in part.strings]
    return _read_text(path)


def _read_text(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    size = path.stat().st_size
    if size > MAX_TEXT:
        raise InputError(f"{path}: refused: {_mib(size)} of text (at most {_mib(MAX_TEXT)})")
    try:
        return path.read_text(encoding="utf-8-sig").split("\n")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8, .docx or .odt") from None


# -- writing: labels in place -------------------------------------------------------------------


def render_document(path: Path, replacements: Mapping[str, Sequence[Replacement]]) -> bytes:
    """The document with each unit's replacements made (unit id -> replacements); parts
    with none are copied byte for byte, the zip's order and compression kept."""
    fmt = doc_format(path)
    if fmt == "text":
        lines = _read_text(path)
        out = [splice(text, replacements.get(f"line#{n}", ())) for n, text in enumerate(lines, 1)]
        return "\n".join(out).encode("utf-8")
    from lxml import etree

    package = _open_package(path)
    scheme = _DOCX if fmt == "docx" else _ODT
    changed: dict[str, bytes] = {}
    for part in package.parts:
        touched = False
        for unit, handle in part.units:
            todo = replacements.get(unit.id, ())
            if not todo:
                continue
            touched = True
            if isinstance(handle, list):
                _apply_segments(handle, todo, scheme)
            elif isinstance(handle, tuple):
                el, attr = handle
                el.set(attr, splice(unit.text, todo))
            else:
                handle.text = splice(unit.text, todo)
                if handle.tag == _q(W, "t"):
                    handle.set(XML_SPACE, "preserve")
        touched |= _blank_people(part.root, scheme)
        if touched:
            changed[part.name] = etree.tostring(
                part.root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
    for info in package.infos:
        if _is_thumbnail(info.filename):
            changed[info.filename] = blank_png()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as written, zipfile.ZipFile(path) as source:
        for info in package.infos:
            data = changed.get(info.filename, package.data.get(info.filename))
            if data is not None:
                written.writestr(info, data)
            else:
                _copy_part(source, written, info, path)
    return buffer.getvalue()


def _copy_part(
    source: zipfile.ZipFile, out: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path
) -> None:
    """A part we do not read (a picture), copied in pieces."""
    try:
        with source.open(info) as src, out.open(info, "w") as dest:
            for block in iter(lambda: src.read(1 << 20), b""):
                dest.write(block)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        raise InputError(
            f"{path}: part {info.filename} cannot be unzipped; damaged document"
        ) from None


def _is_thumbnail(name: str) -> bool:
    """A picture of the first page (names in clear): LibreOffice always saves one."""
    return name in ("Thumbnails/thumbnail.png", "docProps/thumbnail.png")


def blank_png() -> bytes:
    """A 1x1 white PNG: the thumbnail of a de-identified document."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _blank_people(root: Any, scheme: _Scheme) -> bool:
    """Author fields and attributes, whatever they hold; True if anything changed."""
    touched = False
    for el in root.iter():
        if el.tag in scheme.blank_elements and el.text:
            el.text = ""
            touched = True
        for attr, value in scheme.blank_attrs.items():
            if el.get(attr) not in (None, value):
                el.set(attr, value)
                touched = True
    return touched


class Labelled(Protocol):
    """Anything that says which characters become which label (:class:`Replacement`, the
    engine's spans)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...


def splice(text: str, replacements: Iterable[Labelled]) -> str:
    """The text with each replaced span's characters given way to its label."""
    out = []
    pos = 0
    for r in sorted(replacements, key=lambda r: r.start):
        out.append(text[pos : r.start])
        out.append(r.label)
        pos = r.end
    out.append(text[pos:])
    return "".join(out)


def _apply_segments(
    segments: Sequence[_Segment], replacements: Sequence[Replacement], scheme: _Scheme
) -> None:
    """Each replaced span's label goes into the segment (run) where the span starts; the
    rest of the span is cut from the segments it covers; segments keep their element.
    Separators (tabs, breaks) inside a span are removed."""
    spans = sorted(replacements, key=lambda r: r.start)
    bounds = []
    pos = 0
    for seg in segments:
        bounds.append((pos, pos + len(seg.text)))
        pos += len(seg.text)
    # the segment that holds each label: the first text segment the span reaches
    home = {}
    for k, r in enumerate(spans):
        for i, (seg, (a, b)) in enumerate(zip(segments, bounds, strict=True)):
            if seg.where != "sep" and b > r.start and a < r.end:
                home[k] = i
                break
    for i, (seg, (a, b)) in enumerate(zip(segments, bounds, strict=True)):
        overlapping = [(k, r) for k, r in enumerate(spans) if r.start < b and a < r.end]
        if not overlapping:
            continue
        if seg.where == "sep":
            if seg.element is not None:
                _drop(seg.element)
            continue
        pieces = []
        cur = a
        for k, r in overlapping:
            if home.get(k) == i:
                pieces.append(seg.text[cur - a : max(r.start, a) - a])
                pieces.append(r.label)
            cur = min(r.end, b)
        pieces.append(seg.text[cur - a :])
        _set(seg, "".join(pieces), scheme)


def _set(seg: _Segment, text: str, scheme: _Scheme) -> None:
    if seg.where == "tail":
        seg.element.tail = text
    else:
        seg.element.text = text
        if seg.element.tag == _q(W, "t"):
            seg.element.set(XML_SPACE, "preserve")


def _drop(element: Any) -> None:
    """A separator inside a replaced span (a tab in the middle of a name): removed, its
    tail kept."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        prev = element.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
