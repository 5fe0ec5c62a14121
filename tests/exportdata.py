"""Sessions ready to finalise, saved through the store (no Whisper, no Presidio): the
checked and de-identified transcripts of a short Kiswahili FGD and its English translation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fgdprep.model import (
    Flag,
    FlagCode,
    Provenance,
    Session,
    Stage,
    Transcript,
    Translation,
    TranslationRow,
    Turn,
    source_sha256,
)
from fgdprep.store import Study

#: (speaker, start, end, text, English translation)
DS_TURNS: tuple[tuple[str, float, float, str, str], ...] = (
    ("MOD", 0.0, 4.2, "Karibuni nyote kwenye majadiliano.", "Welcome all to the discussion."),
    (
        "P01",
        5.0,
        12.5,
        "Jina langu ni [P01]. Nilianza kliniki mwaka jana.",
        "My name is [P01]. I started at the clinic last year.",
    ),
    ("P02", 12.0, 15.0, "Ndiyo, hata mimi.", "Yes, me too."),
    ("MOD", 19.5, 22.0, "", ""),  # speech heard, no words (untranscribed)
    ("P03", 22.5, 30.0, "Dawa zinasaidia sana.", "The medicines help a lot."),
)


def make_session(
    root: Path,
    session_id: str = "DS-pre",
    site: str = "DS",
    wave: str = "pre",
    language: str = "sw",
    turns: Sequence[tuple[str, float, float, str, str]] = DS_TURNS,
    checked: bool = True,
    translate: bool = True,
    prefix: str = "",
) -> Study:
    study = Study.open(root)
    made = []
    for i, (speaker, start, end, text, _en) in enumerate(turns):
        flags = (Flag(FlagCode.UNTRANSCRIBED_SPEECH, "2.5 s"),) if not text else ()
        made.append(Turn(start, end, text, speaker, flags=flags, id=f"t{i * 1000 + 1}"))
    transcript = Transcript(session_id, language, tuple(made), Provenance("checked", "test"))
    with study.lock():
        study.save_session(
            Session(session_id, site, wave, "2019-12-10", language, citation_prefix=prefix)
        )
        if checked:
            study.save_transcript(transcript, Stage.CHECKED)
        study.save_transcript(transcript, Stage.PSEUDONYMISED)
        study.save_shareable(transcript)
        if translate:
            rows = tuple(
                TranslationRow(t.id, en, source_sha256(t.text))
                for t, (*_x, en) in zip(made, turns, strict=True)
            )
            study.save_doc(
                study.translation_path(session_id),
                "translation",
                Translation(session_id, "en", language, rows),
            )
    return study
