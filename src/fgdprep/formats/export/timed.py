"""Timed exports: WebVTT (``<v CODE>`` voices), SRT, JSON (the units), RTTM (times only).

Cue/line n is unit n. The shareable transcript has turn times but no word-level text, and so
do these: a cue spans its unit's time.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from fgdprep.formats.export.base import ExportDoc, Exporter, ReadUnit
from fgdprep.formats.export.paragraphs import text_lines
from fgdprep.model import SCHEMA_VERSION


def clock(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    return (
        f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
    )


def parse_clock(text: str) -> float:
    h, m, rest = text.strip().replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(rest)


def _blocks(data: bytes) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text_lines(data):
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


class VttExporter(Exporter):
    name = "vtt"
    suffix = ".vtt"
    where = "WebVTT captions, <v CODE> voices: media players, ELAN, the web"

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        note = doc.meta_line().replace("-->", "->")
        out = [f"WEBVTT\n\nNOTE {note}\n"]
        for u in doc.units:
            text = html.escape(u.body, quote=False)
            out.append(
                f"\n{u.n}\n{clock(u.start, '.')} --> {clock(u.end, '.')}\n<v {u.speaker}>{text}\n"
            )
        return "".join(out).encode("utf-8")

    def read(self, data: bytes) -> list[ReadUnit]:
        out = []
        for block in _blocks(data)[1:]:
            if block[0].startswith("NOTE"):
                continue
            n, times, cue = block[0], block[1], "\n".join(block[2:])
            start, _arrow, end = times.partition(" --> ")
            speaker, _gt, text = cue.removeprefix("<v ").partition(">")
            out.append(
                ReadUnit(int(n), speaker, html.unescape(text), parse_clock(start), parse_clock(end))
            )
        return out


class SrtExporter(Exporter):
    name = "srt"
    suffix = ".srt"
    where = "SubRip subtitles, CODE: text per cue: video players, editors"
    sidecar = True

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        out = []
        for u in doc.units:
            text = f"{u.speaker}:" + (f" {u.body}" if u.body else "")
            out.append(f"{u.n}\n{clock(u.start, ',')} --> {clock(u.end, ',')}\n{text}\n\n")
        return "".join(out).encode("utf-8")

    def read(self, data: bytes) -> list[ReadUnit]:
        out = []
        for block in _blocks(data):
            start, _arrow, end = block[1].partition(" --> ")
            speaker, _colon, text = "\n".join(block[2:]).partition(":")
            text = text[1:] if text.startswith(" ") else text
            out.append(ReadUnit(int(block[0]), speaker, text, parse_clock(start), parse_clock(end)))
        return out


class JsonExporter(Exporter):
    name = "json"
    suffix = ".json"
    where = "JSON: metadata and numbered units: scripts, archives"

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        units = [
            {
                "n": u.n,
                "turn": u.turn,
                "part": u.part,
                "speaker": u.speaker,
                "start": u.start,
                "end": u.end,
                "text": u.body,
            }
            for u in doc.units
        ]
        body = {**doc.meta(), "units": units}
        document = {"schema_version": SCHEMA_VERSION, "kind": "export", "export": body}
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def read(self, data: bytes) -> list[ReadUnit]:
        units = json.loads(data.decode("utf-8"))["export"]["units"]
        return [ReadUnit(u["n"], u["speaker"], u["text"], u["start"], u["end"]) for u in units]


class RttmExporter(Exporter):
    name = "rttm"
    suffix = ".rttm"
    where = "RTTM: speaker times per unit, no text: diarization tools"
    sidecar = True

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        (doc,) = docs
        lines = []
        for u in doc.units:
            start = round(u.start * 1000)
            length = max(round(u.end * 1000) - start, 0)
            lines.append(
                f"SPEAKER {doc.session_id} 1 {start / 1000:.3f} {length / 1000:.3f}"
                f" <NA> <NA> {u.speaker} <NA> <NA>\n"
            )
        return "".join(lines).encode("utf-8")

    def read(self, data: bytes) -> list[ReadUnit]:
        out = []
        for n, line in enumerate(text_lines(data), start=1):
            f = line.split()
            start = float(f[3])
            out.append(ReadUnit(n, f[7], "", start, round(start + float(f[4]), 3)))
        return out
