"""Commands of pseudonymisation: pseudonymise, review, leakcheck, deidentify, codebook.

Kept apart from ``cli.py`` (which registers them) so that the pipeline's other commands and
these can grow without stepping on each other. Presidio and spaCy are imported inside the
commands that analyse text.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from pathlib import Path
from typing import Any, Protocol

import click

from fgdprep.codebook import (
    ENV_PASSPHRASE,
    Codebook,
    codebook_path,
    load_codebook,
    save_codebook,
)
from fgdprep.errors import ConfigError, FgdprepError, InputError
from fgdprep.model import Person
from fgdprep.store import Study, atomic_write_bytes, atomic_write_text, sha256_file

ENV_NEW_PASSPHRASE = "FGDPREP_NEW_PASSPHRASE"


class Ctx(Protocol):
    """The group's context object (``fgdprep.cli.Ctx``): finds and opens the study."""

    def study(self) -> Study: ...


pass_ctx = click.pass_obj
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress messages.")


def _passphrase(study: Study | None, prompt: str = "Codebook passphrase") -> str:
    """FGDPREP_PASSPHRASE, else a prompt (asked twice when the codebook is new)."""
    value = os.environ.get(ENV_PASSPHRASE)
    if value is None:
        new = study is not None and not codebook_path(study).is_file()
        value = click.prompt(prompt, hide_input=True, confirmation_prompt=new, err=True)
    if not value:
        raise InputError(f"the codebook passphrase is empty; set {ENV_PASSPHRASE} or type one")
    return value


def _nlp_model(study_config: Any, language: str, where: str) -> str | None:
    try:
        model: str | None = study_config.nlp_model(language)
    except ValueError as exc:
        raise ConfigError(where, [str(exc)]) from None
    return model


def _digest(path: Path) -> str:
    """The file's SHA-256, "" when there is none yet."""
    return sha256_file(path) if path.is_file() else ""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@click.command()
@click.argument("session_id", required=False)
@click.option(
    "--all",
    "all_sessions",
    is_flag=True,
    help="Re-run every session pseudonymised before (after review decisions, roster or"
    " gazetteer changes): the codebook's names reach every session.",
)
@quiet_option
@pass_ctx
def pseudonymise(obj: Ctx, session_id: str | None, all_sessions: bool, quiet: bool) -> None:
    """Detect and replace personal information; write the shareable transcript.

    Reads the session's latest transcript (checked, else speakers, else transcribed),
    labels every finding from the study codebook ([P03], [Person 2], [Place 1],
    [phone number] ...) and writes shareable/sessions/SESSION/deidentified.json. Turns'
    translations are pseudonymised too, with the same labels (translation.language in
    fgdprep.yaml, English by default). Uncertain findings are replaced too but wait in the
    review queue (fgdprep review). Re-running gives the same output plus the review
    decisions; --all re-runs every session pseudonymised before, so that names accepted or
    added in one session's review are replaced in all of them. Codebook passphrase:
    FGDPREP_PASSPHRASE or a prompt.

    \b
    Example: fgdprep pseudonymise DS-pre
             fgdprep pseudonymise --all
    """
    from fgdprep.stages import pseudonymise as stage

    if session_id is not None and all_sessions:
        raise click.UsageError("give a SESSION_ID or --all, not both")
    if session_id is None and not all_sessions:
        raise click.UsageError("give a SESSION_ID, or --all for every pseudonymised session")
    study = obj.study()
    with study.lock():
        if session_id is not None:
            ids = [study.load_session(session_id).id]
        else:
            ids = stage.pseudonymised_sessions(study)
            if not ids:
                raise FgdprepError(
                    "no session has been pseudonymised yet; run 'fgdprep pseudonymise"
                    " SESSION' first"
                )
        pseudo = study.config.pseudonymisation
        inputs = []
        for sid in ids:  # every input is checked before the passphrase is asked for
            session = study.load_session(sid)
            _nlp_model(pseudo, session.language, "fgdprep.yaml")
            inputs.append(stage.load_input(study, session.id))
        passphrase = _passphrase(study)
        codebook = load_codebook(study, passphrase)
        if not quiet:
            click.echo("Loading the analyzers...", err=True)
        from fgdprep.pii import presidio_version, study_engines

        engines = study_engines(study.config, lambda site: stage.site_people(study, site))
        before = {sid: _digest(stage.shareable_path(study, sid)) for sid in ids}
        runs = stage.run_sessions(study, inputs, engines, codebook)
        save_codebook(study, codebook, passphrase)
        command = "pseudonymise --all" if all_sessions else "pseudonymise"
        for run in runs:
            run.audit(study, command, presidio_version())
    for run in runs:
        result = run.result.result
        counts = result.counts()
        total = sum(counts["entity_types"].values())
        kinds = ", ".join(f"{n} {k.lower()}" for k, n in counts["entity_types"].items()) or "none"
        translations = run.translated_turns
        line = (
            f"Pseudonymised {run.session.id} ({run.input_stage}"
            + (
                f", {translations} translated turn{'s' * (translations != 1)}"
                if translations
                else ""
            )
            + f"): {total} replaced ({kinds}); {result.pending} pending review."
        )
        if all_sessions:
            same = before[run.session.id] == _digest(run.shareable_path)
            line += " Unchanged." if same else " Updated."
        click.echo(line)
    if session_id is not None:
        run = runs[0]
        click.echo(f"Shareable: {run.shareable_path.relative_to(study.root)}")
        if run.result.result.pending:
            click.echo(f"Review them with: fgdprep review {run.session.id}")
    else:
        waiting = [r.session.id for r in runs if r.result.result.pending]
        click.echo(
            f"{len(runs)} session(s) pseudonymised again; shareable copies in"
            f" {(study.shareable / 'sessions').relative_to(study.root)}{os.sep}."
        )
        if waiting:
            click.echo(f"Pending review in {', '.join(waiting)}: fgdprep review SESSION")


@click.command()
@click.argument("session_id")
@click.option("--accept", multiple=True, type=int, metavar="ID", help="Accept a suggestion.")
@click.option("--reject", multiple=True, type=int, metavar="ID", help="Reject a suggestion.")
@click.option("--accept-all", is_flag=True, help="Accept every pending suggestion.")
@click.option("--add", "add_texts", multiple=True, metavar="TEXT", help="A name the tools missed.")
@click.option(
    "--as",
    "add_targets",
    multiple=True,
    metavar="TARGET",
    help="For each --add: a roster code (P01), a type (PERSON, LOCATION, FACILITY, WARD,"
    " PHONE, EMAIL, ID) or a codebook label ([Person 2]).",
)
@click.option(
    "--dismiss-leak", multiple=True, metavar="HIT", help="Dismiss a leak-check hit (its id)."
)
@pass_ctx
def review(
    obj: Ctx,
    session_id: str,
    accept: tuple[int, ...],
    reject: tuple[int, ...],
    accept_all: bool,
    add_texts: tuple[str, ...],
    add_targets: tuple[str, ...],
    dismiss_leak: tuple[str, ...],
) -> None:
    """List pending suggestions, or record decisions on them (identifiable view).

    Without options: id, label, type, recognizer, score, paragraph and the words around
    each pending suggestion ("translation" marks one in the turn's translation). Decisions
    are applied by the next 'fgdprep pseudonymise'; when other pseudonymised sessions name
    what was decided, 'fgdprep pseudonymise --all' applies them everywhere.

    \b
    Example: fgdprep review DS-pre --accept 12 --reject 13 --add "Mama Grace" --as P01
    """
    from fgdprep.stages import pseudonymise as stage
    from fgdprep.stages.review import Decisions, decide, pending, sessions_naming

    if len(add_texts) != len(add_targets):
        raise click.UsageError("give one --as for every --add")
    study = obj.study()
    session = study.load_session(session_id)
    queue = stage.load_review(study, session.id)
    if not (accept or reject or accept_all or add_texts or dismiss_leak):
        waiting = pending(queue)
        if not study.has_transcript(session.id, stage.STAGE):
            raise FgdprepError(
                f"{session.id} has not been pseudonymised; run 'fgdprep pseudonymise"
                f" {session.id}' first"
            )
        if not waiting:
            click.echo(f"No pending suggestions for {session.id}.")
            return
        turns = study.load_transcript(session.id, stage.STAGE).turns
        for s in waiting:
            turn = turns[s.paragraph] if s.paragraph < len(turns) else None
            if turn is None:
                text = ""
            elif s.field == stage.TRANSLATION:
                text = turn.translation or ""
            else:
                text = turn.text
            where = f"¶{s.paragraph + 1}" + (" translation" if s.field == stage.TRANSLATION else "")
            context = (
                text[max(0, s.start - 40) : s.start]
                + "«"
                + text[s.start : s.end]
                + "»"
                + text[s.end : s.end + 40]
            ).replace("\n", " ")
            click.echo(
                f"{s.id:>4}  {s.label:<14} {s.entity_type:<13} {s.recognizer:<9} {s.score:.2f}"
                f"  {where}: …{context}…"
            )
        click.echo(f"{len(waiting)} pending; decide with --accept/--reject ID or --accept-all.")
        return
    with study.lock():
        passphrase = _passphrase(study)
        codebook = load_codebook(study, passphrase)
        who, when = getpass.getuser(), _now()
        outcome = decide(
            queue,
            codebook,
            Decisions(accept, reject, accept_all, tuple(zip(add_texts, add_targets, strict=True))),
            session.site,
            stage.site_people(study, session.site),
            who,
            when,
        )
        for hit in dismiss_leak:
            codebook.dismissed[hit] = {"by": who, "at": when, "session": session.id}
        codebook.changed = True
        save_codebook(study, codebook, passphrase)
        stage.save_review(study, outcome.queue)
        others = sessions_naming(study, outcome.changed, session.id)
        study.audit(
            "review",
            session=session.id,
            counts={
                "accepted": outcome.accepted,
                "rejected": outcome.rejected,
                "added": len(outcome.added),
                "leaks_dismissed": len(dismiss_leak),
                "pending": len(pending(outcome.queue)),
                "other_sessions_affected": len(others),
            },
        )
    parts = [f"accepted {outcome.accepted}", f"rejected {outcome.rejected}"]
    if outcome.added:
        parts.append(f"added {len(outcome.added)} ({', '.join(outcome.added)})")
    if dismiss_leak:
        parts.append(f"dismissed {len(dismiss_leak)} leak-check hit(s)")
    click.echo(
        f"{session.id}: {', '.join(parts)}; {len(pending(outcome.queue))} pending."
        f" Apply with: fgdprep pseudonymise {session.id}"
    )
    if others:
        click.echo(
            f"Also named in {len(others)} other pseudonymised session(s) ({', '.join(others)});"
            " apply everywhere with: fgdprep pseudonymise --all"
        )


@click.command()
@pass_ctx
def leakcheck(obj: Ctx) -> None:
    """Search every shareable file for every real name the study knows.

    Every codebook value and alias and every roster name, name part and alias, in every
    file under shareable/ (JSON, docx, txt, exports): case-insensitive, word-bounded and
    fuzzy. Exit status 1 on any hit, naming file, paragraph and label (never the name).

    \b
    Example: fgdprep leakcheck
    """
    from fgdprep.roster import read_roster
    from fgdprep.stages.leakcheck import build_index, check_files, shareable_files

    study = obj.study()
    with study.lock():
        codebook = load_codebook(study, _passphrase(study))
        rosters: dict[str, tuple[Person, ...]] = {}
        for site in study.config.sites:
            path = study.roster_path(site.code)
            if path.is_file():
                rosters[site.code] = read_roster(path)
        pseudo = study.config.pseudonymisation
        index = build_index(codebook, rosters, pseudo.allow_list, pseudo.fuzzy_threshold)
        files = shareable_files(study.shareable)
        hits = check_files(study.root, files, index, codebook.dismissed)
        study.audit(
            "leakcheck",
            counts={"files": len(files), "values": len(index), "hits": len(hits)},
        )
    for hit in hits:
        click.echo(f"{hit.file} paragraph {hit.paragraph}: {hit.label} ({hit.how}) [{hit.id}]")
    if hits:
        raise FgdprepError(
            f"{len(hits)} possible leak(s) in {len({h.file for h in hits})} shareable file(s);"
            " fix the text, or dismiss a hit that is not a name with"
            " 'fgdprep review SESSION --dismiss-leak HIT'"
        )
    click.echo(f"No leaks: {len(files)} shareable file(s) checked against {len(index)} values.")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", help="Study site: its roster, gazetteers and the study codebook.")
@click.option("--language", help="ISO 639 code (default: the site's language).")
@click.option(
    "--roster",
    "roster_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Roster CSV, for use without a study.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="De-identified file."
)
@click.option(
    "--spans",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the detected spans (identifiable!) as JSON.",
)
@pass_ctx
def deidentify(
    obj: Ctx,
    file: Path,
    site: str | None,
    language: str | None,
    roster_file: Path | None,
    output: Path | None,
    spans: Path | None,
) -> None:
    """De-identify a text or Word file (field notes, memos) with the study's recognizers.

    With --site the study's roster, gazetteers and codebook give the same labels as in the
    transcripts (new names join the codebook). Without a study: --language and optionally
    --roster. --spans writes start, end (character offsets into the text; for docx its
    paragraphs joined with newlines), entity_type, text, label, score, recognizer and
    status: replaced, or suggested (replaced, but waiting for review).

    \b
    Example: fgdprep deidentify notes.docx --site DS -o notes.deid.docx --spans spans.json
    """
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.formats.documents import read_paragraphs, render_paragraphs
    from fgdprep.roster import read_roster
    from fgdprep.stages.pseudonymise import Options, pseudonymise_texts

    if site is None and language is None:
        raise click.UsageError("give --site (with a study) or --language (without one)")
    if site is not None and roster_file is not None:
        raise click.UsageError("--roster is for use without a study; --site uses its roster")
    output = output or file.with_name(f"{file.stem}.deid{file.suffix}")
    if output.resolve() == file.resolve():
        raise click.UsageError("-o must name a new file, not the input")
    paragraphs = read_paragraphs(file)
    study: Study | None = None
    if site is not None:
        study = obj.study()
        site_config = study.config.site(site)
        if site_config is None:
            known = ", ".join(s.code for s in study.config.sites)
            raise InputError(f"unknown site {site!r} (sites in this study: {known})")
        language = language or site_config.language
        pseudo = study.config.pseudonymisation
    else:
        pseudo = PseudonymisationConfig()
    assert language is not None
    model = _nlp_model(pseudo, language, "fgdprep.yaml" if study else "--language")
    people: tuple[Person, ...] = read_roster(roster_file) if roster_file else ()

    from fgdprep.pii import Analyzer, context_for_site, model_version, presidio_version
    from fgdprep.recognizers import RecognizerContext

    if study is not None and site is not None:
        from fgdprep.stages.pseudonymise import options_for, site_people

        with study.lock():
            people = site_people(study, site)
            passphrase = _passphrase(study)
            codebook = load_codebook(study, passphrase)
            analyzer = Analyzer(context_for_site(study.config, site, language, people), model)
            result = pseudonymise_texts(
                paragraphs, analyzer.analyze, codebook, options_for(study, file.name, site, people)
            )
            save_codebook(study, codebook, passphrase)
            _write_outputs(file, output, spans, paragraphs, result, render_paragraphs, study)
            study.audit(
                "deidentify",
                inputs={"file": sha256_file(file)},
                outputs={
                    "file": sha256_file(output),
                    **({"spans": sha256_file(spans)} if spans is not None else {}),
                },
                counts={
                    **result.counts(),
                    "paragraphs": len(paragraphs),
                    "model": model_version(model),
                    "presidio": presidio_version(),
                },
            )
    else:
        analyzer = Analyzer(RecognizerContext(language=language, people=people), model)
        options = Options(source=file.name, people=people, review_threshold=pseudo.review_threshold)
        result = pseudonymise_texts(paragraphs, analyzer.analyze, Codebook(), options)
        _write_outputs(file, output, spans, paragraphs, result, render_paragraphs, None)
    total = sum(len(s) for s in result.spans)
    click.echo(
        f"De-identified {file.name} -> {output}: {total} replaced, {result.pending} uncertain."
    )


def _write_outputs(
    source: Path,
    output: Path,
    spans_path: Path | None,
    paragraphs: list[str],
    result: Any,
    render: Any,
    study: Study | None,
) -> None:
    perms = study.perms if study is not None else None
    data = render(source, list(result.texts))
    if perms is not None:
        atomic_write_bytes(output, data, perms)
    else:
        atomic_write_bytes(output, data)
    if spans_path is None:
        return
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
    text = json.dumps({"file": source.name, "spans": records}, ensure_ascii=False, indent=1) + "\n"
    if perms is not None:
        atomic_write_text(spans_path, text, perms)
    else:
        atomic_write_text(spans_path, text)


@click.group()
def codebook() -> None:
    """The encrypted study codebook (real names <-> labels): rekey, export.

    \b
    Example: fgdprep codebook rekey
    """


@codebook.command()
@pass_ctx
def rekey(obj: Ctx) -> None:
    """Change the codebook passphrase.

    Old passphrase: FGDPREP_PASSPHRASE or a prompt; new one: FGDPREP_NEW_PASSPHRASE or a
    prompt (asked twice).

    \b
    Example: fgdprep codebook rekey
    """
    study = obj.study()
    with study.lock():
        if not codebook_path(study).is_file():
            raise FgdprepError("the study has no codebook yet; 'fgdprep pseudonymise' makes it")
        book = load_codebook(study, _passphrase(study, "Current codebook passphrase"))
        new = os.environ.get(ENV_NEW_PASSPHRASE) or click.prompt(
            "New codebook passphrase", hide_input=True, confirmation_prompt=True, err=True
        )
        if not new:
            raise InputError("the new passphrase is empty; nothing was changed")
        save_codebook(study, book, new)
        study.audit("codebook rekey", counts={"entries": len(book.entries)})
    click.echo(f"The codebook has a new passphrase ({len(book.entries)} entries).")


@codebook.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the readable key (never inside shareable/).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def export(obj: Ctx, output: Path, yes: bool) -> None:
    """Write the codebook as readable JSON for the data manager's records.

    The file undoes the pseudonymisation: keep it as safe as the recordings.

    \b
    Example: fgdprep codebook export -o /secure/ds-codebook.json
    """
    study = obj.study()
    shareable = study.shareable.resolve()
    target = output.resolve()
    if target == shareable or shareable in target.parents:
        raise InputError(f"{output}: the readable codebook may never go into the shareable area")
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise InputError(f"{output}: exists and is not a plain file; name a new file")
    with study.lock():
        book = load_codebook(study, _passphrase(study))
        if not yes:
            click.confirm(
                f"Write the readable codebook ({len(book.entries)} real names) to {output}?",
                abort=True,
                err=True,
            )
        data = json.loads(book.to_json())
        atomic_write_text(
            output, json.dumps(data, ensure_ascii=False, indent=1) + "\n", study.perms
        )
        study.audit("codebook export", counts={"entries": len(book.entries)})
    click.echo(f"Wrote {len(book.entries)} codebook entries to {output} (owner-only).")


COMMANDS = (pseudonymise, review, leakcheck, deidentify, codebook)
