"""The archive: finalised, pseudonymised sessions as a BagIt bag for a data repository.

What goes in (under ``data/``): per session the finalised transcript as JSON, Word and plain
text (the export formats), the translation where it is complete (its metadata says whether
two reviewers approved it), a metadata file; a study summary table (site, wave, date, mode,
duration, participants, gender counts and roles: from roster and session, no names); the
audit log de-identified (login names become user-1, user-2…; any value that looks like a path
is dropped); a README.txt and a ``data_list.csv`` (UK Data Service / QDR style).

Never in it: recordings, the codebook, back-check files, anything of the identifiable area.
The anonymisation log (real value -> label) is identifiable: it is written only on request,
to a file of its own, outside the bag and the shareable area.

The bag is made in a temporary folder beside the target and renamed into place, so a crash
leaves no half bag. The leak check gates it: a hit and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgdprep import __version__
from fgdprep.errors import InputError, StageError, StudyError
from fgdprep.formats.export import ExportDoc, ExportOptions, make_exporters
from fgdprep.model import Finalised, Person, Role, Transcript, Translation
from fgdprep.stages.check import CheckResult, Problem
from fgdprep.stages.export import SOURCE, TRANSLATION, make_doc
from fgdprep.stages.finalise import load_finalised
from fgdprep.store import Study, atomic_write_text, named_errors

#: The export formats every session is archived in.
FORMATS = ("json", "docx", "txt")
SUMMARY_COLUMNS = (
    "session",
    "site",
    "wave",
    "date",
    "mode",
    "language",
    "duration_min",
    "participants",
    "moderators",
    "assistants",
    "female",
    "male",
    "other_gender",
    "unknown_gender",
    "paragraphs",
)
DATA_LIST_COLUMNS = ("file", "site", "wave", "date", "language", "participants", "processing")
#: A string that could be a path (and so a name of a folder or a person): dropped from the
#: archived audit log.
_PATHLIKE = re.compile(r"[/\\]|^~")


@dataclass(frozen=True)
class ArchiveRequest:
    out_dir: Path
    session_ids: tuple[str, ...] | None = None
    force: bool = False
    #: Where to write the anonymisation log (identifiable), or None.
    anonymisation_log: Path | None = None


@dataclass(frozen=True)
class Archived:
    session_id: str
    translation: str  # "approved", "not approved", "incomplete" or "none"
    files: int


@dataclass(frozen=True)
class ArchiveResult:
    out_dir: Path
    sessions: tuple[Archived, ...]
    files: int
    checked_files: int
    anonymisation_log: int | None  # entries written, None when not asked for


# --- pure ---------------------------------------------------------------------------------


def _csv(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def deidentify_audit(entries: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The audit log for the archive: login names as user-1, user-2… (in order of first
    appearance) and every key or string value that looks like a path dropped; returns the
    entries and how many values were dropped."""
    users: dict[str, str] = {}
    dropped = 0

    def clean(value: Any) -> Any:
        nonlocal dropped
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if isinstance(k, str) and _PATHLIKE.search(k):
                    dropped += 1
                    continue
                out[k] = clean(v)
            return out
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, str) and _PATHLIKE.search(value):
            dropped += 1
            return None
        return value

    out = []
    for entry in entries:
        entry = dict(entry)
        if "user" in entry:
            name = str(entry["user"])
            entry["user"] = users.setdefault(name, f"user-{len(users) + 1}")
        out.append(clean(entry))
    return out, dropped


def rechain(entries: Iterable[dict[str, Any]]) -> bytes:
    """The archived audit log as JSON lines, its hash chain made again over the
    de-identified lines (each "prev" the SHA-256 of the line before, as in the study): the
    study's own chain cannot hold once login names were replaced, and a chain that breaks
    at the first line would read as tampering."""
    from fgdprep.store import CHAIN_START

    out, prev = [], CHAIN_START
    for entry in entries:
        line = json.dumps(entry | {"prev": prev}, ensure_ascii=False, sort_keys=True)
        out.append(line + "\n")
        prev = hashlib.sha256(line.encode("utf-8")).hexdigest()
    return "".join(out).encode("utf-8")


def summary_row(
    finalised: Finalised, people: tuple[Person, ...], seconds: float | None = None
) -> dict[str, Any]:
    """One row of the "characteristics of focus groups" table: counts, never names.
    ``seconds``: the recording's length (else the end of the last paragraph)."""
    session = finalised.session
    present = [p for p in people if not session.attendance or p.code in session.attendance]
    roles = Counter(p.role for p in present)
    genders = Counter(_gender(p.gender) for p in present)
    end = seconds if seconds is not None else max((u.end for u in finalised.units), default=0.0)
    row: dict[str, Any] = {
        "session": session.id,
        "site": session.site,
        "wave": session.wave,
        "date": session.date,
        "mode": str(session.mode),
        "language": session.language,
        "duration_min": round(end / 60, 1),
        "paragraphs": len(finalised.units),
    }
    counts = {
        "participants": roles[Role.PARTICIPANT],
        "moderators": roles[Role.MODERATOR],
        "assistants": roles[Role.ASSISTANT],
        "female": genders["female"],
        "male": genders["male"],
        "other_gender": genders["other"],
        "unknown_gender": genders["unknown"],
    }
    # no session roster (a typed transcript imported without one): unknown, not zero
    return row | {k: v if present else "" for k, v in counts.items()}


def _gender(value: str) -> str:
    v = value.strip().lower()
    if v in ("f", "female", "w", "woman", "weiblich", "ke", "mwanamke"):
        return "female"
    if v in ("m", "male", "man", "männlich", "me", "mwanaume"):
        return "male"
    return "unknown" if not v else "other"


def readme(study_name: str, rows: list[dict[str, Any]], dropped: int, made_at: str) -> str:
    sessions = "\n".join(
        f"  {r['session']}: site {r['site']}, wave {r['wave']}, {r['date']}, {r['language']},"
        f" {r['participants'] or 'unknown'} participant(s), {r['paragraphs']} numbered paragraph(s)"
        for r in rows
    )
    return f"""{study_name}: de-identified focus-group transcripts
{"=" * (len(study_name) + 42)}

Made by fgdprep {__version__} on {made_at}. A BagIt bag (RFC 8493): every file is listed with
its SHA-256 in manifest-sha256.txt; check it with 'fgdprep archive --verify DIR' or any
BagIt validator.

Sessions
{sessions}

Files (under data/)
  sessions/<session>/<session>_<language>.json|.docx|.txt
      the finalised transcript: one numbered paragraph per unit, "CODE: text". Paragraph n
      is the number papers cite ("DS 84"); MAXQDA, NVivo and ATLAS.ti show the same numbers
      after importing the .docx or .txt. Speakers are roster codes (MOD, P01…), never names.
  sessions/<session>/<session>_<translation language>.*
      the translation, turn by turn with the same numbers, where every turn has one;
      metadata.json says whether two reviewers approved it.
  sessions/<session>/metadata.json   site, wave, date, mode, language, numbering, counts.
  summary.csv     characteristics of the focus groups (counts only, from the rosters).
  data_list.csv   every data file with site, wave, date, language, participants and what was
                  done to it.
  audit.jsonl     what was done to the data, by whom (login names replaced by user-1,
                  user-2…) and when, with checksums and counts; never text or names
                  ({dropped} path-like value(s) removed). Each line's "prev" is the SHA-256
                  of the line before it in this file: the chain was made again over the
                  de-identified lines, so it shows lines removed or changed after archiving,
                  not that the study's own log was whole.

What was done to the data
  Recorded focus-group discussions were transcribed verbatim in the language spoken, checked
  against the recording by the moderator, and pseudonymised: names of people and places and
  other personal information were replaced by labels in square brackets ([P03], [PLACE 2]).
  The key from labels to real values is kept by the study team only and is not part of this
  package. Recordings are not part of this package.
"""


# --- study-level entry points ----------------------------------------------------------------


def _check_out_dir(study: Study, out_dir: Path, force: bool) -> Path:
    out = out_dir.resolve()
    root = study.root.resolve()
    if out == root or root in out.parents:
        raise InputError(f"{out_dir} is inside the study folder; archive to a folder outside it")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out_dir} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(
            f"{out_dir} exists and is not empty; name a new folder, or replace it with --force"
        )
    return out


def _check_log_path(study: Study, path: Path, out: Path) -> None:
    target = path.resolve()
    for area, what in ((study.shareable.resolve(), "the shareable area"), (out, "the archive")):
        if target == area or area in target.parents:
            raise InputError(
                f"{path}: the anonymisation log is identifiable; keep it out of {what}"
            )
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(f"{path}: exists and is not a plain file; name a new file")


def _sessions(study: Study, ids: tuple[str, ...] | None) -> list[Finalised]:
    wanted = ids if ids is not None else tuple(study.session_ids())
    out = []
    for sid in wanted:
        study.load_session(sid)
        done = load_finalised(study, sid)
        if done is not None:
            out.append(done)
        elif ids is not None:
            raise StageError(f"{sid} is not finalised; run 'fgdprep finalise {sid}' first")
    if not out:
        raise StudyError("no session is finalised yet; finalise one first with 'fgdprep finalise'")
    return out


def _translation_state(study: Study, finalised: Finalised) -> str:
    from fgdprep.stages.translate import progress

    path = study.translation_path(finalised.session.id)
    if not path.is_file():
        return "none"
    translation = study.read_doc(path, "translation", Translation)
    frozen = Transcript(
        finalised.session.id,
        finalised.session.language,
        finalised.turns,
        study.load_shareable(finalised.session.id).provenance,
    )
    state = progress(frozen, translation, translation.language)
    if not state.complete:
        return "incomplete"
    return "approved" if state.approved else "not approved"


def _session_files(
    study: Study, finalised: Finalised, options: ExportOptions
) -> tuple[dict[str, bytes], dict[str, Any], str, list[ExportDoc]]:
    sid = finalised.session.id
    state = _translation_state(study, finalised)
    docs = [make_doc(study, finalised, SOURCE)[0]]
    if state in ("approved", "not approved"):
        docs.append(make_doc(study, finalised, TRANSLATION)[0])
    files: dict[str, bytes] = {}
    for exporter in make_exporters(FORMATS, options):
        for doc in docs:
            files[f"sessions/{sid}/{sid}_{doc.language}{exporter.suffix}"] = exporter.write([doc])
    meta = {
        **docs[0].meta(),
        "translation": {"state": state, "language": docs[1].language if len(docs) > 1 else None},
        "forced_at_finalisation": list(finalised.forced),
        "units": len(finalised.units),
    }
    return files, meta, state, docs


def run(study: Study, request: ArchiveRequest, passphrase: Callable[[], str]) -> ArchiveResult:
    """Write the bag (and, on request, the anonymisation log); audited with counts and the
    bag's manifest checksum. Needs the study lock."""
    import bagit

    from fgdprep.codebook import load_codebook
    from fgdprep.roster import read_roster
    from fgdprep.stages import leakcheck

    _remove_stale(request.out_dir.resolve())
    out = _check_out_dir(study, request.out_dir, request.force)
    if request.anonymisation_log is not None:
        _check_log_path(study, request.anonymisation_log, out)
    sessions = _sessions(study, request.session_ids)
    check = leakcheck.run(study, passphrase)
    if check.hits:
        raise StageError(
            f"the leak check found {len(check.hits)} possible leak(s) in the shareable area;"
            " nothing was archived. See them with 'fgdprep leakcheck'"
        )
    options = ExportOptions(
        study.config.export.timestamps, study.config.export.numbers, study.config.study.name
    )
    made_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    files: dict[str, bytes] = {}
    rows, data_list, archived = [], [], []
    for finalised in sessions:
        sid = finalised.session.id
        roster_path = study.session_roster_path(sid)
        people = read_roster(roster_path) if roster_path.is_file() else ()
        audio = study.load_session(sid).audio
        row = summary_row(finalised, people, audio.duration if audio is not None else None)
        rows.append(row)
        session_files, meta, state, docs = _session_files(study, finalised, options)
        meta["summary"] = row
        files.update(session_files)
        files[f"sessions/{sid}/metadata.json"] = _json(meta)
        for name in session_files:
            translated = any(d.text == TRANSLATION and f"_{d.language}." in name for d in docs[1:])
            data_list.append(
                {
                    "file": name,
                    "site": row["site"],
                    "wave": row["wave"],
                    "date": row["date"],
                    "language": name.rsplit("_", 1)[1].split(".", 1)[0],
                    "participants": row["participants"],
                    "processing": _processing(translated, state, finalised),
                }
            )
        archived.append(Archived(sid, state, len(session_files) + 1))
    audit, dropped = deidentify_audit(study.audit_entries())
    files["summary.csv"] = _csv(SUMMARY_COLUMNS, rows).encode("utf-8")
    files["data_list.csv"] = _csv(DATA_LIST_COLUMNS, data_list).encode("utf-8")
    files["audit.jsonl"] = rechain(audit)
    files["README.txt"] = readme(study.config.study.name, rows, dropped, made_at).encode("utf-8")

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with named_errors(path):
                path.write_bytes(data)
        bag = bagit.make_bag(
            str(tmp),
            bag_info={
                "Source-Organization": study.config.study.name,
                "External-Description": "De-identified focus-group transcripts (fgdprep)",
                "Bag-Software-Agent": f"fgdprep {__version__}",
            },
            checksums=["sha256"],
        )
        manifest = (tmp / "manifest-sha256.txt").read_bytes()
        del bag
        _replace_dir(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    entries = None
    if request.anonymisation_log is not None:
        book = load_codebook(study, passphrase())
        log = [
            {"label": e.label, "type": e.type, "value": e.value, "aliases": list(e.aliases)}
            for e in book.entries
        ]
        atomic_write_text(request.anonymisation_log, _json(log).decode("utf-8"), study.perms)
        os.chmod(request.anonymisation_log, 0o600)
        entries = len(log)
    from fgdprep.store import sha256_bytes

    study.audit(
        "archive",
        stage="archive",
        inputs={f.session.id: study.digest(study.finalised_path(f.session.id)) for f in sessions},
        outputs={"manifest-sha256.txt": sha256_bytes(manifest)},
        counts={
            "sessions": len(sessions),
            "files": len(files),
            "leakcheck_files": check.files,
            "audit_values_dropped": dropped,
            "anonymisation_log_entries": entries,
        },
        destination=str(out),
    )
    return ArchiveResult(out, tuple(archived), len(files), check.files, entries)


def _processing(translated: bool, state: str, finalised: Finalised) -> str:
    steps = "transcribed verbatim; back-checked; pseudonymised; numbered (finalised)"
    if finalised.forced:
        steps += f" with pending: {' '.join(finalised.forced)}"
    if translated:
        steps += f"; translated ({state})"
    return steps


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _remove_stale(target: Path) -> None:
    """Clear what an archive killed before it finished left beside ``target``: its half bag
    (``.NAME.xxxx.tmp``) is removed; a previous bag it had moved aside (``.NAME.old-PID``)
    goes back into place when the new one never got there, else is removed. Only one
    archive of a study runs at a time (the study lock), so no other is writing them."""
    parent = target.parent
    if not parent.is_dir():
        return
    for old in sorted(parent.glob(f".{target.name}.old-*")):
        if old.is_dir() and not old.is_symlink():
            if target.exists():
                shutil.rmtree(old)
            else:
                os.replace(old, target)
    for half in parent.glob(f".{target.name}.*.tmp"):
        if half.is_dir() and not half.is_symlink():
            shutil.rmtree(half)


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``: an old folder there is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old)


# --- verify ---------------------------------------------------------------------------------


#: What to do about a damaged bag / a possible leak in one.
REMAKE = "make the archive again from the study: fgdprep archive -o DIR --force"
REVIEW = "find the paragraph in the study, pseudonymise it (fgdprep review), archive again"


def _pattern_recognizers() -> list[Any]:
    from fgdprep.recognizers.patterns import FgdEmailRecognizer
    from fgdprep.recognizers.phone import FgdPhoneRecognizer

    return [FgdEmailRecognizer("en"), FgdPhoneRecognizer("en", ())]


def _pattern_hits(recognizers: list[Any], text: str) -> Iterator[str]:
    for recognizer in recognizers:
        for hit in recognizer.analyze(text, recognizer.supported_entities, None):
            yield str(hit.entity_type)


def _file_by_file(path: Path, bag: Any) -> list[Problem]:
    """Which files differ from the manifest (bagit stops at the first kind of failure)."""
    from fgdprep.store import sha256_file

    out = []
    listed = {name for name, sums in bag.entries.items() if "sha256" in sums}
    for name in sorted(listed):
        file = path / name
        if not file.is_file():
            out.append(Problem(name, "listed in the manifest but missing", REMAKE))
        elif sha256_file(file) != bag.entries[name]["sha256"]:
            out.append(Problem(name, "changed: its SHA-256 is not the manifest's", REMAKE))
    for name in sorted(set(bag.payload_files()) - listed):
        out.append(Problem(name, "not listed in the manifest", REMAKE))
    return out


def verify(path: Path) -> CheckResult:
    """Validate the bag (checksums, completeness) and search every payload file for phone
    numbers and e-mail addresses (the verifier has no codebook)."""
    import bagit

    from fgdprep.stages.leakcheck import paragraphs_of

    if not path.is_dir():
        raise InputError(f"{path}: no such folder")
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as exc:
        raise InputError(f"{path} is not a BagIt bag ({exc})") from None
    problems: list[Problem] = []
    try:
        bag.validate()
    except bagit.BagValidationError as exc:
        details = getattr(exc, "details", None) or [exc.message]
        problems += [Problem("bag", str(d), REMAKE) for d in details]
        problems += _file_by_file(path, bag)
    from fgdprep.store import verify_audit_chain

    broken = verify_audit_chain(path / "data" / "audit.jsonl")
    if broken is not None:
        problems.append(
            Problem("data/audit.jsonl", f"the hash chain breaks at line {broken}", REMAKE)
        )
    payload = sorted(p for p in (path / "data").rglob("*") if p.is_file())
    recognizers = _pattern_recognizers()
    for file in payload:
        rel = str(file.relative_to(path))
        if file.name == "audit.jsonl":
            continue  # checksums and counts: hex digits are not phone numbers
        try:
            paragraphs = paragraphs_of(file)
        except (StudyError, InputError, OSError) as exc:
            problems.append(Problem(rel, f"cannot be read ({exc})", REMAKE))
            continue
        for n, text in enumerate(paragraphs, start=1):
            for kind in _pattern_hits(recognizers, text):
                problems.append(Problem(rel, f"paragraph {n}: a possible {kind}", REVIEW))
    return CheckResult(len(payload), tuple(problems))
