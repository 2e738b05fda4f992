"""`alur inbox`, `overdue`, `history`, `report` and `audit verify`: looking at runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runners.cli.shared import (
    DomainError,
    app_of,
    common_options,
    emit_json,
    ensure_user,
    minutes_text,
)

if TYPE_CHECKING:
    from engine.reads import OpenTask

EVENT_KINDS = ["run_started", "step_activated", "step_completed", "step_reassigned",
               "run_cancelled", "run_completed", "reminder_sent", "reminder_failed"]


def _service_cell(item: OpenTask) -> str:
    left = item.service_left
    if left is None:
        return ""
    return f"\nlayanan: sisa {minutes_text(left)}" if left >= 0 else \
        f"\nlayanan: lewat {minutes_text(-left)}"


def _step_cell(item: OpenTask) -> str:
    task = item.task
    cell = task.name + (f" [{task.label}]" if task.label != task.activity_id else "")
    return cell + (f"\n({item.run.title})" if item.run.title else "")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
@common_options
@click.pass_context
def inbox(ctx: click.Context, as_json: bool) -> None:
    """The active steps (tasks) that are the acting person's (--as) to complete."""
    from engine import reads
    from runners.json_shapes import open_task_json

    app = app_of(ctx)
    person = ensure_user(app)
    mine = app.read(lambda store: reads.inbox(store, app.env, person))
    if as_json:
        emit_json([open_task_json(item, app.tz) for item in mine])
        return
    if not mine:
        click.echo(f"Nothing waits for {person}.")
        return
    from runners.tables import table

    click.echo(table(["Run", "SOP", "Periode", "No", "Langkah", "Batas", "Terlambat"], [
        [i.run.id, i.run.sop_id, i.run.period, i.task.no, _step_cell(i),
         app.local(i.task.due_at) + _service_cell(i),
         minutes_text(i.task.late_minutes) if i.task.overdue else ""]
        for i in mine], widths=[4, 20, 18, 3, 36, 16, 10]))
    click.echo("\nComplete one with:")
    for item in mine[:5]:
        outcome = " --outcome " + "|".join(item.task.outcomes) if item.task.is_decision else ""
        click.echo(f"  alur step complete {item.run.id} {item.task.label} --as {person}"
                   f"{outcome}")
    if len(mine) > 5:
        click.echo(f"  ... and {len(mine) - 5} more, the same way")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the overdue steps as JSON.")
@common_options
@click.pass_context
def overdue(ctx: click.Context, as_json: bool) -> None:
    """Active steps (tasks) past their due time, and service runs past their deadline, with
    how late (in working time)."""
    from engine import reads
    from runners.json_shapes import late_run_json, open_task_json

    app = app_of(ctx)
    late, runs = app.read(lambda store: (reads.overdue(store, app.env),
                                         reads.late_runs(store, app.env)))
    if as_json:
        emit_json([open_task_json(item, app.tz) for item in late]
                  + [late_run_json(run, app.tz) for run in runs])
        return
    if not late and not runs:
        click.echo("No step is overdue.")
        return
    from runners.tables import table

    if runs:
        click.echo("Layanan melewati waktu penyelesaian:")
        click.echo(table(["Run", "SOP", "Periode", "Perihal", "Batas layanan", "Terlambat"], [
            [r.run.id, r.run.sop_id, r.run.period, r.run.title or "-", app.local(r.run.due_at),
             minutes_text(r.late_minutes)] for r in runs], widths=[4, 24, 20, 24, 16, 12]))
        if not late:
            return
        click.echo("")

    click.echo(table(["Run", "SOP", "No", "Langkah", "Pelaksana", "Untuk", "Batas",
                      "Terlambat"], [
        [i.run.id, i.run.sop_id, i.task.no, _step_cell(i), i.task.actor_title,
         ", ".join(i.task.assignees) or "-", app.local(i.task.due_at),
         minutes_text(i.task.late_minutes)] for i in late],
        widths=[4, 24, 3, 36, 14, 14, 16, 12]))


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
    from engine import reads
    from engine.ports import HistoryFilter
    from runners.json_shapes import event_json

    app = app_of(ctx)
    where = HistoryFilter(run_id, sop, unit, period, actor,
                          app.parse_time(since, "--since") if since else None,
                          app.parse_time(until, "--until") if until else None, event)
    events = app.read(lambda store: reads.history(store, where))
    rows = [event_json(e, app.tz) for e in events]
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
    def text(value: Any) -> str:
        return " + ".join(map(str, value)) if isinstance(value, list) else str(value)

    return ", ".join(f"{k}={text(v)}" for k, v in data.items() if v not in (None, [], ""))


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
    from engine import reads
    from runners.json_shapes import report_json
    from runners.reports import report_csv, report_table, write_xlsx

    app = app_of(ctx)
    data = report_json(app.read(lambda store: reads.report(store, app.env, run_id)), app.tz)
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
    from engine import reads

    app = app_of(ctx)
    count = app.read(lambda store: reads.verify_audit(store, run_id))
    where = f" of run {run_id}" if run_id is not None else ""
    click.echo(f"Audit trail intact: {count} events{where} checked, every hash matches.")
