"""``fgdprep leakcheck``: every real name searched in every shareable file."""

from __future__ import annotations

import click

from fgdprep.cli.context import (
    Ctx,
    ask_passphrase,
    pass_ctx,
)
from fgdprep.codebook import load_codebook
from fgdprep.errors import FgdprepError
from fgdprep.model import Person


@click.command()
@pass_ctx
def leakcheck(obj: Ctx) -> None:
    """Search every shareable file for every real name the study knows.

    Every codebook value and alias and every roster name, name part and alias, in every
    file under shareable/ (JSON, docx, txt, exports): case-insensitive, word-bounded and
    fuzzy. Exit status 1 on any hit, naming file, paragraph and label (never the name).

    \b
    Example: fgdprep leakcheck
    """
    from fgdprep.roster import read_roster
    from fgdprep.stages.leakcheck import build_index, check_files, shareable_files

    study = obj.study()
    with study.lock():
        codebook = load_codebook(study, ask_passphrase(study))
        rosters: dict[str, tuple[Person, ...]] = {}
        for site in study.config.sites:
            path = study.roster_path(site.code)
            if path.is_file():
                rosters[site.code] = read_roster(path)
        pseudo = study.config.pseudonymisation
        index = build_index(codebook, rosters, pseudo.allow_list, pseudo.fuzzy_threshold)
        files = shareable_files(study.shareable)
        hits = check_files(study.root, files, index, codebook.dismissed)
        study.audit(
            "leakcheck",
            counts={"files": len(files), "values": len(index), "hits": len(hits)},
        )
    for hit in hits:
        click.echo(f"{hit.file} paragraph {hit.paragraph}: {hit.label} ({hit.how}) [{hit.id}]")
    if hits:
        raise FgdprepError(
            f"{len(hits)} possible leak(s) in {len({h.file for h in hits})} shareable file(s);"
            " fix the text, or dismiss a hit that is not a name with"
            " 'fgdprep review SESSION --dismiss-leak HIT'"
        )
    click.echo(f"No leaks: {len(files)} shareable file(s) checked against {len(index)} values.")
