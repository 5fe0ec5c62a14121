"""``fgdprep ingest``: a recording (and its roster) becomes a session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from fgdprep.cli.context import Ctx, pass_ctx, quiet_flag
from fgdprep.model import Mode, Session

F = TypeVar("F", bound=Callable[..., Any])


_SESSION_OPTIONS = (
    click.option("--site", required=True, help="Site code from fgdprep.yaml, e.g. DS."),
    click.option("--wave", required=True, help="Wave from fgdprep.yaml, e.g. pre or post."),
    click.option("--date", required=True, help="Date of the FGD, YYYY-MM-DD."),
    click.option("--language", help="ISO 639 code if the FGD was not held in the site's language."),
    click.option(
        "--mode",
        type=click.Choice(["in-person", "online"]),
        default="in-person",
        show_default=True,
        help="How the FGD was held.",
    ),
    click.option(
        "--roster",
        type=click.Path(dir_okay=False, path_type=Path),
        help="CSV code,name,aliases,role,gender of the people present.",
    ),
    click.option("--prefix", "citation_prefix", help="Citation prefix (default: the site's)."),
)


def session_options(f: F) -> F:
    """The options of a new session (ingest, import): site, wave, date, language, mode,
    roster, citation prefix."""
    for option in reversed(_SESSION_OPTIONS):
        f = option(f)
    return f


@click.command()
@click.argument("audio", type=click.Path(path_type=Path))
@click.option("--session", "session_id", required=True, help="New session id, e.g. DS-pre.")
@session_options
@quiet_flag
@pass_ctx
def ingest(obj: Ctx, /, audio: Path, mode: str, **options: Any) -> None:
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
    request = IngestRequest(audio=audio, mode=Mode(mode.replace("-", "_")), **options)
    with study.lock():
        session = run_ingest(study, request).session
    render(session)


def render(s: Session) -> None:
    from fgdprep.report import ingested

    click.echo(ingested(s))
