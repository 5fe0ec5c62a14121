"""Ingest: a recording (and its roster) into the study's identifiable area.

Everything is checked before anything is written: a bad file, roster or option leaves the
study exactly as it was. ``session.json`` is written last, so a session exists only once its
recording and roster are in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from fgdprep.audio import probe
from fgdprep.errors import InputError, StudyError
from fgdprep.model import AudioInfo, Mode, Person, Session
from fgdprep.roster import format_roster, merge_rosters, read_roster
from fgdprep.store import SESSION_ID, Study, sha256_file, sha256_text

log = logging.getLogger(__name__)

AUDIO_SUFFIXES = {
    ".wav",
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".opus",
    ".flac",
    ".mp4",
    ".webm",
    ".mkv",
    ".mov",
    ".wma",
    ".amr",
    ".3gp",
}


@dataclass(frozen=True, kw_only=True)
class SessionRequest:
    """What a new session is made of besides its recording (ingest) or text (import)."""

    session_id: str
    site: str
    wave: str
    date: str
    language: str | None = None
    mode: Mode = Mode.IN_PERSON
    roster: Path | None = None
    citation_prefix: str | None = None

    def options(self) -> list[str]:
        """The ``fgdprep ingest`` options that make this request (after the recording)."""
        given = (
            ("--session", self.session_id),
            ("--site", self.site),
            ("--wave", self.wave),
            ("--date", self.date),
            ("--language", self.language),
            ("--mode", self.mode.value.replace("_", "-")),
            ("--roster", str(self.roster) if self.roster else None),
            ("--prefix", self.citation_prefix),
        )
        return [part for flag, value in given if value is not None for part in (flag, value)]


@dataclass(frozen=True, kw_only=True)
class IngestRequest(SessionRequest):
    audio: Path


@dataclass(frozen=True)
class IngestResult:
    session: Session
    roster_added: int
    outputs: dict[str, str]


def _check_request(study: Study, req: SessionRequest) -> list[str]:
    config = study.config
    problems = []
    if not SESSION_ID.match(req.session_id):
        problems.append(
            f"session id {req.session_id!r} must be letters, digits, '.', '_' or '-' (e.g. DS-pre)"
        )
    site = config.site(req.site)
    if site is None:
        problems.append(
            f"unknown site {req.site!r}; sites in fgdprep.yaml: "
            + ", ".join(s.code for s in config.sites)
        )
    if req.wave not in config.waves:
        problems.append(
            f"unknown wave {req.wave!r}; waves in fgdprep.yaml: {', '.join(config.waves)}"
        )
    try:
        dt.date.fromisoformat(req.date)
    except ValueError:
        problems.append(f"date {req.date!r} must be YYYY-MM-DD")
    if req.language is not None and not re.fullmatch(r"[a-z]{2,3}", req.language):
        problems.append(f"language {req.language!r} must be an ISO 639 code such as en or sw")
    if req.citation_prefix is not None and not re.fullmatch(
        r"[A-Z][A-Z0-9]{0,9}", req.citation_prefix
    ):
        problems.append("citation prefix must be uppercase letters/digits, e.g. DS1")
    return problems


@dataclass(frozen=True)
class NewSession:
    """A session checked and not yet written (``audio`` None), its roster as given and the
    site roster merged with it."""

    session: Session
    people: tuple[Person, ...]
    merged: tuple[Person, ...] | None
    added: int


def new_session(study: Study, req: SessionRequest) -> NewSession:
    """Check the options and the roster of a new session; writes nothing. The one path of
    ``ingest`` and ``import``."""
    problems = _check_request(study, req)
    if problems:
        raise InputError("; ".join(problems))
    if study.has_session(req.session_id):
        raise StudyError(
            f"session {req.session_id} already exists; choose another id (nothing was changed)"
        )
    site = study.config.site(req.site)
    assert site is not None
    people: tuple[Person, ...] = ()
    merged: tuple[Person, ...] | None = None
    added = 0
    if req.roster is not None:
        people = read_roster(req.roster)
        existing = study.site_roster(req.site)
        merged = merge_rosters(req.site, existing, people, f"roster {req.roster.name}")
        added = len(merged) - len(existing)
    session = Session(
        id=req.session_id,
        site=req.site,
        wave=req.wave,
        date=req.date,
        language=req.language or site.language,
        mode=req.mode,
        citation_prefix=req.citation_prefix or site.prefix,
        attendance=tuple(p.code for p in people),
    )
    return NewSession(session, people, merged, added)


def save_session(study: Study, new: NewSession, session: Session) -> dict[str, str]:
    """Write the session's rosters, then ``session.json`` (last: the session exists once
    all else is in place); returns the roster's checksum for the audit log."""
    outputs = {}
    if new.merged is not None:
        study.write_text(study.session_roster_path(session.id), format_roster(new.people))
        site_text = format_roster(new.merged)
        study.write_text(study.roster_path(session.site), site_text)
        outputs["roster"] = sha256_text(site_text)
    study.save_session(session)
    return outputs


def ingest(study: Study, req: IngestRequest) -> IngestResult:
    """Check the recording, roster and options, then copy them into the study and audit
    it. Needs the study lock."""
    new = new_session(study, req)
    info = probe(req.audio)
    digest = sha256_file(req.audio)
    for other in study.session_ids():
        audio = study.load_session(other).audio
        if audio is not None and audio.sha256 == digest:
            raise InputError(f"{req.audio.name} is already the recording of session {other}")

    suffix = req.audio.suffix.lower() if req.audio.suffix.lower() in AUDIO_SUFFIXES else ".audio"
    session = dataclasses.replace(
        new.session,
        audio=AudioInfo(
            filename=f"recording{suffix}",
            sha256=digest,
            duration=round(info.duration, 3),
            channels=info.channels,
            sample_rate=info.sample_rate,
            codec=info.codec,
            container=info.container,
        ),
    )
    outputs = {"recording": digest}
    study.copy_in(req.audio, study.recording_path(session), digest)
    outputs |= save_session(study, new, session)
    study.audit(
        "ingest",
        session=session.id,
        outputs=outputs,
        counts={
            "duration_s": round(info.duration, 3),
            "channels": info.channels,
            "attendance": len(session.attendance),
            "roster_added": new.added,
        },
    )
    return IngestResult(session, new.added, outputs)


def ingest_once(study: Study, req: IngestRequest) -> Session | None:
    """Ingest, unless the session exists with this very recording (a run started again):
    then None. The same id with another recording is an error."""
    if not study.has_session(req.session_id):
        return ingest(study, req).session
    audio = study.load_session(req.session_id).audio
    if audio is None or audio.sha256 != sha256_file(req.audio):
        raise StudyError(
            f"session {req.session_id} already exists with another recording; choose another"
            f" id, or 'fgdprep remove {req.session_id}' first (nothing was changed)"
        )
    return None


MANIFEST_COLUMNS = ("file", "session", "site", "wave", "date", "roster")


def read_manifest(path: Path) -> list[IngestRequest]:
    """A batch of recordings: CSV ``file,session,site,wave,date,roster[,language,mode]``, one
    row per session; file and roster relative to the manifest's folder."""
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
            header = rows[0].keys() if rows else ()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"manifest {path}: cannot be read ({exc})") from None
    missing = [c for c in MANIFEST_COLUMNS if c not in header]
    if missing:
        raise InputError(f"manifest {path}: no column {', '.join(missing)} (or no rows)")
    base = path.parent
    requests = []
    for n, row in enumerate(rows, 2):
        mode = (row.get("mode") or "in_person").strip().replace("-", "_")
        if mode not in {m.value for m in Mode}:
            raise InputError(f"manifest {path} line {n}: mode must be in-person or online")
        requests.append(
            IngestRequest(
                audio=base / row["file"].strip(),
                session_id=row["session"].strip(),
                site=row["site"].strip(),
                wave=row["wave"].strip(),
                date=row["date"].strip(),
                language=(row.get("language") or "").strip() or None,
                mode=Mode(mode),
                roster=base / row["roster"].strip() if row["roster"].strip() else None,
            )
        )
    return requests
