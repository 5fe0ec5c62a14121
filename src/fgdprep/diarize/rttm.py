"""Speaker times from any other diarizer, as an RTTM file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fgdprep.diarize.base import Diarizer
from fgdprep.errors import InputError
from fgdprep.formats.rttm import parse_rttm
from fgdprep.model import AudioInfo, SpeakerSegment
from fgdprep.store import sha256_text


class RttmDiarizer(Diarizer):
    name = "rttm"

    def _text(self) -> tuple[Path, str]:
        path = self.options.rttm
        if path is None:
            raise InputError("the rttm method needs a file: --rttm FILE")
        try:
            return path, path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"{path}: file not found") from None
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text; is it an RTTM file?") from None
        except IsADirectoryError:
            raise InputError(f"{path}: is a folder, not an RTTM file") from None

    def check(self, audio: AudioInfo) -> None:
        path, text = self._text()
        parse_rttm(text, path.name, audio.duration)

    def diarize(self, path: Path, audio: AudioInfo) -> tuple[SpeakerSegment, ...]:
        rttm, text = self._text()
        self._sha = sha256_text(text)
        return parse_rttm(text, rttm.name, audio.duration)

    def provenance(self) -> Mapping[str, Any]:
        return {"rttm_sha256": getattr(self, "_sha", None)}
