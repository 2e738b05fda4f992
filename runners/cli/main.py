"""The `alur` command: the root group, its commands and error handling.

Start-up stays light: this module and the command modules import only click
at the top; each command imports what it needs (SQLAlchemy, APScheduler, ...)
inside its function, so `alur --help` costs little more than importing click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from runners.cli.localized import localize
from runners.cli.shared import DomainError, common_options, no_language, options
from runners.i18n import _


def language_of(args: list[str]) -> str:
    """The language a command line asks for: ``--lang``, else ALUR_LANG, else Bahasa
    Indonesia (LanguageError for one Alur does not speak)."""
    from runners.i18n import DEFAULT_LANGUAGE, check_language

    asked = _language_asked(args)
    source = "--lang"
    if asked is None:
        asked, source = os.environ.get("ALUR_LANG", "").strip(), "ALUR_LANG"
    return check_language(asked, source) if asked else DEFAULT_LANGUAGE


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
        from runners.i18n import LanguageError, use_language

        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = language_of(argv)
        except LanguageError as exc:
            click.echo(_("Error: {message}").format(message=no_language(exc.given)), err=True)
            if standalone_mode:
                sys.exit(2)
            raise click.exceptions.Exit(2) from None
        previous = os.environ.get("ALUR_LANG")
        os.environ["ALUR_LANG"] = code  # the threads a command starts speak it too
        try:
            with use_language(code):
                return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        finally:
            if previous is None:
                os.environ.pop("ALUR_LANG", None)
            else:
                os.environ["ALUR_LANG"] = previous

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

            problem = os_problem(exc, None if exc.filename else _("cannot write the output")) \
                if isinstance(exc, OSError) else None
            if problem is not None:  # a full disk, a folder that may not be written, ...
                raise DomainError(problem) from exc
            raise DomainError(_("internal error: {kind}: {error}\nrun the command again with "
                                "--debug to see the traceback, and report it").format(
                                    kind=type(exc).__name__, error=exc)) from exc


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
    # (issue 11: `alur user`, `alur evidence` and `alur web` are added here, one line each)
    from runners.cli.web import web
    cli.add_command(web)
    from runners.cli.evidence import evidence
    cli.add_command(evidence)
    from runners.cli.user import user
    cli.add_command(user)
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


def _errors(said: Callable[[], list[str]], argv: list[str]) -> None:
    """``Error: ...`` lines on standard error, said in the language the command line asked
    for (an unknown one was refused already: then the default)."""
    from runners.i18n import DEFAULT_LANGUAGE, LanguageError, use_language

    try:
        code = language_of(argv)
    except LanguageError:
        code = DEFAULT_LANGUAGE
    with use_language(code):
        for line in said():
            click.echo(_("Error: {message}").format(message=line), err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `alur` console script."""
    args = list(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in args
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
        from runners.i18n import say

        failed = exc
        if debug or os_problem(failed) is None:
            raise
        quiet_stdout()
        _errors(lambda: [say(os_problem(failed, _("cannot write the output")))], args)
        sys.exit(1)
    except Exception:
        if debug:
            raise
        import traceback

        last = traceback.format_exc().splitlines()[-1]
        _errors(lambda: [_("internal error: {error}").format(error=last),
                         _("run the command again with --debug to see the traceback")], args)
        sys.exit(1)
