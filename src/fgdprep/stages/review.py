"""The review queue and its decisions: accept or reject pending suggestions, add entities the
tools missed.

Decisions go into the session's review queue and the codebook; the next ``pseudonymise``
applies them (accepted and added names are propagated to every occurrence in the study,
rejected texts are never suggested again). Other sessions that were pseudonymised before and
name what was decided are found, so the user is told to re-run them all
(``fgdprep pseudonymise --all``).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from fgdprep.codebook import GENERIC, NUMBERED, Codebook, Entry, person_label
from fgdprep.entities import EMAIL, FACILITY, ID_NUMBER, LOCATION, PERSON, PHONE, WARD
from fgdprep.errors import InputError
from fgdprep.model import (
    SOURCE_STAGES,
    TEXT,
    TRANSLATION,
    Person,
    ReviewQueue,
    Stage,
    Suggestion,
    Transcript,
    Turn,
)
from fgdprep.store import Study
from fgdprep.text import PhraseIndex

TYPE_NAMES = {
    "PERSON": PERSON,
    "LOCATION": LOCATION,
    "PLACE": LOCATION,
    "FACILITY": FACILITY,
    "HOSPITAL": FACILITY,
    "WARD": WARD,
    "PHONE": PHONE,
    "PHONE_NUMBER": PHONE,
    "EMAIL": EMAIL,
    "EMAIL_ADDRESS": EMAIL,
    "ID": ID_NUMBER,
    "ID_NUMBER": ID_NUMBER,
}


@dataclass(frozen=True)
class Decisions:
    accept: tuple[int, ...] = ()
    reject: tuple[int, ...] = ()
    accept_all: bool = False
    add: tuple[tuple[str, str], ...] = ()  # (text, target: roster code, type or label)


@dataclass(frozen=True)
class Outcome:
    queue: ReviewQueue
    accepted: int
    rejected: int
    added: tuple[str, ...]  # labels of the added entities
    #: What the decisions change wherever it occurs: (text, site) for a roster person of
    #: that site (codes are per site), (text, "") for everything else. Identifiable.
    changed: tuple[tuple[str, str], ...] = ()


def decide(
    queue: ReviewQueue,
    codebook: Codebook,
    decisions: Decisions,
    site: str,
    people: Sequence[Person],
    who: str,
    when: str,
) -> Outcome:
    """Apply decisions; every unknown id or target is reported before anything changes."""
    by_id = {s.id: s for s in queue.suggestions}
    problems = []
    for sid in (*decisions.accept, *decisions.reject):
        if sid not in by_id:
            problems.append(f"no suggestion {sid} in {queue.session_id}")
        elif by_id[sid].status == "rejected" and sid in decisions.accept:
            problems.append(f"suggestion {sid} was rejected; add the text with --add instead")
    both = set(decisions.accept) & set(decisions.reject)
    problems += [f"suggestion {sid} is both accepted and rejected" for sid in sorted(both)]
    for text, target in decisions.add:
        if not text.strip():
            problems.append("--add needs a non-empty text")
        elif _target(target, site, people, codebook) is None:
            problems.append(
                f"--as {target}: not a roster code of {site or 'this roster'}, an entity type"
                f" ({', '.join(sorted(TYPE_NAMES))}) or a label in the codebook"
            )
    if problems:
        raise InputError("; ".join(problems) + "; nothing was changed")

    accept = set(decisions.accept)
    if decisions.accept_all:
        accept |= {s.id for s in queue.suggestions if s.status == "pending"}
    reject = set(decisions.reject)
    new = []
    changed: list[tuple[str, str]] = []
    for s in queue.suggestions:
        if s.id in accept and s.status != "accepted":
            s = dataclasses.replace(s, status="accepted", by=who, at=when)
            entry = codebook.lookup(s.entity_type, s.text) or _site_entry(codebook, site, s.label)
            if entry is not None:
                codebook.add_alias(entry, s.text)  # a spelling of a roster name, say
                if not entry.confirmed:
                    entry.confirmed = True
                    codebook.changed = True
                changed.append((s.text, _scope(entry)))
        elif s.id in reject:
            s = dataclasses.replace(s, status="rejected", by=who, at=when)
            codebook.reject(s.entity_type, s.text, who, when)
            changed.append((s.text, ""))
        new.append(s)
    labels = []
    for text, target in decisions.add:
        entry = _add(codebook, text.strip(), target, site, people, queue.session_id)
        for key in [k for k in codebook.rejected if k.split("|", 1)[1] == _norm(text)]:
            del codebook.rejected[key]
        labels.append(entry.label)
        changed.append((text.strip(), _scope(entry)))
    return Outcome(
        ReviewQueue(queue.session_id, tuple(new)),
        sum(1 for s in new if s.id in accept and s.status == "accepted"),
        len(reject),
        tuple(labels),
        tuple(dict.fromkeys(changed)),
    )


def _scope(entry: Entry) -> str:
    """The site of a roster person's entry (SITE/CODE); "" for entries of the whole study."""
    return entry.id.split("/", 1)[0] if "/" in entry.id else ""


def sessions_naming(study: Study, changed: Sequence[tuple[str, str]], exclude: str) -> list[str]:
    """Other pseudonymised sessions whose text or translation names something in ``changed``
    (see :attr:`Outcome.changed`): their shareable copies are out of date until
    ``fgdprep pseudonymise --all``. Word-bounded and inflection-tolerant, like the sweep."""
    if not changed:
        return []
    out = []
    for sid in study.sessions_with(Stage.PSEUDONYMISED):
        if sid == exclude:
            continue
        session = study.load_session(sid)
        index = PhraseIndex[str]()
        for text, scope in changed:
            if scope in ("", session.site):
                index.add(text, text)
        if not len(index):
            continue
        stage = study.latest_stage(sid, SOURCE_STAGES)
        if stage is None:
            continue
        transcript = study.load_transcript(sid, stage)
        texts = (t for turn in transcript.turns for t in (turn.text, turn.translation or ""))
        if any(index.find(text) for text in texts):
            out.append(sid)
    return out


def _site_entry(codebook: Codebook, site: str, label: str) -> Entry | None:
    """The roster person of this site with this label ([P03] is per site)."""
    return next(
        (e for e in codebook.entries if e.id.startswith(f"{site}/") and e.label == label), None
    )


def _norm(text: str) -> str:
    from fgdprep.text import norm

    return norm(text.strip())


def _target(
    target: str, site: str, people: Sequence[Person], codebook: Codebook
) -> Person | str | Entry | None:
    person = next((p for p in people if p.code == target.upper()), None)
    if person is not None:
        return person
    if target.upper() in TYPE_NAMES:
        return TYPE_NAMES[target.upper()]
    return codebook.by_label(target if target.startswith("[") else f"[{target}]")


def _add(
    codebook: Codebook,
    text: str,
    target: str,
    site: str,
    people: Sequence[Person],
    session: str,
) -> Entry:
    found = _target(target, site, people, codebook)
    if isinstance(found, Person):
        entry = codebook.person_entry(site, found, person_label(found, people), session)
        codebook.add_alias(entry, text)
        entry.confirmed = True
        return entry
    if isinstance(found, Entry):
        codebook.add_alias(found, text)
        return found
    assert isinstance(found, str)
    entity_type = found
    known = codebook.lookup(entity_type, text)
    if known is not None:
        known.confirmed = True
        codebook.changed = True
        return known
    assert entity_type in NUMBERED or entity_type in GENERIC
    return codebook.new_entry(entity_type, text, session, "review")


def pending(queue: ReviewQueue) -> list[Suggestion]:
    return [s for s in queue.suggestions if s.status == "pending"]


def load_review(study: Study, session_id: str) -> ReviewQueue:
    """The session's review queue (empty before the first pseudonymisation). A queue of
    schema version 1 points at turns by position: they are turned into the ids of the
    pseudonymised transcript's turns, the one the queue was made with."""
    path = study.review_path(session_id)
    if not path.is_file():
        return ReviewQueue(session_id)
    queue = study.read_doc(path, "review", ReviewQueue)
    if not any(s.turn.startswith("#") for s in queue.suggestions):
        return queue
    if not study.has_transcript(session_id, Stage.PSEUDONYMISED):
        return queue
    turns = study.load_transcript(session_id, Stage.PSEUDONYMISED)
    ids = [t.id for t in turns.turns]
    suggestions = []
    for s in queue.suggestions:
        n = int(s.turn[1:]) if s.turn[1:].isdigit() else 0
        if s.turn.startswith("#") and 1 <= n <= len(ids):
            s = dataclasses.replace(s, turn=ids[n - 1])
        suggestions.append(s)
    return ReviewQueue(session_id, anchored(suggestions, turns))


def save_review(study: Study, queue: ReviewQueue) -> str:
    """Write the queue; returns its SHA-256 (the transcript records the queue it applied)."""
    return study.save_doc(study.review_path(queue.session_id), "review", queue)


# -- where a suggestion is --------------------------------------------------------------------


def text_of(turn: Turn, field: str) -> str:
    return (turn.translation or "") if field == TRANSLATION else turn.text


def _word_offsets(turn: Turn) -> list[int] | None:
    """Where each word of the turn begins in its text; None when they cannot be found (text
    edited by hand)."""
    out = []
    pos = 0
    for word in turn.words:
        token = word.text.strip()
        at = turn.text.find(token, pos)
        if at < 0:
            return None
        out.append(at)
        pos = at + len(token)
    return out


def anchored(suggestions: Iterable[Suggestion], transcript: Transcript) -> tuple[Suggestion, ...]:
    """The suggestions with the start time of the word each begins in (where the turn has
    word times), so :func:`relocate` finds the same words in turns cut differently."""
    turns = {t.id: t for t in transcript.turns}
    out = []
    for s in suggestions:
        turn = turns.get(s.turn)
        if s.time is None and s.field == TEXT and turn is not None and turn.words:
            offsets = _word_offsets(turn)
            i = bisect.bisect_right(offsets, s.start) - 1 if offsets is not None else -1
            if i >= 0:
                s = dataclasses.replace(s, time=turn.words[i].start)
        out.append(s)
    return tuple(out)


def relocate(suggestions: Iterable[Suggestion], transcript: Transcript) -> list[Suggestion]:
    """Each suggestion pointed at the turn of ``transcript`` that holds its words: the turn
    with its id while its text is still there, else the turn whose word starts at its time
    (speaker turns cut differently). One whose words are nowhere is left as it is: it then
    matches nothing, so no decision is ever applied to other words."""
    turns = {t.id: t for t in transcript.turns}
    words: dict[float, list[tuple[Turn, int, int]]] | None = None
    out = []
    for s in suggestions:
        turn = turns.get(s.turn)
        if turn is not None and text_of(turn, s.field)[s.start : s.end] == s.text:
            out.append(s)
            continue
        if s.time is not None and s.field == TEXT:
            if words is None:
                words = _words_by_time(transcript)
            for other, at, length in words.get(s.time, ()):
                start = other.text.find(s.text, at)
                if 0 <= start < at + max(length, 1):
                    s = dataclasses.replace(s, turn=other.id, start=start, end=start + len(s.text))
                    break
        out.append(s)
    return out


def _words_by_time(transcript: Transcript) -> dict[float, list[tuple[Turn, int, int]]]:
    """Start time -> (turn, offset of the word in its text, length of the word)."""
    out: dict[float, list[tuple[Turn, int, int]]] = {}
    for turn in transcript.turns:
        offsets = _word_offsets(turn)
        if offsets is None:
            continue
        for word, at in zip(turn.words, offsets, strict=True):
            out.setdefault(word.start, []).append((turn, at, len(word.text.strip())))
    return out


# -- the study-level entry points (the CLI calls these; they never print) --------------------


@dataclass(frozen=True)
class PendingRow:
    """A pending suggestion with its turn's paragraph number and the words around it
    (identifiable: for the moderator's screen only)."""

    suggestion: Suggestion
    paragraph: int | None
    context: str


def pending_rows(study: Study, session_id: str, width: int = 40) -> list[PendingRow]:
    """The session's pending suggestions, in id order."""
    from fgdprep.errors import StageError

    session = study.load_session(session_id)
    waiting = pending(load_review(study, session.id))
    if not study.has_transcript(session.id, Stage.PSEUDONYMISED):
        raise StageError(
            f"{session.id} has not been pseudonymised; run 'fgdprep pseudonymise"
            f" {session.id}' first"
        )
    if not waiting:
        return []
    study.audit_read("review list", session=session.id, pending=len(waiting))
    turns = study.load_transcript(session.id, Stage.PSEUDONYMISED).turns
    number = {t.id: n for n, t in enumerate(turns, 1)}
    rows = []
    for s in waiting:
        n = number.get(s.turn)
        text = text_of(turns[n - 1], s.field) if n is not None else ""
        context = (
            f"{text[max(0, s.start - width) : s.start]}«{text[s.start : s.end]}»"
            f"{text[s.end : s.end + width]}"
        ).replace("\n", " ")
        rows.append(PendingRow(s, n, context))
    return rows


def _check_dismissals(
    study: Study,
    codebook: Codebook,
    session_id: str,
    hits: Sequence[str],
    confirm_exact: Callable[[int], None],
) -> None:
    from fgdprep.stages.leakcheck import session_hits

    current = {h.id: h for h in session_hits(study, codebook, session_id)}
    unknown = [h for h in hits if h not in current]
    if unknown:
        raise InputError(
            f"{', '.join(unknown)}: no such leak-check hit in the shareable files of"
            f" {session_id}; run 'fgdprep leakcheck' for the current hits and their files;"
            " nothing was changed"
        )
    exact = sum(1 for h in hits if current[h].exact_value)
    if exact:
        confirm_exact(exact)


@dataclass(frozen=True)
class ReviewRun:
    outcome: Outcome
    dismissed: int
    pending: int
    #: Other pseudonymised sessions that name what was decided.
    others: tuple[str, ...]


def record(
    study: Study,
    session_id: str,
    decisions: Decisions,
    dismiss_leaks: Sequence[str],
    passphrase: Callable[[], str],
    who: str,
    when: str,
    confirm_exact: Callable[[int], None] = lambda n: None,
) -> ReviewRun:
    """Record decisions in the review queue and the codebook and audit them; the next
    ``pseudonymise`` applies them. A leak-check hit to dismiss must be a current hit in that
    session's shareable files; ``confirm_exact`` is shown how many of them are exact roster
    or codebook values (it raises to stop). Needs the study lock."""
    from fgdprep.codebook import load_codebook, save_codebook

    session = study.load_session(session_id)
    queue = load_review(study, session.id)
    secret = passphrase()
    codebook = load_codebook(study, secret)
    if dismiss_leaks:
        _check_dismissals(study, codebook, session.id, dismiss_leaks, confirm_exact)
    outcome = decide(
        queue, codebook, decisions, session.site, study.site_roster(session.site), who, when
    )
    for hit in dismiss_leaks:
        codebook.dismissed[hit] = {"by": who, "at": when, "session": session.id}
    codebook.changed = True
    save_codebook(study, codebook, secret)
    if outcome.accepted or outcome.rejected or outcome.added:
        outcome = dataclasses.replace(
            outcome, queue=dataclasses.replace(outcome.queue, decided=when)
        )
    save_review(study, outcome.queue)
    others = sessions_naming(study, outcome.changed, session.id)
    left = len(pending(outcome.queue))
    study.audit(
        "review",
        session=session.id,
        counts={
            "accepted": outcome.accepted,
            "rejected": outcome.rejected,
            "added": len(outcome.added),
            "leaks_dismissed": len(dismiss_leaks),
            "pending": left,
            "other_sessions_affected": len(others),
        },
    )
    return ReviewRun(outcome, len(dismiss_leaks), left, tuple(others))
