"""Finalisation: a session's paragraph numbers, frozen.

Papers cite a transcript by site and paragraph ("DS 84"). The number is the paragraph number
MAXQDA, NVivo and ATLAS.ti show after importing an export, so it is fixed here, once, and
every export writes exactly these units as its paragraphs. By default one unit is one speaker
turn; a turn longer than ``numbering.max_paragraph_chars`` is split at sentence ends into
several units of the same speaker (a citation then points at a few sentences). ``numbering:
line`` wraps each turn at ``line_width`` and numbers every line instead.

The transcription conventions (``conventions:`` in the config) are applied here too, so every
export carries the same marks: a pause before a turn, ``[crosstalk]`` where a turn starts
before the one before it ended, ``[inaudible hh:mm:ss]`` for speech the recogniser heard but
could not transcribe (``untranscribed_speech``).

Finalising refuses while anything is pending (:func:`fgdprep.gates.finalise_blockers`) unless
forced, which the audit log records; a finalised session is changed only after ``reopen``.
"""

from __future__ import annotations

import dataclasses
import getpass
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fgdprep.config import ConventionsConfig, NumberingConfig
from fgdprep.errors import StageError, StudyError
from fgdprep.model import Finalised, FlagCode, Session, Transcript, Turn, Unit
from fgdprep.store import Study

#: The speaker written for a turn nobody has named (MAXQDA needs a code before the colon).
UNKNOWN_SPEAKER = "UNKNOWN"
#: MAXQDA reads at most this many characters before the colon as the speaker.
MAX_SPEAKER = 63

#: Sentence ends: Latin/Hebrew full stop, ? ! …, Devanagari danda, Arabic and CJK marks,
#: with closing quotes or brackets, then white space.
_SENTENCE_END = re.compile(r"(?<=[.!?…।॥؟。！？])[\"'”’»)\]]*\s+")
_NOT_XML = re.compile("[\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """One line of text every format can hold: control characters and every kind of line
    or paragraph break become single spaces; characters XML cannot carry are dropped."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    text = _NOT_XML.sub("", text)
    return " ".join(text.split())


def speaker_code(turn: Turn) -> str:
    """The code before the colon: no white space, colon or markup (<, >, &), at most 63
    characters."""
    code = re.sub(r"[\s:<>&]+", "_", clean(turn.speaker or "")) or UNKNOWN_SPEAKER
    return code[:MAX_SPEAKER]


def hms(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def sentences(text: str) -> list[str]:
    """``text`` (already :func:`clean`) cut after each sentence end."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        out.append(text[start : m.start() + len(m.group(0).rstrip())].strip())
        start = m.end()
    if start < len(text):
        out.append(text[start:].strip())
    return [s for s in out if s]


def _hard_split(sentence: str, limit: int) -> list[str]:
    """A sentence longer than ``limit``: at the last space before it, else at ``limit``."""
    parts = []
    while len(sentence) > limit:
        cut = sentence.rfind(" ", 1, limit + 1)
        cut = cut if cut > 0 else limit
        parts.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return [*parts, sentence] if sentence else parts


def wrap(text: str, width: int) -> list[str]:
    """Line mode: ``text`` wrapped at ``width`` (a longer word is cut); one empty line for
    an empty text. The marks of the conventions go before the first and after the last."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def split_long(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` characters, cut at sentence ends (a sentence longer than
    that at a space); a text within the limit is one part."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in sentences(text):
        for piece in _hard_split(sentence, limit):
            if current and len(current) + 1 + len(piece) > limit:
                parts.append(current)
                current = piece
            else:
                current = f"{current} {piece}" if current else piece
    return [*parts, current] if current else parts


def split_like(text: str, weights: Sequence[int]) -> list[str]:
    """``text`` cut at sentence ends into ``len(weights)`` parts whose lengths follow
    ``weights`` (a translation of a turn that was split into several units); parts may be
    empty when there are fewer sentences than units."""
    k = len(weights)
    if k <= 1:
        return [text]
    pieces = sentences(text)
    total_w = sum(max(w, 1) for w in weights)
    total_c = sum(len(p) + 1 for p in pieces) or 1
    parts: list[list[str]] = [[] for _ in range(k)]
    done_c, i, bound = 0, 0, max(weights[0], 1) / total_w
    for piece in pieces:
        if parts[i] and done_c / total_c >= bound and i < k - 1:
            i += 1
            bound += max(weights[i], 1) / total_w
        parts[i].append(piece)
        done_c += len(piece) + 1
    return [" ".join(p) for p in parts]


def _marks(
    turn: Turn, previous_end: float | None, conventions: ConventionsConfig
) -> tuple[str, str]:
    before = []
    if previous_end is not None:
        gap = turn.start - previous_end
        if conventions.pause and conventions.pause_seconds > 0 and gap >= conventions.pause_seconds:
            before.append(conventions.pause.format(seconds=round(gap)))
        if conventions.crosstalk and (gap < 0 or turn.has_flag(FlagCode.OVERLAP)):
            before.append(conventions.crosstalk)
    after = ""
    if conventions.inaudible and turn.has_flag(FlagCode.UNTRANSCRIBED_SPEECH):
        after = conventions.inaudible.format(time=hms(turn.start))
    return clean(" ".join(before)), clean(after)


def number(
    transcript: Transcript, numbering: NumberingConfig, conventions: ConventionsConfig
) -> tuple[Unit, ...]:
    """The numbered units of a (de-identified) transcript, from 1, in time order (NVivo
    wants its rows so). A turn with neither text nor a mark gets no number (it would be an
    empty paragraph)."""
    units: list[Unit] = []
    previous_end: float | None = None
    for turn in sorted(transcript.turns, key=lambda t: t.start):
        before, after = _marks(turn, previous_end, conventions)
        previous_end = turn.end if previous_end is None else max(previous_end, turn.end)
        text = clean(turn.text)
        if not (text or before or after):
            continue
        if numbering.mode == "line":
            parts = wrap(text, numbering.line_width)
        else:
            parts = split_long(text, numbering.max_paragraph_chars) if text else [""]
        pieces = [
            (p, before if i == 0 else "", after if i == len(parts) - 1 else "")
            for i, p in enumerate(parts)
        ]
        times = _part_times(turn, [len(p[0]) for p in pieces])
        for i, ((part, b, a), (start, end)) in enumerate(zip(pieces, times, strict=True)):
            units.append(
                Unit(len(units) + 1, turn.id, speaker_code(turn), start, end, part, b, a, i + 1)
            )
    return tuple(units)


def _part_times(turn: Turn, lengths: Sequence[int]) -> list[tuple[float, float]]:
    """Each part's share of the turn's time, by its share of the characters (the shareable
    transcript has no word times)."""
    total = sum(lengths) or 1
    out, done = [], 0
    span = max(turn.end - turn.start, 0.0)
    for n in lengths:
        start = turn.start + span * done / total
        done += n
        out.append((round(start, 3), round(turn.start + span * done / total, 3)))
    if out:
        out[-1] = (out[-1][0], turn.end)
    return out


def units_of_turns(units: Sequence[Unit]) -> dict[str, list[Unit]]:
    out: dict[str, list[Unit]] = {}
    for u in units:
        out.setdefault(u.turn, []).append(u)
    return out


def translated_units(
    finalised: Finalised, translations: dict[str, str], width: int
) -> tuple[Unit, ...]:
    """The units with each turn's translation in place of its text. Turn mode: the same
    numbers (a split turn's translation is cut at sentence ends into as many parts); line
    mode: the translation wrapped into its own numbered lines."""
    out: list[Unit] = []
    for turn, group in units_of_turns(finalised.units).items():
        text = clean(translations.get(turn, ""))
        if finalised.numbering == "line":
            lines = wrap(text, width)
            for i, line in enumerate(lines):
                out.append(
                    dataclasses.replace(
                        group[0],
                        n=len(out) + 1,
                        text=line,
                        part=i + 1,
                        before=group[0].before if i == 0 else "",
                        after=group[-1].after if i == len(lines) - 1 else "",
                    )
                )
            continue
        parts = split_like(text, [len(u.text) for u in group])
        out += [dataclasses.replace(u, text=p) for u, p in zip(group, parts, strict=True)]
    return tuple(out)


# --- the study-level entry points -----------------------------------------------------------


@dataclass(frozen=True)
class FinaliseResult:
    finalised: Finalised
    path: Path
    forced: tuple[str, ...]


def load_finalised(study: Study, session_id: str) -> Finalised | None:
    path = study.finalised_path(session_id)
    return study.read_doc(path, "finalised", Finalised) if path.is_file() else None


def _prefix(study: Study, session: Session) -> str:
    site = study.config.site(session.site)
    return session.citation_prefix or (site.prefix if site is not None else session.site)


def run(study: Study, session_id: str, force: bool = False) -> FinaliseResult:
    """Number the session's de-identified transcript and freeze it (shareable/…/finalised.json).
    Refuses, naming what is pending, unless ``force`` (recorded in the audit log and the
    file). Needs the study lock."""
    from fgdprep.gates import finalise_blockers

    session = study.load_session(session_id)
    done = load_finalised(study, session_id)
    if done is not None:
        raise StageError(
            f"{session_id} is already finalised ({done.at}); its numbers are frozen. To change"
            f" it, reopen it first: fgdprep reopen {session_id} (citations may break)"
        )
    if not study.shareable_path(session_id).is_file():
        raise StudyError(
            f"{session_id} has no de-identified transcript yet; run"
            f" 'fgdprep pseudonymise {session_id}' first"
        )
    pending = finalise_blockers(study, session_id)
    if pending and not force:
        raise StageError(
            f"{session_id} cannot be finalised yet: {'; '.join(m for _c, m in pending)};"
            " or finalise anyway with --force (recorded in the audit log)"
        )
    transcript = study.load_shareable(session_id)
    source = study.digest(study.shareable_path(session_id))
    units = number(transcript, study.config.numbering, study.config.conventions)
    forced = tuple(code for code, _m in pending)
    finalised = Finalised(
        session=dataclasses.replace(session, audio=None),
        prefix=_prefix(study, session),
        numbering=study.config.numbering.mode,
        units=units,
        turns=transcript.shareable().turns,
        source_sha256=source,
        by=getpass.getuser(),
        at=_now(),
        forced=forced,
    )
    path = study.finalised_path(session_id)
    digest = study.save_doc(path, "finalised", finalised)
    counts: dict[str, object] = {"units": len(units), "turns": len(transcript.turns)}
    if forced:
        counts |= {"forced": True, "pending": list(forced)}
    study.audit(
        "finalise",
        session=session_id,
        stage="finalised",
        inputs={"deidentified": source},
        outputs={"finalised": digest},
        counts=counts,
    )
    return FinaliseResult(finalised, path, tuple(m for _c, m in pending))


def reopen(study: Study, session_id: str) -> Finalised:
    """Unfreeze a finalised session (its numbers may change when it is finalised again);
    audited. Needs the study lock."""
    study.load_session(session_id)
    done = load_finalised(study, session_id)
    if done is None:
        raise StageError(f"{session_id} is not finalised; there is nothing to reopen")
    path = study.finalised_path(session_id)
    digest = study.digest(path)
    study.remove_file(path)
    study.audit(
        "reopen",
        session=session_id,
        stage="finalised",
        inputs={"finalised": digest},
        counts={"units": len(done.units)},
    )
    return done


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
