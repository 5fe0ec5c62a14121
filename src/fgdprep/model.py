"""The one transcript model: frozen dataclasses and their JSON form.

Every stage is a function from one of these immutable values to the next; stages return new
values with :func:`dataclasses.replace`. JSON carries a schema version so an older fgdprep
refuses a file it cannot read instead of silently dropping fields, and a newer one reads the
older versions (:data:`UPGRADES`).

Schema versions: 1 (fgdprep 0.1.0); 2: ``Turn.id``, and review suggestions point at a turn
by its id (``Suggestion.turn``, ``Suggestion.time``) instead of by its position.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

SCHEMA_VERSION = 2

T = TypeVar("T")


class Stage(StrEnum):
    """The transcript stages, in pipeline order. Each stage's transcript is saved in the
    identifiable area under its name; the shareable copy of the pseudonymised one is
    ``deidentified`` (:data:`DEIDENTIFIED`)."""

    TRANSCRIBED = "transcribed"
    SPEAKERS = "speakers"
    CHECKED = "checked"
    PSEUDONYMISED = "pseudonymised"


#: The stages whose transcript a de-identified copy is made from, latest first.
SOURCE_STAGES = (Stage.CHECKED, Stage.SPEAKERS, Stage.TRANSCRIBED)
#: The provenance stage of a shareable (de-identified) transcript.
DEIDENTIFIED = "deidentified"


class Mode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class Role(StrEnum):
    MODERATOR = "moderator"
    ASSISTANT = "assistant"
    PARTICIPANT = "participant"


class FlagCode(StrEnum):
    """Why a turn needs a human. Later stages route turns by these codes."""

    LOW_CONFIDENCE = "low_confidence"
    POSSIBLE_HALLUCINATION = "possible_hallucination"
    NO_SPEECH = "no_speech"
    OVERLAP = "overlap"
    UNKNOWN_SPEAKER = "unknown_speaker"
    UNCERTAIN_PII = "uncertain_pii"
    #: The speech detector hears speech here but Whisper gave no words, even re-decoded.
    UNTRANSCRIBED_SPEECH = "untranscribed_speech"
    #: Spoken in another language than the session's (code-switching).
    OTHER_LANGUAGE = "other_language"
    #: Typed by hand without a start or end time of its own (import): taken from the
    #: neighbouring turns, or 0 in a file without times; no back-check clip for it.
    UNTIMED = "untimed"
    #: The turn's speaker rests on a diarization piece shorter than one embedding window.
    UNCERTAIN_SPEAKER = "uncertain_speaker"
    #: A very short turn between two turns of one other speaker (a boundary that bled).
    BOUNDARY_BLEED = "boundary_bleed"
    #: A name-like word close to, but not, a roster name or a gazetteer entry.
    NAME_NEAR_MISS = "name_near_miss"


@dataclass(frozen=True)
class Person:
    """A roster entry. Identifiable: lives only in the identifiable area."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    role: Role = Role.PARTICIPANT
    gender: str = ""


@dataclass(frozen=True)
class AudioInfo:
    """The recording as ingested; ``filename`` is relative to the session's recording folder."""

    filename: str
    sha256: str
    duration: float
    channels: int
    sample_rate: int
    codec: str
    container: str


@dataclass(frozen=True)
class Session:
    id: str
    site: str
    wave: str
    date: str
    language: str
    mode: Mode = Mode.IN_PERSON
    citation_prefix: str = ""
    audio: AudioInfo | None = None
    attendance: tuple[str, ...] = ()


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Flag:
    """A reason for human attention. ``detail`` holds numbers or labels, never transcript text."""

    code: FlagCode
    detail: str = ""


@dataclass(frozen=True)
class PiiSpan:
    """Personal information found in a turn's text (character offsets, end exclusive)."""

    start: int
    end: int
    entity_type: str
    label: str
    score: float
    recognizer: str
    status: str = "pending"


#: Which text of a turn a PII span or a review suggestion is in.
TEXT = "text"
TRANSLATION = "translation"
#: The text of a turn whose speaker withdrew consent (``fgdprep withdraw``): the turn keeps
#: its id, times, speaker code and paragraph number, so citations still point at the same
#: numbers; no translation is taken for it.
WITHDRAWN = "[contribution withdrawn]"


@dataclass(frozen=True)
class Suggestion:
    """A review-queue item: an uncertain finding a person decides on (identifiable: it holds
    the text). ``start``/``end`` are offsets into the ``field`` of the turn ``turn``."""

    id: int
    turn: str  # the turn's id (a position "#n", 1-based, only in a queue read from version 1)
    start: int
    end: int
    text: str
    entity_type: str
    label: str
    score: float
    recognizer: str
    status: str = "pending"  # pending, accepted, rejected
    by: str = ""
    at: str = ""
    field: str = TEXT  # which text of the turn: text or translation
    #: Start time of the word the suggestion begins in: finds the same words again when the
    #: turns are cut differently (speakers run again). None in a turn without word times.
    time: float | None = None


@dataclass(frozen=True)
class ReviewQueue:
    """A session's review queue (identifiable area: suggestions quote the text)."""

    session_id: str
    suggestions: tuple[Suggestion, ...] = ()
    #: When the last decision was recorded; ``pseudonymise`` clears it when it applies them.
    #: An added name changes no suggestion, but makes the shareable copy out of date too.
    decided: str = ""


@dataclass(frozen=True)
class DocumentText:
    """A text of a document (paragraph, property, link target) by its id in the document."""

    id: str
    text: str


@dataclass(frozen=True)
class DocumentRecord:
    """A document de-identified with ``deidentify --site`` (identifiable: it quotes the texts
    that hold suggestions, for the review listing). Its review queue is a
    :class:`ReviewQueue` whose ``session_id`` is the document id."""

    id: str  # "doc-" and the start of the file's SHA-256
    file: str  # the file's name (no folder)
    sha256: str
    site: str
    language: str
    texts: tuple[DocumentText, ...] = ()


@dataclass(frozen=True)
class AsrStats:
    """Whisper's own confidence figures for the segment a turn came from."""

    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float


@dataclass(frozen=True)
class Turn:
    """One speaker's contribution: one paragraph, one citation number after finalisation."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    words: tuple[Word, ...] = ()
    flags: tuple[Flag, ...] = ()
    pii: tuple[PiiSpan, ...] = ()
    translation: str | None = None
    #: PII spans of ``translation`` (offsets into it); ``pii`` holds those of ``text``.
    translation_pii: tuple[PiiSpan, ...] = ()
    asr: AsrStats | None = None
    #: Stays the same turn's id while the turn stays the same (re-running a later stage,
    #: pseudonymisation); review decisions, translations and citations point at it.
    #: Given by :func:`with_turn_ids` from the time of the turn's first word.
    id: str = ""
    #: The language the turn was transcribed in (recorded with code-switching on).
    language: str | None = None

    def has_flag(self, code: FlagCode) -> bool:
        return any(f.code == code for f in self.flags)


#: The longest paragraph fgdprep takes in (a typed turn, a worksheet or packet cell, a
#: document's paragraph): the analyzers read one paragraph at a time, and spaCy refuses
#: texts over 1,000,000 characters and needs about 1 GB per 100,000. An FGD turn has a few
#: thousand; a longer one is a wrong file or lost line breaks, refused where it comes in.
MAX_PARAGRAPH_CHARS = 100_000


def too_long(text: str) -> str | None:
    """Why ``text`` cannot be one paragraph (its length, never its words), or None."""
    if len(text) <= MAX_PARAGRAPH_CHARS:
        return None
    return f"has {len(text):,} characters; a paragraph may have at most {MAX_PARAGRAPH_CHARS:,}"


#: In ``Provenance.options``: the SHA-256 of every study file a stage's output was made
#: from, by name ({"transcribed": ..., "diarization": ...}); the pipeline compares them with
#: the files as they are now to tell a current output from an out-of-date one.
INPUTS = "inputs"


@dataclass(frozen=True)
class Provenance:
    """What produced a transcript: stage, tool version, model and the options that matter."""

    stage: str
    tool_version: str
    model: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transcript:
    session_id: str
    language: str
    turns: tuple[Turn, ...]
    provenance: Provenance

    @property
    def duration(self) -> float:
        return max((t.end for t in self.turns), default=0.0)

    def shareable(self) -> Transcript:
        """The form allowed in the shareable area: turn times kept, no word-level text."""
        return dataclasses.replace(
            self, turns=tuple(dataclasses.replace(t, words=()) for t in self.turns)
        )


@dataclass(frozen=True)
class TranscriptSummary:
    """What listing a session needs of one of its transcripts (``sessions``, ``status``),
    kept by the store beside the transcripts so that listing never parses word-level text.
    ``sha256`` is the transcript file's: a summary of another version is not used."""

    stage: Stage
    sha256: str
    provenance: Provenance
    turns: int
    #: Turns with text (a translation has one row for each).
    spoken: int
    #: Flag code -> how many turns carry it.
    flags: Mapping[str, int]
    #: Turns flagged untranscribed_speech and their seconds.
    untranscribed: int = 0
    untranscribed_s: float = 0.0
    #: The end of the last turn (seconds): the length of a session typed without a recording.
    end: float = 0.0

    @classmethod
    def of(cls, stage: Stage, transcript: Transcript, sha256: str) -> TranscriptSummary:
        flags: dict[str, int] = {}
        for t in transcript.turns:
            for code in dict.fromkeys(f.code.value for f in t.flags):
                flags[code] = flags.get(code, 0) + 1
        gaps = [t for t in transcript.turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)]
        return cls(
            stage=stage,
            sha256=sha256,
            provenance=transcript.provenance,
            turns=len(transcript.turns),
            spoken=sum(1 for t in transcript.turns if t.text.strip()),
            flags=flags,
            untranscribed=len(gaps),
            untranscribed_s=round(sum(t.end - t.start for t in gaps), 3),
            end=transcript.duration,
        )


@dataclass(frozen=True)
class SessionSummaries:
    """The summaries of a session's transcripts (``summaries.json``), one per stage."""

    session_id: str
    transcripts: tuple[TranscriptSummary, ...] = ()


@dataclass(frozen=True)
class SpeakerSegment:
    """A stretch of time in which one diarization label speaks (seconds, end exclusive)."""

    start: float
    end: float
    label: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Diarization:
    """Who spoke when, independent of the words: kept apart from transcripts so that
    re-running transcription reuses it. Labels are ``SPEAKER_00``… in order of first
    appearance; ``provenance.options`` records the method and, where they differ, the
    labels the backend gave."""

    session_id: str
    segments: tuple[SpeakerSegment, ...]
    provenance: Provenance
    #: Stretches where a label speaks while another one does (two voices at once), as the
    #: backend found them; kept apart from ``segments`` so speaking time and DER stay
    #: one voice at a time. Words under them are flagged ``overlap``.
    overlaps: tuple[SpeakerSegment, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.label for s in self.segments))


@dataclass(frozen=True)
class SpeakerAssignment:
    """A diarization label the moderator recognised as a roster code (human work)."""

    label: str
    code: str


@dataclass(frozen=True)
class SpeakerAssignments:
    session_id: str
    assignments: tuple[SpeakerAssignment, ...] = ()

    def mapping(self) -> dict[str, str]:
        return {a.label: a.code for a in self.assignments}


@dataclass(frozen=True)
class TranslationRow:
    """One turn's translation, keyed by the turn's id. ``source_sha256`` is the SHA-256 of
    the pseudonymised source text it was made from: when that text changes the row is
    stale (the translator must look again)."""

    turn: str
    text: str
    source_sha256: str
    note: str = ""
    by: str = ""
    at: str = ""


@dataclass(frozen=True)
class Approval:
    """A translation reviewer's approval of the rows as they were (``sha256`` of the rows);
    any later change to a row withdraws it."""

    by: str
    at: str
    sha256: str


@dataclass(frozen=True)
class Translation:
    """A session's translation, turn by turn (shareable: made from pseudonymised text)."""

    session_id: str
    language: str
    source_language: str
    rows: tuple[TranslationRow, ...] = ()
    approvals: tuple[Approval, ...] = ()

    def row(self, turn: str) -> TranslationRow | None:
        return next((r for r in self.rows if r.turn == turn), None)


@dataclass(frozen=True)
class Unit:
    """One numbered paragraph of a finalised transcript: what a citation ("DS 84") points
    at and what paragraph ``n`` of every export holds. ``text`` is a part of the turn's
    text (whitespace made single spaces); ``before``/``after`` are transcription
    conventions' marks (pause, crosstalk; inaudible) around it."""

    n: int
    turn: str  # the turn's id
    speaker: str
    start: float
    end: float
    text: str
    before: str = ""
    after: str = ""
    part: int = 1  # a long turn is split into parts 1, 2, ...

    @property
    def body(self) -> str:
        """The paragraph's text after the speaker code, as every export writes it."""
        return " ".join(x for x in (self.before, self.text, self.after) if x)


@dataclass(frozen=True)
class Finalised:
    """A session's numbered, frozen transcript (shareable). ``turns`` are the de-identified
    turns it was numbered from (no words): translations are matched against them, turn by
    turn. ``forced`` lists what was pending when it was finalised with ``--force``."""

    session: Session
    prefix: str
    numbering: str  # turn or line
    units: tuple[Unit, ...]
    turns: tuple[Turn, ...]
    source_sha256: str
    by: str
    at: str
    forced: tuple[str, ...] = ()


def source_sha256(text: str) -> str:
    """The digest a translation row records of the source text it translates."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def with_translation(transcript: Transcript, translation: Translation | None) -> Transcript:
    """The transcript with each turn's translation from ``translation``: only rows made from
    the turn's text as it is now (a row whose source changed is stale and left out)."""
    if translation is None:
        return transcript
    rows = {r.turn: r for r in translation.rows}
    turns = []
    for t in transcript.turns:
        row = rows.get(t.id)
        current = row is not None and row.source_sha256 == source_sha256(t.text)
        turns.append(dataclasses.replace(t, translation=row.text if row and current else None))
    return dataclasses.replace(transcript, turns=tuple(turns))


def turn_id(turn: Turn) -> str:
    """The id a new turn gets: ``t`` + the start of its first word (else of the turn) in
    milliseconds. Speaker turns cut differently keep the ids of the turns that still begin
    at the same word."""
    start = turn.words[0].start if turn.words else turn.start
    return f"t{max(0, round(start * 1000))}"


def with_turn_ids(transcript: Transcript) -> Transcript:
    """The transcript with an id for every turn that has none (ids are unique in it)."""
    if all(t.id for t in transcript.turns):
        return transcript
    taken = {t.id for t in transcript.turns if t.id}
    turns = []
    for t in transcript.turns:
        if not t.id:
            base = new = turn_id(t)
            n = 1
            while new in taken:
                n += 1
                new = f"{base}.{n}"
            taken.add(new)
            t = dataclasses.replace(t, id=new)
        turns.append(t)
    return dataclasses.replace(transcript, turns=tuple(turns))


# --- JSON -----------------------------------------------------------------------------------


def to_data(value: Any) -> Any:
    """Plain JSON data for a model value (dataclasses, enums, tuples, mappings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def from_data(cls: type[T], data: Any) -> T:
    """Rebuild a model value from :func:`to_data` output; raises ``ValueError`` on bad data."""
    return typing.cast(T, _convert(cls, data, cls.__name__))


def _convert(tp: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], data, where)
    if origin is tuple:
        if not isinstance(data, list):
            raise ValueError(f"{where}: expected a list")
        (item, _ellipsis) = typing.get_args(tp)
        return tuple(_convert(item, v, f"{where}[{i}]") for i, v in enumerate(data))
    if origin in (Mapping, dict) or tp is Mapping:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object")
        return dict(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object")
        hints = typing.get_type_hints(tp)
        kwargs = {}
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{where}.{f.name}")
        try:
            return tp(**kwargs)
        except TypeError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        try:
            return tp(data)
        except ValueError:
            raise ValueError(f"{where}: {data!r} is not one of {[m.value for m in tp]}") from None
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise ValueError(f"{where}: expected a number")
        return float(data)
    if tp is Any:
        return data
    if isinstance(tp, type) and not isinstance(data, tp):
        raise ValueError(f"{where}: expected {tp.__name__}")
    return data


def dumps(kind: str, value: Any) -> str:
    """Serialise a model value as a JSON document with its kind and the schema version."""
    doc = {"schema_version": SCHEMA_VERSION, "kind": kind, kind: to_data(value)}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def loads(kind: str, cls: type[T], text: str) -> T:
    """Read a document written by :func:`dumps`; ``ValueError`` says what is wrong."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno})") from None
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise ValueError(f"not an fgdprep {kind} file")
    version = doc.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ValueError(
            f"schema version {version!r} is newer than this fgdprep reads ({SCHEMA_VERSION});"
            " upgrade fgdprep"
        )
    data = doc.get(kind)
    for old in range(max(version, 1), SCHEMA_VERSION):
        upgrade = UPGRADES.get((kind, old))
        if upgrade is not None:
            data = upgrade(data)
    value = from_data(cls, data)
    if version < 2 and isinstance(value, Transcript):
        return typing.cast(T, with_turn_ids(value))  # turns had no ids
    return value


def _review_v1(data: Any) -> Any:
    """Version 1 pointed at a turn by its position: kept as ``#n`` until the review queue
    is read beside its transcript (:func:`fgdprep.stages.review.load_review`)."""
    if not isinstance(data, dict) or not isinstance(data.get("suggestions"), list):
        return data
    suggestions = []
    for s in data["suggestions"]:
        if isinstance(s, dict) and isinstance(s.get("paragraph"), int):
            s = {k: v for k, v in s.items() if k != "paragraph"} | {
                "turn": f"#{s['paragraph'] + 1}"
            }
        suggestions.append(s)
    return {**data, "suggestions": suggestions}


#: (kind, version) -> the document data of that version made into the next version's.
#: Transcripts of version 1 only lack turn ids, which reading gives them.
UPGRADES: dict[tuple[str, int], typing.Callable[[Any], Any]] = {("review", 1): _review_v1}
