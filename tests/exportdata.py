"""Sessions ready to finalise, saved through the store (no Whisper, no Presidio): the
checked and de-identified transcripts of a short Kiswahili FGD and its English translation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fgdprep.codebook import Codebook, save_codebook
from fgdprep.config import ConventionsConfig, NumberingConfig
from fgdprep.formats.export import ExportDoc
from fgdprep.model import (
    Finalised,
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
from fgdprep.stages.finalise import number, translated_units
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


#: The codebook passphrase of the studies made here.
PASSPHRASE = "export-test-passphrase"


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
    with study.lock():  # pseudonymised sessions have a codebook (fgdprep refuses without one)
        if not study.codebook_path.is_file():
            save_codebook(study, Codebook(), PASSPHRASE)
    for i, (speaker, start, end, text, _en) in enumerate(turns):
        flags = (Flag(FlagCode.UNTRANSCRIBED_SPEECH, "2.5 s"),) if not text else ()
        made.append(Turn(start, end, text, speaker, flags=flags, id=f"t{i * 1000 + 1}"))
    transcript = Transcript(session_id, language, tuple(made), Provenance("checked", "test"))
    with study.lock():
        if not study.has_session(session_id):  # an ingested recording's session is kept
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


def sample_finalised(numbering: str = "turn") -> Finalised:
    """The DS sample numbered as ``finalise`` numbers it, at a fixed time (golden files)."""
    made = tuple(
        Turn(
            start,
            end,
            text,
            speaker,
            flags=(Flag(FlagCode.UNTRANSCRIBED_SPEECH, "2.5 s"),) if not text else (),
            id=f"t{i * 1000 + 1}",
        )
        for i, (speaker, start, end, text, _en) in enumerate(DS_TURNS)
    )
    transcript = Transcript("DS-pre", "sw", made, Provenance("deidentified", "test"))
    units = number(transcript, NumberingConfig(mode=numbering), ConventionsConfig())  # type: ignore[arg-type]
    session = Session("DS-pre", "DS", "pre", "2019-12-10", "sw")
    return Finalised(session, "DS", numbering, units, made, "0" * 64, "test", FIXED_AT)


FIXED_AT = "2019-12-11T10:00:00+00:00"
ENGLISH = {f"t{i * 1000 + 1}": en for i, (*_x, en) in enumerate(DS_TURNS)}


def sample_doc(text: str = "source") -> ExportDoc:
    finalised = sample_finalised()
    units = finalised.units
    if text == "translation":
        units = translated_units(finalised, ENGLISH, 60)
    return ExportDoc(
        session_id="DS-pre",
        site="DS",
        wave="pre",
        date="2019-12-10",
        language="en" if text == "translation" else "sw",
        prefix="DS",
        text=text,
        numbering="turn",
        finalised_at=FIXED_AT,
        participants=("MOD", "P01", "P02", "P03"),
        units=units,
    )
