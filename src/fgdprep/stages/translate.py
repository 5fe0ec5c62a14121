"""Translation: the translator packet out, the translation back in, two reviewers' approvals.

The packet is made from the shareable (pseudonymised) transcript only, and only while that
copy is current and the leak check finds nothing in the session's shareable files. What comes
back is taken row by row, keyed by turn id (partial imports merge); the whole import is
refused, naming the rows, when rows are missing, duplicated or renumbered, when a [label] of
the source is missing in a translation or one is not in the source, or when a real name
(codebook value, roster name) is in a translation or note: the leak check's own matching.
Approvals carry the SHA-256 of the rows they approved, so any later change withdraws them.
The pure functions take values; :func:`export`, :func:`import_packet`, :func:`approve` and
:func:`status` are the study-level entry points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep.errors import InputError, StageError
from fgdprep.formats import packet as docx_packet
from fgdprep.formats import xliff
from fgdprep.formats.packet import Packet, PacketRow, labels
from fgdprep.model import (
    DEIDENTIFIED,
    WITHDRAWN,
    Approval,
    Stage,
    Transcript,
    Translation,
    TranslationRow,
    source_sha256,
    too_long,
    with_translation,
)
from fgdprep.store import Study, atomic_write_bytes, sha256_bytes

#: The audit log's stage name for translation work.
STAGE = "translation"
#: Approvals by different people needed before a translation counts as approved.
APPROVALS = 2
#: Packet formats: name -> (suffixes, writer, reader).
FORMATS: dict[str, tuple[tuple[str, ...], Callable[[Packet], bytes], Callable[[Path], Packet]]] = {
    "docx": ((".docx",), docx_packet.write_docx, docx_packet.read_docx),
    "xliff": ((".xlf", ".xliff"), xliff.write, xliff.read),
}

#: Finds real names in a text: (label, how) per hit (:func:`fgdprep.stages.leakcheck.find_in_text`).
Leaks = Callable[[str], list[tuple[str, str]]]


def format_of(path: Path) -> str | None:
    """The packet format a file name says (None: neither)."""
    suffix = path.suffix.lower()
    return next((name for name, (sfx, _w, _r) in FORMATS.items() if suffix in sfx), None)


# -- pure ----------------------------------------------------------------------------------


def rows_sha256(translation: Translation) -> str:
    """What an approval records: the rows' turn, text, source digest and note (not who or
    when), so that any change to a row withdraws the approvals made before it."""
    data = [[r.turn, r.text, r.source_sha256, r.note] for r in translation.rows]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Progress:
    """A session's translation as it stands against its current shareable transcript."""

    session_id: str
    source_language: str
    language: str
    #: Turns with source text (the N of "n/N translated").
    turns: int
    translated: int
    #: Rows whose source text changed since they were translated.
    stale: int
    #: Approvals that still hold (made of the rows as they are), in order.
    approvals: tuple[Approval, ...]
    #: Approvals a later change withdrew (kept only until the next approval).
    withdrawn: int
    #: Row numbers still to translate (empty source text needs none).
    missing: tuple[int, ...]
    stale_rows: tuple[int, ...]

    @property
    def complete(self) -> bool:
        return self.translated == self.turns and not self.stale

    @property
    def approved(self) -> bool:
        return self.complete and len(self.approvals) >= APPROVALS


def progress(transcript: Transcript, translation: Translation | None, language: str) -> Progress:
    """How far the translation of ``transcript`` (the shareable one) is: n/N, stale rows,
    approvals that hold."""
    current = with_translation(transcript, translation)
    rows = {r.turn: r for r in translation.rows} if translation else {}
    missing, stale = [], []
    turns = translated = 0
    for n, (turn, now) in enumerate(zip(transcript.turns, current.turns, strict=True), start=1):
        if not turn.text.strip():
            continue
        turns += 1
        if now.translation:
            translated += 1
        elif turn.id in rows and rows[turn.id].text:
            stale.append(n)
        else:
            missing.append(n)
    valid: tuple[Approval, ...] = ()
    withdrawn = 0
    if translation is not None:
        digest = rows_sha256(translation)
        valid = tuple(a for a in translation.approvals if a.sha256 == digest and not stale)
        withdrawn = len(translation.approvals) - len(valid)
    return Progress(
        transcript.session_id,
        translation.source_language if translation else transcript.language,
        translation.language if translation else language,
        turns,
        translated,
        len(stale),
        valid,
        withdrawn,
        tuple(missing),
        tuple(stale),
    )


def packet_of(transcript: Transcript, translation: Translation | None, language: str) -> Packet:
    """The packet of a shareable transcript: one row per turn, in order; rows translated
    from the text as it is now come pre-filled (a translator continues where they were)."""
    current = with_translation(transcript, translation)
    notes = {r.turn: r.note for r in translation.rows} if translation else {}
    rows = tuple(
        PacketRow(
            row=n,
            turn=t.id,
            source_sha256=source_sha256(t.text),
            speaker=t.speaker or "",
            source=t.text,
            translation=t.translation or "",
            note=notes.get(t.id, "") if t.translation else "",
        )
        for n, t in enumerate(current.turns, start=1)
    )
    packet = Packet(transcript.session_id, transcript.language, language, rows)
    return dataclasses.replace(packet, count=len(rows), checksum=packet.digest())


def row_problems(packet: Packet) -> list[str]:
    """Rows missing, duplicated or renumbered, checked against the hidden ids and the row
    count the packet was exported with."""
    problems = []
    seen = Counter(r.row for r in packet.rows)
    turns = Counter(r.turn for r in packet.rows)
    for n in sorted(n for n, k in seen.items() if k > 1):
        problems.append(f"row {n} appears twice; keep each row once")
    for n in range(1, packet.count + 1):
        if n not in seen:
            problems.append(f"row {n} is missing; return every row, translated or not")
    for r in packet.rows:
        if r.row > packet.count or r.row < 1:
            problems.append(f"row {r.row} is not a row of this packet; keep the rows as sent")
        elif seen[r.row] == 1 and turns[r.turn] > 1:
            problems.append(f"row {r.row} appears twice; keep each row once")
        elif r.number != r.row:
            shown = "has no number" if r.number is None else f"is numbered {r.number}"
            problems.append(f"row {r.row} {shown}; keep the numbers as they are")
    for r in packet.rows:
        for field, text in (("translation", r.translation), ("note", r.note)):
            if (problem := too_long(text)) is not None:
                problems.append(f"row {r.row}: the {field} {problem}")
    if not problems and packet.digest() != packet.checksum:
        problems.append(
            "the hidden row ids were changed; make a new packet with 'fgdprep translate'"
        )
    return problems


def label_problems(row: int, source: str, translation: str) -> list[str]:
    wanted, found = set(labels(source)), set(labels(translation))
    out = [
        f"row {row}: {label} of the source is missing in the translation; keep every"
        " [label] as it is"
        for label in sorted(wanted - found)
    ]
    out += [
        f"row {row}: {label} is not in the source; use only the labels of the source"
        for label in sorted(found - wanted)
    ]
    return out


def leak_problems(row: int, field: str, text: str, leaks: Leaks) -> list[str]:
    return [
        f"row {row}: the {field} has a real name of {label} ({how} match); write the label"
        f" {label} instead"
        for label, how in dict.fromkeys(leaks(text))
    ]


@dataclass(frozen=True)
class Merged:
    translation: Translation
    changed: int
    unchanged: int
    #: Row numbers imported although their source changed since the packet (stale).
    stale: tuple[int, ...]
    #: Row numbers whose turn is no longer in the transcript (not imported).
    gone: tuple[int, ...]
    withdrawn: int


def merge(
    transcript: Transcript,
    translation: Translation | None,
    packet: Packet,
    by: str,
    at: str,
    leaks: Leaks,
) -> Merged | list[str]:
    """The translation with the packet's translated rows in it, or the problems that refuse
    the import (every one, naming its row). Rows left empty change nothing."""
    problems = row_problems(packet)
    if problems:
        return problems
    turns = {t.id: t for t in transcript.turns}
    old = {r.turn: r for r in translation.rows} if translation else {}
    new = dict(old)
    changed = unchanged = 0
    stale, gone = [], []
    for r in sorted(packet.rows, key=lambda r: r.row):
        if not r.translation:
            continue
        turn = turns.get(r.turn)
        if turn is None or turn.text == WITHDRAWN:  # a withdrawn turn takes no translation
            gone.append(r.row)
            continue
        current = source_sha256(turn.text) == r.source_sha256
        source = turn.text if current else r.source
        problems += label_problems(r.row, source, r.translation)
        problems += leak_problems(r.row, "translation", r.translation, leaks)
        problems += leak_problems(r.row, "note", r.note, leaks)
        if not current:
            stale.append(r.row)
        row = TranslationRow(r.turn, r.translation, r.source_sha256, r.note, by, at)
        was = old.get(r.turn)
        if was is not None and (was.text, was.source_sha256, was.note) == (
            row.text,
            row.source_sha256,
            row.note,
        ):
            unchanged += 1
            continue
        new[r.turn] = row
        changed += 1
    if problems:
        return problems
    order = [t.id for t in transcript.turns if t.id in new]
    order += [turn for turn in new if turn not in turns]
    base = translation or Translation(
        packet.session_id, packet.target_language, transcript.language
    )
    approvals = base.approvals if not changed else ()
    merged = dataclasses.replace(base, rows=tuple(new[turn] for turn in order), approvals=approvals)
    withdrawn = len(base.approvals) - len(approvals)
    return Merged(merged, changed, unchanged, tuple(stale), tuple(gone), withdrawn)


def with_approval(
    transcript: Transcript, translation: Translation | None, by: str, at: str, language: str
) -> Translation:
    """The translation with ``by``'s approval of its rows as they are; refused while a
    turn has no current translation, or when ``by`` approved already."""
    sid = transcript.session_id
    if translation is None or not translation.rows:
        raise StageError(
            f"{sid} has no translation yet; import one with 'fgdprep translate {sid}"
            " --import FILE --by INITIALS'"
        )
    now = progress(transcript, translation, language)
    if now.missing:
        raise StageError(
            f"row {now.missing[0]} of {sid} has no translation ({now.translated}/{now.turns}"
            " translated); import the missing rows before approving"
        )
    if now.stale_rows:
        raise StageError(
            f"row {now.stale_rows[0]} of {sid} was translated from a source text that has"
            f" changed since ({now.stale} stale); import a new translation of it before"
            " approving"
        )
    if any(a.by == by for a in now.approvals):
        raise StageError(
            f"{by} has already approved this translation of {sid}; the second approval must"
            " come from another reviewer"
        )
    if len(now.approvals) >= APPROVALS:
        names = " and ".join(a.by for a in now.approvals)
        raise StageError(f"the translation of {sid} is already approved by {names}")
    approval = Approval(by, at, rows_sha256(translation))
    return dataclasses.replace(translation, approvals=(*now.approvals, approval))


# -- in the study --------------------------------------------------------------------------


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def load_translation(study: Study, session_id: str) -> Translation | None:
    path = study.translation_path(session_id)
    return study.read_doc(path, "translation", Translation) if path.is_file() else None


def load_source(study: Study, session_id: str) -> Transcript:
    """The shareable transcript a translation is made from (refused before pseudonymisation)."""
    study.load_session(session_id)
    if not study.has_transcript(session_id, Stage.PSEUDONYMISED):
        raise StageError(
            f"session {session_id} is not pseudonymised yet; run 'fgdprep pseudonymise"
            f" {session_id}' first (translators get only pseudonymised text)"
        )
    return study.load_shareable(session_id)


def check_current(study: Study, session_id: str) -> None:
    """Refuses while the shareable copy is out of date or review decisions wait for it."""
    from fgdprep.gates import decisions_applied
    from fgdprep.pipeline import state

    now = state(study, session_id)
    if not now.is_current(Stage.PSEUDONYMISED):
        raise StageError(
            f"the shareable copy of {session_id} is out of date ({now.stale} changed); run"
            f" 'fgdprep {now.next_command} {session_id}' and 'fgdprep pseudonymise"
            f" {session_id}' first"
            if now.stale != Stage.PSEUDONYMISED
            else f"the shareable copy of {session_id} is out of date; run 'fgdprep"
            f" pseudonymise {session_id}' first"
        )
    if not decisions_applied(study, session_id):
        raise StageError(
            f"review decisions of {session_id} are not applied to its shareable copy yet;"
            f" run 'fgdprep pseudonymise {session_id}' first"
        )


@dataclass(frozen=True)
class ExportRequest:
    session_id: str
    output: Path
    format: str = "docx"
    #: Replace an existing file at ``output``.
    force: bool = False


@dataclass(frozen=True)
class ExportResult:
    session_id: str
    output: Path
    format: str
    rows: int
    prefilled: int
    pending_review: int
    progress: Progress


def export(study: Study, request: ExportRequest, passphrase: Callable[[], str]) -> ExportResult:
    """Write a session's translator packet: only from a current shareable copy and after a
    leak check with no hit in the session's shareable files. Needs the study lock."""
    from fgdprep.gates import review_blockers
    from fgdprep.stages import leakcheck

    sid = request.session_id
    transcript = load_source(study, sid)
    check_current(study, sid)
    out = request.output
    root = study.root.resolve()
    if out.resolve() == root or root in out.resolve().parents:
        raise InputError(
            f"{out}: inside the study folder; write the packet elsewhere (it is a copy for"
            " the translator)"
        )
    if out.exists() and not request.force:
        raise InputError(
            f"{out} exists (perhaps a translator's work); name another file or add --force"
            " to replace it"
        )
    language = study.config.translation.language
    translation = load_translation(study, sid)
    if translation is not None and translation.language != language:
        raise StageError(
            f"the translation of {sid} is into {translation.language}, but"
            f" translation.language is {language}; set it back in fgdprep.yaml"
        )
    checked = leakcheck.run(study, passphrase)
    mine = f"{study.shareable_sessions.relative_to(study.root).as_posix()}/{sid}/"
    hits = [h for h in checked.leaks if h.file.replace("\\", "/").startswith(mine)]
    if hits:
        raise StageError(
            f"the leak check found {len(hits)} possible leak(s) in the shareable files of"
            f" {sid}; no packet was written. Run 'fgdprep leakcheck', fix or dismiss them,"
            " then make the packet"
        )
    packet = packet_of(transcript, translation, language)
    _suffixes, writer, _reader = FORMATS[request.format]
    data = writer(packet)
    atomic_write_bytes(out, data)
    inputs = {DEIDENTIFIED: study.digest(study.shareable_path(sid))}
    if translation is not None:
        inputs[STAGE] = study.digest(study.translation_path(sid))
    prefilled = sum(1 for r in packet.rows if r.translation)
    pending = review_blockers(study, sid)
    study.audit(
        "translate",
        session=sid,
        stage=STAGE,
        inputs=inputs,
        outputs={"packet": sha256_bytes(data)},
        counts={
            "rows": len(packet.rows),
            "prefilled": prefilled,
            "format": request.format,
            "pending_review": pending,
        },
        destination=str(out),
    )
    now = progress(transcript, translation, language)
    return ExportResult(sid, out, request.format, len(packet.rows), prefilled, pending, now)


def read_packet(path: Path) -> Packet:
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    fmt = format_of(path)
    if fmt is None:
        raise InputError(
            f"{path.name}: not a translation packet (.docx, or .xlf/.xliff for XLIFF 2.0)"
        )
    return FORMATS[fmt][2](path)


@dataclass(frozen=True)
class ImportResult:
    session_id: str
    file: str
    by: str
    merged: Merged
    progress: Progress


def refusal(file: str, problems: Sequence[str]) -> InputError:
    if len(problems) == 1:
        return InputError(f"{file}: {problems[0]}. Nothing was imported.")
    lines = "\n".join(f"  - {p}" for p in problems)
    return InputError(f"{file}: {len(problems)} problems, nothing was imported:\n{lines}")


def import_packet(
    study: Study, session_id: str, path: Path, by: str, passphrase: Callable[[], str]
) -> ImportResult:
    """Take a returned packet into the session's translation, row by row; refused whole
    (nothing changes) when any row has a problem. Needs the study lock."""
    from fgdprep.codebook import load_codebook
    from fgdprep.stages.leakcheck import find_in_text, study_index

    study.load_session(session_id)
    packet = read_packet(path)
    if packet.session_id != session_id:
        raise InputError(
            f"{path.name} is the packet of session {packet.session_id}, not {session_id};"
            f" import it with 'fgdprep translate {packet.session_id} --import {path.name}'"
        )
    transcript = load_source(study, session_id)
    translation = load_translation(study, session_id)
    if translation is not None and translation.language != packet.target_language:
        raise InputError(
            f"{path.name} is a translation into {packet.target_language}, but the translation"
            f" of {session_id} is into {translation.language}"
        )
    index = study_index(study, load_codebook(study, passphrase()))
    done = merge(
        transcript, translation, packet, by, utc_now(), lambda text: find_in_text(index, text)
    )
    if isinstance(done, list):
        raise refusal(path.name, done)
    outputs = {}
    if done.changed:
        outputs[STAGE] = study.save_doc(
            study.translation_path(session_id), "translation", done.translation
        )
    now = progress(transcript, done.translation, packet.target_language)
    study.audit(
        "translate --import",
        session=session_id,
        stage=STAGE,
        inputs={
            "packet": study.digest(path),
            DEIDENTIFIED: study.digest(study.shareable_path(session_id)),
        },
        outputs=outputs,
        counts={
            "by": by,
            "rows_read": len(packet.rows),
            "rows_changed": done.changed,
            "rows_unchanged": done.unchanged,
            "rows_stale": len(done.stale),
            "rows_gone": len(done.gone),
            "approvals_withdrawn": done.withdrawn,
            "translated": now.translated,
            "turns": now.turns,
        },
    )
    return ImportResult(session_id, path.name, by, done, now)


def approve(study: Study, session_id: str, by: str) -> Progress:
    """Record ``by``'s approval of the session's translation as it is. Needs the lock."""
    transcript = load_source(study, session_id)
    language = study.config.translation.language
    approved = with_approval(
        transcript, load_translation(study, session_id), by, utc_now(), language
    )
    digest = study.save_doc(study.translation_path(session_id), "translation", approved)
    now = progress(transcript, approved, language)
    study.audit(
        "translate --approve",
        session=session_id,
        stage=STAGE,
        outputs={STAGE: digest},
        counts={"by": by, "approvals": len(now.approvals), "approved": now.approved},
    )
    return now


def status(study: Study, session_id: str) -> Progress:
    """Where the session's translation stands (reads only)."""
    transcript = load_source(study, session_id)
    translation = load_translation(study, session_id)
    return progress(transcript, translation, study.config.translation.language)
