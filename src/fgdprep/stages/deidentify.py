"""De-identify a document (field notes, memos): its paragraphs through the labelling engine.

With a study site the site's roster, gazetteers and the study codebook give the same labels
as in the transcripts (new names join the codebook); without a study, a language and
optionally a roster. The spans file (identifiable) gives offsets into the paragraphs joined
with newlines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep.codebook import Codebook, load_codebook, save_codebook
from fgdprep.config import PseudonymisationConfig
from fgdprep.deid.engine import Options, Result, pseudonymise_texts
from fgdprep.errors import ConfigError, InputError
from fgdprep.formats.documents import render_paragraphs
from fgdprep.model import Person
from fgdprep.roster import read_roster
from fgdprep.store import Permissions, Study, atomic_write_bytes, atomic_write_text, sha256_file


@dataclass(frozen=True)
class DeidentifyRequest:
    file: Path
    output: Path
    site: str | None = None  # with a study
    language: str | None = None  # default: the site's
    roster: Path | None = None  # without a study
    spans: Path | None = None


def deidentify(
    request: DeidentifyRequest,
    paragraphs: Sequence[str],
    study: Study | None,
    passphrase: Callable[[], str],
) -> Result:
    """De-identify the document's paragraphs (:func:`read_paragraphs`) and write it (and its
    spans); with a study, save the codebook and audit (needs the study lock)."""
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
    if study is None or site is None:
        people: tuple[Person, ...] = read_roster(request.roster) if request.roster else ()
        analyzer = Analyzer(RecognizerContext(language=language, people=people), model)
        options = Options(
            source=request.file.name, people=people, review_threshold=pseudo.review_threshold
        )
        result = pseudonymise_texts(paragraphs, analyzer.analyze, Codebook(), options)
        _write(request, paragraphs, result, Permissions())
        return result
    from fgdprep.stages.pseudonymise import options_for

    if request.spans is not None:
        study.refuse_shareable(request.spans, "the spans file (real names)")
    people = study.site_roster(site)
    secret = passphrase()
    codebook = load_codebook(study, secret)
    analyzer = Analyzer(context_for_site(study.config, site, language, people), model)
    options = options_for(study, request.file.name, site, people)
    result = pseudonymise_texts(paragraphs, analyzer.analyze, codebook, options)
    save_codebook(study, codebook, secret)
    outputs = _write(request, paragraphs, result, study.perms)
    study.audit(
        "deidentify",
        inputs={"file": sha256_file(request.file)},
        outputs=outputs,
        destination=str(request.spans.resolve()) if request.spans is not None else None,
        counts={
            **result.counts(),
            "paragraphs": len(paragraphs),
            "model": model_version(model),
            "presidio": presidio_version(),
        },
    )
    return result


def _write(
    request: DeidentifyRequest, paragraphs: Sequence[str], result: Result, perms: Permissions
) -> dict[str, str]:
    """The de-identified document and (if asked) the spans file; their checksums."""
    data = render_paragraphs(request.file, list(result.texts))
    atomic_write_bytes(request.output, data, perms)
    outputs = {"file": sha256_file(request.output)}
    if request.spans is None:
        return outputs
    offsets = []
    pos = 0
    for p in paragraphs:
        offsets.append(pos)
        pos += len(p) + 1
    records = [
        {
            "start": offsets[s.paragraph] + s.start,
            "end": offsets[s.paragraph] + s.end,
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
