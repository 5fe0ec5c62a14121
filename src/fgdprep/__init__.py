"""fgdprep: focus-group recordings to citeable, de-identified transcripts, offline."""

__version__ = "0.1.0"

# First, before anything can load onnxruntime or Presidio: their network switches (see _offline).
from fgdprep import _offline  # noqa: F401
