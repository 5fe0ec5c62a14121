"""Pseudonymisation: detect personal information, label it from the codebook, replace it.

The stage works on paragraphs (a transcript's turns, a memo's paragraphs):

1. the analyzer (Presidio with our recognizers) finds candidates in each paragraph;
2. allow-listed and rejected texts are dropped, overlaps resolved by recognizer priority;
3. each candidate gets its label from the study codebook, which grows with new entities;
4. a sweep finds every confirmed codebook name (accepted and added ones included) in every
   paragraph, so a name learnt anywhere in the study is replaced everywhere;
5. NER-only, fuzzy and low-scoring candidates are pending review: applied (safe side) but
   flagged.

Given the same input, codebook and review decisions, the output is the same, byte for byte.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep import __version__
from fgdprep.codebook import KEPT, Codebook, Entry, person_label
from fgdprep.entities import AGE, DATE, PERSON, Detected
from fgdprep.errors import StudyError
from fgdprep.model import (
    Flag,
    FlagCode,
    Person,
    PiiSpan,
    Provenance,
    Session,
    Transcript,
    Turn,
    dumps,
    loads,
)
from fgdprep.store import Study
from fgdprep.text import TITLE_WORDS, WORD_NAMES, PhraseIndex, age_band, norm, phrase_keys, tokens

STAGE = "pseudonymised"
SHAREABLE_NAME = "deidentified.json"
#: The stages pseudonymisation reads, latest first (speaker codes already are pseudonyms).
INPUT_STAGES = ("checked", "speakers", "transcribed")

PRIORITY = {
    "email": 110,  # an address contains names: the whole address goes
    "roster": 100,
    "codebook": 90,
    "gazetteer": 80,
    "phone": 76,  # a phone number contains digit runs that look like IDs
    "id_number": 75,
    "date": 55,
    "age": 55,
    "cues": 50,
    "ner": 40,
}
NER = "ner"


Analyze = Callable[[str], Sequence[Detected]]


@dataclass(frozen=True)
class Options:
    """What labels depend on besides the codebook.

    ``site`` scopes roster codes (DS/P03); ``people`` is that site's roster; ``source``
    is recorded as "first seen" (a session id or a file name).
    """

    source: str
    site: str = ""
    people: tuple[Person, ...] = ()
    allow_list: tuple[str, ...] = ()
    review_threshold: float = 0.85
    ages: str = "band"


@dataclass(frozen=True)
class Span:
    """A replaced piece of a paragraph: original offsets, text, and where the label went."""

    paragraph: int
    start: int
    end: int
    entity_type: str
    text: str
    label: str
    score: float
    recognizer: str
    status: str  # auto, pending, accepted

    def key(self) -> tuple[int, int, int, str]:
        return (self.paragraph, self.start, self.end, norm(self.text))


@dataclass(frozen=True)
class Suggestion:
    """A review-queue item (identifiable: it holds the text)."""

    id: int
    paragraph: int
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


@dataclass(frozen=True)
class Result:
    texts: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...]
    suggestions: tuple[Suggestion, ...]

    @property
    def pending(self) -> int:
        return sum(1 for s in self.suggestions if s.status == "pending")

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts per entity type, per recognizer and per status: numbers only."""
        flat = [s for spans in self.spans for s in spans]
        return {
            "entity_types": dict(sorted(Counter(s.entity_type for s in flat).items())),
            "recognizers": dict(sorted(Counter(s.recognizer for s in flat).items())),
            "status": dict(sorted(Counter(s.status for s in flat).items())),
        }


def pseudonymise_texts(
    texts: Sequence[str],
    analyze: Analyze,
    codebook: Codebook,
    options: Options,
    previous: Iterable[Suggestion] = (),
) -> Result:
    """Detect, label and replace in every paragraph; the codebook is updated in place."""
    previous = list(previous)
    decided = {(s.paragraph, s.start, s.end, norm(s.text)): s for s in previous}
    allow = PhraseIndex[str]()
    for phrase in options.allow_list:
        allow.add(phrase, phrase)
    roster = {p.code: p for p in options.people}

    found: list[list[Span]] = []
    for n, text in enumerate(texts):
        candidates = [
            d
            for d in analyze(text)
            if not codebook.is_rejected(d.entity_type, text[d.start : d.end]) and d.end > d.start
        ]
        allowed = [(m.start, m.end) for m in allow.find(text)]
        candidates = [
            d for d in candidates if not any(a <= d.start and d.end <= b for a, b in allowed)
        ]
        spans = []
        for d in _resolve(text, candidates):
            surface = text[d.start : d.end]
            label = _label(d, surface, codebook, options, roster)
            status = _status(d, options.review_threshold)
            spans.append(
                Span(
                    n, d.start, d.end, d.entity_type, surface, label, d.score, d.recognizer, status
                )
            )
        found.append(spans)

    sweep = _sweep_index(codebook, options)
    for n, text in enumerate(texts):
        spans = list(found[n])
        for m in sweep.find(text):
            surface = text[m.start : m.end]
            entry = m.payload
            if codebook.is_rejected(entry.type, surface):
                continue
            keys = phrase_keys(surface)
            if len(keys) == 1 and keys[0] in WORD_NAMES and not surface[:1].isupper():
                continue
            clashing = [s for s in spans if s.start < m.end and m.start < s.end]
            # a known longer name wins over weaker findings inside it ("Mbezi" in "Mbezi Beach")
            if any(
                PRIORITY.get(s.recognizer, 0) >= PRIORITY["codebook"]
                or not (m.start <= s.start and s.end <= m.end)
                for s in clashing
            ):
                continue
            spans = [s for s in spans if s not in clashing]
            spans.append(
                Span(n, m.start, m.end, entry.type, surface, entry.label, 0.95, "codebook", "auto")
            )
        found[n] = sorted(spans, key=lambda s: s.start)

    # decisions and the review queue
    suggestions = [s for s in previous if s.status == "rejected"]
    next_id = max((s.id for s in previous), default=0) + 1
    final: list[tuple[Span, ...]] = []
    for spans in found:
        kept = []
        for span in spans:
            old = decided.get(span.key())
            if span.status == "pending" or (old is not None and old.status == "accepted"):
                if old is not None and old.status == "accepted":
                    span = dataclasses.replace(span, status="accepted")
                if old is None:
                    sid, next_id = next_id, next_id + 1
                    by, at = "", ""
                else:
                    sid, by, at = old.id, old.by, old.at
                suggestions.append(
                    Suggestion(
                        sid,
                        span.paragraph,
                        span.start,
                        span.end,
                        span.text,
                        span.entity_type,
                        span.label,
                        span.score,
                        span.recognizer,
                        span.status,
                        by,
                        at,
                    )
                )
            kept.append(span)
        final.append(tuple(kept))
    suggestions.sort(key=lambda s: s.id)
    new_texts = tuple(replace_spans(text, spans) for text, spans in zip(texts, final, strict=True))
    return Result(new_texts, tuple(final), tuple(suggestions))


def _resolve(text: str, candidates: Sequence[Detected]) -> list[Detected]:
    """Non-overlapping candidates: higher recognizer priority wins, then the longer span.

    What a losing name span covers beyond the winners stays a finding of its own: NER's
    "Peter Okello" against the roster's "Okello" leaves "Peter", which must not leak.
    """
    ranked = sorted(
        candidates,
        key=lambda d: (-PRIORITY.get(d.recognizer, 0), -(d.end - d.start), d.start, -d.score),
    )
    chosen: list[Detected] = []
    for d in ranked:
        if all(d.end <= c.start or c.end <= d.start for c in chosen):
            chosen.append(d)
            continue
        if d.entity_type != PERSON:
            continue  # "Road" left over from "Jinja Road" identifies no one
        for start, end in _uncovered(text, d, chosen):
            rest = dataclasses.replace(d, start=start, end=end)
            if all(rest.end <= c.start or c.end <= rest.start for c in chosen):
                chosen.append(rest)
    return sorted(chosen, key=lambda d: d.start)


def _uncovered(text: str, d: Detected, chosen: Sequence[Detected]) -> list[tuple[int, int]]:
    """Whole words of ``d`` that no chosen span touches."""
    out: list[tuple[int, int]] = []
    for t in tokens(text[d.start : d.end]):
        start, end = d.start + t.start, d.start + t.end
        if (
            len(t.key) >= 2
            and t.key not in TITLE_WORDS
            and not any(start < c.end and c.start < end for c in chosen)
        ):
            if out and not text[out[-1][1] : start].strip():
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out


def _status(d: Detected, threshold: float) -> str:
    if d.recognizer == NER or d.how == "fuzzy" or d.score < threshold:
        return "pending"
    return "auto"


def _label(
    d: Detected, surface: str, codebook: Codebook, options: Options, roster: dict[str, Person]
) -> str:
    if d.entity_type == DATE:
        return "[date]"
    if d.entity_type == AGE:
        if options.ages == "band":
            return f"[{age_band(surface)}]"
        return "[age]"
    confirmed = _status(d, options.review_threshold) == "auto"
    if d.entity_type == PERSON and d.person is not None and d.person in roster:
        person = roster[d.person]
        entry = codebook.person_entry(
            options.site, person, person_label(person, roster.values()), options.source
        )
        # a fuzzy spelling becomes an alias (and is swept everywhere) once accepted in review
        return entry.label
    if d.entity_type not in KEPT:
        return f"[{d.entity_type.lower()}]"
    known = codebook.lookup(d.entity_type, surface)
    if known is None:
        return codebook.new_entry(
            d.entity_type, surface, options.source, d.recognizer, confirmed
        ).label
    if confirmed and not known.confirmed:
        known.confirmed = True
        codebook.changed = True
    return known.label


def _sweep_index(codebook: Codebook, options: Options) -> PhraseIndex[Entry]:
    """Every confirmed codebook name, for finding it where no recognizer did."""
    index = PhraseIndex[Entry]()
    for entry in codebook.entries:
        if not entry.confirmed or entry.type not in KEPT:
            continue
        if "/" in entry.id:
            # roster people: only their own site's (codes are per site)
            site = entry.id.split("/", 1)[0]
            if site != options.site:
                continue
        for name in entry.names():
            index.add(name, entry)
    return index


def replace_spans(text: str, spans: Sequence[Span]) -> str:
    out = []
    pos = 0
    for span in sorted(spans, key=lambda s: s.start):
        out.append(text[pos : span.start])
        out.append(span.label)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def shifted(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Where each label sits in the replaced text."""
    out = []
    delta = 0
    for span in sorted(spans, key=lambda s: s.start):
        start = span.start + delta
        out.append((start, start + len(span.label)))
        delta += len(span.label) - (span.end - span.start)
    return out


# -- transcripts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptResult:
    identifiable: Transcript
    shareable: Transcript
    result: Result


def pseudonymise(
    transcript: Transcript,
    analyze: Analyze,
    codebook: Codebook,
    options: Options,
    previous: Iterable[Suggestion] = (),
    model: str | None = None,
) -> TranscriptResult:
    """The identifiable transcript with its PII spans, and the de-identified shareable one."""
    result = pseudonymise_texts(
        [t.text for t in transcript.turns], analyze, codebook, options, previous
    )
    ident_turns = []
    share_turns = []
    for turn, new_text, spans in zip(transcript.turns, result.texts, result.spans, strict=True):
        pending = sum(1 for s in spans if s.status == "pending")
        flags = tuple(f for f in turn.flags if f.code != FlagCode.UNCERTAIN_PII)
        if pending:
            flags += (Flag(FlagCode.UNCERTAIN_PII, f"{pending} pending"),)
        ident_turns.append(
            dataclasses.replace(
                turn,
                flags=flags,
                pii=tuple(
                    PiiSpan(s.start, s.end, s.entity_type, s.label, s.score, s.recognizer, s.status)
                    for s in spans
                ),
            )
        )
        share_turns.append(
            Turn(
                start=turn.start,
                end=turn.end,
                text=new_text,
                speaker=turn.speaker,
                flags=flags,
                pii=tuple(
                    PiiSpan(a, b, s.entity_type, s.label, s.score, s.recognizer, s.status)
                    for s, (a, b) in zip(spans, shifted(spans), strict=True)
                ),
                asr=turn.asr,
            )
        )
    provenance = Provenance(
        stage=STAGE,
        tool_version=__version__,
        model=model,
        options={"input_stage": transcript.provenance.stage, "language": transcript.language},
    )
    identifiable = dataclasses.replace(transcript, turns=tuple(ident_turns), provenance=provenance)
    shareable = Transcript(
        transcript.session_id,
        transcript.language,
        tuple(share_turns),
        dataclasses.replace(provenance, stage="deidentified"),
    ).shareable()
    return TranscriptResult(identifiable, shareable, result)


# -- in the study ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewQueue:
    """A session's review queue (identifiable area: suggestions quote the text)."""

    session_id: str
    suggestions: tuple[Suggestion, ...] = ()


def input_stage(study: Study, session_id: str) -> str:
    for stage in INPUT_STAGES:
        if study.has_transcript(session_id, stage):
            return stage
    raise StudyError(
        f"session {session_id} has no transcript to pseudonymise yet;"
        " run 'fgdprep transcribe' (or import one) first"
    )


def site_people(study: Study, site: str) -> tuple[Person, ...]:
    from fgdprep.roster import read_roster

    path = study.roster_path(site)
    return read_roster(path) if path.is_file() else ()


def review_path(study: Study, session_id: str) -> Path:
    return study.session_dir(session_id) / "review.json"


def shareable_path(study: Study, session_id: str) -> Path:
    return study.shareable / "sessions" / session_id / SHAREABLE_NAME


def load_review(study: Study, session_id: str) -> ReviewQueue:
    path = review_path(study, session_id)
    if not path.is_file():
        return ReviewQueue(session_id)
    try:
        return loads("review", ReviewQueue, path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StudyError(f"{path.relative_to(study.root)}: cannot be read ({exc})") from None


def save_review(study: Study, queue: ReviewQueue) -> None:
    study.write_text(review_path(study, queue.session_id), dumps("review", queue))


def options_for(study: Study, source: str, site: str, people: tuple[Person, ...]) -> Options:
    pseudo = study.config.pseudonymisation
    return Options(
        source=source,
        site=site,
        people=people,
        allow_list=pseudo.allow_list,
        review_threshold=pseudo.review_threshold,
        ages=pseudo.ages,
    )


@dataclass(frozen=True)
class SessionRun:
    result: TranscriptResult
    input_stage: str
    identifiable_path: Path
    shareable_path: Path


def run_session(
    study: Study, session: Session, analyze: Analyze, codebook: Codebook, model: str | None
) -> SessionRun:
    """Pseudonymise the session's latest transcript; writes both copies and the queue.

    The caller holds the study lock and saves the codebook afterwards (it is encrypted).
    """
    stage = input_stage(study, session.id)
    transcript = study.load_transcript(session.id, stage)
    people = site_people(study, session.site)
    queue = load_review(study, session.id)
    done = pseudonymise(
        transcript,
        analyze,
        codebook,
        options_for(study, session.id, session.site, people),
        queue.suggestions,
        model,
    )
    ident = study.save_transcript(done.identifiable, STAGE)
    out = shareable_path(study, session.id)
    study.write_text(out, dumps("transcript", done.shareable))
    save_review(study, ReviewQueue(session.id, done.result.suggestions))
    return SessionRun(done, stage, ident, out)


def review_blockers(study: Study, session_id: str) -> int:
    """Pending suggestions of a session: finalisation must refuse while there are any."""
    return sum(1 for s in load_review(study, session_id).suggestions if s.status == "pending")
