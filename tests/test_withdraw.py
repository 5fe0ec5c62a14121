"""``fgdprep withdraw``: a participant's words are nowhere in the study afterwards, their
paragraphs keep their numbers, and the study stays coherent (check, leak check, status,
export and cite)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
from click.testing import CliRunner, Result

from conftest import snapshot, write_docx
from fgdprep.cli import cli
from fgdprep.codebook import decrypt
from fgdprep.model import (
    WITHDRAWN,
    Provenance,
    Session,
    Stage,
    Transcript,
    Translation,
    TranslationRow,
    Turn,
    Word,
    source_sha256,
)
from fgdprep.store import Study

PASS = "withdraw-test-passphrase"
ENV = {"FGDPREP_PASSPHRASE": PASS}
ROSTER = (
    "code,name,aliases,role,gender\n"
    "MOD,Amina Hassan,,moderator,f\n"
    "P01,Halima Juma,,participant,f\n"
    "P02,Baraka Mwita,,participant,m\n"
    "P03,Neema Kweka,Mama Neema,participant,f\n"
)
#: Words only P03 ever says (source and English), and their names.
THEIRS = ("zambarau", "kipepeo", "butterfly", "purple", "chamomile", "Neema", "Kweka")

#: (speaker, text, English): P03 speaks twice, P01 names her.
TURNS = {
    "DS-pre": (
        ("MOD", "Karibuni nyote kwenye majadiliano.", "Welcome all to the discussion."),
        ("P03", "Napenda rangi zambarau na kipepeo.", "I like the colour purple and a butterfly."),
        ("P01", "Nakubaliana na Neema kuhusu dawa.", "I agree with [P03] about the medicine."),
        ("P02", "Ndiyo, hata mimi.", "Yes, me too."),
        ("P03", "Chai ya chamomile inasaidia.", "Chamomile tea helps."),
    ),
    "DS-post": (
        ("MOD", "Tuanze tena leo.", "Let us start again today."),
        ("P03", "Kipepeo wangu yuko nyumbani.", "My butterfly is at home."),
        ("P02", "Asante sana.", "Thank you very much."),
    ),
}


def invoke(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--study", str(root), *args], env=ENV, catch_exceptions=False)


def _turns(texts: tuple[tuple[str, str, str], ...]) -> tuple[Turn, ...]:
    out, t = [], 0.0
    for speaker, text, _en in texts:
        words = []
        for w in text.split():
            words.append(Word(round(t, 3), round(t + 0.4, 3), w, 0.9))
            t += 0.5
        out.append(Turn(words[0].start, words[-1].end, text, speaker, words=tuple(words)))
        t += 1.0
    return tuple(out)


def build(root: Path, tmp: Path) -> Study:
    """Two DS sessions P03 attended, saved through the store (transcribed without speakers,
    speaker turns, checked, a change log), then the real commands: pseudonymise, back-check
    worksheet, translation, finalise, export, a translator packet, archive."""
    study = Study.open(root)
    with study.lock():
        study.write_text(study.roster_path("DS"), ROSTER)
        for sid, texts in TURNS.items():
            session = Session(
                sid,
                "DS",
                sid.split("-")[1],
                "2019-12-10",
                "sw",
                attendance=("MOD", "P01", "P02", "P03"),
            )
            study.save_session(session)
            study.write_text(study.session_roster_path(sid), ROSTER)
            turns = _turns(texts)
            # the bare transcription: no speakers, one segment across P02 and P03
            words = [w for t in turns for w in t.words]
            half = len(words) // 2
            draft = tuple(
                Turn(ws[0].start, ws[-1].end, " ".join(w.text for w in ws), words=tuple(ws))
                for ws in (words[:half], words[half:])
            )
            prov = Provenance("transcribed", "test", "tiny")
            study.save_transcript(Transcript(sid, "sw", draft, prov), Stage.TRANSCRIBED)
            speakers = Transcript(sid, "sw", turns, Provenance("speakers", "test"))
            digest = study.save_transcript(speakers, Stage.SPEAKERS)
            # the back-check: P03's second turn edited (its words dropped), logged
            saved = study.load_transcript(sid, Stage.SPEAKERS)
            edited = [
                Turn(t.start, t.end, t.text + " kabisa", t.speaker, id=t.id)
                if t.speaker == "P03"
                else t
                for t in saved.turns
            ]
            checked = Transcript(
                sid,
                "sw",
                tuple(edited),
                Provenance("checked", "test", options={"by": "GA", "inputs": {"speakers": digest}}),
            )
            study.save_transcript(checked, Stage.CHECKED)
            log = "".join(
                json.dumps(
                    {
                        "session": sid,
                        "turn": t.id,
                        "change": "text",
                        "before": t.text,
                        "after": e.text,
                    }
                )
                + "\n"
                for t, e in zip(saved.turns, edited, strict=True)
                if t.text != e.text
            )
            study.write_text(study.change_log_path(sid), log)
    for sid in TURNS:
        assert invoke(root, "pseudonymise", sid).exit_code == 0
        result = invoke(root, "review", sid, "--accept-all")
        assert result.exit_code == 0, result.output
        assert invoke(root, "pseudonymise", sid).exit_code == 0
        assert invoke(root, "backcheck", sid, "--force").exit_code == 0
        shareable = study.load_shareable(sid)
        rows = tuple(
            TranslationRow(t.id, en, source_sha256(t.text), by="NM")
            for t, (_s, _x, en) in zip(shareable.turns, TURNS[sid], strict=True)
        )
        with study.lock():
            study.save_doc(
                study.translation_path(sid), "translation", Translation(sid, "en", "sw", rows)
            )
        for by in ("AC", "BD"):
            assert invoke(root, "translate", sid, "--approve", "--by", by).exit_code == 0
        result = invoke(root, "finalise", sid)
        assert result.exit_code == 0, result.output
    result = invoke(root, "translate", "DS-pre", "-o", str(tmp / "packet.xlf"), "--format", "xliff")
    assert result.exit_code == 0, result.output
    result = invoke(root, "export", "--all", "--format", "docx,txt,json", "-o", str(tmp / "before"))
    assert result.exit_code == 0, result.output
    notes = write_docx(
        tmp / "notes.docx", "Neema Kweka alikuja na dada yake Zawadi kwenye kliniki."
    )
    result = invoke(root, "deidentify", str(notes), "--site", "DS", "-o", str(tmp / "n.docx"))
    assert result.exit_code == 0, result.output
    result = invoke(root, "archive", "-o", str(tmp / "bag-before"))
    assert result.exit_code == 0, result.output
    return study


def texts_of(path: Path, root: Path) -> str:
    """A file's text as a person or a program would read it."""
    data = path.read_bytes()
    if path.suffix == ".enc":
        return decrypt(data, PASS, path.name).decode("utf-8")
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
        parts += [document.core_properties.title or "", document.core_properties.subject or ""]
        return "\n".join(parts) + data.decode("latin-1")
    if path.suffix == ".json":
        return json.dumps(json.loads(data), ensure_ascii=False)
    if path.suffix == ".jsonl":
        return "\n".join(
            json.dumps(json.loads(line), ensure_ascii=False) for line in data.splitlines() if line
        )
    return data.decode("utf-8", errors="replace")


def found(root: Path, words: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name == "lock" or "recordings" in path.parts:
            continue
        text = texts_of(path, root).casefold()
        hits = [w for w in words if w.casefold() in text]
        if hits:
            out[path.relative_to(root).as_posix()] = hits
    return out


def cite(root: Path, text: str) -> list[dict[str, Any]]:
    result = invoke(root, "cite", text, "--wave", "pre", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return data if isinstance(data, list) else [data]


def test_withdrawal_leaves_no_word_of_theirs_and_keeps_the_numbers(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    s = build(study, tmp_path)
    before = found(study, THEIRS)
    # their words are everywhere before: stage transcripts, translation, codebook, rosters
    assert {"identifiable/codebook.enc", "identifiable/rosters/DS.csv"} <= set(before)
    assert "shareable/sessions/DS-pre/finalised.json" in before
    assert "identifiable/sessions/DS-pre/transcribed.json" in before
    assert any(k.startswith("identifiable/documents/") for k in before)
    cited = cite(study, "DS 1-5")

    with unchanged(study):
        refused = invoke(study, "withdraw", "P03", "--site", "DS")
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: withdrawing DS/P03 replaces every turn")
    assert refused.output.strip().endswith("Add --yes to confirm; nothing was changed")
    assert len(refused.output.strip().splitlines()) == 1
    with unchanged(study):
        wrong = invoke(study, "withdraw", "P09", "--site", "DS", "--yes")
    assert wrong.exit_code == 1
    assert wrong.output == (
        "Error: DS has no P09 in its roster (codes: MOD, P01, P02, P03); nothing was changed\n"
    )
    with unchanged(study):
        wrong = invoke(study, "withdraw", "P03", "--site", "XX", "--yes")
    assert wrong.exit_code == 1
    assert wrong.output.startswith("Error: unknown site 'XX'; sites in fgdprep.yaml: ULM")

    done = invoke(study, "withdraw", "P03", "--site", "DS", "--yes")
    assert done.exit_code == 0, done.output
    assert "Withdrew DS/P03 ([P03]): 3 turn(s) in 2 session(s)" in done.output
    assert "export (DS-post, DS-pre)" in done.output or "export (DS-pre, DS-post)" in done.output
    assert f"translate (DS-pre) -> {tmp_path / 'packet.xlf'}" in done.output
    assert f"archive (DS-post, DS-pre) -> {tmp_path / 'bag-before'}" in done.output
    assert "  DS-pre: 2 turn(s), 1 mention(s) of their name labelled;" in done.output
    assert "Codebook entries erased: 1; documents changed: 1;" in done.output

    # nowhere in the study folder (the recordings aside: there are none in this study)
    assert found(study, THEIRS) == {}
    # the worksheet and checkpoints went; the audit log has counts, no text
    assert not s.backcheck_dir("DS-pre").exists()
    entries = s.audit_entries()
    last = entries[-1]
    assert last["command"] == "withdraw" and last["counts"]["turns"] == 3
    assert last["counts"]["sessions"] == 2 and last["counts"]["code"] == "P03"
    assert last["user"] and last["time"]
    assert not any(w.casefold() in json.dumps(entries).casefold() for w in THEIRS)

    # again: nothing more to do (the audit log records the attempt)
    before_again = {k: v for k, v in snapshot(study).items() if not k.startswith("logs")}
    assert invoke(study, "withdraw", "P03", "--site", "DS", "--yes").exit_code == 0
    assert {k: v for k, v in snapshot(study).items() if not k.startswith("logs")} == before_again

    # the same numbers, P03's paragraphs withdrawn, the others as they were
    after = cite(study, "DS 1-5")
    assert [(c["n"], c["speaker"]) for c in after] == [(c["n"], c["speaker"]) for c in cited]
    for old, new in zip(cited, after, strict=True):
        if old["speaker"] == "P03":
            assert new["original"] == WITHDRAWN and new["translation"] == WITHDRAWN
        else:
            assert new == old

    # coherent: nothing out of date but the archive made before (it holds the old text)
    sessions = invoke(study, "sessions")
    assert "out of date" not in sessions.output
    assert "archived (stale)" in sessions.output
    assert sessions.output.count("stale") == sessions.output.count("archived (stale)")
    for row in json.loads(invoke(study, "status", "--json").output):
        stale = [k for k, v in row["stages"].items() if v["done"] and not v["current"]]
        assert (stale, row["stale"], row["waiting"]) == (["archived"], None, []), row
        assert row["stages"]["approved"]["detail"] == "×2"
    checked = invoke(study, "check")
    assert checked.exit_code == 0, checked.output
    assert invoke(study, "leakcheck").exit_code == 0
    out = tmp_path / "after"
    result = invoke(study, "export", "DS-pre", "--format", "docx,txt", "-o", str(out))
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in docx.Document(str(out / "DS-pre_en.docx")).paragraphs]
    assert paragraphs[1] == f"P03: {WITHDRAWN}" and paragraphs[4] == f"P03: {WITHDRAWN}"
    assert paragraphs[2] == "P01: I agree with [P03] about the medicine."
    assert found(out, THEIRS) == {}
    bag = tmp_path / "bag-after"
    assert invoke(study, "archive", "-o", str(bag)).exit_code == 0
    assert invoke(study, "archive", "--verify", str(bag)).exit_code == 0
    assert found(bag, THEIRS) == {} and found(tmp_path / "bag-before", THEIRS) != {}
    # an old packet cannot bring their words back
    back = invoke(
        study, "translate", "DS-pre", "--import", str(tmp_path / "packet.xlf"), "--by", "NM"
    )
    assert back.exit_code == 0, back.output
    assert "Row(s) 2, 5: the turn is no longer in the transcript or was withdrawn" in back.output
    assert found(study, THEIRS) == {}


# -- the pure functions ---------------------------------------------------------------------


def test_labelling_a_name_moves_the_other_spans_with_it() -> None:
    from fgdprep.deid.withdrawal import label_mentions, name_finder
    from fgdprep.model import PiiSpan

    find = name_finder(["Neema Kweka", "Mama Neema"], 88)
    text = "Call 0712 345 678, said Mama Neema; Neema Kweka agreed with Halima."
    phone = PiiSpan(5, 17, "PHONE_NUMBER", "[phone number]", 0.9, "phone")
    halima = PiiSpan(60, 66, "ROSTER_PERSON", "[P01]", 0.95, "roster")
    assert text[halima.start : halima.end] == "Halima"
    turn = Turn(0.0, 5.0, text, "P01", pii=(phone, halima), id="t0")
    done = label_mentions(turn, find, "[P03]")
    new = done.turn
    assert new.text == "Call 0712 345 678, said [P03]; [P03] agreed with Halima."
    assert done.count == 2
    assert [new.text[p.start : p.end] for p in new.pii] == ["0712 345 678", "Halima"]


def test_a_name_that_is_a_word_counts_only_written_as_a_name() -> None:
    from fgdprep.deid.withdrawal import name_finder

    find = name_finder(["Hope Atim"], 88)
    assert find("I hope so.") == []
    assert find("I asked Hope, and Atim's sister.") == [(8, 12), (18, 22)]


def test_the_draft_loses_their_words_inside_a_segment() -> None:
    from fgdprep.deid.withdrawal import name_finder, voice_of, withdraw_draft

    ws = [
        Word(float(i), i + 0.5, w, 0.9)
        for i, w in enumerate(["Ndiyo", "hata", "mimi", "Napenda", "kipepeo"])
    ]
    speakers = Transcript(
        "S",
        "sw",
        (
            Turn(0.0, 2.5, "Ndiyo hata mimi", "P02", words=tuple(ws[:3]), id="t0"),
            Turn(3.0, 4.5, "Napenda kipepeo sana", "P03", id="t3000"),  # edited: no words
            Turn(6.0, 8.0, "Habari", "P03", id="t6000"),
        ),
        Provenance("checked", "test"),
    )
    draft = Transcript(
        "S",
        "sw",
        (
            Turn(0.0, 4.5, "Ndiyo hata mimi Napenda kipepeo", words=tuple(ws), id="t0"),
            Turn(6.0, 8.0, "Habari", id="t6000"),  # no words (typed): by its time
            Turn(9.0, 10.0, "Kwaheri", id="t9000"),
        ),
        Provenance("transcribed", "test"),
    )
    done = withdraw_draft(draft, voice_of([speakers], "P03"), name_finder([], None), "[P03]")
    got = done.transcript.turns
    assert [t.text for t in got] == [f"Ndiyo hata mimi {WITHDRAWN}", WITHDRAWN, "Kwaheri"]
    assert [w.text for w in got[0].words] == ["Ndiyo", "hata", "mimi"]
    assert done.turns == 2


def test_before_pseudonymisation_and_a_session_without_speakers(
    study: Path, tmp_path: Path, unchanged: Callable[[Path], Any]
) -> None:
    """No codebook yet (no passphrase asked); a session they attended whose transcript has
    no speakers yet is named, so the data manager comes back to it."""
    s = Study.open(study)
    with s.lock():
        s.write_text(s.roster_path("DS"), ROSTER)
        for sid, texts in TURNS.items():
            s.save_session(Session(sid, "DS", "pre", "2019-12-10", "sw", attendance=("P03",)))
            turns = _turns(texts)
            stage = Stage.SPEAKERS if sid == "DS-pre" else Stage.TRANSCRIBED
            if stage == Stage.TRANSCRIBED:
                turns = tuple(dataclasses.replace(t, speaker=None) for t in turns)
            s.save_transcript(Transcript(sid, "sw", turns, Provenance(stage, "t")), stage)
    result = CliRunner().invoke(
        cli, ["--study", str(study), "withdraw", "P03", "--site", "DS", "--yes"], env={}
    )
    assert result.exit_code == 0, result.output
    assert "Withdrew DS/P03 ([P03]): 2 turn(s) in 1 session(s)" in result.output
    assert (
        "Note: DS-post lists DS/P03 as attending but no turn has that speaker; if they spoke,"
        " assign their voice ('fgdprep speakers DS-post --show') and run this again."
        in result.output
    )
    assert found(study / "identifiable" / "sessions" / "DS-pre", THEIRS) == {}
    post = study / "identifiable/sessions/DS-post/transcribed.json"
    assert "kipepeo" in post.read_text().casefold()  # not attributed: left for later
    assert not s.codebook_path.exists()

    # a worksheet made afterwards cannot put words back into a withdrawn turn
    sheet = tmp_path / "ws.docx"
    assert invoke(study, "backcheck", "DS-pre", "--all", "-o", str(sheet)).exit_code == 0
    document = docx.Document(str(sheet))
    row = document.tables[0].rows[2]
    assert (row.cells[0].text, row.cells[3].text) == ("2", WITHDRAWN)
    row.cells[3].text = "Napenda rangi zambarau."
    document.save(str(sheet))
    with unchanged(study):
        result = invoke(study, "backcheck", "DS-pre", "--import", str(sheet), "--by", "GA")
    assert result.exit_code == 1
    assert result.output == (
        "Error: ws.docx: row(s) 2 are contributions withdrawn with consent ('fgdprep"
        " withdraw'); leave their text and speaker as they are\n"
    )


def test_the_back_check_decides_who_said_what() -> None:
    """The moderator corrected two speakers: the turn the diarizer gave P03 is P01's (kept
    everywhere), the one it gave P02 is P03's (withdrawn, and its words leave the speaker
    turns too)."""
    from fgdprep.deid.withdrawal import name_finder, plan_session

    def words(text: str, start: float) -> tuple[Word, ...]:
        return tuple(Word(start + i, start + i + 0.5, w, 0.9) for i, w in enumerate(text.split()))

    first, second = words("Dawa zinasaidia", 0.0), words("Napenda kipepeo", 5.0)
    speakers = Transcript(
        "S",
        "sw",
        (
            Turn(0.0, 1.5, "Dawa zinasaidia", "P03", words=first, id="t0"),
            Turn(5.0, 6.5, "Napenda kipepeo", "P02", words=second, id="t5000"),
        ),
        Provenance("speakers", "test"),
    )
    checked = dataclasses.replace(
        speakers,
        turns=(
            dataclasses.replace(speakers.turns[0], speaker="P01"),
            dataclasses.replace(speakers.turns[1], speaker="P03"),
        ),
    )
    plan = plan_session(
        {Stage.SPEAKERS: speakers, Stage.CHECKED: checked}, "P03", name_finder([], None), "[P03]"
    )
    assert (plan.ids, plan.turns, plan.ever) == ({"t5000"}, 1, {"t0", "t5000"})
    for stage in (Stage.SPEAKERS, Stage.CHECKED):
        got = plan.stages[stage].transcript.turns
        assert [t.text for t in got] == ["Dawa zinasaidia", WITHDRAWN], stage
        assert got[1].words == ()


def test_clips_of_their_voice_go_and_the_recording_is_named(
    study: Path, tmp_path: Path, short_speech: Path
) -> None:
    """A recorded session: the back-check clips (their voice) are deleted with the worksheet;
    the recording stays and the command names it for the data manager."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    args = ["--site", "DS", "--wave", "pre", "--date", "2019-12-10", "--roster", str(roster)]
    result = invoke(study, "ingest", str(short_speech), "--session", "DS-pre", *args)
    assert result.exit_code == 0, result.output
    s = Study.open(study)
    turns = tuple(  # words Whisper was unsure of: every turn is flagged, each gets a clip
        dataclasses.replace(
            t, words=tuple(dataclasses.replace(w, probability=0.1) for w in t.words)
        )
        for t in _turns(TURNS["DS-post"])
    )
    with s.lock():
        s.save_transcript(
            Transcript("DS-pre", "sw", turns, Provenance("speakers", "t")), Stage.SPEAKERS
        )
    result = invoke(study, "backcheck", "DS-pre")
    assert result.exit_code == 0, result.output
    clips = sorted(s.backcheck_dir("DS-pre").rglob("*.wav"))
    assert len(clips) == 3
    result = invoke(study, "withdraw", "P03", "--site", "DS", "--yes")
    assert result.exit_code == 0, result.output
    recording = s.recording_path(s.load_session("DS-pre")).relative_to(study).as_posix()
    assert (
        "The original recordings still hold their voice; delete them by hand:\n"
        f"  {recording}\n" in result.output
    )
    audio = [p for p in study.rglob("*") if p.is_file() and p.suffix in (".wav", ".flac")]
    assert [p.relative_to(study).as_posix() for p in audio] == [recording]
    assert found(study, THEIRS) == {}
    assert invoke(study, "check").exit_code == 0
