"""`alur status`: the workspace, its database, roster and scheduler at a glance."""

from __future__ import annotations

import click

from runners.cli.shared import app_of, common_options, emit_json
from runners.i18n import _, ngettext, say


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@common_options
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Where the workspace is, which database it uses (kind, location, schema), its roster's
    units, whether the scheduler runs, failed reminders, and the audit trail's head."""
    from engine import reads
    from engine.catalog import load_catalog
    from engine.roster_check import roles_report
    from storage.db import HEAD_REVISION, current_revision
    from storage.lease import scheduler_state

    app = app_of(ctx)
    database = app.db
    summary = app.read(lambda store: reads.summary(store, app.env))
    catalog = load_catalog([app.sops_dir]) if app.sops_dir.is_dir() else None
    today = app.now().astimezone(app.tz).date()
    empty = [f"{r.role} ({r.unit})" for r in roles_report(
        app.roster, catalog.loaded if catalog else [], today) if not r.holders]
    schema = current_revision(database.engine)
    data = {
        "workspace": str(app.workspace),
        "database": {"kind": database.kind, "url": database.shown_url,
                     "schema": schema, "current": HEAD_REVISION},
        "sops": len(catalog.loaded) if catalog else 0,
        "sop_problems": catalog.error_count if catalog else 0,
        "units": [{"unit": u.slug, "name": u.name, "people": len(u.people)}
                  for u in app.roster.units],
        "roles_without_holder": empty,
        "scheduler": scheduler_state(database.engine),
        "runs": summary.runs,
        "reminders_due": summary.reminders_due,
        "reminders_failed": summary.reminders_failed,
        "audit": {"events": summary.audit_seq, "head": summary.audit_hash,
                  "last_recorded_at": summary.last_event_at and
                  summary.last_event_at.astimezone(app.tz).isoformat()},
    }
    if as_json:
        emit_json(data)
        return
    from runners.tables import pairs
    from runners.words import status_word

    runs = ", ".join(f"{n} {status_word(status)}"
                     for status, n in sorted(summary.runs.items())) or _("none")
    sops = data["sops"]
    problems = catalog.error_count if catalog else 0
    audit = ngettext("{n} event, head {head}", "{n} events, head {head}",
                     summary.audit_seq).format(n=summary.audit_seq, head=summary.audit_hash[:12])
    rows = [
        (_("Workspace"), str(app.workspace)),
        (_("Database"), f"{database.kind}: {database.shown_url}"),
        (_("Schema"), _("{schema} (this Alur: {current})").format(schema=schema,
                                                                   current=HEAD_REVISION)),
        (_("SOPs"), ngettext("{n}, {problems} problem: run `alur sop validate`",
                             "{n}, {problems} problems: run `alur sop validate`",
                             problems).format(n=sops, problems=problems)
         if problems else str(sops)),
        (_("Units"), ", ".join(ngettext("{unit} ({n} person)", "{unit} ({n} people)",
                                        len(u.people)).format(unit=u.slug, n=len(u.people))
                               for u in app.roster.units)),
        (_("Roles nobody holds"), ", ".join(empty) or _("none")),
        (_("Scheduler"), say(data["scheduler"])),
        (_("Runs"), runs),
        (_("Reminders"), _("{due} due now, {failed} failed").format(
            due=summary.reminders_due, failed=summary.reminders_failed)),
        (_("Audit trail"), _("{events}, last {at}").format(
            events=audit, at=app.local(summary.last_event_at))
         if summary.last_event_at else audit),
    ]
    click.echo(pairs(rows))
