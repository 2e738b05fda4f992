"""The `alur` command: the root group, its commands and error handling.

Start-up stays light: this module and the command modules import only click
at the top; each command imports what it needs (SQLAlchemy, APScheduler, ...)
inside its function, so `alur --help` costs little more than importing click.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from runners.cli.localized import localize
from runners.cli.shared import DomainError, common_options, options


def _language_asked(args: list[str]) -> str | None:
    """The value of ``--lang X`` / ``--lang=X`` anywhere on the line (before ``--``)."""
    for index, arg in enumerate(args):
        if arg == "--":
            return None
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


class AlurGroup(click.Group):
    """A group that speaks the chosen language and turns Alur's errors into clean messages
    and exit code 1."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the command line in the language it asks for (``--lang``, else ALUR_LANG, else
        Bahasa Indonesia): its help, messages and errors."""
        from runners.i18n import DEFAULT_LANGUAGE, LanguageError, check_language, use_language

        argv = list(sys.argv[1:] if args is None else args)
        asked = _language_asked(argv)
        source = "--lang"
        if asked is None:
            asked, source = os.environ.get("ALUR_LANG", "").strip(), "ALUR_LANG"
        try:
            code = check_language(asked, source) if asked else DEFAULT_LANGUAGE
        except LanguageError as exc:
            click.echo(f"Error: {exc}", err=True)
            if standalone_mode:
                sys.exit(2)
            raise click.exceptions.Exit(2) from None
        with use_language(code):
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)

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
        except BrokenPipeError:  # `alur history | head -1`: the reader has all it wanted
            if options(ctx).debug:
                raise
            quiet_stdout()
            raise click.exceptions.Exit(1) from None
        except Exception as exc:
            if options(ctx).debug:
                raise
            from runners.cli.output import os_problem

            problem = os_problem(exc, "" if exc.filename else "cannot write the output") \
                if isinstance(exc, OSError) else None
            if problem is not None:  # a full disk, a folder that may not be written, ...
                raise DomainError(problem) from exc
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
    localize(cli)


_register()


def quiet_stdout() -> None:
    """Point standard output at /dev/null, so that what is still buffered for a reader that
    went away (a closed pipe) is dropped quietly (as the Python docs on SIGPIPE advise)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # no real stdout (tests): nothing to do
        pass


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `alur` console script."""
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        try:
            cli.main(args=argv, prog_name="alur")
        finally:
            _flush_stdout()  # a closed pipe or a full disk shows here, not at exit
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(1)
    except OSError as exc:
        from runners.cli.output import os_problem

        problem = os_problem(exc, "cannot write the output")
        if debug or problem is None:
            raise
        quiet_stdout()
        click.echo(f"Error: {problem}", err=True)
        sys.exit(1)
    except Exception:
        if debug:
            raise
        import traceback

        click.echo("Error: internal error: " + traceback.format_exc().splitlines()[-1], err=True)
        click.echo("Error: run the command again with --debug to see the traceback", err=True)
        sys.exit(1)
