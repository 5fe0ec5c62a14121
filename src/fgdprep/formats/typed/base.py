"""What every reader of a hand-typed transcript shares: the entries it returns, the
registry, decoding and sniffing of the file's bytes, and ``Speaker: text`` paragraphs.

Readers get the file's bytes (read once: the stage hashes the same bytes) and return
:class:`Entry` values: the speaker's name as typed, the text, and the times the file gives.
Mapping names to roster codes and filling missing times is the import stage's work.
Errors name the file and the paragraph, cue or row, never its text.
"""

from __future__ import annotations

import codecs
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from fgdprep.errors import InputError
from fgdprep.formats.typed.f4 import split_stamps
from fgdprep.model import too_long


@dataclass(frozen=True)
class Entry:
    """One speaker's contribution as typed. ``where`` ("paragraph 4", "cue 7", "table 1
    row 3") points the user at it in messages."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    where: str = ""


@dataclass(frozen=True)
class Typed:
    """A file read: its entries, and how many paragraphs before the first speaker were left
    out (a title, a date line: not speech)."""

    entries: tuple[Entry, ...]
    skipped: int = 0


class TypedReader(ABC):
    """A format of hand-typed transcripts, chosen by file suffix (or ``--format``)."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    @abstractmethod
    def read(self, data: bytes, source: str) -> Typed:
        """The entries of the file; :class:`InputError` names what is wrong and where."""


READERS: dict[str, type[TypedReader]] = {}


def register(cls: type[TypedReader]) -> type[TypedReader]:
    READERS[cls.name] = cls
    return cls


def reader_for(path: Path, name: str | None = None) -> TypedReader:
    """The reader ``name`` names, else the one for the file's suffix."""
    if name is not None:
        if name not in READERS:
            raise InputError(f"unknown format {name!r}; use one of {', '.join(READERS)}")
        return READERS[name]()
    suffix = path.suffix.lower()
    for cls in READERS.values():
        if suffix in cls.suffixes:
            return cls()
    if suffix == ".doc":
        raise InputError(f"{path.name}: an old Word .doc file; save it as .docx in Word")
    known = ", ".join(s for cls in READERS.values() for s in cls.suffixes)
    raise InputError(
        f"{path.name}: cannot tell the format from the suffix {suffix or '(none)'!r};"
        f" use one of {known}, or --format"
    )


def read_typed(path: Path, name: str | None = None) -> tuple[str, bytes, Typed]:
    """The reader's name, the file's bytes and what the reader made of them."""
    reader = reader_for(path, name)
    if not path.is_file():
        raise InputError(f"{path}: {'not a file' if path.exists() else 'file not found'}")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path.name}: the file is empty")
    typed = reader.read(data, path.name)
    if not typed.entries:
        raise InputError(
            f"{path.name}: no 'Speaker: text' paragraph found; each turn must begin with"
            " the speaker's name or code and a colon"
        )
    for e in typed.entries:
        if (problem := too_long(e.text)) is not None:
            raise InputError(f"{e.where} {problem}; are its line breaks lost?")
    return reader.name, data, typed


# --- bytes ------------------------------------------------------------------------------------

_MAGIC = (
    (b"RIFF", "a WAV recording"),
    (b"ID3", "an MP3 recording"),
    (b"fLaC", "a FLAC recording"),
    (b"OggS", "an Ogg recording"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Word .doc file"),
    (b"{\\rtf", "an RTF document"),
    (b"PK\x03\x04", "a Word .docx or other ZIP file"),
)


def sniff(data: bytes) -> str | None:
    """What well-known kind of file ``data`` starts like ("a WAV recording"), if any."""
    if data[4:8] == b"ftyp":
        return "an MP4/M4A recording"
    return next((what for magic, what in _MAGIC if data.startswith(magic)), None)


def not_this(source: str, kind: str, data: bytes) -> InputError:
    """The error for a file that is not of the format its name says."""
    what = sniff(data)
    hint = f" (it looks like {what})" if what else ""
    audio = "; for a recording use 'fgdprep ingest'" if what and "recording" in what else ""
    return InputError(f"{source}: not {kind}{hint}{audio}")


def decode_text(data: bytes, source: str, kind: str = "a text file") -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM (Notepad's "Unicode")."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{source}: damaged UTF-16 text; save it as UTF-8") from None
    what = sniff(data)
    if what is not None or b"\x00" in data[:4096]:
        raise not_this(source, kind, data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start});"
            " save it as UTF-8 (Word: Save As, Plain Text, Unicode (UTF-8))"
        ) from None


# --- "Speaker: text" paragraphs ---------------------------------------------------------------

#: A speaker label: up to 40 characters and 4 words, beginning with a letter, no sentence
#: punctuation ("P03", "Nakato", "Dr. Ssemakula", "B1", "Mod (Grace)").
SPEAKER_RE = re.compile(r"^([^\W\d_][\w .'’()-]{0,39}?)\s*:\s*(.*)$", re.S)
MAX_SPEAKER_WORDS = 4


def split_speaker(text: str) -> tuple[str, str] | None:
    """``("Nakato", "text")`` for "Nakato: text"; None when the text has no speaker label."""
    m = SPEAKER_RE.match(text)
    if m is None or len(m.group(1).split()) > MAX_SPEAKER_WORDS:
        return None
    return m.group(1).strip(), m.group(2).strip()


def clean(text: str) -> str:
    """One line: no-break spaces, tabs and line breaks as single spaces."""
    return " ".join(text.replace("\u00a0", " ").split())


def parse_paragraphs(paragraphs: Iterable[tuple[str, str]]) -> Typed:
    """Entries from ``(where, text)`` paragraphs: ``Speaker: text`` begins a turn; a
    paragraph without a label continues the turn before it (a speaker's name on a line of
    its own works too); paragraphs before the first label are left out (a title, a date).
    f4/f5 time stamps (:mod:`.f4`) at the start or end of a paragraph give its times."""
    entries: list[Entry] = []
    skipped = 0
    for where, raw in paragraphs:
        start, body, end = split_stamps(clean(raw), where)
        if not body and start is None and end is None:
            continue
        labelled = split_speaker(body)
        if labelled is not None:
            speaker, text = labelled
            entries.append(Entry(speaker, text, start, end, where))
        elif entries:
            last = entries[-1]
            entries[-1] = replace(
                last,
                text=f"{last.text} {body}".strip(),
                start=last.start if last.start is not None or last.text else start,
                end=end if end is not None else last.end,
            )
        elif body:
            skipped += 1
    for e in entries:
        if not e.text:
            raise InputError(f"{e.where}: the speaker has no text; add it or delete the line")
    return Typed(tuple(entries), skipped)
