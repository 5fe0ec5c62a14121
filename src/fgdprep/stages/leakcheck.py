"""The leak check: every shareable file against every real value the study knows.

Values: every name and alias in the codebook and every roster name, name part and alias of
every site. Files: everything under ``shareable/`` (transcript JSON: turn texts and
translations; other JSON: every string; .docx: paragraphs and table cells; anything else: UTF-8
lines). Matching is case-insensitive, word-bounded (our tokens, so inflected forms count) and
fuzzy. A hit names file, paragraph and the label, never the value. A hit that is not a person
(a translation's "by God's grace" when a participant is called Grace) can be dismissed, once
per occurrence, with who and when.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgdprep.codebook import Codebook, person_label
from fgdprep.formats.documents import is_docx, read_paragraphs
from fgdprep.model import Person
from fgdprep.store import Study
from fgdprep.text import TITLE_WORDS, PhraseIndex, norm, phrase_keys, tokens

MIN_PART = 3


@dataclass(frozen=True)
class Hit:
    file: str  # relative to the study root
    paragraph: int  # 1-based: turn number, docx paragraph or text line
    label: str
    how: str  # exact, inflected, fuzzy
    id: str  # stable id for dismissing this occurrence


def build_index(
    codebook: Codebook,
    rosters: Mapping[str, Sequence[Person]],
    allow_list: Iterable[str],
    fuzzy_threshold: float | None,
) -> PhraseIndex[str]:
    allowed = {norm(a) for a in allow_list} | {k for a in allow_list for k in phrase_keys(a)}
    index = PhraseIndex[str](language="*", fuzzy_threshold=fuzzy_threshold)

    def add(value: str, label: str) -> None:
        if norm(value) not in allowed and phrase_keys(value):
            index.add(value, label)

    for entry, value in codebook.real_values():
        add(value, entry.label)
    for site, people in sorted(rosters.items()):
        for person in people:
            known = codebook.get(f"{site}/{person.code}")
            label = known.label if known is not None else person_label(person, people)
            for phrase in (person.name, *person.aliases):
                add(phrase, label)
                for part in phrase_keys(phrase):
                    if len(part) >= MIN_PART and part not in allowed | TITLE_WORDS:
                        add(part, label)
    return index


def paragraphs_of(path: Path) -> list[str]:
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError):
            return read_paragraphs(path)
        if isinstance(doc, dict) and doc.get("kind") == "transcript":
            turns = (doc.get("transcript") or {}).get("turns") or []
            return [" \n".join(str(t.get(k) or "") for k in ("text", "translation")) for t in turns]
        return list(_strings(doc))
    return read_paragraphs(path)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def hit_id(file: str, paragraph: int, start: int, text: str) -> str:
    raw = f"{file}\n{paragraph}\n{start}\n{norm(text)}".encode()
    return hashlib.sha256(raw).hexdigest()[:10]


def check_files(
    root: Path, files: Iterable[Path], index: PhraseIndex[str], dismissed: Iterable[str] = ()
) -> list[Hit]:
    skip = set(dismissed)
    hits = []
    for path in files:
        rel = str(path.relative_to(root))
        for n, text in enumerate(paragraphs_of(path), start=1):
            if not text.strip():
                continue
            for m in index.find(text, _outside_labels(text)):
                hid = hit_id(rel, n, m.start, text[m.start : m.end])
                if hid not in skip:
                    hits.append(Hit(rel, n, m.payload, m.how, hid))
    return hits


def _outside_labels(text: str) -> list[Any]:
    """Tokens that are not inside a [label] (a label is never a leak)."""
    spans = []
    depth_start = None
    for i, c in enumerate(text):
        if c == "[":
            depth_start = i
        elif c == "]" and depth_start is not None:
            spans.append((depth_start, i))
            depth_start = None
    return [t for t in tokens(text) if not any(a < t.start < b for a, b in spans)]


def shareable_files(shareable: Path) -> list[Path]:
    if not shareable.is_dir():
        return []
    return sorted(p for p in shareable.rglob("*") if p.is_file() and not p.name.startswith("."))


def describe(path: Path) -> str:
    return "docx" if is_docx(path) else path.suffix.lstrip(".") or "text"


@dataclass(frozen=True)
class LeakcheckRun:
    files: int
    values: int
    hits: tuple[Hit, ...]


def run(study: Study, passphrase: Callable[[], str]) -> LeakcheckRun:
    """Every shareable file of the study against every real name it knows (codebook and
    site rosters); audited with counts only. Needs the study lock."""
    from fgdprep.codebook import load_codebook

    codebook = load_codebook(study, passphrase())
    rosters = {site.code: study.site_roster(site.code) for site in study.config.sites}
    rosters = {code: people for code, people in rosters.items() if people}
    pseudo = study.config.pseudonymisation
    index = build_index(codebook, rosters, pseudo.allow_list, pseudo.fuzzy_threshold)
    files = shareable_files(study.shareable)
    hits = check_files(study.root, files, index, codebook.dismissed)
    study.audit("leakcheck", counts={"files": len(files), "values": len(index), "hits": len(hits)})
    return LeakcheckRun(len(files), len(index), tuple(hits))


def study_index(study: Study, codebook: Codebook) -> PhraseIndex[str]:
    """The values :func:`run` searches for (codebook, every site roster), for checking text
    that is not a shareable file yet (a translation being imported)."""
    rosters = {site.code: study.site_roster(site.code) for site in study.config.sites}
    pseudo = study.config.pseudonymisation
    people = {code: found for code, found in rosters.items() if found}
    return build_index(codebook, people, pseudo.allow_list, pseudo.fuzzy_threshold)


def find_in_text(index: PhraseIndex[str], text: str) -> list[tuple[str, str]]:
    """(label, how) of every real value in ``text`` outside its [labels], matched as
    :func:`check_files` matches a paragraph."""
    return [(m.payload, m.how) for m in index.find(text, _outside_labels(text))]
