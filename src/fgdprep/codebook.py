"""The study-wide codebook: real entity -> label, aliases, type, first seen; encrypted.

One codebook per study keeps labels consistent: "Mama Grace" is [P01] in the pre FGD, the
post FGD, the field notes and the translation. It is the key that undoes pseudonymisation,
so it is encrypted at rest (scrypt + AES-GCM) and lives in its own file.

File layout: ``MAGIC | log2(n) (1 byte) | salt (16) | check (16) | nonce (12) | ciphertext``.
``check`` is an HMAC of a fixed string under the derived key: a wrong passphrase is told apart
from a damaged file, and neither changes anything.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fgdprep.entities import (
    EMAIL,
    FACILITY,
    ID_NUMBER,
    LOCATION,
    PERSON,
    PHONE,
    WARD,
)
from fgdprep.errors import FgdprepError, InputError, StudyError
from fgdprep.model import Person, Role
from fgdprep.text import norm

if TYPE_CHECKING:
    from fgdprep.store import Study

MAGIC = b"FGDPREP-CODEBOOK-1\n"
SCRYPT_LOG2_N = 15
ENV_PASSPHRASE = "FGDPREP_PASSPHRASE"

#: Types with numbered labels ("[Person 2]") and types with one generic label.
NUMBERED = {PERSON: "Person", LOCATION: "Place", FACILITY: "Hospital", WARD: "Ward"}
GENERIC = {PHONE: "[phone number]", EMAIL: "[email]", ID_NUMBER: "[ID number]"}
#: Types whose real values the codebook keeps (and the leak check searches for).
KEPT = (*NUMBERED, *GENERIC)
_LABEL = re.compile(r"^\[(?P<word>[A-Za-z ]+?) (?P<n>\d+)\]$")


class CodebookError(StudyError):
    """The codebook cannot be opened; nothing was changed."""


def _key(passphrase: str, salt: bytes, log2_n: int) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=8, p=1)
    return kdf.derive(passphrase.encode("utf-8"))


def _check(key: bytes) -> bytes:
    return hmac.new(key, b"fgdprep codebook key check", hashlib.sha256).digest()[:16]


def encrypt(plain: bytes, passphrase: str, log2_n: int = SCRYPT_LOG2_N) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _key(passphrase, salt, log2_n)
    header = MAGIC + bytes([log2_n]) + salt + _check(key)
    return header + nonce + AESGCM(key).encrypt(nonce, plain, header)


def decrypt(blob: bytes, passphrase: str, where: str) -> bytes:
    head = len(MAGIC) + 1 + 16 + 16
    if not blob.startswith(MAGIC) or len(blob) < head + 12 + 16:
        raise CodebookError(
            f"{where} is not an fgdprep codebook or is damaged; restore it from your backup"
        )
    log2_n = blob[len(MAGIC)]
    if not 10 <= log2_n <= 22:
        raise CodebookError(f"{where} is damaged (bad key parameters); restore it from backup")
    salt = blob[len(MAGIC) + 1 : len(MAGIC) + 17]
    check = blob[len(MAGIC) + 17 : head]
    key = _key(passphrase, salt, log2_n)
    if not hmac.compare_digest(check, _check(key)):
        raise CodebookError(
            f"wrong passphrase for the codebook {where}; nothing was changed"
            f" (set {ENV_PASSPHRASE} or type it when asked)"
        )
    nonce = blob[head : head + 12]
    try:
        return AESGCM(key).decrypt(nonce, blob[head + 12 :], blob[:head])
    except InvalidTag:
        raise CodebookError(
            f"{where} is damaged (it does not match its checksum); restore it from your backup"
        ) from None


@dataclass
class Entry:
    """One real entity. ``id`` is SITE/CODE for roster people, else E<number>."""

    id: str
    type: str
    label: str
    value: str
    aliases: list[str] = field(default_factory=list)
    first_seen: str = ""
    source: str = ""
    #: False while the entity is only a pending suggestion: then it is not propagated.
    confirmed: bool = True

    def names(self) -> list[str]:
        return [self.value, *self.aliases]


@dataclass
class Codebook:
    entries: list[Entry] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, dict[str, str]] = field(default_factory=dict)
    dismissed: dict[str, dict[str, str]] = field(default_factory=dict)
    changed: bool = False
    _names: dict[tuple[str, str], Entry] | None = field(default=None, repr=False, compare=False)

    def _touch(self) -> None:
        """Every change goes through here: marks the codebook dirty, drops the name index."""
        self.changed = True
        self._names = None

    # -- lookups -----------------------------------------------------------------------------

    def _by_name(self) -> dict[tuple[str, str], Entry]:
        if self._names is None:
            out: dict[tuple[str, str], Entry] = {}
            for e in self.entries:
                for name in e.names():
                    out.setdefault((e.type, norm(name)), e)
            self._names = out
        return self._names

    def lookup(self, entity_type: str, text: str) -> Entry | None:
        return self._by_name().get((entity_type, norm(text)))

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def by_label(self, label: str) -> Entry | None:
        return next((e for e in self.entries if e.label == label), None)

    def is_rejected(self, entity_type: str, text: str) -> bool:
        return f"{entity_type}|{norm(text)}" in self.rejected or f"*|{norm(text)}" in self.rejected

    # -- changes -----------------------------------------------------------------------------

    def person_entry(self, site: str, person: Person, label: str, session: str) -> Entry:
        entry_id = f"{site}/{person.code}"
        entry = self.get(entry_id)
        if entry is None:
            entry = Entry(
                entry_id, PERSON, label, person.name, list(person.aliases), session, "roster"
            )
            self.entries.append(entry)
            self._touch()
        return entry

    def new_entry(
        self, entity_type: str, text: str, session: str, source: str, confirmed: bool = True
    ) -> Entry:
        if entity_type in NUMBERED:
            word = NUMBERED[entity_type]
            n = self.counters.get(word, 0) + 1
            self.counters[word] = n
            label = f"[{word} {n}]"
        else:
            label = GENERIC[entity_type]
        n_id = self.counters.get("entry", 0) + 1
        self.counters["entry"] = n_id
        entry = Entry(f"E{n_id:04d}", entity_type, label, text, [], session, source, confirmed)
        self.entries.append(entry)
        self._touch()
        return entry

    def add_entry(self, entry: Entry) -> None:
        """Put an entry in as it is (a document's pending guess, held only while it is
        decided on: see :mod:`fgdprep.stages.deidentify`)."""
        self.entries.append(entry)
        self._touch()

    def drop_entry(self, entry: Entry) -> None:
        self.entries.remove(entry)
        self._touch()

    def add_alias(self, entry: Entry, text: str) -> None:
        if norm(text) not in {norm(n) for n in entry.names()}:
            entry.aliases.append(text)
            self._touch()

    def remove_name(self, entry: Entry, text: str) -> None:
        """Take a name off an entry (a rejected suggestion); an entry with no name goes."""
        key = norm(text)
        names = [n for n in entry.names() if norm(n) != key]
        if not names:
            self.entries.remove(entry)
        else:
            entry.value, entry.aliases = names[0], names[1:]
        self._touch()

    def reject(self, entity_type: str, text: str, who: str, when: str) -> None:
        self.rejected[f"{entity_type}|{norm(text)}"] = {"by": who, "at": when}
        entry = self.lookup(entity_type, text)
        if entry is not None and not entry.id.count("/"):
            self.remove_name(entry, text)
        self._touch()

    def real_values(self) -> Iterator[tuple[Entry, str]]:
        for e in self.entries:
            if e.type in KEPT:
                for name in e.names():
                    yield e, name

    # -- JSON --------------------------------------------------------------------------------

    def to_json(self) -> bytes:
        data = {
            "version": 1,
            "entries": [vars(e) for e in sorted(self.entries, key=_entry_order)],
            "counters": dict(sorted(self.counters.items())),
            "rejected": dict(sorted(self.rejected.items())),
            "dismissed": dict(sorted(self.dismissed.items())),
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, where: str) -> Codebook:
        try:
            data: Any = json.loads(raw.decode("utf-8"))
            entries = [Entry(**e) for e in data["entries"]]
            return cls(
                entries,
                dict(data["counters"]),
                dict(data.get("rejected", {})),
                dict(data.get("dismissed", {})),
            )
        except (ValueError, KeyError, TypeError):
            raise CodebookError(f"{where} is damaged (unreadable contents)") from None


def _entry_order(e: Entry) -> tuple[int, str]:
    m = re.match(r"^E(\d+)$", e.id)
    return (int(m.group(1)), "") if m else (0, e.id)


def person_label(person: Person, people: Iterable[Person]) -> str:
    """[P03] for a participant; [MOD] for the moderator (by code when a site has several)."""
    if person.role == Role.MODERATOR:
        moderators = [p for p in people if p.role == Role.MODERATOR]
        if len(moderators) <= 1:
            return "[MOD]"
    return f"[{person.code}]"


def parse_label(label: str) -> tuple[str, int] | None:
    m = _LABEL.match(label)
    return (m.group("word"), int(m.group("n"))) if m else None


# -- in the study ------------------------------------------------------------------------------


def load_codebook(study: Study, passphrase: str) -> Codebook:
    """The study's codebook (an empty one before the first pseudonymisation)."""
    path = study.codebook_path
    where = _where(study, path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return Codebook()
    return Codebook.from_json(decrypt(blob, passphrase, where), where)


def save_codebook(study: Study, codebook: Codebook, passphrase: str) -> None:
    """Encrypt and write atomically (a crash leaves the old codebook whole)."""
    study.write_bytes(study.codebook_path, encrypt(codebook.to_json(), passphrase))
    codebook.changed = False


def _where(study: Study, path: Path) -> str:
    try:
        return str(path.relative_to(study.root))
    except ValueError:
        return str(path)


def rekey(study: Study, old: Callable[[], str], new: Callable[[], str]) -> int:
    """Encrypt the codebook under a new passphrase, audited; returns its number of entries.
    Needs the study lock."""
    if not study.codebook_path.is_file():
        raise FgdprepError("the study has no codebook yet; 'fgdprep pseudonymise' makes it")
    book = load_codebook(study, old())
    secret = new()
    if not secret:
        raise InputError("the new passphrase is empty; nothing was changed")
    save_codebook(study, book, secret)
    study.audit("codebook rekey", counts={"entries": len(book.entries)})
    return len(book.entries)


def export_readable(
    study: Study, output: Path, passphrase: Callable[[], str], confirm: Callable[[int], None]
) -> int:
    """Write the codebook as readable JSON (never into the shareable area), audited;
    ``confirm`` is shown the number of entries first. Needs the study lock."""
    from fgdprep.store import atomic_write_text

    shareable = study.shareable.resolve()
    target = output.resolve()
    if target == shareable or shareable in target.parents:
        raise InputError(f"{output}: the readable codebook may never go into the shareable area")
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise InputError(f"{output}: exists and is not a plain file; name a new file")
    book = load_codebook(study, passphrase())
    confirm(len(book.entries))
    data = json.loads(book.to_json())
    atomic_write_text(output, json.dumps(data, ensure_ascii=False, indent=1) + "\n", study.perms)
    study.audit("codebook export", counts={"entries": len(book.entries)})
    return len(book.entries)
