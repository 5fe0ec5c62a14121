"""One microphone per channel: a speaker is talking where their channel is loud.

Each channel's level is measured in 20 ms frames. A channel is active in a frame when it is
above an absolute floor and within :data:`CROSSTALK_DB` of the loudest channel (a lapel mic
also hears the neighbours, but softer). Two loud channels at once are an overlap. Short
gaps inside a contribution are closed and clicks shorter than a syllable dropped. When each
person has their own microphone this is exact to the frame; no model is involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fgdprep.audio import SAMPLE_RATE, stream_channels
from fgdprep.diarize.base import Diarizer
from fgdprep.errors import InputError
from fgdprep.model import AudioInfo, SpeakerSegment

FRAME = 320  # 20 ms at 16 kHz
FLOOR_DB = -50.0
CROSSTALK_DB = 25.0
MIN_GAP = 0.3
MIN_RUN = 0.1


def frame_levels(path: Path) -> npt.NDArray[np.float64]:
    """Level in dBFS of every 20 ms frame, shape (channels, frames); streams the file."""
    rows: list[npt.NDArray[np.float64]] = []
    carry: npt.NDArray[np.float32] | None = None
    for block in stream_channels(path, SAMPLE_RATE):
        buf = block if carry is None else np.concatenate([carry, block], axis=1)
        n = buf.shape[1] // FRAME
        if n:
            frames = buf[:, : n * FRAME].astype(np.float64).reshape(buf.shape[0], n, FRAME)
            rows.append(10 * np.log10((frames**2).mean(axis=2) + 1e-12))
        carry = buf[:, n * FRAME :]
    if carry is not None and carry.shape[1]:
        tail = carry.astype(np.float64)
        rows.append(10 * np.log10((tail**2).mean(axis=1, keepdims=True) + 1e-12))
    if not rows:
        return np.zeros((1, 0))
    return np.concatenate(rows, axis=1)


def _runs(active: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], active, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def active_segments(levels: npt.NDArray[np.float64]) -> list[tuple[int, float, float]]:
    """(channel, start, end) of each stretch a channel's speaker talks."""
    loudest = levels.max(axis=0)
    sec = FRAME / SAMPLE_RATE
    out: list[tuple[int, float, float]] = []
    for ch, row in enumerate(levels):
        active = (row > FLOOR_DB) & (row >= loudest - CROSSTALK_DB)
        runs: list[tuple[int, int]] = []
        for a, b in _runs(active):
            if runs and (a - runs[-1][1]) * sec <= MIN_GAP:
                runs[-1] = (runs[-1][0], b)
            else:
                runs.append((a, b))
        out.extend(
            (ch, round(a * sec, 3), round(b * sec, 3)) for a, b in runs if (b - a) * sec >= MIN_RUN
        )
    return out


class ChannelsDiarizer(Diarizer):
    name = "channels"

    def check(self, audio: AudioInfo) -> None:
        if audio.channels < 2:
            raise InputError(
                f"the recording has {audio.channels} channel; --method channels needs one"
                " microphone per channel (use the default method for a single microphone)"
            )

    def diarize(self, path: Path, audio: AudioInfo) -> tuple[SpeakerSegment, ...]:
        segments = active_segments(frame_levels(path))
        return tuple(SpeakerSegment(a, b, f"channel_{ch + 1}") for ch, a, b in segments)

    def provenance(self) -> Mapping[str, Any]:
        return {"floor_db": FLOOR_DB, "crosstalk_db": CROSSTALK_DB, "min_gap": MIN_GAP}
