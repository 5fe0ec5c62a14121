"""Speaker turns: diarization segments + the draft transcript -> one turn per contribution.

Whisper segments often run across a change of speaker (tiny.en makes 30 s segments of a
lively discussion), so speakers are assigned word by word: each word goes to the label that
overlaps it most. Consecutive words of one speaker form a turn, across Whisper segments; a
short interjection inside another speaker's turn is a turn of its own. Words no segment
covers stay with their neighbours and flag the turn; words two speakers cover flag it too.

Labels are renumbered ``SPEAKER_00``… in order of first appearance, and the moderator's
assignments (label -> roster code) are applied last, so they survive re-transcription and
are the only human work this stage holds.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep import __version__
from fgdprep.audio import cut_clips, wav_bytes
from fgdprep.diarize import DEFAULT_METHOD, DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.errors import InputError, StageError
from fgdprep.model import (
    INPUTS,
    Diarization,
    Flag,
    FlagCode,
    Person,
    Provenance,
    Session,
    SpeakerAssignment,
    SpeakerAssignments,
    SpeakerSegment,
    Stage,
    Transcript,
    Turn,
    Word,
    with_turn_ids,
)
from fgdprep.store import Study

STAGE = Stage.SPEAKERS
#: A word no segment covers goes to the nearest segment this close (Whisper's word times
#: and the diarizer's voice-activity edges disagree by a few hundred milliseconds).
NEAR_SECONDS = 0.5
#: A word counts as overlapped when a second speaker covers this share of it.
OVERLAP_SHARE = 0.3
#: Length given to a word Whisper timed as a point.
MIN_WORD_SECONDS = 0.02
LABEL_FORMAT = "SPEAKER_{:02d}"


def number_labels(
    segments: Iterable[SpeakerSegment],
) -> tuple[tuple[SpeakerSegment, ...], dict[str, str]]:
    """Segments in time order with labels ``SPEAKER_00``… by first appearance, and the map
    from the backend's labels to the new ones."""
    ordered = sorted(segments, key=lambda s: (s.start, s.end, s.label))
    names: dict[str, str] = {}
    for seg in ordered:
        names.setdefault(seg.label, LABEL_FORMAT.format(len(names)))
    return tuple(dataclasses.replace(s, label=names[s.label]) for s in ordered), names


def make_diarization(
    session_id: str,
    segments: Iterable[SpeakerSegment],
    method: str,
    options: Mapping[str, object] | None = None,
    overlaps: Iterable[SpeakerSegment] = (),
) -> Diarization:
    numbered, names = number_labels(s for s in segments if s.end > s.start)
    opts: dict[str, object] = {"method": method, **(options or {})}
    if any(old != new for old, new in names.items()):
        opts["source_labels"] = {new: old for old, new in names.items()}
    both = tuple(
        dataclasses.replace(s, label=names[s.label])
        for s in sorted(overlaps, key=lambda s: (s.start, s.end, s.label))
        if s.end > s.start and s.label in names
    )
    return Diarization(
        session_id,
        numbered,
        Provenance(stage="diarization", tool_version=__version__, options=opts),
        both,
    )


# --- assignments ------------------------------------------------------------------------------


def parse_assign(values: Iterable[str]) -> dict[str, str]:
    """``LABEL=CODE`` options as a map; later values win."""
    out: dict[str, str] = {}
    for value in values:
        label, sep, code = value.partition("=")
        label, code = label.strip(), code.strip()
        if not sep or not label or not code:
            raise InputError(f"--assign {value!r}: write it as LABEL=CODE, e.g. SPEAKER_00=MOD")
        out[label] = code
    return out


def update_assignments(
    current: SpeakerAssignments,
    new: Mapping[str, str],
    labels: Sequence[str],
    roster: Iterable[Person],
    site: str,
) -> SpeakerAssignments:
    """Add ``new`` to ``current`` after checking labels against the diarization and codes
    against the site roster. Several labels may name one person."""
    codes = {p.code for p in roster}
    bad_labels = [label for label in new if label not in labels]
    if bad_labels:
        known = ", ".join(labels) or "none"
        raise InputError(
            f"--assign: no speaker label {', '.join(bad_labels)} in this session's"
            f" diarization (labels: {known}); see them with --show"
        )
    bad_codes = sorted({code for code in new.values() if code not in codes})
    if bad_codes:
        raise InputError(
            f"--assign: code {', '.join(bad_codes)} is not in the {site} roster"
            f" (codes: {', '.join(sorted(codes))}); add the person to the roster first"
        )
    merged = current.mapping() | dict(new)
    ordered = sorted(merged.items(), key=lambda kv: (labels.index(kv[0]), kv[1]))
    return SpeakerAssignments(
        current.session_id, tuple(SpeakerAssignment(k, v) for k, v in ordered)
    )


# --- word-level assignment --------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A word, or a whole turn that has no word times (an imported transcript)."""

    source: int
    start: float
    end: float
    word: Word | None


class _Index:
    """Segments sorted by start, for overlap queries."""

    def __init__(self, segments: Sequence[SpeakerSegment]) -> None:
        self.segments = sorted(segments, key=lambda s: (s.start, s.end))
        self.starts = [s.start for s in self.segments]
        self.longest = max((s.duration for s in self.segments), default=0.0)

    def overlaps(self, start: float, end: float) -> dict[str, list[tuple[float, float]]]:
        """Per label, the parts of ``[start, end]`` its segments cover."""
        out: dict[str, list[tuple[float, float]]] = {}
        i = bisect.bisect_left(self.starts, end)
        while i > 0:
            i -= 1
            seg = self.segments[i]
            if seg.start + self.longest < start:
                break
            a, b = max(start, seg.start), min(end, seg.end)
            if b > a:
                out.setdefault(seg.label, []).append((a, b))
        return out

    def nearest(self, start: float, end: float, within: float) -> str | None:
        best: tuple[float, str] | None = None
        lo = bisect.bisect_left(self.starts, start - within - self.longest)
        hi = bisect.bisect_right(self.starts, end + within)
        for seg in self.segments[lo:hi]:
            gap = max(seg.start - end, start - seg.end)
            if gap <= within and (best is None or gap < best[0]):
                best = (gap, seg.label)
        return best[1] if best else None


def _common(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    return sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _units(turns: Sequence[Turn]) -> list[_Unit]:
    units: list[_Unit] = []
    for i, turn in enumerate(turns):
        if turn.words:
            units.extend(_Unit(i, w.start, w.end, w) for w in turn.words)
        else:
            units.append(_Unit(i, turn.start, turn.end, None))
    return units


def _label_units(
    units: Sequence[_Unit], index: _Index
) -> tuple[list[str | None], list[tuple[str, ...]]]:
    labels: list[str | None] = []
    others: list[tuple[str, ...]] = []
    for u in units:
        start, end = u.start, max(u.end, u.start + MIN_WORD_SECONDS)
        if u.end - u.start < MIN_WORD_SECONDS:
            start, end = u.start - MIN_WORD_SECONDS / 2, u.start + MIN_WORD_SECONDS / 2
        parts = index.overlaps(start, end)
        if parts:
            ranked = sorted(parts, key=lambda k: (-sum(b - a for a, b in parts[k]), k))
            labels.append(ranked[0])
            # Overlap is two voices at once, not a word that straddles a change of speaker.
            share = OVERLAP_SHARE * (end - start)
            others.append(
                tuple(k for k in ranked[1:] if _common(parts[ranked[0]], parts[k]) >= share)
            )
        else:
            labels.append(index.nearest(start, end, NEAR_SECONDS))
            others.append(())
    return labels, others


def _fill_unknown(units: Sequence[_Unit], labels: Sequence[str | None]) -> list[str | None]:
    """A word without a speaker goes with the previous word of its Whisper segment, or the
    next one; a segment with no speaker at all stays unknown."""
    filled = list(labels)
    for i in range(len(units)):
        if filled[i] is None and i > 0 and units[i - 1].source == units[i].source:
            filled[i] = filled[i - 1]
    for i in range(len(units) - 2, -1, -1):
        if filled[i] is None and units[i + 1].source == units[i].source:
            filled[i] = filled[i + 1]
    return filled


_SPEAKER_FLAGS = (FlagCode.OVERLAP, FlagCode.UNKNOWN_SPEAKER)


def _make_turn(
    turns: Sequence[Turn],
    group: Sequence[int],
    units: Sequence[_Unit],
    speaker: str | None,
    raw: Sequence[str | None],
    others: Sequence[tuple[str, ...]],
    name: Mapping[str, str],
) -> Turn:
    members = [units[i] for i in group]
    sources = list(dict.fromkeys(u.source for u in members))
    whole = all(
        sum(1 for u in members if u.source == s) == max(1, len(turns[s].words)) for s in sources
    )
    if whole:
        text = " ".join(turns[s].text for s in sources)
        start, end = turns[sources[0]].start, turns[sources[-1]].end
    else:
        text = " ".join(u.word.text if u.word else turns[u.source].text for u in members)
        start, end = members[0].start, members[-1].end
    flags: list[Flag] = []
    for s in sources:
        flags.extend(f for f in turns[s].flags if f.code not in _SPEAKER_FLAGS and f not in flags)
    unknown = sum(1 for i in group if raw[i] is None)
    if speaker is None:
        flags.append(Flag(FlagCode.UNKNOWN_SPEAKER, "no speaker segment"))
    elif unknown:
        flags.append(Flag(FlagCode.UNKNOWN_SPEAKER, f"{unknown} of {len(group)} words"))
    overlapped = [i for i in group if others[i]]
    if overlapped:
        with_ = dict.fromkeys(name.get(o, o) for i in overlapped for o in others[i])
        flags.append(
            Flag(
                FlagCode.OVERLAP,
                f"{len(overlapped)} of {len(group)} words with {','.join(with_)}",
            )
        )
    single = turns[sources[0]] if len(sources) == 1 else None
    return Turn(
        start=start,
        end=end,
        text=text,
        speaker=name.get(speaker, speaker) if speaker is not None else None,
        words=tuple(u.word for u in members if u.word is not None),
        flags=tuple(flags),
        pii=single.pii if single is not None and whole else (),
        translation=single.translation if single is not None and whole else None,
        translation_pii=single.translation_pii if single is not None and whole else (),
        asr=single.asr if single is not None else None,
    )


def assign_speakers(
    transcript: Transcript,
    diarization: Diarization,
    assignments: SpeakerAssignments | None = None,
) -> Transcript:
    """The transcript as speaker turns: words assigned by overlap, runs of one speaker merged,
    labels mapped to roster codes where the moderator assigned them."""
    name = assignments.mapping() if assignments is not None else {}
    index = _Index(diarization.segments + diarization.overlaps)
    units = _units(transcript.turns)
    raw, others = _label_units(units, index)
    filled = _fill_unknown(units, raw)
    groups: list[list[int]] = []
    for i, label in enumerate(filled):
        if groups and filled[groups[-1][-1]] == label:
            groups[-1].append(i)
        else:
            groups.append([i])
    turns = tuple(
        _make_turn(transcript.turns, g, units, filled[g[0]], raw, others, name) for g in groups
    )
    options = {
        "diarization": dict(diarization.provenance.options),
        "labels": len(diarization.labels),
        "assigned": {a.label: a.code for a in assignments.assignments} if assignments else {},
        "from_stage": transcript.provenance.stage,
    }
    provenance = Provenance(
        stage=STAGE, tool_version=__version__, model=transcript.provenance.model, options=options
    )
    return with_turn_ids(dataclasses.replace(transcript, turns=turns, provenance=provenance))


# --- summaries for --show ---------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerSummary:
    label: str
    code: str | None
    seconds: float
    segments: int
    turns: int
    first_lines: tuple[str, ...]
    clip: SpeakerSegment | None


CLIP_SECONDS = 8.0


def summarise(
    transcript: Transcript,
    diarization: Diarization,
    assignments: SpeakerAssignments,
    lines: int = 2,
) -> tuple[SpeakerSummary, ...]:
    """Per label: speaking time, turns, first lines and the stretch a sample clip should hold
    (the label's longest segment, cut to :data:`CLIP_SECONDS`)."""
    name = assignments.mapping()
    out = []
    for label in diarization.labels:
        segs = [s for s in diarization.segments if s.label == label]
        speaker = name.get(label, label)
        mine = [t for t in transcript.turns if t.speaker == speaker]
        longest = max(segs, key=lambda s: s.duration)
        clip = dataclasses.replace(longest, end=min(longest.end, longest.start + CLIP_SECONDS))
        out.append(
            SpeakerSummary(
                label=label,
                code=name.get(label),
                seconds=sum(s.duration for s in segs),
                segments=len(segs),
                turns=len(mine),
                first_lines=tuple(t.text for t in mine[:lines]),
                clip=clip,
            )
        )
    return tuple(out)


# --- the study-level run (the CLI calls this; it never prints) -------------------------------

SOURCE_STAGE = Stage.TRANSCRIBED


@dataclass(frozen=True)
class SpeakersRequest:
    session_id: str
    method: str | None = None
    rttm: Path | None = None
    count: SpeakerCount | None = None
    assign: tuple[str, ...] = ()
    force: bool = False
    device: str = "auto"
    #: Write a sample clip of each voice (``--show``).
    clips: bool = False
    #: Also write the speaker times as RTTM here (identifiable: anywhere the user says).
    export_rttm: Path | None = None
    #: CPU threads of the diarizer (None: all cores).
    threads: int | None = None
    #: A diarization :func:`diarize` made beforehand (beside transcription): used as new.
    diarization: Diarization | None = None
    #: Set to stop :func:`diarize` at its next safe point (see ``DiarizeOptions.stop``).
    stop: threading.Event | None = None


@dataclass(frozen=True)
class SpeakersResult:
    session: Session
    transcript: Transcript
    diarization: Diarization
    assignments: SpeakerAssignments
    diarized: bool
    discarded: int


def load_assignments(study: Study, session_id: str) -> SpeakerAssignments:
    path = study.assignments_path(session_id)
    if not path.is_file():
        return SpeakerAssignments(session_id)
    return study.read_doc(path, "speaker_assignments", SpeakerAssignments)


def load_diarization(study: Study, session_id: str) -> Diarization | None:
    path = study.diarization_path(session_id)
    return study.read_doc(path, "diarization", Diarization) if path.is_file() else None


def diarize(study: Study, request: SpeakersRequest) -> Diarization:
    """Who speaks when in the session's recording; needs only the recording (and the roster
    for the speaker count), so it may run beside transcription. Writes nothing."""
    session = study.load_session(request.session_id)
    if session.audio is None:
        raise StageError(f"session {session.id} has no recording to diarize")
    method = "rttm" if request.rttm is not None else (request.method or DEFAULT_METHOD)
    roster = study.site_roster(session.site)
    attending = [p for p in roster if not session.attendance or p.code in session.attendance]
    count = request.count or SpeakerCount.from_roster(attending)
    options = DiarizeOptions(
        count=count,
        rttm=request.rttm,
        device=request.device,
        threads=request.threads,
        stop=request.stop,
    )
    diarizer = make_diarizer(method, options)
    diarizer.check(session.audio)
    segments = diarizer.diarize(study.recording_path(session), session.audio)
    return make_diarization(
        session.id, segments, method, diarizer.provenance(), diarizer.overlaps()
    )


def diarize_and_save(study: Study, request: SpeakersRequest) -> Diarization:
    """:func:`diarize`, then its result saved and audited at once: run beside transcription,
    a kill or an error before the speaker step then loses no finished diarization (the
    speaker step uses the stored one). Needs the study lock."""
    import time

    started = time.monotonic()
    diarization = diarize(study, request)
    digest = study.save_doc(
        study.diarization_path(diarization.session_id), "diarization", diarization
    )
    study.audit(
        "diarize",
        session=diarization.session_id,
        stage=STAGE,
        outputs={"diarization": digest},
        counts={
            "method": diarization.provenance.options.get("method"),
            "labels": len(diarization.labels),
            "seconds": round(time.monotonic() - started, 1),
        },
    )
    return diarization


def speakers(study: Study, request: SpeakersRequest) -> SpeakersResult:
    """Diarize (or reuse the stored diarization), apply assignments, build speaker turns.

    Every check that can fail on user input runs before the diarizer, and nothing is
    written here: :func:`save` writes the result.
    """
    session = study.load_session(request.session_id)
    if session.audio is None:
        raise StageError(
            f"session {session.id} was imported as text: its speakers come from the typed"
            " file and there is no recording to diarize (nothing was changed)"
        )
    if not study.has_transcript(session.id, SOURCE_STAGE):
        raise StageError(
            f"session {session.id} has no {SOURCE_STAGE} transcript yet;"
            f" run 'fgdprep transcribe {session.id}' first"
        )
    transcript = study.load_transcript(session.id, SOURCE_STAGE)
    stored = load_diarization(study, session.id)
    current = load_assignments(study, session.id)
    new_assign = parse_assign(request.assign)
    roster = study.site_roster(session.site)
    if new_assign and not roster:
        raise InputError(
            f"--assign: site {session.site} has no roster; ingest a session with --roster first"
        )
    # codes are checked now, labels once the diarization is known
    known = list(dict.fromkeys([*current.mapping(), *new_assign]))
    update_assignments(current, new_assign, known, roster, session.site)
    rediarize = (
        request.force
        or stored is None
        or request.diarization is not None
        or request.method is not None
        or request.rttm is not None
        or request.count is not None
    )
    discarded = 0
    if rediarize and current.assignments:
        if not request.force:
            pairs = ", ".join(f"{a.label}={a.code}" for a in current.assignments)
            raise StageError(
                f"session {session.id} has {len(current.assignments)} speaker assignment(s)"
                f" ({pairs}); diarizing again discards them. Pass --force to discard them,"
                " or leave out --method/--rttm/--num-speakers to keep the current diarization"
            )
        discarded = len(current.assignments)
        current = SpeakerAssignments(session.id)
    if request.diarization is not None:
        diarization = request.diarization
    elif rediarize:
        diarization = diarize(study, request)
    else:
        assert stored is not None
        diarization = stored
    assignments = current
    if new_assign:
        assignments = update_assignments(
            current, new_assign, diarization.labels, roster, session.site
        )
    turns = assign_speakers(transcript, diarization, assignments)
    return SpeakersResult(session, turns, diarization, assignments, rediarize, discarded)


def save(study: Study, result: SpeakersResult) -> dict[str, str]:
    """Write the diarization (if new), the assignments and the speakers transcript; returns
    their checksums for the audit log. Needs the study lock."""
    sid = result.session.id
    outputs: dict[str, str] = {}
    if result.diarized:
        outputs["diarization"] = study.save_doc(
            study.diarization_path(sid), "diarization", result.diarization
        )
    path = study.assignments_path(sid)
    if result.assignments.assignments or path.is_file():
        outputs["speaker_assignments"] = study.save_doc(
            path, "speaker_assignments", result.assignments
        )
    inputs = {
        SOURCE_STAGE.value: study.digest(study.transcript_path(sid, SOURCE_STAGE)),
        "diarization": study.digest(study.diarization_path(sid)),
        "speaker_assignments": study.digest(path),
    }
    provenance = result.transcript.provenance
    options = {**provenance.options, INPUTS: inputs}
    transcript = dataclasses.replace(
        result.transcript, provenance=dataclasses.replace(provenance, options=options)
    )
    outputs[STAGE] = study.save_transcript(transcript, STAGE)
    return outputs


def write_clips(
    study: Study, session: Session, summaries: Sequence[SpeakerSummary]
) -> dict[str, Path]:
    """One short WAV per label in the identifiable area, so the moderator can hear who it is."""
    spans = [(s.label, s.clip) for s in summaries if s.clip is not None]
    audio = cut_clips(study.recording_path(session), [(c.start, c.end) for _l, c in spans])
    out = {}
    for (label, _clip), samples in zip(spans, audio, strict=True):
        path = study.clip_path(session.id, label)
        study.write_bytes(path, wav_bytes(samples))
        out[label] = path
    return out


@dataclass(frozen=True)
class SpeakersRun:
    """What :func:`run` did: the result, each label's summary and the clips it wrote."""

    result: SpeakersResult
    summaries: tuple[SpeakerSummary, ...]
    clips: Mapping[str, Path]


def run(study: Study, request: SpeakersRequest) -> SpeakersRun:
    """Speaker turns for a session in the study: compute, save, write clips and the RTTM
    export when asked, audit. Needs the study lock."""
    import time

    from fgdprep.formats.rttm import format_rttm
    from fgdprep.store import atomic_write_text, sha256_text

    started = time.monotonic()
    result = speakers(study, request)
    outputs = save(study, result)
    summaries = summarise(result.transcript, result.diarization, result.assignments)
    clips = write_clips(study, result.session, summaries) if request.clips else {}
    if request.export_rttm is not None:
        text = format_rttm(result.diarization.segments, result.session.id)
        atomic_write_text(request.export_rttm, text)
        outputs["export_rttm"] = sha256_text(text)
    turns = result.transcript.turns
    study.audit(
        "speakers",
        session=result.session.id,
        stage=STAGE,
        inputs={SOURCE_STAGE: study.digest(study.transcript_path(result.session.id, SOURCE_STAGE))},
        outputs=outputs,
        counts={
            "method": result.diarization.provenance.options.get("method"),
            "diarized": result.diarized,
            "labels": len(result.diarization.labels),
            "assigned": len(result.assignments.assignments),
            "discarded_assignments": result.discarded,
            "turns": len(turns),
            "flagged": sum(1 for t in turns if t.flags),
            "clips": len(clips),
            "seconds": round(time.monotonic() - started, 1),
        },
    )
    return SpeakersRun(result, summaries, clips)
