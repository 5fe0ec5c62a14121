"""The synthetic sample FGD through the real pipeline: scripted words at scripted times."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import SAMPLE, run, sample_study, script
from fgdprep.model import Transcript
from fgdprep.store import Study


def norm(word: str) -> str:
    return re.sub(r"[^\w'-]", "", word.lower())


@pytest.fixture(scope="module")
def sample_transcript(tmp_path_factory: pytest.TempPathFactory) -> Transcript:
    root = sample_study(tmp_path_factory.mktemp("sample") / "study")
    result = run(["transcribe", "BU-pre", "-q"], root)
    assert result.exit_code == 0, result.output
    return Study.open(root).load_transcript("BU-pre", "transcribed")


def utterance_of(t: float, utterances: list[dict[str, Any]]) -> dict[str, Any]:
    return min(
        utterances,
        key=lambda u: (
            0 if u["start"] <= t <= u["end"] else min(abs(t - u["start"]), abs(t - u["end"]))
        ),
    )


def test_key_words_in_their_utterances(sample_transcript: Transcript) -> None:
    utterances = script()["utterances"]
    words = [w for turn in sample_transcript.turns for w in turn.words]
    for u in utterances:
        said = {norm(w.text) for w in words if u["start"] - 0.5 <= w.start <= u["end"] + 0.5}
        missing = [k for k in u["key_words"] if k not in said]
        assert not missing, f"utterance at {u['start']} s lacks {missing}"


def test_word_times_within_half_a_second_of_the_script(sample_transcript: Transcript) -> None:
    utterances = script()["utterances"]
    for turn in sample_transcript.turns:
        for w in turn.words:
            u = utterance_of((w.start + w.end) / 2, utterances)
            assert u["start"] - 0.5 <= w.start and w.end <= u["end"] + 0.5, (w, u["start"])


def test_roster_names_spelt_as_the_roster(sample_transcript: Transcript) -> None:
    """Hotwords from the roster: the names come out spelt as the roster spells them."""
    text = " ".join(t.text for t in sample_transcript.turns)
    roster = (SAMPLE / "roster.csv").read_text()
    firsts = {line.split(",")[1].split()[0] for line in roster.splitlines()[1:]}
    found = {name for name in firsts if re.search(rf"\b{name}\b", text)}
    assert len(found) >= 3, found


def test_sentence_level_segments(sample_transcript: Transcript) -> None:
    """Names come from the roster after decoding, not from a prompt: Whisper keeps its
    sentence-level segments (with hotwords in the prompt it gave four 30-second ones)."""
    turns = sample_transcript.turns
    assert len(turns) >= 14, len(turns)
    assert max(t.end - t.start for t in turns) <= 12.0
    assert "Hospital" not in " ".join(t.text for t in turns[1:])  # not a name: not rewritten
