"""Session state a moderator can trust: hints that are commands which do what they say."""

from __future__ import annotations

from fgdprep.stages.transcribe import TranscribeRequest


def test_the_resume_hint_repeats_the_options_the_checkpoints_depend_on() -> None:
    """After Ctrl-C in 'transcribe --force --window-seconds 30', plain 'transcribe X' would
    answer "already transcribed" (or start over with other windows): the hint repeats the
    request."""
    request = TranscribeRequest("DS-pre", window_seconds=30.0, force=True)
    assert request.command() == "fgdprep transcribe DS-pre --window-seconds 30 --force"
    model = TranscribeRequest("DS-pre", model="/models/my whisper", beam_size=3)
    assert model.command() == "fgdprep transcribe DS-pre --model '/models/my whisper' --beam-size 3"
    assert TranscribeRequest("DS-pre").command() == "fgdprep transcribe DS-pre"
