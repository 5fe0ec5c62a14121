"""NVivo transcripts: rows of Timespan, Speaker, Content.

NVivo imports transcript entries of an audio or video file from a tab-delimited UTF-8 file
(or a Word table) whose columns it maps to its own Timespan (``hh:mm:ss.d-hh:mm:ss.d``, no
brackets), Speaker and Content; rows are in time order and each is one paragraph (row n
after the heading is unit n).
"""

from __future__ import annotations

from collections.abc import Sequence

from fgdprep.formats.export.base import ExportDoc, Exporter, ReadUnit
from fgdprep.formats.export.paragraphs import (
    docx_bytes,
    new_document,
    open_docx,
    text_lines,
)

COLUMNS = ("Timespan", "Speaker", "Content")


def timespan_part(seconds: float) -> str:
    tenths = max(0, round(seconds * 10))
    h, m, s = tenths // 36000, tenths // 600 % 60, tenths // 10 % 60
    return f"{h:02d}:{m:02d}:{s:02d}.{tenths % 10}"


def parse_timespan_part(text: str) -> float:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def _rows(doc: ExportDoc) -> list[tuple[str, str, str]]:
    return [
        (f"{timespan_part(u.start)}-{timespan_part(u.end)}", u.speaker, u.body) for u in doc.units
    ]


def _units(rows: list[list[str]]) -> list[ReadUnit]:
    out = []
    for n, (span, speaker, content) in enumerate(rows[1:], start=1):
        start, _dash, end = span.partition("-")
        out.append(
            ReadUnit(n, speaker, content, parse_timespan_part(start), parse_timespan_part(end))
        )
    return out


class NvivoExporter(Exporter):
    name = "nvivo"
    suffix = "_nvivo.txt"
    where = "NVivo: the recording's transcript, Edit › Import Rows (tabs)"
    sidecar = True

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        lines = ["\t".join(COLUMNS), *("\t".join(r) for r in _rows(doc))]
        return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode("utf-8")

    def read(self, data: bytes) -> list[ReadUnit]:
        return _units([line.split("\t") for line in text_lines(data)])


class NvivoDocxExporter(Exporter):
    name = "nvivo-docx"
    suffix = "_nvivo.docx"
    where = "NVivo: the same rows as a Word table (Edit › Import Rows)"

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        document = new_document(doc)
        rows = _rows(doc)
        table = document.add_table(rows=len(rows) + 1, cols=3)
        for cells, values in zip(table.rows, [COLUMNS, *rows], strict=True):
            for cell, value in zip(cells.cells, values, strict=True):
                cell.text = value
        return docx_bytes(document)

    def read(self, data: bytes) -> list[ReadUnit]:
        (table,) = open_docx(data).tables
        return _units([[c.text for c in row.cells] for row in table.rows])
