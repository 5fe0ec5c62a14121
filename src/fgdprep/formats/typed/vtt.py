"""WebVTT (.vtt): cues with ``<v Name>`` voices or ``Name:`` at the start of a line (as
Teams, Zoom and subtitle editors write them); NOTE, STYLE and REGION blocks are skipped."""

from __future__ import annotations

from typing import ClassVar

from fgdprep.errors import InputError
from fgdprep.formats.typed.base import Typed, TypedReader, decode_text
from fgdprep.formats.typed.cues import Cue, blocks, cue_entries, parse_timing


class VttReader(TypedReader):
    name = "vtt"
    suffixes: ClassVar[tuple[str, ...]] = (".vtt",)

    def read(self, data: bytes, source: str) -> Typed:
        text = decode_text(data, source, "a WebVTT file")
        parts = blocks(text)
        if not parts or not parts[0][1][0].startswith("WEBVTT"):
            raise InputError(f"{source}: not a WebVTT file (its first line must be WEBVTT)")
        cues = []
        for line_no, lines in parts[1:]:
            if lines[0].split(maxsplit=1)[0] in ("NOTE", "STYLE", "REGION"):
                continue
            at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
            timing = parse_timing(lines[at]) if at is not None else None
            where = f"{source}: cue at line {line_no}"
            if at is None or timing is None:
                raise InputError(f"{where}: no time line such as 00:00:01.000 --> 00:00:04.000")
            cues.append(Cue(timing[0], timing[1], tuple(lines[at + 1 :]), where))
        return cue_entries(cues, source)
