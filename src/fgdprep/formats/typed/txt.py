"""Plain text (UTF-8, or UTF-16 with a BOM): one paragraph per line, ``Speaker: text``,
f4/f5 time stamps as in Word files."""

from __future__ import annotations

from typing import ClassVar

from fgdprep.formats.typed.base import Typed, TypedReader, decode_text, parse_paragraphs


class TxtReader(TypedReader):
    name = "txt"
    suffixes: ClassVar[tuple[str, ...]] = (".txt", ".text")

    def read(self, data: bytes, source: str) -> Typed:
        text = decode_text(data, source)
        lines = text.splitlines()
        return parse_paragraphs((f"{source}: line {n}", line) for n, line in enumerate(lines, 1))
