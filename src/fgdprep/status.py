"""Where every session stands, stage by stage: done or not, current or out of date, who did
it and when, and what waits for a person. ``fgdprep status`` shows all of it, ``fgdprep
sessions`` one line per session.

Read-only and cheap: a transcript is known by its summary (:meth:`fgdprep.store.Study.
transcript_summary`), never parsed word by word; who and when come from the audit log (user
and time of the latest entry of the stage's command) or, for the back-check, from the checked
transcript's provenance. A translation counts the rows made from the pseudonymised text as it
is now; an approval counts while it approved the rows as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fgdprep.config import StudyConfig
from fgdprep.errors import InputError
from fgdprep.gates import decisions_applied, review_blockers
from fgdprep.model import (
    SOURCE_STAGES,
    Session,
    Stage,
    Transcript,
    TranscriptSummary,
    Translation,
)
from fgdprep.pipeline import next_for_a_person, state
from fgdprep.stages.translate import Progress, load_translation, progress
from fgdprep.store import Study

#: The transcripts ``show`` prints by default: the latest there is.
SHOWN = tuple(Stage)
#: The columns of ``status``, in pipeline order.
COLUMNS = (
    "ingested",
    "transcribed",
    "speakers",
    "checked",
    "pseudonymised",
    "reviewed",
    "translated",
    "approved",
    "finalised",
    "archived",
)
#: The audit command whose latest entry says who did a column and when.
COMMANDS = {
    "ingested": "ingest",
    "transcribed": "transcribe",
    "speakers": "speakers",
    "checked": "backcheck",
    "pseudonymised": "pseudonymise",
    "reviewed": "review",
    "translated": "translate",
    "finalised": "finalise",
    "archived": "archive",
}


@dataclass(frozen=True)
class StageStatus:
    """One cell: ``done`` is None for a stage fgdprep cannot do (none today)."""

    done: bool | None
    current: bool = True
    by: str = ""
    at: str = ""
    #: What the cell says besides done: "37/120", "×2", "3 to review".
    detail: str = ""


@dataclass(frozen=True)
class SessionStatus:
    session: Session
    stages: Mapping[str, StageStatus]
    #: The latest transcript stage and the first stage that is out of date (and its command).
    latest: Stage | None
    stale: Stage | None
    next_command: str | None
    pending_review: int
    decisions_applied: bool
    #: Flag code -> turns of the latest source transcript (checked, speakers, transcribed).
    flags: Mapping[str, int]
    untranscribed: int
    untranscribed_s: float
    #: Seconds: the recording's, else the last turn's end (typed transcripts).
    duration: float | None
    translated: int = 0
    translatable: int = 0
    #: What waits for a person, with the command for each.
    waiting: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        s = self.session
        return {
            "session": s.id,
            "site": s.site,
            "wave": s.wave,
            "date": s.date,
            "language": s.language,
            "duration_s": self.duration,
            "participants": len(s.attendance),
            "stages": {
                name: {"done": c.done, "current": c.current, "by": c.by, "at": c.at}
                | ({"detail": c.detail} if c.detail else {})
                for name, c in self.stages.items()
            },
            "stale": self.stale.value if self.stale else None,
            "next_command": self.next_command,
            "pending_review": self.pending_review,
            "decisions_applied": self.decisions_applied,
            "translated": [self.translated, self.translatable],
            "flags": dict(self.flags),
            "untranscribed": [self.untranscribed, self.untranscribed_s],
            "waiting": list(self.waiting),
        }


def _latest_entries(study: Study) -> dict[tuple[str, str], dict[str, Any]]:
    """(session, command) -> the latest audit entry (an archive names its sessions in its
    inputs, with the digest of each finalised transcript it took)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in study.audit_entries():
        if entry.get("session"):
            latest[(str(entry["session"]), str(entry.get("command")))] = entry
        elif entry.get("command") == "archive" and isinstance(entry.get("inputs"), dict):
            for sid in entry["inputs"]:
                latest[(str(sid), "archive")] = entry
    return latest


def _archived(study: Study, sid: str, entry: Mapping[str, Any] | None) -> StageStatus:
    """Archived, and whether the bag holds the finalised transcript as it is now."""
    if entry is None:
        return StageStatus(False)
    path = study.finalised_path(sid)
    current = path.is_file() and study.digest(path) == entry["inputs"][sid]
    return StageStatus(True, current, str(entry.get("user", "")), str(entry.get("time", "")))


def _translation(study: Study, sid: str) -> tuple[Progress | None, Translation | None]:
    """The translation's progress against the pseudonymised text as it is now (None before
    pseudonymisation or translation: nothing is read then)."""
    if not study.has_transcript(sid, Stage.PSEUDONYMISED):
        return None, None
    translation = load_translation(study, sid)
    if translation is None:
        return None, None
    source = study.load_shareable(sid)
    return progress(source, translation, study.config.translation.language), translation


def _approved(now: Progress | None) -> StageStatus:
    if now is None:
        return StageStatus(False)
    people = list(dict.fromkeys(a.by for a in now.approvals))
    detail = "×2" if len(people) >= 2 else (str(len(now.approvals)) if now.approvals else "")
    at = max((a.at for a in now.approvals), default="")
    return StageStatus(now.approved, True, ", ".join(people), at, detail)


def session_status(
    study: Study, session: Session, audit: Mapping[tuple[str, str], Mapping[str, Any]]
) -> SessionStatus:
    """Where one session stands (``audit``: the latest entry per session and command)."""
    sid = session.id
    now = state(study, sid)
    order = list(Stage)
    summaries: dict[Stage, TranscriptSummary] = {
        st: study.transcript_summary(sid, st) for st in Stage if study.has_transcript(sid, st)
    }

    def who(column: str) -> tuple[str, str]:
        entry = audit.get((sid, COMMANDS.get(column, "")), {})
        return str(entry.get("user", "")), str(entry.get("time", ""))

    def cell(column: str, done: bool, stage: Stage | None = None, detail: str = "") -> StageStatus:
        current = not (
            (done or detail)
            and stage is not None
            and now.stale is not None
            and order.index(stage) >= order.index(now.stale)
        )
        by, at = who(column) if done else ("", "")
        return StageStatus(done, current, by, at, detail)

    pending = review_blockers(study, sid)
    applied = decisions_applied(study, sid)
    now_translated, translation = _translation(study, sid)
    cells = {"ingested": cell("ingested", True)}
    for column, stage in (
        ("transcribed", Stage.TRANSCRIBED),
        ("speakers", Stage.SPEAKERS),
        ("checked", Stage.CHECKED),
        ("pseudonymised", Stage.PSEUDONYMISED),
    ):
        cells[column] = cell(column, stage in summaries, stage)
    checked = summaries.get(Stage.CHECKED)
    if checked is not None:
        options = checked.provenance.options
        by, at = str(options.get("by", "")), str(options.get("at", ""))
        cells["checked"] = StageStatus(True, cells["checked"].current, by, at)
    pseudonymised = Stage.PSEUDONYMISED in summaries
    reviewed = pseudonymised and pending == 0 and applied
    detail = f"{pending} to review" if pending else ("" if applied else "not applied")
    cells["reviewed"] = cell("reviewed", reviewed, Stage.PSEUDONYMISED, detail)
    rows = [r for r in translation.rows if r.by] if translation else []
    last = max(rows, key=lambda r: r.at, default=None)
    cells["translated"] = StageStatus(
        now_translated is not None and now_translated.turns > 0 and now_translated.complete,
        True,
        last.by if last else "",
        last.at if last else "",
        f"{now_translated.translated}/{now_translated.turns}" if now_translated else "",
    )
    cells["approved"] = _approved(now_translated)
    cells["finalised"] = cell("finalised", study.finalised_path(sid).is_file())
    cells["archived"] = _archived(study, sid, audit.get((sid, "archive")))
    source = next((summaries[st] for st in SOURCE_STAGES if st in summaries), None)
    return SessionStatus(
        session=session,
        stages=cells,
        latest=max(summaries, key=order.index) if summaries else None,
        stale=now.stale,
        next_command=now.next_command,
        pending_review=pending,
        decisions_applied=applied,
        flags=dict(source.flags) if source else {},
        untranscribed=source.untranscribed if source else 0,
        untranscribed_s=source.untranscribed_s if source else 0.0,
        duration=session.audio.duration if session.audio else (source.end if source else None),
        translated=now_translated.translated if now_translated else 0,
        translatable=(
            now_translated.turns
            if now_translated
            else (summaries[Stage.PSEUDONYMISED].spoken if pseudonymised else 0)
        ),
        waiting=tuple(next_for_a_person(study, sid)),
    )


def check_filters(config: StudyConfig, sites: Iterable[str], waves: Iterable[str]) -> None:
    """A site or wave that is not in the config is a mistake, not an empty list."""
    problems = []
    for site in sites:
        if config.site(site) is None:
            known = ", ".join(s.code for s in config.sites)
            problems.append(f"unknown site {site!r}; sites in fgdprep.yaml: {known}")
    for wave in waves:
        if wave not in config.waves:
            problems.append(
                f"unknown wave {wave!r}; waves in fgdprep.yaml: {', '.join(config.waves)}"
            )
    if problems:
        raise InputError("; ".join(problems))


def study_status(
    study: Study, sites: Iterable[str] = (), waves: Iterable[str] = ()
) -> list[SessionStatus]:
    """Every session of the study (of the given sites and waves, when given), in id order."""
    sites, waves = set(sites), set(waves)
    audit = _latest_entries(study)
    out = []
    for sid in study.session_ids():
        session = study.load_session(sid)
        if (sites and session.site not in sites) or (waves and session.wave not in waves):
            continue
        out.append(session_status(study, session, audit))
    return out


def to_show(study: Study, session_id: str, stage: Stage | None) -> tuple[Transcript, str | None]:
    """The transcript ``show`` prints (the latest there is, unless ``stage`` is given; the
    shareable copy for pseudonymised) and a note when that copy is out of date. Showing
    identifiable text is logged."""
    session = study.load_session(session_id)
    if stage is None:
        done = [st for st in reversed(SHOWN) if study.has_transcript(session.id, st)]
        stage = done[0] if done else SHOWN[0]
    if stage != Stage.PSEUDONYMISED:
        transcript = study.load_transcript(session.id, stage)
        study.audit_read("show", session=session.id, stage=stage.value, turns=len(transcript.turns))
        return transcript, None
    study.transcript_summary(session.id, stage)  # says so when there is none
    now = state(study, session.id)
    note = None
    if not now.is_current(stage):
        note = (
            f"Note: this shareable copy is out of date ({now.stale} and the stages after"
            f" it must run again, first 'fgdprep {now.next_command} {session.id}')"
        )
    return study.load_shareable(session.id), note


# -- rendering ---------------------------------------------------------------------------------


def _length(status: SessionStatus) -> str:
    if status.duration is None:
        return "-"
    return f"{status.duration / 60:.1f} min" + ("" if status.session.audio else " (text)")


def sessions_lines(statuses: Iterable[SessionStatus]) -> list[str]:
    """``fgdprep sessions``: one line per session, its latest stage and what is pending."""
    lines = [f"{'SESSION':<16} {'SITE':<6} {'WAVE':<6} {'DATE':<10}  LANG     LENGTH  STAGE"]
    for st in statuses:
        s = st.session
        minutes = f"{s.audio.duration / 60:6.1f} min" if s.audio else "  (text)  "
        stage: str = st.latest or "ingested"
        if st.latest == Stage.PSEUDONYMISED:
            stage += f", {st.pending_review} to review"
            if not st.decisions_applied:
                stage += ", decisions not yet applied"
        for column in ("finalised", "archived"):
            cell = st.stages.get(column)
            if cell is not None and cell.done:
                stage += f", {column}" + ("" if cell.current else " (stale)")
        if st.latest is not None and st.untranscribed:
            stage += f", {st.untranscribed} untranscribed ({st.untranscribed_s:.0f} s)"
        if st.next_command is not None:
            stage += f", out of date: run 'fgdprep {st.next_command} {s.id}'"
        lines.append(
            f"{s.id:<16} {s.site:<6} {s.wave:<6} {s.date:<10}  {s.language:<4} {minutes}  {stage}"
        )
    return lines


def _mark(cell: StageStatus) -> str:
    if cell.detail:
        return cell.detail if cell.current else f"{cell.detail}, stale"
    if not cell.done:
        return "—"
    return "✓" if cell.current else "stale"


def table_lines(statuses: Iterable[SessionStatus]) -> list[str]:
    """``fgdprep status``: a row per session, a cell per stage; below each row who did what
    and when, and what waits for a person."""
    head = ["SESSION", "SITE", "WAVE", "DATE", "LANG", "LENGTH", "PEOPLE"]
    head += [c.upper() for c in COLUMNS] + ["FLAGS"]
    rows, notes = [], []
    for st in statuses:
        s = st.session
        cells = [s.id, s.site, s.wave, s.date, s.language, _length(st), str(len(s.attendance))]
        cells += [_mark(st.stages[c]) for c in COLUMNS]
        cells.append(str(sum(st.flags.values())))
        rows.append(cells)
        done = [
            f"{column} {c.by} {c.at[:10]}".rstrip()
            for column, c in st.stages.items()
            if c.by or c.at
        ]
        notes.append(
            ([f"  by: {'; '.join(done)}"] if done else [])
            + [f"  next: {line}" for line in st.waiting]
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    for cells, note in zip(rows, notes, strict=True):
        out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        out += note
    return out
