"""`alur evidence list` and `alur evidence get`: the files completed steps carried."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runners.cli.shared import (
    DomainError,
    app_of,
    common_options,
    emit_json,
    force_option,
    options,
    write_output,
)
from runners.i18n import N_, _

if TYPE_CHECKING:
    import datetime as dt

    from engine.evidence_reads import EvidenceFile

# the headers of `evidence list`
ID, STEP, FILE, KIND, SIZE = N_("Id"), N_("Step"), N_("File"), N_("Type"), N_("Size")
BY, ATTACHED = N_("By"), N_("Attached")


def file_json(file: EvidenceFile, tz: dt.tzinfo) -> dict[str, Any]:
    """A file as `--json` gives it."""
    return {"id": file.id, "run": file.run_id, "task": file.task, "step_no": file.step_no,
            "attempt": file.attempt, "name": file.name, "size": file.size,
            "type": file.mime, "sha256": file.sha256,
            "attached_at": file.attached_at.astimezone(tz).isoformat(),
            "attached_by": file.attached_by}


@click.group()
def evidence() -> None:
    """The files (evidence) completed steps carried: list them, write them out."""


@evidence.command(name="list")
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the files as JSON.")
@common_options
@click.pass_context
def list_files(ctx: click.Context, run_id: int, as_json: bool) -> None:
    """List the files of RUN: which step carried each, its type, size and SHA-256."""
    from engine.evidence_reads import run_files

    app = app_of(ctx)
    files = app.read(lambda store: run_files(store, run_id))
    if as_json:
        emit_json([file_json(f, app.tz) for f in files])
        return
    if not files:
        click.echo(_("Run {run} has no files.").format(run=run_id))
        return
    from runners.attachments import size_text
    from runners.tables import Column, short_time, table

    now = app.now()
    click.echo(table([Column(_(ID), 3), Column(_(STEP), 10), Column(_(FILE), 16, weight=3),
                      Column(_(KIND), 4), Column(_(SIZE), 6), Column(_(BY), 8, keep_from=90),
                      Column(_(ATTACHED), 11, keep_from=100),
                      Column("SHA-256", 12, keep_from=110)], [
        [f.id, f.task + (f" #{f.attempt}" if f.attempt > 1 else ""), f.name, f.kind,
         size_text(f.size), f.attached_by, short_time(f.attached_at, app.tz, now),
         f.sha256[:12]] for f in files]))


@evidence.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_ref", metavar="STEP")
@click.option("-o", "--output-dir", "folder", type=click.Path(path_type=Path), default=".",
              show_default=True, metavar="DIR",
              help="The folder to write the files into (it must exist).")
@force_option
@common_options
@click.pass_context
def get(ctx: click.Context, run_id: int, step_ref: str, folder: Path) -> None:
    """Write the files of STEP of RUN (its id or number, or ACTIVITY/KEY for one task) into a
    folder, each under its own name; a file that exists is replaced only with --force."""
    from engine.evidence import clean_name, unique_names
    from engine.evidence_reads import step_files
    from runners.cli.output import check_output

    app = app_of(ctx)
    files = app.read(lambda store: step_files(store, run_id, step_ref))
    if not files:
        click.echo(_("Step `{step}` of run {run} has no files.").format(step=step_ref,
                                                                      run=run_id))
        return
    if folder.exists() and not folder.is_dir():
        raise DomainError(_("cannot write into {folder}: it is not a folder (name a folder "
                            "with -o DIR)").format(folder=folder))
    if not folder.exists():
        if not folder.absolute().parent.is_dir():
            raise DomainError(_("cannot write into {folder}: the folder {parent} does not "
                                "exist").format(folder=folder,
                                                parent=folder.absolute().parent))
        folder.mkdir()
        click.echo(_("Made the folder {folder}").format(folder=folder))
    opts = options(ctx)
    targets = [folder / name for name in unique_names(clean_name(f.name) for f, _c in files)]
    for target in targets:  # every file is checked before the first is written
        check_output(target, opts.workspace_dir, opts.db, opts.force)
    for target, (_file, content) in zip(targets, files, strict=True):
        write_output(content, target, None)
