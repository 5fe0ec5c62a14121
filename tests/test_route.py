"""Routing rules: pure functions of transcript values, so table-driven."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fgdprep.config import RoutingConfig, parse_config
from fgdprep.errors import ConfigError
from fgdprep.model import (
    AsrStats,
    Flag,
    FlagCode,
    PiiSpan,
    Provenance,
    SpeakerSegment,
    Transcript,
    Turn,
    Word,
)
from fgdprep.stages.route import EXPLAIN, RouteContext, explain, route

OK_ASR = AsrStats(avg_logprob=-0.2, no_speech_prob=0.01, compression_ratio=1.4, temperature=0.0)


def words(text: str, start: float, p: float = 0.9, step: float = 0.4) -> tuple[Word, ...]:
    return tuple(
        Word(start + i * step, start + (i + 1) * step, f" {w}", p)
        for i, w in enumerate(text.split())
    )


def turn(
    text: str,
    start: float,
    end: float,
    speaker: str | None = "P01",
    *,
    p: float = 0.9,
    asr: AsrStats | None = OK_ASR,
    **kw: object,
) -> Turn:
    return Turn(
        start=start,
        end=end,
        text=text,
        speaker=speaker,
        words=words(text, start, p),
        asr=asr,
        id=f"t{round(start * 1000)}",
        **kw,  # type: ignore[arg-type]
    )


def transcript(*turns: Turn) -> Transcript:
    return Transcript("S1", "en", turns, Provenance("speakers", "0"))


CLEAN_BEFORE = turn("Thank you all for coming today.", 0.0, 3.0, "MOD")
CLEAN_AFTER = turn("We talked about the group a lot.", 20.0, 24.0, "MOD")
NAMES = RouteContext(names=("Joseph Okello", "Joe", "Butabika Hospital", "Kampala"))

# (case, the turn in the middle, context, expected codes of the middle turn)
CASES = [
    ("clean", turn("I go to the group every week.", 5.0, 8.0), RouteContext(), set()),
    (
        "n-gram loop",
        turn("we went there and we went there and we went there and", 5.0, 9.0),
        RouteContext(),
        {FlagCode.POSSIBLE_HALLUCINATION},
    ),
    (
        "one word looping",
        turn("no no no no no no", 5.0, 8.0),
        RouteContext(),
        {FlagCode.POSSIBLE_HALLUCINATION},
    ),
    ("said twice is no loop", turn("yes yes I agree", 5.0, 8.0), RouteContext(), set()),
    (
        "high compression ratio",
        turn("It was fine.", 5.0, 8.0, asr=replace(OK_ASR, compression_ratio=2.9)),
        RouteContext(),
        {FlagCode.POSSIBLE_HALLUCINATION},
    ),
    (
        "low word probabilities",
        turn("I think the doctor said so.", 5.0, 8.0, p=0.12),
        RouteContext(),
        {FlagCode.LOW_CONFIDENCE},
    ),
    (
        "low avg_logprob",
        turn("I think so.", 5.0, 8.0, asr=replace(OK_ASR, avg_logprob=-1.4)),
        RouteContext(),
        {FlagCode.LOW_CONFIDENCE},
    ),
    (
        "high no_speech_prob",
        turn("Hmm.", 5.0, 8.0, asr=replace(OK_ASR, no_speech_prob=0.9)),
        RouteContext(),
        {FlagCode.NO_SPEECH},
    ),
    (
        "overlap from the speaker stage",
        turn("I was saying that", 5.0, 8.0, flags=(Flag(FlagCode.OVERLAP, "3 of 4 words"),)),
        RouteContext(),
        {FlagCode.OVERLAP},
    ),
    (
        "speaker unknown",
        turn("Somebody said this.", 5.0, 8.0, speaker=None),
        RouteContext(),
        {FlagCode.UNKNOWN_SPEAKER},
    ),
    (
        "speaker uncertain: a piece shorter than a window",
        turn("Wonderful.", 5.0, 5.8, speaker="P02"),
        RouteContext(pieces=(SpeakerSegment(4.9, 5.9, "SPEAKER_02"),)),
        {FlagCode.UNCERTAIN_SPEAKER, FlagCode.BOUNDARY_BLEED},  # short, between two MOD turns
    ),
    (
        "speaker on a long piece",
        turn("I agree with all of that.", 5.0, 8.0, speaker="P02"),
        RouteContext(pieces=(SpeakerSegment(4.9, 9.0, "SPEAKER_02"),)),
        set(),
    ),
    (
        "name-like near miss of a roster name",
        turn("Then Josef told us to come.", 5.0, 8.0),
        NAMES,
        {FlagCode.NAME_NEAR_MISS},
    ),
    (
        "a place near miss",
        turn("We went to Kampla last year.", 5.0, 8.0),
        NAMES,
        {FlagCode.NAME_NEAR_MISS},
    ),
    ("the name spelt right", turn("Then Joseph told us.", 5.0, 8.0), NAMES, set()),
    ("a possessive of the name", turn("It was Joseph's idea.", 5.0, 8.0), NAMES, set()),
    (
        "untranscribed speech",
        turn("", 5.0, 8.0, asr=None, flags=(Flag(FlagCode.UNTRANSCRIBED_SPEECH, "3.0 s"),)),
        RouteContext(),
        {FlagCode.UNTRANSCRIBED_SPEECH},
    ),
    (
        "other language",
        turn("Nimefurahi sana.", 5.0, 8.0, language="sw"),
        RouteContext(),
        {FlagCode.OTHER_LANGUAGE},
    ),
    (
        "PII pending in the review queue",
        turn("My neighbour Halima came.", 5.0, 8.0),
        RouteContext(pending_pii=frozenset({"t5000"})),
        {FlagCode.UNCERTAIN_PII},
    ),
    (
        "PII span pending on the turn",
        turn(
            "My neighbour Halima came.",
            5.0,
            8.0,
            pii=(PiiSpan(13, 19, "PERSON", "[Person 1]", 0.6, "ner"),),
        ),
        RouteContext(),
        {FlagCode.UNCERTAIN_PII},
    ),
    (
        "a turn a person edited keeps no machine flags",
        turn("no no no no no no", 5.0, 8.0, p=0.1),
        RouteContext(checked=frozenset({"t5000"})),
        set(),
    ),
]


@pytest.mark.parametrize(
    ("case", "middle", "context", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_rules(case: str, middle: Turn, context: RouteContext, expected: set[FlagCode]) -> None:
    routed = route(transcript(CLEAN_BEFORE, middle, CLEAN_AFTER), RoutingConfig(), context)
    assert {f.code for f in routed.turns[1].flags} == expected, case
    assert routed.turns[0].flags == routed.turns[2].flags == ()
    for flag in routed.turns[1].flags:
        assert middle.text not in flag.detail or not middle.text  # numbers, never text


def test_boundary_bleed_is_a_short_turn_between_two_of_another_speaker() -> None:
    a = turn("So what I wanted to say", 0.0, 3.0, "P01")
    short = turn("on the hospital,", 3.0, 3.6, "P02")
    b = turn("is that it helped me.", 3.6, 6.0, "P01")
    routed = route(transcript(a, short, b), RoutingConfig(), RouteContext())
    assert [{f.code for f in t.flags} for t in routed.turns] == [
        set(),
        {FlagCode.BOUNDARY_BLEED},
        set(),
    ]
    assert routed.turns[1].flags[0].detail == "0.6 s between P01"
    # a real answer between the same two speakers is no bleed
    long = replace(short, end=5.0)
    routed = route(transcript(a, long, replace(b, start=5.0)), RoutingConfig(), RouteContext())
    assert all(not t.flags for t in routed.turns)


def test_thresholds_and_rules_come_from_the_config() -> None:
    middle = turn("I think the doctor said so.", 5.0, 8.0, p=0.25)
    t = transcript(CLEAN_BEFORE, middle, CLEAN_AFTER)
    assert route(t, RoutingConfig(), RouteContext()).turns[1].flags == (
        Flag(FlagCode.LOW_CONFIDENCE, "6 of 6 words below 0.30"),
    )
    looser = RoutingConfig(word_probability=0.2)
    assert route(t, looser, RouteContext()).turns[1].flags == ()
    off = RoutingConfig(rules=(FlagCode.OVERLAP,))
    assert route(t, off, RouteContext()).turns[1].flags == ()


def test_every_flag_has_a_rule_and_words() -> None:
    assert set(EXPLAIN) == set(FlagCode)
    assert explain(Flag(FlagCode.OVERLAP, "3 of 4 words with P02")) == (
        "two voices at once: words may be missing or mixed (3 of 4 words with P02)"
    )


def test_routing_config_is_validated_with_the_rest() -> None:
    text = (
        "study: {name: x}\nsites: [{code: DS, name: D, country: TZ, language: en}]\n"
        "routing: {rules: [overlap, louder], word_probability: 2, bleed: 1}\n"
    )
    with pytest.raises(ConfigError) as err:
        parse_config(text, "fgdprep.yaml")
    assert str(err.value.message).splitlines()[1:] == [
        "  - routing.rules.1: Input should be 'low_confidence', 'possible_hallucination',"
        " 'no_speech', 'overlap', 'unknown_speaker', 'uncertain_pii', 'untranscribed_speech',"
        " 'other_language', 'untimed', 'uncertain_speaker', 'boundary_bleed' or 'name_near_miss'",
        "  - routing.word_probability: Input should be less than or equal to 1",
        "  - routing.bleed: unknown key (check its spelling)",
    ]
