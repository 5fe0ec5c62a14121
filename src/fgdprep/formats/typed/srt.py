"""SubRip (.srt): numbered cues, ``Name:`` at the start of a line gives the speaker;
formatting tags (``<i>``, ``{\\an8}``) are dropped."""

from __future__ import annotations

from typing import ClassVar

from fgdprep.errors import InputError
from fgdprep.formats.typed.base import Typed, TypedReader, decode_text
from fgdprep.formats.typed.cues import Cue, blocks, cue_entries, parse_timing


class SrtReader(TypedReader):
    name = "srt"
    suffixes: ClassVar[tuple[str, ...]] = (".srt",)

    def read(self, data: bytes, source: str) -> Typed:
        text = decode_text(data, source, "an SRT file")
        cues = []
        for line_no, lines in blocks(text):
            where = f"{source}: cue at line {line_no}"
            at = 1 if lines[0].strip().isdigit() else 0
            timing = parse_timing(lines[at]) if len(lines) > at else None
            if timing is None:
                raise InputError(
                    f"{where}: no time line such as 00:00:01,000 --> 00:00:04,000;"
                    " is this an SRT file?"
                )
            cues.append(Cue(timing[0], timing[1], tuple(lines[at + 1 :]), where))
        return cue_entries(cues, source)
