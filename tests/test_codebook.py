"""The encrypted codebook: round trip, wrong passphrase, damage, labels."""

from __future__ import annotations

import pytest

from fgdprep.codebook import Codebook, CodebookError, decrypt, encrypt, person_label
from fgdprep.model import Person, Role

FAST = 15  # the lowest cost a codebook file may name (old files); new ones use 2**17


def test_round_trip_and_layout() -> None:
    book = Codebook()
    book.new_entry("PERSON", "Halima Said", "DS-pre", "cues")
    blob = encrypt(book.to_json(), "pass phrase", FAST)
    assert b"Halima" not in blob
    again = Codebook.from_json(decrypt(blob, "pass phrase", "cb"), "cb")
    assert [(e.label, e.value) for e in again.entries] == [("[Person 1]", "Halima Said")]


def test_wrong_passphrase_and_damage_are_told_apart() -> None:
    blob = encrypt(b"{}", "right", FAST)
    with pytest.raises(CodebookError) as wrong:
        decrypt(blob, "wrong", "cb.enc")
    assert wrong.value.message == (
        "wrong passphrase for the codebook cb.enc; nothing was changed"
        " (set FGDPREP_PASSPHRASE or type it when asked)"
    )
    damaged = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(CodebookError) as bad:
        decrypt(damaged, "right", "cb.enc")
    assert bad.value.message == (
        "cb.enc is damaged (it does not match its checksum); restore it from your backup"
    )
    with pytest.raises(CodebookError) as short:
        decrypt(blob[:20], "right", "cb.enc")
    assert "is not an fgdprep codebook or is damaged" in short.value.message


def test_labels_are_numbered_per_type_and_stable() -> None:
    book = Codebook()
    a = book.new_entry("PERSON", "Halima", "s", "cues")
    b = book.new_entry("PERSON", "Salim", "s", "ner")
    c = book.new_entry("LOCATION", "Mkuranga", "s", "cues")
    d = book.new_entry("FACILITY", "Amana", "s", "cues")
    e = book.new_entry("PHONE_NUMBER", "0754 321 987", "s", "phone")
    assert [x.label for x in (a, b, c, d, e)] == [
        "[Person 1]",
        "[Person 2]",
        "[Place 1]",
        "[Hospital 1]",
        "[phone number]",
    ]
    assert book.lookup("PERSON", "  halima ") is None
    assert book.lookup("PERSON", "HALIMA") is a
    book.add_alias(a, "Mama Halima")
    assert book.lookup("PERSON", "mama halima") is a
    book.reject("PERSON", "Salim", "me", "now")
    assert book.lookup("PERSON", "Salim") is b  # a confirmed value stays
    guess = book.new_entry("PERSON", "Call", "notes.txt", "cues", confirmed=False)
    book.reject("PERSON", "Call", "me", "now")
    assert book.lookup("PERSON", "Call") is None and guess not in book.entries
    assert book.is_rejected("PERSON", "salim")
    f = book.new_entry("PERSON", "Peter", "s", "ner")
    assert f.label == "[Person 4]"  # numbers are never reused (Call had 3)


def test_moderator_label() -> None:
    mod = Person("M1", "Rehema", (), Role.MODERATOR)
    p = Person("P03", "Neema")
    assert person_label(mod, [mod, p]) == "[MOD]"
    assert person_label(p, [mod, p]) == "[P03]"
    second = Person("M2", "Anna", (), Role.MODERATOR)
    assert person_label(mod, [mod, second, p]) == "[M1]"
