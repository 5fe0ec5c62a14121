"""What changes a transcript: options, hotwords, and the arguments given to faster-whisper."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fgdprep.config import SiteConfig, TranscriptionConfig
from fgdprep.model import Person

#: Whisper prompts hold at most ~220 tokens; hotwords beyond this many words are dropped.
MAX_HOTWORDS = 120
HOTWORD_STRATEGIES = ("prompt", "correct", "off")


@dataclass(frozen=True)
class TranscribeOptions:
    """Everything that changes the transcript; defaults come from the study config."""

    model: str = "tiny.en"
    device: str = "auto"
    compute_type: str = "auto"
    beam_size: int = 5
    vad: bool = True
    condition_on_previous_text: bool = False
    #: "correct" (names as the roster spells them, after decoding without hotwords),
    #: "prompt" (faster-whisper hotwords: known to skip or rewrite speech) or "off".
    hotwords: str = "correct"
    window_seconds: float = 600.0
    cpu_threads: int = 0
    #: Transcribe each segment in the language it is spoken (multilingual models).
    code_switching: bool = False

    @classmethod
    def from_config(cls, config: TranscriptionConfig, **overrides: Any) -> TranscribeOptions:
        values = config.model_dump()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def search_seconds(self) -> float:
        """How far back from a window's end the cut may move to find silence."""
        return min(30.0, self.window_seconds / 4)


def hotwords_for(site: SiteConfig | None, people: Iterable[Person]) -> str | None:
    """Roster names and aliases, then the site's places and facilities, as Whisper hotwords."""
    terms: list[str] = []
    for p in people:
        terms.extend((p.name, *p.aliases))
    if site is not None:
        terms.extend((*site.places, *site.facilities))
    words: list[str] = []
    for term in dict.fromkeys(t.strip() for t in terms if t.strip()):
        words.extend(term.split())
    words = list(dict.fromkeys(words))[:MAX_HOTWORDS]
    return " ".join(words) or None


def whisper_kwargs(
    options: TranscribeOptions, language: str, hotwords: str | None
) -> dict[str, Any]:
    """The keyword arguments given to ``WhisperModel.transcribe`` (the bench uses them too)."""
    return {
        "language": language,
        "beam_size": options.beam_size,
        "vad_filter": options.vad,
        "condition_on_previous_text": options.condition_on_previous_text,
        "word_timestamps": True,
        "hotwords": hotwords if options.hotwords == "prompt" else None,
    }
