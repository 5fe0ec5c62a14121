"""pseudonymise, review, leakcheck, deidentify and codebook through the command line.

One study per module: init, ingest of a short espeak-ng recording with a roster, and a
"transcribed" transcript built from the model (no Whisper run needed). The real Presidio
engine and spaCy model do the work; they load once per test session.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from conftest import write_docx
from fgdprep.cli import cli
from fgdprep.model import Provenance, Transcript, Turn, loads
from fgdprep.store import Study, sha256_file

PASS = "correct horse battery staple"
CONFIG = """\
study:
  name: PII test study
sites:
  - code: DS
    name: Dar es Salaam
    country: TZ
    language: sw
    places: [Kijitonyama, Temeke, Mbezi]
    facilities: [Muhimbili National Hospital, Mwananyamala Hospital]
    transcription: {model: base}
  - code: BU
    name: Butabika
    country: UG
    language: en
    places: [Kireka, Nakawa]
    facilities: [Mulago Hospital]
pseudonymisation:
  allow_list: [UPSIDES, Dar es Salaam, CFIR]
"""
ROSTER = """\
code,name,aliases,role
MOD,Rehema Mushi,,moderator
P01,Baraka Mwakyusa,,participant
P02,Imani Kimaro,Mama Imani,participant
P03,Neema Swai,,participant
"""
TURNS = (
    ("MOD", "Karibuni wote. Baraka, tuanze na wewe."),
    ("P01", "Asante Rehema. Naishi Kijitonyama, nilitibiwa Muhimbili mwaka 2016."),
    ("P02", "Mimi ni Imani. Nina imani kwamba huduma zitasaidia watu wa Temeke."),
    ("P03", "asante neema, namba yangu ni sifuri saba tano nne tatu mbili moja nane saba sita"),
    ("P01", "Dada yangu Halima alinipeleka Mbezi Beach kwa mganga."),
    ("MOD", "UPSIDES inafanya kazi Dar es Salaam. Mama Imani, asante."),
    ("P03", "Jana tulikwenda Hospitali ya Watoto, ilikuwa imejaa."),
)


def hit_of(line: str) -> str:
    """The id of a leak-check hit in its line."""
    found = re.search(r" \[([0-9a-f]{10})\] …", line)
    assert found is not None, line
    return found.group(1)


def run(args: list[str], env: dict[str, str] | None = None, input: str | None = None) -> Result:
    full_env = {"FGDPREP_PASSPHRASE": PASS, **(env or {})}
    return CliRunner().invoke(cli, args, env=full_env, input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("pii")
    config = base / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    roster = base / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    audio = base / "ds.wav"
    subprocess.run(["espeak-ng", "-w", str(audio), "karibuni wote"], check=True)
    post = base / "ds_post.wav"
    subprocess.run(["espeak-ng", "-w", str(post), "karibuni tena"], check=True)
    root = base / "study"
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    result = run(
        [
            "--study",
            str(root),
            "ingest",
            str(audio),
            "--session",
            "DS-pre",
            "--site",
            "DS",
            "--wave",
            "pre",
            "--date",
            "2019-12-10",
            "--roster",
            str(roster),
        ]
    )
    assert result.exit_code == 0, result.output
    study = Study.open(root)
    transcript = Transcript(
        "DS-pre",
        "sw",
        tuple(
            Turn(start=2.0 * i, end=2.0 * i + 1.5, text=text, speaker=code)
            for i, (code, text) in enumerate(TURNS)
        ),
        Provenance(stage="transcribed", tool_version="test"),
    )
    with study.lock():
        study.save_transcript(transcript, "transcribed")
    yield root


def shareable_turns(root: Path) -> list[str]:
    path = root / "shareable" / "sessions" / "DS-pre" / "deidentified.json"
    transcript = loads("transcript", Transcript, path.read_text(encoding="utf-8"))
    return [t.text for t in transcript.turns]


def test_pseudonymise_replaces_and_labels(study_dir: Path) -> None:
    result = run(["--study", str(study_dir), "pseudonymise", "DS-pre", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Pseudonymised DS-pre (transcribed): ")
    assert "Shareable: shareable/sessions/DS-pre/deidentified.json" in result.output
    turns = shareable_turns(study_dir)
    assert turns[0] == "Karibuni wote. [P01], tuanze na wewe."
    assert turns[1] == "Asante [MOD]. Naishi [Place 1], nilitibiwa [Hospital 1] mwaka 2016."
    assert turns[2] == ("Mimi ni [P02]. Nina imani kwamba huduma zitasaidia watu wa [Place 2].")
    assert turns[3] == "asante [P03], namba yangu ni [phone number]"
    assert turns[4].startswith("Dada yangu [Person 1] alinipeleka [Place 3]")
    assert turns[5] == "UPSIDES inafanya kazi Dar es Salaam. [P02], asante."
    shareable = (study_dir / "shareable").rglob("*")
    text = " ".join(p.read_text(encoding="utf-8") for p in shareable if p.is_file())
    for name in ("Baraka", "Rehema", "Imani Kimaro", "Kijitonyama", "Muhimbili", "Halima"):
        assert name not in text
    assert '"words": []' in text  # shareable: no word-level text
    path = study_dir / "shareable" / "sessions" / "DS-pre" / "deidentified.json"
    shared = loads("transcript", Transcript, path.read_text(encoding="utf-8"))
    # Halima (a cue, not the roster) is replaced but pending review: the turn is flagged
    assert [(f.code.value, f.detail) for f in shared.turns[4].flags] == [
        ("uncertain_pii", "1 pending")
    ]
    assert (shared.turns[4].pii[0].label, shared.turns[4].pii[0].status) == (
        "[Person 1]",
        "pending",
    )


def test_rerun_is_byte_identical(study_dir: Path) -> None:
    path = study_dir / "shareable" / "sessions" / "DS-pre" / "deidentified.json"
    before = path.read_bytes()
    result = run(["--study", str(study_dir), "pseudonymise", "DS-pre", "-q"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before


def test_audit_entry_has_counts_and_no_names(study_dir: Path) -> None:
    entries = [e for e in Study.open(study_dir).audit_entries() if e["command"] == "pseudonymise"]
    assert entries
    counts = entries[-1]["counts"]
    assert counts["entity_types"]["PERSON"] >= 5
    assert counts["recognizers"]["roster"] >= 5
    assert counts["model"] == "no_op"
    log = (study_dir / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    for name in ("Baraka", "Rehema", "Kijitonyama", "Halima", "Mwakyusa"):
        assert name not in log


def test_wrong_passphrase_changes_nothing(study_dir: Path) -> None:
    book = study_dir / "identifiable" / "codebook.enc"
    out = study_dir / "shareable" / "sessions" / "DS-pre" / "deidentified.json"
    before = (sha256_file(book), sha256_file(out))
    result = run(
        ["--study", str(study_dir), "pseudonymise", "DS-pre"], env={"FGDPREP_PASSPHRASE": "nope"}
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: wrong passphrase for the codebook identifiable/codebook.enc; nothing was"
        " changed (set FGDPREP_PASSPHRASE or type it when asked)\n"
    )
    assert (sha256_file(book), sha256_file(out)) == before


def test_corrupt_codebook_is_a_clear_error(study_dir: Path, tmp_path: Path) -> None:
    book = study_dir / "identifiable" / "codebook.enc"
    saved = tmp_path / "codebook.enc"
    shutil.copy2(book, saved)
    data = bytearray(book.read_bytes())
    data[-5] ^= 0xFF
    book.write_bytes(bytes(data))
    try:
        result = run(["--study", str(study_dir), "leakcheck"])
        assert result.exit_code == 1
        assert result.output == (
            "Error: identifiable/codebook.enc is damaged (it does not match its checksum);"
            " restore it from your backup (no backup is recorded in the audit log: use your own"
            " copy of codebook.enc)\n"
        )
        book.write_bytes(b"not a codebook")
        result = run(["--study", str(study_dir), "leakcheck"])
        assert result.output == (
            "Error: identifiable/codebook.enc is not an fgdprep codebook or is damaged;"
            " restore it from your backup (no backup is recorded in the audit log: use your own"
            " copy of codebook.enc)\n"
        )
    finally:
        shutil.copy2(saved, book)


def test_review_lists_pending_and_applies_decisions(study_dir: Path) -> None:
    from fgdprep.gates import decisions_applied

    listing = run(["--study", str(study_dir), "review", "DS-pre"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert lines[-1].endswith("pending; decide with --accept/--reject ID or --accept-all.")
    halima = next(line for line in lines if "«Halima»" in line)
    halima_id = int(halima.split()[0])
    district = next(line for line in lines if "«Hospitali ya Watoto»" in line)
    district_id = int(district.split()[0])

    result = run(
        [
            "--study",
            str(study_dir),
            "review",
            "DS-pre",
            "--accept",
            str(halima_id),
            "--reject",
            str(district_id),
            "--add",
            "Mbezi Beach",
            "--as",
            "LOCATION",
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("DS-pre: accepted 1, rejected 1, added 1 ([Place ")
    # the shareable copy is out of date until pseudonymise runs again; sessions says so
    assert not decisions_applied(Study.open(study_dir), "DS-pre")
    stale = run(["--study", str(study_dir), "sessions"]).output
    assert re.search(r"^DS-pre .* to review, decisions not yet applied$", stale, re.M)
    result = run(["--study", str(study_dir), "pseudonymise", "DS-pre", "-q"])
    assert result.exit_code == 0, result.output
    assert decisions_applied(Study.open(study_dir), "DS-pre")
    current = run(["--study", str(study_dir), "sessions"]).output
    assert re.search(r"^DS-pre .*pseudonymised, \d+ to review$", current, re.M)
    turns = shareable_turns(study_dir)
    # "Mbezi Beach" was found whole on the first run (the listed "Mbezi" inside it), so the
    # name added by hand is the same place
    assert turns[4] == "Dada yangu [Person 1] alinipeleka [Place 3] kwa mganga."
    assert turns[6] == "Jana tulikwenda Hospitali ya Watoto, ilikuwa imejaa."
    again = run(["--study", str(study_dir), "review", "DS-pre"])
    assert "«Hospitali ya Watoto»" not in again.output
    assert "«Halima»" not in again.output

    unknown = run(["--study", str(study_dir), "review", "DS-pre", "--accept", "999"])
    assert unknown.exit_code == 1
    assert unknown.output == "Error: no suggestion 999 in DS-pre; nothing was changed\n"


def test_accept_all_clears_the_blockers(study_dir: Path) -> None:
    from fgdprep.gates import review_blockers

    study = Study.open(study_dir)
    waiting = review_blockers(study, "DS-pre")
    assert waiting > 0
    result = run(["--study", str(study_dir), "review", "DS-pre", "--accept-all"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"DS-pre: accepted {waiting}, rejected 0; 0 pending.")
    assert review_blockers(study, "DS-pre") == 0
    listing = run(["--study", str(study_dir), "review", "DS-pre"])
    assert listing.output == "No pending suggestions for DS-pre.\n"
    before = shareable_turns(study_dir)
    assert run(["--study", str(study_dir), "pseudonymise", "DS-pre", "-q"]).exit_code == 0
    assert shareable_turns(study_dir) == before  # decisions change status, not the text


def test_accepted_names_propagate_to_other_sessions(study_dir: Path) -> None:
    audio = study_dir.parent / "ds_post.wav"
    roster = study_dir.parent / "roster.csv"
    result = run(
        [
            "--study",
            str(study_dir),
            "ingest",
            str(audio),
            "--session",
            "DS-post",
            "--site",
            "DS",
            "--wave",
            "post",
            "--date",
            "2020-06-10",
            "--roster",
            str(roster),
        ]
    )
    assert result.exit_code == 0, result.output
    study = Study.open(study_dir)
    transcript = Transcript(
        "DS-post",
        "sw",
        (Turn(0.0, 2.0, "Halima alikuja jana na Baraka.", "P03"),),
        Provenance(stage="transcribed", tool_version="test"),
    )
    with study.lock():
        study.save_transcript(transcript, "transcribed")
    result = run(["--study", str(study_dir), "pseudonymise", "DS-post", "-q"])
    assert result.exit_code == 0, result.output
    path = study_dir / "shareable" / "sessions" / "DS-post" / "deidentified.json"
    post = loads("transcript", Transcript, path.read_text(encoding="utf-8"))
    # Halima was accepted in DS-pre as [Person 1]; Baraka keeps his code P01 (DS/P01)
    assert post.turns[0].text == "[Person 1] alikuja jana na [P01]."


def test_deidentify_notes_and_translation_use_the_study_labels(
    study_dir: Path, tmp_path: Path
) -> None:
    notes = write_docx(
        tmp_path / "notes.docx",
        "Field notes, FGD DS pre.",
        "Baraka Mwakyusa arrived late; Mama Imani brought tea from Temeke.",
    )
    out = tmp_path / "notes.deid.docx"
    spans = tmp_path / "spans.json"
    result = run(
        [
            "--study",
            str(study_dir),
            "deidentify",
            str(notes),
            "--site",
            "DS",
            "--language",
            "en",
            "-o",
            str(out),
            "--spans",
            str(spans),
        ]
    )
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    assert paragraphs[1] == "[P01] arrived late; [P02] brought tea from [Place 2]."
    records = json.loads(spans.read_text(encoding="utf-8"))["spans"]
    joined = "\n".join(p.text for p in docx.Document(str(notes)).paragraphs)
    assert [joined[r["start"] : r["end"]] for r in records] == [r["text"] for r in records]
    assert {r["label"] for r in records} == {"[P01]", "[P02]", "[Place 2]"}

    translation = tmp_path / "translation.txt"
    translation.write_text("Thank you Rehema. I live in Kijitonyama.\n", encoding="utf-8")
    result = run(
        [
            "--study",
            str(study_dir),
            "deidentify",
            str(translation),
            "--site",
            "DS",
            "--language",
            "en",
        ]
    )
    assert result.exit_code == 0, result.output
    deid = tmp_path / "translation.deid.txt"
    assert deid.read_text(encoding="utf-8") == "Thank you [MOD]. I live in [Place 1].\n"


def test_deidentify_standalone_with_roster(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("code,name,aliases,role\nP07,Grace Nakato,Mama Grace,participant\n")
    memo = tmp_path / "memo.txt"
    memo.write_text("Mama Grace called from 0772 123456. By God's grace she is well.\n")
    result = CliRunner().invoke(
        cli, ["deidentify", str(memo), "--language", "en", "--roster", str(roster)]
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "memo.deid.txt").read_text(encoding="utf-8")
    assert text == "[P07] called from [phone number]. By God's grace she is well.\n"


def test_deidentify_needs_site_or_language(tmp_path: Path) -> None:
    memo = tmp_path / "memo.txt"
    memo.write_text("x\n")
    result = CliRunner().invoke(cli, ["deidentify", str(memo)])
    assert result.exit_code == 2
    assert "Error: give --site (with a study) or --language (without one)" in result.output


def test_leakcheck_word_that_is_a_name_can_be_dismissed(study_dir: Path, tmp_path: Path) -> None:
    # "Nina imani kwamba..." (I have faith that...): the word, not P02 Imani.
    result = run(["--study", str(study_dir), "leakcheck"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "shareable/sessions/DS-pre/deidentified.json paragraph 3: [P02] (exact) ["
    )
    hit = hit_of(lines[0])
    dismissed = run(["--study", str(study_dir), "review", "DS-pre", "--dismiss-leak", hit])
    assert dismissed.exit_code == 0, dismissed.output
    assert "dismissed 1 leak-check hit(s)" in dismissed.output
    key = tmp_path / "key.json"
    assert (
        run(["--study", str(study_dir), "codebook", "export", "-o", str(key), "--yes"]).exit_code
        == 0
    )
    record = json.loads(key.read_text(encoding="utf-8"))["dismissed"][hit]
    assert set(record) == {"by", "at", "session"}


def test_leakcheck_finds_a_planted_name_in_a_shareable_docx(study_dir: Path) -> None:
    clean = run(["--study", str(study_dir), "leakcheck"])
    assert clean.exit_code == 0, clean.output
    assert clean.output.startswith("No leaks: 2 shareable file(s) checked against ")
    planted = study_dir / "shareable" / "exports" / "DS-pre.docx"
    planted.parent.mkdir(parents=True)
    write_docx(planted, "[MOD]: Karibuni.", "[P01]: Asante. Niliongea na mwakyussa jana.")
    try:
        result = run(["--study", str(study_dir), "leakcheck"])
        assert result.exit_code == 1
        lines = result.output.splitlines()
        assert lines[0].startswith("shareable/exports/DS-pre.docx paragraph 2: [P01] (fuzzy) [")
        assert lines[-1] == (
            "Error: 1 possible leak(s) in 1 shareable file(s); fix the text, or dismiss a hit"
            " that is not a name with 'fgdprep review SESSION --dismiss-leak HIT'"
        )
        assert "wakyus" not in result.output.lower()
        hit = hit_of(lines[0])
        dismissed = run(["--study", str(study_dir), "review", "DS-pre", "--dismiss-leak", hit])
        assert dismissed.exit_code == 0, dismissed.output
        assert run(["--study", str(study_dir), "leakcheck"]).exit_code == 0
    finally:
        planted.unlink()


def test_codebook_rekey_and_export(study_dir: Path, tmp_path: Path) -> None:
    result = run(
        ["--study", str(study_dir), "codebook", "rekey"],
        env={"FGDPREP_NEW_PASSPHRASE": "new one, long enough"},
    )
    assert result.exit_code == 0, result.output
    assert run(["--study", str(study_dir), "leakcheck"]).exit_code == 1  # old passphrase fails
    into_shareable = study_dir / "shareable" / "key.json"
    refused = run(
        ["--study", str(study_dir), "codebook", "export", "-o", str(into_shareable)],
        env={"FGDPREP_PASSPHRASE": "new one, long enough"},
    )
    assert refused.exit_code == 1
    assert refused.output == (
        f"Error: {into_shareable}: the readable codebook may never go into the shareable area;"
        " nothing was changed\n"
    )
    key = tmp_path / "key.json"
    declined = run(
        ["--study", str(study_dir), "codebook", "export", "-o", str(key)],
        env={"FGDPREP_PASSPHRASE": "new one, long enough"},
        input="n\n",
    )
    assert declined.exit_code == 1 and not key.exists()
    result = run(
        ["--study", str(study_dir), "codebook", "export", "-o", str(key), "--yes"],
        env={"FGDPREP_PASSPHRASE": "new one, long enough"},
    )
    assert result.exit_code == 0, result.output
    entries = json.loads(key.read_text(encoding="utf-8"))["entries"]
    assert {"id": "DS/P01", "label": "[P01]", "value": "Baraka Mwakyusa"}.items() <= next(
        e for e in entries if e["id"] == "DS/P01"
    ).items()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    back = run(
        ["--study", str(study_dir), "codebook", "rekey"],
        env={"FGDPREP_PASSPHRASE": "new one, long enough", "FGDPREP_NEW_PASSPHRASE": PASS},
    )
    assert back.exit_code == 0, back.output


def test_codebook_in_a_configured_place_and_passphrase_prompt(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG + "  codebook: ../keys/codebook.enc\n", encoding="utf-8")
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("Tulikutana Temeke.\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["--study", str(root), "deidentify", str(notes), "--site", "DS"],
        input="s3cret-passphrase\ns3cret-passphrase\n",
        env={"FGDPREP_PASSPHRASE": None},
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert (tmp_path / "keys" / "codebook.enc").is_file()
    assert not (root / "identifiable" / "codebook.enc").exists()
    assert (tmp_path / "notes.deid.txt").read_text(encoding="utf-8") == "Tulikutana [Place 1].\n"


def test_codebook_may_not_live_in_the_shareable_area(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG + "  codebook: shareable/cb.enc\n", encoding="utf-8")
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(config)]).exit_code == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("Tulikutana Temeke.\n", encoding="utf-8")
    result = run(["--study", str(root), "deidentify", str(notes), "--site", "DS"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: pseudonymisation.codebook points into the shareable area; keep the key apart\n"
    )
    assert not (tmp_path / "notes.deid.txt").exists()


def test_session_language_without_an_engine_is_refused(study_dir: Path) -> None:
    audio = study_dir.parent / "fr.wav"
    subprocess.run(["espeak-ng", "-w", str(audio), "bonjour"], check=True)
    result = run(
        [
            "--study",
            str(study_dir),
            "ingest",
            str(audio),
            "--session",
            "DS-fr",
            "--site",
            "DS",
            "--wave",
            "pre",
            "--date",
            "2019-12-11",
            "--language",
            "fr",
        ]
    )
    assert result.exit_code == 0, result.output
    book = study_dir / "identifiable" / "codebook.enc"
    before = sha256_file(book)
    result = run(["--study", str(study_dir), "pseudonymise", "DS-fr"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: fgdprep.yaml: language 'fr' has no spaCy model (pseudonymisation.spacy_models)"
        " and is not in pseudonymisation.pattern_only_languages; add it to one of them\n"
    )
    assert sha256_file(book) == before
    assert not (study_dir / "shareable" / "sessions" / "DS-fr").exists()
