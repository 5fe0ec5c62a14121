"""senko's speaker features, computed portably: 80-bin Kaldi log mel filterbanks per window.

senko's wheel computes them in ``libfbank_extractor.so``, built with ``-march=native`` on an
AVX-512 machine: on a CPU without AVX-512 (most laptops) loading or calling it dies with
"Illegal instruction". This module computes the same numbers with numpy, batched over every
frame of every embedding window (no Python loop per frame or per window), so the features
stay a small share of the stage's time (CAM++ is nearly all of it).

What senko 0.2.2 computes (``senko/fbank_extractor/cpp`` in its sdist, itself 3D-Speaker's
port of Kaldi's ``compute-fbank-feats``), and so what this does:

* each window ``(start, end)`` in seconds, as float32, is cut at sample
  ``int(start * 16000)`` for ``int((end - start) * 16000)`` samples (both products in
  float32, as senko passes the windows to C as float32), at least 1, clipped to the audio;
  a cut shorter than 400 samples is padded with zeros to 400;
* frames of 25 ms every 10 ms that fit inside the cut (snip edges), no dither; per frame:
  DC offset removed, pre-emphasis 0.97 (the first sample against itself), Povey window,
  512-point FFT, power spectrum;
* 80 triangular mel bins between 20 Hz and Nyquist on the first 256 FFT bins (Kaldi's mel
  scale ``1127 ln(1 + f/700)``), natural log floored at float32's epsilon;
* each window's features minus their mean over the window's frames.

Computed in float64 (senko: float32 with ``-ffast-math``); the two agree within 1e-3
(tests/test_portability.py).
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000
FRAME_LENGTH = 400  # 25 ms
FRAME_SHIFT = 160  # 10 ms
FFT_SIZE = 512  # the frame length rounded up to a power of two
MEL_BINS = 80
LOW_FREQ = 20.0
PREEMPHASIS = 0.97
#: log() floor: float32's machine epsilon, as Kaldi and senko use.
LOG_FLOOR = float(np.finfo(np.float32).eps)
#: Frames processed at once: the working set (~8 MB) stays in cache, whatever the length.
CHUNK_FRAMES = 1024

Matrix = npt.NDArray[np.float64]


class WindowFeatures(NamedTuple):
    """senko's feature layout: every window's ``frames x 80`` features, flattened one after
    the other; ``offsets`` index into ``flat`` (in floats, not frames)."""

    flat: npt.NDArray[np.float32]
    frames: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    dim: int


def _mel(freq: npt.ArrayLike) -> Matrix:
    return np.asarray(1127.0 * np.log1p(np.asarray(freq, dtype=np.float64) / 700.0))


@cache
def mel_banks() -> Matrix:
    """The ``256 x 80`` triangular mel filter matrix (Kaldi's ``MelBanks``)."""
    nyquist = SAMPLE_RATE / 2
    low, high = _mel(LOW_FREQ), _mel(nyquist)
    delta = (high - low) / (MEL_BINS + 1)
    edges = low + delta * np.arange(MEL_BINS + 2)
    left, centre, right = edges[:-2], edges[1:-1], edges[2:]
    mel = _mel(np.arange(FFT_SIZE // 2) * (SAMPLE_RATE / FFT_SIZE))[:, None]
    rising = (mel - left) / (centre - left)
    falling = (right - mel) / (right - centre)
    weights = np.where(mel <= centre, rising, falling)
    inside = (mel > left) & (mel < right)
    banks = np.where(inside, weights, 0.0)
    banks.setflags(write=False)
    return banks


@cache
def povey_window() -> Matrix:
    """Kaldi's default window: a Hann window to the power 0.85 (zero at both ends)."""
    a = 2 * np.pi / (FRAME_LENGTH - 1)
    window: Matrix = (0.5 - 0.5 * np.cos(a * np.arange(FRAME_LENGTH))) ** 0.85
    window.setflags(write=False)
    return window


def log_fbank(frames: Matrix) -> Matrix:
    """Log mel filterbank energies of ``n x 400`` raw frames (samples in [-1, 1])."""
    x = frames - frames.mean(axis=1, keepdims=True)
    x[:, 1:] -= PREEMPHASIS * x[:, :-1]  # the product is a new array
    x[:, 0] *= 1.0 - PREEMPHASIS
    x *= povey_window()
    spectrum = np.fft.rfft(x, n=FFT_SIZE, axis=1)[:, : FFT_SIZE // 2]
    power = spectrum.real**2 + spectrum.imag**2
    return np.asarray(np.log(np.maximum(power @ mel_banks(), LOG_FLOOR)))


def window_cuts(
    num_samples: int, windows: npt.ArrayLike, sample_offset: int = 0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """First sample and length of each window's cut, with senko's float32 arithmetic.
    ``sample_offset``: the audio given starts at this sample of the recording."""
    times = np.asarray(windows, dtype=np.float32).reshape(-1, 2)
    rate = np.float32(SAMPLE_RATE)
    first = (times[:, 0] * rate).astype(np.int64)
    length = ((times[:, 1] - times[:, 0]) * rate).astype(np.int64)
    length = np.maximum(length, 1)
    start = first - sample_offset
    outside = (start < 0) | (start >= num_samples)
    start = np.where(outside, 0, start)
    length = np.where(outside, 0, np.minimum(length, num_samples - start))
    return start, length


def window_features(
    samples: npt.NDArray[np.floating], windows: npt.ArrayLike, *, sample_offset: int = 0
) -> WindowFeatures:
    """Mean-normalised log fbank of each window ``(start, end)`` (seconds) of ``samples``
    (mono, 16 kHz, float in [-1, 1]), laid out as senko's ``_extract_fbank_features``
    returns them."""
    audio = np.asarray(samples, dtype=np.float32).ravel()  # as senko reads it; no copy then
    start, length = window_cuts(audio.size, windows, sample_offset)
    # a cut shorter than a frame is zero-padded to one frame
    counts = np.where(length < FRAME_LENGTH, 1, 1 + (length - FRAME_LENGTH) // FRAME_SHIFT)
    total = int(counts.sum())
    first_frame = (np.cumsum(counts) - counts).astype(np.int64)
    window_of = np.repeat(np.arange(counts.size), counts)
    frame_start = start[window_of] + FRAME_SHIFT * (np.arange(total) - first_frame[window_of])
    valid = np.minimum(length, FRAME_LENGTH)[window_of]
    source = audio if audio.size else np.zeros(1, dtype=np.float32)
    taps = np.arange(FRAME_LENGTH)
    out = np.empty((total, MEL_BINS), dtype=np.float32)
    # whole windows at a time, about CHUNK_FRAMES frames: each is normalised in the chunk
    cuts = np.flatnonzero(np.diff(first_frame // CHUNK_FRAMES)) + 1
    for group in np.split(np.arange(counts.size), cuts) if total else ():
        lo = int(first_frame[group[0]])
        hi = lo + int(counts[group].sum())
        idx = np.minimum(frame_start[lo:hi, None] + taps, source.size - 1)
        frames = np.where(taps < valid[lo:hi, None], source[idx], 0.0)  # zero padding
        feats = log_fbank(frames.astype(np.float64))
        means = np.add.reduceat(feats, first_frame[group] - lo, axis=0) / counts[group, None]
        out[lo:hi] = feats - np.repeat(means, counts[group], axis=0)
    return WindowFeatures(
        flat=out.ravel(),
        frames=counts.astype(np.int64),
        offsets=first_frame * MEL_BINS,
        dim=MEL_BINS,
    )


@cache
def without_native_fbank(diarizer_class: type) -> type:
    """senko's ``Diarizer`` class, less its native feature extractor.

    ``senko.Diarizer.__init__`` loads ``libfbank_extractor.so`` with ctypes unless its
    ``use_gpu_fbank`` reads true (then it expects kaldifeat on a GPU). In this subclass it
    always reads true and ignores assignments, so the library is never mapped into the
    process, and the features come from :func:`window_features` on every device.
    """
    return type(
        f"Portable{diarizer_class.__name__}",
        (diarizer_class,),
        {
            "__doc__": without_native_fbank.__doc__,
            "use_gpu_fbank": property(lambda _self: True, lambda _self, _value: None),
            "_extract_fbank_features": staticmethod(window_features),
        },
    )
