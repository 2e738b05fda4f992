"""What several commands share: the common options, the wired App, JSON and file output.

Command modules import this one and never each other. It imports only click
at the top, so `alur --help` stays light. Files named with -o go through
``write_output`` (``runners.cli.output``): an existing file is replaced only with
--force, and the workspace's own files never.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from runners.i18n import _, say

if TYPE_CHECKING:
    from runners.app import App
    from storage.db import SqlDatabase

F = TypeVar("F", bound=Callable[..., Any])


class Options:
    """The options every command shares, wherever they were given on the line."""

    def __init__(self) -> None:
        self.workspace: str | None = None
        self.db: str | None = None
        self.user: str | None = None
        self.debug = False
        self.verbose = False
        self.force = False

    @property
    def workspace_dir(self) -> Path:
        """The workspace folder, resolved as spec/cli.md says; a clear error when the one
        named does not exist."""
        from runners.workspace import find_workspace

        folder = find_workspace(self.workspace)
        if (self.workspace or os.environ.get("ALUR_WORKSPACE")) and not folder.is_dir():
            given = "--workspace" if self.workspace else "ALUR_WORKSPACE"
            if folder.exists():
                message = _("the workspace folder {folder} ({given}) is a file, not a folder; "
                            "name the folder that holds alur.toml, or create a workspace with "
                            "`alur init DIR`")
            else:
                message = _("the workspace folder {folder} ({given}) does not exist; name the "
                            "folder that holds alur.toml, or create a workspace with `alur init "
                            "DIR`")
            raise DomainError(message.format(folder=folder, given=given))
        return folder

    @property
    def acting_user(self) -> str | None:
        """Who acts: ``--as`` or ALUR_USER."""
        return self.user or os.environ.get("ALUR_USER") or None


def options(ctx: click.Context) -> Options:
    """The shared options of this invocation."""
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


def _store(field: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value not in (None, False):
            setattr(options(ctx), field, value)
    return callback


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--lang is applied before the line is read (runners.cli.main); here it is only checked."""
    if value is None:
        return
    from runners.i18n import LanguageError, check_language

    try:
        check_language(value, "--lang")
    except LanguageError as exc:
        raise click.BadParameter(no_language(exc.given), ctx, param) from None


def no_language(given: str) -> str:
    """The message for a language Alur does not speak."""
    from runners.i18n import LANGUAGES

    return _("no language `{given}`; choose one of: {choices}").format(
        given=given, choices=", ".join(f"{code} ({name})" for code, name in LANGUAGES.items()))


def common_options(f: F) -> F:
    """--workspace, --db, --as and --debug, accepted before or after the command name."""
    decorators = [
        click.option("--workspace", "-w", metavar="DIR", expose_value=False, is_eager=True,
                     callback=_store("workspace"),
                     help="Workspace folder (default: ALUR_WORKSPACE, else the nearest folder "
                          "upward holding alur.toml, else the current folder)."),
        click.option("--db", metavar="URL", expose_value=False, callback=_store("db"),
                     help="Database URL (default: ALUR_DATABASE_URL, else alur.toml, else "
                          "SQLite in the workspace)."),
        click.option("--as", "user", metavar="PERSON", expose_value=False,
                     callback=_store("user"),
                     help="The person acting, an id from the roster (default: ALUR_USER)."),
        click.option("--debug", is_flag=True, expose_value=False, callback=_store("debug"),
                     help="Show the full traceback when something fails."),
        click.option("--lang", metavar="id|en", expose_value=False, callback=_language,
                     help="The language of messages, help and documents: id (Bahasa "
                          "Indonesia, the default) or en (default: ALUR_LANG)."),
        click.option("--verbose", is_flag=True, expose_value=False, callback=_store("verbose"),
                     help="Say on standard error which database is used (kind, location, "
                          "schema) before the work starts."),
    ]
    for decorate in reversed(decorators):
        f = decorate(f)
    return f


class DomainError(click.ClickException):
    """A domain error shown as one `Error: ...` line per line of its message (a message
    given as an engine ``Text`` is said in the language in use)."""

    exit_code = 1

    def format_message(self) -> str:
        from engine.text import Text

        return say(self.message) if isinstance(self.message, Text) else self.message

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines() or [""]:
            click.echo(_("Error: {message}").format(message=line), err=True)


def app_of(ctx: click.Context) -> App:
    """The wired application of this invocation (built once, closed when it ends)."""
    from runners.app import App

    root = ctx.find_root()
    app = getattr(root, "alur_app", None)
    if app is None:
        opts = options(ctx)
        app = App(opts.workspace_dir, opts.db, opts.acting_user)
        app.announce = announcer(ctx)
        root.alur_app = app  # type: ignore[attr-defined]
        root.call_on_close(app.close)
        if app.user:
            app.check_user()  # an unknown --as is refused by every command, not ignored
    return app


def describe_database(database: SqlDatabase) -> str:
    """``Database: sqlite /srv/alur/alur.db, schema 0004`` (and why it is read-only)."""
    values = {"kind": database.kind, "location": database.location,
              "schema": database.revision or "-"}
    if database.read_only:
        return _("Database: {kind} {location}, schema {schema}, read-only ({reason})").format(
            reason=say(database.read_only), **values)
    return _("Database: {kind} {location}, schema {schema}").format(**values)


def announcer(ctx: click.Context) -> Callable[[SqlDatabase], None] | None:
    """With --verbose: what tells standard error which database is opened."""
    if not options(ctx).verbose:
        return None
    return lambda database: click.echo(describe_database(database), err=True)


def ensure_user(app: App) -> str:
    """The acting person, or a clear error."""
    if not app.user:
        raise DomainError(_("say who you are: --as PERSON or ALUR_USER (a person id of the "
                            "roster)"))
    return app.user


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def minutes_text(minutes: int | None) -> str:
    """Working minutes for a table cell, in the language in use."""
    if minutes is None:
        return "-"
    from engine.durations import format_minutes

    return say(format_minutes(minutes))


def force_option(f: F) -> F:
    """--force, for a command with -o/--output: an existing file is replaced only with it.

    The file named by ``output`` is checked before the command does its work (it
    exists, it is one of the workspace's own files, its folder is missing), and again
    by ``write_output`` when it is written.
    """
    import functools

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        output = kwargs.get("output")
        if isinstance(output, Path):
            _check_output(click.get_current_context(), output)
        return f(*args, **kwargs)

    option = click.option("--force", is_flag=True, expose_value=False, callback=_store("force"),
                          help="Replace the output file if it exists (never one of the "
                               "workspace's own files).")
    return option(checked)  # type: ignore[return-value]


def write_output(content: str | bytes, output: Path | None, default_file: str | None) -> None:
    """Text to stdout or a file; bytes always to a file (``default_file`` without -o).

    A file that exists is replaced only with --force; the workspace's files never."""
    if isinstance(content, str) and output is None:
        click.echo(content, nl=not content.endswith("\n"))
        return
    from runners.cli.output import write_file

    target = output or Path(default_file or "output.bin")
    ctx = click.get_current_context()
    _check_output(ctx, target)
    write_file(target, content.encode("utf-8") if isinstance(content, str) else content,
               options(ctx).force)
    click.echo(_("Wrote {file}").format(file=target))


def _check_output(ctx: click.Context, path: Path) -> None:
    from runners.cli.output import check_output

    opts = options(ctx)
    check_output(path, opts.workspace_dir, opts.db, opts.force)


def sops_dir(ctx: click.Context) -> Path:
    """The workspace's sops/ folder; a clear error when there is none."""
    from runners.workspace import SOPS_DIR

    workspace = options(ctx).workspace_dir
    folder = workspace / SOPS_DIR
    if not folder.is_dir():
        raise DomainError(_("no {folder}/ folder in {workspace}; run `alur init` to create a "
                            "workspace there, or pass --workspace DIR").format(
                                folder=SOPS_DIR, workspace=workspace))
    return folder
