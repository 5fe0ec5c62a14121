"""``fgdprep leakcheck``: every real name searched in every shareable file."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, quiet_flag
from fgdprep.errors import FgdprepError


@click.command()
@quiet_flag
@pass_ctx
def leakcheck(obj: Ctx) -> None:
    """Search every shareable file for every real name the study knows.

    Every codebook value and alias and every roster name, name part and alias, in every
    file under shareable/ (JSON, docx, txt, exports): case-insensitive, word-bounded and
    fuzzy. Exit status 1 on any hit, naming file, paragraph and label (never the name).

    \b
    Example: fgdprep leakcheck
    """
    from fgdprep.report import leak_hits
    from fgdprep.stages.leakcheck import run

    study = obj.study()
    with study.lock():
        done = run(study, lambda: ask_passphrase(study))
    hits = done.hits
    if hits:
        click.echo(leak_hits(hits))
        raise FgdprepError(
            f"{len(hits)} possible leak(s) in {len({h.file for h in hits})} shareable file(s);"
            " fix the text, or dismiss a hit that is not a name with"
            " 'fgdprep review SESSION --dismiss-leak HIT'"
        )
    click.echo(f"No leaks: {done.files} shareable file(s) checked against {done.values} values.")
