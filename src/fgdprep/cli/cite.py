"""``fgdprep cite``: what a citation such as "DS 84" points at."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from fgdprep.cli.context import Ctx, pass_ctx
from fgdprep.formats.plain import format_time

if TYPE_CHECKING:
    from fgdprep.stages.cite import Cited


@click.command()
@click.argument("citation")
@click.option("--wave", help="The wave, where finalised sessions of several waves share a prefix.")
@click.option("--json", "as_json", is_flag=True, help="JSON: one object per paragraph.")
@pass_ctx
def cite(obj: Ctx, citation: str, wave: str | None, as_json: bool) -> None:
    """Resolve a citation to speaker, time, translation and original text.

    CITATION is a site prefix and paragraph numbers as papers write them: ranges with a
    hyphen or an en dash, lists with commas, several sites with semicolons. Numbers are the
    finalised sessions' (fgdprep finalise), the paragraph numbers every export carries.

    \b
    Example: fgdprep cite "DS 84"
             fgdprep cite "DS 34–35, 103; BU 45" --wave post --json
    """
    from fgdprep.stages.cite import resolve

    cited = resolve(obj.study(), citation, wave)
    if as_json:
        click.echo(json.dumps([asdict(c) for c in cited], ensure_ascii=False, indent=1))
        return
    click.echo(render(cited, shutil.get_terminal_size((100, 24)).columns))


def render(cited: Sequence[Cited], width: int) -> str:
    """Each paragraph: a heading line, then translation and original side by side."""
    width = max(width, 60)
    blocks = []
    for c in cited:
        head = (
            f"{c.citation}  {c.session_id} ({c.wave})  {c.speaker}"
            f"  {format_time(c.start)}–{format_time(c.end)}"
        )
        if c.translation is None:
            body = textwrap.wrap(c.original, width - 2) or [""]
            blocks.append("\n".join([head, *(f"  {line}" for line in body)]))
            continue
        col = (width - 5) // 2
        left = [f"{c.translation_language}:", *textwrap.wrap(c.translation, col)]
        right = [f"{c.language}:", *textwrap.wrap(c.original, col)]
        rows = max(len(left), len(right))
        left += [""] * (rows - len(left))
        right += [""] * (rows - len(right))
        lines = [f"  {a:<{col}} │ {b}".rstrip() for a, b in zip(left, right, strict=True)]
        blocks.append("\n".join([head, *lines]))
    return "\n\n".join(blocks)
