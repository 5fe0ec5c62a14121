"""Bench: transcription fidelity on real speech, plain faster-whisper beside fgdprep.

    python bench/asr_fidelity.py --fetch     # once, online: LibriVox clips + transcripts
    python bench/asr_fidelity.py             # the development files
    python bench/asr_fidelity.py --held-out  # the held-out files (report only, never tune)
    python bench/asr_fidelity.py --rooms     # simulated far-field rooms (dev; --held-out too)

Per file and language: WER against the reference text (where there is one), seconds of
reference speech more than 0.3 s from any word ("no words"), how much of that is inside a
turn flagged untranscribed_speech ("flagged"), the rest ("silent"), the part of that inside
no turn's span at all ("unrep": speech lost unseen; the rest lies inside a worded turn, a
pause or hesitation the moderator hears when playing it), the speech no worded turn spans
("untr": untranscribed, whether flagged or not), seconds of flagged turns that are
not reference speech ("noise": room noise sent to the moderator), words more than 0.5 s from
any reference speech ("w+": written into noise or silence), the share of reference
speech inside any turn's span ("in turns"), and roster/gazetteer names that appear in the
output but were never said ("names+"). Systems: plain faster-whisper (same model, its own VAD,
no hotwords) and fgdprep's window transcription with each hotword strategy (prompt, correct,
off).

Files: the ten AMI far-field meeting snippets in ../shared/realdata/ami-train (reference
speaker times, no words), the LibriVox clips of the pocketsphinx sdist (one reader, with
transcripts), German and Kiswahili paragraphs read by espeak-ng (no real recordings with
transcripts in those languages were found in PyPI sdists: whisper-timestamped,
SpeechRecognition and faster-whisper ship none), and code-switched files: a LibriVox clip
followed by German. Every file is made in .bench/asr-fidelity/, never committed.
With ``--rooms``: bench/roomsim.py's simulated focus groups instead (reference speech times;
dev and held-out as there).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longaudio import CACHE, _librivox

from fgdprep.asr import load_model, resolve_model
from fgdprep.audio import SAMPLE_RATE, Activity, merge_spans, read_mono, subtract_spans
from fgdprep.model import FlagCode, Turn
from fgdprep.transcription.guard import WORD_REACH
from fgdprep.transcription.options import TranscribeOptions, whisper_kwargs
from fgdprep.transcription.segments import segment_to_turn
from fgdprep.transcription.windows import transcribe_window

REPO = Path(__file__).resolve().parents[1]
AMI = REPO.parent / "shared" / "realdata" / "ami-train"
if not AMI.is_dir():
    AMI = Path("/work/shared/realdata/ami-train")
WORK = CACHE / "asr-fidelity"
STRATEGIES = ("prompt", "correct", "off")

#: A Kenyan roster and places never spoken in any file, plus names that are (Dashwood).
ROSTER_UNSAID = ("Atieno", "Otieno", "Achieng", "Odhiambo", "Nyalenda", "Kisumu", "Kondele")
SAID = {"en": ("Dashwood", "Norland"), "de": ("Blaubeuren", "Günzburg"), "sw": ("Temeke",)}

GERMAN = [
    (
        "de",
        "Guten Tag und herzlich willkommen zu unserer Gesprächsrunde. Heute sprechen wir über"
        " die Unterstützung durch Genesungsbegleiter im Krankenhaus in Günzburg.",
    ),
    (
        "de+f3",
        "Ich war drei Wochen auf der Station und habe mit meiner Begleiterin jeden Tag"
        " gesprochen. Das hat mir sehr geholfen, weil sie selbst erlebt hat, wie es ist.",
    ),
    (
        "de+m3",
        "Am Anfang hatte ich Angst, mit jemandem über meine Krankheit zu reden. Später bin"
        " ich jede Woche nach Blaubeuren gefahren, um die Gruppe zu besuchen.",
    ),
    (
        "de+f2",
        "Die Ärzte haben wenig Zeit. Die Begleiter hören zu und erklären die Medikamente in"
        " einfachen Worten. Das wünsche ich mir für alle Patienten.",
    ),
]
#: German sentences for the development set only, in the espeak voices in which Whisper (base)
#: hears English in some of them (a code-switching detector must not translate those).
GERMAN_DEV = [
    ("de+f4", "Ich glaube, die Begleiter sollten auch nachts erreichbar sein."),
    ("de+f1", "Ich glaube, die Begleiter sollten auch nachts erreichbar sein."),
    ("de+m7", "Die Wartezeit auf einen Termin war viel zu lang, fast drei Monate."),
    (
        "de+m5",
        "Wir haben in der Gruppe oft über die Arbeit gesprochen und darüber, wie man wieder"
        " Fuß fasst.",
    ),
]
SWAHILI = [
    (
        "sw",
        "Karibuni wote kwenye majadiliano yetu. Leo tutazungumza kuhusu msaada wa wenzetu"
        " katika hospitali ya Temeke.",
    ),
    (
        "sw+f3",
        "Nilikaa hospitalini kwa wiki tatu na mwenzangu alinitembelea kila siku. Alinisaidia"
        " sana kwa sababu yeye pia alipitia hali hiyo.",
    ),
]


@dataclass
class Item:
    name: str
    language: str
    audio: Path
    reference: str | None  # words; None: no transcript (AMI)
    speech: list[tuple[float, float]]  # reference speech (seconds)
    held_out: bool
    kind: str  # real / espeak / mixed
    said: tuple[str, ...] = ()
    spans: list[tuple[float, float, str]] = field(default_factory=list)  # language spans


def _sox(inputs: Sequence[str | Path], out: Path) -> Path:
    if not out.exists():
        cmd = ["sox", *map(str, inputs), "-r", "16000", "-c", "1", "-b", "16", str(out)]
        subprocess.run(cmd, check=True)
    return out


def _pause(seconds: float) -> Path:
    out = WORK / f"pause-{seconds:.1f}.wav"
    if not out.exists():
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                "16000",
                "-c",
                "1",
                "-b",
                "16",
                str(out),
                "trim",
                "0",
                str(seconds),
            ],
            check=True,
        )
    return out


def _espeak(name: str, parts: Sequence[tuple[str, str]]) -> Path:
    pieces: list[Path] = []
    for i, (voice, text) in enumerate(parts):
        wav = WORK / f"{name}-{i}.wav"
        if not wav.exists():
            raw = WORK / f"{name}-{i}-22k.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", "150", "-w", str(raw), text], check=True
            )
            _sox([raw], wav)
            raw.unlink()
        pieces += [wav, _pause(0.8)]
    return _sox(pieces[:-1], WORK / f"{name}.wav")


def _sound(path: Path) -> list[tuple[float, float]]:
    """Reference speech of a clean recording: its sound, pauses under 0.25 s bridged."""
    active = Activity.of(read_mono(path)).active
    step = 160 / SAMPLE_RATE
    idx = np.flatnonzero(active)
    spans = [(float(i * step), float((i + 1) * step)) for i in idx]
    return merge_spans(spans, bridge=0.25)


def fetch() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    _librivox(fetch=True)
    with tarfile.open(next(CACHE.glob("pocketsphinx-*.tar.gz"))) as tar:
        for m in tar.getmembers():
            if "/test/data/librivox/" in m.name and m.name.endswith(".txt"):
                data = tar.extractfile(m)
                assert data is not None
                (WORK / Path(m.name).name).write_bytes(data.read())
    print(WORK, "ready")


def _ami(held_out: bool) -> list[Item]:
    rttm: dict[str, list[tuple[float, float]]] = {}
    for line in (AMI / "train.rttm").read_text().splitlines():
        f = line.split()
        rttm.setdefault(f[1], []).append((float(f[3]), float(f[3]) + float(f[4])))
    names = sorted(rttm)
    chosen = names[7:] if held_out else names[:7]
    return [
        Item(n, "en", AMI / f"{n}.flac", None, merge_spans(rttm[n]), held_out, "real")
        for n in chosen
    ]


def _librivox_items(held_out: bool) -> list[Item]:
    clips = sorted(p for p in _librivox(fetch=False))
    chosen = clips[3:] if held_out else clips[:3]
    pieces: list[Path] = []
    text: list[str] = []
    for clip in chosen:
        pieces += [clip, _pause(1.2)]
        text.append((WORK / f"{clip.stem}.txt").read_text().strip())
    name = "librivox-b" if held_out else "librivox-a"
    audio = _sox(pieces[:-1], WORK / f"{name}.wav")
    return [Item(name, "en", audio, " ".join(text), _sound(audio), held_out, "real", SAID["en"])]


def _espeak_items(held_out: bool) -> list[Item]:
    de = GERMAN[2:] if held_out else GERMAN[:2]
    tag = "b" if held_out else "a"
    items = [
        Item(
            f"de-espeak-{tag}",
            "de",
            (a := _espeak(f"de-{tag}", de)),
            " ".join(t for _, t in de),
            _sound(a),
            held_out,
            "espeak",
            SAID["de"],
        )
    ]
    if not held_out:
        items.append(
            Item(
                "sw-espeak",
                "sw",
                (s := _espeak("sw", SWAHILI)),
                " ".join(t for _, t in SWAHILI),
                _sound(s),
                held_out,
                "espeak",
                SAID["sw"],
            )
        )
    return items


def _switched(held_out: bool) -> list[Item]:
    """A LibriVox clip (real English) then German: the session language is German."""
    clips = sorted(_librivox(fetch=False))
    made = [(clips[4], GERMAN[3:], "b")] if held_out else [(clips[0], GERMAN[:1], "a")]
    if not held_out:
        made.append((clips[1], GERMAN_DEV, "c"))
    out = []
    for clip, de, tag in made:
        german = _espeak(f"cs-de-{tag}", de)
        audio = _sox([clip, _pause(1.0), german], WORK / f"cs-en-de-{tag}.wav")
        en_len = len(read_mono(clip)) / SAMPLE_RATE
        text = (WORK / f"{clip.stem}.txt").read_text().strip() + " " + " ".join(t for _, t in de)
        out.append(
            Item(
                f"cs-en-de-{tag}",
                "de",
                audio,
                text,
                _sound(audio),
                held_out,
                "mixed",
                ("Dashwood", *SAID["de"]),
                [(0.0, en_len, "en"), (en_len + 1.0, 1e9, "de")],
            )
        )
    return out


def _rooms(held_out: bool) -> list[Item]:
    """bench/roomsim.py's simulated focus groups (real English voices around a table, one
    far microphone; babble, fan and traffic at 20, 10 and 5 dB): reference speech times."""
    import roomsim

    return [
        Item(
            f.name,
            "en",
            f.audio,
            None,
            merge_spans((s.start, s.start + s.duration) for s in f.reference),
            held_out,
            "room",
        )
        for f in roomsim.build()
        if f.held_out == held_out
    ]


def items(held_out: bool) -> list[Item]:
    return (
        _ami(held_out) + _librivox_items(held_out) + _espeak_items(held_out) + _switched(held_out)
    )


# --- scoring ----------------------------------------------------------------------------------


def norm_words(text: str) -> list[str]:
    text = text.lower().replace("mr.", "mister").replace("-", " ")
    return [w for w in re.sub(r"[^\w\s']", " ", text).split() if w]


def wer(ref: list[str], hyp: list[str]) -> float:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / max(1, len(ref))


def _length(spans: Sequence[tuple[float, float]]) -> float:
    return sum(e - s for s, e in spans)


def _intersect(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    return _length(a) - _length(subtract_spans(a, b))


@dataclass
class Score:
    wer: float | None
    no_words: float
    flagged: float
    in_turns: float
    #: Speech with no word near it that no worded turn spans: untranscribed (flagged or not).
    untranscribed: float
    #: Speech with no word near it that no turn (worded or flagged) spans: lost unseen.
    unreported: float
    #: Seconds of turns flagged untranscribed_speech that are not reference speech.
    noise_flagged: float
    #: Words more than 0.5 s from any reference speech: written into noise or silence.
    words_in_noise: int
    names_added: int
    turns: int
    seconds: float


def score(item: Item, turns: Sequence[Turn], seconds: float, names: Sequence[str]) -> Score:
    words = [w for t in turns for w in t.words]
    reach = [(w.start - WORD_REACH, w.end + WORD_REACH) for w in words]
    no_words = subtract_spans(item.speech, reach)
    flagged = [(t.start, t.end) for t in turns if t.has_flag(FlagCode.UNTRANSCRIBED_SPEECH)]
    spans = [(t.start, t.end) for t in turns]
    worded = [(t.start, t.end) for t in turns if t.words]
    hyp_text = " ".join(t.text for t in turns)
    ref_text = (item.reference or "").lower()
    added = sum(
        1
        for n in names
        if re.search(rf"\b{re.escape(n.lower())}\b", hyp_text.lower()) and n.lower() not in ref_text
    )
    return Score(
        wer(norm_words(item.reference), norm_words(hyp_text)) if item.reference else None,
        _length(no_words),
        _intersect(no_words, flagged),
        _intersect(item.speech, spans) / max(1e-9, _length(item.speech)),
        _length(subtract_spans(no_words, worded)),
        _length(subtract_spans(no_words, spans)),
        _length(subtract_spans(flagged, item.speech)),
        sum(
            1
            for w in words
            if not any(a - 0.5 <= (w.start + w.end) / 2 <= b + 0.5 for a, b in item.speech)
        ),
        added,
        len(turns),
        seconds,
    )


def run_plain(
    model: Any, audio: np.ndarray, language: str, options: TranscribeOptions
) -> list[Turn]:
    segments, _ = model.transcribe(audio, **whisper_kwargs(options, language, None))
    activity = Activity.of(audio)
    return [segment_to_turn(s, 0.0, activity) for s in segments if s.text.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", action="store_true")
    parser.add_argument("--held-out", action="store_true")
    parser.add_argument("--only", help="regex of file names")
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--code-switching", action="store_true", help="fgdprep with it on")
    parser.add_argument(
        "--rooms", action="store_true", help="the simulated rooms of bench/roomsim.py instead"
    )
    args = parser.parse_args()
    if args.fetch:
        fetch()
        return
    WORK.mkdir(parents=True, exist_ok=True)
    totals: dict[str, dict[str, list[float]]] = {}
    #: Issue 9's per-file checks: (file, system) where untranscribed speech exceeds plain
    #: faster-whisper's, WER exceeds it by more than 0.02, or speech goes unreported.
    failures: list[str] = []
    print(
        f"{'file':<23}{'lang':<5}{'kind':<7}{'system':<15}{'WER':>7}{'speech':>8}"
        f"{'no words':>9}{'flagged':>8}{'silent':>7}{'untr':>6}{'unrep':>6}{'noise':>6}{'w+':>4}"
        f"{'in turns':>9}"
        f"{'names+':>7}{'turns':>6}{'cpu s':>7}"
    )
    for item in _rooms(args.held_out) if args.rooms else items(args.held_out):
        if args.only and not re.search(args.only, item.name):
            continue
        model_name = "tiny.en" if item.language == "en" else "base"

        def fresh(name: str = model_name) -> Any:
            """A model seeded as the stage seeds each window: the temperature fallback samples
            at random, and a run must not differ from the next by chance."""
            ctranslate2.set_random_seed(1)
            return load_model(resolve_model(name), "cpu", "int8", 0)

        audio = read_mono(item.audio)
        names = tuple(item.said) + ROSTER_UNSAID
        hotwords = " ".join(names)
        runs: list[tuple[str, list[Turn], float]] = []
        options = TranscribeOptions(model=model_name, device="cpu", compute_type="int8")
        model = fresh()
        t0 = time.process_time()
        plain = run_plain(model, audio, item.language, options)
        runs.append(("faster-whisper", plain, time.process_time() - t0))
        for strategy in args.strategies.split(","):
            opts = TranscribeOptions(
                model=model_name,
                device="cpu",
                compute_type="int8",
                hotwords=strategy,
                code_switching=args.code_switching,
            )
            model = fresh()
            t0 = time.process_time()
            done = transcribe_window(
                model, audio, 0.0, opts, item.language, hotwords, model_name == "base"
            )
            runs.append((f"fgdprep-{strategy}", list(done.turns), time.process_time() - t0))
        speech = _length(item.speech)
        for system, turns, seconds in runs:
            s = score(item, turns, seconds, names)
            wer_s = f"{s.wer:.3f}" if s.wer is not None else "-"
            print(
                f"{item.name:<23}{item.language:<5}{item.kind:<7}{system:<15}{wer_s:>7}"
                f"{speech:8.1f}{s.no_words:9.1f}{s.flagged:8.1f}{s.no_words - s.flagged:7.1f}"
                f"{s.untranscribed:6.1f}{s.unreported:6.1f}{s.noise_flagged:6.1f}"
                f"{s.words_in_noise:4d}"
                f"{100 * s.in_turns:8.1f}%"
                f"{s.names_added:7d}{s.turns:6d}{s.seconds:7.1f}",
                flush=True,
            )
            group = "AMI" if item.kind == "real" and item.reference is None else item.kind
            t = totals.setdefault(f"{group if group in ('AMI', 'room') else 'others'}|{system}", {})
            for k, v in (
                ("speech", speech),
                ("no_words", s.no_words),
                ("flagged", s.flagged),
                ("unreported", s.unreported),
                ("noise", s.noise_flagged),
                ("words_in_noise", s.words_in_noise),
                ("in_turns", s.in_turns * speech),
                ("names", s.names_added),
            ):
                t.setdefault(k, []).append(v)
            if s.wer is not None:
                t.setdefault("wer", []).append(s.wer)
            failures += _checks(item.name, system, s, score(item, runs[0][1], 0.0, names))
        if item.spans:
            _report_languages(item, runs)
    print()
    for key, t in totals.items():
        what, system = key.split("|")
        sp = sum(t["speech"])
        w = f" mean WER {np.mean(t['wer']):.3f}" if t.get("wer") else ""
        print(
            f"{what:<7}{system:<15} speech {sp:6.1f} s, no words {sum(t['no_words']):5.1f} s"
            f" (flagged {sum(t['flagged']):5.1f} s, in no turn {sum(t['unreported']):4.1f} s;"
            f" flagged non-speech {sum(t['noise']):4.1f} s, words in non-speech"
            f" {int(sum(t['words_in_noise']))}),"
            f" in turns {100 * sum(t['in_turns']) / sp:5.1f}%,"
            f" names never said {int(sum(t['names']))}{w}"
        )
    print(
        "per file, against plain faster-whisper (untranscribed <=, WER <= + 0.02, 0 s unreported): "
        + ("; ".join(failures) if failures else "all hold")
    )


def _checks(name: str, system: str, ours: Score, plain: Score) -> list[str]:
    if system == "faster-whisper":
        return []
    out = []
    if ours.untranscribed > plain.untranscribed + 0.005:
        out.append(
            f"{name} {system} untranscribed {ours.untranscribed:.2f} > {plain.untranscribed:.2f} s"
        )
    if ours.wer is not None and plain.wer is not None and ours.wer > plain.wer + 0.02:
        out.append(f"{name} {system} WER {ours.wer:.3f} > {plain.wer:.3f} + 0.02")
    if ours.unreported > 0.005:
        out.append(f"{name} {system} {ours.unreported:.2f} s unreported")
    return out


def _report_languages(item: Item, runs: Sequence[tuple[str, Sequence[Turn], float]]) -> None:
    for system, turns, _ in runs:
        parts = []
        for lo, hi, lang in item.spans:
            inside = [t for t in turns if lo - 0.5 <= (t.start + t.end) / 2 <= hi + 0.5]
            langs = {t.language or item.language for t in inside}
            flagged = sum(1 for t in inside if t.has_flag(FlagCode.OTHER_LANGUAGE))
            parts.append(f"{lang}: turns in {','.join(sorted(langs)) or '-'}, {flagged} flagged")
        print(f"{'':<23}{'':<5}{'':<7}{system:<15} languages: " + "; ".join(parts))


if __name__ == "__main__":
    main()
