"""Span recall and precision of pseudonymisation against a gold corpus.

Gold spans are marked inline: ``[[surface|TAG]]`` (R roster person, P other person, L place,
F facility, W ward, T phone, E e-mail, I ID number, D date, A age). A gold span is found when
predicted spans of its kind cover every letter of its name words (titles aside); a prediction
is right when it overlaps a gold span of its kind. Kinds: person (R and P), place (L, F, W),
phone, email, id, date, age.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from fgdprep.config import PseudonymisationConfig
from fgdprep.entities import (
    AGE,
    DATE,
    EMAIL,
    FACILITY,
    ID_NUMBER,
    LOCATION,
    PERSON,
    PHONE,
    WARD,
    Detected,
)
from fgdprep.model import Person, Role
from fgdprep.text import TITLE_WORDS, tokens

if TYPE_CHECKING:
    from fgdprep.deid.engine import Result
    from fgdprep.recognizers.base import RecognizerContext

MARK = re.compile(r"\[\[(.+?)\|([RPLFWTEIDA])\]\]")
TAGS = {
    "R": "roster",
    "P": "person",
    "L": "place",
    "F": "place",
    "W": "place",
    "T": "phone",
    "E": "email",
    "I": "id",
    "D": "date",
    "A": "age",
}
KIND_OF_TYPE = {
    PERSON: "person",
    LOCATION: "place",
    FACILITY: "place",
    WARD: "place",
    PHONE: "phone",
    EMAIL: "email",
    ID_NUMBER: "id",
    DATE: "date",
    AGE: "age",
}


@dataclass(frozen=True)
class Gold:
    paragraph: int
    start: int
    end: int
    category: str  # roster, person, place, phone, email, id, date, age
    tag: str = ""  # the corpus tag (R P L F W T E I D A): places and facilities apart

    @property
    def kind(self) -> str:
        return "person" if self.category == "roster" else self.category


@dataclass(frozen=True)
class Predicted:
    paragraph: int
    start: int
    end: int
    kind: str


def parse_marked(paragraphs: Iterable[str]) -> tuple[list[str], list[Gold]]:
    """Plain paragraphs and their gold spans from marked-up text."""
    texts: list[str] = []
    gold: list[Gold] = []
    for n, marked in enumerate(paragraphs):
        out: list[str] = []
        length = 0
        pos = 0
        for m in MARK.finditer(marked):
            before = marked[pos : m.start()]
            out.append(before)
            length += len(before)
            tag = m.group(2)
            gold.append(Gold(n, length, length + len(m.group(1)), TAGS[tag], tag))
            out.append(m.group(1))
            length += len(m.group(1))
            pos = m.end()
        out.append(marked[pos:])
        texts.append("".join(out))
    return texts, gold


def kind_of(entity_type: str) -> str:
    return KIND_OF_TYPE.get(entity_type, "other")


@dataclass(frozen=True)
class Scores:
    recall: dict[str, tuple[int, int]]  # category -> (found, gold)
    precision: dict[str, tuple[int, int]]  # kind -> (right, predicted)

    @staticmethod
    def ratio(pair: tuple[int, int]) -> float:
        return pair[0] / pair[1] if pair[1] else 1.0

    def overall_precision(self) -> float:
        right = sum(r for r, _ in self.precision.values())
        total = sum(t for _, t in self.precision.values())
        return right / total if total else 1.0

    def merged(self, other: Scores) -> Scores:
        def add(
            a: dict[str, tuple[int, int]], b: dict[str, tuple[int, int]]
        ) -> dict[str, tuple[int, int]]:
            keys = sorted(set(a) | set(b))
            return {
                k: (
                    a.get(k, (0, 0))[0] + b.get(k, (0, 0))[0],
                    a.get(k, (0, 0))[1] + b.get(k, (0, 0))[1],
                )
                for k in keys
            }

        return Scores(add(self.recall, other.recall), add(self.precision, other.precision))


def score(texts: Sequence[str], gold: Sequence[Gold], predicted: Sequence[Predicted]) -> Scores:
    """Recall: a gold span counts only when every letter of its name words (titles such as
    "Dr." or "Mama" aside) is inside predicted spans of its kind, i.e. nothing of it leaks.
    A span made of title words only is a name too ("Babu" as a nickname): all of it counts.
    Precision: a predicted span is right when it overlaps a gold span of its kind."""

    def overlaps(g: Gold, p: Predicted) -> bool:
        return g.paragraph == p.paragraph and g.start < p.end and p.start < g.end

    recall: dict[str, tuple[int, int]] = {}
    for g in gold:
        covered: set[int] = set()
        for p in predicted:
            if p.kind == g.kind and overlaps(g, p):
                covered.update(range(p.start, p.end))
        spanned = tokens(texts[g.paragraph][g.start : g.end])
        # a name that is also a title word ("Babu", a nickname) is scored whole, not skipped
        words = [t for t in spanned if t.key not in TITLE_WORDS] or spanned
        found = bool(words) and all(
            g.start + c in covered for t in words for c in range(t.start, t.end)
        )
        a, b = recall.get(g.category, (0, 0))
        recall[g.category] = (a + found, b + 1)
    precision: dict[str, tuple[int, int]] = {}
    for p in predicted:
        right = any(p.kind == g.kind and overlaps(g, p) for g in gold)
        a, b = precision.get(p.kind, (0, 0))
        precision[p.kind] = (a + right, b + 1)
    return Scores(dict(sorted(recall.items())), dict(sorted(precision.items())))


# -- the corpus --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    name: str
    site: str
    country: str
    language: str
    people: tuple[Person, ...]
    places: tuple[str, ...]
    facilities: tuple[str, ...]
    wards: tuple[str, ...]
    texts: tuple[str, ...]
    gold: tuple[Gold, ...]
    split: str = ""  # dev or heldout in a corpus that keeps a held-out set; "" otherwise
    allow_list: tuple[str, ...] = ()  # the study's allow-list, when the corpus names one

    @property
    def words(self) -> int:
        return sum(len(t.split()) for t in self.texts)


def load_corpus(path: Path) -> list[Document]:
    """The documents of a corpus file. A document holds either ``paragraphs`` or a ``dev`` and a
    ``heldout`` list (then it becomes two documents, one per split, sharing the site setting);
    roster rows are ``[code, name, aliases, role]`` with an optional fifth ``gender``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    docs = []
    for d in data["documents"]:
        people = tuple(
            Person(
                str(row[0]),
                str(row[1]),
                tuple(a.strip() for a in str(row[2]).split(";") if a.strip()),
                Role(row[3]),
                str(row[4]) if len(row) > 4 else "",
            )
            for row in d["roster"]
        )
        splits = [("", d["paragraphs"])] if "paragraphs" in d else []
        splits += [(s, d[s]) for s in ("dev", "heldout") if s in d]
        for split, paragraphs in splits:
            texts, gold = parse_marked(paragraphs)
            docs.append(
                Document(
                    f"{d['name']}/{split}" if split else d["name"],
                    d["site"],
                    d["country"],
                    d["language"],
                    people,
                    tuple(d.get("places", ())),
                    tuple(d.get("facilities", ())),
                    tuple(d.get("wards", ())),
                    tuple(texts),
                    tuple(gold),
                    split,
                    tuple(d.get("allow_list", ())),
                )
            )
    return docs


def context_for(doc: Document, config: PseudonymisationConfig) -> RecognizerContext:
    from fgdprep.recognizers.base import RecognizerContext

    return RecognizerContext(
        language=doc.language,
        countries=(doc.country,),
        people=doc.people,
        places=doc.places,
        facilities=doc.facilities,
        wards=doc.wards,
        fuzzy_threshold=config.fuzzy_threshold,
        ages=config.ages,
        dates=config.dates,
    )


def run_ours(
    doc: Document, analyze: Callable[[str], Sequence[Detected]], config: PseudonymisationConfig
) -> tuple[list[Predicted], Result]:
    """Our pipeline (analyzer, labels, codebook sweep) on a document, with a fresh codebook."""
    from fgdprep.codebook import Codebook
    from fgdprep.deid.engine import Options, pseudonymise_texts

    options = Options(
        source=doc.name,
        site=doc.site,
        people=doc.people,
        allow_list=config.allow_list,
        review_threshold=config.review_threshold,
        ages=config.ages,
    )
    result = pseudonymise_texts(doc.texts, analyze, Codebook(), options)
    predicted = [
        Predicted(s.paragraph, s.start, s.end, kind_of(s.entity_type))
        for spans in result.spans
        for s in spans
    ]
    return predicted, result
