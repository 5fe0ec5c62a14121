"""``fgdprep import``: transcripts typed by hand (Word, text, WebVTT, SRT, f4 stamps).

The Luganda passages were written for these tests (plausible Luganda sentences about a peer
support group; no real transcript, no third-party text). Files are real: Word documents are
written with python-docx the way a transcriber types them (the speaker's name in a bold
run, a soft line break, a title line, f4 stamps at the paragraph ends) and read back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run
from fgdprep.formats.typed.f4 import format_stamp, parse_clock, split_stamps
from fgdprep.model import FlagCode, Stage, Transcript
from fgdprep.stages.import_ import NO_TIMES, untimed_id
from fgdprep.store import Study

ROSTER = """code,name,aliases,role,gender
MOD,Sarah Nambooze,Moderator;Nnyabo Sarah,moderator,f
P01,Joseph Ssekandi,Ssekandi,participant,m
P02,Aisha Nakato,Nakato,participant,f
P03,Peter Mukasa,,participant,m
"""

#: (roster code, the name as the transcriber typed it, Luganda text, f4 stamp at the end)
LUGANDA = [
    ("MOD", "Moderator", "Mwasuze mutya mwenna? Webale nnyo okujja mu kibiina kino.", 7.4),
    ("P01", "SSEKANDI", "Twasuze bulungi, nnyabo. Nze Ssekandi, mbeera Nakawa.", 12.2),
    ("P02", "Nakàto", "Ekibiina kyatuyamba nnyo. Nnali sisobola kwebaka,", None),
    ("P02", None, "naye kati nneebaka bulungi era ndya bulungi.", 21.8),
    ("P03", "p03", "Nze eddagala ndimira buli lunaku, Nakato yannyamba.", 27.0),
    ("MOD", "Nnyabo  Sarah", "Kiki ekyakyuka mu bulamu bwammwe?", 31.5),
    ("P01", "Joseph Ssekandi", "Ab'omu maka gange kati bantegeera.", 36.9),
]

IMPORT = ["--site", "BU", "--wave", "pre", "--date", "2025-03-14", "--language", "lg"]


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster_bu.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def typed_docx(path: Path, rows: list[tuple[str, str | None, str, float | None]]) -> Path:
    """A Word file typed as a transcriber does: a title, then per turn a bold name, the
    text and the f4 stamp; a turn's second paragraph has no name."""
    import docx

    document = docx.Document()
    document.add_heading("FGD Butabika, wave pre", level=1)
    document.add_paragraph("Transcribed from the recording by hand")
    for _code, typed, text, stamp in rows:
        paragraph = document.add_paragraph()
        if typed is not None:
            paragraph.add_run(f"{typed}:").bold = True
            paragraph.add_run("\u00a0")
        first, _, rest = text.partition(", ")
        paragraph.add_run(first + ("," if rest else ""))
        if rest:
            paragraph.add_run().add_break()  # a soft line break inside the paragraph
            paragraph.add_run(rest)
        if stamp is not None:
            paragraph.add_run(f" {format_stamp(stamp)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def turns_of(study: Path, session: str = "BU-pre") -> Transcript:
    return Study.open(study).load_transcript(session, Stage.SPEAKERS)


def expected_turns(
    rows: list[tuple[str, str | None, str, float | None]],
) -> list[tuple[str, str, float, float]]:
    """(code, text, start, end) by the f4 convention: a stamp ends its paragraph, the next
    paragraph begins there, the first at 0; an unnamed paragraph continues the turn."""
    out: list[tuple[str, str, float, float]] = []
    previous_end = 0.0
    for code, typed, text, stamp in rows:
        if typed is None:
            last = out.pop()
            out.append((last[0], f"{last[1]} {text}", last[2], stamp or last[3]))
        else:
            out.append((code, text, previous_end, stamp or previous_end))
        previous_end = stamp or previous_end
    return out


def test_luganda_word_transcript_with_f4_stamps_imports_into_speaker_turns(
    tmp_path: Path, study: Path, roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = typed_docx(tmp_path / "bu_pre.docx", LUGANDA)
    result = run(["import", "BU-pre", str(source), *IMPORT, "--roster", str(roster)], study)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Imported BU-pre from a docx file: BU pre 2025-03-14, lg, 6 turns by 4 speakers,"
        " 6 with times.",
        "2 paragraph(s) before the first speaker were left out.",
        "Next: fgdprep run BU-pre   (pseudonymisation; the back-check is optional)",
    ]
    transcript = turns_of(study)
    got = [(t.speaker, t.text, t.start, t.end) for t in transcript.turns]
    assert got == expected_turns(LUGANDA)
    assert [t.id for t in transcript.turns] == [
        f"t{round(t.start * 1000)}" for t in transcript.turns
    ]
    assert not any(t.flags for t in transcript.turns)
    assert transcript.language == "lg"
    session = Study.open(study).load_session("BU-pre")
    assert session.audio is None and session.attendance == ("MOD", "P01", "P02", "P03")
    # the audit log has the counts, never a name or a word of the text
    audit = (study / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    entry = json.loads(audit.splitlines()[-1])
    assert entry["command"] == "import"
    assert entry["counts"] == {
        "format": "docx",
        "turns": 6,
        "speakers": 4,
        "untimed": 0,
        "skipped_paragraphs": 2,
        "attendance": 4,
        "roster_added": 4,
    }
    for word in ("Nakato", "Nakàto", "Ssekandi", "Sarah", "Mukasa", "kibiina"):
        assert word not in audit

    # the session follows the same path: 'run' pseudonymises it (no transcription, no
    # diarization), 'sessions' lists it as text
    monkeypatch.setenv("FGDPREP_PASSPHRASE", "import-test-passphrase")
    ran = run(["run", "BU-pre", "-q"], study)
    assert ran.exit_code == 0, ran.output
    assert "Pseudonymised BU-pre (speakers): 3 replaced (1 location, 2 person)" in ran.output
    shared = Study.open(study).load_shareable("BU-pre")
    assert [t.id for t in shared.turns] == [t.id for t in transcript.turns]
    assert "Nze [P01], mbeera [Place 1]." in shared.turns[1].text
    assert shared.turns[3].text.endswith("lunaku, [P02] yannyamba.")
    listing = run(["sessions"], study).output.splitlines()[1]
    assert listing.split()[:5] == ["BU-pre", "BU", "pre", "2025-03-14", "lg"]
    assert "(text)" in listing and "pseudonymised" in listing
    again = run(["run", "BU-pre", "-q"], study)
    assert again.output.startswith("BU-pre is up to date; nothing to run.")


def imported(study: Path, roster: Path, source: Path, *extra: str) -> Transcript:
    result = run(["import", "BU-pre", str(source), *IMPORT, "--roster", str(roster), *extra], study)
    assert result.exit_code == 0, result.output
    return turns_of(study)


def test_word_table_of_time_speaker_text(tmp_path: Path, study: Path, roster: Path) -> None:
    import docx

    rows = [
        ("Time", "Speaker", "Text"),
        ("00:00:01", "Moderator", "Tutandike. Buli muntu yeeyanjule."),
        ("00:00:06.5", "P01", "Nze Ssekandi."),
        ("", "", "Mbeera Nakawa."),  # the turn goes on in the next row
        ("#00:00:11-2#", "nakato", "Nange ekibiina kyannyamba."),
    ]
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=3)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    source = tmp_path / "table.docx"
    document.save(str(source))
    transcript = imported(study, roster, source)
    got = [
        (t.speaker, t.text, t.start, t.end, t.has_flag(FlagCode.UNTIMED)) for t in transcript.turns
    ]
    assert got == [
        ("MOD", "Tutandike. Buli muntu yeeyanjule.", 1.0, 6.5, False),
        ("P01", "Nze Ssekandi. Mbeera Nakawa.", 6.5, 11.2, False),
        # the last start's turn has no end of its own
        ("P02", "Nange ekibiina kyannyamba.", 11.2, 11.2, True),
    ]
    assert transcript.turns[2].flags[0].detail == "end_from_neighbours"
    assert transcript.turns[2].id == "t11200"


def test_utf8_text_with_stamps_at_the_start(tmp_path: Path, study: Path, roster: Path) -> None:
    lines = [
        "FGD BU pre",
        "",
        "#00:00:02-0# MOD: Mwasuze mutya?",
        "#00:00:04-5# Ssekandi: Bulungi nnyo.",
        "Aisha Nakato: Nange bulungi.",  # typed without a stamp
        "#00:00:09-1# P03: Webale.",
    ]
    source = tmp_path / "bu.txt"
    source.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))  # BOM, CRLF
    transcript = imported(study, roster, source)
    got = [(t.speaker, t.text, t.start, t.end) for t in transcript.turns]
    assert got == [
        ("MOD", "Mwasuze mutya?", 2.0, 4.5),
        ("P01", "Bulungi nnyo.", 4.5, 9.1),  # ends where the next timed turn begins
        ("P02", "Nange bulungi.", 4.5, 9.1),  # between its neighbours, flagged
        ("P03", "Webale.", 9.1, 9.1),
    ]
    assert [t.flags[0].detail if t.flags else None for t in transcript.turns] == [
        None,
        "end_from_neighbours",
        "start_from_neighbours",  # it ends where the next stamped turn begins
        "end_from_neighbours",
    ]
    p02 = transcript.turns[2]
    assert p02.id == untimed_id(3, "P02", "Nange bulungi.")


def test_text_without_times_gets_ids_from_position_and_text(
    tmp_path: Path, study: Path, roster: Path
) -> None:
    source = tmp_path / "notimes.txt"
    source.write_text("MOD: Tutandike.\nP01: Kale.\nMOD: Tutandike.\n", encoding="utf-16")
    transcript = imported(study, roster, source)
    assert [t.id for t in transcript.turns] == [
        untimed_id(1, "MOD", "Tutandike."),
        untimed_id(2, "P01", "Kale."),
        untimed_id(3, "MOD", "Tutandike."),
    ]
    assert len({t.id for t in transcript.turns}) == 3
    assert all(t.start == t.end == 0.0 for t in transcript.turns)
    assert {f.detail for t in transcript.turns for f in t.flags} == {NO_TIMES}


def test_webvtt_voices_and_name_prefixes(tmp_path: Path, study: Path, roster: Path) -> None:
    source = tmp_path / "bu.vtt"
    source.write_text(
        "WEBVTT\n\nNOTE typed from the recording\n\n"
        "1\n00:00:01.000 --> 00:00:03.500\n<v Moderator>Mwasuze mutya</v>\n\n"
        "2\n00:00:03.500 --> 00:00:05.000 align:start\n<v.loud Moderator>mwenna?</v>\n\n"
        "00:00:05.200 --> 00:00:08.000\nSsekandi: Twasuze bulungi &amp; <i>webale</i>.\n\n"
        "00:01:08.000 --> 00:01:09.250\n<v Nakato>Kale.\n",
        encoding="utf-8",
    )
    transcript = imported(study, roster, source)
    got = [(t.speaker, t.text, t.start, t.end) for t in transcript.turns]
    assert got == [
        ("MOD", "Mwasuze mutya mwenna?", 1.0, 5.0),  # two cues, one turn
        ("P01", "Twasuze bulungi & webale.", 5.2, 8.0),
        ("P02", "Kale.", 68.0, 69.25),
    ]
    assert not any(t.flags for t in transcript.turns)


def test_srt_with_name_prefixes(tmp_path: Path, study: Path, roster: Path) -> None:
    source = tmp_path / "bu.srt"
    source.write_text(
        "1\n00:00:00,500 --> 00:00:02,000\nMOD: Webale nnyo\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\nokujja.\n\n"
        "3\n00:00:04,100 --> 00:00:06,000\n- Peter Mukasa: Kale.\n- Nakato: Webale.\n",
        encoding="utf-8",
    )
    transcript = imported(study, roster, source)
    got = [(t.speaker, t.text, t.start, t.end, t.id) for t in transcript.turns]
    assert got == [
        ("MOD", "Webale nnyo okujja.", 0.5, 4.0, "t500"),
        ("P03", "Kale.", 4.1, 6.0, "t4100"),
        ("P02", "Webale.", 4.1, 6.0, "t4100.2"),  # two voices in one cue
    ]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:01:02-3", 62.3),
        ("#00:01:02-3#", 62.3),
        ("1:02:03.25", 3723.25),
        ("01:02", 62.0),
        ("00:00:07,5", 7.5),
        ("P01", None),
        ("1:2", None),
    ],
)
def test_parse_clock(text: str, seconds: float | None) -> None:
    assert parse_clock(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_split_stamps_start_end_and_inside() -> None:
    assert split_stamps("#00:00:01-0# A: x #00:01:00-0# y #00:02:00-5#", "p") == (
        1.0,
        "A: x y",
        120.5,
    )
    assert split_stamps("A: x #00:00:04-2#", "p") == (None, "A: x", 4.2)
    assert split_stamps("#00:00:04-2# A: x", "p") == (4.2, "A: x", None)
    assert format_stamp(62.34) == "#00:01:02-3#"


# --- refusals: exit 1, one line, nothing in the study changed --------------------------------


def wav_file(path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x01" * 16000)
    return path


REFUSALS: list[tuple[str, Callable[[Path], Path], str]] = [
    (
        "unknown names",
        lambda d: typed_docx(
            d / "t.docx",
            [
                ("", "Moderator", "Mwasuze mutya?", 2.0),
                ("", "Kato", "Bulungi.", 4.0),
                ("", "Nalongo Namata", "Nange.", 6.0),
                ("", "KATO", "Webale.", 8.0),
            ],
        ),
        "t.docx: 2 speaker name(s) not in the BU roster: Kato (paragraph 4), Nalongo Namata"
        " (paragraph 5); add each to the roster (name or alias, --roster) or correct the file"
        " (nothing was changed)",
    ),
    (
        "not UTF-8",
        lambda d: _write(d / "t.txt", "MOD: Kale café\n".encode("latin-1")),
        "t.txt: not UTF-8 text (byte 0xe9 at offset 13); save it as UTF-8 (Word: Save As,"
        " Plain Text, Unicode (UTF-8))",
    ),
    ("empty", lambda d: _write(d / "t.docx", b""), "t.docx: the file is empty"),
    (
        "a recording renamed .docx",
        lambda d: wav_file(d / "t.docx"),
        "t.docx: not a Word .docx document (it looks like a WAV recording); for a recording"
        " use 'fgdprep ingest'",
    ),
    (
        "a recording renamed .txt",
        lambda d: wav_file(d / "t.txt"),
        "t.txt: not a text file (it looks like a WAV recording); for a recording use"
        " 'fgdprep ingest'",
    ),
    (
        "no speakers",
        lambda d: _write(d / "t.txt", b"Ekibiina kyatuyamba.\nWebale.\n"),
        "t.txt: no 'Speaker: text' paragraph found; each turn must begin with the speaker's"
        " name or code and a colon",
    ),
    (
        "stamps out of order",
        lambda d: _write(d / "t.txt", b"MOD: a #00:00:09-0#\nP01: b #00:00:05-0#\n"),
        "t.txt: line 2: a time (5.0 s) before an earlier one (9.0 s in the same or an earlier"
        " turn); correct the time stamp",
    ),
    (
        "a speaker without text",
        lambda d: _write(d / "t.txt", b"MOD: a\nP01:\n"),
        "t.txt: line 2: the speaker has no text; add it or delete the line",
    ),
    (
        "a name that fits two people",
        lambda d: _write(d / "t.txt", b"Ssekandi: a\nPeter: b\n"),
        "t.txt: 1 speaker name(s) fit two people: Peter (line 2) fits P01 and P03; type the"
        " code instead (nothing was changed)",
    ),
    (
        "vtt without header",
        lambda d: _write(d / "t.vtt", b"00:00:01.000 --> 00:00:02.000\nMOD: a\n"),
        "t.vtt: not a WebVTT file (its first line must be WEBVTT)",
    ),
    (
        "srt without times",
        lambda d: _write(d / "t.srt", b"1\nMOD: a\n"),
        "t.srt: cue at line 1: no time line such as 00:00:01,000 --> 00:00:04,000; is this an"
        " SRT file?",
    ),
    (
        "a ZIP file renamed .docx",
        lambda d: _zip(d / "t.docx"),
        "t.docx: not a readable Word .docx document (KeyError); open it in Word and save it"
        " again as .docx",
    ),
    (
        "a table and paragraphs",
        lambda d: _table_and_paragraphs(d / "t.docx"),
        "t.docx: holds both a transcript table and 'Speaker: text' paragraphs; keep one of them",
    ),
    (
        "a table of four columns",
        lambda d: _table_and_paragraphs(d / "t.docx", columns=4),
        "t.docx: table 1 row 1: 4 columns; a transcript table has speaker, text and optionally"
        " a time column",
    ),
    (
        "tracked changes",
        lambda d: _tracked(d / "t.docx"),
        "t.docx: holds 1 tracked change(s); accept or reject them in Word (Review, Accept All"
        " Changes) and save it again",
    ),
    (
        "old Word",
        lambda d: _write(d / "t.doc", b"\xd0\xcf\x11\xe0rest"),
        "t.doc: an old Word .doc file; save it as .docx in Word",
    ),
]


def _zip(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "MOD: Kale.")
    return path


def _table_and_paragraphs(path: Path, columns: int = 2) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("MOD: Tutandike.")
    table = document.add_table(rows=1, cols=columns)
    table.cell(0, 0).text = "P01"
    table.cell(0, 1).text = "Kale."
    document.save(str(path))
    return path


def _tracked(path: Path) -> Path:
    """A paragraph with an insertion made while Word tracked changes (w:ins)."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    paragraph = document.add_paragraph("MOD: Tutandike")
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="T" w:date="2025-03-15T10:00:00Z">'
            '<w:r><w:t xml:space="preserve"> leero.</w:t></w:r></w:ins>'
        )
    )
    document.save(str(path))
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("case", "make", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals(
    case: str,
    make: Callable[[Path], Path],
    message: str,
    tmp_path: Path,
    study: Path,
    unchanged: Any,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        ROSTER.replace(",,participant,m", ",Peter,participant,m").replace(
            "Ssekandi,participant", "Ssekandi;Peter,participant"
        )
        if case == "a name that fits two people"
        else ROSTER,
        encoding="utf-8",
    )
    source = make(tmp_path)
    with unchanged(study):
        result = run(["import", "BU-pre", str(source), *IMPORT, "--roster", str(roster)], study)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"


def test_refusals_of_the_session(tmp_path: Path, study: Path, roster: Path, unchanged: Any) -> None:
    source = _write(tmp_path / "t.txt", b"MOD: Kale.\n")
    with unchanged(study):
        result = run(["import", "BU-pre", str(source), *IMPORT], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: site BU has no roster yet; give --roster with the people of the session"
        " (CSV code,name,aliases,role,gender)\n"
    )
    with unchanged(study):
        bad = ["--site", "XX", *IMPORT[2:]]
        result = run(["import", "BU-pre", str(source), *bad, "--roster", str(roster)], study)
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown site 'XX'; sites in fgdprep.yaml: ")
    assert (
        run(["import", "BU-pre", str(source), *IMPORT, "--roster", str(roster)], study).exit_code
        == 0
    )
    with unchanged(study):
        result = run(["speakers", "BU-pre"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: session BU-pre was imported as text: its speakers come from the typed file and"
        " there is no recording to diarize (nothing was changed)\n"
    )
    with unchanged(study):
        result = run(["import", "BU-pre", str(source), *IMPORT], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: session BU-pre already exists; choose another id (nothing was changed)\n"
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("target", ["docx", "txt:Text (encoded):UTF8"])
def test_the_word_file_saved_again_by_a_word_processor_imports_the_same(
    tmp_path: Path, study: Path, roster: Path, target: str
) -> None:
    """LibreOffice rewrites runs and styles as Word does; saved as .docx or as UTF-8 text,
    the transcript reads into the same turns."""
    typed = typed_docx(tmp_path / "typed" / "bu_pre.docx", LUGANDA)
    out = tmp_path / "saved"
    profile = (tmp_path / "lo-profile").as_uri()
    command = ["soffice", f"-env:UserInstallation={profile}", "--headless"]
    subprocess.run(
        [*command, "--convert-to", target, "--outdir", str(out), str(typed)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / f"bu_pre.{target.split(':')[0]}"
    transcript = imported(study, roster, saved)
    got = [(t.speaker, t.text, t.start, t.end) for t in transcript.turns]
    assert got == expected_turns(LUGANDA)


def test_format_option_reads_a_file_whose_suffix_is_wrong(
    tmp_path: Path, study: Path, roster: Path
) -> None:
    source = _write(
        tmp_path / "export.txt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nP01: Kale.\n"
    )
    transcript = imported(study, roster, source, "--format", "vtt")
    assert [(t.speaker, t.text, t.start, t.end) for t in transcript.turns] == [
        ("P01", "Kale.", 1.0, 2.0)
    ]


# --- property: what a typist writes in each format reads back as written ---------------------

_WORD = st.text(alphabet="abcdefghijklmnoprstuwyzABGKLMNSW'’ŋñ", min_size=1, max_size=9)
_TEXTS = st.lists(_WORD, min_size=1, max_size=8).map(" ".join)
_SPEAKERS = st.sampled_from(["MOD", "Nakato", "Joseph Ssekandi", "P03", "Nnyabo Sarah"])


@st.composite
def _turns(draw: st.DrawFn) -> list[tuple[str, str, float, float]]:
    """Turns of alternating speakers with increasing times (tenths of a second)."""
    n = draw(st.integers(1, 8))
    speakers: list[str] = []
    for _ in range(n):
        speakers.append(draw(_SPEAKERS.filter(lambda s: not speakers or s != speakers[-1])))
    t, out = 0, []
    for speaker in speakers:
        start = t + draw(st.integers(0, 50))
        t = start + draw(st.integers(1, 36000))
        out.append((speaker, draw(_TEXTS), start / 10, t / 10))
    return out


def _clock(seconds: float, sep: str) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


@settings(max_examples=60, deadline=None)
@given(_turns(), st.sampled_from(["f4-end", "f4-both", "vtt", "srt"]))
def test_typed_formats_read_back_as_written(
    turns: list[tuple[str, str, float, float]], fmt: str
) -> None:
    from fgdprep.formats.typed import READERS

    if fmt == "f4-end":  # contiguous turns: each paragraph ends where the next begins
        turns = [(s, x, turns[i - 1][3] if i else 0.0, e) for i, (s, x, _b, e) in enumerate(turns)]
        lines = [f"{s}: {x} {format_stamp(e)}" for s, x, _b, e in turns]
    elif fmt == "f4-both":
        lines = [f"{format_stamp(b)} {s}: {x} {format_stamp(e)}" for s, x, b, e in turns]
    elif fmt == "vtt":
        lines = ["WEBVTT", ""] + [
            f"{_clock(b, '.')} --> {_clock(e, '.')}\n<v {s}>{x}</v>\n" for s, x, b, e in turns
        ]
    else:
        lines = [
            f"{i}\n{_clock(b, ',')} --> {_clock(e, ',')}\n{s}: {x}\n"
            for i, (s, x, b, e) in enumerate(turns, 1)
        ]
    reader = READERS["txt" if fmt.startswith("f4") else fmt]()
    typed = reader.read("\n".join(lines).encode("utf-8"), "t")
    got = [(e.speaker, e.text, e.start, e.end) for e in typed.entries]
    if fmt == "f4-end":
        got = [(s, x, turns[i - 1][3] if i else 0.0, e) for i, (s, x, _b, e) in enumerate(got)]
    assert got == [(s, x, pytest.approx(b), pytest.approx(e)) for s, x, b, e in turns]
