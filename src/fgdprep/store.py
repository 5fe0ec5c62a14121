"""The study folder: every path of its layout, privacy zones, atomic writes, the audit log.

Every file fgdprep writes in a study has its path here, and only here (``<s>`` is a session
id, ``<stage>`` a :class:`~fgdprep.model.Stage`); :data:`LAYOUT` is this table as data, and a
test checks that every file a demo study holds is in it.

======================================================  ======  ===================================
path (relative to the study folder)                     zone    what
======================================================  ======  ===================================
fgdprep.yaml                                            --      the study config
identifiable/recordings/<s>/recording.<ext>             ident.  the original recording, unchanged
identifiable/rosters/<SITE>.csv                         ident.  the site roster, merged by ingest
identifiable/codebook.enc                               ident.  real name <-> label, encrypted
                                                                (or pseudonymisation.codebook)
identifiable/sessions/<s>/session.json                  ident.  site, wave, date, audio checksum
identifiable/sessions/<s>/roster.csv                    ident.  who attended, as ingested
identifiable/sessions/<s>/<stage>.json                  ident.  the transcript after each stage
identifiable/sessions/<s>/summaries.json                ident.  per transcript: its digest,
                                                                provenance and counts (what
                                                                sessions and status read)
identifiable/sessions/<s>/diarization.json              ident.  who spoke when (no words)
identifiable/sessions/<s>/speaker_assignments.json      ident.  label -> roster code (human work)
identifiable/sessions/<s>/speaker_clips/<label>.wav     ident.  a sample of each voice
identifiable/sessions/<s>/review.json                   ident.  the review queue (human work)
identifiable/sessions/<s>/changes.jsonl                 ident.  the change log: text diffs of
                                                                human edits (back-check)
identifiable/sessions/<s>/backcheck/<file>              ident.  the back-check worksheet (.docx)
                                                                and its clips folder
identifiable/sessions/<s>/backcheck/<dir>/<file>        ident.  a clip of a flagged turn (.wav)
identifiable/sessions/<s>/work/<stage>/<piece>.json     ident.  checkpoints of a running stage
identifiable/documents/<d>/document.json                ident.  a document de-identified with
                                                                --site: name, checksum, the
                                                                texts holding suggestions
identifiable/documents/<d>/review.json                  ident.  its review queue (human work)
shareable/sessions/<s>/deidentified.json                share.  the de-identified transcript
shareable/sessions/<s>/translation.json                 share.  the translation, turn by turn
shareable/sessions/<s>/finalised.json                   share.  numbered, frozen transcript
logs/audit.jsonl                                        --      who, when, command, checksums,
                                                                counts: never text or names
.fgdprep/lock                                           --      held while a command changes it
.fgdprep/journal.jsonl                                  --      files a command wrote (path,
                                                                SHA-256) until it ends: a kill
                                                                leaves it for the next command
======================================================  ======  ===================================

Shared studies: ``study.group`` owns every folder and file (setgid folders, mode 2770/0660,
the lock and the audit log included); ``study.shareable_group`` (optional) owns shareable/
alone, so a translator in that group reads the de-identified files and nothing else. The
audit log names the user by the process's uid (never the environment) and chains its
entries: each line carries the SHA-256 of the line before it (:func:`verify_audit_chain`).

Every file is written to a temporary name in its folder, fsynced and renamed, so a crash or a
kill leaves either the old or the new file, never half of one. Writing returns the SHA-256 of
what was written and reading remembers the SHA-256 of what was read (:meth:`Study.digest`),
so the audit log never re-reads a file only to hash it.

A command killed between writing a file and auditing it would leave a file the audit log
never heard of. So every write is first noted in ``.fgdprep/journal.jsonl`` (path and
SHA-256, fsynced) and the journal is removed when the command ends. A kill leaves it: the
next command that takes the lock removes the temporary files of those writes and, at its
end, audits as ``recover`` each file the killed command wrote that is whole as noted and
that no entry audits so (what it wrote again it audited itself). A command that fails does
the same for its own writes at once (a full disk while auditing: the journal stays). Stages
write the file the pipeline asks about last, so a killed stage runs again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import functools
import grp
import hashlib
import json
import os
import pwd
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from fgdprep import __version__
from fgdprep.config import CONFIG_NAME, StudyConfig, load_config
from fgdprep.errors import InputError, StudyError
from fgdprep.model import (
    Person,
    Session,
    SessionSummaries,
    Stage,
    Transcript,
    TranscriptSummary,
    dumps,
    loads,
    with_turn_ids,
)

#: The layout table of the module docstring as (path, zone): ``<stage>`` stands for a
#: :class:`~fgdprep.model.Stage`, any other ``<...>`` for one path component.
LAYOUT: tuple[tuple[str, str], ...] = (
    ("fgdprep.yaml", "config"),
    ("identifiable/recordings/<s>/recording.<ext>", "identifiable"),
    ("identifiable/rosters/<SITE>.csv", "identifiable"),
    ("identifiable/codebook.enc", "identifiable"),
    ("identifiable/sessions/<s>/session.json", "identifiable"),
    ("identifiable/sessions/<s>/roster.csv", "identifiable"),
    ("identifiable/sessions/<s>/<stage>.json", "identifiable"),
    ("identifiable/sessions/<s>/summaries.json", "identifiable"),
    ("identifiable/sessions/<s>/diarization.json", "identifiable"),
    ("identifiable/sessions/<s>/speaker_assignments.json", "identifiable"),
    ("identifiable/sessions/<s>/speaker_clips/<label>.wav", "identifiable"),
    ("identifiable/sessions/<s>/review.json", "identifiable"),
    ("identifiable/sessions/<s>/changes.jsonl", "identifiable"),
    ("identifiable/sessions/<s>/backcheck/<file>", "identifiable"),
    ("identifiable/sessions/<s>/backcheck/<dir>/<file>", "identifiable"),
    ("identifiable/sessions/<s>/work/<stage>/<piece>.json", "identifiable"),
    ("identifiable/documents/<d>/document.json", "identifiable"),
    ("identifiable/documents/<d>/review.json", "identifiable"),
    ("shareable/sessions/<s>/deidentified.json", "shareable"),
    ("shareable/sessions/<s>/translation.json", "shareable"),
    ("shareable/sessions/<s>/finalised.json", "shareable"),
    ("logs/audit.jsonl", "logs"),
    (".fgdprep/lock", "state"),
    (".fgdprep/journal.jsonl", "state"),
)


def _layout_regex(pattern: str) -> re.Pattern[str]:
    stages = "|".join(re.escape(s.value) for s in Stage)
    parts = re.split(r"(<[^>]+>)", pattern)
    out = []
    for part in parts:
        if part == "<stage>":
            out.append(f"(?:{stages})")
        elif part.startswith("<"):
            out.append(r"[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))


_LAYOUT_RE = tuple(_layout_regex(p) for p, _zone in LAYOUT)

SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: A document's id: "doc-" and the first hex digits of its SHA-256 (``<d>`` in the layout).
DOCUMENT_ID = re.compile(r"^doc-[0-9a-f]{10}$")
ENV_STUDY = "FGDPREP_STUDY"

T = TypeVar("T")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def layout_entry(relpath: str) -> tuple[str, str] | None:
    """The row of :data:`LAYOUT` (path, zone) a path relative to the study folder (with
    ``/``) is; None for a file fgdprep never writes."""
    return next(
        (row for row, rx in zip(LAYOUT, _LAYOUT_RE, strict=True) if rx.fullmatch(relpath)), None
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Permissions:
    """Owner-only by default; a study shared by a team gives its group read/write."""

    gid: int | None = None
    #: Mode of the study folder itself: 2771 when a shareable-only group must pass through it.
    root_mode: int | None = None

    @property
    def file_mode(self) -> int:
        return 0o660 if self.gid is not None else 0o600

    @property
    def dir_mode(self) -> int:
        return 0o2770 if self.gid is not None else 0o700

    def apply(self, path: Path, is_dir: bool) -> None:
        os.chmod(path, self.dir_mode if is_dir else self.file_mode)
        if self.gid is not None:
            os.chown(path, -1, self.gid)

    def apply_fd(self, fd: int) -> None:
        """Mode and group of a file this process just opened, if it owns it (the umask
        must not take the group's write away: a second team member appends to it)."""
        if os.fstat(fd).st_uid != os.getuid():
            return
        os.fchmod(fd, self.file_mode)
        if self.gid is not None:
            os.fchown(fd, -1, self.gid)

    @classmethod
    def for_config(cls, config: StudyConfig) -> Permissions:
        if config.study.group is None:
            return cls()
        root_mode = 0o2771 if config.study.shareable_group is not None else None
        return cls(_gid("study.group", config.study.group), root_mode)

    @classmethod
    def for_shareable(cls, config: StudyConfig) -> Permissions:
        """The shareable area's: its own group when ``study.shareable_group`` is set."""
        if config.study.shareable_group is None:
            return cls.for_config(config)
        return cls(_gid("study.shareable_group", config.study.shareable_group))


def _gid(key: str, name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise StudyError(
            f"{key} {name!r} is not a group on this machine;"
            " fix fgdprep.yaml or ask your administrator"
        ) from None


def current_user() -> str:
    """The user this process runs as, from its uid (LOGNAME and USER can say anything)."""
    return _user_name(os.getuid())


@functools.cache
def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


#: The "prev" of the first audit entry.
CHAIN_START = "0" * 64


def _last_line(path: Path) -> bytes:
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        block = b""
        while size > 0 and block.count(b"\n") < 2:
            step = min(size, 1 << 16)
            size -= step
            fh.seek(size)
            block = fh.read(step) + block
    lines = block.rstrip(b"\n").split(b"\n")
    return lines[-1] if lines and lines[-1] else b""


#: The release whose audit lines carry no "prev" (a study it made starts with them).
UNCHAINED_RELEASE = "0.1.0"


def verify_audit_chain(path: Path, legacy: bool = False) -> int | None:
    """The number (1-based) of the first audit line whose "prev" is not the SHA-256 of the
    line before it (an edited, removed or inserted entry); None when the chain holds.
    ``legacy``: the log may begin with lines of :data:`UNCHAINED_RELEASE`, written before
    the chain existed (the chain starts at the first line after them)."""
    prev = CHAIN_START
    if not path.is_file():
        return None
    chained = not legacy
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            return n
        if not isinstance(entry, dict):
            return n
        old = "prev" not in entry and entry.get("fgdprep") == UNCHAINED_RELEASE
        if not chained and old:
            prev = hashlib.sha256(line).hexdigest()
            continue
        chained = True
        if entry.get("prev") != prev:
            return n
        prev = hashlib.sha256(line).hexdigest()
    return None


def _makedirs(path: Path, perms: Permissions) -> None:
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(exist_ok=True)
        perms.apply(d, is_dir=True)


@contextlib.contextmanager
def named_errors(path: Path) -> Iterator[None]:
    """An OSError of a write to an open file (a full disk) names the file it was for."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def atomic_write_bytes(path: Path, data: bytes, perms: Permissions = Permissions()) -> None:
    _makedirs(path.parent, perms)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with named_errors(path), os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        perms.apply(Path(tmp), is_dir=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, perms: Permissions = Permissions()) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), perms)


def atomic_copy(src: Path, dest: Path, perms: Permissions = Permissions()) -> None:
    """Copy a (possibly large) file so that ``dest`` appears whole or not at all."""
    _makedirs(dest.parent, perms)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with named_errors(dest), os.fdopen(fd, "wb") as out, src.open("rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        perms.apply(Path(tmp), is_dir=False)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(dest.parent)


def find_study_root(explicit: Path | None, cwd: Path) -> Path:
    """The study folder: ``--study``/``FGDPREP_STUDY`` if given, else walk up like git."""
    if explicit is not None:
        if not (explicit / CONFIG_NAME).is_file():
            raise StudyError(
                f"{explicit} is not an fgdprep study (no {CONFIG_NAME});"
                " run 'fgdprep init DIR' to make one"
            )
        return explicit
    for folder in (cwd, *cwd.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise StudyError(
        f"no fgdprep study here (no {CONFIG_NAME} in {cwd} or its parents);"
        f" cd into a study, pass --study DIR or set {ENV_STUDY}"
    )


class Study:
    """A study folder on disk. Reads freely; changes only under :meth:`lock`."""

    def __init__(self, root: Path, config: StudyConfig) -> None:
        self.root = root
        self.config = config
        self.perms = Permissions.for_config(config)
        self.shareable_perms = Permissions.for_shareable(config)
        self._lock_fh: BinaryIO | None = None
        #: (session, key, SHA-256) of what this object audited (the journal's recovery
        #: reads the audit log only for writes not among them).
        self._audited_now: set[tuple[str, str, str]] = set()
        #: SHA-256 of every file this object read or wrote, as it was then.
        self._digests: dict[Path, str] = {}

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path) -> Study:
        return cls(root, load_config(root / CONFIG_NAME))

    @classmethod
    def create(cls, root: Path, config: StudyConfig, config_text: str) -> Study:
        if (root / CONFIG_NAME).exists():
            raise StudyError(f"{root} is already an fgdprep study ({CONFIG_NAME} exists)")
        if root.exists() and not root.is_dir():
            raise InputError(f"{root} exists and is not a folder")
        if root.exists() and any(root.iterdir()):
            raise InputError(f"{root} is not empty; name a new folder for the study")
        study = cls(root, config)
        _makedirs(root, study.perms)
        if study.perms.root_mode is not None:
            os.chmod(root, study.perms.root_mode)
        for sub in (study.identifiable, study.shareable, study.logs_dir, study.state_dir):
            study.makedirs(sub)
        atomic_write_text(root / CONFIG_NAME, config_text, study.perms)
        return study

    # -- paths -------------------------------------------------------------------------------

    @property
    def identifiable(self) -> Path:
        return self.root / "identifiable"

    @property
    def shareable(self) -> Path:
        return self.root / "shareable"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def state_dir(self) -> Path:
        return self.root / ".fgdprep"

    @property
    def audit_log(self) -> Path:
        return self.logs_dir / "audit.jsonl"

    def session_dir(self, session_id: str) -> Path:
        return self.identifiable / "sessions" / session_id

    def recording_dir(self, session_id: str) -> Path:
        return self.identifiable / "recordings" / session_id

    def roster_path(self, site: str) -> Path:
        return self.identifiable / "rosters" / f"{site}.csv"

    def session_path(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "session.json"

    def session_roster_path(self, session_id: str) -> Path:
        """The roster as given at ingest: who attended."""
        return self.session_dir(session_id) / "roster.csv"

    def transcript_path(self, session_id: str, stage: Stage) -> Path:
        return self.session_dir(session_id) / f"{Stage(stage)}.json"

    def summaries_path(self, session_id: str) -> Path:
        """What listing needs of each transcript (:class:`~fgdprep.model.SessionSummaries`)."""
        return self.session_dir(session_id) / "summaries.json"

    def work_dir(self, session_id: str, stage: Stage) -> Path:
        return self.session_dir(session_id) / "work" / Stage(stage)

    def diarization_path(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "diarization.json"

    def assignments_path(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "speaker_assignments.json"

    def clip_path(self, session_id: str, label: str) -> Path:
        return self.session_dir(session_id) / "speaker_clips" / f"{label}.wav"

    def review_path(self, session_id: str) -> Path:
        return self.session_dir(session_id) / "review.json"

    def change_log_path(self, session_id: str) -> Path:
        """Text diffs of human edits (identifiable: the audit log has only counts)."""
        return self.session_dir(session_id) / "changes.jsonl"

    def backcheck_dir(self, session_id: str) -> Path:
        """Where the back-check worksheet and its clips go by default (identifiable)."""
        return self.session_dir(session_id) / "backcheck"

    @property
    def documents_dir(self) -> Path:
        return self.identifiable / "documents"

    def document_ids(self) -> list[str]:
        """Documents de-identified with a site, in id order."""
        if not self.documents_dir.is_dir():
            return []
        return sorted(
            p.name
            for p in self.documents_dir.iterdir()
            if DOCUMENT_ID.match(p.name) and self.document_path(p.name).is_file()
        )

    def document_path(self, document_id: str) -> Path:
        """What ``deidentify --site`` recorded of a document (:class:`DocumentRecord`)."""
        return self.documents_dir / document_id / "document.json"

    def document_review_path(self, document_id: str) -> Path:
        """A document's review queue (a :class:`ReviewQueue` named by the document id)."""
        return self.documents_dir / document_id / "review.json"

    @property
    def shareable_sessions(self) -> Path:
        return self.shareable / "sessions"

    def shareable_path(self, session_id: str) -> Path:
        """The de-identified transcript: the only form of a session that leaves the study."""
        return self.shareable_sessions / session_id / "deidentified.json"

    def translation_path(self, session_id: str) -> Path:
        """The translation (:class:`~fgdprep.model.Translation`), turn by turn."""
        return self.shareable_sessions / session_id / "translation.json"

    def finalised_path(self, session_id: str) -> Path:
        """The numbered transcript ``finalise`` froze; exports and ``cite`` read it."""
        return self.shareable_sessions / session_id / "finalised.json"

    @property
    def codebook_path(self) -> Path:
        """The configured location, else ``identifiable/codebook.enc``; never the shareable
        area."""
        configured = self.config.pseudonymisation.codebook
        if configured is None:
            return self.identifiable / "codebook.enc"
        path = Path(configured).expanduser()
        path = path if path.is_absolute() else self.root / path
        shareable = self.shareable.resolve()
        if path.resolve() == shareable or shareable in path.resolve().parents:
            raise StudyError(
                "pseudonymisation.codebook points into the shareable area; keep the key apart"
            )
        return path

    def recording_path(self, session: Session) -> Path:
        if session.audio is None:
            raise StudyError(f"session {session.id} has no recording (it was imported as text)")
        return self.recording_dir(session.id) / session.audio.filename

    def in_shareable(self, path: Path) -> bool:
        shareable, target = self.shareable.resolve(), path.resolve()
        return target == shareable or shareable in target.parents

    def perms_for(self, path: Path) -> Permissions:
        """The shareable area's permissions for a path inside it, the study's elsewhere."""
        return self.shareable_perms if self.in_shareable(path) else self.perms

    def refuse_shareable(self, path: Path, what: str) -> None:
        """Identifiable output (a readable codebook, spans with real names, worksheets) may
        never be written into the shareable area: it would be exported with it."""
        if self.in_shareable(path):
            raise InputError(
                f"{path}: {what} may never go into the shareable area; nothing was changed"
            )

    # -- writing -----------------------------------------------------------------------------

    def write_text(self, path: Path, text: str) -> str:
        """Write atomically; returns the SHA-256 of what was written."""
        return self.write_bytes(path, text.encode("utf-8"))

    def write_bytes(self, path: Path, data: bytes) -> str:
        """Write atomically (noted in the journal first); returns the SHA-256 of what was
        written."""
        self._check_locked()
        digest = sha256_bytes(data)
        self._note(path, digest)
        atomic_write_bytes(path, data, self.perms_for(path))
        self._digests[path] = digest
        return digest

    @property
    def journal_path(self) -> Path:
        return self.state_dir / "journal.jsonl"

    def _note(self, path: Path, digest: str) -> None:
        rel = path.relative_to(self.root).as_posix() if self.root in path.parents else None
        if rel is None:
            return  # a codebook kept outside the study: no audit key names it
        line = json.dumps({"path": rel, "sha256": digest}) + "\n"
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            self.perms.apply_fd(fd)
            with named_errors(self.journal_path):
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
        finally:
            os.close(fd)

    def audit_key(self, path: Path) -> tuple[str, str] | None:
        """(session, key) under which an audit entry records a study file's SHA-256 (the
        inverse of :func:`fgdprep.stages.check.audited_path`), None for a file no key names."""
        parts = path.relative_to(self.root).parts if self.root in path.parents else ()
        if len(parts) != 4 or parts[1] != "sessions":
            return None
        sid = parts[2]
        keys = {self.transcript_path(sid, st): st.value for st in Stage}
        keys |= {
            self.shareable_path(sid): "deidentified",
            self.finalised_path(sid): "finalised",
            self.translation_path(sid): "translation",
            self.change_log_path(sid): "change_log",
        }
        return (sid, keys[path]) if path in keys else None

    def _noted(self) -> dict[Path, str]:
        noted: dict[Path, str] = {}
        if self.journal_path.is_file():
            for line in self.journal_path.read_bytes().splitlines():
                try:
                    entry = json.loads(line)
                    noted[self.root / entry["path"]] = entry["sha256"]
                except (ValueError, KeyError, TypeError):
                    continue  # a half line: that write never started
        return noted

    def _clear_temp(self) -> None:
        """Remove the temporary files of writes a killed command left (their targets are in
        the journal it left; the lock is ours, so no other write is under way)."""
        for path in self._noted():
            if path.parent.is_dir():
                for half in path.parent.glob(f".{path.name}.*.tmp"):
                    half.unlink()

    def _recover(self, noted: dict[Path, str]) -> None:
        """Audit, as ``recover``, each of the ``noted`` writes whose file is whole as noted
        and not audited so (a command killed or failed before its audit entry, the file not
        written again since), then remove the journal (see the module's doc)."""
        noted = {
            path: digest
            for path, digest in noted.items()
            if (key := self.audit_key(path)) is not None and (*key, digest) not in self._audited_now
        }
        audited: dict[tuple[str, str], str] = {}
        if noted:
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                for entry in self.audit_entries():
                    for field in ("inputs", "outputs"):
                        for key, digest in (entry.get(field) or {}).items():
                            audited[(str(entry.get("session")), key)] = digest
        recovered: dict[str, dict[str, str]] = {}
        for path, digest in noted.items():
            key = self.audit_key(path)
            if key is None or not path.is_file() or audited.get(key) == digest:
                continue
            if sha256_file(path) == digest:
                recovered.setdefault(key[0], {})[key[1]] = digest
        for sid, outputs in sorted(recovered.items()):
            self._append_audit(
                "recover", sid, None, None, outputs, {"interrupted_writes": len(outputs)}, None
            )
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.journal_path)
            _fsync_dir(self.state_dir)

    def read_bytes(self, path: Path) -> bytes:
        """A file of the study, its digest remembered for :meth:`digest`."""
        data = path.read_bytes()
        self._digests[path] = sha256_bytes(data)
        return data

    def digest(self, path: Path) -> str:
        """SHA-256 of a study file as this object last read or wrote it (hashed now if it has
        not touched it); "" when there is no such file."""
        if path not in self._digests:
            if not path.is_file():
                return ""
            self._digests[path] = sha256_file(path)
        return self._digests[path]

    def copy_in(self, src: Path, dest: Path, digest: str) -> None:
        """Copy ``src`` (whose SHA-256 is ``digest``) to ``dest`` atomically, noted in the
        journal first (a kill mid-copy leaves a temporary file the next command removes)."""
        self._check_locked()
        self._note(dest, digest)
        atomic_copy(src, dest, self.perms_for(dest))
        self._digests[dest] = digest

    def delete_tree(self, path: Path) -> None:
        """Remove a folder of the study: first renamed out of the way (one atomic step, so a
        crash leaves the session whole or gone), then deleted."""
        self._check_locked()
        if not path.exists():
            return
        trash = self.state_dir / f"removed-{path.name}-{os.getpid()}"
        _makedirs(self.state_dir, self.perms)
        os.replace(path, trash)
        _fsync_dir(path.parent)
        shutil.rmtree(trash)
        self._digests = {p: d for p, d in self._digests.items() if path not in p.parents}

    def remove_file(self, path: Path) -> None:
        """Remove one file of the study (gone or whole: an unlink is atomic)."""
        self._check_locked()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)
        self._digests.pop(path, None)

    def makedirs(self, path: Path) -> None:
        _makedirs(path, self.perms_for(path))

    # -- sessions and transcripts ------------------------------------------------------------

    def session_ids(self) -> list[str]:
        base = self.identifiable / "sessions"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if self.session_path(p.name).is_file())

    def has_session(self, session_id: str) -> bool:
        return self.session_path(session_id).is_file()

    def load_session(self, session_id: str) -> Session:
        path = self.session_path(session_id)
        if not SESSION_ID.match(session_id) or not path.is_file():
            known = ", ".join(self.session_ids()) or "none yet"
            raise StudyError(
                f"unknown session {session_id!r} (sessions in this study: {known});"
                " add one with 'fgdprep ingest'"
            )
        return self._read(path, "session", Session)

    def site_roster(self, site: str) -> tuple[Person, ...]:
        """A site's roster as merged from every ingest (empty before the first)."""
        from fgdprep.roster import read_roster

        path = self.roster_path(site)
        return read_roster(path) if path.is_file() else ()

    def latest_stage(self, session_id: str, stages: Sequence[Stage]) -> Stage | None:
        """The first of ``stages`` (latest first) the session has a transcript of."""
        return next((st for st in stages if self.has_transcript(session_id, st)), None)

    def sessions_with(self, stage: Stage) -> list[str]:
        """Sessions that have a transcript of ``stage``, in id order."""
        return [sid for sid in self.session_ids() if self.has_transcript(sid, stage)]

    def save_session(self, session: Session) -> str:
        return self.write_text(self.session_path(session.id), dumps("session", session))

    def has_transcript(self, session_id: str, stage: Stage) -> bool:
        return self.transcript_path(session_id, stage).is_file()

    def load_transcript(self, session_id: str, stage: Stage) -> Transcript:
        path = self.transcript_path(session_id, stage)
        if not path.is_file():
            raise StudyError(f"session {session_id} has no {Stage(stage)} transcript yet")
        return self._read(path, "transcript", Transcript)

    def save_transcript(self, transcript: Transcript, stage: Stage) -> str:
        """Write a stage's (identifiable) transcript, every turn with its id, and its
        summary; returns its SHA-256."""
        sid, stage = transcript.session_id, Stage(stage)
        transcript = with_turn_ids(transcript)
        digest = self.write_text(self.transcript_path(sid, stage), dumps("transcript", transcript))
        kept = [
            s
            for s in self._summaries(sid)
            if s.stage != stage and s.sha256 == self.digest(self.transcript_path(sid, s.stage))
        ]
        summary = TranscriptSummary.of(stage, transcript, digest)
        ordered = sorted([*kept, summary], key=lambda s: list(Stage).index(s.stage))
        self.save_doc(self.summaries_path(sid), "summaries", SessionSummaries(sid, tuple(ordered)))
        return digest

    def transcript_summary(self, session_id: str, stage: Stage) -> TranscriptSummary:
        """What listing needs of a transcript, without parsing it: from ``summaries.json``
        while that describes the file as it is (same SHA-256), else read from the
        transcript (a study written before summaries, or a crash between the two writes)."""
        stage = Stage(stage)
        path = self.transcript_path(session_id, stage)
        if not path.is_file():
            raise StudyError(f"session {session_id} has no {stage} transcript yet")
        digest = self.digest(path)
        for summary in self._summaries(session_id):
            if summary.stage == stage and summary.sha256 == digest:
                return summary
        return TranscriptSummary.of(stage, self.load_transcript(session_id, stage), digest)

    def _summaries(self, session_id: str) -> tuple[TranscriptSummary, ...]:
        path = self.summaries_path(session_id)
        if not path.is_file():
            return ()
        try:
            return self.read_doc(path, "summaries", SessionSummaries).transcripts
        except StudyError:
            return ()  # rebuilt from the transcripts: only a cache of them

    def load_shareable(self, session_id: str) -> Transcript:
        path = self.shareable_path(session_id)
        if not path.is_file():
            raise StudyError(
                f"{path.relative_to(self.root)} is missing; run 'fgdprep pseudonymise"
                f" {session_id}' again"
            )
        return self._read(path, "transcript", Transcript)

    def save_shareable(self, transcript: Transcript) -> str:
        """Write the de-identified transcript (no word-level text); returns its SHA-256."""
        path = self.shareable_path(transcript.session_id)
        return self.write_text(path, dumps("transcript", with_turn_ids(transcript.shareable())))

    def save_doc(self, path: Path, kind: str, value: Any) -> str:
        """Write a model document (:func:`fgdprep.model.dumps`); returns its SHA-256."""
        return self.write_text(path, dumps(kind, value))

    def read_doc(self, path: Path, kind: str, cls: type[T]) -> T:
        """Read a model document written with :func:`fgdprep.model.dumps`."""
        return self._read(path, kind, cls)

    def _read(self, path: Path, kind: str, cls: type[T]) -> T:
        try:
            return loads(kind, cls, self.read_bytes(path).decode("utf-8"))
        except UnicodeDecodeError as exc:
            why = f"not UTF-8 text at byte {exc.start}"
        except (OSError, ValueError) as exc:
            why = str(exc)
        rel = path.relative_to(self.root)
        raise StudyError(f"{rel}: cannot be read ({why}); 'fgdprep check' says how to repair it")

    # -- audit log ---------------------------------------------------------------------------

    def audit(
        self,
        command: str,
        *,
        session: str | None = None,
        stage: str | None = None,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
        counts: Mapping[str, Any] | None = None,
        destination: str | None = None,
    ) -> None:
        """Append one entry: who (from the uid), when, command, checksums and counts, and the
        SHA-256 of the entry before it. Never text or names; ``destination`` is where an
        export or an identifiable file outside the study went."""
        self._check_locked()
        self._append_audit(command, session, stage, inputs, outputs, counts, destination)

    def audit_read(
        self, command: str, *, session: str | None = None, stage: str | None = None, **counts: Any
    ) -> None:
        """Log that identifiable text was shown (``show``, review listings): no study lock is
        needed to read, so only the audit log is locked while the entry is appended."""
        self._append_audit(command, session, stage, None, None, counts, None)

    def _append_audit(
        self,
        command: str,
        session: str | None,
        stage: str | None,
        inputs: Mapping[str, str] | None,
        outputs: Mapping[str, str] | None,
        counts: Mapping[str, Any] | None,
        destination: str | None,
    ) -> None:
        entry: dict[str, Any] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "user": current_user(),
            "uid": os.getuid(),
            "fgdprep": __version__,
            "command": command,
            "session": session,
            "stage": stage,
            "inputs": dict(inputs or {}),
            "outputs": dict(outputs or {}),
            "counts": dict(counts or {}),
        }
        if destination is not None:
            entry["destination"] = destination
        fd = self._open_audit()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # one chain: readers append without the study lock
            last = _last_line(self.audit_log)
            entry["prev"] = hashlib.sha256(last).hexdigest() if last else CHAIN_START
            line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
            with named_errors(self.audit_log):
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
        finally:
            os.close(fd)
        for field in (inputs or {}), (outputs or {}):
            self._audited_now.update((str(session), k, v) for k, v in field.items())

    def _open_audit(self) -> int:
        _makedirs(self.logs_dir, self.perms)
        fd = os.open(self.audit_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, self.perms.file_mode)
        try:
            self.perms.apply_fd(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def audit_entries(self) -> list[dict[str, Any]]:
        if not self.audit_log.is_file():
            return []
        lines = self.audit_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    # -- lock --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[Study]:
        """Hold the study lock: two processes cannot change one study at the same time."""
        _makedirs(self.state_dir, self.perms)
        fd = os.open(self.state_dir / "lock", os.O_RDWR | os.O_CREAT, self.perms.file_mode)
        fh = os.fdopen(fd, "a+b")
        try:
            self.perms.apply_fd(fd)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                raise StudyError(
                    f"the study {self.root} is in use by another fgdprep command;"
                    " wait for it to finish and try again"
                ) from None
            raise
        try:
            # an audit log this user cannot append to must stop the command before it changes
            # anything, not after (a change with no audit line)
            os.close(self._open_audit())
            inherited = self._noted()  # what a killed command wrote
            self._clear_temp()
        except BaseException:
            fcntl.flock(fd, fcntl.LOCK_UN)
            fh.close()
            raise
        self._lock_fh = fh
        try:
            yield self
        except BaseException:
            # an error after some writes (a full disk while auditing): audited now if the
            # disk lets us, else the journal stays for the next command (as after a kill)
            with contextlib.suppress(OSError):
                self._recover(self._noted())
            raise
        else:
            # ended: what a command killed before it wrote and no entry audited since
            self._recover(inherited)
        finally:
            self._lock_fh = None
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()

    def _check_locked(self) -> None:
        if self._lock_fh is None:
            raise RuntimeError("study changed without holding its lock")


class CheckpointDir:
    """Finished pieces of a long stage (one JSON file each), so an interrupted run resumes.

    Every piece is written atomically: a kill leaves whole pieces only.
    """

    def __init__(self, study: Study, session_id: str, stage: Stage) -> None:
        self.study = study
        self.path = study.work_dir(session_id, stage)

    def load(self, name: str) -> str | None:
        path = self.path / f"{name}.json"
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def save(self, name: str, text: str) -> None:
        self.study.write_text(self.path / f"{name}.json", text)

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.path.glob("*.json")) if self.path.is_dir() else []

    def clear(self) -> None:
        self.study._check_locked()
        if self.path.is_dir():
            shutil.rmtree(self.path)
