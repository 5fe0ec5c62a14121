"""Transcription engine beneath ``stages/transcribe.py``: options and hotwords, Whisper segments
as turns, the coverage guard, code-switching, name post-correction, and the windowed run."""
