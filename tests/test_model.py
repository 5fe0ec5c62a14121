"""The transcript model's JSON, rosters and window cutting: round trips and properties."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fgdprep.audio import quietest_point, windows
from fgdprep.model import (
    SCHEMA_VERSION,
    AsrStats,
    Flag,
    FlagCode,
    Person,
    PiiSpan,
    Provenance,
    ReviewQueue,
    Role,
    Transcript,
    Turn,
    Word,
    dumps,
    loads,
    with_turn_ids,
)
from fgdprep.roster import format_roster, merge_rosters, parse_roster

finite = st.floats(min_value=0, max_value=1e5, allow_nan=False)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
words = st.builds(Word, finite, finite, text, st.floats(0, 1))
spans = st.lists(
    st.builds(PiiSpan, st.integers(0, 99), st.integers(0, 99), text, text, st.floats(0, 1), text),
    max_size=2,
).map(tuple)
turns = st.builds(
    Turn,
    start=finite,
    end=finite,
    text=text,
    speaker=st.none() | st.sampled_from(["MOD", "P01", "SPEAKER_00"]),
    words=st.tuples(words, words) | st.just(()),
    flags=st.lists(st.builds(Flag, st.sampled_from(list(FlagCode)), text), max_size=2).map(tuple),
    pii=spans,
    translation=st.none() | text,
    translation_pii=spans,
    asr=st.none()
    | st.builds(AsrStats, st.floats(-5, 0), st.floats(0, 1), st.floats(0, 5), st.floats(0, 1)),
)
transcripts = st.builds(
    Transcript,
    session_id=st.sampled_from(["DS-pre", "BU-post"]),
    language=st.sampled_from(["sw", "en", "de"]),
    turns=st.lists(turns, max_size=4).map(tuple),
    provenance=st.builds(
        Provenance,
        stage=st.just("transcribed"),
        tool_version=st.just("0.1.0"),
        model=st.none() | st.just("tiny.en"),
        options=st.dictionaries(st.sampled_from(["beam_size", "vad"]), st.integers(0, 9)),
    ),
)


@given(transcripts)
def test_transcript_json_round_trip(t: Transcript) -> None:
    assert loads("transcript", Transcript, dumps("transcript", t)) == t


def test_shareable_form_has_no_word_text() -> None:
    t = Transcript(
        "S",
        "en",
        (Turn(0, 1, "hi Ann", "P01", (Word(0, 1, "Ann", 0.9),)),),
        Provenance("transcribed", "0.1.0"),
    )
    share = t.shareable()
    assert share.turns[0].words == () and share.turns[0].start == 0 and t.turns[0].words


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{", "not valid JSON (line 1)"),
        ('{"kind": "session"}', "not an fgdprep transcript file"),
        (
            json.dumps({"kind": "transcript", "schema_version": SCHEMA_VERSION + 1}),
            f"schema version {SCHEMA_VERSION + 1} is newer than this fgdprep reads",
        ),
        (
            json.dumps(
                {
                    "kind": "transcript",
                    "schema_version": 1,
                    "transcript": {
                        "session_id": "S",
                        "language": "en",
                        "turns": [{"start": "x"}],
                        "provenance": {"stage": "t", "tool_version": "0"},
                    },
                }
            ),
            "Transcript.turns[0].start: expected a number",
        ),
    ],
)
def test_bad_documents(doc: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        loads("transcript", Transcript, doc)


def test_turn_ids_come_from_the_first_word_and_are_unique() -> None:
    w = Word(12.34, 12.5, " Hello", 0.9)
    turns = (
        Turn(12.0, 13.0, "Hello", words=(w,)),
        Turn(12.0, 13.0, "Hello"),
        Turn(12.0, 13.0, "again", id="t12000"),
        Turn(14.0, 15.0, "kept", id="mine"),
    )
    t = with_turn_ids(Transcript("S", "en", turns, Provenance("speakers", "0")))
    assert [u.id for u in t.turns] == ["t12340", "t12000.2", "t12000", "mine"]
    assert with_turn_ids(t) is t


def test_version_1_documents_are_read() -> None:
    """Schema 1 had no turn ids, and review suggestions named a turn by its position."""
    turn = {"start": 1.5, "end": 2.0, "text": "Hi"}
    doc = {
        "schema_version": 1,
        "kind": "transcript",
        "transcript": {
            "session_id": "S",
            "language": "en",
            "turns": [turn, {**turn, "start": 3.0}],
            "provenance": {"stage": "speakers", "tool_version": "0.1.0"},
        },
    }
    t = loads("transcript", Transcript, json.dumps(doc))
    assert [u.id for u in t.turns] == ["t1500", "t3000"]
    suggestion = {
        "id": 1,
        "paragraph": 1,
        "start": 0,
        "end": 2,
        "text": "Hi",
        "entity_type": "PERSON",
        "label": "[Person 1]",
        "score": 0.9,
        "recognizer": "ner",
    }
    review = {
        "schema_version": 1,
        "kind": "review",
        "review": {"session_id": "S", "suggestions": [suggestion]},
    }
    queue = loads("review", ReviewQueue, json.dumps(review))
    assert queue.suggestions[0].turn == "#2"  # resolved against the transcript on loading
    # today's documents with ids keep them as they are
    assert loads("transcript", Transcript, dumps("transcript", t)) == t


names = st.text(st.characters(whitelist_categories=("L",)), min_size=1, max_size=12)
people = st.lists(
    st.builds(
        Person,
        st.from_regex(r"P[0-9]{2}", fullmatch=True),
        names,
        st.lists(names, max_size=2).map(tuple),
        st.sampled_from(list(Role)),
        st.sampled_from(["f", "m", ""]),
    ),
    min_size=1,
    max_size=6,
    unique_by=(lambda p: p.code, lambda p: p.name.casefold()),
)


@given(people)
def test_roster_csv_round_trip(roster: list[Person]) -> None:
    assert parse_roster(format_roster(roster), "r") == tuple(roster)


def test_merge_keeps_one_code_per_person() -> None:
    pre = parse_roster("code,name,aliases\nP01,Ann Apio,Annie\nP02,Bea\n", "pre")
    post = parse_roster("code,name,aliases\nP01,ann  apio,Nana\nP03,Cy\n", "post")
    merged = merge_rosters("BU", pre, post, "post")
    assert [p.code for p in merged] == ["P01", "P02", "P03"]
    assert merged[0].name == "Ann Apio" and merged[0].aliases == ("Annie", "Nana")
    with pytest.raises(Exception) as err:
        merge_rosters("BU", pre, parse_roster("code,name\nP04,Ann Apio\n", "x"), "x")
    assert str(err.value) == (
        "x: 'Ann Apio' (P04 here) is BU/P01 in the site roster; a person keeps one code"
        " across sessions: use P01 here"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 5000), min_size=1, max_size=40),
    st.integers(1000, 20000),
    st.integers(0, 10_000),
)
def test_windows_cover_every_sample_once(blocks: list[int], window: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    audio = rng.standard_normal(sum(blocks)).astype(np.float32)
    pieces = np.split(audio, np.cumsum(blocks)[:-1])
    cut = list(windows(pieces, window, window // 4))
    assert [w.index for w in cut] == list(range(len(cut)))
    assert all(len(w.audio) <= window for w in cut[:-1])
    assert all(a.end == b.start for a, b in itertools.pairwise(cut))
    assert np.array_equal(np.concatenate([w.audio for w in cut]), audio)


def test_cut_lands_in_the_silence() -> None:
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(16000 * 10) * 0.3).astype(np.float32)
    audio[16000 * 7 : 16000 * 7 + 8000] = 0.0  # half a second of silence at 7 s
    point = quietest_point(audio, 16000 * 5, 16000 * 10)
    assert 16000 * 7 <= point <= 16000 * 7 + 8000


def test_word_times_tightened_to_their_sound() -> None:
    from fgdprep.audio import Activity

    rng = np.random.default_rng(2)
    audio = np.zeros(16000 * 4, dtype=np.float32)
    audio[16000 * 1 : 16000 * 2] = rng.standard_normal(16000) * 0.2  # sound 1.0-2.0 s
    audio[int(16000 * 2.6) : 16000 * 3] = rng.standard_normal(6400) * 0.2  # sound 2.6-3.0 s
    act = Activity.of(audio)
    # A word stretched over the pause after it ends with its sound.
    assert act.tighten(1.5, 2.5) == pytest.approx((1.5, 2.03), abs=0.011)
    # A first word reaching back into the previous sound keeps the later stretch.
    assert act.tighten(1.8, 3.0, "last") == pytest.approx((2.57, 3.0), abs=0.011)
    assert act.tighten(1.8, 3.0, "first") == pytest.approx((1.8, 2.03), abs=0.011)
    # No sound inside: unchanged. Never widened.
    assert act.tighten(0.2, 0.8) == (0.2, 0.8)
    start, end = act.tighten(1.2, 1.4)
    assert (start, end) == (1.2, 1.4)
