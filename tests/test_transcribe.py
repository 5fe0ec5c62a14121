"""Transcription with the real faster-whisper models on real (synthetic) speech."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import run, speak
from fgdprep.model import SCHEMA_VERSION, FlagCode, Transcript, loads
from fgdprep.store import Study

ARGS = ["--site", "BU", "--wave", "pre", "--date", "2024-01-02"]


def words_of(t: Transcript) -> list[str]:
    return [re.sub(r"[^\w'-]", "", w.text.lower()) for turn in t.turns for w in turn.words]


def load(study: Path, session: str = "BU-pre") -> Transcript:
    return Study.open(study).load_transcript(session, "transcribed")


@pytest.fixture
def english(study: Path, short_speech: Path) -> Path:
    result = run(
        ["ingest", str(short_speech), "--session", "BU-pre", *ARGS, "--language", "en"], study
    )
    assert result.exit_code == 0, result.output
    return study


def test_transcribe_short_english(english: Path) -> None:
    result = run(["transcribe", "BU-pre", "--quiet"], english)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"Transcribed BU-pre: \d+ turns \(\d+ flagged\) in \d+ s \(\d+\.\d\dx real time\)\.\n"
        r"Speech check: \d+ s of speech heard; 0\.0 s with no words re-decoded and recovered;"
        r" 0\.0 s left untranscribed in 0 turn\(s\) flagged untranscribed_speech"
        r" \(listen to them\)\.\n",
        result.output,
    )
    t = load(english)
    words = words_of(t)
    for key in ("welcome", "group", "discussion", "family", "medicine", "every", "day"):
        assert key in words, " ".join(words)
    starts = [w.start for turn in t.turns for w in turn.words]
    assert starts == sorted(starts) and 0 <= starts[0] < 1.5
    assert all(w.start <= w.end and 0 <= w.probability <= 1 for u in t.turns for w in u.words)
    assert all(u.speaker is None and u.asr is not None for u in t.turns)
    assert t.provenance.model == "tiny.en"
    assert t.provenance.options["condition_on_previous_text"] is False
    assert t.provenance.options["word_timestamps"] is True
    # Show: one numbered turn per line with times.
    shown = run(["show", "BU-pre"], english)
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert len(lines) == len(t.turns)
    assert re.match(r"1  0:00:0\d\.\d-0:00:\d\d\.\d  \?: Welcome", lines[0])
    # Nothing but counts and checksums in the audit log (and show's read of the text logged).
    *_, entry, read = Study.open(english).audit_entries()
    assert read["command"] == "show" and read["counts"]["turns"] == len(t.turns)
    assert entry["command"] == "transcribe" and entry["counts"]["turns"] == len(t.turns)
    assert "medicine" not in json.dumps(entry).lower()
    # The work folder of checkpoints is gone once the transcript is written.
    assert not (english / "identifiable/sessions/BU-pre/work/transcribed").exists()


def test_second_run_keeps_transcript_unless_forced(english: Path, unchanged: Any) -> None:
    assert run(["transcribe", "BU-pre", "-q"], english).exit_code == 0
    with unchanged(english):
        again = run(["transcribe", "BU-pre"], english)
    assert again.exit_code == 0
    assert again.output.startswith("BU-pre is already transcribed (")
    assert again.output.endswith(" turns); --force transcribes it again.\n")
    forced = run(["transcribe", "BU-pre", "-q", "--force", "--beam-size", "1"], english)
    assert forced.exit_code == 0
    assert load(english).provenance.options["beam_size"] == 1


def test_multilingual_base_german(study: Path, tmp_path: Path) -> None:
    audio = speak(
        tmp_path / "de.flac",
        [
            ("de", "Guten Tag und herzlich willkommen zu unserer Gesprächsrunde."),
            ("de+f3", "Heute sprechen wir über die Unterstützung im Krankenhaus."),
        ],
    )
    args = [
        "ingest",
        str(audio),
        "--session",
        "ULM-pre",
        "--site",
        "ULM",
        "--wave",
        "pre",
        "--date",
        "2019-12-10",
    ]
    assert run(args, study).exit_code == 0
    refused = run(["transcribe", "ULM-pre", "--model", "tiny.en"], study)
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: model tiny.en is English-only but session ULM-pre is in 'de';"
        " use --model base (pip install 'fgdprep[multilingual]') or another multilingual model\n"
    )
    # the site's own model (sites.ULM.transcription.model: base in upsides.yaml)
    result = run(["transcribe", "ULM-pre", "-q"], study)
    assert result.exit_code == 0, result.output
    t = load(study, "ULM-pre")
    assert t.language == "de" and t.provenance.model == "base"
    words = words_of(t)
    for key in ("willkommen", "heute", "sprechen", "unterstützung", "krankenhaus"):
        assert key in words, " ".join(words)


def test_language_whisper_does_not_know(study: Path, short_speech: Path, unchanged: Any) -> None:
    assert run(["ingest", str(short_speech), "--session", "BU-pre", *ARGS], study).exit_code == 0
    with unchanged(study):
        result = run(["transcribe", "BU-pre"], study)
        named = run(["transcribe", "BU-pre", "--model", "base"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: site BU types its transcripts in 'lg' by hand (its transcription.model is none"
        " in fgdprep.yaml); bring the transcript in with 'fgdprep import BU-pre FILE', or"
        " transcribe with --model\n"
    )
    assert named.exit_code == 1
    assert named.output == (
        "Error: Whisper does not know the language 'lg' of session BU-pre; type the transcript"
        " by hand, or re-ingest with --language if the FGD was held in another language\n"
    )


def test_model_folder_that_is_not_a_model(english: Path, tmp_path: Path, unchanged: Any) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with unchanged(english):
        result = run(["transcribe", "BU-pre", "--model", str(folder)], english)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {folder} is not a CTranslate2 Whisper model folder (missing model.bin,"
        " tokenizer.json or vocabulary.*); convert the model with ct2-transformers-converter"
        " or name one such as tiny.en\n"
    )
    for name in ("model.bin", "vocabulary.txt"):
        (folder / name).write_bytes(b"\0" * 64)
    result = run(["transcribe", "BU-pre", "--model", str(folder)], english)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {folder}/config.json is not a CTranslate2 Whisper config;"
        " convert the model with ct2-transformers-converter\n"
    )


def test_unknown_model_name(english: Path, unchanged: Any) -> None:
    with unchanged(english):
        result = run(["transcribe", "BU-pre", "--model", "huge-v9"], english)
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown model 'huge-v9'; name one of tiny.en, tiny,")


def test_named_model_not_here_fails_fast_offline(english: Path, unchanged: Any) -> None:
    """A model that needs a download gives a clear error offline (sockets are disabled)."""
    with unchanged(english):
        result = run(["transcribe", "BU-pre", "--model", "medium.en"], english)
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: model 'medium.en' is not on this machine and could not be downloaded ("
    )
    assert result.output.endswith(
        "; copy a CTranslate2 model folder here and pass it with --model DIR\n"
    )


def test_flags_use_codes_not_text(english: Path) -> None:
    assert run(["transcribe", "BU-pre", "-q"], english).exit_code == 0
    data = json.loads((english / "identifiable/sessions/BU-pre/transcribed.json").read_text())
    assert data["schema_version"] == SCHEMA_VERSION and data["kind"] == "transcript"
    t = loads("transcript", Transcript, json.dumps(data))
    for turn in t.turns:
        for flag in turn.flags:
            assert flag.code in set(FlagCode)
            assert not set(flag.detail.split()) & set(turn.text.split())


def test_checkpoints_of_other_transcription_code_are_not_reused(tmp_path: Path) -> None:
    """A run interrupted under one fgdprep and resumed after an update must not join windows
    decoded by different code: the checkpoints' fingerprint holds a digest of the transcription
    code (and of faster-whisper's and CTranslate2's versions), which changes with any of it
    and with nothing else."""
    import shutil

    from fgdprep.transcription import windows

    def copy(name: str) -> Path:
        out = tmp_path / name
        shutil.copytree(windows.PACKAGE, out, ignore=shutil.ignore_patterns("__pycache__"))
        return out

    assert windows.code_digest(copy("same")) == windows.code_digest()
    tuned = copy("tuned")
    guard = tuned / "transcription" / "guard.py"
    text = guard.read_text(encoding="utf-8")
    assert "MIN_GAP_SECONDS = 1.0" in text
    guard.write_text(text.replace("MIN_GAP_SECONDS = 1.0", "MIN_GAP_SECONDS = 2.0"), "utf-8")
    assert windows.code_digest(tuned) != windows.code_digest()
    other = copy("other")
    (other / "cli" / "__init__.py").write_text("# another command's code", encoding="utf-8")
    assert windows.code_digest(other) == windows.code_digest()
