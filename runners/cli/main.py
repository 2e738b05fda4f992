"""The `alur` command: the root group, its commands and error handling.

Start-up stays light: this module and the command modules import only click
at the top; each command imports what it needs (SQLAlchemy, APScheduler, ...)
inside its function, so `alur --help` costs little more than importing click.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from runners.cli.shared import DomainError, common_options, options


class AlurGroup(click.Group):
    """A group that turns Alur's errors into clean messages and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from engine.errors import AlurError

        try:
            return super().invoke(ctx)
        except AlurError as exc:
            from runners.cli.phrases import phrase

            raise DomainError(phrase(exc)) from exc
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
    from runners.cli.daemon import demo, reminders, scheduler
    from runners.cli.records import audit, history, inbox, overdue, report
    from runners.cli.roster import roster
    from runners.cli.run import run, step
    from runners.cli.sop import sop
    from runners.cli.status import status
    from runners.cli.workspace import db, init

    for command in (init, sop, run, step, inbox, overdue, history, report, audit, db,
                    scheduler, reminders, roster, status, demo):
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
