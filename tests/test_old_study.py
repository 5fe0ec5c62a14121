"""A study folder made by an earlier release opens, lists, shows and pseudonymises.

``tests/data/old_study_v1`` was made with fgdprep 0.1.0 (schema version 1, commit c9be98b):
``init`` with sample_audio/demo.yaml, ``ingest`` of the sample FGD with its roster as BU-pre,
``transcribe``, ``speakers``, ``speakers --assign SPEAKER_00=MOD``, ``pseudonymise``,
``review --accept 1 --reject 2`` ("Dita", a name Whisper misheard, accepted; "Kenya"
rejected), ``pseudonymise`` again; codebook passphrase ``old-study-test``. The recording was
left out to keep the fixture small (nothing here needs the audio).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fgdprep.cli import cli
from fgdprep.model import SCHEMA_VERSION
from fgdprep.store import verify_audit_chain

FIXTURE = Path(__file__).parent / "data" / "old_study_v1"
PASSPHRASE = "old-study-test"


@pytest.fixture
def old_study(tmp_path: Path) -> Path:
    root = tmp_path / "old"
    shutil.copytree(FIXTURE, root)
    return root


def run(args: list[str], root: Path) -> Result:
    env = {"FGDPREP_STUDY": str(root), "FGDPREP_PASSPHRASE": PASSPHRASE}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def _shared_texts(root: Path) -> list[str]:
    path = root / "shareable" / "sessions" / "BU-pre" / "deidentified.json"
    return [t["text"] for t in json.loads(path.read_text())["transcript"]["turns"]]


def test_an_old_study_lists_and_shows(old_study: Path) -> None:
    listed = run(["sessions"], old_study)
    assert listed.exit_code == 0, listed.output
    assert "BU-pre" in listed.output and "pseudonymised, 0 to review" in listed.output
    assert "decisions not yet applied" not in listed.output
    shown = run(["show", "BU-pre"], old_study)
    assert shown.exit_code == 0, shown.output
    assert "MOD: Welcome, everyone" in shown.output
    assert "My name is [Person 1], but everyone calls me [P03]." in shown.output
    raw = run(["show", "BU-pre", "--stage", "speakers"], old_study)
    assert raw.exit_code == 0 and "My name is Dita" in raw.output
    review = run(["review", "BU-pre"], old_study)
    assert review.output == "No pending suggestions for BU-pre.\n"


def test_an_old_study_pseudonymises_with_its_decisions(old_study: Path) -> None:
    before = _shared_texts(old_study)
    result = run(["pseudonymise", "BU-pre", "-q"], old_study)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Pseudonymised BU-pre (speakers): ")
    after = _shared_texts(old_study)
    assert len(after) == len(before)
    # the accepted name stays replaced, the rejected place stays (today's recognizers may
    # find more: they are new suggestions, the old decisions are not asked again)
    assert any("[Person 1]" in t for t in after) and any("Kenya" in t for t in after)
    # written again in today's schema: turns with ids, decisions pointing at them
    queue = json.loads((old_study / "identifiable/sessions/BU-pre/review.json").read_text())
    assert queue["schema_version"] == SCHEMA_VERSION
    turns = json.loads((old_study / "identifiable/sessions/BU-pre/pseudonymised.json").read_text())[
        "transcript"
    ]["turns"]
    by_id = {t["id"]: t["text"] for t in turns}
    assert len(by_id) == len(turns)
    decided = {s["text"]: s for s in queue["review"]["suggestions"]}
    assert decided["Dita"]["status"] == "accepted" and decided["Kenya"]["status"] == "rejected"
    for text, s in decided.items():
        assert by_id[s["turn"]][s["start"] : s["end"]] == text
    check = run(["leakcheck"], old_study)
    assert check.exit_code == 0, check.output
    # the audit log: 0.1.0's unchained lines, then the chain from the first line after them
    log = old_study / "logs" / "audit.jsonl"
    assert verify_audit_chain(log) == 1 and verify_audit_chain(log, legacy=True) is None
    lines = log.read_bytes().splitlines(keepends=True)
    first = next(n for n, line in enumerate(lines) if b'"prev"' in line)
    log.write_bytes(b"".join(lines[: first - 1] + lines[first:]))  # the last old line removed
    assert verify_audit_chain(log, legacy=True) == first
