"""``fgdprep finalise`` / ``reopen``: numbers frozen, refusals naming what is pending."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import run
from exportdata import make_session
from fgdprep.config import ConventionsConfig, NumberingConfig
from fgdprep.model import Provenance, ReviewQueue, Suggestion, Transcript, Turn
from fgdprep.stages.finalise import clean, number, sentences, split_like, split_long


def _units(root: Path) -> list[dict[str, Any]]:
    path = root / "shareable" / "sessions" / "DS-pre" / "finalised.json"
    units: list[dict[str, Any]] = json.loads(path.read_text())["finalised"]["units"]
    return units


def test_finalise_numbers_turns_with_the_conventions(study: Path) -> None:
    make_session(study)
    result = run(["finalise", "DS-pre"], study)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Finalised DS-pre: 5 numbered paragraph(s) (DS 1–5), turn numbering;"
        " shareable/sessions/DS-pre/finalised.json\n"
    )
    units = _units(study)
    assert [(u["n"], u["speaker"], u["before"], u["after"]) for u in units] == [
        (1, "MOD", "", ""),
        (2, "P01", "", ""),
        (3, "P02", "[crosstalk]", ""),  # starts at 12.0, P01 ends at 12.5
        (4, "MOD", "(4 s)", "[inaudible 00:00:19]"),  # 4.5 s silence; speech, no words
        (5, "P03", "", ""),
    ]
    assert units[1]["text"] == "Jina langu ni [P01]. Nilianza kliniki mwaka jana."
    path = study / "shareable" / "sessions" / "DS-pre" / "finalised.json"
    turns = json.loads(path.read_text())["finalised"]["turns"]
    assert len(turns) == 5 and all(t["words"] == [] for t in turns)  # turn times, no words
    assert [(t["start"], t["end"]) for t in turns][:2] == [(0.0, 4.2), (5.0, 12.5)]
    entry = [
        e
        for e in json.loads(
            "[" + ",".join((study / "logs" / "audit.jsonl").read_text().splitlines()) + "]"
        )
        if e["command"] == "finalise"
    ]
    assert entry[0]["counts"] == {"turns": 5, "units": 5}


def test_finalise_refuses_naming_what_is_pending(
    study: Path, unchanged: Callable[..., Any]
) -> None:
    s = make_session(study, checked=False)
    queue = ReviewQueue(
        "DS-pre", (Suggestion(1, "t1001", 0, 4, "Jina", "PERSON", "[Person 1]", 0.5, "ner"),)
    )
    with s.lock():
        s.save_doc(s.review_path("DS-pre"), "review", queue)
    with unchanged(study):
        result = run(["finalise", "DS-pre"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: DS-pre cannot be finalised yet: 1 suggestion(s) to review (fgdprep review"
        " DS-pre); not back-checked (fgdprep backcheck DS-pre); or finalise anyway with"
        " --force (recorded in the audit log)\n"
    )
    forced = run(["finalise", "DS-pre", "--force"], study)
    assert forced.exit_code == 0, forced.output
    assert "Warning: finalised with --force while pending: 1 suggestion(s) to review" in (
        forced.output
    )
    entry = s.audit_entries()[-1]
    assert entry["command"] == "finalise"
    assert entry["counts"]["forced"] is True
    assert entry["counts"]["pending"] == ["review_pending", "not_backchecked"]
    path = study / "shareable" / "sessions" / "DS-pre" / "finalised.json"
    assert json.loads(path.read_text())["finalised"]["forced"] == [
        "review_pending",
        "not_backchecked",
    ]


def test_finalised_is_frozen_until_reopened(study: Path, unchanged: Callable[..., Any]) -> None:
    make_session(study)
    assert run(["finalise", "DS-pre"], study).exit_code == 0
    with unchanged(study):
        again = run(["finalise", "DS-pre"], study)
    assert again.exit_code == 1
    assert again.output.startswith("Error: DS-pre is already finalised (")
    assert again.output.endswith(
        "); its numbers are frozen. To change it, reopen it first: fgdprep reopen DS-pre"
        " (citations may break)\n"
    )
    reopened = run(["reopen", "DS-pre"], study)
    assert reopened.exit_code == 0
    assert reopened.output == (
        "Warning: DS-pre is reopened; citations of its 5 numbered paragraph(s) (DS …) may"
        " break when it is finalised again.\n"
        "Reopened DS-pre; finalise it again with: fgdprep finalise DS-pre\n"
    )
    assert not (study / "shareable" / "sessions" / "DS-pre" / "finalised.json").exists()
    with unchanged(study):
        nothing = run(["reopen", "DS-pre"], study)
    assert nothing.exit_code == 1
    assert nothing.output == "Error: DS-pre is not finalised; there is nothing to reopen\n"
    assert run(["finalise", "DS-pre"], study).exit_code == 0


def test_finalise_without_a_deidentified_copy(study: Path, unchanged: Callable[..., Any]) -> None:
    make_session(study)
    (study / "shareable" / "sessions" / "DS-pre" / "deidentified.json").unlink()
    with unchanged(study):
        result = run(["finalise", "DS-pre"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: DS-pre has no de-identified transcript yet; run 'fgdprep pseudonymise"
        " DS-pre' first\n"
    )


def _transcript(*texts: str) -> Transcript:
    turns = tuple(
        Turn(float(i * 10), float(i * 10 + 9), t, "P01", id=f"t{i}") for i, t in enumerate(texts)
    )
    return Transcript("X", "en", turns, Provenance("deidentified", "test"))


def test_long_turns_split_at_sentence_ends() -> None:
    sentence = "This sentence is about forty characters. "
    text = sentence * 60  # 2,460 characters
    units = number(_transcript(text), NumberingConfig(), ConventionsConfig())
    assert [u.n for u in units] == [1, 2, 3]
    assert all(len(u.text) <= 1000 and u.text.endswith(".") for u in units)
    assert " ".join(u.text for u in units) == text.strip()
    assert [u.part for u in units] == [1, 2, 3] and {u.turn for u in units} == {"t0"}
    assert units[0].start == 0.0 and units[-1].end == 9.0
    assert units[0].end == units[1].start
    # Devanagari danda and Hebrew full stops are sentence ends too
    assert sentences("मी आलो। तो गेला। ") == ["मी आलो।", "तो गेला।"]
    assert sentences("שלום. מה שלומך?") == ["שלום.", "מה שלומך?"]
    # a sentence longer than the limit is cut at a space; a word longer, at the limit
    assert split_long("a" * 120, 50) == ["a" * 50, "a" * 50, "a" * 20]
    assert [len(p) for p in split_long("word " * 30, 50)] == [49, 49, 49]


def test_line_numbering_and_translation_parts() -> None:
    numbering = NumberingConfig(mode="line", line_width=20)
    units = number(
        _transcript("one two three four five six seven", "eight"), numbering, ConventionsConfig()
    )
    assert [(u.n, u.turn, u.text) for u in units] == [
        (1, "t0", "one two three four"),
        (2, "t0", "five six seven"),
        (3, "t1", "eight"),
    ]
    assert split_like("A b. C d. E f.", [10, 10, 10]) == ["A b.", "C d.", "E f."]
    assert split_like("A b.", [10, 10]) == ["A b.", ""]
    assert clean("a\u2028b\tc\x00d\r\ne\ufffe") == "a b c d e"


def test_a_finalised_session_is_not_pseudonymised_again(
    study: Path, unchanged: Callable[..., Any]
) -> None:
    make_session(study)
    assert run(["finalise", "DS-pre"], study).exit_code == 0
    with unchanged(study):
        result = run(["pseudonymise", "DS-pre"], study)
        every = run(["pseudonymise", "--all"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: DS-pre is finalised: its numbers and text are frozen, so 'pseudonymise' would"
        " change a cited transcript. Reopen it first: fgdprep reopen DS-pre (citations may"
        " break)\n"
    )
    assert every.exit_code == 1
    assert every.output == "Error: every pseudonymised session is finalised; nothing may change\n"


def test_numbering_and_conventions_config() -> None:
    from conftest import UPSIDES
    from fgdprep.config import parse_config
    from fgdprep.errors import ConfigError

    text = UPSIDES.read_text(encoding="utf-8")
    assert parse_config(text + "numbering: line\n", "x").numbering.mode == "line"
    bad = text + 'numbering: lines\nconventions:\n  pause: "{minutes} min"\n'
    try:
        parse_config(bad, "fgdprep.yaml")
    except ConfigError as exc:
        assert exc.problems == [
            "numbering.mode: Input should be 'turn' or 'line'",
            "conventions.pause: Value error, may only use {seconds}",
        ]
    else:
        raise AssertionError("a bad numbering mode and pause template were accepted")
