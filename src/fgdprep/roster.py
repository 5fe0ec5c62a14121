"""Roster CSVs (``code,name,aliases,role,gender``) and merging them into a site roster.

A person's study-wide identity is site + code (DS/P03). The same person in the pre and the
post FGD keeps one code, so an ingest roster is merged into the site roster: a code already
there must name the same person. Error messages give row numbers and codes, never names,
but for a clash of spellings, which the person at the screen must see to decide (the audit
log still holds codes only).
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from collections.abc import Iterable
from pathlib import Path

from fgdprep.errors import InputError
from fgdprep.model import Person, Role

COLUMNS = ("code", "name", "aliases", "role", "gender")
PERSON_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def same_name(a: str, b: str) -> bool:
    """Whether two spellings are the same name (case and spacing aside)."""
    return _norm(a) == _norm(b)


def parse_roster(text: str, source: str) -> tuple[Person, ...]:
    """Parse roster CSV text; every problem is reported with its row number."""
    try:  # a field of 128 KiB or more (csv's limit) is no roster: refused before reading
        for _record in csv.reader(io.StringIO(text)):
            pass
    except csv.Error as exc:
        raise InputError(f"{source}: not a roster CSV ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)};"
            f" the header must be {','.join(COLUMNS)}"
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(f"{source}: unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    people: list[Person] = []
    problems: list[str] = []
    codes: dict[str, int] = {}
    for row_no, row in enumerate(reader, start=2):
        if None in row:
            problems.append(f"row {row_no}: more fields than columns")
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        code, name = values.get("code", ""), values.get("name", "")
        if not PERSON_CODE.match(code):
            problems.append(
                f"row {row_no}: code must be uppercase letters/digits such as P01 or MOD"
            )
            continue
        if code in codes:
            problems.append(f"row {row_no}: code {code} is also on row {codes[code]}")
            continue
        codes[code] = row_no
        if not name:
            problems.append(f"row {row_no}: name is empty for {code}")
            continue
        role_text = values.get("role", "").lower() or Role.PARTICIPANT.value
        try:
            role = Role(role_text)
        except ValueError:
            problems.append(
                f"row {row_no}: role of {code} must be one of {', '.join(r.value for r in Role)}"
            )
            continue
        aliases = tuple(a.strip() for a in values.get("aliases", "").split(";") if a.strip())
        people.append(Person(code, name, aliases, role, values.get("gender", "")))
    if problems:
        raise InputError(f"{source}: " + "; ".join(problems))
    if not people:
        raise InputError(f"{source}: the roster has no people")
    return tuple(people)


def read_roster(path: Path) -> tuple[Person, ...]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"roster {path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"roster {path}: not UTF-8 text; save it as CSV UTF-8") from None
    except OSError as exc:
        raise InputError(f"roster {path}: cannot read ({exc.strerror})") from None
    return parse_roster(text, f"roster {path.name}")


def merge_rosters(
    site: str, existing: Iterable[Person], new: Iterable[Person], source: str
) -> tuple[Person, ...]:
    """Merge an ingest roster into the site roster (codes are per site, people keep codes)."""
    merged = {p.code: p for p in existing}
    by_name = {_norm(p.name): p.code for p in merged.values()}
    problems = []
    for person in new:
        old = merged.get(person.code)
        if old is None:
            other = by_name.get(_norm(person.name))
            if other is not None:
                problems.append(
                    f"{person.name!r} ({person.code} here) is {site}/{other} in the site"
                    f" roster; a person keeps one code across sessions: use {other} here"
                )
                continue
            merged[person.code] = person
            by_name[_norm(person.name)] = person.code
        elif _norm(old.name) != _norm(person.name):
            fix = shlex.join(["fgdprep", "roster", "fix", site, person.code, "--name", person.name])
            problems.append(
                f"{site}/{person.code} is {old.name!r} in the site roster but {person.name!r}"
                " here. The same person spelt another way: correct this file, or take this"
                f" spelling with {fix} and ingest again. Another person: give them a new code"
            )
        else:
            aliases = tuple(dict.fromkeys((*old.aliases, *person.aliases)))
            merged[person.code] = Person(
                old.code, old.name, aliases, person.role, person.gender or old.gender
            )
    if problems:
        raise InputError(f"{source}: " + "; ".join(problems))
    return tuple(sorted(merged.values(), key=lambda p: p.code))


def format_roster(people: Iterable[Person]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in people:
        writer.writerow([p.code, p.name, ";".join(p.aliases), p.role.value, p.gender])
    return out.getvalue()
