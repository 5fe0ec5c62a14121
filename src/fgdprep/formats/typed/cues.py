"""Subtitle-like files (WebVTT, SRT): timed cues, a speaker per cue or per line.

A cue's speaker is a WebVTT voice (``<v Name>``) or a ``Name:`` at the start of a line
(``- Name:`` too); a line without one is said by the speaker before it. Consecutive cues of
one speaker are one turn (cues are cut for reading, not by turn): its start is the first
cue's, its end the last one's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fgdprep.errors import InputError
from fgdprep.formats.typed.base import Entry, Typed, clean, split_speaker

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]
    where: str


def _voiced(line: str) -> list[tuple[str | None, str]]:
    """(speaker or None, text) pieces of one payload line."""
    parts = _VOICE.split(line)
    pieces: list[tuple[str | None, str]] = []
    if parts[0].strip():
        pieces.append((None, parts[0]))
    for name, text in zip(parts[1::2], parts[2::2], strict=True):
        pieces.append((clean(name), text))
    out: list[tuple[str | None, str]] = []
    for speaker, raw in pieces:
        text = clean(html.unescape(_TAG.sub("", raw))).lstrip("-– ").strip()
        labelled = split_speaker(text) if speaker is None else None
        if labelled is not None:
            speaker, text = labelled
        if text or speaker:
            out.append((speaker, text))
    return out


def cue_entries(cues: Iterable[Cue], source: str) -> Typed:
    """Turns from cues: a speaker per line, runs of one speaker merged."""
    entries: list[Entry] = []
    for cue in cues:
        if cue.end < cue.start:
            raise InputError(f"{cue.where}: ends before it starts")
        for speaker, text in (p for line in cue.lines for p in _voiced(line)):
            if speaker is None and not entries:
                raise InputError(
                    f"{cue.where}: no speaker; begin the first cue with 'Name: ' or <v Name>"
                )
            last = entries[-1] if entries else None
            if last is not None and (
                speaker is None or speaker.casefold() == last.speaker.casefold()
            ):
                end = max(cue.end, last.end or cue.end)
                entries[-1] = Entry(
                    last.speaker, f"{last.text} {text}".strip(), last.start, end, last.where
                )
            else:
                assert speaker is not None
                entries.append(Entry(speaker, text, cue.start, cue.end, cue.where))
    for e in entries:
        if not e.text:
            raise InputError(f"{e.where}: the speaker has no text")
    if not entries:
        raise InputError(f"{source}: holds no cues with text")
    return Typed(tuple(entries))


def blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the line number each begins on."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                first = n
            current.append(line)
        elif current:
            out.append((first, current))
            current = []
    if current:
        out.append((first, current))
    return out


_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s.*)?$")


def _secs(h: str | None, m: str, s: str, frac: str) -> float:
    return float(int(h or 0) * 3600 + int(m) * 60 + int(s)) + int(frac) / 10.0 ** len(frac)


def parse_timing(line: str) -> tuple[float, float] | None:
    """(start, end) of a ``00:00:01.000 --> 00:00:04,500`` line; None if it is not one."""
    m = TIMING_RE.match(line)
    if m is None:
        return None
    g = m.groups()
    return _secs(*g[:4]), _secs(*g[4:])
