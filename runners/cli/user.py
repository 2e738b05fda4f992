"""`alur user password|list|logout|link`: who may log in to `alur web`, and their sessions.

The operator's tool: set a person's password (asked twice without echo, or one
line from standard input), see who can log in and when they last did, end a
person's sessions, and print a single-use login link to send by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from runners.cli.shared import DomainError, app_of, common_options, emit_json
from runners.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from runners.app import App

# the headers of `user list`
PERSON, NAME, UNIT, PASSWORD, LAST_LOGIN, LAST_SEEN = (
    N_("Person"), N_("Name"), N_("Unit"), N_("Password"), N_("Last login"), N_("Last seen"))
LINK_PATH = "/masuk/tautan/{token}"  # the web's login-link page (spec/web.md)


@click.group()
def user() -> None:
    """Who may log in to `alur web`: passwords, sessions and login links."""


def _read_password(person: str, from_stdin: bool) -> str:
    """The new password: one line of standard input, or asked twice on a terminal."""
    import sys

    if from_stdin:
        line = sys.stdin.readline()
        line = line[:-1] if line.endswith("\n") else line
        line = line[:-1] if line.endswith("\r") else line
        if not line:
            raise DomainError(_("no password on standard input: give it as one line"))
        return line
    if not sys.stdin.isatty():
        raise DomainError(_("standard input is not a terminal: give --password-stdin to read "
                            "the password from it (one line)"))
    typed: str = click.prompt(_("New password for {person}").format(person=person),
                              hide_input=True, confirmation_prompt=_("Repeat it"), err=True)
    return typed


def _person_name(app: App, person_id: str) -> str:
    return next((p.name for u in app.roster.units for p in u.people if p.id == person_id),
                person_id)


@user.command()
@click.argument("person", metavar="PERSON")
@click.option("--password-stdin", "from_stdin", is_flag=True,
              help="Read the password from standard input (one line) instead of asking for "
                   "it twice on the terminal.")
@common_options
@click.pass_context
def password(ctx: click.Context, person: str, from_stdin: bool) -> None:
    """Set the password PERSON (a person id of the roster) logs in to `alur web` with (at
    least 10 characters); their open sessions end."""
    from engine.accounts import roster_person, set_password
    from runners.passwords import password_hasher

    app = app_of(ctx)
    roster_person(app.roster, person)  # an unknown person is refused before asking
    secret = _read_password(person, from_stdin)
    hasher = password_hasher()
    app.write(lambda store: set_password(store, app.env, person, secret, hasher, by=app.user))
    click.echo(_("Password set for {person} ({name}). They log in to `alur web` as {person} "
                 "(or with their e-mail or NIP).").format(
                     person=person, name=_person_name(app, person)))


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
@common_options
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Everyone of the roster: who has a password, when they last logged in and were last
    seen in `alur web`."""
    from engine.accounts import account_list

    app = app_of(ctx)
    views = app.read(lambda store: account_list(store, app.env))
    if as_json:
        def iso(value: dt.datetime | None) -> str | None:
            return None if value is None else value.astimezone(app.tz).isoformat()

        emit_json([{"person": v.person_id, "name": v.name, "unit": v.unit,
                    "in_roster": v.in_roster, "password": v.has_password,
                    "password_set_at": iso(v.password_set_at),
                    "last_login_at": iso(v.last_login_at), "last_seen_at": iso(v.last_seen_at),
                    "locked_until": iso(v.locked_until)} for v in views])
        return
    from runners.tables import Column, short_time, table

    now = app.now()

    def when(value: dt.datetime | None) -> str:
        return short_time(value, app.tz, now)

    rows = []
    for v in views:
        if v.has_password:
            state = _("set {at}").format(at=when(v.password_set_at))
        else:
            state = _("none")
        if v.locked_until is not None:
            state += "\n" + _("waits until {at}").format(at=when(v.locked_until))
        name = v.name if v.in_roster else _("(no longer in the roster)")
        rows.append([v.person_id, name, v.unit or "-", state, when(v.last_login_at),
                     when(v.last_seen_at)])
    click.echo(table([Column(_(PERSON), 12), Column(_(NAME), 10, weight=2),
                      Column(_(UNIT), 10, keep_from=100), Column(_(PASSWORD), 18),
                      Column(_(LAST_LOGIN), 11), Column(_(LAST_SEEN), 11, keep_from=90)],
                     rows))
    ready = sum(v.has_password for v in views if v.in_roster)
    click.echo("\n" + ngettext("{n} of {total} people can log in with a password.",
                               "{n} of {total} people can log in with a password.",
                               ready).format(n=ready, total=sum(v.in_roster for v in views)))


@user.command()
@click.argument("person", metavar="PERSON")
@common_options
@click.pass_context
def logout(ctx: click.Context, person: str) -> None:
    """End every session PERSON has open in `alur web` (on every phone and computer)."""
    from engine.accounts import log_out_everywhere

    app = app_of(ctx)
    ended = app.write(lambda store: log_out_everywhere(store, app.env, person, by=app.user))
    if ended:
        click.echo(ngettext("Ended {n} session of {person}.", "Ended {n} sessions of {person}.",
                            ended).format(n=ended, person=person))
    else:
        click.echo(_("{person} had no open session.").format(person=person))


@user.command()
@click.argument("person", metavar="PERSON")
@common_options
@click.pass_context
def link(ctx: click.Context, person: str) -> None:
    """Print a login link for PERSON to send by hand: it logs them in to `alur web` once,
    within 72 hours, without a password."""
    from engine.accounts import LINK_VALID, make_login_link

    app = app_of(ctx)
    token = app.write(lambda store: make_login_link(store, app.env, person, by=app.user))
    path = LINK_PATH.format(token=token)
    base_url = app.settings.web.base_url
    until = app.local(app.now() + LINK_VALID)
    click.echo(_("Login link for {person} ({name}), good for one login until {until}:").format(
        person=person, name=_person_name(app, person), until=until))
    if base_url:
        click.echo(base_url + path)
        return
    click.echo(path)
    click.echo(_("This is only the path: set base_url in the [web] table of alur.toml (the "
                 "address people reach `alur web` at) to print the whole link."), err=True)
