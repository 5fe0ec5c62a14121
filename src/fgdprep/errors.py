"""One error hierarchy, raised by stages and shown by Click as a one-line message.

Every message says what went wrong, where, and what to do next. Messages never carry
transcript text or personal data: they name files, sessions, keys and row numbers.
"""

from __future__ import annotations

import click


class FgdprepError(click.ClickException):
    """Base of every error a user can cause; Click prints ``Error: <message>``, exit 1."""

    exit_code = 1


class ConfigError(FgdprepError):
    """The study config (or a file it names) is invalid; lists every problem at once."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        if len(problems) == 1:
            message = f"{source}: {problems[0]}"
        else:
            lines = "\n".join(f"  - {p}" for p in problems)
            message = f"{source}: {len(problems)} problems:\n{lines}"
        super().__init__(message)


class InputError(FgdprepError):
    """A file, option or name the user gave cannot be used."""


class StudyError(FgdprepError):
    """The study folder is missing, locked, or does not hold what a command needs."""


class Stopped(Exception):
    """Work running beside the main steps stopped early because they failed or were
    interrupted (:class:`fgdprep.diarize.base.DiarizeOptions` ``stop``); never shown."""


class StageError(FgdprepError):
    """A stage could not run (model missing, nothing to transcribe, human work in the way)."""
