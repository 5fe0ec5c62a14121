"""``fgdprep archive`` (a BagIt bag for a data repository, or ``--verify`` one) and
``fgdprep check`` (the study folder's integrity)."""

from __future__ import annotations

from pathlib import Path

import click

from fgdprep.cli.context import Ctx, ask_passphrase, pass_ctx


@click.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to make the bag in, outside the study folder (new or empty).",
)
@click.option(
    "--verify",
    "verify_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Check a bag made before: checksums, completeness, phone numbers and e-mails.",
)
@click.option(
    "--session",
    "session_ids",
    multiple=True,
    help="Archive only this session (repeat for more; default: every finalised one).",
)
@click.option("--force", is_flag=True, help="Replace a folder that is not empty.")
@click.option(
    "--anonymisation-log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write which real value became which label to this file (identifiable: owner"
    " only, never into the bag or the shareable area).",
)
@pass_ctx
def archive(
    obj: Ctx,
    out_dir: Path | None,
    verify_dir: Path | None,
    session_ids: tuple[str, ...],
    force: bool,
    anonymisation_log: Path | None,
) -> None:
    """Package finalised, de-identified sessions for a data repository (BagIt).

    Per session the finalised transcript (JSON, Word, text), the translation where complete,
    metadata; a summary table of the focus groups (counts, no names), the audit log with
    login names replaced, README.txt and data_list.csv. Never recordings, the codebook,
    back-check files or anything identifiable. The leak check runs first (codebook
    passphrase: FGDPREP_PASSPHRASE or a prompt); a hit and nothing is written.

    \b
    Example: fgdprep archive -o upsides_archive/
             fgdprep archive --verify upsides_archive/
    """
    from fgdprep.stages import archive as stage

    if (out_dir is None) == (verify_dir is None):
        raise click.UsageError("give -o DIR to make a bag, or --verify DIR to check one")
    if verify_dir is not None:
        if session_ids or force or anonymisation_log:
            raise click.UsageError("--verify takes no other option")
        checked = stage.verify(verify_dir)
        for p in checked.problems:
            click.echo(f"  {p.file}: {p.what}\n    repair: {p.repair}")
        if checked.problems:
            raise click.ClickException(
                f"{verify_dir}: {len(checked.problems)} problem(s) in {checked.files} file(s)"
            )
        click.echo(
            f"{verify_dir}: a valid bag; {checked.files} file(s), checksums match, no phone"
            " number or e-mail address found."
        )
        return
    assert out_dir is not None
    study = obj.study()
    request = stage.ArchiveRequest(out_dir, session_ids or None, force, anonymisation_log)
    with study.lock():
        result = stage.run(study, request, lambda: ask_passphrase(study))
    for s in result.sessions:
        click.echo(f"Archived {s.session_id}: {s.files} file(s); translation: {s.translation}.")
    click.echo(
        f"No leaks in {result.checked_files} shareable file(s). Wrote a BagIt bag of"
        f" {result.files} file(s) to {out_dir}; check it with: fgdprep archive --verify {out_dir}"
    )
    if result.anonymisation_log is not None:
        click.echo(
            f"Warning: {anonymisation_log} holds {result.anonymisation_log} real value(s)"
            " (identifiable); keep it apart from the archive.",
            err=True,
        )


@click.command()
@pass_ctx
def check(obj: Ctx) -> None:
    """Check the whole study folder and say how to repair what is wrong.

    Every stage file parses, files match the checksums the audit log recorded, no stray or
    half-written file, the codebook decrypts (FGDPREP_PASSPHRASE or a prompt). Exits 1
    when anything is wrong. Changes nothing.

    \b
    Example: fgdprep check
    """
    from fgdprep.stages import check as stage

    study = obj.study()
    result = stage.run(study, lambda: ask_passphrase(study))
    from fgdprep.volume import describe

    if result.volume is not None:
        click.echo(describe(result.volume), err=True)
    for p in result.problems:
        click.echo(f"{p.file or 'study'}: {p.what}\n  repair: {p.repair}")
    if result.problems:
        raise click.ClickException(
            f"{len(result.problems)} problem(s) in {result.files} file(s) of {study.root}"
        )
    click.echo(f"{study.root}: {result.files} file(s), all whole and as the audit log says.")
