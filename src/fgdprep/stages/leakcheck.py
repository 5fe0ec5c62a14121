"""The leak check: every shareable file against everything the study knows and looks for.

Detectors: every confirmed name and alias in the codebook and every roster name, name part and
alias of every site (one :class:`~fgdprep.text.PhraseIndex`, the matcher the roster recognizer
of ``pseudonymise``/``deidentify`` uses, so both see through the same evasions: invisible
characters, look-alike letters, split and hyphenated names, Luganda prefixes); and the
recognizers of the study without NER (patterns: phones, also spoken, e-mails, also "(at)";
gazetteers: the site places and facilities of fgdprep.yaml; cues: "my sister X"). Codebook
entries that are still unconfirmed suggestions are searched too, but reported as pending, not
as leaks.

Files: everything under ``shareable/``, hidden files included; the names of its files and
folders; transcript JSON and any other JSON: every string; XML and zip packages (odt, xlsx,
qdpx...): every text and attribute of every XML or JSON part; .docx: the document reader
(:func:`document_texts`); anything else: UTF-8 lines. A name hyphenated across two paragraphs
("Wan-" / "-yama") is joined. A hit names file, paragraph, label and the words around it
(the hit itself shown as its label), never the value. A hit that is not a person (a
translation's "by God's grace" when a participant is called Grace) can be dismissed, once per
occurrence, with who and when.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from fgdprep.codebook import KEPT, Codebook, person_label
from fgdprep.entities import Detected
from fgdprep.errors import InputError
from fgdprep.formats.documents import is_docx, read_paragraphs
from fgdprep.model import Person
from fgdprep.recognizers.spelt import spelt_matcher
from fgdprep.store import Study
from fgdprep.text import PhraseIndex, name_parts, norm, phrase_keys, tokens

#: Parts of a zip package larger than this are not unpacked (a bomb); the file is refused.
MAX_PART = 64 << 20
#: Words of context shown on each side of a hit.
CONTEXT_WORDS = 4


@dataclass(frozen=True)
class Hit:
    file: str  # relative to the study root
    paragraph: int  # 1-based: turn number, docx paragraph or text line; 0: the path's name
    label: str
    how: str  # exact, inflected, fuzzy, joined, or the recognizer that found it
    id: str  # stable id for dismissing this occurrence
    context: str = ""  # the words around it, every hit of the paragraph shown as its label
    pending: bool = False  # an unconfirmed suggestion: reported, not a leak
    #: An exact roster or codebook value: dismissing it asks for confirmation.
    exact_value: bool = False


@dataclass(frozen=True)
class Found:
    """One detector's finding in one text."""

    start: int
    end: int
    label: str
    how: str
    pending: bool = False
    exact_value: bool = False


Detect = Callable[[str], list[Found]]


def build_index(
    codebook: Codebook,
    rosters: Mapping[str, Sequence[Person]],
    allow_list: Iterable[str],
    fuzzy_threshold: float | None,
    confirmed: bool = True,
    waiting: Iterable[tuple[str, str]] = (),
) -> PhraseIndex[str]:
    """Confirmed codebook values and roster names (``confirmed=False``: the codebook's
    unconfirmed suggestions and the ``waiting`` (value, label) pairs of documents' review
    queues alone)."""
    allow_list = list(allow_list)
    allowed = {norm(a) for a in allow_list} | {k for a in allow_list for k in phrase_keys(a)}
    index = PhraseIndex[str](language="*", fuzzy_threshold=fuzzy_threshold)

    def add(value: str, label: str) -> None:
        if norm(value) not in allowed and phrase_keys(value):
            index.add(value, label)

    for entry, value in codebook.real_values():
        if entry.confirmed == confirmed:
            add(value, entry.label)
    if not confirmed:
        for value, label in waiting:
            add(value, label)
        return index
    for site, people in sorted(rosters.items()):
        for person in people:
            known = codebook.get(f"{site}/{person.code}")
            label = known.label if known is not None else person_label(person, people)
            for phrase in (person.name, *person.aliases):
                add(phrase, label)
                for part in name_parts(phrase):
                    if part not in allowed:
                        add(part, label)
    return index


def index_detector(index: PhraseIndex[str], pending: bool = False) -> Detect:
    def detect(text: str) -> list[Found]:
        return [
            Found(
                m.start,
                m.end,
                m.payload,
                m.how,
                pending,
                not pending and _exact(m.how, text[m.start : m.end]),
            )
            for m in index.find(text, _outside_labels(text))
        ]

    return detect


def _exact(how: str, surface: str) -> bool:
    """A name as the roster or codebook writes it: exact, and not a lowercase word ("imani",
    faith, is no exact hit on Imani)."""
    return how == "exact" and surface != surface.lower()


def analyzer_detector(
    analyze: Callable[[str], Sequence[Detected]], codebook: Codebook, min_score: float
) -> Detect:
    """The study's recognizers (no NER): what they find with confidence, unless rejected."""

    def detect(text: str) -> list[Found]:
        labels = _label_spans(text)
        out = []
        for d in analyze(text):
            surface = text[d.start : d.end]
            if (
                d.entity_type not in KEPT
                or d.score < min_score
                or any(a <= d.start and d.end <= b for a, b in labels)
                or any(a < d.end and d.start < b for a, b in labels if d.recognizer != "email")
                or codebook.is_rejected(d.entity_type, surface)
                or not surface.strip(" .,;:-")
            ):
                continue
            out.append(Found(d.start, d.end, d.entity_type, d.recognizer))
        return out

    return detect


#: Capital letters spelt out with dots: "M .B.", "G. A.", "M.B" (an ASR's "Mbale").
def initials_detector(values: Iterable[tuple[str, str]]) -> Detect:
    """Letters spelt out that begin a known place or facility name ("M .B." for Mbale) or
    are the initials of a known multi-word name ("G. A." for Grace Atim): ``values`` are
    (value, label); the recognizers' matcher (:mod:`fgdprep.recognizers.spelt`)."""
    find = spelt_matcher(values)

    def detect(text: str) -> list[Found]:
        return [Found(start, end, label, "initials") for start, end, label in find(text)]

    return detect


def detect_all(detectors: Sequence[Detect], text: str) -> list[Found]:
    """Every detector's findings; where they overlap, the longest (an e-mail address over
    the name in it), then the earlier detector's."""
    ranked = [
        (-(f.end - f.start), n, f) for n, detect in enumerate(detectors) for f in detect(text)
    ]
    out: list[Found] = []
    for _length, _n, f in sorted(ranked, key=lambda r: (r[0], r[1], r[2].start)):
        if not any(o.start < f.end and f.start < o.end for o in out):
            out.append(f)
    return sorted(out, key=lambda f: f.start)


# -- reading shareable files ---------------------------------------------------------------


def document_texts(path: Path) -> list[str]:
    """The texts of a Word or ODT document the leak check searches: every part the
    de-identification writes (body, tables, headers, footers, notes, comments, text boxes,
    links, properties; :func:`fgdprep.formats.documents.text_parts`)."""
    return read_paragraphs(path)


def paragraphs_of(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError):
            return read_paragraphs(path)
        if isinstance(doc, dict) and doc.get("kind") == "transcript":
            turns = (doc.get("transcript") or {}).get("turns") or []
            texts = [
                " \n".join(str(t.get(k) or "") for k in ("text", "translation")) for t in turns
            ]
            rest = {k: v for k, v in doc.items() if k != "transcript"}
            rest["transcript"] = {
                k: v for k, v in (doc.get("transcript") or {}).items() if k != "turns"
            }
            other = [
                {k: v for k, v in t.items() if k not in ("text", "translation")} for t in turns
            ]
            return texts + list(_strings(rest)) + list(_strings(other))
        return list(_strings(doc))
    if is_docx(path):
        return document_texts(path)
    if suffix == ".xml" or suffix in (".qdpx", ".odt", ".xlsx", ".pptx", ".zip", ".nvpx"):
        if zipfile.is_zipfile(path):
            return list(_zip_texts(path))
        return list(_xml_texts(path.read_bytes(), str(path)))
    try:
        return path.read_text(encoding="utf-8-sig").split("\n")
    except UnicodeDecodeError:
        return _printable_runs(path.read_bytes())


#: Checksums in fgdprep's own JSON (sha256 of sources, rows, files): never personal data.
DIGEST = re.compile(r"(?:sha256:)?[0-9a-f]{32,128}")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if not DIGEST.fullmatch(value):
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and not k.isidentifier():
                yield k  # a key that is data ("Mary Nambi": {...})
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _zip_texts(path: Path) -> Iterator[str]:
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            yield info.filename
            if info.file_size > MAX_PART:
                raise InputError(
                    f"{path}: part {info.filename!r} is {info.file_size} bytes unpacked; the"
                    " leak check does not unpack it (a zip bomb?)"
                )
            name = info.filename.lower()
            data = z.read(info)
            if name.endswith((".xml", ".rels")):
                yield from _xml_texts(data, f"{path}:{info.filename}")
            elif name.endswith(".json"):
                try:
                    yield from _strings(json.loads(data.decode("utf-8")))
                except (UnicodeDecodeError, ValueError):
                    yield from _printable_runs(data)
            elif name.endswith((".txt", ".csv", ".html", ".htm", ".rtf")):
                yield from data.decode("utf-8", "replace").split("\n")


def _xml_texts(data: bytes, where: str) -> Iterator[str]:
    """Every paragraph (w:p, text:p, a:p: its text nodes joined), every other text and tail,
    and every attribute value."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        yield from _printable_runs(data)
        return
    inside_p: set[int] = set()
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "p" and id(el) not in inside_p:
            yield "".join(el.itertext())
            inside_p.update(id(sub) for sub in el.iter())
    for el in root.iter():
        yield from el.attrib.values()
        if id(el) not in inside_p:
            for text in (el.text, el.tail):
                if text and text.strip():
                    yield text


def _printable_runs(data: bytes) -> list[str]:
    return [m.group().decode("latin-1") for m in re.finditer(rb"[\x20-\x7e]{4,}", data)]


def name_text(name: str) -> str:
    """A file or folder name as words: "Joseph_Okello_interview.txt" -> "Joseph Okello
    interview txt"."""
    return re.sub(r"[_.\-+]+", " ", name).strip()


# -- checking --------------------------------------------------------------------------------


def hit_id(file: str, paragraph: int, start: int, text: str) -> str:
    raw = f"{file}\n{paragraph}\n{start}\n{norm(text)}".encode()
    return hashlib.sha256(raw).hexdigest()[:10]


def check_files(
    root: Path,
    files: Iterable[Path],
    index: PhraseIndex[str],
    dismissed: Iterable[str] = (),
    detectors: Callable[[Path], Sequence[Detect]] | None = None,
    names_from: Path | None = None,
) -> list[Hit]:
    """Hits in the files (and, with ``names_from``, in their names and folder names below
    it); ``detectors`` gives a file's detectors (default: ``index`` alone)."""
    skip = set(dismissed)
    hits: list[Hit] = []
    seen_dirs: set[Path] = set()
    for path in files:
        rel = path.relative_to(root).as_posix()
        found = detectors(path) if detectors is not None else [index_detector(index)]
        if names_from is not None:
            for folder in reversed(path.relative_to(names_from).parents[:-1]):
                if folder not in seen_dirs:
                    seen_dirs.add(folder)
                    where = (names_from / folder).relative_to(root).as_posix()
                    hits += _hits(where, 0, name_text(folder.name), found, skip)
            hits += _hits(rel, 0, name_text(path.name), found, skip)
        paragraphs = paragraphs_of(path)
        for n, text in enumerate(paragraphs, start=1):
            if text.strip():
                hits += _hits(rel, n, text, found, skip)
        for n in range(1, len(paragraphs)):
            hits += _junction(rel, n, paragraphs[n - 1], paragraphs[n], found, skip)
    return hits


def _hits(file: str, n: int, text: str, detectors: Sequence[Detect], skip: set[str]) -> list[Hit]:
    found = detect_all(detectors, text)
    out = []
    for f in found:
        hid = hit_id(file, n, f.start, text[f.start : f.end])
        if hid not in skip:
            ctx = _context(text, f, found)
            out.append(Hit(file, n, f.label, f.how, hid, ctx, f.pending, f.exact_value))
    return out


def _junction(
    file: str, n: int, before: str, after: str, detectors: Sequence[Detect], skip: set[str]
) -> list[Hit]:
    """A name hyphenated across two paragraphs ("... Wan-" / "-yama ..."): reported at the
    first of them."""
    head, tail = before.rstrip(), after.lstrip()
    if not (head.endswith("-") or tail.startswith("-")):
        return []
    left = head[-40:].rsplit(None, 1)[-1]
    joined = f"{left}\n{tail[:40].split(None, 1)[0]}"
    found = detect_all(detectors, joined)
    out = []
    for f in found:
        if f.start < len(left) < f.end:
            hid = hit_id(file, n, -1, joined[f.start : f.end])
            if hid not in skip:
                how = f"{f.how}, across paragraphs {n}-{n + 1}"
                ctx = _context(joined, f, found)
                out.append(Hit(file, n, f.label, how, hid, ctx, f.pending, f.exact_value))
    return out


def _context(text: str, hit: Found, found: Sequence[Found]) -> str:
    """The words around a hit, every finding of the text shown as «its label»."""
    toks = tokens(text)
    before = [t for t in toks if t.end <= hit.start][-CONTEXT_WORDS:]
    after = [t for t in toks if t.start >= hit.end][:CONTEXT_WORDS]
    start = before[0].start if before else hit.start
    end = after[-1].end if after else hit.end
    for a, b in _label_spans(text):  # a label is shown whole
        start = a if a < start < b else start
        end = b if a < end < b else end
    pieces = []
    pos = start
    for f in found:
        if f.end <= start or f.start >= end:
            continue
        pieces.append(text[pos : max(pos, f.start)])
        pieces.append(f"«{f.label}»")
        pos = max(pos, f.end)
    pieces.append(text[pos:end])
    return " ".join("".join(pieces).split())


def _label_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    depth_start = None
    for i, c in enumerate(text):
        if c == "[":
            depth_start = i
        elif c == "]" and depth_start is not None:
            spans.append((depth_start, i + 1))
            depth_start = None
    return spans


def _outside_labels(text: str) -> list[Any]:
    """Tokens that are not inside a [label] (a label is never a leak)."""
    spans = _label_spans(text)
    return [t for t in tokens(text) if not any(a <= t.start < b for a, b in spans)]


def shareable_files(shareable: Path) -> list[Path]:
    """Every file under the shareable area, hidden ones included."""
    if not shareable.is_dir():
        return []
    return sorted(p for p in shareable.rglob("*") if p.is_file())


def describe(path: Path) -> str:
    return "docx" if is_docx(path) else path.suffix.lstrip(".") or "text"


def session_of(study: Study, rel: str) -> str | None:
    """The session a shareable file (relative to the study) belongs to: a folder named by
    its id, or a file name that starts with it ("DS-pre.docx", "DS-pre_translation.xliff")."""
    ids = set(study.session_ids())
    parts = Path(rel).parts
    for part in parts[:-1]:
        if part in ids:
            return part
    name = parts[-1] if parts else ""
    for sid in sorted(ids, key=len, reverse=True):
        if name == sid or re.match(rf"^{re.escape(sid)}[._\- ]", name):
            return sid
    return None


@dataclass(frozen=True)
class LeakcheckRun:
    files: int
    values: int
    hits: tuple[Hit, ...]

    @property
    def leaks(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if not h.pending)

    @property
    def pending(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.pending)


def study_detectors(study: Study, codebook: Codebook) -> tuple[Callable[[Path], list[Detect]], int]:
    """A shareable file's detectors (the index of real values, the study's recognizers in the
    file's language, the pending suggestions) and the number of values searched."""
    from fgdprep.pii import Analyzer
    from fgdprep.recognizers import RecognizerContext

    config = study.config
    rosters = study_rosters(study)
    pseudo = config.pseudonymisation
    index = build_index(codebook, rosters, pseudo.allow_list, pseudo.fuzzy_threshold)
    from fgdprep.stages.deidentify import document_values

    waiting = build_index(
        codebook,
        {},
        pseudo.allow_list,
        pseudo.fuzzy_threshold,
        False,
        document_values(study).pending,
    )
    people = tuple(p for ps in rosters.values() for p in ps)
    analyzers: dict[str, Detect] = {}

    def analyzer(language: str) -> Detect:
        if language not in analyzers:
            ctx = RecognizerContext(
                language=language,
                countries=tuple(dict.fromkeys(s.country for s in config.sites)),
                people=people,
                places=tuple(p for s in config.sites for p in s.places),
                facilities=tuple(f for s in config.sites for f in s.facilities),
                wards=tuple(w for s in config.sites for w in s.wards),
                fuzzy_threshold=pseudo.fuzzy_threshold,
            )
            analyze = Analyzer(ctx, None).analyze
            analyzers[language] = analyzer_detector(analyze, codebook, pseudo.review_threshold)
        return analyzers[language]

    default = config.sites[0].language if config.sites else "en"

    known = [(p, "LOCATION") for s in config.sites for p in s.places]
    known += [(f, "FACILITY") for s in config.sites for f in s.facilities]
    known += [(person.name, person_label(person, ps)) for ps in rosters.values() for person in ps]
    spelt = initials_detector(known)

    def detectors(path: Path) -> list[Detect]:
        sid = session_of(study, path.relative_to(study.root).as_posix())
        language = study.load_session(sid).language if sid is not None else default
        return [index_detector(index), analyzer(language), spelt, index_detector(waiting, True)]

    return detectors, len(index) + len(waiting)


def session_hits(study: Study, codebook: Codebook, session_id: str) -> list[Hit]:
    """The current hits in the shareable files of one session (:func:`session_of`)."""
    detectors, _values = study_detectors(study, codebook)
    files = [
        f
        for f in shareable_files(study.shareable)
        if session_of(study, f.relative_to(study.root).as_posix()) == session_id
    ]
    return check_files(
        study.root, files, PhraseIndex[str](), (), detectors, names_from=study.shareable
    )


def run(study: Study, passphrase: Callable[[], str]) -> LeakcheckRun:
    """Every shareable file (and its name) of the study against every real name it knows and
    every recognizer it has; audited with counts only. Needs the study lock."""
    from fgdprep.codebook import load_codebook

    codebook = load_codebook(study, passphrase())
    detectors, values = study_detectors(study, codebook)
    files = shareable_files(study.shareable)
    index = PhraseIndex[str]()
    hits = check_files(
        study.root, files, index, codebook.dismissed, detectors, names_from=study.shareable
    )
    done = LeakcheckRun(len(files), values, tuple(hits))
    study.audit(
        "leakcheck",
        counts={
            "files": len(files),
            "values": values,
            "hits": len(done.leaks),
            "pending": len(done.pending),
        },
    )
    return done


def study_index(study: Study, codebook: Codebook) -> PhraseIndex[str]:
    """The values :func:`run` searches for (codebook, every site roster), for checking text
    that is not a shareable file yet (a translation being imported)."""
    pseudo = study.config.pseudonymisation
    return build_index(codebook, study_rosters(study), pseudo.allow_list, pseudo.fuzzy_threshold)


def study_rosters(study: Study) -> dict[str, tuple[Person, ...]]:
    """Every site's roster that has people, by site code."""
    rosters = {site.code: study.site_roster(site.code) for site in study.config.sites}
    return {code: people for code, people in rosters.items() if people}


def find_in_text(index: PhraseIndex[str], text: str) -> list[tuple[str, str]]:
    """(label, how) of every real value in ``text`` outside its [labels], matched as
    :func:`check_files` matches a paragraph."""
    return [(m.payload, m.how) for m in index.find(text, _outside_labels(text))]
