"""fgdprep: focus-group recordings to citeable, de-identified transcripts, offline."""

__version__ = "0.1.0"

# Before anything imports Presidio: tldextract must never fetch its suffix list at run time.
from fgdprep import _offline  # noqa: F401
