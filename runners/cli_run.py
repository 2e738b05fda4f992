"""`alur run ...` and `alur step ...`: starting, showing, completing and cancelling runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runners.cli import DomainError, common_options, emit_json

if TYPE_CHECKING:
    from engine.runs import Run, StepRun
    from engine.spec import SopSpec
    from runners.app import App



def app_of(ctx: click.Context) -> App:
    """The wired application of this invocation."""
    from runners.app import make_app

    return make_app(ctx)


def minutes_text(minutes: int | None) -> str:
    """Working minutes for a table cell."""
    if minutes is None:
        return "-"
    from engine.durations import format_minutes

    return format_minutes(minutes)


def describe_active(app: App, spec: SopSpec, step: StepRun | None) -> str:
    """`3. Menghimpun ... (Kasi/Kasubbag: kasi-1, kasi-2), due 2026-01-05 10:10`."""
    if step is None:
        return "-"
    activity = spec.activity(step.activity_id)
    who = ", ".join(step.assignees) or "anyone of the unit"
    attempt = f" (attempt {step.attempt})" if step.attempt > 1 else ""
    due = f", due {app.local(step.due_at)}" if step.due_at else ""
    return f"{activity.no}. {activity.name}{attempt} — {spec.actor(step.actor).title}: {who}{due}"


@click.group()
def run() -> None:
    """Start, list, show and cancel runs of an SOP."""


@run.command()
@click.argument("sop_id", metavar="SOP")
@click.option("--period", help="The period the run is for: 2025, 2025-Q4, 2025-12 or a "
                               "register number (default: as the SOP's `start.period` says).")
@click.option("--unit", help="The unit of the roster (default: the only one).")
@click.option("--at", "at", metavar="TIME",
              help="When the run really began on paper (ISO 8601, workspace time zone); due "
                   "times count from then.")
@click.option("--json", "as_json", is_flag=True, help="Print the new run as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the run id.")
@common_options
@click.pass_context
def start(ctx: click.Context, sop_id: str, period: str | None, unit: str | None,
          at: str | None, as_json: bool, quiet: bool) -> None:
    """Start a run of SOP; its first step becomes active. Prints the run id."""
    from engine import services
    from engine.periods import default_period

    app = app_of(ctx)
    loaded = app.sop(sop_id)
    when = app.parse_time(at) if at else None
    chosen = period or default_period(loaded.spec, (when or app.now()).astimezone(app.tz))
    done = app.write(lambda store: services.start_run(store, app.env, loaded, unit, chosen,
                                                      app.user, when))
    step = done.activated
    if as_json:
        emit_json({"run": done.run.id, "sop": done.run.sop_id, "period": done.run.period,
                   "unit": done.run.unit, "active_step": step.activity_id if step else None})
    elif quiet:
        click.echo(done.run.id)
    else:
        click.echo(f"Started run {done.run.id}: {loaded.spec.title}, unit {done.run.unit}, "
                   f"period {done.run.period}")
        click.echo(f"Active step: {describe_active(app, loaded.spec, step)}")


@run.command(name="list")
@click.option("--sop", help="Only runs of this SOP id.")
@click.option("--status", type=click.Choice(["active", "completed", "cancelled"]),
              help="Only runs with this status.")
@click.option("--period", help="Only runs for this period.")
@click.option("--unit", help="Only runs of this unit.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@common_options
@click.pass_context
def list_runs(ctx: click.Context, sop: str | None, status: str | None, period: str | None,
              unit: str | None, as_json: bool) -> None:
    """List runs, newest first."""
    from storage.queries import active_steps, list_runs

    app = app_of(ctx)

    def query(store: Any) -> tuple[list[Run], dict[int, StepRun]]:
        runs = list_runs(store.connection, sop, status, period, unit)
        return runs, {r.id: s for r, s in active_steps(store.connection)}

    runs, active = app.read(query)
    if as_json:
        emit_json([{"run": r.id, "sop": r.sop_id, "unit": r.unit, "period": r.period,
                    "status": r.status, "result": r.result,
                    "active_step": active[r.id].activity_id if r.id in active else None,
                    "started_at": r.started_at.astimezone(app.tz).isoformat()} for r in runs])
        return
    if not runs:
        click.echo("No runs" + (" match" if any((sop, status, period, unit)) else " yet; "
                                "start one with `alur run start SOP`") + ".")
        return
    from runners.render_run import STATUS_WORDS
    from runners.tables import table

    click.echo(table(["Run", "SOP", "Unit", "Periode", "Status", "Langkah aktif", "Mulai"], [
        [r.id, r.sop_id, r.unit, r.period, STATUS_WORDS.get(r.status, r.status)
         + (f" ({r.result})" if r.result else ""),
         active[r.id].activity_id if r.id in active else "-", app.local(r.started_at)]
        for r in runs]))


@run.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table",
              show_default=True,
              help="table, json (as --json), or html: the SOP's flowchart with the run's state "
                   "painted on it (done, active, overdue, not reached).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@common_options
@click.pass_context
def show(ctx: click.Context, run_id: int, as_json: bool, fmt: str,
         output: Path | None) -> None:
    """Show a run: each step with status, who, times, standard vs actual working time."""
    from engine.spec_cache import spec_of
    from engine.views import run_data

    app = app_of(ctx)

    def query(store: Any) -> tuple[dict[str, Any], SopSpec]:
        found = store.get_run(run_id)
        spec = spec_of(store, found.sop_hash)
        return run_data(found, store.steps(run_id), spec, app.calendar, app.now()), spec

    data, spec = app.read(query)
    if as_json or fmt == "json":
        emit_json(data)
        return
    from runners.cli_sop import write_output

    if fmt == "html":
        from runners.render import render
        from runners.render_run import paint_of

        write_output(render(spec, "html", paint_of(data, app.now())), output, None)
        return
    from runners.render_run import run_text

    write_output(run_text(data) + "\n", output, None)


@run.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--reason", required=True, help="Why the run is cancelled (kept in the audit).")
@common_options
@click.pass_context
def cancel(ctx: click.Context, run_id: int, reason: str) -> None:
    """Cancel an active run."""
    from engine import services

    app = app_of(ctx)
    done = app.write(lambda store: services.cancel_run(store, app.env, run_id, reason,
                                                       app.user))
    click.echo(f"Cancelled run {done.run.id}: {reason}")


@click.group()
def step() -> None:
    """Complete or reassign the active step of a run."""


@step.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_id", metavar="[STEP]", required=False)
@click.option("--outcome", help="The outcome chosen at a decision (one of its labels, "
                                "ignoring case).")
@click.option("--note", help="A note kept with the step (Keterangan).")
@click.option("--at", "at", metavar="TIME",
              help="When it really happened on paper (ISO 8601, workspace time zone); not "
                   "before the step became active, not in the future.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@common_options
@click.pass_context
def complete(ctx: click.Context, run_id: int, step_id: str | None, outcome: str | None,
             note: str | None, at: str | None, as_json: bool) -> None:
    """Complete the active step of RUN (STEP, an id or number, defaults to it)."""
    from engine import services

    app = app_of(ctx)
    when = app.parse_time(at) if at else None
    done = app.write(lambda store: services.complete_step(
        store, app.env, run_id, step_id, app.user, outcome, note, when))
    finished = done.step
    assert finished is not None
    if as_json:
        emit_json({"run": done.run.id, "step": finished.activity_id,
                   "attempt": finished.attempt, "completed_by": finished.completed_by,
                   "completed_at": finished.completed_at and
                   finished.completed_at.astimezone(app.tz).isoformat(),
                   "outcome": finished.outcome, "status": done.run.status,
                   "result": done.run.result,
                   "active_step": done.activated.activity_id if done.activated else None})
        return
    from engine.spec_cache import spec_of

    spec = app.read(lambda store: spec_of(store, done.run.sop_hash))
    activity = spec.activity(finished.activity_id)
    chosen = f" ({finished.outcome})" if finished.outcome else ""
    click.echo(f"Completed step {activity.no}. {activity.name}{chosen} by "
               f"{finished.completed_by} at {app.local(finished.completed_at)}")
    if done.activated is not None:
        click.echo(f"Active step: {describe_active(app, spec, done.activated)}")
    else:
        click.echo(f"Run {done.run.id} is complete ({done.run.result}).")


@step.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_id", metavar="STEP")
@click.option("--to", "to", required=True, metavar="PERSON",
              help="The person (another holder of the step's role) who takes the step.")
@common_options
@click.pass_context
def reassign(ctx: click.Context, run_id: int, step_id: str, to: str) -> None:
    """Hand the active step to another holder of its role."""
    from engine import services

    app = app_of(ctx)
    done = app.write(lambda store: services.reassign_step(store, app.env, run_id, step_id,
                                                          to, app.user))
    assert done.step is not None
    click.echo(f"Step `{done.step.activity_id}` of run {run_id} now goes to {to}.")


def ensure_user(app: App) -> str:
    """The acting person, or a clear error."""
    if not app.user:
        raise DomainError("say who you are: --as PERSON or ALUR_USER (a person id of the "
                          "roster)")
    return app.user
