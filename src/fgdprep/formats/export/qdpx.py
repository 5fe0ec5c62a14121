"""REFI-QDA projects (``.qdpx``): one file ATLAS.ti, MAXQDA, NVivo, QualCoder and Quirkos
import with speakers already coded.

A zip of ``project.qde`` (QDA-XML, schema ``urn:QDA-XML:project:1.0``) and one
``sources/<guid>.txt`` per session, referenced as ``internal://<guid>.txt`` from a
``TextSource`` with ``plainTextPath`` only (ATLAS.ti rejects a text source with a
``richTextPath``). The text holds one line per unit, ``CODE: text``. The standard has no
speakers: each speaker (site + code, the study-wide identity) is a code, and each unit a
``PlainTextSelection`` named by its citation ("DS 84", positions in Unicode code points from
0, end exclusive) coded with its speaker. Each session is a case with the variables site,
wave and language; one set per site and one per wave hold the sessions. GUIDs are derived
from the session and unit (the same export gives the same project). Only with
``--with-recording`` (the recording is identifiable): the recording as an ``AudioSource``
whose ``Transcript`` has a sync point at each unit's start and end.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path

from fgdprep import __version__
from fgdprep.formats.export.base import ExportDoc, Exporter, ReadUnit

NS = "urn:QDA-XML:project:1.0"
_GUIDS = uuid.UUID("6f1d8a52-8c1e-4a44-9a57-0c7c2f6e1a11")
VARIABLES = ("site", "wave", "language")


def guid(*parts: str) -> str:
    """A GUID (8-4-4-4-12) from names: the same project parts get the same GUIDs."""
    return str(uuid.uuid5(_GUIDS, "\x1f".join(parts))).upper()


def _el(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)


def source_text(doc: ExportDoc) -> tuple[str, list[tuple[int, int]]]:
    """The source's text and each unit's (start, end) in code points."""
    lines, spans, pos = [], [], 0
    for u in doc.units:
        line = f"{u.speaker}:" + (f" {u.body}" if u.body else "")
        lines.append(line)
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return "\n".join(lines), spans


def project_xml(docs: Sequence[ExportDoc], name: str) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` and the sources' texts by file name."""
    ET.register_namespace("", NS)
    at = max((d.finalised_at for d in docs), default="") or "2000-01-01T00:00:00+00:00"
    user = guid("user", "fgdprep")
    root = ET.Element(
        f"{{{NS}}}Project",
        {
            "name": name,
            "origin": f"fgdprep {__version__}",
            "creatingUserGUID": user,
            "creationDateTime": at,
        },
    )
    _el(_el(root, "Users"), "User", guid=user, name="fgdprep")
    speakers = sorted({(d.site, u.speaker) for d in docs for u in d.units})
    if speakers:
        codes = _el(_el(root, "CodeBook"), "Codes")
        for site, speaker in speakers:
            _el(
                codes,
                "Code",
                guid=guid("code", site, speaker),
                name=f"{site}/{speaker}",
                isCodable="true",
            )
    variables = _el(root, "Variables")
    for var in VARIABLES:
        _el(variables, "Variable", guid=guid("variable", var), name=var, typeOfVariable="Text")
    cases = _el(root, "Cases")
    for d in docs:
        case = _el(cases, "Case", guid=guid("case", d.session_id), name=d.session_id)
        for var, value in zip(VARIABLES, (d.site, d.wave, d.language), strict=True):
            vv = _el(case, "VariableValue")
            _el(vv, "VariableRef", targetGUID=guid("variable", var))
            ET.SubElement(vv, f"{{{NS}}}TextValue").text = value
        _el(case, "SourceRef", targetGUID=guid("source", d.session_id))
    sources = _el(root, "Sources")
    texts = {}
    for d in docs:
        sid = guid("source", d.session_id)
        source = _el(
            sources,
            "TextSource",
            guid=sid,
            name=d.session_id,
            plainTextPath=f"internal://{sid}.txt",
            creatingUser=user,
            creationDateTime=d.finalised_at or at,
        )
        ET.SubElement(source, f"{{{NS}}}Description").text = d.meta_line()
        text, spans = source_text(d)
        texts[f"{sid}.txt"] = text
        for u, (start, end) in zip(d.units, spans, strict=True):
            selection = _el(
                source,
                "PlainTextSelection",
                guid=guid("unit", d.session_id, str(u.n)),
                name=f"{d.prefix} {u.n}",
                startPosition=str(start),
                endPosition=str(end),
                creatingUser=user,
            )
            coding = _el(
                selection, "Coding", guid=guid("coding", d.session_id, str(u.n)), creatingUser=user
            )
            _el(coding, "CodeRef", targetGUID=guid("code", d.site, u.speaker))
    for d in docs:
        if d.recording is not None:
            _audio_source(sources, d, d.recording, user, texts)
    sets = _el(root, "Sets")
    for kind, key in (("Site", "site"), ("Wave", "wave")):
        for value in sorted({getattr(d, key) for d in docs}):
            members = _el(sets, "Set", guid=guid("set", key, value), name=f"{kind} {value}")
            for d in docs:
                if getattr(d, key) == value:
                    _el(members, "MemberSource", targetGUID=guid("source", d.session_id))
    ET.indent(root, space=" ")
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml, texts


def _audio_source(
    sources: ET.Element, d: ExportDoc, recording: Path, user: str, texts: dict[str, str]
) -> None:
    """The recording with the units as its transcript: a sync point where each unit starts
    and ends (milliseconds, code-point positions), each unit a coded selection between
    them. Only with ``--with-recording``: the recording is identifiable."""
    aid, tid = guid("audio", d.session_id), guid("transcript", d.session_id)
    audio = _el(
        sources,
        "AudioSource",
        guid=aid,
        name=f"{d.session_id} recording",
        path=f"internal://{aid}{recording.suffix.lower()}",
        creatingUser=user,
    )
    transcript = _el(
        audio, "Transcript", guid=tid, name=d.session_id, plainTextPath=f"internal://{tid}.txt"
    )
    text, spans = source_text(d)
    texts[f"{tid}.txt"] = text
    points = []
    for u, (start, end) in zip(d.units, spans, strict=True):
        for edge, ms, pos in (("from", u.start, start), ("to", u.end, end)):
            point = guid("sync", d.session_id, str(u.n), edge)
            _el(
                transcript,
                "SyncPoint",
                guid=point,
                timeStamp=str(round(ms * 1000)),
                position=str(pos),
            )
            points.append(point)
    for i, u in enumerate(d.units):
        selection = _el(
            transcript,
            "TranscriptSelection",
            guid=guid("transcript-unit", d.session_id, str(u.n)),
            name=f"{d.prefix} {u.n}",
            fromSyncPoint=points[2 * i],
            toSyncPoint=points[2 * i + 1],
        )
        coding = _el(selection, "Coding", guid=guid("transcript-coding", d.session_id, str(u.n)))
        _el(coding, "CodeRef", targetGUID=guid("code", d.site, u.speaker))


class QdpxExporter(Exporter):
    name = "qdpx"
    suffix = ".qdpx"
    where = "REFI-QDA, speakers coded: ATLAS.ti, MAXQDA, NVivo, QualCoder"
    project = True

    def write(self, docs: Sequence[ExportDoc]) -> bytes:
        name = docs[0].session_id if len(docs) == 1 else self.options.project
        xml, texts = project_xml(docs, name)
        stamp = (2000, 1, 1, 0, 0, 0)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo("project.qde", stamp), xml, zipfile.ZIP_DEFLATED)
            for file, text in sorted(texts.items()):
                info = zipfile.ZipInfo(f"sources/{file}", stamp)
                archive.writestr(info, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
            for d in docs:
                if d.recording is not None:  # already compressed audio: stored as it is
                    name = f"sources/{guid('audio', d.session_id)}{d.recording.suffix.lower()}"
                    archive.write(d.recording, name, zipfile.ZIP_STORED)
        return out.getvalue()

    def read(self, data: bytes) -> list[ReadUnit]:
        return [u for _name, units in read_project(data) for u in units]


def read_project(data: bytes) -> list[tuple[str, list[ReadUnit]]]:
    """Each text source's name and its coded selections as units (n from 1 per source,
    speaker = the code's name after the site, text = the characters the selection covers
    after ``CODE: ``)."""
    q = f"{{{NS}}}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        codes = {c.get("guid"): c.get("name", "") for c in root.iter(f"{q}Code")}
        out = []
        for source in root.iter(f"{q}TextSource"):
            path = source.get("plainTextPath", "").removeprefix("internal://")
            text = archive.read(f"sources/{path}").decode("utf-8")
            units = []
            for n, sel in enumerate(source.iter(f"{q}PlainTextSelection"), start=1):
                covered = text[int(sel.get("startPosition", 0)) : int(sel.get("endPosition", 0))]
                ref = sel.find(f"{q}Coding/{q}CodeRef")
                code = codes.get(ref.get("targetGUID") if ref is not None else None, "")
                speaker = code.partition("/")[2]
                head, _colon, body = covered.partition(":")
                if head != speaker:
                    raise ValueError(f"selection {n} of {source.get('name')} is not its paragraph")
                units.append(ReadUnit(n, speaker, body[1:] if body.startswith(" ") else body))
            out.append((source.get("name", ""), units))
    return out
