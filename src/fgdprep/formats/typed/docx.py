"""Word documents (.docx, python-docx): ``Speaker: text`` paragraphs, or a table of
speaker | text with an optional time column, in document order.

A transcript table has two or three columns; the time column (start times, or f4 stamps) is
found by its content, anywhere; of the other two the first is the speaker and the second
the text. A first row whose speaker cell is a column heading ("Speaker", "Name") is left out,
and a row with an empty speaker cell continues the turn above it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any, ClassVar

from fgdprep.errors import InputError
from fgdprep.formats.typed.base import Entry, Typed, TypedReader, clean, not_this, parse_paragraphs
from fgdprep.formats.typed.f4 import parse_clock, split_stamps

#: Column headings: a first row without a time that holds one of these is left out.
HEADINGS = frozenset(
    {"speaker", "speakers", "name", "who", "sprecher", "sprecherin", "person", "omwogezi"}
    | {"time", "start", "zeit", "text", "transcript", "utterance"}
)


def _open(data: bytes, source: str) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    if not data.startswith(b"PK\x03\x04"):
        raise not_this(source, "a Word .docx document", data)
    try:
        return docx.Document(io.BytesIO(data))
    # XMLSyntaxError: a damaged part, or a text of 10 MB or more (lxml's limit)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, XMLSyntaxError) as exc:
        raise InputError(
            f"{source}: not a readable Word .docx document ({type(exc).__name__});"
            " open it in Word and save it again as .docx"
        ) from None


def _cells(row: Any) -> list[str]:
    seen: set[int] = set()
    out = []
    for cell in row.cells:  # a merged cell appears once per grid column
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(clean(cell.text))
    return out


def _table(table: Any, number: int, source: str) -> Iterator[Entry | tuple[str, str]]:
    """Entries of a transcript table; a row with no speaker yields (where, text) to
    continue the turn above."""
    rows = [_cells(row) for row in table.rows]
    for r, cells in enumerate(rows, start=1):
        if any(cells) and len(cells) not in (2, 3):
            raise InputError(
                f"{source}: table {number} row {r}: {len(cells)} columns; a transcript table"
                " has speaker, text and optionally a time column"
            )
    width = max((len(c) for c in rows), default=0)
    timed = [sum(1 for c in rows if len(c) > i and parse_clock(c[i]) is not None) for i in range(3)]
    time_col = timed.index(max(timed)) if width == 3 and max(timed) else None
    speaker_col, text_col = [i for i in range(width) if i != time_col][:2]
    for r, cells in enumerate(rows, start=1):
        where = f"{source}: table {number} row {r}"
        if not any(cells):
            continue
        start = parse_clock(cells[time_col]) if time_col is not None else None
        speaker, text = cells[speaker_col], cells[text_col]
        if r == 1 and start is None and any(c.casefold().rstrip(":") in HEADINGS for c in cells):
            continue
        stamp_start, text, end = split_stamps(text, where)
        if not speaker:
            yield where, text
        else:
            yield Entry(speaker.rstrip(":").strip(), text, start or stamp_start, end, where)


class DocxReader(TypedReader):
    name = "docx"
    suffixes: ClassVar[tuple[str, ...]] = (".docx",)

    def read(self, data: bytes, source: str) -> Typed:
        from docx.table import Table

        document = _open(data, source)
        body = document.element.body
        tracked = len(body.xpath(".//w:ins | .//w:del"))
        if tracked:
            # python-docx reads neither: inserted text would be lost, deleted text kept out
            raise InputError(
                f"{source}: holds {tracked} tracked change(s); accept or reject them in Word"
                " (Review, Accept All Changes) and save it again"
            )
        entries: list[Entry] = []
        paragraphs: list[tuple[str, str]] = []
        skipped = 0
        tables = 0
        for n, block in enumerate(document.iter_inner_content(), start=1):
            if not isinstance(block, Table):
                paragraphs.append((f"{source}: paragraph {n - tables}", block.text))
                continue
            tables += 1
            for item in _table(block, tables, source):
                if isinstance(item, Entry):
                    entries.append(item)
                elif entries:
                    last = entries[-1]
                    entries[-1] = Entry(
                        last.speaker,
                        f"{last.text} {item[1]}".strip(),
                        last.start,
                        last.end,
                        last.where,
                    )
        if paragraphs and not entries:
            return parse_paragraphs(paragraphs)
        if paragraphs:
            typed = parse_paragraphs(paragraphs)
            if typed.entries:
                raise InputError(
                    f"{source}: holds both a transcript table and 'Speaker: text' paragraphs;"
                    " keep one of them"
                )
            skipped = typed.skipped
        for e in entries:
            if not e.text:
                raise InputError(f"{e.where}: the speaker has no text; add it or delete the row")
        return Typed(tuple(entries), skipped)
