"""``fgdprep roster``: a site's roster, and correcting how a name is spelt in it."""

from __future__ import annotations

import click

from fgdprep.cli.context import Ctx, pass_ctx


@click.group()
def roster() -> None:
    """A site's roster (identifiable: real names): show it, fix a spelling.

    \b
    Example: fgdprep roster show DS
    """


@roster.command("show")
@click.argument("site")
@pass_ctx
def show(obj: Ctx, site: str) -> None:
    """Print the site roster: code, name, aliases, role, and the sessions each attended.

    \b
    Example: fgdprep roster show DS
    """
    from fgdprep.stages.roster import show as run

    for e in run(obj.study(), site):
        p = e.person
        aliases = f" ({'; '.join(p.aliases)})" if p.aliases else ""
        click.echo(f"{p.code:<6} {p.name}{aliases}, {p.role}: {', '.join(e.sessions) or '-'}")


@roster.command("fix")
@click.argument("site")
@click.argument("code")
@click.option("--name", required=True, help="The name as it should be spelt.")
@pass_ctx
def fix(obj: Ctx, site: str, code: str, name: str) -> None:
    """Spell a person's name another way in the site roster (the old spelling stays as an
    alias, so transcripts made before are still pseudonymised).

    \b
    Example: fgdprep roster fix DS P03 --name "Neema Swai"
    """
    from fgdprep.stages.roster import fix as run

    study = obj.study()
    with study.lock():
        done = run(study, site, code, name)
    click.echo(f"{site}/{code} is now {done.after.name!r} (was {done.before.name!r}).")
