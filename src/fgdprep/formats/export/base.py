"""The export interface, its registry, and what the paragraph formats share.

Every export is written from one value, :class:`ExportDoc`: a finalised session's numbered
units (source text or translation) and its metadata. Paragraph formats write unit ``n`` as
paragraph ``n`` of the body and nothing else (no title, no empty paragraph, no line break
inside a unit), so the paragraph numbers MAXQDA, NVivo and ATLAS.ti show are the numbers
``fgdprep cite`` resolves. Metadata goes into document properties, the format's own fields
or a sidecar (``<stem>.meta.json``). Each format can read its own files back
(:meth:`Exporter.read`): the tests check paragraph n == unit n on every written file.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from fgdprep.errors import InputError
from fgdprep.model import Unit

#: Timestamp styles: f4 (Dresing & Pehl, MAXQDA and f4 read it), bracket, qualcoder.
STYLES = ("none", "f4", "bracket", "qualcoder")


@dataclass(frozen=True)
class ExportDoc:
    """One finalised session as an export writes it. ``text`` says which text the units
    hold: ``source`` (the session's language) or ``translation`` (``language``)."""

    session_id: str
    site: str
    wave: str
    date: str
    language: str
    prefix: str
    text: str
    numbering: str
    finalised_at: str
    participants: tuple[str, ...] = ()
    units: tuple[Unit, ...] = ()
    mode: str = "in_person"
    #: The identifiable recording, only when the user asked for it (qdpx --with-recording).
    recording: Path | None = None

    def meta(self) -> dict[str, Any]:
        """Session metadata for sidecars and document properties (codes, never names)."""
        return {
            "session": self.session_id,
            "site": self.site,
            "wave": self.wave,
            "date": self.date,
            "language": self.language,
            "text": self.text,
            "mode": self.mode,
            "citation_prefix": self.prefix,
            "participants": list(self.participants),
            "numbering": self.numbering,
            "finalised": self.finalised_at,
            "paragraphs": len(self.units),
            "pseudonymised": True,
        }

    def meta_line(self) -> str:
        people = ", ".join(self.participants) or "-"
        return (
            f"{self.session_id} · site {self.site} · wave {self.wave} · {self.date} ·"
            f" {self.language} ({self.text}) · participants {people} · pseudonymised"
        )


@dataclass(frozen=True)
class ExportOptions:
    """``timestamps``: the style at the end of each docx/txt paragraph (a format with its
    own convention ignores it); ``numbers``: a visible number and a tab before each;
    ``project``: the name of a project file holding several sessions (the study's)."""

    timestamps: str = "none"
    numbers: bool = False
    project: str = "fgdprep"


@dataclass(frozen=True)
class ReadUnit:
    """A unit as read back from a written file."""

    n: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


class Exporter(ABC):
    """An export format. ``project`` formats write every session into one file;
    ``sidecar`` formats have no metadata fields of their own."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    #: One line for ``fgdprep export --help``: which program it is for and how.
    where: ClassVar[str]
    project: ClassVar[bool] = False
    sidecar: ClassVar[bool] = False

    def __init__(self, options: ExportOptions = ExportOptions()) -> None:
        self.options = options

    @abstractmethod
    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        """The file's bytes (one doc, or every doc for a project format)."""

    @abstractmethod
    def read(self, data: bytes) -> list[ReadUnit]:
        """The units of a file this format wrote, in order (numbers from 1 per session)."""


FORMATS: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    FORMATS[cls.name] = cls
    return cls


def make_exporters(names: Sequence[str], options: ExportOptions) -> list[Exporter]:
    """The exporters for ``names`` (checked all before any is made)."""
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise InputError(
            f"unknown export format {', '.join(repr(n) for n in unknown)};"
            f" use one or more of {', '.join(FORMATS)}"
        )
    return [FORMATS[n](options) for n in dict.fromkeys(names)]


# --- what paragraph formats share -----------------------------------------------------------


def _parts(seconds: float) -> tuple[int, int, int, int]:
    ms = max(0, round(seconds * 1000))
    return ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60, ms % 1000


def stamp(style: str, seconds: float) -> str:
    """A timestamp: f4 ``#00:01:23-4#``, bracket ``[00:01:23]``, qualcoder ``#00:01:23.400#``."""
    if style == "f4":
        tenths = max(0, round(seconds * 10))
        h, m, s = tenths // 36000, tenths // 600 % 60, tenths // 10 % 60
        return f"#{h:02d}:{m:02d}:{s:02d}-{tenths % 10}#"
    h, m, s, ms = _parts(seconds)
    if style == "bracket":
        return f"[{h:02d}:{m:02d}:{s:02d}]"
    if style == "qualcoder":
        return f"#{h:02d}:{m:02d}:{s:02d}.{ms:03d}#"
    raise ValueError(f"unknown timestamp style {style!r}")


_STAMP = {
    "f4": re.compile(r" #(\d{2}):(\d{2}):(\d{2})-(\d)#$"),
    "bracket": re.compile(r" \[(\d{2}):(\d{2}):(\d{2})\]$"),
    "qualcoder": re.compile(r" #(\d{2}):(\d{2}):(\d{2})\.(\d{3})#$"),
}


def unstamp(style: str, text: str) -> tuple[str, float | None]:
    """``text`` without the timestamp a paragraph ends with, and its time in seconds."""
    rx = _STAMP.get(style)
    m = rx.search(text) if rx else None
    if m is None:
        return text, None
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3))
    frac = 0.0 if len(m.groups()) < 4 else int(m.group(4)) / 10 ** len(m.group(4))
    return text[: m.start()], h * 3600 + mi * 60 + s + frac


def paragraph(unit: Unit, style: str = "none", numbers: bool = False) -> str:
    """``CODE: text`` (MAXQDA's focus-group form), the timestamp (the unit's end, where
    f4 puts it) at the end, the number and a tab before it when ``numbers``."""
    line = f"{unit.speaker}:" + (f" {unit.body}" if unit.body else "")
    if style != "none":
        line += " " + stamp(style, unit.end)
    return f"{unit.n}\t{line}" if numbers else line


def parse_paragraph(n: int, line: str, style: str = "none", numbers: bool = False) -> ReadUnit:
    if numbers:
        number, _tab, line = line.partition("\t")
        n = int(number)
    line, end = unstamp(style, line)
    speaker, _colon, text = line.partition(":")
    return ReadUnit(n, speaker, text[1:] if text.startswith(" ") else text, None, end)
