"""Diarization error rate, for tests and benches that check a diarizer against known times."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fgdprep.model import SpeakerSegment


@dataclass(frozen=True)
class DerParts:
    """The parts of a diarization error, each a fraction of the reference speech (so
    ``missed + false_alarm + confusion == der``); ``speech`` is the reference speech in
    seconds (speaker-weighted: two people talking for 1 s count 2 s)."""

    missed: float
    false_alarm: float
    confusion: float
    speech: float

    @property
    def der(self) -> float:
        return self.missed + self.false_alarm + self.confusion


def speaker_grid(
    segments: Sequence[SpeakerSegment],
    frames: int,
    step: float = 0.01,
    region: tuple[float, float] | None = None,
) -> npt.NDArray[np.bool_]:
    """One row per label (sorted), one column per ``step``-long frame: where each label
    speaks; frames outside ``region`` (an RTTM's UEM) are left out."""
    labels = sorted({s.label for s in segments})
    g = np.zeros((len(labels), frames), dtype=bool)
    for s in segments:
        g[labels.index(s.label), round(s.start / step) : round(s.end / step)] = True
    if region is not None:
        g[:, : round(region[0] / step)] = False
        g[:, round(region[1] / step) :] = False
    return g


def der_parts(
    reference: Sequence[SpeakerSegment],
    hypothesis: Sequence[SpeakerSegment],
    step: float = 0.01,
    region: tuple[float, float] | None = None,
    collar: float = 0.0,
) -> DerParts:
    """Frame-level diarization error, overlapping speech counted per speaker, with the best
    one-to-one mapping of hypothesis labels to reference labels (as NIST md-eval and
    pyannote.metrics). ``region``: score only ``[start, end)`` (an RTTM's UEM). ``collar``:
    seconds either side of each reference segment's start and end left unscored (md-eval's
    ``-c``, often 0.25; the default 0 scores every frame)."""
    from scipy.optimize import linear_sum_assignment

    end = max(s.end for s in [*reference, *hypothesis])
    n = int(end / step) + 2
    unscored = np.zeros(n, dtype=bool)
    if collar > 0:
        for seg in reference:
            for t in (seg.start, seg.end):
                unscored[max(0, round((t - collar) / step)) : round((t + collar) / step)] = True

    def grid(segs: Sequence[SpeakerSegment]) -> npt.NDArray[np.bool_]:
        g = speaker_grid(segs, n, step, region)
        g[:, unscored] = False
        return g

    ref, hyp = grid(reference), grid(hypothesis)
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    correct = np.zeros(n, dtype=int)
    if len(ref) and len(hyp):
        both = np.array([[np.logical_and(r, h).sum() for h in hyp] for r in ref])
        rows, cols = linear_sum_assignment(-both)
        for r, h in zip(rows, cols, strict=True):
            correct += np.logical_and(ref[r], hyp[h])
    total = max(int(n_ref.sum()), 1)
    missed = np.maximum(n_ref - n_hyp, 0).sum()
    false_alarm = np.maximum(n_hyp - n_ref, 0).sum()
    confusion = (np.minimum(n_ref, n_hyp) - correct).sum()
    return DerParts(
        float(missed / total), float(false_alarm / total), float(confusion / total), total * step
    )


def der(
    reference: Sequence[SpeakerSegment], hypothesis: Sequence[SpeakerSegment], step: float = 0.01
) -> float:
    """Frame-level diarization error rate (see :func:`der_parts`)."""
    return der_parts(reference, hypothesis, step).der
