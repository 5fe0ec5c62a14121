"""Paragraph exports: plain text and Word, for reading and for MAXQDA.

MAXQDA's focus-group import (Import › Focus Group Transcripts) makes one code per speaker
from the text before the first colon of each paragraph (at most 63 characters) and codes
the paragraph with it; a Dresing & Pehl/f4 timestamp ``#hh:mm:ss-d#`` at the end of a
paragraph links it to the recording.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from fgdprep.formats.export.base import (
    ExportDoc,
    Exporter,
    ReadUnit,
    paragraph,
    parse_paragraph,
)


def text_lines(data: bytes) -> list[str]:
    """Lines of a UTF-8 file we wrote (BOM and CRLF allowed; only CR/LF break lines)."""
    text = data.decode("utf-8-sig")
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


class _Paragraphs(Exporter):
    """Units as ``CODE: text`` paragraphs; subclasses fix the timestamp style."""

    style: str | None = None  # None: the options' style
    numbers: bool | None = None

    @property
    def _style(self) -> str:
        return self.style or self.options.timestamps

    @property
    def _numbers(self) -> bool:
        return self.options.numbers if self.numbers is None else self.numbers

    def lines(self, doc: ExportDoc) -> list[str]:
        return [paragraph(u, self._style, self._numbers) for u in doc.units]

    def parse(self, lines: list[str]) -> list[ReadUnit]:
        return [
            parse_paragraph(i, line, self._style, self._numbers)
            for i, line in enumerate(lines, start=1)
        ]


class _Text(_Paragraphs):
    sidecar = True
    bom = False
    newline = "\n"

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        body = "".join(line + self.newline for line in self.lines(doc))
        return ("\ufeff" * self.bom + body).encode("utf-8")

    def read(self, data: bytes) -> list[ReadUnit]:
        return self.parse(text_lines(data))


class TxtExporter(_Text):
    name = "txt"
    suffix = ".txt"
    where = "plain text, CODE: lines: ATLAS.ti, QualCoder, any text import"


class MaxqdaTxtExporter(_Text):
    name = "maxqda"
    suffix = "_maxqda.txt"
    where = "MAXQDA: Import › Focus Group Transcripts (text, f4 times)"
    style = "f4"
    numbers = False
    bom = True
    newline = "\r\n"


def _core_time(doc: ExportDoc) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(doc.finalised_at).replace(tzinfo=None)
    except ValueError:
        return dt.datetime(2000, 1, 1)


def new_document(doc: ExportDoc) -> Any:
    """An empty Word document carrying the session's metadata in its properties."""
    import docx

    document = docx.Document()
    for p in list(document.paragraphs):  # the template's body must hold only our units
        p._element.getparent().remove(p._element)
    core = document.core_properties
    core.title = f"{doc.session_id} ({doc.text})"
    core.subject = f"site {doc.site}, wave {doc.wave}, {doc.date}"
    core.keywords = f"pseudonymised; {doc.site}; {doc.wave}; {doc.language}"
    core.comments = doc.meta_line()[:255]  # Word keeps at most 255 characters
    core.category = f"{doc.site} {doc.wave}"
    core.language = doc.language
    core.author = "fgdprep"
    core.last_modified_by = "fgdprep"
    core.created = core.modified = _core_time(doc)
    core.revision = 1
    return document


def docx_bytes(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def open_docx(data: bytes) -> Any:
    import docx

    return docx.Document(io.BytesIO(data))


class _Docx(_Paragraphs):
    header = False

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        document = new_document(doc)
        if self.header:
            document.sections[0].header.paragraphs[0].text = doc.meta_line()
        for line in self.lines(doc):
            document.add_paragraph(line)
        return docx_bytes(document)

    def read(self, data: bytes) -> list[ReadUnit]:
        return self.parse([p.text for p in open_docx(data).paragraphs])


class DocxExporter(_Docx):
    name = "docx"
    suffix = ".docx"
    where = "Word, CODE: paragraphs: for reading; any QDA document import"
    header = True


class MaxqdaDocxExporter(_Docx):
    name = "maxqda-docx"
    suffix = "_maxqda.docx"
    where = "MAXQDA: Import › Focus Group Transcripts (Word, f4 times)"
    style = "f4"
    numbers = False
