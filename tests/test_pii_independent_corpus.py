"""The independent pseudonymisation corpus is well formed (a format check, not a score: the
scores are bench/pii.py's job and are reported, not asserted)."""

from __future__ import annotations

import difflib
import itertools
import re
from pathlib import Path

import pytest

from fgdprep.evaluate import MARK, Document, load_corpus, parse_marked
from fgdprep.model import Role

FOLDER = Path(__file__).parent / "data" / "pii_independent"
LANGUAGES = ("en", "de", "sw", "lg", "he", "mr")
# anything that looks like markup left in the text after parsing: a typo in a tag or brackets
LEFTOVER = re.compile(r"\[\[|\]\]|\|[A-Z]\]")


def _load(language: str) -> list[Document]:
    return load_corpus(FOLDER / f"{language}.yaml")


def test_one_file_per_language_and_nothing_else() -> None:
    assert sorted(p.stem for p in FOLDER.glob("*.yaml")) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_says_who_wrote_it_and_that_it_is_independent(language: str) -> None:
    header = (FOLDER / f"{language}.yaml").read_text(encoding="utf-8").split("documents:")[0]
    assert header.startswith("# Independent pseudonymisation corpus")
    assert "pii-corpus helper" in header
    assert "independent of the recognizers" in header


@pytest.mark.parametrize("language", LANGUAGES)
def test_split_sizes_and_site_setting(language: str) -> None:
    docs = _load(language)
    assert {d.language for d in docs} == {language}
    held = [d for d in docs if d.split == "heldout"]
    dev = [d for d in docs if d.split == "dev"]
    assert len(held) + len(dev) == len(docs)
    assert sum(len(d.texts) for d in held) >= 60
    assert sum(len(d.texts) for d in dev) >= 20
    for d in docs:
        assert d.people and d.places and d.facilities and d.allow_list
        codes = [p.code for p in d.people]
        assert len(codes) == len(set(codes)), d.name
        assert {p.gender for p in d.people} <= {"f", "m"}, d.name
        assert sum(p.role is Role.MODERATOR for p in d.people) == 1, d.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_gold_span_matches_its_text(language: str) -> None:
    raw = (FOLDER / f"{language}.yaml").read_text(encoding="utf-8")
    for d in _load(language):
        for text in d.texts:
            assert not LEFTOVER.search(text), text
        for g in d.gold:
            surface = d.texts[g.paragraph][g.start : g.end]
            assert surface and surface == surface.strip(), (d.name, surface)
            # the span is what the markup said: find "[[surface|TAG]]" in the file
            assert f"[[{surface}|{g.tag}]]" in raw, (d.name, surface)
        by_paragraph = sorted((g.paragraph, g.start, g.end) for g in d.gold)
        for (p1, _, e1), (p2, s2, _) in itertools.pairwise(by_paragraph):
            assert p1 != p2 or e1 <= s2, f"overlapping gold spans in {d.name}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_roster_spans_are_roster_names_and_most_places_are_not_configured(language: str) -> None:
    for d in _load(language):
        roster_words = {
            w.casefold() for p in d.people for n in (p.name, *p.aliases) for w in n.split()
        }
        for g in d.gold:
            if g.tag != "R":
                continue
            for word in d.texts[g.paragraph][g.start : g.end].casefold().split():
                best = max(difflib.SequenceMatcher(None, word, r).ratio() for r in roster_words)
                assert best >= 0.5, (d.name, word)  # a roster name, maybe misspelt by ASR
    # each held-out document against its own site setting (a -dev2 document has another one)
    named = [
        (d.texts[g.paragraph][g.start : g.end].casefold(), d)
        for d in _load(language)
        if d.split == "heldout"
        for g in d.gold
        if g.tag in "LFW"
    ]
    unlisted = [
        n for n, d in named if not any(n in c.casefold() for c in (*d.places, *d.facilities))
    ]
    assert len(named) >= 15
    assert len(unlisted) >= 0.6 * len(named), (len(unlisted), len(named))


@pytest.mark.parametrize("language", LANGUAGES)
def test_covers_third_parties_non_names_and_all_kinds(language: str) -> None:
    docs = _load(language)
    tags = [g.tag for d in docs for g in d.gold]
    for tag in "RPLFTEDA":
        assert tag in tags, tag
    assert tags.count("P") >= 15  # people not on the roster
    without_pii = sum(
        1 for d in docs for n in range(len(d.texts)) if all(g.paragraph != n for g in d.gold)
    )
    assert without_pii >= 8  # weekdays, months, God, drugs, organisations, nothing to replace


def test_parse_marked_keeps_the_tag_and_the_text_outside_the_brackets() -> None:
    texts, gold = parse_marked(["ל[[סורוקה|F]] עם [[רותי|R]]", "[[Michael|P]]s Frau"])
    assert texts == ["לסורוקה עם רותי", "Michaels Frau"]
    assert [(g.paragraph, g.start, g.end, g.category, g.tag) for g in gold] == [
        (0, 1, 7, "place", "F"),
        (0, 11, 15, "roster", "R"),
        (1, 0, 7, "person", "P"),
    ]
    assert MARK.pattern.startswith(r"\[\[")
