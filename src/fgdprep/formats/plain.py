"""Plain-text views of a transcript for the terminal."""

from __future__ import annotations

from fgdprep.model import Transcript


def format_time(seconds: float) -> str:
    """``H:MM:SS.s`` — what moderators read off their audio player."""
    tenths = round(seconds * 10)
    h, rest = divmod(tenths, 36000)
    m, rest = divmod(rest, 600)
    s, t = divmod(rest, 10)
    return f"{h}:{m:02d}:{s:02d}.{t}"


def render_turns(transcript: Transcript) -> str:
    """One turn per line: number, time span, speaker, flags, text; a translated turn's
    translation on the line below it, indented."""
    lines = []
    width = len(str(len(transcript.turns)))
    for n, turn in enumerate(transcript.turns, start=1):
        speaker = turn.speaker or "?"
        flags = f" [{','.join(f.code.value for f in turn.flags)}]" if turn.flags else ""
        lines.append(
            f"{n:>{width}}  {format_time(turn.start)}-{format_time(turn.end)}  {speaker}{flags}:"
            f" {turn.text}"
        )
        if turn.translation is not None:
            lines.append(f"{'':>{width}}  translation: {turn.translation}")
    return "\n".join(lines)
