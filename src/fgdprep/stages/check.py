"""``check``: the integrity of a whole study folder, and how to repair what is wrong.

Five kinds of trouble, each with its repair: a file fgdprep wrote that no longer parses
(truncated, damaged); a file whose SHA-256 is not the one the audit log last recorded for it
(changed outside fgdprep, or a crash between writing and auditing); a file that is no part
of the layout (:data:`fgdprep.store.LAYOUT`), among them the temporary files an interrupted
atomic write leaves; an audit log whose hash chain breaks (an entry edited, removed or
inserted); a codebook that does not decrypt with the passphrase. Reads only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgdprep.errors import FgdprepError
from fgdprep.model import (
    DEIDENTIFIED,
    Finalised,
    Session,
    SessionSummaries,
    Stage,
    Transcript,
    Translation,
    loads,
)
from fgdprep.store import Study, layout_entry, sha256_file, verify_audit_chain
from fgdprep.volume import Volume, volume_of

#: Layout rows whose files are model documents: (kind, class) to parse them with.
_DOCS: dict[str, tuple[str, type[Any]]] = {
    "identifiable/sessions/<s>/session.json": ("session", Session),
    "identifiable/sessions/<s>/<stage>.json": ("transcript", Transcript),
    "identifiable/sessions/<s>/summaries.json": ("summaries", SessionSummaries),
    "shareable/sessions/<s>/deidentified.json": ("transcript", Transcript),
    "shareable/sessions/<s>/translation.json": ("translation", Translation),
    "shareable/sessions/<s>/finalised.json": ("finalised", Finalised),
}
#: Layout rows not parsed: the codebook (decrypted below), the lock, the journal (a kill
#: may leave half a line in it; the next command reads what is whole and removes it).
_UNCHECKED = ("identifiable/codebook.enc", ".fgdprep/lock", ".fgdprep/journal.jsonl")
#: What to run again to rewrite a stage file, by layout row.
_REDO: dict[str, str] = {
    "identifiable/sessions/<s>/session.json": "ingest it again ('fgdprep remove {s}' first)",
    "identifiable/sessions/<s>/summaries.json": "delete it (it is a cache, rebuilt on demand)",
    "shareable/sessions/<s>/deidentified.json": "run 'fgdprep pseudonymise {s}' again",
    "logs/audit.jsonl": (
        "a command killed while auditing leaves a half line at the end: keep a copy of the"
        " file, remove that line; else restore the log from your backup"
    ),
    "identifiable/recordings/<s>/recording.<ext>": (
        "copy the original recording back from where it was recorded or your backup"
    ),
    "shareable/sessions/<s>/finalised.json": (
        "restore it from your backup (its numbers are cited); else delete it and run"
        " 'fgdprep finalise {s}' (numbers may change)"
    ),
    "shareable/sessions/<s>/translation.json": (
        "restore it from your backup, or import the translator's file again"
        " ('fgdprep translate import')"
    ),
}
_STAGE_REDO = {
    Stage.TRANSCRIBED: "run 'fgdprep transcribe {s} --force'",
    Stage.SPEAKERS: "run 'fgdprep speakers {s} --force'",
    Stage.CHECKED: "import the back-check worksheet again ('fgdprep backcheck import')",
    Stage.PSEUDONYMISED: "run 'fgdprep pseudonymise {s}' again",
}


@dataclass(frozen=True)
class Problem:
    file: str  # relative to the study folder ("" for the study as a whole)
    what: str
    repair: str


@dataclass(frozen=True)
class CheckResult:
    files: int
    problems: tuple[Problem, ...]
    #: Whether the study lives on an encrypted volume (its identifiable area is in clear
    #: otherwise): said, not counted as a problem of the study's files (None for a bag).
    volume: Volume | None = None


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            yield path


def _session_of(rel: str) -> str:
    parts = rel.split("/")
    return parts[2] if len(parts) > 3 and parts[1] == "sessions" else ""


def _redo(row: str, rel: str) -> str:
    sid = _session_of(rel)
    if row == "identifiable/sessions/<s>/<stage>.json":
        stage = Stage(Path(rel).stem)
        return _STAGE_REDO[stage].format(s=sid)
    return _REDO.get(row, "restore it from your backup").format(s=sid)


def _parses(path: Path, row: str) -> str | None:
    """Why the file (a JSON document or log) does not parse, or None; other files are not
    parsed (a recording is checked against its checksum)."""
    if row not in _DOCS and path.suffix not in (".json", ".jsonl"):
        return None
    try:
        text = path.read_bytes().decode("utf-8")
        if row in _DOCS:
            kind, cls = _DOCS[row]
            loads(kind, cls, text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".jsonl":
            for line in text.splitlines():
                if line.strip():
                    json.loads(line)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return first[:120]
    return None


def audited_path(study: Study, session: str | None, key: str) -> Path | None:
    """The study file an audit entry's input or output ``key`` names, where it names one."""
    if not session:
        return None
    if key in {s.value for s in Stage}:
        return study.transcript_path(session, Stage(key))
    if key == "recording":
        try:
            return study.recording_path(study.load_session(session))
        except FgdprepError:
            return None  # the session was removed, or imported as text
    paths = {
        DEIDENTIFIED: study.shareable_path,
        "finalised": study.finalised_path,
        "translation": study.translation_path,
        "change_log": study.change_log_path,
    }
    return paths[key](session) if key in paths else None


def _audited(study: Study) -> dict[Path, tuple[str, dict[str, Any]]]:
    """Each file's checksum as the audit log last recorded it, with that entry."""
    last: dict[Path, tuple[str, dict[str, Any]]] = {}
    try:
        entries = study.audit_entries()
    except (OSError, UnicodeDecodeError, ValueError):
        return last  # reported as a file that does not parse
    for entry in entries:
        for field in ("inputs", "outputs"):
            for key, digest in (entry.get(field) or {}).items():
                path = audited_path(study, entry.get("session"), key)
                if path is not None and isinstance(digest, str):
                    last[path] = (digest, entry)
    return last


def run(study: Study, passphrase: Callable[[], str]) -> CheckResult:
    """Every file of the study against the layout, its parser and the audit log, and the
    codebook against the passphrase. Changes nothing."""
    from fgdprep.codebook import load_codebook

    problems: list[Problem] = []
    audited = _audited(study)
    count = 0
    codebook = study.codebook_path.resolve()
    for path in _files(study.root):
        count += 1
        rel = path.relative_to(study.root).as_posix()
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            problems.append(
                Problem(
                    rel,
                    "a temporary file a write left when it was interrupted (the file it was"
                    " to replace is whole)",
                    f"delete it: rm '{rel}'",
                )
            )
            continue
        row = layout_entry(rel)
        if row is None and path.resolve() != codebook:
            problems.append(
                Problem(
                    rel,
                    "not a file fgdprep writes here (an orphan)",
                    "move it out of the study folder (keep it if it is yours), or delete it",
                )
            )
            continue
        if row is None or row[0] in _UNCHECKED:
            continue
        why = _parses(path, row[0])
        if why is not None:
            problems.append(
                Problem(rel, f"cannot be read: truncated or damaged ({why})", _redo(row[0], rel))
            )
            continue
        if path in audited:
            digest, entry = audited[path]
            if sha256_file(path) != digest:
                problems.append(
                    Problem(
                        rel,
                        "does not match the checksum the audit log recorded"
                        f" ('{entry.get('command')}' at {entry.get('time')}): changed outside"
                        " fgdprep, damaged, or a command was interrupted",
                        _redo(row[0], rel),
                    )
                )
    log = _rel(study, study.audit_log)
    broken = (
        None if any(p.file == log for p in problems) else verify_audit_chain(study.audit_log, True)
    )
    if broken is not None:
        problems.append(
            Problem(
                log,
                f"its hash chain breaks at line {broken}: an entry was edited, removed or"
                " inserted after it was written",
                "compare the log with your backup to see what changed and restore it; keep"
                " this copy as evidence (fgdprep cannot tell what the line said before)",
            )
        )
    if study.journal_path.is_file():
        problems.append(
            Problem(
                _rel(study, study.journal_path),
                "a command was killed before it finished: what it wrote is not all in the"
                " audit log yet",
                "run the command again ('fgdprep run', or the one that was interrupted): it"
                " finishes the work and audits what the killed one wrote",
            )
        )
    if study.codebook_path.is_file():
        try:
            load_codebook(study, passphrase())
        except FgdprepError as exc:
            rel = _rel(study, study.codebook_path)
            problems.append(
                Problem(
                    rel,
                    f"does not decrypt: {exc.message}",
                    "give the right passphrase (FGDPREP_PASSPHRASE or the prompt); if it is"
                    " right, restore the codebook from your backup",
                )
            )
    return CheckResult(count, tuple(problems), volume_of(study.root))


def _rel(study: Study, path: Path) -> str:
    try:
        return path.relative_to(study.root).as_posix()
    except ValueError:
        return str(path)
