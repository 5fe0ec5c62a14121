"""Import: a transcript typed by hand (Word, text, WebVTT, SRT) becomes a new session.

Hand-typed sessions (e.g. Luganda, which Whisper does not know) enter the pipeline as the
speaker-turns stage: the typist already wrote who speaks. The session is made by ingest's
own code path (:func:`fgdprep.stages.ingest.new_session`: options, roster merge) with no
recording (``Session.audio`` None), so ``run`` skips transcription and diarization and goes
on with pseudonymisation; the back-check is optional.

Speaker names as typed map to roster codes: a person's code, name or alias, compared
without case, accents or extra spaces. Every name the roster lacks is listed in one error
(on screen only: the audit log records counts).

Times: a turn's own times are kept (f4 stamps, cue times, a time column). A turn between
timed ones without a time of its own gets the neighbours' (the previous turn's end, the next
one's start); in a file without times every turn starts and ends at 0. Such turns are
flagged ``untimed`` (no back-check clip can be cut for them). Turn ids: ``t`` + start in
milliseconds for a turn whose start is known (:func:`fgdprep.model.with_turn_ids`), else
``p<position>-<digest>``, the 1-based position of the turn in the file and the first 6 hex
digits of the SHA-256 of its speaker code and text: the same file imports with the same ids.
"""

from __future__ import annotations

import dataclasses
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep import __version__
from fgdprep.errors import InputError
from fgdprep.formats.typed import Entry, read_typed
from fgdprep.model import (
    INPUTS,
    Flag,
    FlagCode,
    Person,
    Provenance,
    Session,
    Stage,
    Transcript,
    Turn,
    with_turn_ids,
)
from fgdprep.stages.ingest import SessionRequest, new_session, save_session
from fgdprep.store import Study, sha256_bytes

STAGE = Stage.SPEAKERS
#: The ``untimed`` flag's detail in a file without any time; else ``start_from_neighbours``,
#: ``end_from_neighbours`` or ``start_end_from_neighbours``.
NO_TIMES = "no_times_in_file"


@dataclass(frozen=True, kw_only=True)
class ImportRequest(SessionRequest):
    file: Path
    #: A reader of :data:`fgdprep.formats.typed.READERS`; by the file's suffix when None.
    format: str | None = None


@dataclass(frozen=True)
class ImportResult:
    session: Session
    transcript: Transcript
    format: str
    #: Paragraphs before the first speaker, left out (a title, a date line).
    skipped: int
    roster_added: int
    outputs: dict[str, str]

    @property
    def untimed(self) -> int:
        return sum(1 for t in self.transcript.turns if t.has_flag(FlagCode.UNTIMED))


# --- speakers ---------------------------------------------------------------------------------


def speaker_key(name: str) -> str:
    """A name as compared: no accents, no case, single spaces (``"  Nakáto  "`` ->
    ``"nakato"``)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("’", "'").split())


def map_speakers(
    entries: Sequence[Entry], people: Sequence[Person], source: str, site: str
) -> dict[str, str]:
    """Each typed name's key -> its roster code: a code first, then a name, then an alias.
    Every name the roster lacks (or fits two people) is listed in one error."""
    levels: list[dict[str, set[str]]] = [{}, {}, {}]
    for p in people:
        levels[0].setdefault(speaker_key(p.code), set()).add(p.code)
        levels[1].setdefault(speaker_key(p.name), set()).add(p.code)
        for alias in p.aliases:
            levels[2].setdefault(speaker_key(alias), set()).add(p.code)
    codes: dict[str, str] = {}
    unknown: dict[str, str] = {}
    ambiguous: dict[str, str] = {}
    for e in entries:
        key = speaker_key(e.speaker)
        if key in codes or key in unknown or key in ambiguous:
            continue
        found = next((level[key] for level in levels if key in level), None)
        where = e.where.removeprefix(f"{source}: ")
        if found is None:
            unknown[key] = f"{e.speaker} ({where})"
        elif len(found) > 1:
            ambiguous[key] = f"{e.speaker} ({where}) fits {' and '.join(sorted(found))}"
        else:
            codes[key] = next(iter(found))
    problems = []
    if unknown:
        problems.append(
            f"{len(unknown)} speaker name(s) not in the {site} roster:"
            f" {', '.join(unknown.values())}; add each to the roster (name or alias,"
            " --roster) or correct the file"
        )
    if ambiguous:
        problems.append(
            f"{len(ambiguous)} speaker name(s) fit two people: {', '.join(ambiguous.values())};"
            " type the code instead"
        )
    if problems:
        raise InputError(f"{source}: {'; '.join(problems)} (nothing was changed)")
    return codes


# --- times ------------------------------------------------------------------------------------


def _check_order(entries: Sequence[Entry], starts_only: bool) -> None:
    """Times typed out of order are a typo (cues may overlap: then only starts count)."""
    latest: tuple[float, str] | None = None
    for e in entries:
        for t in (e.start,) if starts_only else (e.start, e.end):
            if t is None:
                continue
            if latest is not None and t < latest[0] - 1e-6:
                raise InputError(
                    f"{e.where}: a time ({t:.1f} s) before an earlier one ({latest[0]:.1f} s"
                    " in the same or an earlier turn); correct the time stamp"
                )
            if latest is None or t > latest[0]:
                latest = (t, e.where)


def fill_times(entries: Sequence[Entry]) -> list[tuple[float, float, str | None]]:
    """(start, end, why untimed or None) per entry. A start left out is the previous turn's
    end (the f4 convention: a stamp ends a paragraph; the first begins at 0), an end left
    out the next turn's start; what is still missing comes from the neighbours."""
    _check_order(entries, starts_only=all(e.start is not None for e in entries))
    starts = [e.start for e in entries]
    ends = [e.end for e in entries]
    for i in range(len(entries)):
        if starts[i] is None and i > 0 and ends[i - 1] is not None:
            starts[i] = ends[i - 1]
        elif starts[i] is None and i == 0 and ends[0] is not None:
            starts[0] = 0.0
    for i in range(len(entries) - 1):
        if ends[i] is None and starts[i + 1] is not None:
            ends[i] = starts[i + 1]
    any_time = any(t is not None for t in (*starts, *ends))
    out: list[tuple[float, float, str | None]] = []
    for i, e in enumerate(entries):
        s, t = starts[i], ends[i]
        missing = []
        if s is None:
            earlier = [x for x in (*starts[:i], *ends[:i]) if x is not None]
            s = max(earlier, default=0.0)
            missing.append("start")
        if t is None:
            later = [x for x in (*starts[i + 1 :], *ends[i + 1 :]) if x is not None]
            t = min(later, default=s)
            missing.append("end")
        why = None
        if not any_time:
            why = NO_TIMES
        elif missing:
            why = f"{'_'.join(missing)}_from_neighbours"
        if t < s:
            raise InputError(f"{e.where}: ends ({t:.1f} s) before it starts ({s:.1f} s)")
        out.append((s, t, why))
    return out


# --- the transcript ---------------------------------------------------------------------------


def untimed_id(position: int, code: str, text: str) -> str:
    digest = hashlib.sha256(f"{code}\n{text}".encode()).hexdigest()[:6]
    return f"p{position}-{digest}"


def build_transcript(
    session: Session, entries: Sequence[Entry], codes: dict[str, str], provenance: Provenance
) -> Transcript:
    """Speaker turns from the typed entries (pure)."""
    turns = []
    for n, (e, (start, end, why)) in enumerate(zip(entries, fill_times(entries), strict=True), 1):
        code = codes[speaker_key(e.speaker)]
        flags = (Flag(FlagCode.UNTIMED, why),) if why is not None else ()
        known_start = why is None or not why.startswith(("start", NO_TIMES))
        turns.append(
            Turn(
                start=round(start, 3),
                end=round(end, 3),
                text=e.text,
                speaker=code,
                flags=flags,
                id="" if known_start else untimed_id(n, code, e.text),
            )
        )
    return with_turn_ids(Transcript(session.id, session.language, tuple(turns), provenance))


# --- the study-level entry point --------------------------------------------------------------


def import_transcript(study: Study, req: ImportRequest) -> ImportResult:
    """Check everything (options, roster, file, speakers, times), then write the session
    and its speaker turns and audit it. Needs the study lock; on any error nothing is
    written."""
    new = new_session(study, req)
    fmt, data, typed = read_typed(req.file, req.format)
    people = new.merged if new.merged is not None else study.site_roster(req.site)
    if not people:
        raise InputError(
            f"site {req.site} has no roster yet; give --roster with the people of the session"
            " (CSV code,name,aliases,role,gender)"
        )
    codes = map_speakers(typed.entries, people, req.file.name, req.site)
    digest = sha256_bytes(data)
    provenance = Provenance(
        stage=STAGE,
        tool_version=__version__,
        options={"imported": {"format": fmt, "sha256": digest}, INPUTS: {}},
    )
    spoken = tuple(dict.fromkeys(codes[speaker_key(e.speaker)] for e in typed.entries))
    attendance = (*new.session.attendance, *(c for c in spoken if c not in new.session.attendance))
    session = dataclasses.replace(new.session, attendance=attendance)
    transcript = build_transcript(session, typed.entries, codes, provenance)
    outputs = {STAGE.value: study.save_transcript(transcript, STAGE)}
    outputs |= save_session(study, new, session)
    result = ImportResult(session, transcript, fmt, typed.skipped, new.added, outputs)
    study.audit(
        "import",
        session=session.id,
        stage=STAGE,
        inputs={"file": digest},
        outputs=outputs,
        counts={
            "format": fmt,
            "turns": len(transcript.turns),
            "speakers": len(spoken),
            "untimed": result.untimed,
            "skipped_paragraphs": typed.skipped,
            "attendance": len(session.attendance),
            "roster_added": new.added,
        },
    )
    return result
