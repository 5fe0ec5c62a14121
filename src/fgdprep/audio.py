"""Audio decoding with PyAV (no system ffmpeg): probe, validate, stream, cut at silences.

Decoding follows faster-whisper's own ``decode_audio`` (s16, mono, 16 kHz resampler), so a
windowed run sees exactly the samples plain faster-whisper would, but never holds more than
one window of audio in memory.
"""

from __future__ import annotations

import itertools
import logging
import wave
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from fgdprep.errors import InputError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
#: Peak level below which a recording counts as silent (-60 dBFS).
SILENCE_PEAK = 10 ** (-60 / 20)
#: Recordings shorter than this hold nothing to transcribe.
MIN_DURATION = 0.5

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class AudioProbe:
    duration: float
    declared_duration: float | None
    channels: int
    sample_rate: int
    codec: str
    container: str
    peak: float


def _open(path: Path) -> Any:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError:
        raise InputError(
            f"{path.name}: not an audio or video file that can be decoded"
            " (expected wav, mp3, m4a/aac, ogg/opus, flac or mp4)"
        ) from None
    if not container.streams.audio:
        container.close()
        raise InputError(f"{path.name}: has no audio track")
    return container


def _frames(container: Any, path: Path) -> Iterator[Any]:
    """Decoded frames of the first audio stream; a decoder error means a damaged file."""
    frames = container.decode(container.streams.audio[0])
    seconds = 0.0
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return
        except av.error.FFmpegError:
            raise InputError(
                f"{path.name}: the recording is damaged after {seconds:.1f} s"
                " (decoder error); copy it again from the recorder"
            ) from None
        seconds += frame.samples / frame.sample_rate
        yield frame


def _resampled(container: Any, path: Path, rate: int, layout: str) -> Iterator[Samples]:
    """Decoded audio as mono float32 blocks (s16 resampling, as faster-whisper does)."""
    resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
    for frame in _frames(container, path):
        for out in resampler.resample(frame):
            yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
    for out in resampler.resample(None):
        yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0


def stream_mono(path: Path, rate: int = SAMPLE_RATE) -> Iterator[Samples]:
    """The recording as mono float32 blocks at ``rate`` (all channels mixed down)."""
    container = _open(path)
    try:
        yield from _resampled(container, path, rate, "mono")
    finally:
        container.close()


def _wav_header_duration(path: Path) -> float | None:
    """What a WAV header says (ffmpeg silently trusts the file size instead)."""
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        return None


def probe(path: Path) -> AudioProbe:
    """Decode the whole file once: real duration, peak level, and damage checks."""
    container = _open(path)
    try:
        stream = container.streams.audio[0]
        declared = None
        if stream.duration is not None and stream.time_base is not None:
            declared = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            declared = container.duration / 1_000_000
        samples = 0
        peak = 0.0
        for block in _resampled(container, path, SAMPLE_RATE, "mono"):
            samples += block.size
            if block.size:
                peak = max(peak, float(np.abs(block).max()))
        codec = stream.codec_context.name
        channels = stream.codec_context.channels
        rate = stream.codec_context.sample_rate
        fmt = container.format.name
    finally:
        container.close()
    if fmt == "wav":
        declared = _wav_header_duration(path) or declared
    duration = samples / SAMPLE_RATE
    if duration < MIN_DURATION:
        raise InputError(f"{path.name}: holds no audio ({duration:.1f} s)")
    if declared is not None and duration < declared - max(1.0, 0.02 * declared):
        raise InputError(
            f"{path.name}: the recording looks truncated: its header says {declared:.1f} s"
            f" but only {duration:.1f} s could be decoded; copy it again from the recorder"
        )
    if peak < SILENCE_PEAK:
        raise InputError(
            f"{path.name}: the recording is silent (peak below -60 dBFS);"
            " check the microphone track or the file"
        )
    return AudioProbe(duration, declared, int(channels), int(rate), str(codec), str(fmt), peak)


# --- windows cut at silences ------------------------------------------------------------------


def quietest_point(audio: Samples, lo: int, hi: int, frame: int = 320) -> int:
    """Index in ``[lo, hi)`` at the centre of the longest quiet stretch (20 ms frames).

    Quiet means within 6 dB of the quietest frame in the range, so the cut falls in the
    longest pause there: between speakers or sentences rather than inside a short pause
    between words. Deterministic (the earliest of equally long stretches wins), so a
    resumed run cuts the recording at exactly the same samples as the first run.
    """
    lo = max(0, lo)
    hi = min(len(audio), hi)
    n = (hi - lo) // frame
    if n < 2:
        return hi
    region = audio[lo : lo + n * frame].astype(np.float64).reshape(n, frame)
    energy = (region**2).mean(axis=1)
    quiet = energy <= max(energy.min() * 4.0, 1e-10)
    edges = np.diff(np.concatenate(([0], quiet.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    centre = (starts[k] + ends[k]) // 2
    return lo + int(centre) * frame + frame // 2


@dataclass(frozen=True)
class Window:
    index: int
    start: int  # first sample
    audio: Samples

    @property
    def end(self) -> int:
        return self.start + len(self.audio)


def windows(
    blocks: Iterable[Samples], window_samples: int, search_samples: int
) -> Iterator[Window]:
    """Cut a stream into windows of at most ``window_samples``, each ending at the quietest
    point of its last ``search_samples``; the remainder carries into the next window, so
    every sample belongs to exactly one window."""
    pending: list[Samples] = []
    pending_len = 0
    start = 0
    index = 0
    for block in blocks:
        pending.append(block)
        pending_len += block.size
        while pending_len >= window_samples:
            buf = np.concatenate(pending)
            cut = quietest_point(buf, window_samples - search_samples, window_samples)
            yield Window(index, start, buf[:cut])
            index += 1
            start += cut
            rest = buf[cut:]
            pending, pending_len = [rest], rest.size
    if pending_len:
        yield Window(index, start, np.concatenate(pending))


# --- speech activity, to tighten Whisper's word times ------------------------------------------

FRAME = 160  # 10 ms at 16 kHz
MAX_PAUSE_IN_WORD = 25  # frames: 250 ms


@dataclass(frozen=True)
class Activity:
    """Which 10 ms frames of a stretch of audio hold sound above its noise floor."""

    active: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, audio: Samples) -> Activity:
        db = frame_db(audio)
        if db.size == 0:
            return cls(np.zeros(0, dtype=bool))
        floor, loud = np.percentile(db, 10), np.percentile(db, 95)
        threshold = max(floor + 12.0, loud - 40.0, -70.0)
        return cls(db > threshold)

    def tighten(
        self, start: float, end: float, prefer: str = "longest", margin: float = 0.03
    ) -> tuple[float, float]:
        """Shrink ``[start, end]`` (seconds from the audio's start) to the sound inside it.

        Whisper stretches words over the pauses around them: the last word of a sentence often
        ends a second late, the first word of a segment often starts inside the previous
        speaker's last word. No word holds a pause of 250 ms or more, so when the span holds
        several stretches of sound split by such pauses, one is kept: the ``last`` (for the
        first word of a segment), the ``first`` (for the last word) or the ``longest``. Never
        widens; leaves a span with no sound as it is.
        """
        lo = max(0, int(start * SAMPLE_RATE) // FRAME)
        hi = min(len(self.active), -(-int(end * SAMPLE_RATE) // FRAME))
        idx = np.flatnonzero(self.active[lo:hi]) + lo
        if idx.size == 0:
            return start, end
        breaks = np.flatnonzero(np.diff(idx) >= MAX_PAUSE_IN_WORD)
        run_starts = np.concatenate(([idx[0]], idx[breaks + 1]))
        run_ends = np.concatenate((idx[breaks], [idx[-1]])) + 1
        if prefer == "last":
            k = len(run_starts) - 1
        elif prefer == "first":
            k = 0
        else:
            k = int(np.argmax(run_ends - run_starts))
        new_start = max(start, run_starts[k] * FRAME / SAMPLE_RATE - margin)
        new_end = min(end, run_ends[k] * FRAME / SAMPLE_RATE + margin)
        return (float(new_start), float(new_end)) if new_end > new_start else (start, end)


# --- channels and clips -----------------------------------------------------------------------


def stream_channels(path: Path, rate: int = SAMPLE_RATE) -> Iterator[Samples]:
    """The recording as float32 blocks of shape (channels, samples) at ``rate``, every
    channel kept apart (one microphone per channel)."""
    container = _open(path)
    try:
        stream = container.streams.audio[0]
        layout = stream.codec_context.layout
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        for frame in _frames(container, path):
            for out in resampler.resample(frame):
                yield out.to_ndarray().astype(np.float32, copy=False)
        for out in resampler.resample(None):
            yield out.to_ndarray().astype(np.float32, copy=False)
    finally:
        container.close()


PCM16 = npt.NDArray[np.int16]


def read_pcm16(path: Path, expected: int = 0) -> PCM16:
    """The whole recording as mono 16-bit samples at 16 kHz (2 bytes a sample: 115 MB an
    hour, half of :func:`read_mono`), in an array of ``expected`` samples grown only if the
    recording holds more; :func:`pcm16_to_float` gives exactly :func:`read_mono`'s numbers."""
    out = np.empty(max(expected, 0), dtype=np.int16)
    used = 0
    container = _open(path)
    try:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        frames = _frames(container, path)
        for frame in itertools.chain(frames, [None]):
            for block in resampler.resample(frame):
                pcm = block.to_ndarray().reshape(-1)
                if used + pcm.size > out.size:
                    out = np.resize(out, max(2 * out.size, used + pcm.size))
                out[used : used + pcm.size] = pcm
                used += pcm.size
    finally:
        container.close()
    return out[:used] if used < out.size else out


def pcm16_to_float(pcm: PCM16) -> Samples:
    """16-bit samples as float32 in [-1, 1), as faster-whisper's decoder scales them."""
    return pcm.astype(np.float32) / 32768.0


def read_mono(path: Path, rate: int = SAMPLE_RATE) -> Samples:
    """The whole recording as one mono array (4 bytes a sample: 230 MB an hour at 16 kHz)."""
    blocks = list(stream_mono(path, rate))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)


def cut_clips(
    path: Path, spans: Sequence[tuple[float, float]], rate: int = SAMPLE_RATE
) -> list[Samples]:
    """Mono audio of each (start, end) span, in one streaming pass over the recording."""
    bounds = [(round(s * rate), round(e * rate)) for s, e in spans]
    parts: list[list[Samples]] = [[] for _ in bounds]
    pos = 0
    for block in stream_mono(path, rate):
        end = pos + block.size
        for (lo, hi), acc in zip(bounds, parts, strict=True):
            a, b = max(lo, pos), min(hi, end)
            if a < b:
                acc.append(block[a - pos : b - pos])
        pos = end
        if all(hi <= pos for _lo, hi in bounds):
            break
    return [np.concatenate(p) if p else np.zeros(0, dtype=np.float32) for p in parts]


def wav_bytes(samples: Samples, rate: int = SAMPLE_RATE) -> bytes:
    """16-bit mono WAV, playable anywhere."""
    import io

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buf.getvalue()


# --- level and speech detection for real rooms -------------------------------------------------

#: Level the loud (95th percentile) 10 ms frames of a window are brought to, in dBFS.
TARGET_DBFS = -20.0
#: At most this much gain: more lifts the noise floor of an empty room into "speech".
MAX_GAIN_DB = 30.0


#: Frames whose level is computed at once (a minute): a 10-minute window in float64 at once
#: would take 150 MB.
DB_FRAMES = 6000


def frame_db(audio: Samples) -> npt.NDArray[np.float64]:
    """Level of each 10 ms frame in dBFS."""
    n = len(audio) // FRAME
    power = np.empty(n)
    for a in range(0, n, DB_FRAMES):
        b = min(n, a + DB_FRAMES)
        frames = audio[a * FRAME : b * FRAME].astype(np.float64).reshape(b - a, FRAME)
        power[a:b] = (frames**2).mean(axis=1)
    db: npt.NDArray[np.float64] = 10 * np.log10(power + 1e-12)
    return db


def normalise_level(audio: Samples) -> tuple[Samples, float]:
    """``audio`` with its loud frames brought to :data:`TARGET_DBFS`, and the gain in dB.

    A simple automatic gain for far-field tables: a voice at -38 dBFS is lifted to where
    Whisper and the speech detector hear it (both were tuned on close microphones). Never
    more than :data:`MAX_GAIN_DB`, never a cut; the rare transient pushed past full scale is
    clipped. The stored recording is untouched: this is applied to each window in memory.
    """
    db = frame_db(audio)
    if db.size == 0:
        return audio, 0.0
    gain_db = float(np.clip(TARGET_DBFS - np.percentile(db, 95), 0.0, MAX_GAIN_DB))
    if gain_db < 0.5:
        return audio, 0.0
    gained = audio * np.float32(10 ** (gain_db / 20))
    np.clip(gained, -1.0, 1.0, out=gained)
    return gained.astype(np.float32, copy=False), gain_db


def energy_speech(
    audio: Samples, snr_db: float = 15.0, min_seconds: float = 0.5, bridge: float = 0.3
) -> list[tuple[float, float]]:
    """Stretches (seconds) at least ``snr_db`` above the noise floor: a second opinion
    beside silero, which misses some quiet far-field voices. Runs shorter than
    ``min_seconds`` (clicks, a cup on the table) are dropped; gaps under ``bridge`` joined."""
    db = frame_db(audio)
    if db.size == 0:
        return []
    floor = np.percentile(db, 10)
    active = db > max(floor + snr_db, -70.0)
    return _runs(active, bridge, min_seconds)


def _runs(
    active: npt.NDArray[np.bool_], bridge: float, min_seconds: float
) -> list[tuple[float, float]]:
    step = FRAME / SAMPLE_RATE
    idx = np.flatnonzero(active)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > bridge / step)
    starts = np.r_[idx[0], idx[breaks + 1]]
    ends = np.r_[idx[breaks], idx[-1]] + 1
    return [
        (float(a * step), float(b * step))
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        if (b - a) * step >= min_seconds
    ]


Spans = list[tuple[float, float]]


def merge_spans(spans: Iterable[tuple[float, float]], bridge: float = 0.0) -> Spans:
    """Union of (start, end) spans; spans less than ``bridge`` apart are joined."""
    out: Spans = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1] + bridge:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def subtract_spans(
    spans: Sequence[tuple[float, float]], holes: Iterable[tuple[float, float]]
) -> Spans:
    """The parts of ``spans`` outside every span of ``holes``."""
    holes = merge_spans(holes)
    out: Spans = []
    for s, e in spans:
        cur = s
        for hs, he in holes:
            if he <= cur or hs >= e:
                continue
            if hs > cur:
                out.append((cur, hs))
            cur = max(cur, he)
        if cur < e:
            out.append((cur, e))
    return out
