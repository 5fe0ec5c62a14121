"""Diarization error rate, for tests and benches that check a diarizer against known times."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from fgdprep.model import SpeakerSegment


def der(
    reference: Sequence[SpeakerSegment], hypothesis: Sequence[SpeakerSegment], step: float = 0.01
) -> float:
    """Frame-level diarization error rate: (missed + false alarm + confusion) / reference
    speech, no collar, overlapping speech counted per speaker, with the best one-to-one
    mapping of hypothesis labels to reference labels (as NIST md-eval and pyannote.metrics)."""
    from scipy.optimize import linear_sum_assignment

    end = max(s.end for s in [*reference, *hypothesis])
    n = int(end / step) + 2

    def grid(segs: Sequence[SpeakerSegment]) -> npt.NDArray[np.bool_]:
        labels = sorted({s.label for s in segs})
        g = np.zeros((len(labels), n), dtype=bool)
        for s in segs:
            g[labels.index(s.label), round(s.start / step) : round(s.end / step)] = True
        return g

    ref, hyp = grid(reference), grid(hypothesis)
    both = np.array([[np.logical_and(r, h).sum() for h in hyp] for r in ref])
    rows, cols = linear_sum_assignment(-both)
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    correct = np.zeros(n, dtype=int)
    for r, h in zip(rows, cols, strict=True):
        correct += np.logical_and(ref[r], hyp[h])
    return float((np.maximum(n_ref, n_hyp) - correct).sum() / n_ref.sum())
