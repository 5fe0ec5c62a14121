"""Consent withdrawal: a participant's words taken out of every file of the study.

``fgdprep withdraw P03 --site DS`` replaces every turn the person spoke, in every session, its
translation and its finalised (numbered) form, by :data:`~fgdprep.model.WITHDRAWN`. The turn
keeps its id, times, speaker code and paragraph number: "DS 84" still names the same
paragraph, which now says that its speaker withdrew. What else holds their words or name:

- the identifiable stage transcripts. Who said what is the latest transcript with speakers
  (the back-check's, else the speaker turns'): there and in the pseudonymised transcript
  their turns are withdrawn (word timings dropped); the transcripts before it (the speaker
  turns before a back-check corrected them, the bare transcription, which has no speakers)
  lose the words of those turns (by word, else by the time of a turn a person edited)
  wherever they sit, the marker put where they were;
- other people's turns naming them (identifiable text: the shareable copy has the label
  already): each spelling the roster and the codebook know becomes their label, [P03];
- the review queue (suggestions quote the text: those in their turns or of their name go),
  the change log (text diffs: withdrawn, and their name labelled), documents' recorded texts
  and review queues;
- files that quote or voice them and are remade on demand: the back-check folder (worksheet,
  clips of flagged turns, the drafts kept for a later import), the speaker clips and the
  checkpoints of an interrupted transcription are deleted;
- the codebook entry of the person (real name and aliases) is erased; the site roster and the
  session rosters keep the code, role and gender (summary tables, attendance) with the name
  :data:`WITHDRAWN_NAME`, which holds no word and so matches nothing. Labels of other people
  and places they named stay: other mentions (other speakers, documents) keep their labels.

Each rewritten file records what it was made from as before (the stage inputs' checksums,
the review queue applied, the finalised transcript's source), mapped from the old checksum to
the new one, so nothing reads as out of date for the wrong reason; the audit log gets one
entry per session (the files' new checksums, counts) and one for the study: who, when, site,
code, how many sessions and turns, never text. Exports and archives are remade from the study
and carry the change; those made before it, translator packets, worksheets written outside
the study and codebook backups are listed from the audit log for the data manager. The
recordings still hold the voice: deleting them is the data manager's, by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgdprep.deid.withdrawal import (
    WITHDRAWN_NAME,
    Find,
    name_finder,
    plan_session,
    remap_options,
    splice,
    withdraw_change_log,
    withdraw_finalised,
    withdraw_queue,
    withdraw_roster,
    withdraw_translation,
    withdraw_turn,
)
from fgdprep.errors import InputError
from fgdprep.model import (
    DEIDENTIFIED,
    WITHDRAWN,
    DocumentRecord,
    DocumentText,
    Finalised,
    Person,
    Session,
    Stage,
    Translation,
)
from fgdprep.store import Study


@dataclass(frozen=True)
class WithdrawRequest:
    site: str
    code: str
    #: The data manager confirmed (``--yes``): without it nothing is changed.
    confirmed: bool = False


@dataclass(frozen=True)
class SessionWithdrawal:
    session_id: str
    #: Turns of the person withdrawn (in the latest transcript that has speakers).
    turns: int
    #: Mentions of their name labelled in other turns (of the latest transcript).
    mentions: int
    #: Files rewritten and deleted (relative to the study).
    rewritten: tuple[str, ...]
    deleted: tuple[str, ...]
    suggestions_dropped: int = 0


@dataclass(frozen=True)
class Earlier:
    """Something made before the withdrawal that may hold the person's words, outside the
    study (from the audit log): it must be remade or deleted by hand."""

    command: str
    time: str
    sessions: tuple[str, ...]
    destination: str = ""


@dataclass(frozen=True)
class WithdrawResult:
    site: str
    code: str
    label: str
    sessions: tuple[SessionWithdrawal, ...]
    #: Sessions they attended whose turns have no speakers yet (nothing to withdraw there).
    unattributed: tuple[str, ...]
    codebook_entries: int
    documents: int
    #: Recordings of the sessions they spoke in: their voice is still there.
    recordings: tuple[str, ...]
    earlier: tuple[Earlier, ...]

    @property
    def turns(self) -> int:
        return sum(s.turns for s in self.sessions)


def _person(study: Study, site: str, code: str) -> tuple[Person, tuple[Person, ...]]:
    if study.config.site(site) is None:
        known = ", ".join(s.code for s in study.config.sites)
        raise InputError(f"unknown site {site!r}; sites in fgdprep.yaml: {known}")
    people = study.site_roster(site)
    person = next((p for p in people if p.code == code), None)
    if person is None:
        codes = ", ".join(p.code for p in people) or "none yet"
        raise InputError(
            f"{site} has no {code} in its roster (codes: {codes}); nothing was changed"
        )
    return person, people


def _rel(study: Study, path: Any) -> str:
    return str(path.relative_to(study.root).as_posix())


class _Session:
    """One session's rewrite: every file in pipeline order, each recording the new checksums
    of what it was made from."""

    def __init__(self, study: Study, session: Session, code: str, find: Find, label: str) -> None:
        self.study, self.session, self.code = study, session, code
        self.find, self.label = find, label
        self.remap: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.rewritten: list[str] = []
        self.deleted: list[str] = []
        sid = session.id
        loaded = {
            st: study.load_transcript(sid, st) for st in Stage if study.has_transcript(sid, st)
        }
        self.plan = plan_session(loaded, code, find, label)

    def _write(self, key: str, path: Any, write: Callable[[], str]) -> None:
        old = self.study.digest(path)
        new = write()
        if new != old:
            self.remap[old] = new
            self.rewritten.append(_rel(self.study, path))
        self.outputs[key] = new

    def _save_stage(self, stage: Stage) -> None:
        transcript = self.plan.stages[stage].transcript
        prov = transcript.provenance
        fixed = dataclasses.replace(
            transcript,
            provenance=dataclasses.replace(prov, options=remap_options(prov.options, self.remap)),
        )
        path = self.study.transcript_path(self.session.id, stage)
        self._write(stage.value, path, lambda: self.study.save_transcript(fixed, stage))

    def run(self, at: str) -> SessionWithdrawal:
        """Write the plan, in pipeline order. Needs the study lock."""
        study, sid, plan = self.study, self.session.id, self.plan
        for stage in (Stage.TRANSCRIBED, Stage.SPEAKERS, Stage.CHECKED):
            if stage in plan.stages:
                self._save_stage(stage)
        dropped = 0
        path = study.review_path(sid)
        if path.is_file():
            from fgdprep.stages.review import load_review, save_review

            pseudo = plan.stages.get(Stage.PSEUDONYMISED)
            moved = pseudo.moved if pseudo is not None else {}
            queue, dropped = withdraw_queue(load_review(study, sid), plan.ids, self.find, moved)
            self._write("review", path, lambda: save_review(study, queue))
        if Stage.PSEUDONYMISED in plan.stages:
            self._save_stage(Stage.PSEUDONYMISED)
        self._shareable(plan.ids, at)
        self._change_log(plan.ever)
        self._delete()
        return SessionWithdrawal(
            sid, plan.turns, plan.mentions, tuple(self.rewritten), tuple(self.deleted), dropped
        )

    def _shareable(self, ids: frozenset[str], at: str) -> None:
        study, sid = self.study, self.session.id
        path = study.shareable_path(sid)
        if not path.is_file():
            return
        shareable = study.load_shareable(sid)
        mine = ids | {t.id for t in shareable.turns if t.speaker == self.code}
        turns = tuple(withdraw_turn(t) if t.id in mine else t for t in shareable.turns)
        new = dataclasses.replace(shareable, turns=turns)
        self._write(DEIDENTIFIED, path, lambda: study.save_shareable(new))
        tpath = study.translation_path(sid)
        if tpath.is_file():
            translation = study.read_doc(tpath, "translation", Translation)
            done = withdraw_translation(translation, new, mine, at)
            self._write("translation", tpath, lambda: study.save_doc(tpath, "translation", done))
        fpath = study.finalised_path(sid)
        if fpath.is_file():
            finalised = study.read_doc(fpath, "finalised", Finalised)
            source = self.remap.get(finalised.source_sha256, finalised.source_sha256)
            mine |= {t.id for t in finalised.turns if t.speaker == self.code}
            frozen = withdraw_finalised(finalised, mine, source)
            self._write("finalised", fpath, lambda: study.save_doc(fpath, "finalised", frozen))

    def _change_log(self, ids: frozenset[str]) -> None:
        study, sid = self.study, self.session.id
        path = study.change_log_path(sid)
        if not path.is_file():
            return
        raw = study.read_bytes(path).decode("utf-8")
        lines = [json.loads(line) for line in raw.splitlines() if line.strip()]
        new = withdraw_change_log(lines, ids, self.code, self.find, self.label)
        data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in new)
        self._write("change_log", path, lambda: study.write_text(path, data))

    def _delete(self) -> None:
        """Files that quote or voice the person and are remade on demand."""
        study, sid = self.study, self.session.id
        for folder in (
            study.backcheck_dir(sid),
            study.clip_path(sid, "x").parent,
            study.session_dir(sid) / "work",
        ):
            if folder.is_dir():
                self.deleted += [_rel(study, p) for p in sorted(folder.rglob("*")) if p.is_file()]
                study.delete_tree(folder)

    def audit(self, result: SessionWithdrawal) -> None:
        self.study.audit(
            "withdraw",
            session=self.session.id,
            stage="withdraw",
            outputs=self.outputs,
            counts={
                "site": self.session.site,
                "code": self.code,
                "turns": result.turns,
                "mentions": result.mentions,
                "suggestions_dropped": result.suggestions_dropped,
                "files_rewritten": len(result.rewritten),
                "files_deleted": len(result.deleted),
            },
        )


def _documents(study: Study, find: Find, label: str) -> int:
    """Documents' recorded texts and review queues: the name labelled, suggestions of it
    dropped; returns how many documents changed."""
    from fgdprep.stages.deidentify import load_document, load_document_queue

    changed = 0
    for doc_id in study.document_ids():
        record = load_document(study, doc_id)
        texts = tuple(
            DocumentText(t.id, splice(t.text, find(t.text), label).text) for t in record.texts
        )
        queue = load_document_queue(study, doc_id)
        kept = tuple(s for s in queue.suggestions if not find(s.text))
        touched = False
        if texts != record.texts:
            new: DocumentRecord = dataclasses.replace(record, texts=texts)
            study.save_doc(study.document_path(doc_id), "document", new)
            touched = True
        if kept != queue.suggestions:
            study.save_doc(
                study.document_review_path(doc_id),
                "review",
                dataclasses.replace(queue, suggestions=kept),
            )
            touched = True
        changed += touched
    return changed


def _earlier(study: Study, sessions: Sequence[str]) -> tuple[Earlier, ...]:
    """What the audit log shows was written outside the study before, and may hold the
    person's words or name: exports, archives and translator packets of their sessions,
    worksheets written elsewhere, codebook backups and exports."""
    out = []
    mine = set(sessions)
    for e in study.audit_entries():
        command = str(e.get("command"))
        sid = e.get("session")
        inputs = e.get("inputs")
        if not isinstance(inputs, dict):
            inputs = {}
        if command in ("export", "archive"):
            touched = tuple(s for s in inputs if s in mine)
        elif command == "translate" or (
            command == "backcheck" and (e.get("counts") or {}).get("outside_study")
        ):
            touched = (str(sid),) if sid in mine else ()
        elif command in ("codebook backup", "codebook export"):
            touched = ("codebook",)
        else:
            continue
        if touched:
            out.append(
                Earlier(command, str(e.get("time")), touched, str(e.get("destination") or ""))
            )
    return tuple(out)


def _roster_files(study: Study, site: str, sessions: Sequence[Session]) -> list[Path]:
    """The site roster and the rosters of its sessions (as ingested)."""
    paths = [study.roster_path(site)]
    paths += [study.session_roster_path(s.id) for s in sessions if s.site == site]
    return [p for p in paths if p.is_file()]


def _names(person: Person, entry_names: Sequence[str]) -> list[str]:
    names = [n for n in (person.name, *person.aliases, *entry_names) if n != WITHDRAWN_NAME]
    return list(dict.fromkeys(names))


def run(study: Study, request: WithdrawRequest, passphrase: Callable[[], str]) -> WithdrawResult:
    """Withdraw a participant's contributions from the whole study (see the module
    docstring); refused, changing nothing, without ``confirmed``. Needs the study lock."""
    from fgdprep.codebook import load_codebook, person_label, save_codebook
    from fgdprep.roster import format_roster, read_roster

    site, code = request.site, request.code
    person, people = _person(study, site, code)
    sessions = [study.load_session(sid) for sid in study.session_ids()]
    attended = [s.id for s in sessions if s.site == site and code in s.attendance]
    if not request.confirmed:
        raise InputError(
            f"withdrawing {site}/{code} replaces every turn they spoke with"
            f" '{WITHDRAWN}' in every session ({len(attended)} attended), translation and"
            " finalised transcript and erases their name from the codebook and rosters; it"
            " cannot be undone. Add --yes to confirm; nothing was changed"
        )
    entry_id = f"{site}/{code}"
    book = None
    secret = ""
    if study.codebook_path.is_file():
        secret = passphrase()
        book = load_codebook(study, secret)
    entry = book.get(entry_id) if book is not None else None
    label = entry.label if entry is not None else person_label(person, people)
    names = _names(person, entry.names() if entry is not None else ())
    find = name_finder(names, study.config.pseudonymisation.fuzzy_threshold)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    # every session read and computed before anything is written: a file that cannot be
    # read stops the command with the study unchanged
    jobs = [_Session(study, session, code, find, label) for session in sessions]
    for path in _roster_files(study, site, sessions):
        read_roster(path)
    results: list[SessionWithdrawal] = []
    unattributed = []
    recordings = []
    for job in jobs:
        session = job.session
        if session.site == site and session.id in attended and not job.plan.turns:
            unattributed.append(session.id)
        if not job.plan.changed:
            continue
        done = job.run(at)
        if done.turns and session.audio is not None:
            recordings.append(_rel(study, study.recording_path(session)))
        job.audit(done)
        results.append(done)
    roster_rows = 0
    for path in _roster_files(study, site, sessions):
        before = read_roster(path)
        after = withdraw_roster(before, code)
        if after != before:
            study.write_text(path, format_roster(after))
            roster_rows += 1
    documents = _documents(study, find, label)
    erased = 0
    if book is not None:
        if entry is not None:
            book.drop_entry(entry)
            erased = 1
        keys = {n.casefold() for n in names}
        from fgdprep.text import norm

        normed = {norm(n) for n in names}
        for key in [k for k in book.rejected if k.split("|", 1)[-1] in normed | keys]:
            del book.rejected[key]
            book.changed = True
        if book.changed:
            save_codebook(study, book, secret)
    earlier = _earlier(study, [r.session_id for r in results])
    study.audit(
        "withdraw",
        stage="withdraw",
        counts={
            "site": site,
            "code": code,
            "sessions": len(results),
            "turns": sum(r.turns for r in results),
            "mentions": sum(r.mentions for r in results),
            "codebook_entries_erased": erased,
            "roster_files": roster_rows,
            "documents": documents,
            "unattributed_sessions": len(unattributed),
        },
    )
    return WithdrawResult(
        site,
        code,
        label,
        tuple(results),
        tuple(unattributed),
        erased,
        documents,
        tuple(recordings),
        earlier,
    )
