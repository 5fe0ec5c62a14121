"""fgdprep: focus-group recordings to citeable, de-identified transcripts, offline."""

__version__ = "0.1.0"
