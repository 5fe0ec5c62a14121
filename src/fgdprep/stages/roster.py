"""A site's roster: who is on it (and in which sessions), and correcting how a person's name
is spelt there, which ingest asks for when a roster spells a known code another way.

The old spelling stays as an alias, so pseudonymisation still finds it in transcripts made
before the fix; the sessions' own rosters (who attended, as ingested) are not rewritten. The
audit log records the site and code, never a name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fgdprep.errors import InputError, StudyError
from fgdprep.model import Person
from fgdprep.roster import format_roster, same_name
from fgdprep.store import Study


@dataclass(frozen=True)
class RosterEntry:
    person: Person
    #: Sessions of the site that list the person as attending, in id order.
    sessions: tuple[str, ...]


def _site_roster(study: Study, site: str) -> tuple[Person, ...]:
    if study.config.site(site) is None:
        known = ", ".join(s.code for s in study.config.sites)
        raise InputError(f"unknown site {site!r}; sites in fgdprep.yaml: {known}")
    people = study.site_roster(site)
    if not people:
        raise StudyError(f"site {site} has no roster yet; ingest a session with --roster")
    return people


def show(study: Study, site: str) -> list[RosterEntry]:
    """The site roster, each person with the sessions they attended."""
    people = _site_roster(study, site)
    sessions = [study.load_session(sid) for sid in study.session_ids()]
    return [
        RosterEntry(p, tuple(s.id for s in sessions if s.site == site and p.code in s.attendance))
        for p in people
    ]


@dataclass(frozen=True)
class RosterFix:
    site: str
    before: Person
    after: Person


def fix(study: Study, site: str, code: str, name: str) -> RosterFix:
    """Spell a person's name as ``name`` in the site roster (the old spelling becomes an
    alias); audited. Needs the study lock."""
    people = _site_roster(study, site)
    old = next((p for p in people if p.code == code), None)
    if old is None:
        codes = ", ".join(p.code for p in people)
        raise InputError(
            f"{site} has no {code} in its roster (codes: {codes}); nothing was changed"
        )
    name = " ".join(name.split())
    if not name:
        raise InputError("--name is empty; nothing was changed")
    if name == old.name:
        raise InputError(f"{site}/{code} is already spelt so; nothing was changed")
    other = next((p for p in people if p.code != code and same_name(p.name, name)), None)
    if other is not None:
        raise InputError(
            f"that name is {site}/{other.code}'s in the site roster; a person keeps one code"
            " (nothing was changed)"
        )
    aliases = tuple(a for a in dict.fromkeys((*old.aliases, old.name)) if not same_name(a, name))
    new = dataclasses.replace(old, name=name, aliases=aliases)
    roster = tuple(new if p.code == code else p for p in people)
    before = study.digest(study.roster_path(site))
    digest = study.write_text(study.roster_path(site), format_roster(roster))
    study.audit(
        "roster fix",
        inputs={"roster": before},
        outputs={"roster": digest},
        counts={"site": site, "code": code},
    )
    return RosterFix(site, old, new)
