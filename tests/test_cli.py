"""The command line: help, finding the study, the lock, config errors, one-line messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from conftest import UPSIDES, run
from fgdprep.cli import cli
from fgdprep.store import Study


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


@pytest.mark.parametrize("command", _commands(cli), ids=lambda c: " ".join(c))
def test_every_command_has_help_with_example(command: tuple[str, ...]) -> None:
    result = run([*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert "Example: fgdprep" in result.output


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "fgdprep", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "fgdprep, version 0.1.0"


def test_init_default_template(tmp_path: Path) -> None:
    result = run(["init", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    study = Study.open(tmp_path / "s")
    assert [s.code for s in study.config.sites] == ["SITE"]
    assert (tmp_path / "s/identifiable").is_dir() and (tmp_path / "s/shareable").is_dir()
    assert oct((tmp_path / "s/identifiable").stat().st_mode & 0o777) == "0o700"
    assert oct((tmp_path / "s/fgdprep.yaml").stat().st_mode & 0o777) == "0o600"


def test_init_refuses_existing_study(study: Path, unchanged: Any) -> None:
    with unchanged(study):
        result = run(["init", str(study)])
    assert result.exit_code == 1
    assert result.output == f"Error: {study} is already an fgdprep study (fgdprep.yaml exists)\n"


def test_init_missing_config_is_an_error(tmp_path: Path) -> None:
    result = run(["init", str(tmp_path / "s"), "--config", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert result.output == f"Error: config {tmp_path / 'none.yaml'}: file not found\n"
    assert not (tmp_path / "s").exists()


BAD_CONFIG = """\
study: {name: ""}
sites:
  - {code: ds, name: Dar es Salaam, country: Tanzania, language: sw}
  - {code: BU, name: Butabika, country: UG, language: en, citation_prefix: DS}
  - {code: BU, name: Butabika 2, country: UG, language: en}
transcription: {beam_size: 0, modle: base}
"""


def test_bad_config_lists_every_error(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(BAD_CONFIG)
    result = run(["init", str(tmp_path / "s"), "--config", str(cfg)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {cfg}: 6 problems:\n"
        "  - study.name: String should have at least 1 character\n"
        "  - sites.0.code: must be 1-10 uppercase letters or digits starting with a letter,"
        " e.g. DS\n"
        "  - sites.0.country: must be a two-letter ISO 3166 country code, e.g. TZ\n"
        "  - transcription.beam_size: Input should be greater than or equal to 1\n"
        "  - transcription.modle: unknown key (check its spelling)\n"
        "  - sites.2.code: BU is also sites.1.code\n"
    )
    assert not (tmp_path / "s").exists()


def test_cross_field_config_errors(study: Path, unchanged: Any) -> None:
    text = (UPSIDES.read_text() + "\n").replace("  - code: UKE", "  - code: ULM")
    text = text.replace("    name: Pune\n", "    name: Pune\n    citation_prefix: DS\n")
    (study / "fgdprep.yaml").write_text(text)
    with unchanged(study):
        result = run(["sessions"], study)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {study / 'fgdprep.yaml'}: 2 problems:\n"
        "  - sites.1.code: ULM is also sites.0.code\n"
        "  - sites.5.citation_prefix: DS is already used by sites.3\n"
    )


def test_broken_yaml_in_study(study: Path) -> None:
    (study / "fgdprep.yaml").write_text("study: {name: x\nsites: [")
    result = run(["sessions"], study)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {study / 'fgdprep.yaml'}: not valid YAML (line ")


def test_study_found_by_walking_up(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = study / "identifiable" / "sessions"
    deep.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(deep)
    result = CliRunnerNoEnv().invoke(["sessions"])
    assert result.exit_code == 0
    assert result.output == "No sessions yet; add one with 'fgdprep ingest'.\n"


def test_no_study_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunnerNoEnv().invoke(["sessions"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no fgdprep study here (no fgdprep.yaml in {tmp_path} or its parents);"
        " cd into a study, pass --study DIR or set FGDPREP_STUDY\n"
    )


def test_study_option_must_be_a_study(tmp_path: Path) -> None:
    result = run(["--study", str(tmp_path), "sessions"])
    assert result.exit_code == 1
    assert "is not an fgdprep study (no fgdprep.yaml)" in result.output


def test_unknown_session(study: Path, unchanged: Any) -> None:
    with unchanged(study):
        result = run(["transcribe", "DS-pre"], study)
    assert result.exit_code == 1
    assert result.output == (
        "Error: unknown session 'DS-pre' (sessions in this study: none yet);"
        " add one with 'fgdprep ingest'\n"
    )
    assert run(["show", "../etc"], study).exit_code == 1


def test_lock_held_by_another_process(study: Path, short_speech: Path, unchanged: Any) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl,sys,time; f=open(sys.argv[1],'a+b');"
            " fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(study / ".fgdprep" / "lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        args = [
            "ingest",
            str(short_speech),
            "--session",
            "BU-pre",
            "--site",
            "BU",
            "--wave",
            "pre",
            "--date",
            "2024-01-02",
        ]
        with unchanged(study):
            result = run(args, study)
        assert result.exit_code == 1
        assert result.output == (
            f"Error: the study {study} is in use by another fgdprep command;"
            " wait for it to finish and try again\n"
        )
    finally:
        holder.kill()
        holder.wait()


class CliRunnerNoEnv:
    """Invoke without FGDPREP_STUDY so discovery starts from the working directory."""

    def invoke(self, args: list[str]) -> Any:
        from click.testing import CliRunner

        env = {k: v for k, v in os.environ.items() if k != "FGDPREP_STUDY"}
        return CliRunner().invoke(cli, args, env=env | {"FGDPREP_STUDY": ""})
