"""The pseudonymise stage: a transcript through the labelling engine, in the study.

:func:`pseudonymise` adapts a transcript to :mod:`fgdprep.deid.engine` (one paragraph per
turn, translations beside them) and builds the identifiable transcript with its PII spans and
the de-identified shareable one; :func:`run_sessions` runs one or several sessions with one
codebook until it stops changing, and writes them. Given the same input, codebook and review
decisions, the output is the same, byte for byte.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from fgdprep import __version__
from fgdprep.codebook import Codebook
from fgdprep.deid.engine import (
    Analyze,
    Engine,
    Options,
    Result,
    Span,
    Translations,
    pseudonymise_texts,
    shifted,
)
from fgdprep.entities import Detected
from fgdprep.errors import StageError, StudyError
from fgdprep.model import (
    DEIDENTIFIED,
    INPUTS,
    SOURCE_STAGES,
    Flag,
    FlagCode,
    Person,
    PiiSpan,
    Provenance,
    ReviewQueue,
    Session,
    Stage,
    Suggestion,
    Transcript,
    Turn,
    with_turn_ids,
)
from fgdprep.stages.review import anchored, load_review, relocate, save_review
from fgdprep.store import Study

STAGE = Stage.PSEUDONYMISED
#: In the identifiable pseudonymised transcript's provenance: the review queue it applied.
QUEUE_DIGEST = "review_queue_sha256"


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
    translation language), the same codebook and the same review queue. Decisions in
    ``previous`` follow their words into the turns as they are now (:func:`relocate`).
    """
    transcript = with_turn_ids(transcript)
    has_translations = translated(transcript)
    if has_translations and translation is None:
        raise ValueError("the transcript has translations: give the analyzer of their language")
    result = pseudonymise_texts(
        [t.text for t in transcript.turns],
        engine.analyze,
        codebook,
        options,
        relocate(previous, transcript),
        Translations([t.translation for t in transcript.turns], translation.analyze)
        if has_translations and translation is not None
        else None,
        [t.id for t in transcript.turns],
    )
    result = dataclasses.replace(result, suggestions=anchored(result.suggestions, transcript))
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
                id=turn.id,
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
        dataclasses.replace(provenance, stage=DEIDENTIFIED),
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


def input_stage(study: Study, session_id: str) -> Stage:
    stage = study.latest_stage(session_id, SOURCE_STAGES)
    if stage is None:
        raise StudyError(
            f"session {session_id} has no transcript to pseudonymise yet;"
            " run 'fgdprep transcribe' (or import one) first"
        )
    return stage


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
    input_stage: Stage
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
        study.site_roster(session.site),
        load_review(study, session.id),
    )


@dataclass(frozen=True)
class SessionRun:
    session: Session
    result: TranscriptResult
    input_stage: Stage
    #: SHA-256 of what was read and written: input transcript, identifiable and shareable.
    input_digest: str
    identifiable_digest: str
    shareable_digest: str
    engine: Engine
    #: The shareable copy's digest before this run ("" when there was none).
    previous_digest: str = ""

    @property
    def changed(self) -> bool:
        return self.previous_digest != self.shareable_digest

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
            inputs={self.input_stage: self.input_digest},
            outputs={STAGE: self.identifiable_digest, DEIDENTIFIED: self.shareable_digest},
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
    study: Study,
    inputs: Sequence[SessionInput],
    engines: Engines,
    codebook: Codebook,
    previous: Mapping[str, str] | None = None,
    save: Callable[[], None] | None = None,
) -> list[SessionRun]:
    """Pseudonymise sessions with one codebook, then write every one of them.

    Every input is read (:func:`load_input`) and every session pseudonymised in memory before
    anything is written, so a bad input anywhere changes nothing. With several sessions, a
    name that a later session adds to the codebook must reach the earlier ones too: the
    sessions are pseudonymised again until the codebook stops changing, so the outcome does
    not depend on the order and running again writes the same bytes. The caller holds the
    study lock and saves the codebook in ``save`` (it is encrypted), called before any session
    is written: a kill in between leaves labels in the codebook that no file uses yet (the
    run again finds them), never a label in a file that the codebook lost. ``previous``:
    each session's shareable digest before, to tell which changed.
    """
    previous = previous or {}
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
    fresh = {i.session.id: r.result.suggestions for i, r in zip(inputs, done, strict=True)}
    drop_orphan_guesses(study, codebook, fresh)
    if save is not None:
        save()
    runs = []
    for i, result in zip(inputs, done, strict=True):
        # the queue first: the transcript records which queue it applied (decisions_applied),
        # so a crash in between reads as "decisions not yet applied", the safe side
        queue_digest = save_review(study, ReviewQueue(i.session.id, result.result.suggestions))
        provenance = result.identifiable.provenance
        source = study.digest(study.transcript_path(i.session.id, i.input_stage))
        applied = {
            **provenance.options,
            QUEUE_DIGEST: queue_digest,
            INPUTS: {i.input_stage.value: source},
        }
        # the shareable copy before the transcript the pipeline asks about: a kill in
        # between leaves the stage to do again, never done with no shareable copy
        shared = study.save_shareable(result.shareable)
        ident = study.save_transcript(
            dataclasses.replace(
                result.identifiable, provenance=dataclasses.replace(provenance, options=applied)
            ),
            STAGE,
        )
        engine = engine_for(i.session.site, i.session.language)
        was = previous.get(i.session.id, "")
        runs.append(
            SessionRun(i.session, result, i.input_stage, source, ident, shared, engine, was)
        )
    return runs


def run(
    study: Study,
    session_ids: Sequence[str] | None,
    passphrase: Callable[[], str],
    loading: Callable[[], None] | None = None,
) -> list[SessionRun]:
    """Pseudonymise sessions of the study (``None``: every session pseudonymised before)
    with one codebook: every input is checked before ``passphrase`` is asked for, then the
    sessions are computed, written and audited, and the codebook saved. ``loading`` is
    called before the analyzers load (seconds). Needs the study lock."""
    from fgdprep.codebook import load_codebook, save_codebook
    from fgdprep.errors import ConfigError
    from fgdprep.gates import is_finalised, refuse_if_finalised

    if session_ids is None:
        # finalised sessions keep their frozen text (fgdprep reopen lets them change)
        earlier = study.sessions_with(STAGE)
        ids = [sid for sid in earlier if not is_finalised(study, sid)]
        if earlier and not ids:
            raise StageError("every pseudonymised session is finalised; nothing may change")
        if not ids:
            raise StageError(
                "no session has been pseudonymised yet; run 'fgdprep pseudonymise SESSION' first"
            )
    else:
        ids = [study.load_session(sid).id for sid in session_ids]
        for sid in ids:
            refuse_if_finalised(study, sid, "pseudonymise")
    inputs = []
    for sid in ids:
        session = study.load_session(sid)
        try:
            study.config.pseudonymisation.nlp_model(session.language)
        except ValueError as exc:
            raise ConfigError("fgdprep.yaml", [str(exc)]) from None
        inputs.append(load_input(study, session.id))
    secret = passphrase()
    codebook = load_codebook(study, secret)
    if loading is not None:
        loading()
    from fgdprep.pii import presidio_version, study_engines

    engines = study_engines(study.config, study.site_roster)
    previous = {sid: study.digest(study.shareable_path(sid)) for sid in ids}
    runs = run_sessions(
        study, inputs, engines, codebook, previous, lambda: save_codebook(study, codebook, secret)
    )
    command = "pseudonymise --all" if session_ids is None else "pseudonymise"
    for done in runs:
        done.audit(study, command, presidio_version())
    return runs


def drop_orphan_guesses(
    study: Study, codebook: Codebook, fresh: Mapping[str, Sequence[Suggestion]]
) -> int:
    """Drop the unconfirmed entries first seen in the sessions of ``fresh`` (their new review
    queues, not yet written) that no pending suggestion of any session asks about any more (a
    back-check took their words out). An unconfirmed entry is held only while a person has
    it to decide: left behind, the leak check reports its value as pending with nothing left
    to review, and the archive refuses."""
    queues: dict[str, Sequence[Suggestion]] = {
        sid: load_review(study, sid).suggestions for sid in study.session_ids() if sid not in fresh
    }
    queues.update(fresh)
    asked = {s.label for queue in queues.values() for s in queue if s.status == "pending"}
    orphans = [
        e
        for e in codebook.entries
        if not e.confirmed and "/" not in e.id and e.first_seen in fresh and e.label not in asked
    ]
    for entry in orphans:
        codebook.drop_entry(entry)
    return len(orphans)


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
