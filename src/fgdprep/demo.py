"""The demo: one walk of the bundled sample FGD through every role of a study.

``fgdprep demo`` makes a study from ``sample_audio/demo.yaml`` and takes the sample
recording where a study takes each FGD: the moderator's ``run`` (ingest, transcription beside
diarization, speaker turns, first PII pass), naming the voices, the back-check round trip and
the review of the PII suggestions; the translation (none: the sample is English, the
translation language); the data manager's ``finalise``, exports and archive. Every step is a
stage's entry point (saved, audited), as the commands call them.

Where a person decides, the demo decides by a stated rule, and says so (a real study needs
the person):

- **voices**: each diarization label is named with the roster code that the sample's script
  (``fgd_sample.script.json``: what each synthetic voice was made to say, and when) gives for
  most of its speech time: it stands in for the moderator, who was in the room and hears the
  clips;
- **back-check**: the worksheet of every turn is edited as a moderator edits it in Word: the
  Speaker and Text cells of a row whose turn holds whole utterances of the script become the
  script's; a row whose turn cuts an utterance is left as heard (the script cannot say where
  the cut belongs). Then it is imported (``--by DEMO``);
- **review**: :func:`review_rule`.

Nothing here prints: :func:`walk` hands each step's result to the caller's ``show``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fgdprep.errors import InputError, StageError
from fgdprep.model import SpeakerSegment, Stage, Suggestion, Turn
from fgdprep.pipeline import Hooks, bring_up_to_date
from fgdprep.store import Study
from fgdprep.text import PhraseIndex

if TYPE_CHECKING:
    from fgdprep.stages import backcheck

SESSION = "DEMO-pre"
#: The initials the demo's decisions are recorded under (the audit log adds the user).
BY = "DEMO"
#: The demo study's codebook passphrase (when FGDPREP_PASSPHRASE is not set).
PASSPHRASE = "demo-passphrase"
#: A turn takes an utterance of the script when at least this share of it lies inside.
WHOLE = 0.8


@dataclass(frozen=True)
class Sample:
    """The bundled sample: recording, roster, script and study config."""

    folder: Path

    @property
    def audio(self) -> Path:
        return self.folder / "fgd_sample.flac"

    @property
    def roster(self) -> Path:
        return self.folder / "roster.csv"

    @property
    def script(self) -> Path:
        return self.folder / "fgd_sample.script.json"

    @property
    def config(self) -> Path:
        return self.folder / "demo.yaml"


def find_sample(bases: Sequence[Path]) -> Sample:
    """``sample_audio/`` under the first of ``bases`` that has it."""
    for base in bases:
        sample = Sample(base / "sample_audio")
        if sample.audio.is_file() and sample.script.is_file():
            return sample
    raise InputError(
        "sample_audio/fgd_sample.flac not found; run the demo from a clone of the fgdprep"
        " repository"
    )


@dataclass(frozen=True)
class Folders:
    """Where the demo writes: the study, and beside it (exports and the archive go outside
    a study) its exports and its archive."""

    study: Path
    exports: Path
    archive: Path

    @classmethod
    def beside(cls, study: Path) -> Folders:
        named = study if study.name not in ("", ".", "..") else study.resolve()
        return cls(
            study,
            named.with_name(f"{named.name}-exports"),
            named.with_name(f"{named.name}-archive"),
        )

    def check_free(self) -> None:
        """Refuse before anything is written when one of them holds something."""
        from fgdprep.config import CONFIG_NAME

        if (self.study / CONFIG_NAME).exists():
            raise InputError(
                f"{self.study} already holds a study; remove it or name another folder"
            )
        for folder in (self.study, self.exports, self.archive):
            if folder.exists() and not folder.is_dir():
                raise InputError(f"{folder} exists and is not a folder")
            if folder.exists() and any(folder.iterdir()):
                raise InputError(
                    f"{folder} exists and is not empty; remove it or name another folder"
                )


# --- the script: what the sample's voices say ------------------------------------------------


@dataclass(frozen=True)
class Utterance:
    speaker: str
    start: float
    end: float
    text: str


def read_script(path: Path) -> tuple[Utterance, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Utterance(u["speaker"], float(u["start"]), float(u["end"]), u["text"])
        for u in data["utterances"]
    )


def _common(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def name_voices(segments: Sequence[SpeakerSegment], script: Sequence[Utterance]) -> dict[str, str]:
    """Each diarization label -> the script's speaker with the most time in common with it
    (a label that shares no time with the script is left unnamed)."""
    time: dict[str, dict[str, float]] = {}
    for seg in segments:
        for u in script:
            t = _common((seg.start, seg.end), (u.start, u.end))
            if t > 0:
                per = time.setdefault(seg.label, {})
                per[u.speaker] = per.get(u.speaker, 0.0) + t
    return {label: max(per, key=lambda code: per[code]) for label, per in time.items()}


@dataclass(frozen=True)
class CellEdit:
    """What the demo writes into a worksheet row (its No. is the turn's position)."""

    number: int
    speaker: str
    text: str


def script_edits(turns: Sequence[Turn], script: Sequence[Utterance]) -> tuple[list[CellEdit], int]:
    """The rows to correct from the script, and how many turns are left as heard: each
    utterance belongs to the turn it shares most time with; a turn whose utterances each lie
    (``WHOLE``) inside it takes their text (and their speaker, when one person said them
    all); a turn that holds a part of an utterance only, or none, is left as it is."""
    mine: dict[int, list[Utterance]] = {}
    for u in script:
        best = max(
            range(len(turns)),
            key=lambda i: _common((turns[i].start, turns[i].end), (u.start, u.end)),
        )
        if _common((turns[best].start, turns[best].end), (u.start, u.end)) > 0:
            mine.setdefault(best, []).append(u)
    edits, left = [], 0
    for i, turn in enumerate(turns):
        said = mine.get(i, [])
        whole = said and all(
            _common((turn.start, turn.end), (u.start, u.end)) >= WHOLE * (u.end - u.start)
            for u in said
        )
        if not whole:
            left += 1
            continue
        speakers = {u.speaker for u in said}
        speaker = speakers.pop() if len(speakers) == 1 else turn.speaker or ""
        text = " ".join(u.text for u in said)
        if text != turn.text or speaker != (turn.speaker or ""):
            edits.append(CellEdit(i + 1, speaker, text))
    return edits, left


def edit_worksheet(data: bytes, edits: Sequence[CellEdit]) -> bytes:
    """The worksheet with the Speaker and Text cells of these rows replaced, everything else
    (numbers, clip links, properties) as it was: what a person's word processor saves."""
    import docx

    document = docx.Document(io.BytesIO(data))
    by_number = {e.number: e for e in edits}
    for row in document.tables[0].rows[1:]:
        cells = row.cells
        edit = by_number.get(int(cells[0].text)) if cells[0].text.strip().isdigit() else None
        if edit is not None:
            cells[2].text = edit.speaker
            cells[3].text = edit.text
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# --- the review ------------------------------------------------------------------------------

#: Why the demo decided each suggestion as it did.
KNOWN = "a name or place on the study's lists (roster, aliases, gazetteer): accepted"
EVERYDAY = (
    "written in lower case elsewhere in the transcript, a common word capitalised where a"
    " sentence starts: rejected"
)
SAFE = "nothing says it is not a name: accepted (kept replaced, the safe side)"


@dataclass(frozen=True)
class Decided:
    suggestion: Suggestion
    accept: bool
    why: str


def _lower_elsewhere(text: str, texts: Sequence[str]) -> bool:
    """A capitalised single word that the transcript also writes in lower case."""
    word = text.strip()
    lower = word.lower()
    if lower == word or not word.isalpha():
        return False  # a script without case, or more than one word
    pattern = re.compile(rf"(?<!\w){re.escape(lower)}(?!\w)")
    return any(pattern.search(t) for t in texts)


def review_rule(suggestion: Suggestion, known: PhraseIndex[str], texts: Sequence[str]) -> Decided:
    """The demo's review of one pending suggestion (``texts``: the session's turns): accept
    what is on the study's lists; reject a PERSON the transcript also writes in lower case
    (spaCy takes "Patient's", starting a sentence, for a name; the same speakers say "a
    patient"); accept the rest, which keeps it replaced. A real review needs a person: this
    rule would leave in clear a stranger called Hope in a transcript that also says "hope"."""
    if known.find(suggestion.text):
        return Decided(suggestion, True, KNOWN)
    if suggestion.entity_type == "PERSON" and _lower_elsewhere(suggestion.text, texts):
        return Decided(suggestion, False, EVERYDAY)
    return Decided(suggestion, True, SAFE)


def known_names(study: Study, site: str) -> PhraseIndex[str]:
    """The site's roster names and aliases and its places, facilities and wards."""
    index = PhraseIndex[str](fuzzy_threshold=study.config.pseudonymisation.fuzzy_threshold)
    for person in study.site_roster(site):
        for name in (person.name, *person.aliases):
            index.add(name, person.code)
    config = study.config.site(site)
    if config is not None:
        for name in (*config.places, *config.facilities, *config.wards):
            index.add(name, name)
    return index


# --- the walk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backchecked:
    """The worksheet written, the cells the demo changed and the rows it left as heard, and
    the import."""

    worksheet: backcheck.ExportResult
    texts: int
    speakers: int
    left: int
    imported: backcheck.ImportResult


@dataclass(frozen=True)
class Reviewed:
    decided: tuple[Decided, ...]


@dataclass(frozen=True)
class Untranslated:
    language: str
    target: str


@dataclass(frozen=True)
class Walked:
    """Where the walk left what a person opens first."""

    worksheet: Path
    exports: tuple[Path, ...]
    language: str
    prefix: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def review(study: Study, passphrase: Callable[[], str]) -> Reviewed:
    """The demo's review of the session's pending suggestions (:func:`review_rule`),
    recorded as ``review`` records a person's; the next ``pseudonymise`` applies it."""
    from fgdprep.stages.review import Decisions, pending_rows, record

    session = study.load_session(SESSION)
    known = known_names(study, session.site)
    texts = [t.text for t in study.load_transcript(SESSION, Stage.PSEUDONYMISED).turns]
    rows = pending_rows(study, SESSION)
    decided = tuple(review_rule(r.suggestion, known, texts) for r in rows)
    if decided:
        decisions = Decisions(
            accept=tuple(d.suggestion.id for d in decided if d.accept),
            reject=tuple(d.suggestion.id for d in decided if not d.accept),
        )
        record(study, SESSION, decisions, (), passphrase, BY, _now())
    return Reviewed(decided)


def walk(
    study: Study,
    sample: Sample,
    folders: Folders,
    hooks: Hooks,
    show: Callable[[str, Any], None],
) -> Walked:
    """The sample from recording to archive, each step through its stage's entry point;
    ``show(step, result)`` after each. Needs the study lock."""
    from fgdprep.stages import archive, backcheck, export, finalise, speakers
    from fgdprep.stages.ingest import IngestRequest, ingest

    # the moderator: run, name the voices, review what the first PII pass was unsure of
    request = IngestRequest(
        audio=sample.audio,
        session_id=SESSION,
        site="BU",
        wave="pre",
        date="2025-03-14",
        language="en",
        roster=sample.roster,
    )
    show("ingest", ingest(study, request).session)
    bring_up_to_date(study, SESSION, hooks)
    script = read_script(sample.script)
    diarization = speakers.load_diarization(study, SESSION)
    assert diarization is not None
    named = name_voices(diarization.segments, script)
    assign = tuple(f"{label}={code}" for label, code in named.items())
    show(
        "voices", speakers.run(study, speakers.SpeakersRequest(SESSION, assign=assign, clips=True))
    )
    bring_up_to_date(study, SESSION, hooks)
    show("review", review(study, hooks.passphrase))
    bring_up_to_date(study, SESSION, hooks)

    # the back-check round trip: every turn, corrected from the script, imported
    sheet = backcheck.export(study, backcheck.ExportRequest(SESSION, all_turns=True))
    draft = study.load_transcript(SESSION, backcheck.draft_stage(study, SESSION))
    edits, left = script_edits(draft.turns, script)
    study.write_bytes(sheet.path, edit_worksheet(sheet.path.read_bytes(), edits))
    imported = backcheck.import_worksheet(study, backcheck.ImportRequest(SESSION, sheet.path, BY))
    turns = {n: t for n, t in enumerate(draft.turns, 1)}
    texts = sum(1 for e in edits if e.text != turns[e.number].text)
    voices = sum(1 for e in edits if e.speaker != (turns[e.number].speaker or ""))
    show("backcheck", Backchecked(sheet, texts, voices, left, imported))
    bring_up_to_date(study, SESSION, hooks)
    show("review", review(study, hooks.passphrase))
    bring_up_to_date(study, SESSION, hooks)

    # translation: the FGD was held in the translation language
    session = study.load_session(SESSION)
    target = study.config.translation.language
    if session.language != target:
        raise StageError(f"the demo's session is in {session.language}, not {target}")
    show("translation", Untranslated(session.language, target))

    # the data manager: finalise (the gates hold: nothing forced), export, archive
    done = finalise.run(study, SESSION)
    show("finalise", done)
    from fgdprep.formats.export import FORMATS

    exported = export.run(
        study, export.ExportRequest((SESSION,), tuple(FORMATS), folders.exports), hooks.passphrase
    )
    show("export", exported)
    bag = archive.run(study, archive.ArchiveRequest(folders.archive), hooks.passphrase)
    show("archive", bag)
    show("verify", archive.verify(folders.archive))
    language = exported.sessions[0].language
    return Walked(sheet.path, exported.files, language, done.finalised.prefix)
