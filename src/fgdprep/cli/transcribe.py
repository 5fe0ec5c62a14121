"""``fgdprep transcribe``: a session's recording to a draft transcript, offline."""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from typing import Any

import click

from fgdprep.cli.context import (
    Ctx,
    pass_ctx,
    quiet_option,
)
from fgdprep.errors import FgdprepError
from fgdprep.store import CheckpointDir


@click.command()
@click.argument("session_id")
@click.option("--model", help="faster-whisper model name or local model folder.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Where to run.")
@click.option("--compute-type", help="CTranslate2 compute type (int8, float16, ...).")
@click.option("--beam-size", type=click.IntRange(1, 20), help="Beam size.")
@click.option("--window-seconds", type=click.FloatRange(30, 3600), help="Window length.")
@click.option("--force", is_flag=True, help="Transcribe again although a transcript exists.")
@quiet_option
@pass_ctx
def transcribe(
    obj: Ctx,
    session_id: str,
    model: str | None,
    device: str | None,
    compute_type: str | None,
    beam_size: int | None,
    window_seconds: float | None,
    force: bool,
    quiet: bool,
) -> None:
    """Transcribe a session's recording offline (resumable).

    Runs faster-whisper window by window; an interrupted run picks up at the first
    unfinished window. The draft has one turn per Whisper segment, speaker unknown.

    \b
    Example: fgdprep transcribe DS-pre
    """
    from fgdprep.asr import load_model, pick_compute_type, pick_device, resolve_model
    from fgdprep.stages import transcribe as stage

    study = obj.study()
    with study.lock():
        session = study.load_session(session_id)
        if study.has_transcript(session.id, stage.STAGE) and not force:
            done = study.load_transcript(session.id, stage.STAGE)
            click.echo(
                f"{session.id} is already transcribed ({len(done.turns)} turns);"
                " --force transcribes it again."
            )
            return
        options = stage.TranscribeOptions.from_config(
            study.config.transcription,
            model=model,
            device=device,
            compute_type=compute_type,
            beam_size=beam_size,
            window_seconds=window_seconds,
        )
        dev = pick_device(options.device)
        options = dataclasses.replace(
            options, device=dev, compute_type=pick_compute_type(options.compute_type, dev)
        )
        audio = study.recording_path(session)
        people = [
            p
            for p in study.site_roster(session.site)
            if not session.attendance or p.code in session.attendance
        ]
        hotwords = stage.hotwords_for(study.config.site(session.site), people)
        ref = resolve_model(options.model)

        def load() -> Any:
            return load_model(ref, options.device, options.compute_type, options.cpu_threads)

        stage.check_language(session, ref, bool(load().model.is_multilingual))
        checkpoints = CheckpointDir(study, session.id, stage.STAGE)
        assert session.audio is not None
        total = session.audio.duration
        started = time.monotonic()
        results: list[stage.WindowResult] = []
        windows = math.ceil(total / options.window_seconds)

        def status(r: stage.WindowResult | None) -> str | None:
            if r is None:
                return None
            spent = time.monotonic() - started
            return f"window {r.index + 1}/~{windows}, {spent / 60:.1f} min elapsed"

        bar: Any
        try:
            with click.progressbar(
                length=max(1, round(total)),
                label=f"Transcribing {session.id} ({ref.name})",
                file=sys.stderr,
                hidden=quiet,
                show_eta=True,
                item_show_func=status,
            ) as bar:
                for result in stage.transcribe(
                    audio, session, load, ref, options, hotwords, checkpoints
                ):
                    results.append(result)
                    bar.update(round(result.end) - round(result.start), result)
        except KeyboardInterrupt:
            raise FgdprepError(
                f"interrupted after {len(results)} finished window(s);"
                f" run 'fgdprep transcribe {session.id}' again to resume"
            ) from None
        transcript = stage.assemble(session, results, ref, options, hotwords)
        digest = study.save_transcript(transcript, stage.STAGE)
        checkpoints.clear()
        elapsed = time.monotonic() - started

        flagged = sum(1 for t in transcript.turns if t.flags)
        study.audit(
            "transcribe",
            session=session.id,
            stage=stage.STAGE,
            inputs={"recording": session.audio.sha256},
            outputs={stage.STAGE: digest},
            counts={
                "turns": len(transcript.turns),
                "flagged": flagged,
                "windows": len(results),
                "model": ref.name,
                "seconds": round(elapsed, 1),
                "audio_s": total,
            },
        )
    click.echo(
        f"Transcribed {session.id}: {len(transcript.turns)} turns ({flagged} flagged) in"
        f" {elapsed:.0f} s ({elapsed / max(total, 1e-9):.2f}x real time)."
    )
