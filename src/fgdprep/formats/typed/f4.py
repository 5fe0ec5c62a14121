"""The f4/f5 transcription convention (Dresing & Pehl): time stamps ``#hh:mm:ss-d#``.

f4transkript and f5 insert a stamp at the end of each paragraph: the time the paragraph
ends, which is also when the next one begins. Some transcribers put the stamp at the start
instead; both are read (a stamp at the start is the paragraph's start). Stamps inside a
paragraph are taken out of its text (they are not speech). The tenths after the dash may be
one to three digits (a decimal fraction); ``.`` or ``,`` instead of the dash is accepted.
Table cells and subtitle-like times (``00:01:02``, ``1:02.5``) are read by
:func:`parse_clock`.
"""

from __future__ import annotations

import re

from fgdprep.errors import InputError

_CLOCK = r"(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)(?:[-.,](\d{1,3}))?"
STAMP_RE = re.compile(rf"#{_CLOCK}#")
CLOCK_RE = re.compile(rf"^\s*#?{_CLOCK}#?\s*$")


def _seconds(m: re.Match[str]) -> float:
    hours, minutes, seconds, fraction = m.groups()
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(fraction) / 10.0 ** len(fraction) if fraction else 0.0)


def parse_clock(text: str) -> float | None:
    """Seconds for ``00:01:02-3``, ``#00:01:02-3#``, ``1:02:03.25``, ``01:02``; else None."""
    m = CLOCK_RE.match(text)
    return _seconds(m) if m else None


def format_stamp(seconds: float) -> str:
    """The f4 stamp of a time: ``#00:01:02-3#``."""
    tenths = round(seconds * 10)
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    s, t = divmod(rest, 10)
    return f"#{h:02d}:{m:02d}:{s:02d}-{t}#"


def split_stamps(text: str, where: str) -> tuple[float | None, str, float | None]:
    """(start, text without stamps, end) of a paragraph: a stamp before the text is its
    start, one after it its end."""
    stamps = list(STAMP_RE.finditer(text))
    if not stamps:
        return None, text, None
    start = end = None
    first, last = stamps[0], stamps[-1]
    if not text[: first.start()].strip():
        start = _seconds(first)
    if not text[last.end() :].strip() and (last is not first or start is None):
        end = _seconds(last)
    if start is not None and end is not None and end < start:
        raise InputError(f"{where}: the time stamp at its end is before the one at its start")
    body = " ".join(STAMP_RE.sub(" ", text).split())
    return start, body, end
