"""Readers of transcripts typed by hand: Word (.docx), plain text, WebVTT, SRT, each with
``Speaker: text`` turns; f4/f5 time stamps (``#00:01:02-3#``) in Word and text files.

A reader is a small class with a name in :data:`READERS` (the explicit registry of the
diarization backends): ``fgdprep import`` picks one by the file's suffix or ``--format``.
"""

from __future__ import annotations

from fgdprep.formats.typed.base import READERS, Entry, Typed, TypedReader, read_typed, register
from fgdprep.formats.typed.docx import DocxReader
from fgdprep.formats.typed.srt import SrtReader
from fgdprep.formats.typed.txt import TxtReader
from fgdprep.formats.typed.vtt import VttReader

register(DocxReader)
register(TxtReader)
register(VttReader)
register(SrtReader)

__all__ = ["READERS", "Entry", "Typed", "TypedReader", "read_typed"]
