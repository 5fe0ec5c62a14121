"""What every command shares: the context that finds the study, the options every stage
command has, the codebook passphrase, and operating-system errors as one-line messages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import logging
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import click

from fgdprep.codebook import ENV_PASSPHRASE, NEW_CODEBOOK_NOTICE
from fgdprep.errors import FgdprepError, InputError
from fgdprep.store import Study, find_study_root


class FgdprepGroup(click.Group):
    """Turns operating-system errors (disk full, permission denied) into one-line errors;
    a reader that stopped reading (``fgdprep show X | head``) is no error to report."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # what is still buffered must not fail again at exit (Python's SIGPIPE advice)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except OSError as exc:
            raise FgdprepError(os_error_message(exc)) from None


#: errno of a full disk, a full quota or the file size limit (ulimit -f).
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def os_error_message(exc: OSError) -> str:
    """One line: what the system said, its code (ENOSPC…), the file; for a full disk, that
    every file written before is whole (each write is atomic) and what to do."""
    where = f" ({_named(exc.filename)})" if exc.filename else ""
    name = errno.errorcode.get(exc.errno) if exc.errno is not None else None
    code = f" [{name}]" if name else ""
    message = f"{exc.strerror or exc}{code}{where}"
    if exc.errno in _NO_SPACE:
        message += (
            "; the files written before are whole (a write that fails leaves the old file);"
            " free some space and run the command again"
        )
    return message


#: The temporary name of a file being written (``store.atomic_write_bytes``): .NAME.XXXXXXXX.tmp
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


def _named(filename: object) -> str:
    """The file a person asked for, not the temporary name it was being written under."""
    path = Path(os.fsdecode(filename)) if isinstance(filename, str | bytes) else None
    if path is None:
        return str(filename)
    m = _TEMP_NAME.match(path.name)
    return str(path.with_name(m["name"])) if m else str(path)


@dataclasses.dataclass
class Ctx:
    study_dir: Path | None

    def study(self) -> Study:
        return Study.open(find_study_root(self.study_dir, Path.cwd()))


pass_ctx = click.make_pass_decorator(Ctx)


def _quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """-q: besides our progress and notes, what libraries say below an error (their log
    warnings and Python warnings) stays off stderr."""
    if value:
        logging.getLogger().setLevel(logging.ERROR)
        warnings.simplefilter("ignore")
    return value


_QUIET_HELP = "No progress display, notes or library warnings on stderr (errors still show)."
quiet_option = click.option("--quiet", "-q", is_flag=True, callback=_quiet, help=_QUIET_HELP)
#: The same for a command that has no progress of its own, only libraries that may warn.
quiet_flag = click.option(
    "--quiet", "-q", is_flag=True, callback=_quiet, expose_value=False, help=_QUIET_HELP
)


def ask_passphrase(study: Study | None, prompt: str = "Codebook passphrase") -> str:
    """FGDPREP_PASSPHRASE, else a prompt (asked twice when the codebook is new, after saying
    that its passphrase cannot be recovered and how to keep a backup). A lost codebook of a
    study that had one is refused before anything is asked."""
    from fgdprep.codebook import require_codebook

    new = study is not None and not study.codebook_path.is_file()
    if study is not None and new:
        require_codebook(study)
    value = os.environ.get(ENV_PASSPHRASE)
    if value is None:
        if new:
            click.echo(NEW_CODEBOOK_NOTICE, err=True)
        value = click.prompt(prompt, hide_input=True, confirmation_prompt=new, err=True)
    if not value:
        raise InputError(f"the codebook passphrase is empty; set {ENV_PASSPHRASE} or type one")
    return value


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
