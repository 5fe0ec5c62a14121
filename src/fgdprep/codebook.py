"""The study-wide codebook: real entity -> label, aliases, type, first seen; encrypted.

One codebook per study keeps labels consistent: "Mama Grace" is [P01] in the pre FGD, the
post FGD, the field notes and the translation. It is the key that undoes pseudonymisation,
so it is encrypted at rest (scrypt + AES-GCM) and lives in its own file.

File layout (version 2): ``MAGIC2 | log2(n) (1 byte) | salt (16) | check (16) |
header digest (8) | nonce (12) | ciphertext``. The header digest (SHA-256 of what precedes it)
tells a damaged header from a wrong passphrase; ``check`` is an HMAC of a fixed string under the
derived key, so a wrong passphrase is told apart from a damaged body; neither changes anything.
Version 1 files (no header digest, N = 2^15) are still opened; every save writes version 2
with the current cost, so ``codebook rekey`` upgrades them.

Key derivation: scrypt with N = 2^17, r = 8, p = 1 (OWASP's password storage guidance); the N
a file names is capped (:data:`MAX_LOG2_N`), so a damaged or hostile header cannot make
opening it cost gigabytes.

Once a study has pseudonymised anything, its codebook must never silently start afresh: a
missing codebook then stops every command that needs it, naming the backup to restore
(:func:`load_codebook`).
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

MAGIC_V1 = b"FGDPREP-CODEBOOK-1\n"
MAGIC = b"FGDPREP-CODEBOOK-2\n"
SCRYPT_LOG2_N = 17
#: The lowest and highest N (as log2) a codebook file may name: 2^18 costs 256 MiB.
MIN_LOG2_N, MAX_LOG2_N = 15, 18
MIN_PASSPHRASE = 12
ENV_PASSPHRASE = "FGDPREP_PASSPHRASE"
#: Said before a new codebook's passphrase is asked for (twice).
NEW_CODEBOOK_NOTICE = (
    "A new codebook is being made: its passphrase (at least 12 characters) cannot be"
    " recovered, and without it the labels can never be undone. Keep a backup outside the"
    " study: 'fgdprep codebook backup -o DIR/codebook.enc' (a copy of the encrypted file) or"
    " 'fgdprep codebook export -o FILE' (readable; keep it as safe as the recordings)."
)

#: Types with numbered labels ("[Person 2]") and types with one generic label.
NUMBERED = {PERSON: "Person", LOCATION: "Place", FACILITY: "Hospital", WARD: "Ward"}
GENERIC = {PHONE: "[phone number]", EMAIL: "[email]", ID_NUMBER: "[ID number]"}
#: Types whose real values the codebook keeps (and the leak check searches for).
KEPT = (*NUMBERED, *GENERIC)
_LABEL = re.compile(r"^\[(?P<word>[A-Za-z ]+?) (?P<n>\d+)\]$")


class CodebookError(StudyError):
    """The codebook cannot be opened; nothing was changed."""


#: Derived keys of this process by (passphrase digest, salt, log2 N): one command loads and
#: saves the codebook under one salt, so scrypt runs once, not once per read and write.
_KEYS: dict[tuple[bytes, bytes, int], bytes] = {}


def _key(passphrase: str, salt: bytes, log2_n: int) -> bytes:
    memo = (hashlib.sha256(passphrase.encode("utf-8")).digest(), salt, log2_n)
    if memo not in _KEYS:
        kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=8, p=1)
        _KEYS[memo] = kdf.derive(passphrase.encode("utf-8"))
    return _KEYS[memo]


def _check(key: bytes) -> bytes:
    return hmac.new(key, b"fgdprep codebook key check", hashlib.sha256).digest()[:16]


def check_new_passphrase(passphrase: str) -> None:
    """A passphrase for a new codebook (or a new one for an old codebook) is long enough."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(
            f"the codebook passphrase must have at least {MIN_PASSPHRASE} characters (it cannot"
            " be recovered, so make it long rather than clever); nothing was changed"
        )


def encrypt(
    plain: bytes, passphrase: str, log2_n: int = SCRYPT_LOG2_N, salt: bytes | None = None
) -> bytes:
    """Version 2 codebook bytes; ``salt`` reuses a file's salt (a fresh nonce every time)."""
    salt, nonce = salt or os.urandom(16), os.urandom(12)
    key = _key(passphrase, salt, log2_n)
    header = MAGIC + bytes([log2_n]) + salt + _check(key)
    header += hashlib.sha256(header).digest()[:8]
    return header + nonce + AESGCM(key).encrypt(nonce, plain, header)


def kdf_params(blob: bytes) -> tuple[bytes, int] | None:
    """(salt, log2 N) of a well-formed codebook file."""
    if blob.startswith(MAGIC) and len(blob) > len(MAGIC) + 17:
        return blob[len(MAGIC) + 1 : len(MAGIC) + 17], blob[len(MAGIC)]
    return None


def decrypt(blob: bytes, passphrase: str, where: str) -> bytes:
    magic = MAGIC if blob.startswith(MAGIC) else MAGIC_V1
    head = len(magic) + 1 + 16 + 16 + (8 if magic == MAGIC else 0)
    if not blob.startswith(magic) or len(blob) < head + 12 + 16:
        raise CodebookError(
            f"{where} is not an fgdprep codebook or is damaged; restore it from your backup"
        )
    if magic == MAGIC and not hmac.compare_digest(
        blob[head - 8 : head], hashlib.sha256(blob[: head - 8]).digest()[:8]
    ):
        raise CodebookError(
            f"{where} is damaged (its header does not match its checksum); restore it from"
            " your backup"
        )
    log2_n = blob[len(magic)]
    if not MIN_LOG2_N <= log2_n <= MAX_LOG2_N:
        raise CodebookError(
            f"{where} is damaged (bad key parameters: N = 2^{log2_n}); restore it from your backup"
        )
    salt = blob[len(magic) + 1 : len(magic) + 17]
    check = blob[len(magic) + 17 : len(magic) + 33]
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
    #: (salt, log2 N) of the file it was read from: saving reuses them (one scrypt a command).
    kdf: tuple[bytes, int] | None = field(default=None, repr=False, compare=False)
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
        # that wrong guess goes; a roster person or a confirmed entry stays
        if entry is not None and not entry.id.count("/") and not entry.confirmed:
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
    """The study's codebook: an empty one before the first pseudonymisation, and a refusal
    naming the backup to restore when it is missing after one (:func:`require_codebook`)."""
    path = study.codebook_path
    where = _where(study, path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        require_codebook(study)
        check_new_passphrase(passphrase)  # before any work: the save would refuse it
        return Codebook()
    try:
        book = Codebook.from_json(decrypt(blob, passphrase, where), where)
    except CodebookError as exc:
        if exc.message.startswith("wrong passphrase"):
            raise
        raise CodebookError(f"{exc.message} ({backup_hint(study)})") from None
    params = kdf_params(blob)
    book.kdf = params if params is not None and params[1] == SCRYPT_LOG2_N else None
    return book


def codebook_users(study: Study) -> list[str]:
    """What shows that the study's codebook was made: pseudonymised sessions, and audit
    entries of commands that write it."""
    from fgdprep.model import Stage

    found = [
        sid
        for sid in study.session_ids()
        if study.has_transcript(sid, Stage.PSEUDONYMISED) or study.shareable_path(sid).is_file()
    ]
    if not found and any(e.get("command") in WRITERS for e in study.audit_entries()):
        found.append("audit log")
    return found


#: Audit-log commands that write the codebook.
WRITERS = frozenset({"pseudonymise", "deidentify", "review", "codebook rekey"})


def backup_hint(study: Study) -> str:
    """Which backup to restore: the last one the audit log recorded."""
    backups = [
        e
        for e in study.audit_entries()
        if e.get("command") in ("codebook backup", "codebook export")
    ]
    if not backups:
        return "no backup is recorded in the audit log: use your own copy of codebook.enc"
    last = backups[-1]
    return (
        f"the last backup recorded in the audit log is {last.get('destination')}"
        f" ({last.get('command')}, {last.get('time')})"
    )


def require_codebook(study: Study) -> None:
    """Refuse (change nothing) when the codebook is missing but the study already used one:
    a new codebook would give [Person 1] to someone else and lose every review decision."""
    if study.codebook_path.is_file():
        return
    users = codebook_users(study)
    if not users:
        return
    where = _where(study, study.codebook_path)
    hint = backup_hint(study)
    raise CodebookError(
        f"{where} is missing, but this study was already pseudonymised with it"
        f" ({len(users)} session(s) or log entries); restore it from your backup ({hint})"
        f" and copy it back to {where}; nothing was changed (fgdprep never starts a new"
        " codebook for a study that had one)"
    )


def save_codebook(study: Study, codebook: Codebook, passphrase: str) -> None:
    """Encrypt and write atomically (a crash leaves the old codebook whole). A new codebook
    needs a passphrase of :data:`MIN_PASSPHRASE` characters (:func:`load_codebook` refused a
    lost one before any work)."""
    if codebook.kdf is None and not study.codebook_path.is_file():
        check_new_passphrase(passphrase)
    salt = codebook.kdf[0] if codebook.kdf is not None else None
    blob = encrypt(codebook.to_json(), passphrase, SCRYPT_LOG2_N, salt)
    study.write_bytes(study.codebook_path, blob)
    codebook.kdf = kdf_params(blob)
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
    check_new_passphrase(secret)
    book.kdf = None  # a fresh salt, at today's cost: rekey upgrades an old codebook
    save_codebook(study, book, secret)
    study.audit("codebook rekey", counts={"entries": len(book.entries)})
    return len(book.entries)


def _check_target(study: Study, output: Path, what: str) -> None:
    study.refuse_shareable(output, what)
    if output.is_symlink() or (output.exists() and not output.is_file()):
        raise InputError(f"{output}: exists and is not a plain file; name a new file")


def export_readable(
    study: Study, output: Path, passphrase: Callable[[], str], confirm: Callable[[int], None]
) -> int:
    """Write the codebook as readable JSON (owner-only, never into the shareable area),
    audited with its destination; ``confirm`` is shown the number of entries first. Needs the
    study lock."""
    from fgdprep.store import Permissions, atomic_write_text

    _check_target(study, output, "the readable codebook")
    book = load_codebook(study, passphrase())
    confirm(len(book.entries))
    data = json.loads(book.to_json())
    atomic_write_text(output, json.dumps(data, ensure_ascii=False, indent=1) + "\n", Permissions())
    study.audit(
        "codebook export",
        counts={"entries": len(book.entries)},
        destination=str(output.resolve()),
    )
    return len(book.entries)


def backup(study: Study, output: Path) -> str:
    """Copy the encrypted codebook (owner-only, never into the shareable area), audited with
    its destination so that a lost codebook's refusal can name it; returns its SHA-256.
    Needs the study lock."""
    from fgdprep.store import Permissions, atomic_write_bytes, sha256_bytes

    if not study.codebook_path.is_file():
        require_codebook(study)
        raise FgdprepError("the study has no codebook yet; 'fgdprep pseudonymise' makes it")
    if output.is_dir():
        output = output / study.codebook_path.name
    _check_target(study, output, "the codebook")
    blob = study.read_bytes(study.codebook_path)
    atomic_write_bytes(output, blob, Permissions())
    digest = sha256_bytes(blob)
    study.audit("codebook backup", outputs={"codebook": digest}, destination=str(output.resolve()))
    return digest
