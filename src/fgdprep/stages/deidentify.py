"""De-identify a document (field notes, memos, observation sheets): every text of it through
the labelling engine, and a review queue of its own.

Every part of the file is read (:mod:`fgdprep.formats.documents`: body, tables, headers,
footers, notes, comments, text boxes, links, properties) and goes through the same engine as
the transcripts, with the same codebook: a name the study knows gets its label in the notes
as in the transcripts, and a name a document teaches is swept in every session and document
after it.

With a study site the document gets an id, ``doc-`` and the start of the SHA-256 of its
bytes (the same file always has the same id). Findings the engine is not sure of (NER-only,
fuzzy, low-score: replaced, to be safe, but uncertain) wait in the document's review queue
(``identifiable/documents/<id>/review.json``) and never join the codebook on their own: a
wrong guess ("Call" in "Call Kevin on Monday") gets a label in this document's copy and
nowhere else. ``fgdprep review DOC-ID`` decides on them as for a session; an accepted guess
joins the codebook with the label it had in the document, a rejected one is never suggested
again and comes back in clear when the document is de-identified again. While a guess waits,
its label number stays reserved, so a label never means two people.

Without a study: a language and optionally a roster; nothing is recorded. The spans file
(identifiable) gives offsets into the document's texts joined with newlines, and each span's
text (``unit``: the part and position it is in).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep.codebook import KEPT, Codebook, Entry, load_codebook, save_codebook
from fgdprep.config import PseudonymisationConfig
from fgdprep.deid.engine import Options, Result, pseudonymise_texts
from fgdprep.errors import ConfigError, InputError, StudyError
from fgdprep.formats.documents import Replacement, Unit, read_document, render_document
from fgdprep.model import (
    DocumentRecord,
    DocumentText,
    Person,
    ReviewQueue,
    Suggestion,
    too_long,
)
from fgdprep.roster import read_roster
from fgdprep.stages.review import Decisions, decide, pending
from fgdprep.store import (
    DOCUMENT_ID,
    Permissions,
    Study,
    atomic_write_bytes,
    atomic_write_text,
    sha256_bytes,
    sha256_file,
)
from fgdprep.text import norm

DOCUMENT_PREFIX = "doc-"
#: ``source`` of a pending guess held in the codebook while it is decided on.
HELD = "document guess"


def document_id(data: bytes) -> str:
    return DOCUMENT_PREFIX + sha256_bytes(data)[:10]


@dataclass(frozen=True)
class DeidentifyRequest:
    file: Path
    output: Path
    site: str | None = None  # with a study
    language: str | None = None  # default: the site's
    roster: Path | None = None  # without a study
    spans: Path | None = None


@dataclass(frozen=True)
class DeidentifyRun:
    result: Result
    units: int
    #: The document's id in the study (None without a study).
    document: str | None = None


def deidentify(
    request: DeidentifyRequest, study: Study | None, passphrase: Callable[[], str]
) -> DeidentifyRun:
    """Read every text of the document (refusing a damaged or oversized file first),
    de-identify it and write it (and its spans); with a study, save the codebook, the
    document's review queue and record, and audit (needs the study lock)."""
    units = read_document(request.file)  # a damaged file or a bomb: refused before anything
    for u in units:
        if (problem := too_long(u.text)) is not None:
            raise InputError(f"{request.file}: {u.id} {problem}; are its line breaks lost?")

    from fgdprep.pii import Analyzer, context_for_site, model_version, presidio_version
    from fgdprep.recognizers import RecognizerContext

    language, site = request.language, request.site
    pseudo = PseudonymisationConfig()
    if study is not None and site is not None:
        site_config = study.config.site(site)
        if site_config is None:
            known = ", ".join(s.code for s in study.config.sites)
            raise InputError(f"unknown site {site!r} (sites in this study: {known})")
        language = language or site_config.language
        pseudo = study.config.pseudonymisation
    assert language is not None
    try:
        model = pseudo.nlp_model(language)
    except ValueError as exc:
        raise ConfigError("fgdprep.yaml" if study else "--language", [str(exc)]) from None
    texts = [u.text for u in units]
    ids = [u.id for u in units]
    if study is None or site is None:
        people: tuple[Person, ...] = read_roster(request.roster) if request.roster else ()
        analyzer = Analyzer(RecognizerContext(language=language, people=people), model)
        options = Options(
            source=request.file.name, people=people, review_threshold=pseudo.review_threshold
        )
        result = pseudonymise_texts(texts, analyzer.analyze, Codebook(), options, ids=ids)
        _write(request, units, result, Permissions())
        return DeidentifyRun(result, len(units))
    from fgdprep.stages.pseudonymise import options_for

    if request.spans is not None:
        study.refuse_shareable(request.spans, "the spans file (real names)")
    data = request.file.read_bytes()
    doc_id = document_id(data)
    queue = load_document_queue(study, doc_id)
    people = study.site_roster(site)
    secret = passphrase()
    codebook = load_codebook(study, secret)
    before = {id(e) for e in codebook.entries}
    held = hold_all_guesses(study, codebook, queue)
    analyzer = Analyzer(context_for_site(study.config, site, language, people), model)
    options = options_for(study, doc_id, site, people)
    result = pseudonymise_texts(
        texts, analyzer.analyze, codebook, options, queue.suggestions, ids=ids
    )
    # only what is certain joins the codebook: this run's guesses wait in the queue
    settle_guesses(codebook, held)
    for entry in [e for e in codebook.entries if id(e) not in before and not e.confirmed]:
        codebook.drop_entry(entry)
    # the copy first: an output that cannot be written leaves the study as it was
    outputs = _write(request, units, result, study.perms)
    save_codebook(study, codebook, secret)
    queue = ReviewQueue(doc_id, result.suggestions, queue.decided)
    queue_digest = study.save_doc(study.document_review_path(doc_id), "review", queue)
    holding = {s.turn for s in result.suggestions}
    record = DocumentRecord(
        doc_id,
        request.file.name,
        sha256_bytes(data),
        site,
        language,
        tuple(DocumentText(u.id, u.text) for u in units if u.id in holding),
    )
    study.save_doc(study.document_path(doc_id), "document", record)
    study.audit(
        "deidentify",
        inputs={"file": sha256_bytes(data)},
        outputs={**outputs, "review": queue_digest},
        destination=str(request.spans.resolve()) if request.spans is not None else None,
        counts={
            **result.counts(),
            "document": doc_id,
            "texts": len(units),
            "pending": result.pending,
            "model": model_version(model),
            "presidio": presidio_version(),
        },
    )
    return DeidentifyRun(result, len(units), doc_id)


def _write(
    request: DeidentifyRequest, units: Sequence[Unit], result: Result, perms: Permissions
) -> dict[str, str]:
    """The de-identified document and (if asked) the spans file; their checksums."""
    replacements = {
        units[n].id: [Replacement(s.start, s.end, s.label) for s in spans]
        for n, spans in enumerate(result.spans)
        if spans
    }
    data = render_document(request.file, replacements)
    atomic_write_bytes(request.output, data, perms)
    outputs = {"file": sha256_file(request.output)}
    if request.spans is None:
        return outputs
    offsets = []
    pos = 0
    for u in units:
        offsets.append(pos)
        pos += len(u.text) + 1
    records = [
        {
            "start": offsets[s.paragraph] + s.start,
            "end": offsets[s.paragraph] + s.end,
            "unit": units[s.paragraph].id,
            "entity_type": s.entity_type,
            "text": s.text,
            "label": s.label,
            "score": s.score,
            "recognizer": s.recognizer,
            # replaced for certain, or suggested: replaced but waiting in the review queue
            "status": "suggested" if s.status == "pending" else "replaced",
        }
        for spans in result.spans
        for s in spans
    ]
    doc = {"file": request.file.name, "spans": records}
    # real names: owner-only always, whatever the study's group
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    atomic_write_text(request.spans, text, Permissions())
    outputs["spans"] = sha256_file(request.spans)
    return outputs


# -- the document review queue -----------------------------------------------------------------


def is_document_id(study: Study, name: str) -> bool:
    """Whether ``name`` is a document of the study (``review`` takes sessions and these)."""
    return bool(DOCUMENT_ID.match(name)) and study.document_path(name).is_file()


def load_document(study: Study, document_id: str) -> DocumentRecord:
    if not is_document_id(study, document_id):
        known = ", ".join(study.document_ids()) or "none yet"
        raise StudyError(
            f"unknown document {document_id!r} (documents in this study: {known});"
            " 'fgdprep deidentify FILE --site SITE' records one"
        )
    return study.read_doc(study.document_path(document_id), "document", DocumentRecord)


def load_document_queue(study: Study, document_id: str) -> ReviewQueue:
    path = study.document_review_path(document_id)
    if not path.is_file():
        return ReviewQueue(document_id)
    return study.read_doc(path, "review", ReviewQueue)


def hold_guesses(codebook: Codebook, queue: ReviewQueue) -> list[Entry]:
    """Put the document's pending guesses into the codebook, unconfirmed and with the labels
    they had, for the time of one run (the engine labels them the same again, a decision
    finds its entry); the caller takes back the ones still unconfirmed. Returns those put
    in."""
    held: list[Entry] = []
    for s in queue.suggestions:
        if s.status != "pending" or s.entity_type not in KEPT or not s.label.startswith("["):
            continue
        if codebook.lookup(s.entity_type, s.text) or codebook.by_label(s.label):
            continue  # known already (a roster person's spelling finds its entry by label)
        if any(e.type == s.entity_type and norm(e.value) == norm(s.text) for e in held):
            continue
        entry = Entry(
            f"{queue.session_id}#{s.id}",
            s.entity_type,
            s.label,
            s.text,
            first_seen=queue.session_id,
            source=HELD,
            confirmed=False,
        )
        codebook.add_entry(entry)
        held.append(entry)
    return held


def hold_all_guesses(study: Study, codebook: Codebook, queue: ReviewQueue) -> list[Entry]:
    """:func:`hold_guesses` of this queue, then of every other document's: the same guess
    has the same label in each document, and a decision can name a label another document
    gave ("--as '[Person 4]'")."""
    held = hold_guesses(codebook, queue)
    for other in study.document_ids():
        if other != queue.session_id:
            held += hold_guesses(codebook, load_document_queue(study, other))
    return held


def settle_guesses(codebook: Codebook, held: Sequence[Entry]) -> None:
    """After decisions: an accepted guess becomes an entry of its own (E<number>), with its
    label; one still pending (or rejected) leaves the codebook."""
    for entry in held:
        if entry not in codebook.entries:
            continue
        codebook.drop_entry(entry)
        if entry.confirmed:
            n = codebook.counters.get("entry", 0) + 1
            codebook.counters["entry"] = n
            codebook.add_entry(dataclasses.replace(entry, id=f"E{n:04d}", source="review"))


@dataclass(frozen=True)
class DocumentValues:
    """The values of every document review queue of the study (identifiable): (text,
    label) of guesses still pending, and of those a person confirmed."""

    pending: tuple[tuple[str, str], ...]
    confirmed: tuple[tuple[str, str], ...]


def document_values(study: Study) -> DocumentValues:
    """What the documents' queues hold: the leak check reports pending values as pending,
    not as leaks."""
    pending: dict[tuple[str, str], None] = {}
    confirmed: dict[tuple[str, str], None] = {}
    for doc_id in study.document_ids():
        for s in load_document_queue(study, doc_id).suggestions:
            if s.status == "pending":
                pending[(s.text, s.label)] = None
            elif s.status == "accepted":
                confirmed[(s.text, s.label)] = None
    return DocumentValues(tuple(pending), tuple(confirmed))


@dataclass(frozen=True)
class DocumentRow:
    """A pending suggestion of a document with the words around it (identifiable)."""

    suggestion: Suggestion
    unit: str
    context: str


def document_pending_rows(study: Study, document_id: str, width: int = 40) -> list[DocumentRow]:
    record = load_document(study, document_id)
    texts = {t.id: t.text for t in record.texts}
    rows = []
    for s in load_document_queue(study, record.id).suggestions:
        if s.status != "pending":
            continue
        text = texts.get(s.turn, "")
        context = (
            f"{text[max(0, s.start - width) : s.start]}«{text[s.start : s.end]}»"
            f"{text[s.end : s.end + width]}"
        ).replace("\n", " ")
        rows.append(DocumentRow(s, s.turn, context))
    return rows


@dataclass(frozen=True)
class DocumentReview:
    document: DocumentRecord
    accepted: int
    rejected: int
    added: tuple[str, ...]
    pending: int


def record_document_review(
    study: Study,
    document_id: str,
    decisions: Decisions,
    passphrase: Callable[[], str],
    who: str,
    when: str,
) -> DocumentReview:
    """Decide on a document's guesses (:class:`fgdprep.stages.review.Decisions`), as for a
    session: accepted and added names join the codebook (then swept in every session and
    document), rejected ones are never suggested again. Audited; needs the study lock."""
    record = load_document(study, document_id)
    queue = load_document_queue(study, record.id)
    secret = passphrase()
    codebook = load_codebook(study, secret)
    held = hold_all_guesses(study, codebook, queue)
    outcome = decide(
        queue, codebook, decisions, record.site, study.site_roster(record.site), who, when
    )
    for label in outcome.added:  # a name added to a waiting guess confirms that guess
        entry = codebook.by_label(label)
        if entry is not None and not entry.confirmed:
            entry.confirmed = True
    settle_guesses(codebook, held)
    codebook.changed = True
    save_codebook(study, codebook, secret)
    done = dataclasses.replace(outcome.queue, decided=when)
    digest = study.save_doc(study.document_review_path(record.id), "review", done)
    left = len(pending(done))
    study.audit(
        "review",
        outputs={"review": digest},
        counts={
            "document": record.id,
            "accepted": outcome.accepted,
            "rejected": outcome.rejected,
            "added": len(outcome.added),
            "pending": left,
        },
    )
    return DocumentReview(record, outcome.accepted, outcome.rejected, outcome.added, left)
