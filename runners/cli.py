"""The `alur` command: the root group, shared options and error handling.

Start-up stays light: this module and the command modules import only click
at the top; each command imports what it needs (SQLAlchemy, APScheduler, ...)
inside its function, so `alur --help` costs little more than importing click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

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


def emit_json(data: Any) -> None:
    """Print one JSON document on stdout."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


class DomainError(click.ClickException):
    """A domain error shown as one `Error: ...` line per line of its message."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines() or [""]:
            click.echo(f"Error: {line}", err=True)


class AlurGroup(click.Group):
    """A group that turns Alur's errors into clean messages and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from engine.errors import AlurError

        try:
            return super().invoke(ctx)
        except AlurError as exc:
            raise DomainError(str(exc)) from exc
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None
        except Exception as exc:
            if options(ctx).debug:
                raise
            raise DomainError(f"internal error: {type(exc).__name__}: {exc}\n"
                              "run the command again with --debug to see the traceback, and "
                              "report it") from exc


@click.group(name="alur", cls=AlurGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "max_content_width": 100})
@click.version_option("0.1.0", "--version", prog_name="alur", message="%(prog)s %(version)s")
@common_options
def cli() -> None:
    """Alur runs the SOPs (Standar Operasional Prosedur) of a government office.

    One YAML file per SOP is both the official document and the program: Alur
    checks it, runs it step by step with the right people, reminds them when a
    step runs past its standard time, and keeps a tamper-evident audit trail.
    """


def _register() -> None:
    from runners.cli_records import audit, db, history, inbox, init, overdue, report
    from runners.cli_run import run, step
    from runners.cli_scheduler import demo, reminders, scheduler
    from runners.cli_sop import sop

    for command in (init, sop, run, step, inbox, overdue, history, report, audit, db,
                    scheduler, reminders, demo):
        cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `alur` console script."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        cli.main(args=argv, prog_name="alur")
    except Exception:
        if debug:
            raise
        import traceback

        click.echo("Error: internal error: " + traceback.format_exc().splitlines()[-1], err=True)
        click.echo("Error: run the command again with --debug to see the traceback", err=True)
        sys.exit(1)
