"""What several commands share: the common options, the wired App, JSON and file output.

Command modules import this one and never each other. It imports only click
at the top, so `alur --help` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from runners.app import App

F = TypeVar("F", bound=Callable[..., Any])


class Options:
    """The options every command shares, wherever they were given on the line."""

    def __init__(self) -> None:
        self.workspace: str | None = None
        self.db: str | None = None
        self.user: str | None = None
        self.debug = False

    @property
    def workspace_dir(self) -> Path:
        """The workspace folder, resolved as spec/cli.md says."""
        from runners.workspace import find_workspace

        return find_workspace(self.workspace)

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
    ]
    for decorate in reversed(decorators):
        f = decorate(f)
    return f


class DomainError(click.ClickException):
    """A domain error shown as one `Error: ...` line per line of its message."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"Error: {line}", err=True)


def app_of(ctx: click.Context) -> App:
    """The wired application of this invocation (built once, closed when it ends)."""
    from runners.app import App

    root = ctx.find_root()
    app = getattr(root, "alur_app", None)
    if app is None:
        opts = options(ctx)
        app = App(opts.workspace_dir, opts.db, opts.acting_user)
        root.alur_app = app  # type: ignore[attr-defined]
        root.call_on_close(app.close)
        if app.user:
            app.check_user()  # an unknown --as is refused by every command, not ignored
    return app


def ensure_user(app: App) -> str:
    """The acting person, or a clear error."""
    if not app.user:
        raise DomainError("say who you are: --as PERSON or ALUR_USER (a person id of the "
                          "roster)")
    return app.user


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def minutes_text(minutes: int | None) -> str:
    """Working minutes for a table cell."""
    if minutes is None:
        return "-"
    from engine.durations import format_minutes

    return format_minutes(minutes)


def write_output(content: str | bytes, output: Path | None, default_file: str | None) -> None:
    """Text to stdout or a file; bytes always to a file (``default_file`` without -o)."""
    if isinstance(content, bytes):
        target = output or Path(default_file or "output.bin")
        target.write_bytes(content)
        click.echo(f"Wrote {target}")
    elif output is not None:
        output.write_text(content, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(content, nl=not content.endswith("\n"))


def sops_dir(ctx: click.Context) -> Path:
    """The workspace's sops/ folder; a clear error when there is none."""
    from runners.workspace import SOPS_DIR

    workspace = options(ctx).workspace_dir
    folder = workspace / SOPS_DIR
    if not folder.is_dir():
        raise DomainError(f"no {SOPS_DIR}/ folder in {workspace}; run `alur init` to create a "
                          "workspace there, or pass --workspace DIR")
    return folder
