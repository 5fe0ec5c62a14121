"""What a stage's result says to a person: the lines a command prints, the same whether the
command itself ran the stage or ``run``/``demo`` did. Pure functions from result objects to
text; they never print (the CLI does) and never show a name but where the person at the
screen works in the identifiable area (review context, speaker lines).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgdprep.model import Session
    from fgdprep.stages.backcheck import ExportResult as WorksheetResult
    from fgdprep.stages.backcheck import ImportResult as BackcheckResult
    from fgdprep.stages.backcheck import RunWorksheet
    from fgdprep.stages.leakcheck import Hit
    from fgdprep.stages.pseudonymise import SessionRun
    from fgdprep.stages.review import PendingRow, ReviewRun
    from fgdprep.stages.speakers import SpeakersRun
    from fgdprep.stages.transcribe import TranscribeResult
    from fgdprep.stages.translate import ExportResult, ImportResult, Progress
    from fgdprep.store import Study


def ingested(s: Session) -> str:
    assert s.audio is not None
    return (
        f"Ingested {s.id}: {s.site} {s.wave} {s.date}, {s.language}, "
        f"{s.audio.duration / 60:.1f} min, {s.audio.channels} channel(s), "
        f"{len(s.attendance)} people on the roster."
    )


def transcribed(result: TranscribeResult) -> str:
    turns = result.transcript.turns
    if not result.ran:
        return (
            f"{result.session.id} is already transcribed ({len(turns)} turns);"
            " --force transcribes it again."
        )
    assert result.session.audio is not None
    rate = result.seconds / max(result.session.audio.duration, 1e-9)
    return (
        f"Transcribed {result.session.id}: {len(turns)} turns"
        f" ({sum(1 for t in turns if t.flags)} flagged) in {result.seconds:.0f} s"
        f" ({rate:.2f}x real time).\n{result.coverage}"
    )


def speakers(done: SpeakersRun, root: Path, show: bool = False) -> str:
    """The turns found; with ``show``, per speaker: time, turns, first lines, sample clip."""
    from fgdprep.formats.plain import format_time

    result, turns = done.result, done.result.transcript.turns
    lines = []
    if result.discarded:
        lines.append(f"Discarded {result.discarded} speaker assignment(s) (--force).")
    assigned = result.assignments.mapping()
    lines.append(
        f"Speaker turns for {result.session.id}: {len(result.diarization.labels)} speakers,"
        f" {len(turns)} turns ({sum(1 for t in turns if t.flags)} flagged),"
        f" {len(assigned)} label(s) assigned"
        + (" (diarization reused)." if not result.diarized else ".")
    )
    for s in done.summaries if show else ():
        code = f" = {s.code}" if s.code else ""
        lines.append(f"\n{s.label}{code}: {format_time(s.seconds)} speaking, {s.turns} turns")
        lines += [f"    {line[:100]}" for line in s.first_lines]
        if s.label in done.clips:
            lines.append(f"    clip: {done.clips[s.label].relative_to(root)}")
    return "\n".join(lines)


def pseudonymised(runs: Sequence[SessionRun], study: Study, all_sessions: bool = False) -> str:
    lines = []
    for run in runs:
        result = run.result.result
        counts = result.counts()
        total = sum(counts["entity_types"].values())
        kinds = ", ".join(f"{n} {k.lower()}" for k, n in counts["entity_types"].items()) or "none"
        n = run.translated_turns
        translated = f", {n} translated turn{'s' * (n != 1)}" if n else ""
        line = (
            f"Pseudonymised {run.session.id} ({run.input_stage}{translated}):"
            f" {total} replaced ({kinds}); {result.pending} pending review."
        )
        if all_sessions:
            line += " Updated." if run.changed else " Unchanged."
        lines.append(line)
    if not all_sessions:
        run = runs[0]
        lines.append(f"Shareable: {study.shareable_path(run.session.id).relative_to(study.root)}")
        if run.result.result.pending:
            lines.append(f"Review them with: fgdprep review {run.session.id}")
        return "\n".join(lines)
    lines.append(
        f"{len(runs)} session(s) pseudonymised again; shareable copies in"
        f" {study.shareable_sessions.relative_to(study.root)}{os.sep}."
    )
    waiting = [r.session.id for r in runs if r.result.result.pending]
    if waiting:
        lines.append(f"Pending review in {', '.join(waiting)}: fgdprep review SESSION")
    return "\n".join(lines)


def review_pending(rows: Sequence[PendingRow]) -> str:
    """The review queue as the moderator sees it (identifiable: the words around each)."""
    from fgdprep.model import TRANSLATION

    lines = []
    for row in rows:
        s = row.suggestion
        where = f"¶{row.paragraph or '?'}" + (" translation" if s.field == TRANSLATION else "")
        lines.append(
            f"{s.id:>4}  {s.label:<14} {s.entity_type:<13} {s.recognizer:<9} {s.score:.2f}"
            f"  {where}: …{row.context}…"
        )
    lines.append(f"{len(rows)} pending; decide with --accept/--reject ID or --accept-all.")
    return "\n".join(lines)


def review_recorded(done: ReviewRun, dismissed: int) -> str:
    outcome, sid = done.outcome, done.outcome.queue.session_id
    parts = [f"accepted {outcome.accepted}", f"rejected {outcome.rejected}"]
    if outcome.added:
        parts.append(f"added {len(outcome.added)} ({', '.join(outcome.added)})")
    if dismissed:
        parts.append(f"dismissed {dismissed} leak-check hit(s)")
    text = (
        f"{sid}: {', '.join(parts)}; {done.pending} pending. Apply with: fgdprep pseudonymise {sid}"
    )
    if done.others:
        text += (
            f"\nAlso named in {len(done.others)} other pseudonymised session(s)"
            f" ({', '.join(done.others)}); apply everywhere with: fgdprep pseudonymise --all"
        )
    return text


def leak_hits(hits: Sequence[Hit], pending: Sequence[Hit] = ()) -> str:
    """A line per leak (file, paragraph or "name", label, how, id, the words around it),
    then a line per unconfirmed suggestion found (pending, not a leak)."""

    def where(hit: Hit) -> str:
        return f"{hit.file} {f'paragraph {hit.paragraph}' if hit.paragraph else 'name'}"

    return "\n".join(
        [f"{where(h)}: {h.label} ({h.how}) [{h.id}] …{h.context}…" for h in hits]
        + [f"pending: {where(h)}: {h.label} (unconfirmed suggestion)" for h in pending]
    )


def packet_written(done: ExportResult) -> str:
    lines = [
        f"Translation packet for {done.session_id}: {done.output} ({done.rows} rows,"
        f" {done.prefilled} already translated; {done.format}).",
        "Leak check: no real names in the session's shareable files.",
    ]
    if done.pending_review:
        lines.append(
            f"Note: {done.pending_review} suggestion(s) still wait for review"
            f" (fgdprep review {done.session_id}); rows may change after it."
        )
    return "\n".join(lines)


def translation_imported(result: ImportResult) -> str:
    merged = result.merged
    lines = [
        f"Imported {result.file} into {result.session_id} (by {result.by}):"
        f" {merged.changed} row(s) new or changed, {merged.unchanged} unchanged."
    ]
    if merged.stale:
        lines.append(
            f"Row(s) {', '.join(map(str, merged.stale))}: the source changed since the packet"
            " was made; kept but marked stale: translate them again from a new packet."
        )
    if merged.gone:
        rows = ", ".join(map(str, merged.gone))
        lines.append(
            f"Row(s) {rows}: the turn is no longer in the transcript or was withdrawn;"
            " not imported."
        )
    if merged.withdrawn:
        lines.append(f"{merged.withdrawn} approval(s) withdrawn: the translation changed.")
    return "\n".join([*lines, translation_progress(result.progress)])


def translation_progress(now: Progress) -> str:
    from fgdprep.stages.translate import APPROVALS

    line = (
        f"{now.session_id} ({now.source_language} -> {now.language}):"
        f" {now.translated}/{now.turns} turns translated"
    )
    lines = [line + (f", {now.stale} stale." if now.stale else ".")]
    if now.missing:
        shown = ", ".join(map(str, now.missing[:10])) + (" ..." if len(now.missing) > 10 else "")
        lines.append(f"To translate: row(s) {shown}")
    names = ", ".join(f"{a.by} ({a.at[:10]})" for a in now.approvals)
    if now.approved:
        lines.append(f"Approved by {names}.")
    elif now.approvals:
        lines.append(f"Approvals: {names}; {APPROVALS - len(now.approvals)} more needed.")
    else:
        lines.append(f"Approvals: none yet ({APPROVALS} needed).")
    if now.withdrawn:
        lines.append(f"{now.withdrawn} earlier approval(s) withdrawn by later changes.")
    return "\n".join(lines)


def _within(path: Path, root: Path) -> str:
    """A path as the person knows it: relative to the study folder when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def worksheet_written(result: WorksheetResult, root: Path) -> str:
    line = (
        f"Back-check worksheet of {result.session_id}: {_within(result.path, root)}"
        f" ({result.rows} row(s), {result.flagged} flagged, {result.clips} clip(s)"
        + (f" in {result.clips_dir.name}/" if result.clips else "")
        + ")"
    )
    if result.outside:
        line += "\nIt is outside the study and identifiable: keep it safe."
    return line


def backchecked(result: BackcheckResult) -> str:
    lines = []
    if result.report is not None:
        lines.append(f"The draft had changed since export: {result.report.describe()}.")
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(result.changes.items())) or "no changes"
    lines.append(
        f"{result.session_id} back-checked: {result.changed_rows} of {result.rows} row(s)"
        f" changed ({kinds}); the de-identified copy is out of date until"
        f" 'fgdprep pseudonymise {result.session_id}' (or 'fgdprep run {result.session_id}')."
    )
    return "\n".join(lines)


def worksheet_for_run(made: RunWorksheet, sid: str, root: Path) -> str:
    """The end of ``fgdprep run``: the back-check worksheet, named, and how to import it."""
    shown = _within(made.path, root)
    if made.result is not None:
        first = worksheet_written(made.result, root)
    elif made.current:
        first = f"Back-check worksheet of {sid}: {shown} (already there)"
    else:
        first = (
            f"Back-check worksheet of {sid}: {shown} (made from an earlier draft:"
            f" import it with --force, or write a new one with 'fgdprep backcheck"
            f" {sid} --force')"
        )
    return (
        f"{first}\nNext: check it against the clips, then: fgdprep backcheck {sid} --import"
        f" {shown} --by INITIALS"
    )
