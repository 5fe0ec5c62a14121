"""``fgdprep export``: finalised sessions only, the leak check first, every format read back
against the finalised units."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from exportdata import DS_TURNS, PASSPHRASE, make_session
from fgdprep.cli import cli
from fgdprep.formats.export import FORMATS, ExportOptions

ENV = {"FGDPREP_PASSPHRASE": PASSPHRASE}


def export(study: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--study", str(study), "export", *args], env=ENV, catch_exceptions=False
    )


def finalise(study: Path, sid: str = "DS-pre") -> None:
    result = CliRunner().invoke(cli, ["--study", str(study), "finalise", sid])
    assert result.exit_code == 0, result.output


def _finalised_units(study: Path, sid: str = "DS-pre") -> list[dict[str, Any]]:
    path = study / "shareable" / "sessions" / sid / "finalised.json"
    units: list[dict[str, Any]] = json.loads(path.read_text())["finalised"]["units"]
    return units


def _body(u: dict[str, Any]) -> str:
    return " ".join(x for x in (u["before"], u["text"], u["after"]) if x)


def test_export_every_format_of_a_finalised_session(study: Path, tmp_path: Path) -> None:
    make_session(study)
    finalise(study)
    out = tmp_path / "out"
    result = export(
        study, "DS-pre", "--format", ",".join(FORMATS), "-o", str(out), "--text", "source"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Exported DS-pre: 5 numbered paragraph(s), source (sw).\n"
        "No leaks in 3 shareable file(s). Wrote 12 file(s) to"
    )
    units = _finalised_units(study)
    for name, cls in FORMATS.items():
        data = (out / f"DS-pre_sw{cls.suffix}").read_bytes()
        read = cls(ExportOptions()).read(data)
        assert [(r.n, r.speaker) for r in read] == [(u["n"], u["speaker"]) for u in units], name
        if name != "rttm":
            assert [r.text for r in read] == [_body(u) for u in units], name
    meta = json.loads((out / "DS-pre_sw.meta.json").read_text())
    assert meta["site"] == "DS" and meta["wave"] == "pre" and meta["pseudonymised"] is True
    # shareable exports carry turn times but no word-level text
    exported = json.loads((out / "DS-pre_sw.json").read_text())["export"]
    assert "words" not in json.dumps(exported)
    assert [(u["start"], u["end"]) for u in exported["units"]] == [(t[1], t[2]) for t in DS_TURNS]
    entry = json.loads((study / "logs" / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["command"] == "export"
    assert entry["counts"]["formats"] == list(FORMATS) and entry["counts"]["units"] == 5
    assert set(entry["outputs"]) == {p.name for p in out.iterdir()}


def test_translation_is_the_default_and_shares_the_numbers(study: Path, tmp_path: Path) -> None:
    make_session(study)
    finalise(study)
    result = export(study, "DS-pre", "--format", "maxqda,vtt", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Exported DS-pre: 5 numbered paragraph(s), translation (en)." in result.output
    lines = (tmp_path / "DS-pre_en_maxqda.txt").read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "MOD: Welcome all to the discussion. #00:00:04-2#",
        "P01: My name is [P01]. I started at the clinic last year. #00:00:12-5#",
        "P02: [crosstalk] Yes, me too. #00:00:15-0#",
        "MOD: (4 s) [inaudible 00:00:19] #00:00:22-0#",
        "P03: The medicines help a lot. #00:00:30-0#",
    ]
    assert "<v P02>[crosstalk] Yes, me too." in (tmp_path / "DS-pre_en.vtt").read_text()


def test_all_sessions_in_one_qdpx(study: Path, tmp_path: Path) -> None:
    from fgdprep.formats.export.qdpx import read_project

    make_session(study)
    make_session(study, "BU-post", site="BU", wave="post", language="lg", translate=False)
    finalise(study)
    finalise(study, "BU-post")
    result = export(study, "--all", "--format", "qdpx", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Exported BU-post: 5 numbered paragraph(s), source (lg)." in result.output
    (project,) = tmp_path.glob("*.qdpx")
    assert project.name == "UPSIDES-peer-support-FGDs_mixed.qdpx"  # English and Luganda
    assert [(n, len(units)) for n, units in read_project(project.read_bytes())] == [
        ("BU-post", 5),
        ("DS-pre", 5),
    ]


def test_export_of_a_session_not_finalised_names_what_is_pending(
    study: Path, tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    make_session(study, checked=False)
    with unchanged(study):
        result = export(study, "DS-pre", "--format", "docx", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output == (
        "Error: DS-pre is not finalised, so it has no paragraph numbers to export; pending:"
        " not back-checked (fgdprep backcheck DS-pre); then run 'fgdprep finalise DS-pre'\n"
    )
    assert not (tmp_path / "out").exists()


def test_unknown_format(study: Path, tmp_path: Path, unchanged: Callable[..., Any]) -> None:
    make_session(study)
    finalise(study)
    with unchanged(study):
        result = export(study, "DS-pre", "--format", "docx,pdf", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown export format 'pdf'; use one or more of " + ", ".join(FORMATS) + "\n"
    )
    assert list(tmp_path.iterdir()) == [study]


def test_translation_asked_for_but_missing(
    study: Path, tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    make_session(study, translate=False)
    finalise(study)
    with unchanged(study):
        result = export(study, "DS-pre", "--text", "translation", "-o", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert result.output == (
        "Error: DS-pre: no translation (translation.json); export the source with --text source\n"
    )


def test_never_into_the_study(study: Path, unchanged: Callable[..., Any]) -> None:
    make_session(study)
    finalise(study)
    for inside in (study / "identifiable" / "x", study / "shareable" / "exports"):
        with unchanged(study):
            result = export(study, "DS-pre", "-o", str(inside))
        assert result.exit_code == 1
        assert result.output == (
            f"Error: {inside} is inside the study folder; write exports to a folder outside it\n"
        )


def test_a_leak_stops_the_export(study: Path, tmp_path: Path) -> None:
    s = make_session(
        study,
        turns=(*DS_TURNS[:4], ("P03", 22.5, 30.0, "Dawa zinasaidia sana.", "Halima said so.")),
    )
    roster = s.roster_path("DS")
    roster.parent.mkdir(parents=True, exist_ok=True)
    roster.write_text("code,name,aliases,role,gender\nP03,Halima Juma,,participant,f\n")
    finalise(study)
    result = export(study, "DS-pre", "--format", "txt", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output == (
        "Error: the leak check found 1 possible leak(s) in the shareable area; nothing was"
        " exported. See them with 'fgdprep leakcheck'\n"
    )
    assert not (tmp_path / "out").exists()


def test_help_lists_every_format_with_where_it_goes() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for name, cls in FORMATS.items():
        assert f"    {name:<12} {cls.where}" in lines, name
    assert max(len(line) for line in lines) <= 80
    assert "MAXQDA: Import › Focus Group Transcripts" in FORMATS["maxqda"].where
    assert "NVivo" in FORMATS["nvivo"].where and "ATLAS.ti" in FORMATS["qdpx"].where


def test_a_forced_finalisation_is_noted(study: Path, tmp_path: Path) -> None:
    make_session(study, checked=False)
    forced = CliRunner().invoke(cli, ["--study", str(study), "finalise", "DS-pre", "--force"])
    assert forced.exit_code == 0
    result = export(study, "DS-pre", "--format", "txt", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Note: DS-pre was finalised with --force while pending: not_backchecked\n"
    )


def test_qdpx_with_the_recording_only_when_asked(tmp_path: Path) -> None:
    import io
    import zipfile

    from lxml import etree

    from conftest import sample_study
    from fgdprep.formats.export.qdpx import NS

    root = sample_study(tmp_path / "s")
    make_session(root, "BU-pre", site="BU", language="en")
    finalise(root, "BU-pre")
    out = tmp_path / "out"
    refused = export(root, "BU-pre", "--format", "docx", "--with-recording", "-o", str(out))
    assert refused.exit_code == 1
    assert refused.output == (
        "Error: --with-recording puts the recording into a qdpx; add qdpx to --format\n"
    )
    result = export(root, "BU-pre", "--format", "qdpx", "--with-recording", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Warning: the .qdpx holds the identifiable recording(s)" in result.output
    data = (out / "BU-pre_en.qdpx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tree = etree.fromstring(archive.read("project.qde"))
        xsd = Path(__file__).parent / "data" / "refi-qda" / "Project-mrt2019.xsd"
        etree.XMLSchema(etree.parse(str(xsd))).assertValid(tree)
        q = f"{{{NS}}}"
        (audio,) = tree.iter(f"{q}AudioSource")
        media = audio.get("path").removeprefix("internal://")
        recording = next((root / "identifiable" / "recordings" / "BU-pre").iterdir())
        assert archive.read(f"sources/{media}") == recording.read_bytes()
        (transcript,) = audio.iter(f"{q}Transcript")
        text = archive.read(
            "sources/" + transcript.get("plainTextPath").removeprefix("internal://")
        ).decode("utf-8")
    points = {p.get("guid"): p for p in transcript.iter(f"{q}SyncPoint")}
    selections = list(transcript.iter(f"{q}TranscriptSelection"))
    assert len(selections) == 5 and len(points) == 10
    first = selections[1]
    start, end = points[first.get("fromSyncPoint")], points[first.get("toSyncPoint")]
    assert (start.get("timeStamp"), end.get("timeStamp")) == ("5000", "12500")
    assert text[int(start.get("position")) : int(end.get("position"))] == (
        "P01: My name is [P01]. I started at the clinic last year."  # the translation
    )
    entry = json.loads((root / "logs" / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["counts"]["recordings"] == 1


def test_a_stale_translation_row_means_the_source_by_default(
    study: Path, tmp_path: Path, unchanged: Callable[..., Any]
) -> None:
    import dataclasses

    from fgdprep.model import Translation

    s = make_session(study)
    path = s.translation_path("DS-pre")
    translation = s.read_doc(path, "translation", Translation)
    stale = dataclasses.replace(translation.rows[2], source_sha256="0" * 64)  # source changed
    rows = (*translation.rows[:2], stale, *translation.rows[3:])
    with s.lock():
        s.save_doc(path, "translation", dataclasses.replace(translation, rows=rows))
    finalise(study)
    result = export(study, "DS-pre", "--format", "txt", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Note: DS-pre: 1 of 5 numbered turns have no current translation; exported the"
        " source text\nExported DS-pre: 5 numbered paragraph(s), source (sw).\n"
    )
    with unchanged(study):
        asked = export(study, "DS-pre", "--text", "translation", "-o", str(tmp_path / "p"))
    assert asked.exit_code == 1
    assert asked.output == (
        "Error: DS-pre: 1 of 5 numbered turns have no current translation (translation.json);"
        " export the source with --text source\n"
    )
