"""RTTM (NIST Rich Transcription Time Marked) speaker turns: the exchange format of diarizers.

Only ``SPEAKER`` lines are read; other RTTM types (``SPKR-INFO``, ``LEXEME``…) and ``;;``
or ``#`` comments are skipped. Times are written in milliseconds precision, and end times
are rebuilt from whole milliseconds, so a file we write reads back to the same segments.
Errors name the line number, never the line's content (labels may be names).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from fgdprep.errors import InputError
from fgdprep.model import SpeakerSegment

#: A turn may end this far after the recording's end (decoder padding) and still be read.
END_TOLERANCE = 0.5


def _ms(value: float) -> int:
    return round(value * 1000)


def format_rttm(segments: Iterable[SpeakerSegment], file_id: str) -> str:
    """One ``SPEAKER`` line per segment, in time order."""
    if not file_id or any(c.isspace() for c in file_id):
        raise ValueError("an RTTM file id must be one word")
    lines = []
    for seg in sorted(segments, key=lambda s: (s.start, s.end, s.label)):
        if not seg.label or any(c.isspace() for c in seg.label):
            raise ValueError("RTTM speaker labels must be one word")
        start = _ms(seg.start)
        duration = _ms(seg.end) - start
        lines.append(
            f"SPEAKER {file_id} 1 {start / 1000:.3f} {duration / 1000:.3f}"
            f" <NA> <NA> {seg.label} <NA> <NA>"
        )
    return "".join(line + "\n" for line in lines)


def _number(text: str, what: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {what} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{where}: {what} must be a positive number of seconds")
    return value


def parse_rttm(text: str, source: str, duration: float | None = None) -> tuple[SpeakerSegment, ...]:
    """Speaker segments from RTTM text, in time order.

    ``duration`` (the recording's length) rejects a file that runs past the recording: it
    is almost always the RTTM of another recording.
    """
    segments: list[SpeakerSegment] = []
    file_ids: set[str] = set()
    for line_no, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith((";;", "#")):
            continue
        where = f"{source}: line {line_no}"
        if fields[0] != "SPEAKER":
            if fields[0].isupper() and fields[0].replace("-", "").isalpha():
                continue  # another RTTM type
            raise InputError(f"{where}: not an RTTM line (expected SPEAKER file chan onset dur…)")
        if len(fields) < 8:
            raise InputError(
                f"{where}: has {len(fields)} fields; an RTTM SPEAKER line has 10"
                " (SPEAKER file chan onset dur <NA> <NA> speaker <NA> <NA>)"
            )
        onset = _number(fields[3], "onset", where)
        length = _number(fields[4], "duration", where)
        if length == 0:
            raise InputError(f"{where}: duration is 0; a speaker turn must have a length")
        label = fields[7]
        if label in ("<NA>", ""):
            raise InputError(f"{where}: speaker name is missing")
        file_ids.add(fields[1])
        if len(file_ids) > 1:
            raise InputError(
                f"{where}: another recording's file id; the file holds turns of several"
                " recordings, give the lines of one recording only"
            )
        start_ms = _ms(onset)
        end = (start_ms + _ms(length)) / 1000
        if duration is not None and end > duration + END_TOLERANCE:
            raise InputError(
                f"{where}: the turn ends at {end:.1f} s, after the end of the recording"
                f" ({duration:.1f} s); is this the RTTM of another recording?"
            )
        segments.append(SpeakerSegment(start_ms / 1000, end, label))
    if not segments:
        raise InputError(f"{source}: holds no SPEAKER lines")
    return tuple(sorted(segments, key=lambda s: (s.start, s.end, s.label)))
