"""`alur inbox`, `overdue`, `history`, `report` and `audit verify`: looking at runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runners.cli.localized import Words
from runners.cli.shared import (
    DomainError,
    app_of,
    common_options,
    emit_json,
    ensure_user,
    force_option,
    minutes_text,
    write_output,
)
from runners.i18n import N_, _, ngettext
from runners.words import EVENT_WORDS

if TYPE_CHECKING:
    import datetime as dt

    from engine.reads import OpenTask

CSV_SEP_HELP = N_("The CSV separator: `;` (default) writes a UTF-8 byte order mark first, so "
                  "that Excel with Indonesian regional settings opens the file in columns; `,` "
                  "writes plain UTF-8 without it, for other programs.")
# table headers
RUN, SOP_PERIOD, NO, STEP = N_("Run"), N_("SOP / period"), N_("No"), N_("Step")
DUE, LATE, PERIOD, SUBJECT = N_("Due"), N_("Late"), N_("Period"), N_("Subject")
SERVICE_DUE, ACTOR, FOR = N_("Service due"), N_("Actor"), N_("For")
SEQ, TIME, EVENT, BY, DETAILS = N_("Seq"), N_("Time"), N_("Event"), N_("By"), N_("Details")
# the columns of `history --format csv` (as the audit trail names them)
CSV_COLUMNS = [N_("seq"), N_("run"), N_("step"), N_("attempt"), N_("event"), N_("actor"),
               N_("at"), N_("recorded_at"), N_("data"), N_("hash")]


def _service_cell(item: OpenTask) -> str:
    left = item.service_left
    if left is None:
        return ""
    return "\n" + (_("service: {left} left").format(left=minutes_text(left)) if left >= 0 else
                   _("service: {late} over").format(late=minutes_text(-left)))


def _step_cell(item: OpenTask) -> str:
    task = item.task
    cell = task.name + (f"\n[{task.label}]" if task.label != task.activity_id else "")
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
        click.echo(_("Nothing waits for {person}.").format(person=person))
        return
    from runners.tables import Column, short_time, table

    now = app.now()
    click.echo(table([Column(_(RUN), 3), Column(_(SOP_PERIOD), 16), Column(_(NO), 2),
                      Column(_(STEP), 18, weight=2), Column(_(DUE), 11),
                      Column(_(LATE), 8)], [
        [i.run.id, f"{i.run.sop_id}\n{i.run.period}", i.task.no, _step_cell(i),
         short_time(i.task.due_at, app.tz, now) + _service_cell(i),
         minutes_text(i.task.late_minutes) if i.task.overdue else ""] for i in mine]))
    click.echo("\n" + _("Complete one with:"))
    for item in mine[:5]:
        outcome = " --outcome " + "|".join(item.task.outcomes) if item.task.is_decision else ""
        click.echo(f"  alur step complete {item.run.id} {item.task.label} --as {person}"
                   f"{outcome}")
    if len(mine) > 5:
        click.echo("  " + _("... and {n} more, the same way").format(n=len(mine) - 5))


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
        click.echo(_("No step is overdue."))
        return
    from runners.tables import Column, short_time, table

    now = app.now()
    if runs:
        click.echo(_("Services past their completion time:"))
        click.echo(table([Column(_(RUN), 3), Column("SOP", 12), Column(_(PERIOD)),
                          Column(_(SUBJECT), weight=2), Column(_(SERVICE_DUE), 11),
                          Column(_(LATE), 8)], [
            [r.run.id, r.run.sop_id, r.run.period, r.run.title or "-",
             short_time(r.run.due_at, app.tz, now), minutes_text(r.late_minutes)]
            for r in runs]))
        if not late:
            return
        click.echo("")

    click.echo(table([Column(_(RUN), 3), Column("SOP", 12), Column(_(NO), 2),
                      Column(_(STEP), 18, weight=2), Column(_(ACTOR), keep_from=100),
                      Column(_(FOR)), Column(_(DUE), 11), Column(_(LATE), 8)], [
        [i.run.id, i.run.sop_id, i.task.no, _step_cell(i), i.task.actor_title,
         ", ".join(i.task.assignees) or "-", short_time(i.task.due_at, app.tz, now),
         minutes_text(i.task.late_minutes)] for i in late]))


@click.command()
@click.option("--run", "run_id", type=int, help="Only events of this run.")
@click.option("--sop", help="Only events of runs of this SOP id.")
@click.option("--unit", help="Only events of runs of this unit.")
@click.option("--period", help="Only events of runs for this period.")
@click.option("--actor", help="Only events done by this person id.")
@click.option("--since", metavar="TIME", help="Only events at or after this time (ISO 8601).")
@click.option("--until", metavar="TIME", help="Only events at or before this time (ISO 8601).")
@click.option("--event", type=Words(EVENT_WORDS), help="Only events of this kind.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@click.option("--csv-sep", "sep", type=click.Choice([";", ","]), default=";", show_default=True,
              help=CSV_SEP_HELP)
@common_options
@click.pass_context
def history(ctx: click.Context, run_id: int | None, sop: str | None, unit: str | None,
            period: str | None, actor: str | None, since: str | None, until: str | None,
            event: str | None, fmt: str, sep: str) -> None:
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
        from runners.reports import csv_text

        click.echo(csv_text([[_(column) for column in CSV_COLUMNS], *(
            [e.seq, e.run_id, e.step or "", e.attempt or "", e.event, e.actor or "",
             e.at.astimezone(app.tz).isoformat(), e.recorded_at.astimezone(app.tz).isoformat(),
             e.data, e.hash] for e in events)], sep), nl=False)
    elif not rows:
        click.echo(_("No events match."))
    else:
        from runners.tables import Column, short_time, table
        from runners.words import event_word

        now = app.now()
        click.echo(table([Column(_(SEQ), 3, keep_from=100), Column(_(TIME), 11),
                          Column(_(RUN), 3), Column(_(STEP), 12), Column(_(EVENT), 15),
                          Column(_(BY), 8), Column(_(DETAILS), 20, weight=3)], [
            [r["seq"], short_time(e.at, app.tz, now), r["run"] or "", (r["step"] or "")
             + (f" #{e.attempt}" if e.attempt and e.attempt > 1 else ""), event_word(r["event"]),
             r["actor"] or "", describe(r["data"], app.tz, now)]
            for r, e in zip(rows, events, strict=True)]))


def describe(data: dict[str, Any], tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """An event's data as people read it: ``key=value`` pairs joined by ``;`` (each key said
    in the language in use), lists and mappings (``fields=pemohon: Siti Aminah, nik:
    sha256:62e3aa7ae5ff…``) spelt out, times local and short, hashes cut to 12 digits; empty
    values and ``false`` left out, ``true`` as the key alone; the channel only when it was
    not the command line (``via=web``), files by name, type and size."""
    import datetime as dt
    import re

    from runners.attachments import kind_label, size_text
    from runners.tables import short_time
    from runners.words import data_word

    data = {k: v for k, v in data.items() if (k, v) != ("channel", "cli")}
    if isinstance(data.get("evidence"), list):
        data["evidence"] = [f"{f.get('name')} ({kind_label(str(f.get('type')))}, "
                            f"{size_text(int(f.get('size') or 0))})"
                            if isinstance(f, dict) else f for f in data["evidence"]]

    instant = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")
    digest = re.compile(r"(sha256:)?([0-9a-f]{12})[0-9a-f]{52}")

    def text(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k}: {text(v)}" for k, v in value.items() if shown(v))
        if isinstance(value, list):
            return ", ".join(text(v) for v in value)
        if isinstance(value, str) and instant.fullmatch(value):
            return short_time(dt.datetime.fromisoformat(value.replace("Z", "+00:00")), tz, now)
        if isinstance(value, str) and digest.fullmatch(value):
            return digest.sub(r"\1\2…", value)
        if isinstance(value, str) and (";" in value or "=" in value):
            return f'"{value}"'  # a note that would read as more entries
        return str(value)

    def shown(value: Any) -> bool:
        return value is not None and value is not False and value not in ("", [], {})

    return "; ".join(data_word(k) if v is True else f"{data_word(k)}={text(v)}"
                     for k, v in data.items() if shown(v))


@click.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html",
                                                     "pdf"]),
              default="table", show_default=True,
              help="Output format; html and pdf: a printable report under the unit's heading "
                   "(kop: its parent government, name, address and logo).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (needed for xlsx; default: standard output; for pdf: "
                   "laporan-run-RUN.pdf).")
@force_option
@click.option("--csv-sep", "sep", type=click.Choice([";", ","]), default=";", show_default=True,
              help=CSV_SEP_HELP)
@common_options
@click.pass_context
def report(ctx: click.Context, run_id: int, fmt: str, output: Path | None, sep: str) -> None:
    """Planned vs actual working time per step of a run (the mutu baku Waktu vs reality)."""
    from engine import reads
    from runners.json_shapes import report_json
    from runners.reports import report_csv, report_table, report_xlsx

    app = app_of(ctx)
    view = app.read(lambda store: reads.report(store, app.env, run_id))
    data = report_json(view, app.tz)
    if fmt in ("html", "pdf"):
        from engine.logo import logo_data_uri
        from runners.render.pdf import render_pdf
        from runners.render.run_doc import report_document

        logo = logo_data_uri(view.spec.organization.logo, (app.sops_dir, app.workspace))
        html = report_document(view, data, app.tz, app.now(), logo)
        write_output(html if fmt == "html" else render_pdf(html), output,
                     f"laporan-run-{run_id}.pdf")
        return
    if fmt == "xlsx":
        if output is None:
            raise DomainError(_("--format xlsx writes a file: give -o FILE.xlsx"))
        write_output(report_xlsx(data), output, None)
        return
    if fmt == "json":
        import json

        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = report_csv(data, sep)
    else:
        text = report_table(data) + "\n"
    write_output(text, output, None)


@click.group()
def audit() -> None:
    """Check the tamper-evident audit trail."""


@audit.command()
@click.option("--run", "run_id", type=int, help="Check only around this run's events.")
@common_options
@click.pass_context
def verify(ctx: click.Context, run_id: int | None) -> None:
    """Check the hash chain and every evidence file against its SHA-256; exit 1 naming the
    first broken event or file."""
    from engine import reads

    app = app_of(ctx)
    checked = app.read(lambda store: reads.check_audit(store, run_id))
    count = checked.events
    if run_id is None:
        click.echo(ngettext("Audit trail intact: {n} event checked, every hash matches.",
                            "Audit trail intact: {n} events checked, every hash matches.",
                            count).format(n=count))
    else:
        click.echo(ngettext("Audit trail intact: {n} event of run {run} checked, every hash "
                            "matches.",
                            "Audit trail intact: {n} events of run {run} checked, every hash "
                            "matches.", count).format(n=count, run=run_id))
    if checked.files:
        click.echo(ngettext("Evidence intact: {n} file checked against its SHA-256.",
                            "Evidence intact: {n} files checked against their SHA-256.",
                            checked.files).format(n=checked.files))
