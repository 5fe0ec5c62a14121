"""Exports of finalised sessions: every format from the one numbered model.

Reads only the shareable area (the finalised transcript and the translation), and runs the
leak check over it first: a hit stops the export before anything is written. Turn mode:
source and translation share the numbers (a split turn's translation is cut at sentence
ends into as many units); line mode: the translation is wrapped into its own lines.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep.errors import InputError, StageError, StudyError
from fgdprep.formats.export import ExportDoc, ExportOptions, make_exporters
from fgdprep.model import Finalised, Provenance, Transcript, Translation, with_translation
from fgdprep.stages.finalise import clean, load_finalised, translated_units, units_of_turns
from fgdprep.store import Study, atomic_write_bytes, sha256_bytes

SOURCE = "source"
TRANSLATION = "translation"


@dataclass(frozen=True)
class ExportRequest:
    """``session_ids`` None: every finalised session. ``text`` None: the translation where
    every numbered turn has a current one, else the source."""

    session_ids: tuple[str, ...] | None
    formats: tuple[str, ...]
    out_dir: Path
    text: str | None = None
    timestamps: str | None = None
    #: qdpx only: the (identifiable) recording as the project's audio source.
    with_recording: bool = False


@dataclass(frozen=True)
class Exported:
    session_id: str
    text: str
    language: str
    units: int


@dataclass(frozen=True)
class ExportResult:
    files: tuple[Path, ...]
    sessions: tuple[Exported, ...]
    notes: tuple[str, ...]
    checked_files: int


def translations(study: Study, finalised: Finalised) -> tuple[dict[str, str], str | None]:
    """Each numbered turn's current translation (stale rows left out) and the language."""
    path = study.translation_path(finalised.session.id)
    if not path.is_file():
        return {}, None
    translation = study.read_doc(path, "translation", Translation)
    frozen = Transcript(
        finalised.session.id,
        finalised.session.language,
        finalised.turns,
        Provenance("finalised", ""),
    )
    current = with_translation(frozen, translation)
    return {t.id: t.translation for t in current.turns if t.translation is not None}, (
        translation.language
    )


def make_doc(study: Study, finalised: Finalised, text: str | None) -> tuple[ExportDoc, list[str]]:
    """The export document of a session, and notes: finalised with --force, or the source
    exported by default because turns lack a translation."""
    rows, language = translations(study, finalised)
    sid = finalised.session.id
    turns = {t.id: t for t in finalised.turns}
    numbered = units_of_turns(finalised.units)
    missing = [
        tid
        for tid in numbered
        if tid not in rows and clean(turns[tid].text if tid in turns else "")
    ]
    notes = []
    if finalised.forced:
        notes.append(
            f"{sid} was finalised with --force while pending: {', '.join(finalised.forced)}"
        )
    if text == TRANSLATION and (language is None or missing):
        have = (
            "no translation"
            if language is None
            else f"{len(missing)} of {len(numbered)} numbered turns have no current translation"
        )
        raise InputError(f"{sid}: {have} (translation.json); export the source with --text source")
    chosen = text or (TRANSLATION if language is not None and not missing else SOURCE)
    if text is None and language is not None and missing:
        notes.append(
            f"{sid}: {len(missing)} of {len(numbered)} numbered turns have no current"
            " translation; exported the source text"
        )
    if chosen == TRANSLATION:
        units = translated_units(finalised, rows, study.config.numbering.line_width)
        lang = language or finalised.session.language
    else:
        units, lang = finalised.units, finalised.session.language
    session = finalised.session
    doc = ExportDoc(
        session_id=sid,
        site=session.site,
        wave=session.wave,
        date=session.date,
        language=lang,
        prefix=finalised.prefix,
        text=chosen,
        numbering=finalised.numbering,
        finalised_at=finalised.at,
        participants=tuple(sorted({u.speaker for u in finalised.units})),
        units=units,
        mode=str(session.mode),
    )
    return doc, notes


def _finalised_sessions(study: Study, ids: Sequence[str] | None) -> list[Finalised]:
    from fgdprep.gates import finalise_blockers

    if ids is None:
        found = [f for sid in study.session_ids() if (f := load_finalised(study, sid))]
        if not found:
            raise StudyError(
                "no session is finalised yet; finalise one first with 'fgdprep finalise SESSION'"
            )
        return found
    out = []
    for sid in ids:
        study.load_session(sid)  # unknown session: its own error
        done = load_finalised(study, sid)
        if done is None:
            pending = [m for _c, m in finalise_blockers(study, sid)]
            waits = f"; pending: {'; '.join(pending)}" if pending else ""
            raise StageError(
                f"{sid} is not finalised, so it has no paragraph numbers to export{waits};"
                f" then run 'fgdprep finalise {sid}'"
            )
        out.append(done)
    return out


def _with_recordings(
    study: Study, docs: Sequence[ExportDoc], formats: Sequence[str]
) -> list[ExportDoc]:
    if "qdpx" not in formats:
        raise InputError("--with-recording puts the recording into a qdpx; add qdpx to --format")
    out = []
    for doc in docs:
        session = study.load_session(doc.session_id)
        if session.audio is None:
            raise InputError(
                f"{doc.session_id} has no recording (imported as text); leave out --with-recording"
            )
        out.append(dataclasses.replace(doc, recording=study.recording_path(session)))
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "study"


def _check_out_dir(study: Study, out_dir: Path) -> Path:
    """Exports go outside the study: inside, the identifiable area is no place for them,
    and the leak check reads the shareable area as text, Word and JSON (not .qdpx)."""
    out = out_dir.resolve()
    root = study.root.resolve()
    if out == root or root in out.parents:
        raise InputError(
            f"{out_dir} is inside the study folder; write exports to a folder outside it"
        )
    if out.exists() and not out.is_dir():
        raise InputError(f"{out_dir} exists and is not a folder")
    return out


def run(study: Study, request: ExportRequest, passphrase: Callable[[], str]) -> ExportResult:
    """Write the requested formats of finalised sessions into ``out_dir``; audited (file
    names, checksums, counts). Needs the study lock."""
    from fgdprep.stages import leakcheck

    timestamps = request.timestamps or study.config.export.timestamps
    options = ExportOptions(timestamps, study.config.export.numbers, study.config.study.name)
    exporters = make_exporters(request.formats, options)
    if request.text not in (None, SOURCE, TRANSLATION):
        raise InputError(f"--text must be {SOURCE} or {TRANSLATION}")
    out_dir = _check_out_dir(study, request.out_dir)
    sessions = _finalised_sessions(study, request.session_ids)
    made = [make_doc(study, f, request.text) for f in sessions]
    docs = [doc for doc, _note in made]
    if request.with_recording:
        docs = _with_recordings(study, docs, request.formats)
    check = leakcheck.run(study, passphrase)
    if check.leaks:
        raise StageError(
            f"the leak check found {len(check.leaks)} possible leak(s) in the shareable area;"
            " nothing was exported. See them with 'fgdprep leakcheck'"
        )
    files: dict[Path, bytes] = {}
    for exporter in exporters:
        if exporter.project and len(docs) > 1:
            kinds = {d.language if d.text == TRANSLATION else SOURCE for d in docs}
            kind = kinds.pop() if len(kinds) == 1 else "mixed"
            files[out_dir / f"{_slug(study.config.study.name)}_{kind}{exporter.suffix}"] = (
                exporter.write(docs)
            )
            continue
        for doc in docs:
            stem = f"{doc.session_id}_{doc.language}"
            files[out_dir / f"{stem}{exporter.suffix}"] = exporter.write([doc])
            if exporter.sidecar:
                meta = json.dumps(doc.meta(), ensure_ascii=False, indent=1) + "\n"
                files[out_dir / f"{stem}.meta.json"] = meta.encode("utf-8")
    outputs = {}
    for path, data in files.items():
        # what an export of this file killed half-way left (the study lock: no other runs)
        for half in path.parent.glob(f".{path.name}.*.tmp"):
            half.unlink()
        atomic_write_bytes(path, data, study.perms)
        outputs[path.name] = sha256_bytes(data)
    study.audit(
        "export",
        stage="export",
        inputs={d.session_id: study.digest(study.finalised_path(d.session_id)) for d in docs},
        outputs=outputs,
        counts={
            "sessions": len(docs),
            "units": sum(len(d.units) for d in docs),
            "formats": [e.name for e in exporters],
            "text": sorted({d.text for d in docs}),
            "leakcheck_files": check.files,
            "recordings": sum(d.recording is not None for d in docs),
        },
        destination=str(out_dir),
    )
    exported = tuple(Exported(d.session_id, d.text, d.language, len(d.units)) for d in docs)
    notes = tuple(note for _doc, more in made for note in more)
    return ExportResult(tuple(files), exported, notes, check.files)
