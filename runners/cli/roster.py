"""`alur roster show` and `alur roster check`: who holds which role of the SOPs, and what is
missing before a run is started."""

from __future__ import annotations

import click

from runners.cli.shared import DomainError, app_of, common_options, emit_json
from runners.i18n import N_, _, ngettext, say

# the headers of `roster show`
UNIT, ROLE, POSITION, HOLDERS = N_("Unit"), N_("Role"), N_("Position"), N_("Holders")


@click.group()
def roster() -> None:
    """Who holds which role of the SOPs, and what is missing."""


@roster.command()
@click.option("--date", "day", metavar="DATE",
              help="The day to look at (YYYY-MM-DD; default: today): Plt/Plh in office then.")
@click.option("--unit", help="Only this unit of the roster.")
@click.option("--json", "as_json", is_flag=True, help="Print the roles as JSON.")
@common_options
@click.pass_context
def show(ctx: click.Context, day: str | None, unit: str | None, as_json: bool) -> None:
    """Every role of the workspace's SOPs and who holds it on a day (Plt/Plh marked), and the
    roles nobody holds."""
    from engine.catalog import load_catalog
    from engine.roster_check import roles_report

    app = app_of(ctx)
    when = (app.parse_time(day, "--date") if day else app.now()).astimezone(app.tz).date()
    rows = roles_report(app.roster, load_catalog([app.sops_dir]).loaded, when, unit)
    if as_json:
        emit_json([{"unit": r.unit, "role": r.role, "title": r.title, "sops": list(r.sops),
                    "holders": [{"person": h.person, "name": h.name, "acting": h.acting}
                                for h in r.holders]} for r in rows])
        return
    from runners.tables import Column, table

    click.echo(_("Role holders on {day}:").format(day=when.isoformat()))
    click.echo(table([Column(_(UNIT), keep_from=100), Column(_(ROLE), 12),
                      Column(_(POSITION), 12, weight=2), Column(_(HOLDERS), 14, weight=2),
                      Column("SOP", 12)], [
        [r.unit, r.role, r.title,
         "\n".join(f"{h.person} ({h.name})" + (" Plt/Plh" if h.acting else "")
                   for h in r.holders) or _("NOBODY"), "\n".join(r.sops)] for r in rows]))
    empty = [f"{r.role} ({r.unit})" for r in rows if not r.holders]
    if empty:
        click.echo("\n" + _("Roles nobody holds: {roles}").format(roles=", ".join(empty)))


@roster.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@common_options
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Exit 1 when a role used by an SOP has no holder in a unit today, or a person cannot
    be reached through a channel that is on."""
    import os

    from engine.catalog import load_catalog
    from engine.roster_check import contact_problems, roles_report
    from engine.text import Text

    app = app_of(ctx)
    sops = load_catalog([app.sops_dir]).loaded
    today = app.now().astimezone(app.tz).date()
    problems: list[str] = [
        Text("role `{role}` ({title}) has no holder in unit {unit}, used by {sops}",
             role=r.role, title=r.title, unit=r.unit, sops=", ".join(r.sops))
        for r in roles_report(app.roster, sops, today) if not r.holders]
    settings = app.settings
    shared = bool(settings.apprise_urls_env and os.environ.get(settings.apprise_urls_env))
    problems += contact_problems(app.roster, sops, settings.reminders.channels, shared)
    if as_json:
        emit_json({"ok": not problems, "problems": [str(p) for p in problems]})
    else:
        for problem in problems:
            click.echo(say(problem))
    if problems:
        raise DomainError(ngettext("{n} problem in the roster", "{n} problems in the roster",
                                   len(problems)).format(n=len(problems)))
    if not as_json:
        click.echo(_("Roster OK: every role of the SOPs has a holder in every unit, and "
                     "everyone can be reached."))
