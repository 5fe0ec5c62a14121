"""Transcription: faster-whisper over windows cut at silences, checkpointed per window.

faster-whisper decodes a whole file into memory (5.4 GB at 88 minutes with tiny.en). Here
the recording is streamed and cut into windows at the quietest point near each window's end;
each window is transcribed on its own, its times shifted by the window's start, and saved as
a checkpoint. Windows never overlap, so no word is doubled; cuts fall in silence, so words are
not split. Peak memory is bounded by one window, and an interrupted run resumes at the first
unfinished window with the same cuts (they depend only on the audio) and the same random seed
per window, so the result is identical to an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from fgdprep import __version__
from fgdprep.asr import (
    GUARD_THRESHOLD,
    SPEECH_THRESHOLD,
    ModelRef,
    decode,
    detect_language,
    silero_chunk_sets,
    silero_chunks,
    whisper_languages,
)
from fgdprep.audio import (
    SAMPLE_RATE,
    Activity,
    Samples,
    energy_speech,
    merge_spans,
    normalise_level,
    stream_mono,
    subtract_spans,
    windows,
)
from fgdprep.config import CONFIG_NAME, SiteConfig, TranscriptionConfig, transcription_problem
from fgdprep.errors import ConfigError, StageError
from fgdprep.memory import trim
from fgdprep.model import (
    AsrStats,
    Flag,
    FlagCode,
    Person,
    Provenance,
    Session,
    Stage,
    Transcript,
    Turn,
    Word,
    dumps,
    loads,
)
from fgdprep.store import CheckpointDir, Study

log = logging.getLogger(__name__)

STAGE = Stage.TRANSCRIBED
#: Whisper prompts hold at most ~220 tokens; hotwords beyond this many words are dropped.
MAX_HOTWORDS = 120
LOW_LOGPROB = -1.0
LOW_WORD_PROBABILITY = 0.45
HALLUCINATED_WORD_PROBABILITY = 0.15
HIGH_COMPRESSION = 2.4
HIGH_NO_SPEECH = 0.6
#: A stretch of speech at least this long with no words is re-decoded, then flagged (the
#: issue asked for 2 s; 1 s brings the AMI development snippets from 94.7 % to 98.5 % of
#: reference speech inside turns, at the price of flagging some noise in near-empty rooms).
MIN_GAP_SECONDS = 1.0
#: Words cover the speech this far either side of their own times.
WORD_REACH = 0.3
#: Temperatures of the re-decoding: greedy first, then Whisper's fallback ladder.
REDECODE_TEMPERATURES = ((0.0,), (0.2, 0.4, 0.6, 0.8, 1.0))
#: A segment is re-decoded in another language when Whisper hears it with this probability.
SWITCH_PROBABILITY = 0.6
#: Segments shorter than this keep the session language (too short to tell).
SWITCH_MIN_SECONDS = 1.5
#: The energy detector backing silero: this far above the window's noise floor.
GUARD_SNR_DB = 20.0
HOTWORD_STRATEGIES = ("prompt", "correct", "off")


@dataclass(frozen=True)
class TranscribeOptions:
    """Everything that changes the transcript; defaults come from the study config."""

    model: str = "tiny.en"
    device: str = "auto"
    compute_type: str = "auto"
    beam_size: int = 5
    vad: bool = True
    condition_on_previous_text: bool = False
    #: "correct" (names as the roster spells them, after decoding without hotwords),
    #: "prompt" (faster-whisper hotwords: known to skip or rewrite speech) or "off".
    hotwords: str = "correct"
    window_seconds: float = 600.0
    cpu_threads: int = 0
    #: Transcribe each segment in the language it is spoken (multilingual models).
    code_switching: bool = False

    @classmethod
    def from_config(cls, config: TranscriptionConfig, **overrides: Any) -> TranscribeOptions:
        values = config.model_dump()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def search_seconds(self) -> float:
        """How far back from a window's end the cut may move to find silence."""
        return min(30.0, self.window_seconds / 4)


class Checkpoints(Protocol):
    def load(self, name: str) -> str | None: ...
    def save(self, name: str, text: str) -> None: ...


@dataclass(frozen=True)
class WindowResult:
    index: int
    start_sample: int
    end_sample: int
    fingerprint: str
    turns: tuple[Turn, ...]
    #: Seconds the speech detector heard, recovered by re-decoding, and left without words.
    speech_s: float = 0.0
    recovered_s: float = 0.0
    untranscribed_s: float = 0.0

    @property
    def start(self) -> float:
        return self.start_sample / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.end_sample / SAMPLE_RATE


def hotwords_for(site: SiteConfig | None, people: Iterable[Person]) -> str | None:
    """Roster names and aliases, then the site's places and facilities, as Whisper hotwords."""
    terms: list[str] = []
    for p in people:
        terms.extend((p.name, *p.aliases))
    if site is not None:
        terms.extend((*site.places, *site.facilities))
    words: list[str] = []
    for term in dict.fromkeys(t.strip() for t in terms if t.strip()):
        words.extend(term.split())
    words = list(dict.fromkeys(words))[:MAX_HOTWORDS]
    return " ".join(words) or None


def whisper_kwargs(
    options: TranscribeOptions, language: str, hotwords: str | None
) -> dict[str, Any]:
    """The keyword arguments given to ``WhisperModel.transcribe`` (the bench uses them too)."""
    return {
        "language": language,
        "beam_size": options.beam_size,
        "vad_filter": options.vad,
        "condition_on_previous_text": options.condition_on_previous_text,
        "word_timestamps": True,
        "hotwords": hotwords if options.hotwords == "prompt" else None,
    }


def check_language(session: Session, ref: ModelRef, multilingual: bool) -> None:
    if session.language not in whisper_languages():
        raise StageError(
            f"Whisper does not know the language {session.language!r} of session {session.id};"
            " type the transcript by hand, or re-ingest with --language if the FGD was held"
            " in another language"
        )
    if not multilingual and session.language != "en":
        raise StageError(
            f"model {ref.name} is English-only but session {session.id} is in"
            f" {session.language!r}; use --model base (pip install 'fgdprep[multilingual]')"
            " or another multilingual model"
        )


def _flags(segment: Any, words: Sequence[Word]) -> tuple[Flag, ...]:
    flags = []
    mean_p = sum(w.probability for w in words) / len(words) if words else 1.0
    if segment.avg_logprob < LOW_LOGPROB or mean_p < LOW_WORD_PROBABILITY:
        flags.append(
            Flag(FlagCode.LOW_CONFIDENCE, f"avg_logprob={segment.avg_logprob:.2f} p={mean_p:.2f}")
        )
    if segment.compression_ratio > HIGH_COMPRESSION:
        flags.append(
            Flag(FlagCode.POSSIBLE_HALLUCINATION, f"compression={segment.compression_ratio:.2f}")
        )
    elif words and mean_p < HALLUCINATED_WORD_PROBABILITY:
        # Words the model itself barely believes: typically hotwords (roster names!)
        # emitted into a pause at the highest fallback temperature.
        flags.append(Flag(FlagCode.POSSIBLE_HALLUCINATION, f"p={mean_p:.2f}"))
    elif segment.no_speech_prob > HIGH_NO_SPEECH and segment.avg_logprob < LOW_LOGPROB:
        flags.append(Flag(FlagCode.NO_SPEECH, f"no_speech_prob={segment.no_speech_prob:.2f}"))
    return tuple(flags)


def segment_to_turn(segment: Any, offset: float, activity: Activity | None = None) -> Turn:
    """A Whisper segment as a draft turn (speaker unknown), times shifted by ``offset``.

    With ``activity`` (the window's sound), word times are shrunk to the sound inside them,
    and the turn spans its words.
    """
    raw = [w for w in segment.words or () if w.word.strip()]
    words = []
    for i, w in enumerate(raw):
        start, end = w.start, w.end
        if activity is not None:
            prefer = "last" if i == 0 else "first" if i == len(raw) - 1 else "longest"
            start, end = activity.tighten(start, end, prefer)
        words.append(
            Word(
                round(start + offset, 3),
                round(end + offset, 3),
                w.word.strip(),
                round(float(w.probability), 4),
            )
        )
    start, end = segment.start + offset, segment.end + offset
    if words:
        start, end = words[0].start, max(w.end for w in words)
    return Turn(
        start=round(start, 3),
        end=round(end, 3),
        text=segment.text.strip(),
        words=tuple(words),
        flags=_flags(segment, words),
        asr=AsrStats(
            round(float(segment.avg_logprob), 4),
            round(float(segment.no_speech_prob), 4),
            round(float(segment.compression_ratio), 4),
            float(segment.temperature or 0.0),
        ),
    )


# --- one window: level, speech, words, the coverage guard -----------------------------------


@dataclass(frozen=True)
class WindowTurns:
    turns: tuple[Turn, ...]
    speech_s: float
    recovered_s: float
    untranscribed_s: float


def speech_spans(
    level: Samples, fine_chunks: list[dict[str, int]] | None = None
) -> list[tuple[float, float]]:
    """Where the speech detector hears speech (seconds): silero at :data:`GUARD_THRESHOLD`,
    backed by an energy detector for quiet far-field voices silero misses."""
    if fine_chunks is None:
        fine_chunks = silero_chunks(level, GUARD_THRESHOLD, fine=True)
    fine = [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in fine_chunks]
    loud = energy_speech(level, snr_db=GUARD_SNR_DB)
    return merge_spans([*fine, *loud], bridge=WORD_REACH)


def _covered(turns: Iterable[Turn], offset: float) -> list[tuple[float, float]]:
    spans = []
    for t in turns:
        parts = [(w.start, w.end) for w in t.words] or [(t.start, t.end)]
        spans += [(a - offset - WORD_REACH, b - offset + WORD_REACH) for a, b in parts]
    return spans


def _inside(turn: Turn, lo: float, hi: float) -> Turn | None:
    """The part of a re-decoded turn whose words lie in ``[lo, hi]`` (absolute seconds)."""
    words = tuple(w for w in turn.words if lo <= (w.start + w.end) / 2 <= hi)
    if not words:
        return None
    if len(words) == len(turn.words):
        return turn
    return replace(
        turn,
        start=words[0].start,
        end=max(w.end for w in words),
        words=words,
        text=" ".join(w.text for w in words),
    )


#: Re-decoded words are taken only when Whisper is confident of them: at high temperature
#: it fills noise with its training subtitles ("Thank you for watching.").
_UNRELIABLE = (FlagCode.POSSIBLE_HALLUCINATION, FlagCode.NO_SPEECH, FlagCode.LOW_CONFIDENCE)


def redecode(
    model: Any,
    level: Samples,
    gap: tuple[float, float],
    offset: float,
    language: str,
    options: TranscribeOptions,
) -> list[Turn]:
    """Words of a stretch of speech the first pass left empty: decoded on its own, its level
    normalised, with no prompt and no hotwords, greedy and then with temperature fallback.
    Words Whisper itself doubts (low confidence, hallucination, no speech) are not taken:
    the stretch is then flagged for the moderator instead."""
    lo = max(0, int((gap[0] - WORD_REACH) * SAMPLE_RATE))
    hi = min(len(level), int((gap[1] + WORD_REACH) * SAMPLE_RATE))
    chunk, _gain = normalise_level(level[lo:hi])
    activity = Activity.of(chunk)
    start = offset + lo / SAMPLE_RATE
    for temperature in REDECODE_TEMPERATURES:
        segments = decode(
            model,
            chunk,
            None,
            language=language,
            beam_size=options.beam_size,
            condition_on_previous_text=False,
            word_timestamps=True,
            temperature=temperature,
        )
        turns = [segment_to_turn(s, start, activity) for s in segments if s.text.strip()]
        kept = [
            part
            for t in turns
            if not any(t.has_flag(c) for c in _UNRELIABLE)
            and (part := _inside(t, offset + gap[0], offset + gap[1])) is not None
        ]
        if kept:
            return kept
    return []


def switch_languages(
    model: Any,
    level: Samples,
    offset: float,
    turns: Sequence[Turn],
    language: str,
    options: TranscribeOptions,
) -> list[Turn]:
    """Each turn in the language it is spoken: a turn Whisper hears in another language is
    transcribed again in that language (never translated), recorded and flagged, when Whisper
    is surer of those words than of the first ones."""
    out = []
    for turn in turns:
        lo = max(0, int((turn.start - offset - 0.1) * SAMPLE_RATE))
        hi = min(len(level), int((turn.end - offset + 0.1) * SAMPLE_RATE))
        same = replace(turn, language=language)
        if not turn.words or (hi - lo) < SWITCH_MIN_SECONDS * SAMPLE_RATE:
            out.append(same)
            continue
        spoken, p = detect_language(model, level[lo:hi])
        if spoken == language or p < SWITCH_PROBABILITY:
            out.append(same)
            continue
        chunk = level[lo:hi]
        segments = decode(
            model,
            chunk,
            None,
            language=spoken,
            task="transcribe",
            beam_size=options.beam_size,
            condition_on_previous_text=False,
            word_timestamps=True,
        )
        activity = Activity.of(chunk)
        again = [
            replace(
                t,
                language=spoken,
                flags=(*t.flags, Flag(FlagCode.OTHER_LANGUAGE, f"{spoken} p={p:.2f}")),
            )
            for s in segments
            if s.text.strip() and (t := segment_to_turn(s, offset + lo / SAMPLE_RATE, activity))
        ]
        # Taken only when Whisper is surer of the words in the language it heard than of
        # those it was made to produce in the session's language.
        if again and _mean_p(again) > _mean_p([turn]):
            out.extend(again)
        else:
            out.append(same)
    return out


def _mean_p(turns: Sequence[Turn]) -> float:
    ps = [w.probability for t in turns for w in t.words]
    return sum(ps) / len(ps) if ps else 0.0


def transcribe_window(
    model: Any,
    audio: Samples,
    offset: float,
    options: TranscribeOptions,
    language: str,
    hotwords: str | None,
    multilingual: bool = False,
) -> WindowTurns:
    """One window: level normalised, speech detected, decoded, names corrected, and every
    stretch of speech of :data:`MIN_GAP_SECONDS` or more without words re-decoded or turned
    into a turn flagged ``untranscribed_speech``. Never a silent gap."""
    level, _gain = normalise_level(audio)
    kwargs = whisper_kwargs(options, language, hotwords)
    del kwargs["vad_filter"]
    chunks, fine_chunks = silero_chunk_sets(
        level, ((SPEECH_THRESHOLD, False), (GUARD_THRESHOLD, True))
    )
    activity = Activity.of(level)
    segments = decode(model, level, chunks if options.vad else None, **kwargs)
    turns = [segment_to_turn(s, offset, activity) for s in segments if s.text.strip()]
    speech = speech_spans(level, fine_chunks)
    gaps = [
        g
        for g in merge_spans(subtract_spans(speech, _covered(turns, offset)), bridge=WORD_REACH)
        if g[1] - g[0] >= MIN_GAP_SECONDS
    ]
    recovered = untranscribed = 0.0
    for gap in gaps:
        found = redecode(model, level, gap, offset, language, options)
        if found:
            recovered += gap[1] - gap[0]
            turns.extend(found)
        else:
            untranscribed += gap[1] - gap[0]
            turns.append(
                Turn(
                    start=round(offset + gap[0], 3),
                    end=round(offset + gap[1], 3),
                    text="",
                    flags=(Flag(FlagCode.UNTRANSCRIBED_SPEECH, f"{gap[1] - gap[0]:.1f} s"),),
                    language=language if options.code_switching else None,
                )
            )
    if options.code_switching and multilingual:
        turns = switch_languages(model, level, offset, turns, language, options)
    if options.hotwords == "correct" and hotwords:
        names = tuple(hotwords.split())
        turns = [correct_names(t, names) for t in turns]
    turns.sort(key=lambda t: (t.start, t.end))
    turns = [
        replace(t, flags=(Flag(FlagCode.UNTRANSCRIBED_SPEECH, f"{t.end - t.start:.1f} s"),))
        if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)
        else t
        for t in absorb(turns, speech, offset)
    ]
    # sums start at 0.0: an int 0 would be read back from a checkpoint as 0.0, and a resumed
    # run's transcript would differ from an uninterrupted one's
    untranscribed = sum(
        (t.end - t.start for t in turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)), 0.0
    )
    return WindowTurns(
        tuple(turns),
        round(sum((e - s for s, e in speech), 0.0), 2),
        round(recovered, 2),
        round(untranscribed, 2),
    )


#: Speech shorter than :data:`MIN_GAP_SECONDS` this close to a turn belongs to that turn.
ABSORB_SECONDS = 0.6


def absorb(turns: list[Turn], speech: Sequence[tuple[float, float]], offset: float) -> list[Turn]:
    """Turns stretched over the short bits of speech next to them that hold no words.

    Whisper's words are shrunk to their sound, so a breath, a hesitation or a listener's
    "mm" just before or after a turn lies outside every turn. Such a stretch (shorter than
    :data:`MIN_GAP_SECONDS`, within :data:`ABSORB_SECONDS` of a turn) is part of that turn's
    span: the moderator who plays the turn hears it. Longer ones were re-decoded or flagged.
    """
    if not turns:
        return turns
    spans = [(t.start - offset, t.end - offset) for t in turns]
    out = list(turns)
    for a, b in subtract_spans(speech, spans):
        if b - a >= MIN_GAP_SECONDS:
            continue
        before = [i for i, t in enumerate(out) if a - ABSORB_SECONDS <= t.end - offset <= a + 1e-6]
        after = [i for i, t in enumerate(out) if b - 1e-6 <= t.start - offset <= b + ABSORB_SECONDS]
        if before:
            i = max(before, key=lambda k: out[k].end)
            out[i] = replace(out[i], end=round(max(out[i].end, offset + b), 3))
        elif after:
            i = min(after, key=lambda k: out[k].start)
            out[i] = replace(out[i], start=round(min(out[i].start, offset + a), 3))
    return out


# --- names as the roster spells them --------------------------------------------------------

#: How close (rapidfuzz ratio, 0-100) a word must be to a roster or gazetteer name.
NAME_SIMILARITY = 84.0
#: ... unless Whisper was this sure of the word: then only a closer match is rewritten.
SURE_WORD = 0.85
SURE_SIMILARITY = 92.0


#: Words of facility names and titles that are ordinary words: never a correction target.
GENERIC_WORDS = frozenset(
    [
        "hospital",
        "hospitals",
        "clinic",
        "centre",
        "center",
        "health",
        "national",
        "referral",
        "regional",
        "district",
        "university",
        "general",
        "medical",
        "ward",
        "station",
        "unit",
        "care",
        "home",
        "mental",
        "village",
        "town",
        "city",
        "street",
        "road",
        "market",
        "school",
        "church",
        "mosque",
        "madam",
        "mama",
        "baba",
        "mister",
        "mr",
        "mrs",
        "ms",
        "dr",
        "doctor",
        "sister",
        "brother",
        "uncle",
        "aunt",
        "klinik",
        "klinikum",
        "krankenhaus",
        "universitätsklinikum",
        "bezirkskrankenhaus",
        "für",
        "psychiatrie",
        "und",
        "der",
        "die",
        "das",
        "hospitali",
        "kituo",
        "cha",
        "afya",
        "ya",
        "wa",
        "la",
    ]
)


def _name_key(text: str) -> str:
    from fgdprep.text import norm

    return norm(text.strip(".,;:!?\"'()[]-"))


def _best_name(key: str, names: Sequence[str]) -> tuple[str, float]:
    from rapidfuzz import fuzz

    from fgdprep.text import phonetic

    best, score = "", 0.0
    for name in names:
        nkey = _name_key(name)
        if nkey in GENERIC_WORDS:
            continue
        s = float(fuzz.ratio(key, nkey))
        if phonetic(key) == phonetic(nkey):
            s = max(s, 95.0)
        if s > score:
            best, score = name, s
    return best, score


def correct_names(turn: Turn, names: Sequence[str]) -> Turn:
    """Near-misses of roster and gazetteer names rewritten to their spelling.

    A word (or two words Whisper split a name into) is rewritten only when it already
    sounds and reads like the name (similarity ≥ :data:`NAME_SIMILARITY`, or the same sound
    key), and more closely still when Whisper was sure of the word: a name is never put
    where nothing like it was said."""
    words = list(turn.words)
    changed = False
    i = 0
    while i < len(words):
        w = words[i]
        key = _name_key(w.text)
        done = False
        if i + 1 < len(words) and len(key) >= 2:
            pair = key + _name_key(words[i + 1].text)
            name, score = _best_name(pair, names)
            if score >= SURE_SIMILARITY and len(pair) >= 5 and _name_key(name) != key:
                tail = words[i + 1].text[len(words[i + 1].text.rstrip(".,;:!?")) :]
                words[i : i + 2] = [
                    Word(
                        w.start,
                        words[i + 1].end,
                        name + tail,
                        round(min(w.probability, words[i + 1].probability), 4),
                    )
                ]
                changed = done = True
        if not done and len(key) >= 4:
            name, score = _best_name(key, names)
            need = SURE_SIMILARITY if w.probability >= SURE_WORD else NAME_SIMILARITY
            core = w.text.strip(".,;:!?\"'()[]-")
            if score >= need and key != _name_key(name):
                words[i] = replace(w, text=w.text.replace(core, name, 1))
                changed = True
        i += 1
    if not changed:
        return turn
    return replace(turn, words=tuple(words), text=" ".join(x.text for x in words))


def fingerprint(
    audio_sha256: str, ref: ModelRef, options: TranscribeOptions, kwargs: dict[str, Any]
) -> str:
    """Identifies a run: a checkpoint made with other audio, model or options is not reused."""
    model_bin = ref.path / "model.bin"
    key = {
        "audio": audio_sha256,
        "model": ref.name,
        "model_size": model_bin.stat().st_size if model_bin.exists() else None,
        "options": asdict(options) | {"device": None, "cpu_threads": None},
        "kwargs": kwargs,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def transcribe(
    audio: Path,
    session: Session,
    load: Callable[[], Any],
    ref: ModelRef,
    options: TranscribeOptions,
    hotwords: str | None,
    checkpoints: Checkpoints,
) -> Iterator[WindowResult]:
    """Transcribe ``audio`` window by window, yielding each finished window in order.

    ``load`` gives a fresh model. Whisper's temperature fallback samples at random, and
    CTranslate2 seeds each worker thread's generator once, when the thread first samples; a
    model loaded per window (0.3 s for tiny.en) after seeding with the window's index makes
    every window reproducible, so a resumed run equals an uninterrupted one.
    """
    import ctranslate2

    assert session.audio is not None
    kwargs = whisper_kwargs(options, session.language, hotwords)
    fp = fingerprint(session.audio.sha256, ref, options, kwargs)
    window_samples = int(options.window_seconds * SAMPLE_RATE)
    search_samples = int(options.search_seconds * SAMPLE_RATE)
    for window in windows(stream_mono(audio), window_samples, search_samples):
        name = f"window-{window.index:05d}"
        saved = checkpoints.load(name)
        if saved is not None:
            try:
                done = loads("window", WindowResult, saved)
            except ValueError:
                done = None
            if done and (done.fingerprint, done.start_sample, done.end_sample) == (
                fp,
                window.start,
                window.end,
            ):
                log.info("window %d: reused checkpoint", window.index)
                yield done
                continue
        ctranslate2.set_random_seed(window.index + 1)
        model = load()
        offset = window.start / SAMPLE_RATE
        done_window = transcribe_window(
            model,
            window.audio,
            offset,
            options,
            session.language,
            hotwords,
            bool(model.model.is_multilingual),
        )
        result = WindowResult(
            window.index,
            window.start,
            window.end,
            fp,
            done_window.turns,
            done_window.speech_s,
            done_window.recovered_s,
            done_window.untranscribed_s,
        )
        checkpoints.save(name, dumps("window", result))
        del model, done_window
        trim()  # the window's arrays go back to the system (see fgdprep.memory)
        log.info("window %d: %d turns", window.index, len(result.turns))
        yield result


def coverage(results: Iterable[WindowResult]) -> dict[str, float]:
    """Seconds of speech heard, recovered by re-decoding, and left untranscribed."""
    rs = list(results)
    return {
        "speech_s": round(sum(r.speech_s for r in rs), 1),
        "recovered_s": round(sum(r.recovered_s for r in rs), 1),
        "untranscribed_s": round(sum(r.untranscribed_s for r in rs), 1),
    }


def coverage_line(results: Iterable[WindowResult]) -> str:
    """What the coverage guard did, for the moderator: never a silent gap."""
    rs = list(results)
    c = coverage(rs)
    flagged = sum(1 for r in rs for t in r.turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH))
    return (
        f"Speech check: {c['speech_s']:.0f} s of speech heard; {c['recovered_s']:.1f} s with"
        f" no words re-decoded and recovered; {c['untranscribed_s']:.1f} s left untranscribed"
        f" in {flagged} turn(s) flagged untranscribed_speech (listen to them)."
    )


def untranscribed_note(transcript: Transcript) -> str:
    """ ", 2 untranscribed (8 s)" for a transcript with turns flagged untranscribed_speech."""
    turns = [t for t in transcript.turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)]
    if not turns:
        return ""
    return f", {len(turns)} untranscribed ({sum(t.end - t.start for t in turns):.0f} s)"


def assemble(
    session: Session,
    results: Iterable[WindowResult],
    ref: ModelRef,
    options: TranscribeOptions,
    hotwords: str | None,
) -> Transcript:
    """The draft transcript: one turn per Whisper segment, in time order, speaker unknown."""
    results = list(results)
    turns = tuple(t for r in results for t in r.turns)
    kwargs = whisper_kwargs(options, session.language, hotwords)
    kwargs["hotwords"] = len(hotwords.split()) if options.hotwords != "off" and hotwords else 0
    import faster_whisper

    provenance = Provenance(
        stage=STAGE,
        tool_version=__version__,
        model=ref.name,
        options=kwargs
        | {
            "window_seconds": options.window_seconds,
            "compute_type": options.compute_type,
            "faster_whisper": faster_whisper.__version__,
            "hotword_strategy": options.hotwords,
            "code_switching": options.code_switching,
            "speech_threshold": SPEECH_THRESHOLD,
            "coverage": coverage(results),
        },
    )
    return Transcript(session.id, session.language, turns, provenance)


# --- the study-level run (the CLI calls this; it never prints) -------------------------------


@dataclass(frozen=True)
class TranscribeRequest:
    """What ``fgdprep transcribe`` was asked; None keeps the study config's value."""

    session_id: str
    model: str | None = None
    device: str | None = None
    compute_type: str | None = None
    beam_size: int | None = None
    window_seconds: float | None = None
    code_switching: bool | None = None
    force: bool = False
    #: CTranslate2 threads (fewer when diarization runs beside); not part of the result.
    cpu_threads: int | None = None
    #: The command that resumes this request when it is not :meth:`command` (``fgdprep
    #: run X`` for the pipeline's transcription).
    resume: str | None = None

    def command(self) -> str:
        """The command that makes this request again, and so resumes it (the checkpoints
        are reused only with the same options)."""
        import shlex

        if self.resume is not None:
            return self.resume
        parts = ["fgdprep", "transcribe", self.session_id]
        given = (
            ("--model", self.model),
            ("--device", self.device),
            ("--compute-type", self.compute_type),
            ("--beam-size", self.beam_size),
            ("--window-seconds", self.window_seconds),
        )
        if self.code_switching is not None:
            parts.append("--code-switching" if self.code_switching else "--no-code-switching")
        for flag, value in given:
            if value is not None:
                parts += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
        return shlex.join(parts + (["--force"] if self.force else []))


class Progress(Protocol):
    """Where the run reports: once before the first window, then after every window."""

    def start(self, session: Session, model: str, windows: int) -> None: ...

    def window(self, result: WindowResult) -> None: ...


@dataclass(frozen=True)
class TranscribeResult:
    session: Session
    transcript: Transcript
    #: False when the session was already transcribed and nothing ran (no --force).
    ran: bool
    windows: int = 0
    seconds: float = 0.0
    #: What share of the speech was transcribed (a line for the moderator).
    coverage: str = ""


def run(
    study: Study, request: TranscribeRequest, progress: Progress | None = None
) -> TranscribeResult:
    """Transcribe a session in the study: options from the config and the request, the
    roster's names as hotwords, window by window with checkpoints; saves the transcript and
    audits the run. Needs the study lock."""
    import dataclasses
    import math
    import time

    from fgdprep.asr import (
        load_model,
        pick_compute_type,
        pick_device,
        piecewise_features,
        resolve_model,
    )

    session = study.load_session(request.session_id)
    if study.has_transcript(session.id, STAGE) and not request.force:
        return TranscribeResult(session, study.load_transcript(session.id, STAGE), ran=False)
    model = request.model or study.config.transcription_model(session.site, session.language)
    if model is None:
        raise StageError(
            f"site {session.site} types its transcripts in {session.language!r} by hand"
            f" (its transcription.model is none in fgdprep.yaml); bring the transcript in with"
            f" 'fgdprep import {session.id} FILE', or transcribe with --model"
        )
    if request.model is None:
        index = next(i for i, s in enumerate(study.config.sites) if s.code == session.site)
        problem = transcription_problem(study.config, index)
        if problem is not None and session.language == study.config.sites[index].language:
            raise ConfigError(str(study.root / CONFIG_NAME), [problem])
    options = TranscribeOptions.from_config(
        study.config.transcription,
        model=model,
        device=request.device,
        compute_type=request.compute_type,
        beam_size=request.beam_size,
        window_seconds=request.window_seconds,
        code_switching=request.code_switching,
        cpu_threads=request.cpu_threads,
    )
    dev = pick_device(options.device)
    options = dataclasses.replace(
        options, device=dev, compute_type=pick_compute_type(options.compute_type, dev)
    )
    people = [
        p
        for p in study.site_roster(session.site)
        if not session.attendance or p.code in session.attendance
    ]
    hotwords = hotwords_for(study.config.site(session.site), people)
    ref = resolve_model(options.model)

    def load() -> Any:
        model = load_model(ref, options.device, options.compute_type, options.cpu_threads)
        return piecewise_features(model)

    check_language(session, ref, bool(load().model.is_multilingual))
    checkpoints = CheckpointDir(study, session.id, STAGE)
    assert session.audio is not None
    started = time.monotonic()
    if progress is not None:
        progress.start(
            session, ref.name, math.ceil(session.audio.duration / options.window_seconds)
        )
    results: list[WindowResult] = []
    audio = study.recording_path(session)
    try:
        for result in transcribe(audio, session, load, ref, options, hotwords, checkpoints):
            results.append(result)
            if progress is not None:
                progress.window(result)
    except KeyboardInterrupt:
        raise StageError(
            f"interrupted after {len(results)} finished window(s);"
            f" run '{request.command()}' again to resume"
        ) from None
    transcript = assemble(session, results, ref, options, hotwords)
    digest = study.save_transcript(transcript, STAGE)
    checkpoints.clear()
    elapsed = time.monotonic() - started
    study.audit(
        "transcribe",
        session=session.id,
        stage=STAGE,
        inputs={"recording": session.audio.sha256},
        outputs={STAGE: digest},
        counts={
            "turns": len(transcript.turns),
            "flagged": sum(1 for t in transcript.turns if t.flags),
            "windows": len(results),
            "model": ref.name,
            "seconds": round(elapsed, 1),
            "audio_s": session.audio.duration,
            **coverage(results),
        },
    )
    return TranscribeResult(
        session, transcript, True, len(results), elapsed, coverage_line(results)
    )
