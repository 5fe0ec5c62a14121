"""Translations, study-wide propagation and the review gate, through the command line.

A Kiswahili study whose turns carry English translations (built with the model and the
store: no translation stage exists yet). The real Presidio engines (no_op for Kiswahili,
spaCy for English) and the real encrypted codebook do the work.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner, Result

from conftest import write_docx
from fgdprep.cli import cli
from fgdprep.model import Provenance, Transcript, Turn, loads
from fgdprep.store import Study

PASS = "correct horse battery staple"
CONFIG = """\
study:
  name: Translation test study
sites:
  - code: DS
    name: Dar es Salaam
    country: TZ
    language: sw
    places: [Temeke, Kijitonyama]
    transcription: {model: base}
pseudonymisation:
  allow_list: [Dar es Salaam]
translation:
  language: en
"""
ROSTER = """\
code,name,aliases,role
MOD,Rehema Mushi,,moderator
P01,Baraka Mwakyusa,,participant
P03,Neema Swai,Mama Neema,participant
"""
PRE = (
    ("MOD", "Karibuni wote. Mama Neema, tuanze na wewe.", "Welcome all. Mama Neema, start please."),
    (
        "P03",
        "Asante Rehema. Dada yangu Halima alinipeleka Temeke.",
        "Thank you Rehema. My sister Halima took me to Temeke.",
    ),
    ("P01", "Rafiki yangu Zuhura alileta chai.", "tea was brought by zuhura."),
    ("P03", "Shukuru alikuja pia.", "Shukuru came too."),
    ("MOD", "Sawa, asante.", None),
)
POST = (("P03", "Shukuru na Mama Neema walikuja jana.", "Shukuru and Mama Neema came yesterday."),)


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    full_env = {"FGDPREP_PASSPHRASE": PASS, **(env or {})}
    return CliRunner().invoke(cli, args, env=full_env, catch_exceptions=False)


def transcript(session_id: str, turns: tuple[tuple[str, str, str | None], ...]) -> Transcript:
    return Transcript(
        session_id,
        "sw",
        tuple(
            Turn(start=2.0 * i, end=2.0 * i + 1.5, text=text, speaker=code, translation=english)
            for i, (code, text, english) in enumerate(turns)
        ),
        Provenance(stage="transcribed", tool_version="test"),
    )


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("translation")
    config = base / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    root = base / "study"
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    for sid, wave, date in (("DS-pre", "pre", "2019-12-10"), ("DS-post", "post", "2020-06-10")):
        audio = base / f"{sid}.wav"
        subprocess.run(["espeak-ng", "-w", str(audio), f"karibuni {wave}"], check=True)
        args = ["--study", str(root), "ingest", str(audio), "--session", sid, "--site", "DS"]
        args += ["--wave", wave, "--date", date, "--roster", str(roster)]
        result = run(args)
        assert result.exit_code == 0, result.output
    study = Study.open(root)
    with study.lock():
        study.save_transcript(transcript("DS-pre", PRE), "transcribed")
        study.save_transcript(transcript("DS-post", POST), "transcribed")
    yield root


def shareable(root: Path, session_id: str) -> Transcript:
    path = root / "shareable" / "sessions" / session_id / "deidentified.json"
    return loads("transcript", Transcript, path.read_text(encoding="utf-8"))


def test_all_needs_a_pseudonymised_session(study_dir: Path, unchanged: Callable[..., Any]) -> None:
    with unchanged(study_dir):
        result = run(["--study", str(study_dir), "pseudonymise", "--all"])
        assert result.exit_code == 1
        assert result.output == (
            "Error: no session has been pseudonymised yet; run 'fgdprep pseudonymise SESSION'"
            " first\n"
        )
        neither = run(["--study", str(study_dir), "pseudonymise"])
        assert neither.exit_code == 2
        assert "Error: give a SESSION_ID, or --all for every pseudonymised session" in (
            neither.output
        )
        both = run(["--study", str(study_dir), "pseudonymise", "DS-pre", "--all"])
        assert both.exit_code == 2
        assert "Error: give a SESSION_ID or --all, not both" in both.output


def test_translation_gets_the_labels_of_the_source_text(study_dir: Path) -> None:
    result = run(["--study", str(study_dir), "pseudonymise", "DS-pre", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(
        "Pseudonymised DS-pre (transcribed, 4 translated turns): "
    )
    turns = shareable(study_dir, "DS-pre").turns
    pairs = [(t.text, t.translation) for t in turns]
    assert pairs == [
        ("Karibuni wote. [P03], tuanze na wewe.", "Welcome all. [P03], start please."),
        (
            "Asante [MOD]. Dada yangu [Person 1] alinipeleka [Place 1].",
            "Thank you [MOD]. My sister [Person 1] took me to [Place 1].",
        ),
        # the English NER misses "zuhura" (lower case, as a translator may write it, and in
        # no person's slot the English candidate finder knows); the Kiswahili cue found her:
        # the same label
        ("Rafiki yangu [Person 2] alileta chai.", "tea was brought by [Person 2]."),
        # the English candidate finder suggests her (a rare word opening a sentence before
        # "came"); the suggestion labels the source too
        ("[Person 3] alikuja pia.", "[Person 3] came too."),
        ("Sawa, asante.", None),
    ]
    # spans of the translation point into the translation, apart from those of the text
    for turn in turns:
        for span in turn.translation_pii:
            assert turn.translation is not None
            assert turn.translation[span.start : span.end] == span.label
        for span in turn.pii:
            assert turn.text[span.start : span.end] == span.label
    assert [s.recognizer for s in turns[2].translation_pii] == ["paired"]
    study = Study.open(study_dir)
    ident = study.load_transcript("DS-pre", "pseudonymised")
    halima = ident.turns[1].translation_pii[1]
    assert ident.turns[1].translation is not None
    assert ident.turns[1].translation[halima.start : halima.end] == "Halima"
    assert shareable(study_dir, "DS-pre").provenance.options["translation_language"] == "en"


def test_review_lists_translation_suggestions_apart(study_dir: Path) -> None:
    listing = run(["--study", str(study_dir), "review", "DS-pre"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    halima = [line for line in lines if "«Halima»" in line]
    assert len(halima) == 2
    assert "¶2: …Asante Rehema. Dada yangu «Halima» alinipeleka Temeke.…" in halima[0]
    assert (
        "¶2 translation: …Thank you Rehema. My sister «Halima» took me to Temeke.…" in (halima[1])
    )
    queue = json.loads(
        (study_dir / "identifiable" / "sessions" / "DS-pre" / "review.json").read_text()
    )
    fields = {(s["text"], s["field"]) for s in queue["review"]["suggestions"]}
    assert {("Halima", "text"), ("Halima", "translation")} <= fields


def test_same_person_in_transcript_translation_and_field_notes(
    study_dir: Path, tmp_path: Path
) -> None:
    notes = write_docx(
        tmp_path / "notes.docx",
        "Field notes, FGD DS pre.",
        "Mama Neema came with her sister Halima; they live in Temeke.",
    )
    out = tmp_path / "notes.deid.docx"
    args = ["--study", str(study_dir), "deidentify", str(notes), "--site", "DS"]
    result = run([*args, "--language", "en", "-o", str(out)])
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    assert paragraphs == [
        "Field notes, FGD DS pre.",
        "[P03] came with her sister [Person 1]; they live in [Place 1].",
    ]
    turn = shareable(study_dir, "DS-pre").turns[1]
    assert "[Person 1]" in turn.text and "[Person 1]" in (turn.translation or "")


def test_sessions_show_the_stage_and_what_is_left_to_review(study_dir: Path) -> None:
    from fgdprep.gates import review_blockers

    waiting = review_blockers(Study.open(study_dir), "DS-pre")
    assert waiting > 0
    result = run(["--study", str(study_dir), "sessions"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["SESSION", "SITE", "WAVE", "DATE", "LANG", "LENGTH", "STAGE"]
    assert lines[1].startswith("DS-post ") and lines[1].endswith("  transcribed")
    assert lines[2].startswith("DS-pre ")
    assert lines[2].endswith(f"  pseudonymised, {waiting} to review")


def test_show_prints_the_deidentified_copy_with_translations(study_dir: Path) -> None:
    result = run(["--study", str(study_dir), "show", "DS-pre"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1  0:00:00.0-0:00:01.5  MOD: Karibuni wote. [P03], tuanze na wewe."
    assert lines[1] == "   translation: Welcome all. [P03], start please."
    assert "Neema" not in result.output and "Halima" not in result.output
    source = run(["--study", str(study_dir), "show", "DS-pre", "--stage", "transcribed"])
    assert "Mama Neema" in source.output


def test_added_name_reaches_other_sessions_with_all(study_dir: Path) -> None:
    result = run(["--study", str(study_dir), "pseudonymise", "DS-post", "-q"])
    assert result.exit_code == 0, result.output
    post = shareable(study_dir, "DS-post").turns[0]
    assert (post.text, post.translation) == (
        "Shukuru na [P03] walikuja jana.",
        "Shukuru and [P03] came yesterday.",
    )
    result = run(
        ["--study", str(study_dir), "review", "DS-pre", "--add", "Shukuru", "--as", "PERSON"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "DS-pre: accepted 0, rejected 0, added 1 ([Person 3]); 6 pending."
        " Apply with: fgdprep pseudonymise DS-pre",
        "Also named in 1 other pseudonymised session(s) (DS-post); apply everywhere with:"
        " fgdprep pseudonymise --all",
    ]
    pre_path = study_dir / "shareable" / "sessions" / "DS-pre" / "deidentified.json"
    result = run(["--study", str(study_dir), "pseudonymise", "--all", "-q"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Pseudonymised DS-post (transcribed, 1 translated turn): ")
    assert lines[0].endswith(" Updated.")
    assert lines[1].startswith("Pseudonymised DS-pre (transcribed, 4 translated turns): ")
    assert lines[1].endswith(" Updated.")
    assert lines[2] == "2 session(s) pseudonymised again; shareable copies in shareable/sessions/."
    assert lines[3] == "Pending review in DS-pre: fgdprep review SESSION"
    post = shareable(study_dir, "DS-post").turns[0]
    assert (post.text, post.translation) == (
        "[Person 3] na [P03] walikuja jana.",
        "[Person 3] and [P03] came yesterday.",
    )
    pre = shareable(study_dir, "DS-pre").turns[3]
    assert (pre.text, pre.translation) == ("[Person 3] alikuja pia.", "[Person 3] came too.")

    before = {p: p.read_bytes() for p in (study_dir / "shareable").rglob("*.json")}
    assert pre_path in before
    again = run(["--study", str(study_dir), "pseudonymise", "--all", "-q"])
    assert again.exit_code == 0, again.output
    assert [line.endswith(" Unchanged.") for line in again.output.splitlines()[:2]] == [True] * 2
    assert {p: p.read_bytes() for p in (study_dir / "shareable").rglob("*.json")} == before
    log = (study_dir / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    for name in ("Shukuru", "Halima", "Neema", "Zuhura"):
        assert name not in log
    assert run(["--study", str(study_dir), "leakcheck"]).exit_code == 0


def test_accept_all_clears_what_sessions_reports(study_dir: Path) -> None:
    for sid in ("DS-pre", "DS-post"):
        result = run(["--study", str(study_dir), "review", sid, "--accept-all"])
        assert result.exit_code == 0, result.output
    lines = run(["--study", str(study_dir), "sessions"]).output.splitlines()[1:]
    # DS-pre had pending suggestions, now decided; DS-post had none, so nothing changed there
    assert lines[0].startswith("DS-post ") and lines[1].startswith("DS-pre ")
    assert lines[0].endswith("  pseudonymised, 0 to review")
    assert lines[1].endswith("  pseudonymised, 0 to review, decisions not yet applied")
    assert run(["--study", str(study_dir), "pseudonymise", "--all", "-q"]).exit_code == 0
    lines = run(["--study", str(study_dir), "sessions"]).output.splitlines()[1:]
    assert [line.endswith("  pseudonymised, 0 to review") for line in lines] == [True, True]


def test_all_with_a_damaged_queue_changes_nothing(
    study_dir: Path, unchanged: Callable[..., Any]
) -> None:
    queue = study_dir / "identifiable" / "sessions" / "DS-pre" / "review.json"
    saved = queue.read_bytes()
    queue.write_text("{not json", encoding="utf-8")
    try:
        with unchanged(study_dir):
            result = run(["--study", str(study_dir), "pseudonymise", "--all"])
            assert result.exit_code == 1
            assert result.output == (
                "Error: identifiable/sessions/DS-pre/review.json: cannot be read"
                " (not valid JSON (line 1)); 'fgdprep check' says how to repair it\n"
            )
    finally:
        queue.write_bytes(saved)
