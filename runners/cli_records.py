"""`alur inbox`, `overdue`, `history`, `report`, `audit verify`, `db upgrade`, `init`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runners.cli import DomainError, common_options, emit_json, options
from runners.cli_run import app_of, ensure_user, minutes_text

if TYPE_CHECKING:
    from runners.app import App

EVENT_KINDS = ["run_started", "step_activated", "step_completed", "step_reassigned",
               "run_cancelled", "run_completed", "reminder_sent", "reminder_failed"]


def open_steps(app: App, overdue_only: bool = False) -> list[dict[str, Any]]:
    """Active steps (all, or only those past due) with what people need to know about them."""
    from engine.spec_cache import spec_of
    from engine.views import late_minutes
    from storage.queries import active_steps

    now = app.now()

    def query(store: Any) -> list[dict[str, Any]]:
        rows = []
        for run, step in active_steps(store.connection, now if overdue_only else None):
            spec = spec_of(store, run.sop_hash)
            activity = spec.activity(step.activity_id)
            actor = spec.actor(step.actor)
            rows.append({"run": run, "step": step, "spec": spec, "activity": activity,
                         "actor_title": actor.title,
                         "overdue": step.due_at is not None and now > step.due_at,
                         "late": late_minutes(step, app.calendar, now)})
        return rows

    return app.read(query)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
@common_options
@click.pass_context
def inbox(ctx: click.Context, as_json: bool) -> None:
    """The active steps the acting person (--as) may complete."""
    from engine.services import may_complete

    app = app_of(ctx)
    person = ensure_user(app)
    day = app.now().astimezone(app.tz).date()
    mine = [r for r in open_steps(app) if r["run"].unit in app.roster.slugs
            and may_complete(app.roster.unit(r["run"].unit), r["spec"], r["step"], person, day)]
    if as_json:
        emit_json([{"run": r["run"].id, "sop": r["run"].sop_id, "period": r["run"].period,
                    "step": r["step"].activity_id, "no": r["activity"].no,
                    "name": r["activity"].name, "actor": r["step"].actor,
                    "due_at": r["step"].due_at and r["step"].due_at.astimezone(
                        app.tz).isoformat(),
                    "overdue": r["overdue"], "decision": r["activity"].is_decision,
                    "outcomes": [o.label for o in r["activity"].outcomes if o.label]}
                   for r in mine])
        return
    if not mine:
        click.echo(f"Nothing waits for {person}.")
        return
    from runners.tables import table

    click.echo(table(["Run", "SOP", "Periode", "No", "Langkah", "Batas", "Terlambat"], [
        [r["run"].id, r["run"].sop_id, r["run"].period, r["activity"].no, r["activity"].name,
         app.local(r["step"].due_at), minutes_text(r["late"]) if r["overdue"] else ""]
        for r in mine], widths=[4, 26, 8, 3, 40, 16, 10]))
    click.echo("\nComplete one with: alur step complete RUN" + (" --outcome LABEL" if any(
        r["activity"].is_decision for r in mine) else ""))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the overdue steps as JSON.")
@common_options
@click.pass_context
def overdue(ctx: click.Context, as_json: bool) -> None:
    """Active steps past their due time, with how late (in working time)."""
    app = app_of(ctx)
    late = [r for r in open_steps(app, overdue_only=True) if r["overdue"]]
    if as_json:
        emit_json([{"run": r["run"].id, "step": r["step"].activity_id,
                    "actor": r["step"].actor, "assignees": list(r["step"].assignees),
                    "due_at": r["step"].due_at.astimezone(app.tz).isoformat(),
                    "late_minutes": r["late"]} for r in late])
        return
    if not late:
        click.echo("No step is overdue.")
        return
    from runners.tables import table

    click.echo(table(["Run", "SOP", "No", "Langkah", "Pelaksana", "Untuk", "Batas",
                      "Terlambat"], [
        [r["run"].id, r["run"].sop_id, r["activity"].no, r["activity"].name, r["actor_title"],
         ", ".join(r["step"].assignees) or "-", app.local(r["step"].due_at),
         minutes_text(r["late"])] for r in late], widths=[4, 24, 3, 36, 14, 14, 16, 12]))


@click.command()
@click.option("--run", "run_id", type=int, help="Only events of this run.")
@click.option("--sop", help="Only events of runs of this SOP id.")
@click.option("--unit", help="Only events of runs of this unit.")
@click.option("--period", help="Only events of runs for this period.")
@click.option("--actor", help="Only events done by this person id.")
@click.option("--since", metavar="TIME", help="Only events at or after this time (ISO 8601).")
@click.option("--until", metavar="TIME", help="Only events at or before this time (ISO 8601).")
@click.option("--event", type=click.Choice(EVENT_KINDS), help="Only events of this kind.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def history(ctx: click.Context, run_id: int | None, sop: str | None, unit: str | None,
            period: str | None, actor: str | None, since: str | None, until: str | None,
            event: str | None, fmt: str) -> None:
    """Audit events, oldest first: who did what, when."""
    import json

    from storage.queries import HistoryFilter
    from storage.queries import history as query_history

    app = app_of(ctx)
    where = HistoryFilter(run_id, sop, unit, period, actor,
                          app.parse_time(since, "--since") if since else None,
                          app.parse_time(until, "--until") if until else None, event)
    events = app.read(lambda store: query_history(store.connection, where))
    rows = [{"seq": e.seq, "run": e.run_id, "step": e.step, "event": e.event,
             "actor": e.actor, "at": e.at.astimezone(app.tz).isoformat(),
             "data": json.loads(e.data), "hash": e.hash} for e in events]
    if fmt == "json":
        emit_json(rows)
    elif fmt == "csv":
        import csv
        import sys

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["seq", "run", "step", "attempt", "event", "actor", "at",
                         "recorded_at", "data", "hash"])
        for e in events:
            writer.writerow([e.seq, e.run_id, e.step or "", e.attempt or "", e.event,
                             e.actor or "", e.at.astimezone(app.tz).isoformat(),
                             e.recorded_at.astimezone(app.tz).isoformat(), e.data, e.hash])
    elif not rows:
        click.echo("No events match.")
    else:
        from runners.tables import table

        click.echo(table(["Seq", "Waktu", "Run", "Langkah", "Kejadian", "Oleh", "Keterangan"], [
            [r["seq"], app.local(e.at), r["run"] or "", (r["step"] or "")
             + (f" #{e.attempt}" if e.attempt and e.attempt > 1 else ""), r["event"],
             r["actor"] or "", _describe(r["data"])] for r, e in zip(rows, events, strict=True)],
            widths=[5, 16, 4, 20, 16, 10, 40]))


def _describe(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in data.items() if v not in (None, [], ""))


@click.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (needed for xlsx; default: standard output).")
@common_options
@click.pass_context
def report(ctx: click.Context, run_id: int, fmt: str, output: Path | None) -> None:
    """Planned vs actual working time per step of a run (the mutu baku Waktu vs reality)."""
    from engine.spec_cache import spec_of
    from engine.views import report_data, report_rows
    from runners.reports import report_csv, report_table, write_xlsx

    app = app_of(ctx)

    def query(store: Any) -> dict[str, Any]:
        run = store.get_run(run_id)
        spec = spec_of(store, run.sop_hash)
        rows = report_rows(store.steps(run_id), spec, app.calendar, app.now())
        return report_data(run, spec, rows)

    data = app.read(query)
    if fmt == "xlsx":
        if output is None:
            raise DomainError("--format xlsx writes a file: give -o FILE.xlsx")
        write_xlsx(data, output)
        click.echo(f"Wrote {output}")
        return
    if fmt == "json":
        import json

        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = report_csv(data)
    else:
        text = report_table(data) + "\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        click.echo(text, nl=False)


@click.group()
def audit() -> None:
    """Check the tamper-evident audit trail."""


@audit.command()
@click.option("--run", "run_id", type=int, help="Check only around this run's events.")
@common_options
@click.pass_context
def verify(ctx: click.Context, run_id: int | None) -> None:
    """Check the hash chain; exit 1 naming the first broken event."""
    from storage.queries import verify_audit

    app = app_of(ctx)
    count = app.read(lambda store: verify_audit(store.connection, run_id))
    where = f" of run {run_id}" if run_id is not None else ""
    click.echo(f"Audit trail intact: {count} events{where} checked, every hash matches.")


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@common_options
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Migrate the database to the current schema."""
    from sqlalchemy.engine import make_url

    from storage.db import current_revision, make_engine
    from storage.db import upgrade as migrate

    app = app_of(ctx)
    engine = make_engine(app.database_url)
    try:
        before = current_revision(engine)
        after = migrate(engine)
    finally:
        engine.dispose()
    shown = make_url(app.database_url).render_as_string()
    click.echo(f"Database {shown} is at schema {after}"
               + (" (unchanged)." if before == after else f" (was {before or 'empty'})."))


@click.command()
@click.argument("folder", metavar="[DIR]", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@common_options
@click.pass_context
def init(ctx: click.Context, folder: Path | None) -> None:
    """Create a workspace: alur.toml, roster.yaml, sops/ and the database."""
    from runners.app import App
    from runners.init_workspace import create_workspace

    target = (folder or Path.cwd()).resolve()
    for path, created in create_workspace(target):
        shown = path.relative_to(target) if path.is_relative_to(target) else path
        click.echo(f"  {'created' if created else 'exists, left alone'}  {shown}")
    app = App(target, options(ctx).db)
    try:
        app.db  # noqa: B018 - creates and migrates the database
    finally:
        app.close()
    click.echo(f"  database   {app.database_url}")
    click.echo(f"\nWorkspace ready in {target}. The roster holds SAMPLE people: edit "
               "roster.yaml, then for example:\n"
               f"  cd {target}\n"
               "  alur run start pengumpulan-data-kinerja --as camat")

