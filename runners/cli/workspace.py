"""`alur init` and `alur db upgrade`: the workspace and its database."""

from __future__ import annotations

from pathlib import Path

import click

from runners.cli.shared import DomainError, announcer, app_of, common_options, options
from runners.i18n import _


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@common_options
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Migrate the database to the current schema."""
    from storage.db import upgrade_url

    app = app_of(ctx)
    app.require_workspace()
    before, after, shown = upgrade_url(app.database_url, app.settings.lock_timeout,
                                       announcer(ctx))
    if before == after:
        click.echo(_("Database {database} is at schema {schema} (unchanged).").format(
            database=shown, schema=after))
    elif before:
        click.echo(_("Database {database} is at schema {schema} (was {before}).").format(
            database=shown, schema=after, before=before))
    else:
        click.echo(_("Database {database} is at schema {schema} (was empty).").format(
            database=shown, schema=after))


def _refuse_password(url: str) -> None:
    """A database URL with a password is not written into alur.toml."""
    from urllib.parse import urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        raise DomainError(_("the database URL holds a password, which would be written into "
                            "alur.toml; give the URL without it and put the password in "
                            "ALUR_DATABASE_URL or ~/.pgpass"))


@click.command()
@click.argument("folder", metavar="[DIR]", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@common_options
@click.pass_context
def init(ctx: click.Context, folder: Path | None) -> None:
    """Create a workspace: alur.toml, roster.yaml, sops/ and the database.

    With --db URL the workspace's alur.toml names that database (a password in the URL
    is refused: put it in ALUR_DATABASE_URL or ~/.pgpass instead).
    """
    from runners.app import App
    from runners.init_workspace import create_workspace

    url = options(ctx).db
    if url is not None:
        _refuse_password(url)
    target = (folder or Path.cwd()).resolve()
    for path, created in create_workspace(target, url):
        shown = path.relative_to(target) if path.is_relative_to(target) else path
        click.echo("  " + (_("created  {file}") if created else
                           _("exists, left alone  {file}")).format(file=shown))
    app = App(target, url)
    app.announce = announcer(ctx)
    if url is not None and app.settings.database_url != app.database_url:
        click.echo("  " + _("note: alur.toml existed and names {url}; --db or ALUR_DATABASE_URL "
                            "must be given to use this database").format(
                                url=app.settings.database_url))
    try:
        app.db  # noqa: B018 - creates and migrates the database
    finally:
        app.close()
    click.echo("  " + _("database   {url}").format(url=app.database_url))
    click.echo("\n" + _("Workspace ready in {folder}. The roster holds SAMPLE people: edit "
                        "roster.yaml, then for example:").format(folder=target))
    click.echo(f"  cd {target}\n  alur run start pengumpulan-data-kinerja --as camat")

