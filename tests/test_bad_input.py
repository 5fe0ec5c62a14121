"""Bad input, command by command: one line, non-zero exit, no traceback, study unchanged.

One table (:data:`CASES`) holds every case: the command line, the bad file it is given
(made by a maker in :data:`MAKERS`: a docx renamed .wav, a wav renamed .docx, empty and
non-UTF-8 files, a 10 MB line, a roster with the wrong columns, a config with a wrong type,
the worksheet or packet of another session, a folder where a file goes...), the exit code and
the exact message. Every command of the Click app has at least one row
(:func:`test_every_command_has_a_row`), so a new command without one fails.

Each case asserts: that exit code, one line (a usage mistake: Click's usage line and hint,
then the one line), no traceback, no roster name, and the study and the files around it
byte for byte as they were, with no new folder: no refusal here writes an audit entry.

The study is made once per module without Whisper or Presidio: two ingested recordings
(espeak-ng), their transcripts saved through the store, one finalised; each case runs on a
copy, so a case that changed it could not hide another.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from conftest import write_docx
from exportdata import PASSPHRASE, make_session
from fgdprep.cli import cli
from fgdprep.formats import packet as docx_packet
from fgdprep.formats import xliff
from fgdprep.model import Provenance, Stage, Transcript, Turn
from fgdprep.stages.translate import packet_of
from fgdprep.store import Study

CONFIG = """\
study:
  name: Bad input study
sites:
  - code: DS
    name: Dar es Salaam
    country: TZ
    language: sw
    transcription: {model: base}
  - code: BU
    name: Butabika
    country: UG
    language: en
"""
ROSTER = """\
code,name,aliases,role,gender
MOD,Rehema Mushi,,moderator,f
P01,Baraka Mwakyusa,,participant,m
P02,Imani Kimaro,Mama Imani,participant,f
P03,Neema Swai,,participant,f
"""
#: A roster a person would write by hand: the columns of a sign-in sheet, not ours.
WRONG_COLUMNS = "id,full name,role\n1,Rehema Mushi,moderator\n"
#: One wrong type in an otherwise good config (a word where a number goes).
WRONG_TYPES = CONFIG + "transcription:\n  beam_size: five\n"
#: Non-UTF-8 text: Latin-1 bytes (é, ü) as an old spreadsheet saves them.
LATIN1 = "code,name,aliases,role\nP01,José Müller,,participant\n".encode("latin-1")
TEN_MB = 10 * 1024 * 1024
#: A paragraph too long for the analyzers that XML parsers still read (they stop at 10 MB).
LONG = 200_000


def run(args: list[str], root: Path, env: dict[str, str] | None = None) -> Result:
    full = {"FGDPREP_STUDY": str(root), "FGDPREP_PASSPHRASE": PASSPHRASE, **(env or {})}
    return CliRunner().invoke(cli, args, env=full, input="")


def _ok(args: list[str], root: Path) -> Result:
    result = run(args, root)
    assert result.exit_code == 0, result.output
    return result


def _turns(session_id: str) -> Transcript:
    said = ("MOD", "Karibuni wote."), ("P01", "Asante sana."), ("P02", "Ndiyo, hata mimi.")
    turns = tuple(
        Turn(2.0 * i, 2.0 * i + 1.5, text, code, id=f"t{i * 1000 + 1}")
        for i, (code, text) in enumerate(said)
    )
    return Transcript(session_id, "sw", turns, Provenance("speakers", "test"))


@dataclasses.dataclass(frozen=True)
class Base:
    """The module's study and the good files the bad ones are made from."""

    root: Path
    wav: Path
    files: Path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    folder = tmp_path_factory.mktemp("badinput")
    files = folder / "files"
    files.mkdir()
    (files / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (files / "roster.csv").write_text(ROSTER, encoding="utf-8")
    root = folder / "study"
    _ok(["init", str(root), "--config", str(files / "config.yaml")], root)
    for sid, wave, said in (("DS-pre", "pre", "karibuni wote"), ("DS-post", "post", "tena")):
        audio = files / f"{sid}.wav"
        subprocess.run(["espeak-ng", "-w", str(audio), said], check=True)
        args = ["ingest", str(audio), "--session", sid, "--site", "DS", "--wave", wave]
        _ok([*args, "--date", "2019-12-10", "--roster", str(files / "roster.csv")], root)
        study = Study.open(root)
        with study.lock():
            study.save_transcript(_turns(sid), Stage.TRANSCRIBED)
            study.save_transcript(_turns(sid), Stage.SPEAKERS)
    # worksheets and packets: DS-pre's are another session's files for DS-post
    for sid in ("DS-pre", "DS-post"):
        _ok(["backcheck", sid, "--all", "-o", str(files / f"{sid}_backcheck.docx")], root)
    make_session(root, "DS-pre", wave="pre")
    make_session(root, "DS-post", wave="post", checked=False, translate=False)
    for sid in ("DS-pre", "DS-post"):
        packet = packet_of(Study.open(root).load_shareable(sid), None, "en")
        (files / f"{sid}_translation.docx").write_bytes(docx_packet.write_docx(packet))
        (files / f"{sid}_translation.xlf").write_bytes(xliff.write(packet))
    _ok(["finalise", "DS-pre", "--force"], root)
    return Base(root, files / "DS-pre.wav", files)


# -- bad files -------------------------------------------------------------------------------


def _docx(dest: Path, base: Base) -> Path:
    return write_docx(dest, "MOD: Karibuni wote.", "P01: Asante sana.")


def _wav(dest: Path, base: Base) -> Path:
    shutil.copyfile(base.wav, dest)
    return dest


def _empty(dest: Path, base: Base) -> Path:
    dest.write_bytes(b"")
    return dest


def _latin1(dest: Path, base: Base) -> Path:
    dest.write_bytes(LATIN1)
    return dest


def _huge(dest: Path, base: Base) -> Path:
    """A 10 MB line: no newline anywhere."""
    dest.write_bytes(b"P01: " + b"a" * TEN_MB)
    return dest


def _text(text: str) -> Callable[[Path, Base], Path]:
    def make(dest: Path, base: Base) -> Path:
        dest.write_text(text, encoding="utf-8")
        return dest

    return make


def _copy(name: str) -> Callable[[Path, Base], Path]:
    def make(dest: Path, base: Base) -> Path:
        shutil.copyfile(base.files / name, dest)
        return dest

    return make


def _folder(dest: Path, base: Base) -> Path:
    dest.mkdir()
    return dest


def _missing(dest: Path, base: Base) -> Path:
    return dest


def _worksheet_with(chars: int) -> Callable[[Path, Base], Path]:
    """DS-post's worksheet with ``chars`` letters typed into the text cell of its first row."""

    def make(dest: Path, base: Base) -> Path:
        import docx

        document = docx.Document(str(base.files / "DS-post_backcheck.docx"))
        document.tables[0].rows[1].cells[3].text = "a" * chars
        document.save(str(dest))
        return dest

    return make


def _packet_with(chars: int) -> Callable[[Path, Base], Path]:
    """DS-post's packet with a translation of ``chars`` letters in its first row (.docx or
    .xlf, as the name says)."""

    def make(dest: Path, base: Base) -> Path:
        packet = packet_of(Study.open(base.root).load_shareable("DS-post"), None, "en")
        first = dataclasses.replace(packet.rows[0], translation="a" * chars)
        packet = dataclasses.replace(packet, rows=(first, *packet.rows[1:]))
        write = xliff.write if dest.suffix == ".xlf" else docx_packet.write_docx
        dest.write_bytes(write(packet))
        return dest

    return make


def _huge_docx(dest: Path, base: Base) -> Path:
    """A real Word document whose one paragraph is a 10 MB line."""
    return write_docx(dest, "P01: " + "a" * TEN_MB)


#: How each kind of bad file is made; the file takes the name a row gives it.
MAKERS: dict[str, Callable[[Path, Base], Path]] = {
    "docx": _docx,
    "wav": _wav,
    "empty": _empty,
    "latin1": _latin1,
    "huge": _huge,
    "folder": _folder,
    "missing": _missing,
    "wrong-columns": _text(WRONG_COLUMNS),
    "wrong-types": _text(WRONG_TYPES),
    "not-xml": _text("this is not XML\n"),
    "roster": _copy("roster.csv"),
    "rttm-long": _text("SPEAKER DS-pre 1 0.000 90.000 <NA> <NA> SPEAKER_00 <NA> <NA>\n"),
    "worksheet-pre": _copy("DS-pre_backcheck.docx"),
    "packet-pre": _copy("DS-pre_translation.docx"),
    "xliff-pre": _copy("DS-pre_translation.xlf"),
    "huge-docx": _huge_docx,
    "huge-worksheet": _worksheet_with(TEN_MB),
    "long-worksheet": _worksheet_with(LONG),
    "huge-packet": _packet_with(TEN_MB),
    "long-packet": _packet_with(LONG),
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One bad input. ``args`` and ``message`` may hold {bad} (the bad file), {study} and
    {tmp} (the folder around the study); ``bad`` is (maker, file name); ``damage`` replaces
    a file of the study with a bad one before the command runs: (path in the study, maker).
    ``message`` is the error line without "Error: " (ending in "…": its start, where the
    rest holds a number that depends on the zlib at hand)."""

    args: tuple[str, ...]
    message: str
    bad: tuple[str, str] | None = None
    code: int = 1
    env: tuple[tuple[str, str], ...] = ()
    damage: tuple[str, str] | None = None

    @property
    def id(self) -> str:
        made = self.bad or self.damage
        return " ".join(self.args) + (f" [{made[1]}: {made[0]}]" if made else "")


def C(*args: str, msg: str, bad: tuple[str, str] | None = None, code: int = 1, **kw: Any) -> Case:
    return Case(tuple(args), msg, bad, code, **kw)


WRONG_PASSPHRASE = (("FGDPREP_PASSPHRASE", "not the passphrase"),)
INGEST = ("--session", "DS-new", "--site", "DS", "--wave", "pre", "--date", "2019-12-11")
IMPORT = ("--site", "DS", "--wave", "pre", "--date", "2019-12-11")
NOPE = (
    "unknown session 'NOPE' (sessions in this study: DS-post, DS-pre); add one with"
    " 'fgdprep ingest'"
)
NOT_AUDIO = (
    "rec.wav: not an audio or video file that can be decoded (expected wav, mp3, m4a/aac,"
    " ogg/opus, flac or mp4)"
)
NOT_UTF8_YAML = "{bad}: not UTF-8 text; save it as UTF-8 (a YAML file)"
NOT_UTF8_ROSTER = "roster {bad}: not UTF-8 text; save it as CSV UTF-8"
NOT_UTF8_TEXT = (
    "t.{ext}: not UTF-8 text (byte 0xe9 at offset 30); save it as UTF-8 (Word: Save As, Plain"
    " Text, Unicode (UTF-8))"
)
WRONG_COLUMNS_MSG = (
    "roster r.csv: missing column(s) code, name; the header must be code,name,aliases,role,gender"
)
TOO_LONG = "has 10,485,765 characters; a paragraph may have at most 100,000"
LONG_MSG = "has 200,000 characters; a paragraph may have at most 100,000"
WRONG_KEY = (
    "wrong passphrase for the codebook identifiable/codebook.enc; nothing was changed (set"
    " FGDPREP_PASSPHRASE or type it when asked)"
)
DAMAGED_CODEBOOK = (
    "identifiable/codebook.enc is not an fgdprep codebook or is damaged; restore it from your"
    " backup (no backup is recorded in the audit log: use your own copy of codebook.enc)"
)
NOT_WORKSHEET = "w.docx is not a Word document (.docx); save the worksheet as .docx and try again"
NOT_PACKET_DOCX = (
    "p.docx: not a readable Word document (PackageNotFoundError); return the packet as .docx"
)
NOT_XML = "p.xlf: not readable XML (XMLSyntaxError)"
REPAIR = "; 'fgdprep check' says how to repair it"
BAD_JSON = "{rel}: cannot be read (not valid JSON (line 1))" + REPAIR
POST_JSON = "identifiable/sessions/DS-post/session.json"
POST_PSEUDONYMISED = "identifiable/sessions/DS-post/pseudonymised.json"

# fmt: off
CASES: tuple[Case, ...] = (
    # -- init: the config it starts from, the folder it makes
    C("init", "{tmp}/new", "--config", "{bad}", msg="config {bad}: file not found",
      bad=("missing", "config.yaml")),
    C("init", "{tmp}/new", "--config", "{bad}", msg=NOT_UTF8_YAML, bad=("latin1", "config.yaml")),
    C("init", "{tmp}/new", "--config", "{bad}", msg=NOT_UTF8_YAML, bad=("docx", "config.yaml")),
    C("init", "{tmp}/new", "--config", "{bad}",
      msg="{bad}: expected a mapping with keys study, sites, ...", bad=("empty", "config.yaml")),
    C("init", "{tmp}/new", "--config", "{bad}",
      msg="{bad}: transcription.beam_size: Input should be a valid integer, unable to parse"
      " string as an integer", bad=("wrong-types", "config.yaml")),
    C("init", "{tmp}/new", "--config", "{bad}",
      msg="{bad}: not a study config (it has no study: or sites: key)",
      bad=("huge", "config.yaml")),
    C("init", "{tmp}/new", "--config", "{bad}", code=2,
      msg="Invalid value for '--config': File '{bad}' is a directory.",
      bad=("folder", "config.yaml")),
    C("init", "{bad}", msg="{bad} exists and is not a folder", bad=("wav", "study.wav")),
    C("init", "{study}", msg="{study} is already an fgdprep study (fgdprep.yaml exists)"),
    # -- the study itself (every command finds it the same way)
    C("--study", "{tmp}/nowhere", "sessions",
      msg="{tmp}/nowhere is not an fgdprep study (no fgdprep.yaml); run 'fgdprep init DIR' to"
      " make one"),
    C("--study", "{bad}", "sessions", code=2,
      msg="Invalid value for '--study': Directory '{bad}' is a file.", bad=("wav", "s.wav")),
    C("sessions", msg="{study}/fgdprep.yaml: not UTF-8 text; save it as UTF-8 (a YAML file)",
      damage=("fgdprep.yaml", "latin1")),
    # -- run
    C("run", "NOPE", msg=NOPE),
    C("run", "{bad}", *INGEST, msg=NOT_AUDIO, bad=("docx", "rec.wav")),
    C("run", "{bad}", *INGEST, bad=("missing", "rec.wav"),
      msg="{bad}: file not found; --session, --site, --wave and --date go with a recording"),
    C("run", "--manifest", "{bad}", bad=("empty", "m.csv"),
      msg="manifest {bad}: no column file, session, site, wave, date, roster (or no rows)"),
    C("run", "--manifest", "{bad}", bad=("latin1", "m.csv"),
      msg="manifest {bad}: cannot be read ('utf-8' codec can't decode byte 0xe9 in position 30:"
      " invalid continuation byte)"),
    C("run", "--manifest", "{bad}", bad=("roster", "m.csv"),
      msg="manifest {bad}: no column file, session, site, wave, date, roster (or no rows)"),
    C("run", "--manifest", "{bad}", bad=("huge", "m.csv"),
      msg="manifest {bad}: cannot be read (field larger than field limit (131072))"),
    C("run", "--manifest", "{bad}", code=2, bad=("folder", "m.csv"),
      msg="Invalid value for '--manifest': File '{bad}' is a directory."),
    # -- ingest
    C("ingest", "{bad}", *INGEST, msg=NOT_AUDIO, bad=("docx", "rec.wav")),
    C("ingest", "{bad}", *INGEST, msg=NOT_AUDIO, bad=("empty", "rec.wav")),
    C("ingest", "{bad}", *INGEST, msg=NOT_AUDIO, bad=("latin1", "rec.wav")),
    C("ingest", "{bad}", *INGEST, msg=NOT_AUDIO, bad=("huge", "rec.wav")),
    C("ingest", "{bad}", *INGEST, msg="{bad}: file not found", bad=("missing", "rec.wav")),
    C("ingest", "{bad}", *INGEST, msg="{bad}: not a file", bad=("folder", "rec.wav")),
    C("ingest", "{tmp}/files/DS-pre.wav", *INGEST[:-1], "2019-13-45",
      msg="date '2019-13-45' must be YYYY-MM-DD"),
    C("ingest", "{tmp}/files/DS-pre.wav", "--session", "DS-pre", *INGEST[2:],
      msg="session DS-pre already exists; choose another id (nothing was changed)"),
    C("ingest", "{tmp}/files/DS-pre.wav", *INGEST, "--roster", "{bad}", msg=NOT_UTF8_ROSTER,
      bad=("latin1", "r.csv")),
    C("ingest", "{tmp}/files/DS-pre.wav", *INGEST, "--roster", "{bad}", msg=WRONG_COLUMNS_MSG,
      bad=("wrong-columns", "r.csv")),
    C("ingest", "{tmp}/files/DS-pre.wav", *INGEST, "--roster", "{bad}", bad=("huge", "r.csv"),
      msg="roster r.csv: not a roster CSV (field larger than field limit (131072))"),
    C("ingest", "{tmp}/files/DS-pre.wav", *INGEST, "--roster", "{bad}", msg=NOT_UTF8_ROSTER,
      bad=("docx", "r.csv")),
    C("ingest", "{tmp}/x.wav", msg="Missing option '--session'.", code=2),
    # -- import
    C("import", "DS-new", "{bad}", *IMPORT, bad=("wav", "t.docx"),
      msg="t.docx: not a Word .docx document (it looks like a WAV recording); for a recording"
      " use 'fgdprep ingest'"),
    C("import", "DS-new", "{bad}", *IMPORT, msg="t.docx: the file is empty",
      bad=("empty", "t.docx")),
    C("import", "DS-new", "{bad}", *IMPORT, msg="t.txt: the file is empty", bad=("empty", "t.txt")),
    C("import", "DS-new", "{bad}", *IMPORT, msg=NOT_UTF8_TEXT.format(ext="txt"),
      bad=("latin1", "t.txt")),
    C("import", "DS-new", "{bad}", *IMPORT, msg=NOT_UTF8_TEXT.format(ext="srt"),
      bad=("latin1", "t.srt")),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("docx", "t.txt"),
      msg="t.txt: not a text file (it looks like a Word .docx or other ZIP file)"),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("huge", "t.txt"),
      msg="t.txt: line 1 has 10,485,760 characters; a paragraph may have at most 100,000;"
      " are its line breaks lost?"),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("huge-docx", "t.docx"),
      msg="t.docx: not a readable Word .docx document (XMLSyntaxError); open it in Word and"
      " save it again as .docx"),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("huge", "t.vtt"),
      msg="t.vtt: not a WebVTT file (its first line must be WEBVTT)"),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("wav", "t.vtt"),
      msg="t.vtt: not a WebVTT file (it looks like a WAV recording); for a recording use"
      " 'fgdprep ingest'"),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("wav", "t.pdf"),
      msg="t.pdf: cannot tell the format from the suffix '.pdf'; use one of .docx, .txt, .text,"
      " .vtt, .srt, or --format"),
    C("import", "DS-new", "{bad}", *IMPORT, bad=("packet-pre", "t.docx"),
      msg="t.docx: table 1 row 1: 7 columns; a transcript table has speaker, text and optionally"
      " a time column"),
    C("import", "DS-new", "{bad}", *IMPORT, msg="{bad}: file not found", bad=("missing", "t.txt")),
    C("import", "DS-new", "{bad}", *IMPORT, msg="{bad}: not a file", bad=("folder", "t.txt")),
    C("import", "DS-new", "{tmp}/files/roster.csv", *IMPORT, "--format", "txt", "--roster",
      "{bad}", msg=WRONG_COLUMNS_MSG, bad=("wrong-columns", "r.csv")),
    # -- transcribe
    C("transcribe", "NOPE", msg=NOPE),
    C("transcribe", "DS-pre", "--beam-size", "abc", code=2,
      msg="Invalid value for '--beam-size': 'abc' is not a valid integer range."),
    C("transcribe", "DS-pre", "--window-seconds", "5", code=2,
      msg="Invalid value for '--window-seconds': 5.0 is not in the range 30<=x<=3600."),
    # -- speakers
    C("speakers", "NOPE", msg=NOPE),
    C("speakers", "DS-post", "--rttm", "{bad}", msg="{bad}: not UTF-8 text; is it an RTTM file?",
      bad=("docx", "s.rttm")),
    C("speakers", "DS-post", "--rttm", "{bad}", msg="{bad}: not UTF-8 text; is it an RTTM file?",
      bad=("latin1", "s.rttm")),
    C("speakers", "DS-post", "--rttm", "{bad}", msg="s.rttm: holds no SPEAKER lines",
      bad=("empty", "s.rttm")),
    C("speakers", "DS-post", "--rttm", "{bad}", bad=("huge", "s.rttm"),
      msg="s.rttm: line 1: not an RTTM line (expected SPEAKER file chan onset dur…)"),
    C("speakers", "DS-post", "--rttm", "{bad}", bad=("rttm-long", "s.rttm"),
      msg="s.rttm: line 1: the turn ends at 90.0 s, after the end of the recording (0.7 s); is"
      " this the RTTM of another recording?"),
    C("speakers", "DS-post", "--rttm", "{bad}", msg="{bad}: file not found",
      bad=("missing", "s.rttm")),
    C("speakers", "DS-post", "--rttm", "{bad}", code=2, bad=("folder", "s.rttm"),
      msg="Invalid value for '--rttm': File '{bad}' is a directory."),
    C("speakers", "DS-post", "--assign", "SPEAKER_00",
      msg="--assign 'SPEAKER_00': write it as LABEL=CODE, e.g. SPEAKER_00=MOD"),
    C("speakers", "DS-post", "--num-speakers", "0", code=2,
      msg="Invalid value for '--num-speakers': 0 is not in the range x>=1."),
    # -- backcheck
    C("backcheck", "NOPE", msg=NOPE),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", msg=NOT_WORKSHEET,
      bad=("wav", "w.docx")),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", msg=NOT_WORKSHEET,
      bad=("empty", "w.docx")),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", msg=NOT_WORKSHEET,
      bad=("latin1", "w.docx")),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", msg=NOT_WORKSHEET,
      bad=("huge", "w.docx")),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", bad=("docx", "w.docx"),
      msg="w.docx is not an fgdprep back-check worksheet (its properties do not say which"
      " session it is); export one with 'fgdprep backcheck SESSION'"),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", bad=("packet-pre", "w.docx"),
      msg="w.docx is not an fgdprep back-check worksheet (its properties do not say which"
      " session it is); export one with 'fgdprep backcheck SESSION'"),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", bad=("worksheet-pre", "w.docx"),
      msg="w.docx is the back-check worksheet of session DS-pre, not DS-post; import it with"
      " 'fgdprep backcheck DS-pre --import w.docx'"),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", bad=("huge-worksheet", "w.docx"),
      msg="w.docx: a part of the document cannot be read (damaged, or a text of 10 MB or more);"
      " correct it in Word or export a new worksheet"),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK", bad=("long-worksheet", "w.docx"),
      msg="w.docx: row 1: the text " + LONG_MSG),
    C("backcheck", "DS-post", "--import", "{bad}", "--by", "AK",
      msg="cannot read {bad} (No such file or directory)", bad=("missing", "w.docx")),
    C("backcheck", "DS-post", "-o", "{bad}", code=2, bad=("folder", "w.docx"),
      msg="Invalid value for '-o' / '--output': File '{bad}' is a directory."),
    C("backcheck", "DS-post", "-o", "{tmp}/w.pdf",
      msg="{tmp}/w.pdf: the worksheet is a Word document; name it ….docx"),
    # -- pseudonymise
    C("pseudonymise", "NOPE", msg=NOPE),
    C("pseudonymise", msg="give a SESSION_ID, or --all for every pseudonymised session", code=2),
    C("pseudonymise", "DS-post", damage=("identifiable/sessions/DS-post/speakers.json", "latin1"),
      msg="identifiable/sessions/DS-post/speakers.json: cannot be read (not UTF-8 text at byte"
      " 30)" + REPAIR),
    # -- review
    C("review", "NOPE", msg=NOPE),
    C("review", "DS-post", "--accept", "abc", code=2,
      msg="Invalid value for '--accept': 'abc' is not a valid integer."),
    C("review", "DS-post", "--accept", "999",
      msg="no suggestion 999 in DS-post; nothing was changed"),
    C("review", "DS-post", "--add", "Someone", msg="give one --as for every --add", code=2),
    C("review", "DS-post", "--add", "Someone", "--as", "NOTATYPE",
      msg="--as NOTATYPE: not a roster code of DS, an entity type (EMAIL, EMAIL_ADDRESS,"
      " FACILITY, HOSPITAL, ID, ID_NUMBER, LOCATION, PERSON, PHONE, PHONE_NUMBER, PLACE, WARD)"
      " or a label in the codebook; nothing was changed"),
    C("review", "doc-0123456789",
      msg="unknown document 'doc-0123456789' (documents in this study: none yet); 'fgdprep"
      " deidentify FILE --site SITE' records one"),
    # -- translate
    C("translate", "NOPE", msg=NOPE),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_PACKET_DOCX,
      bad=("wav", "p.docx")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_PACKET_DOCX,
      bad=("empty", "p.docx")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("docx", "p.docx"),
      msg="p.docx: not a translation packet made by 'fgdprep translate' (its identifying"
      " properties are missing or changed); make a new one with 'fgdprep translate SESSION -o"
      " FILE'"),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("worksheet-pre", "p.docx"),
      msg="p.docx: not a translation packet made by 'fgdprep translate' (its identifying"
      " properties are missing or changed); make a new one with 'fgdprep translate SESSION -o"
      " FILE'"),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("packet-pre", "p.docx"),
      msg="p.docx is the packet of session DS-pre, not DS-post; import it with 'fgdprep"
      " translate DS-pre --import p.docx'"),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("xliff-pre", "p.xlf"),
      msg="p.xlf is the packet of session DS-pre, not DS-post; import it with 'fgdprep"
      " translate DS-pre --import p.xlf'"),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("huge-packet", "p.docx"),
      msg="p.docx: not a readable Word document (XMLSyntaxError); return the packet as .docx"),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_XML,
      bad=("huge-packet", "p.xlf")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("long-packet", "p.docx"),
      msg="p.docx: row 1: the translation " + LONG_MSG + ". Nothing was imported."),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("long-packet", "p.xlf"),
      msg="p.xlf: row 1: the translation " + LONG_MSG + ". Nothing was imported."),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_XML,
      bad=("latin1", "p.xlf")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_XML,
      bad=("empty", "p.xlf")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_XML,
      bad=("not-xml", "p.xlf")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg=NOT_XML,
      bad=("huge", "p.xlf")),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", bad=("wav", "p.pdf"),
      msg="p.pdf: not a translation packet (.docx, or .xlf/.xliff for XLIFF 2.0)"),
    C("translate", "DS-post", "--import", "{bad}", "--by", "NM", msg="{bad}: file not found",
      bad=("missing", "p.docx")),
    C("translate", "DS-post", "--approve", "--by", "Baraka Mwakyusa", code=2,
      msg="Invalid value for '--by': give initials (1-4 letters, e.g. AC), not a name"),
    C("translate", "DS-post", "-o", "{tmp}/p.pdf", code=2,
      msg="-o p.pdf: a docx packet is a .docx file"),
    # -- finalise, reopen
    C("finalise", "NOPE", msg=NOPE),
    C("finalise", "DS-post", msg=BAD_JSON.format(rel=POST_PSEUDONYMISED),
      damage=(POST_PSEUDONYMISED, "empty")),
    C("reopen", "NOPE", msg=NOPE),
    C("reopen", "DS-post", msg="DS-post is not finalised; there is nothing to reopen"),
    # -- export
    C("export", "NOPE", "-o", "{tmp}/out", msg=NOPE),
    C("export", "DS-pre", "--format", "pdf", "-o", "{tmp}/out",
      msg="unknown export format 'pdf'; use one or more of docx, maxqda, maxqda-docx, nvivo,"
      " nvivo-docx, qdpx, txt, vtt, srt, json, rttm"),
    C("export", "DS-pre", "--format", ",", "-o", "{tmp}/out", code=2,
      msg="--format needs at least one format name"),
    C("export", "DS-post", "-o", "{tmp}/out",
      msg="DS-post is not finalised, so it has no paragraph numbers to export; pending: not"
      " back-checked (fgdprep backcheck DS-post); then run 'fgdprep finalise DS-post'"),
    C("export", "DS-pre", "-o", "{bad}", code=2, bad=("wav", "out.docx"),
      msg="Invalid value for '-o' / '--output': Directory '{bad}' is a file."),
    C("export", "DS-pre", "-o", "{study}/shareable/out",
      msg="{study}/shareable/out is inside the study folder; write exports to a folder outside it"),
    C("export", "DS-pre", "-o", "{tmp}/out", msg=WRONG_KEY, env=WRONG_PASSPHRASE),
    # -- archive
    C("archive", "-o", "{bad}", code=2, bad=("wav", "bag"),
      msg="Invalid value for '-o' / '--output': Directory '{bad}' is a file."),
    C("archive", "--verify", "{bad}", bad=("folder", "bag"),
      msg="{bad} is not a BagIt bag (Expected bagit.txt does not exist: {bad}/bagit.txt)"),
    C("archive", "--verify", "{bad}", msg="{bad}: no such folder", bad=("missing", "bag")),
    C("archive", "-o", "{tmp}/bag", "--session", "NOPE", msg=NOPE),
    C("archive", "-o", "{tmp}/bag", "--session", "DS-post",
      msg="DS-post is not finalised; run 'fgdprep finalise DS-post' first"),
    C("archive", "-o", "{study}/shareable/bag",
      msg="{study}/shareable/bag is inside the study folder; archive to a folder outside it"),
    C("archive", "-o", "{tmp}/bag", "--anonymisation-log", "{bad}", code=2, bad=("folder", "log"),
      msg="Invalid value for '--anonymisation-log': File '{bad}' is a directory."),
    C("archive", "-o", "{tmp}/bag", msg=WRONG_KEY, env=WRONG_PASSPHRASE),
    # -- check
    C("check", msg="{study}/fgdprep.yaml: not UTF-8 text; save it as UTF-8 (a YAML file)",
      damage=("fgdprep.yaml", "latin1")),
    C("check", msg="{study}/fgdprep.yaml: not a study config (it has no study: or sites: key)",
      damage=("fgdprep.yaml", "huge")),
    # -- cite
    C("cite", "DS abc",
      msg="malformed citation 'DS abc': 'DS abc' is not a site prefix and paragraph numbers"
      " (e.g. 'DS 84' or 'DS 34–35, 103; BU 45')"),
    C("cite", "",
      msg="malformed citation '': '' is not a site prefix and paragraph numbers (e.g. 'DS 84' or"
      " 'DS 34–35, 103; BU 45')"),
    C("cite", "DS 0",
      msg="malformed citation 'DS 0': '0' is not a range of paragraph numbers from 1 upwards"),
    C("cite", "XX 1", msg="unknown site prefix 'XX' in XX 1; prefixes in this study: BU, DS"),
    C("cite", "DS 1-99999999",
      msg="DS 1–99999999 is past the end: DS-pre has 5 numbered paragraph(s)"),
    # -- show, sessions, status, remove
    C("show", "NOPE", msg=NOPE),
    C("show", "DS-pre", "--stage", "bogus", code=2,
      msg="Invalid value for '--stage': 'bogus' is not one of 'transcribed', 'speakers',"
      " 'checked', 'pseudonymised'."),
    C("show", "DS-pre", msg=BAD_JSON.format(rel="shareable/sessions/DS-pre/deidentified.json"),
      damage=("shareable/sessions/DS-pre/deidentified.json", "huge")),
    C("sessions", msg=BAD_JSON.format(rel=POST_JSON), damage=(POST_JSON, "empty")),
    C("sessions", damage=(POST_JSON, "latin1"),
      msg=POST_JSON + ": cannot be read (not UTF-8 text at byte 30)" + REPAIR),
    C("status", "--site", "XX", msg="unknown site 'XX'; sites in fgdprep.yaml: DS, BU"),
    C("status", "--wave", "nope", msg="unknown wave 'nope'; waves in fgdprep.yaml: pre, post"),
    C("status", damage=("fgdprep.yaml", "wrong-types"),
      msg="{study}/fgdprep.yaml: transcription.beam_size: Input should be a valid integer, unable"
      " to parse string as an integer"),
    C("remove", "NOPE", msg=NOPE),
    C("remove", "DS-post", msg=BAD_JSON.format(rel=POST_JSON), damage=(POST_JSON, "huge")),
    # -- roster
    C("roster", "show", "XX", msg="unknown site 'XX'; sites in fgdprep.yaml: DS, BU"),
    C("roster", "show", "DS", damage=("identifiable/rosters/DS.csv", "latin1"),
      msg="roster {study}/identifiable/rosters/DS.csv: not UTF-8 text; save it as CSV UTF-8"),
    C("roster", "fix", "DS", "P99", "--name", "Someone Else",
      msg="DS has no P99 in its roster (codes: MOD, P01, P02, P03); nothing was changed"),
    C("roster", "fix", "DS", "P01", "--name", "", msg="--name is empty; nothing was changed"),
    # -- leakcheck
    C("leakcheck", msg=WRONG_KEY, env=WRONG_PASSPHRASE),
    C("leakcheck", msg=DAMAGED_CODEBOOK, damage=("identifiable/codebook.enc", "empty")),
    C("leakcheck", damage=("shareable/sessions/DS-post/deidentified.json", "latin1"),
      msg="{study}/shareable/sessions/DS-post/deidentified.json: not UTF-8 text; save it as"
      " UTF-8, .docx or .odt"),
    # -- deidentify
    C("deidentify", "{bad}", "--language", "en", bad=("wav", "notes.docx"),
      msg="{bad}: not a readable docx document (not a zip)"),
    C("deidentify", "{bad}", "--language", "en", bad=("empty", "notes.docx"),
      msg="{bad}: not a readable docx document (not a zip)"),
    C("deidentify", "{bad}", "--language", "en", bad=("latin1", "notes.txt"),
      msg="{bad}: not UTF-8 text; save it as UTF-8, .docx or .odt"),
    C("deidentify", "{bad}", "--language", "en",
      msg="{bad}: line#1 " + TOO_LONG + "; are its line breaks lost?", bad=("huge", "notes.txt")),
    C("deidentify", "{bad}", "--language", "en", bad=("huge-docx", "notes.docx"),
      msg="{bad}: refused: part word/document.xml would unzip to 10.0 MiB (…"),
    C("deidentify", "{bad}", "--language", "en", msg="{bad}: file not found",
      bad=("missing", "notes.txt")),
    C("deidentify", "{bad}", "--language", "en", bad=("wav", "notes.pdf"),
      msg="{bad}: pdf files cannot be de-identified; convert to docx first (Word or LibreOffice:"
      " Save as .docx)"),
    C("deidentify", "{bad}", "--language", "en", code=2, bad=("folder", "notes.txt"),
      msg="Invalid value for 'FILE': File '{bad}' is a directory."),
    C("deidentify", "{bad}", "--site", "XX", msg="unknown site 'XX' (sites in this study: DS, BU)",
      bad=("docx", "notes.docx")),
    C("deidentify", "{tmp}/files/roster.csv", "--language", "en", "--roster", "{bad}",
      msg=WRONG_COLUMNS_MSG, bad=("wrong-columns", "r.csv")),
    # -- codebook
    C("codebook", "backup", "-o", "{study}/shareable/cb.enc",
      msg="{study}/shareable/cb.enc: the codebook may never go into the shareable area; nothing"
      " was changed"),
    C("codebook", "backup", "-o", "{bad}/cb.enc", msg="Not a directory [ENOTDIR] ({bad}/cb.enc)",
      bad=("wav", "x.wav")),
    C("codebook", "rekey", msg=WRONG_KEY, env=WRONG_PASSPHRASE),
    C("codebook", "rekey", msg=DAMAGED_CODEBOOK, damage=("identifiable/codebook.enc", "latin1")),
    C("codebook", "export", "-o", "{tmp}/cb.json", "--yes", msg=WRONG_KEY, env=WRONG_PASSPHRASE),
    C("codebook", "export", "-o", "{study}/shareable/cb.json", "--yes",
      msg="{study}/shareable/cb.json: the readable codebook may never go into the shareable"
      " area; nothing was changed"),
    # -- withdraw
    C("withdraw", "P01", "--site", "XX", "--yes",
      msg="unknown site 'XX'; sites in fgdprep.yaml: DS, BU"),
    C("withdraw", "P99", "--site", "DS", "--yes",
      msg="DS has no P99 in its roster (codes: MOD, P01, P02, P03); nothing was changed"),
    C("withdraw", "P01", "--site", "DS",
      msg="withdrawing DS/P01 replaces every turn they spoke with '[contribution withdrawn]' in"
      " every session (2 attended), translation and finalised transcript and erases their name"
      " from the codebook and rosters; it cannot be undone. Add --yes to confirm; nothing was"
      " changed"),
    C("withdraw", "P01", "--site", "DS", "--yes", msg=WRONG_KEY, env=WRONG_PASSPHRASE),
    # -- demo
    C("demo", "{study}", msg="{study} already holds a study; remove it or name another folder"),
    C("demo", "{bad}", msg="{bad} exists and is not a folder", bad=("wav", "demo")),
)

# fmt: on

#: Words of the roster and of the bad files' names: never in a message.
PERSONAL = ("Rehema", "Mushi", "Baraka", "Mwakyusa", "Imani", "Kimaro", "Neema", "Swai")
PERSONAL += ("José", "Müller")


def command_path(args: tuple[str, ...]) -> tuple[str, ...]:
    """The (sub)command names ``args`` run, global options aside."""
    group: click.Command = cli
    path: list[str] = []
    rest = list(args)
    while isinstance(group, click.Group) and rest:
        word = rest.pop(0)
        if word == "--study":
            rest.pop(0)
            continue
        group = group.commands[word]
        path.append(word)
    return tuple(path)


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += leaf_commands(command, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_every_command_has_a_row() -> None:
    """A command added to the app without a bad-input row fails here."""
    covered = {command_path(c.args) for c in CASES}
    missing = [" ".join(p) for p in leaf_commands(cli) if p not in covered]
    assert not missing, f"no bad-input row for: {', '.join(missing)}"
    assert len(CASES) >= 3 * len(leaf_commands(cli))


def folders(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, base: Base, tmp_path: Path, unchanged: Any) -> None:
    """One line, the exact message, the exit code, no traceback; the study and the files
    around it exactly as they were (no file, no folder, no audit line)."""
    root = tmp_path / "study"
    shutil.copytree(base.root, root)
    shutil.copytree(base.files, tmp_path / "files")
    subs = {"study": str(root), "tmp": str(tmp_path)}
    if case.bad is not None:
        maker, name = case.bad
        subs["bad"] = str(MAKERS[maker](tmp_path / name, base))
    if case.damage is not None:
        rel, maker = case.damage
        (root / rel).unlink()
        MAKERS[maker](root / rel, base)
    args = [a.format(**subs) for a in case.args]
    before = folders(tmp_path)
    with unchanged(tmp_path):
        result = run(args, root, dict(case.env))
    assert folders(tmp_path) == before
    if not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{case.id}: raised {result.exception!r}") from result.exception
    assert "Traceback" not in result.output
    assert not any(word in result.output for word in PERSONAL)
    assert result.exit_code == case.code
    message = "Error: " + case.message.format(**subs)
    lines = result.output.splitlines()
    if case.code == 2:  # a usage mistake: Click's usage line and hint, then the message
        command = " ".join(("cli", *command_path(case.args)))
        hint = re.fullmatch(r"Try '(.+) --help' for help\.", lines[1])
        assert hint is not None and hint[1] in ("cli", command)  # the group's own option: cli
        assert lines[0].startswith(f"Usage: {hint[1]} ")
        lines = lines[2:]
        assert lines.pop(0) == ""
    assert len(lines) == 1
    if message.endswith("…"):
        assert lines[0].startswith(message[:-1])
    else:
        assert lines[0] == message
