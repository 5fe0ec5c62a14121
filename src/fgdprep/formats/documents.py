"""Paragraphs of text files and Word documents, read and written back.

A ``.docx`` paragraph keeps its style; its runs are merged into the first one when its text
changes (replacing a name inside a run-split paragraph cannot keep every run's formatting).
Any other file is read as UTF-8 text, one paragraph per line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fgdprep.errors import InputError


def is_docx(path: Path) -> bool:
    return path.suffix.lower() == ".docx"


def _open_docx(path: Path) -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable Word document ({type(exc).__name__})") from None


def _docx_paragraphs(document: Any) -> list[Any]:
    """Body paragraphs, then the paragraphs of table cells, in document order."""
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return paragraphs


def read_paragraphs(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if is_docx(path):
        return [p.text for p in _docx_paragraphs(_open_docx(path))]
    try:
        return path.read_text(encoding="utf-8-sig").split("\n")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 or .docx") from None


def render_paragraphs(source: Path, paragraphs: list[str]) -> bytes:
    """The source file with its paragraphs replaced (same count, same order)."""
    if not is_docx(source):
        return "\n".join(paragraphs).encode("utf-8")
    import io

    document = _open_docx(source)
    targets = _docx_paragraphs(document)
    if len(targets) != len(paragraphs):
        raise ValueError("paragraph count changed")
    for paragraph, text in zip(targets, paragraphs, strict=True):
        if paragraph.text == text:
            continue
        runs = paragraph.runs
        if runs:
            runs[0].text = text
            for run in runs[1:]:
                run.text = ""
        else:
            paragraph.add_run(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
