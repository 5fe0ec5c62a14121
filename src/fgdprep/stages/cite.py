"""Citations such as "DS 84" or "DS 34–35, 103; BU 45" resolved against finalised sessions.

A citation is groups separated by semicolons; each group a site prefix (the session's
``citation_prefix``, else its site's) and paragraph numbers separated by commas, a range
with a hyphen or an en dash. A prefix that finalised sessions of several waves share needs a
wave. Each number resolves to its unit: speaker, time, original text and the translation
(turn mode: the same number; line mode: the whole turn's translation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fgdprep.errors import InputError, StageError, StudyError
from fgdprep.model import Finalised
from fgdprep.stages.export import translations
from fgdprep.stages.finalise import clean, load_finalised, translated_units
from fgdprep.store import Study

_GROUP = re.compile(r"([A-Za-z][A-Za-z0-9]*)\s+(\d.*)")
_ITEM = re.compile(r"(\d+)(?:\s*[-–—]\s*(\d+))?")
EXAMPLE = "e.g. 'DS 84' or 'DS 34–35, 103; BU 45'"


@dataclass(frozen=True)
class Reference:
    prefix: str
    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.prefix} {self.first}" + (f"–{self.last}" if self.last != self.first else "")


def parse(citation: str) -> list[Reference]:
    """The references of a citation; :class:`InputError` names the part that is malformed."""
    text = citation.strip().strip("()").strip()
    refs = []
    for group in text.split(";"):
        m = _GROUP.fullmatch(group.strip())
        if not m:
            raise InputError(
                f"malformed citation {citation!r}: {group.strip()!r} is not a site prefix and"
                f" paragraph numbers ({EXAMPLE})"
            )
        prefix = m.group(1).upper()
        for item in m.group(2).split(","):
            n = _ITEM.fullmatch(item.strip())
            if not n:
                raise InputError(
                    f"malformed citation {citation!r}: {item.strip()!r} is not a paragraph"
                    f" number or range ({EXAMPLE})"
                )
            first, last = int(n.group(1)), int(n.group(2) or n.group(1))
            if first < 1 or last < first:
                raise InputError(
                    f"malformed citation {citation!r}: {item.strip()!r} is not a range of"
                    " paragraph numbers from 1 upwards"
                )
            refs.append(Reference(prefix, first, last))
    return refs


@dataclass(frozen=True)
class Cited:
    citation: str  # "DS 84"
    session_id: str
    wave: str
    n: int
    speaker: str
    start: float
    end: float
    original: str
    language: str
    translation: str | None
    translation_language: str | None


def _sessions_by_prefix(study: Study) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {site.prefix: [] for site in study.config.sites}
    for sid in study.session_ids():
        session = study.load_session(sid)
        site = study.config.site(session.site)
        prefix = session.citation_prefix or (site.prefix if site else session.site)
        out.setdefault(prefix, []).append(sid)
    return out


def _session_for(
    study: Study, ref: Reference, wave: str | None, known: dict[str, list[str]]
) -> Finalised:
    if ref.prefix not in known:
        raise InputError(
            f"unknown site prefix {ref.prefix!r} in {ref}; prefixes in this study:"
            f" {', '.join(sorted(known))}"
        )
    sids = [s for s in known[ref.prefix] if wave is None or study.load_session(s).wave == wave]
    where = f" in wave {wave}" if wave else ""
    if not sids:
        raise StudyError(f"{ref}: no session with prefix {ref.prefix}{where}")
    done = [f for s in sids if (f := load_finalised(study, s)) is not None]
    if not done:
        raise StageError(
            f"{ref}: no finalised session with prefix {ref.prefix}{where}"
            f" ({', '.join(sids)} not finalised; run 'fgdprep finalise {sids[0]}')"
        )
    if len(done) > 1:
        listed = ", ".join(f"{f.session.id} ({f.session.wave})" for f in done)
        if len({f.session.wave for f in done}) < len(done):
            raise InputError(
                f"{ref.prefix} is ambiguous: {listed}; sessions of one wave need their own"
                " citation prefix (ingest --prefix DS1)"
            )
        raise InputError(f"{ref.prefix} is ambiguous: {listed}; give --wave")
    return done[0]


def resolve(study: Study, citation: str, wave: str | None = None) -> list[Cited]:
    """Every paragraph a citation names, in its order. Reads the shareable area only."""
    if wave is not None and wave not in study.config.waves:
        raise InputError(
            f"unknown wave {wave!r}; waves in this study: {', '.join(study.config.waves)}"
        )
    refs = parse(citation)
    known = _sessions_by_prefix(study)
    out = []
    for ref in refs:
        finalised = _session_for(study, ref, wave, known)
        units = finalised.units
        if ref.last > len(units):
            raise InputError(
                f"{ref} is past the end: {finalised.session.id} has {len(units)} numbered"
                " paragraph(s)"
            )
        rows, language = translations(study, finalised)
        english = translated_units(finalised, rows, study.config.numbering.line_width)
        for unit in units[ref.first - 1 : ref.last]:
            translated = None
            if unit.turn in rows and finalised.numbering == "turn":
                translated = english[unit.n - 1].body  # the same number
            elif unit.turn in rows:
                translated = clean(rows[unit.turn])  # line mode: the turn's translation
            out.append(
                Cited(
                    f"{ref.prefix} {unit.n}",
                    finalised.session.id,
                    finalised.session.wave,
                    unit.n,
                    unit.speaker,
                    unit.start,
                    unit.end,
                    unit.body,
                    finalised.session.language,
                    translated,
                    language if translated is not None else None,
                )
            )
    return out
