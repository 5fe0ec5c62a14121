"""The leak check on its own: values from codebook and rosters, files of every kind."""

from __future__ import annotations

from pathlib import Path

from conftest import write_docx
from fgdprep.codebook import Codebook
from fgdprep.model import Person, Role
from fgdprep.stages.leakcheck import build_index, check_files, shareable_files

ROSTERS = {
    "PU": (Person("P01", "Sita Patil", ("सीता",)),),
    "DS": (Person("MOD", "Rehema Mushi", ("Mama Rehema",), Role.MODERATOR),),
}


def hits_in(tmp_path: Path, name: str, text: str) -> list[tuple[str, int, str, str]]:
    book = Codebook()
    book.new_entry("LOCATION", "Kijitonyama", "DS-pre", "gazetteer")
    index = build_index(book, ROSTERS, ["Dar es Salaam"], 88)
    path = tmp_path / name
    if name.endswith(".docx"):
        write_docx(path, *text.split("\n"))
    else:
        path.write_text(text, encoding="utf-8")
    return [(h.file, h.paragraph, h.label, h.how) for h in check_files(tmp_path, [path], index)]


def test_inflected_marathi_name_in_text(tmp_path: Path) -> None:
    assert hits_in(tmp_path, "a.txt", "[P01] म्हणाली\nसीताने सांगितले") == [
        ("a.txt", 2, "[P01]", "inflected")
    ]


def test_names_labels_and_allow_list_in_docx(tmp_path: Path) -> None:
    text = "[MOD]: Karibuni Dar es Salaam.\nTulikutana Kijitonyamma na mama rehema.\n[Place 1]"
    assert hits_in(tmp_path, "b.docx", text) == [
        ("b.docx", 2, "[Place 1]", "fuzzy"),
        ("b.docx", 2, "[MOD]", "exact"),
    ]


def test_titles_alone_are_not_names(tmp_path: Path) -> None:
    assert hits_in(tmp_path, "c.txt", "Mama said the doctor came.") == []


def test_every_shareable_file_is_checked(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("x.json", "sub/y.docx", "sub/z.txt", ".hidden"):
        (tmp_path / name).write_text("")
    found = [str(p.relative_to(tmp_path)) for p in shareable_files(tmp_path)]
    assert found == [".hidden", "sub/y.docx", "sub/z.txt", "x.json"]


def test_every_json_string_but_checksums(tmp_path: Path) -> None:
    doc = {
        "kind": "finalised",
        "source_sha256": "8795a0534948dc04affe3830f6fd1407ad621ae6e1ac23ab9e7d08926cd3b772",
        "rows": [{"by": "Rehema Mushi", "text": "[MOD] karibu"}],
    }
    import json

    hits = hits_in(tmp_path, "f.json", json.dumps(doc))
    assert hits == [("f.json", 2, "[MOD]", "exact")]  # the kind, the name; no checksum
