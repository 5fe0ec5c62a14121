"""``fgdprep leakcheck``: every real name searched in every shareable file."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx, quiet_flag
from fgdprep.errors import FgdprepError


@click.command()
@quiet_flag
@pass_ctx
def leakcheck(obj: Ctx) -> None:
    """Search every shareable file for every real name the study knows and every kind of
    personal information its recognizers find.

    Every codebook value and alias and every roster name, name part and alias, and the
    study's recognizers (phones, also spoken; e-mails; the site places and facilities of
    fgdprep.yaml; cues such as "my sister ..."), in every file under shareable/ (hidden
    ones too; JSON, docx, XML packages, txt, exports) and in the names of its files and
    folders: case-insensitive, inflected, fuzzy, through invisible characters, look-alike
    letters and split names. Exit status 1 on any leak, naming file, paragraph ("name" for
    a file or folder name), label and the words around it (never the name itself).
    Unconfirmed suggestions of the codebook are listed as pending, not as leaks.

    \b
    Example: fgdprep leakcheck
    """
    from fgdprep.report import leak_hits
    from fgdprep.stages.leakcheck import run

    study = obj.study()
    with study.lock():
        done = run(study, lambda: ask_passphrase(study))
    hits = done.leaks
    if hits or done.pending:
        click.echo(leak_hits(hits, done.pending))
    if hits:
        raise FgdprepError(
            f"{len(hits)} possible leak(s) in {len({h.file for h in hits})} shareable file(s);"
            " fix the text, or dismiss a hit that is not a name with"
            " 'fgdprep review SESSION --dismiss-leak HIT'"
        )
    pending = f"; {len(done.pending)} pending suggestion(s) to review" if done.pending else ""
    click.echo(
        f"No leaks: {done.files} shareable file(s) checked against {done.values} values"
        f" and the study's recognizers{pending}."
    )
