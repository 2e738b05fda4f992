"""`alur run ...` and `alur step ...`: starting, listing, showing, completing, cancelling."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from runners.cli.localized import Words
from runners.cli.shared import (
    app_of,
    common_options,
    emit_json,
    force_option,
    write_output,
)
from runners.i18n import N_, _
from runners.words import RUN_STATUS_WORDS

if TYPE_CHECKING:
    from engine.runs import StepRun
    from engine.spec import SopSpec
    from runners.app import App

# the headers of `run list`
RUN, UNIT, PERIOD, SUBJECT = N_("Run"), N_("Unit"), N_("Period"), N_("Subject")
STATUS, ACTIVE_STEP, STARTED = N_("Status"), N_("Active step"), N_("Started")


def describe_task(app: App, spec: SopSpec, task: StepRun) -> str:
    """`3. Menghimpun ... (Kasi/Kasubbag: kasi-1, kasi-2), due 2026-01-05 10:10`."""
    from engine.tasks import task_actors

    activity = spec.activity(task.activity_id)
    who = ", ".join(task.assignees) or (_("NOBODY (no holder)") if unheld(spec, task)
                                         else _("anyone of the unit"))
    attempt = " " + _("(attempt {attempt})").format(attempt=task.attempt) \
        if task.attempt > 1 else ""
    label = f" [{task.label}]" if task.task else ""
    titles = " / ".join(spec.actor(a).title for a in task_actors(spec, task))
    values = {"no": activity.no, "name": activity.name, "attempt": attempt, "label": label,
              "titles": titles, "who": who}
    if task.due_at:
        return _("{no}. {name}{attempt}{label} — {titles}: {who}, due {due}").format(
            due=app.local(task.due_at), **values)
    return _("{no}. {name}{attempt}{label} — {titles}: {who}").format(**values)


def unheld(spec: SopSpec, task: StepRun) -> bool:
    """Whether nobody holds the role of the task: no one it is assigned to, no one reminded."""
    from engine.tasks import task_actors

    if task.assignees:
        return False
    if all(spec.actor(a).external for a in task_actors(spec, task)):  # the applicant's step
        return spec.activity(task.activity_id).recorded_by is not None
    return True


def echo_active(app: App, spec: SopSpec, active: tuple[StepRun, ...]) -> None:
    """The run's active tasks, one line each, and a loud warning for a role nobody holds."""
    if len(active) == 1:
        click.echo(_("Active step: {task}").format(task=describe_task(app, spec, active[0])))
    else:
        click.echo(_("Active steps ({n}):").format(n=len(active)))
        for task in active:
            click.echo(f"  {describe_task(app, spec, task)}")
    for task in active:
        if unheld(spec, task):
            click.echo(_("Warning: nobody holds the role of step {step}: no reminder can "
                         "reach anyone. Add a holder in roster.yaml (see `alur roster check`); "
                         "until then a superior may complete it on the role's behalf.").format(
                             step=task.label),
                       err=True)


@click.group()
def run() -> None:
    """Start, list, show and cancel runs of an SOP."""


def _fields(given: tuple[str, ...]) -> dict[str, str]:
    """KEY=VALUE pairs of --field."""
    fields: dict[str, str] = {}
    for pair in given:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(_("`{pair}` is not KEY=VALUE (for example "
                                       "--field pemohon=\"Siti Aminah\")").format(pair=pair),
                                     param_hint="--field")
        fields[key.strip()] = value
    return fields


@run.command()
@click.argument("sop_id", metavar="SOP")
@click.option("--period", help="The period the run is for: 2025, 2025-Q4, 2025-12 (default: "
                               "as the SOP's `start.period` says; an SOP without `start:` "
                               "gets the next register number).")
@click.option("--register", "register", metavar="NUMBER",
              help="For a service SOP: the register number to use, that of a cancelled run "
                   "started again (its case fields are taken over unless --field is given).")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="A case field of the SOP (`case:`), such as --field pemohon=\"Siti "
                   "Aminah\" --field nik=3214...; repeat for each.")
@click.option("--received", is_flag=True,
              help="Record the applicant's first step at once (the file was received at the "
                   "desk); with --at, when it was.")
@click.option("--unit", help="The unit of the roster (default: the only one).")
@click.option("--at", "at", metavar="TIME",
              help="When the run really began on paper (ISO 8601, workspace time zone); due "
                   "times count from then.")
@click.option("--json", "as_json", is_flag=True, help="Print the new run as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the run id.")
@common_options
@click.pass_context
def start(ctx: click.Context, sop_id: str, period: str | None, register: str | None,
          fields: tuple[str, ...], received: bool, unit: str | None, at: str | None,
          as_json: bool, quiet: bool) -> None:
    """Start a run of SOP; its first step becomes active. Prints the run id (and the
    register number of a service run)."""
    from engine import services
    from engine.periods import default_period

    app = app_of(ctx)
    loaded = app.sop(sop_id)
    given = _fields(fields)
    when = app.parse_time(at) if at else None
    chosen = period or register
    if chosen is None and not loaded.spec.registered:
        chosen = default_period(loaded.spec, (when or app.now()).astimezone(app.tz))
    done = app.write(lambda store: services.start_run(
        store, app.env, loaded, unit, chosen, app.user, when, fields=given, received=received))
    labels = [t.label for t in done.active]
    register_number = done.run.period if loaded.spec.registered else None
    if as_json:
        emit_json({"run": done.run.id, "sop": done.run.sop_id, "period": done.run.period,
                   "register": register_number, "unit": done.run.unit,
                   "fields": given, "active_step": labels[0] if labels else None,
                   "active_steps": labels,
                   "due_at": done.run.due_at and done.run.due_at.astimezone(app.tz).isoformat()})
    elif quiet:
        click.echo(done.run.id)
    else:
        values = {"run": done.run.id, "title": loaded.spec.title, "unit": done.run.unit}
        if register_number:
            click.echo(_("Started run {run}: {title}, unit {unit}, register {register}").format(
                register=register_number, **values))
        else:
            click.echo(_("Started run {run}: {title}, unit {unit}, period {period}").format(
                period=done.run.period, **values))
        if done.run.due_at:
            click.echo(_("Service deadline: {due}").format(due=app.local(done.run.due_at)))
        if done.step is not None:
            click.echo(_("Received: {name} (recorded by {person})").format(
                name=loaded.spec.activity(done.step.activity_id).name,
                person=done.step.completed_by))
        echo_active(app, loaded.spec, done.active)


@run.command(name="list")
@click.option("--sop", help="Only runs of this SOP id.")
@click.option("--status", type=Words(RUN_STATUS_WORDS), help="Only runs with this status.")
@click.option("--period", help="Only runs for this period.")
@click.option("--unit", help="Only runs of this unit.")
@click.option("--search", metavar="TEXT",
              help="Only runs whose register number or case fields (the applicant's name, "
                   "NIK, ...) contain TEXT, ignoring case.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@common_options
@click.pass_context
def list_runs(ctx: click.Context, sop: str | None, status: str | None, period: str | None,
              unit: str | None, search: str | None, as_json: bool) -> None:
    """List runs, newest first."""
    from engine import reads
    from engine.ports import RunFilter

    app = app_of(ctx)
    items = app.read(lambda store: reads.list_runs(store, RunFilter(sop, status, period, unit,
                                                                    search)))
    if as_json:
        emit_json([{"run": i.run.id, "sop": i.run.sop_id, "unit": i.run.unit,
                    "period": i.run.period, "register": i.run.register,
                    "title": i.run.title, "status": i.run.status, "result": i.run.result,
                    "active_step": i.active[0] if i.active else None,
                    "active_steps": list(i.active),
                    "started_at": i.run.started_at.astimezone(app.tz).isoformat()}
                   for i in items])
        return
    if not items:
        click.echo(_("No runs match.") if any((sop, status, period, unit, search)) else
                   _("No runs yet; start one with `alur run start SOP`."))
        return
    from runners.tables import Column, short_time, table
    from runners.words import run_status

    titled = any(i.run.title for i in items)
    now = app.now()
    click.echo(table([Column(_(RUN), 3), Column("SOP", 12), Column(_(UNIT), keep_from=110),
                      Column(_(PERIOD)), *([Column(_(SUBJECT), weight=2)] if titled else []),
                      Column(_(STATUS), 8), Column(_(ACTIVE_STEP), 12),
                      Column(_(STARTED), 11, keep_from=90)], [
        [i.run.id, i.run.sop_id, i.run.unit, i.run.period,
         *([i.run.title or "-"] if titled else []), run_status(i.run.status, i.run.result),
         "\n".join(i.active) or "-", short_time(i.run.started_at, app.tz, now)]
        for i in items]))


@run.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html", "pdf"]),
              default="table", show_default=True,
              help="table, json (as --json), html: the SOP's flowchart with the run's state "
                   "painted on it (done, active, overdue, not reached) and each task's note; "
                   "pdf: the run's tasks, printable, under the unit's heading (kop).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (for pdf, default: "
                   "run-RUN.pdf).")
@force_option
@common_options
@click.pass_context
def show(ctx: click.Context, run_id: int, as_json: bool, fmt: str,
         output: Path | None) -> None:
    """Show a run: every task with status, who, times, standard vs actual working time."""
    from engine import reads

    app = app_of(ctx)
    operator = as_json or fmt == "json"  # the operator's JSON shows every field as kept
    view = app.read(lambda store: reads.run_view(store, app.env, run_id, app.user, operator))
    if as_json or fmt == "json":
        from runners.json_shapes import run_json

        emit_json(run_json(view, app.tz))
        return
    if fmt in ("html", "pdf"):
        from engine.logo import logo_data_uri

        logo = logo_data_uri(view.spec.organization.logo, (app.sops_dir, app.workspace))
        if fmt == "html":
            from runners.render import render
            from runners.render_run import paint_of

            write_output(render(view.spec, "html", paint_of(view, app.now()), logo), output,
                         None)
        else:
            from runners.render.pdf import render_pdf
            from runners.render.run_doc import run_document

            write_output(render_pdf(run_document(view, app.tz, app.now(), logo)), output,
                         f"run-{run_id}.pdf")
        return
    from runners.render_run import run_text

    write_output(run_text(view, app.tz, app.now()) + "\n", output, None)


@run.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.option("--reason", required=True, help="Why the run is cancelled (kept in the audit).")
@common_options
@click.pass_context
def cancel(ctx: click.Context, run_id: int, reason: str) -> None:
    """Cancel an active run and every task active in it (who started it, or the holder of
    the SOP's top role). Its period or register number is free again."""
    from engine import corrections

    app = app_of(ctx)
    done = app.write(lambda store: corrections.cancel_run(store, app.env, run_id, reason,
                                                       app.user))
    click.echo(_("Cancelled run {run}: {reason}").format(run=done.run.id, reason=reason))


@click.group()
def step() -> None:
    """Complete or reassign an active step (task) of a run."""


@step.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_id", metavar="STEP", required=False)
@click.option("--outcome", help="The outcome chosen at a decision (one of its labels, "
                                "ignoring case).")
@click.option("--note", help="A note kept with the step (Keterangan).")
@click.option("--at", "at", metavar="TIME",
              help="When it really happened on paper (ISO 8601, workspace time zone); not "
                   "before the step became active, not in the future.")
@click.option("--attach", "attach", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file the step produced (its Output), kept as evidence with it: PDF, "
                   "JPEG, PNG, docx, xlsx, odt or ods, at most [web] max_upload_mb; repeat "
                   "for each file.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@common_options
@click.pass_context
def complete(ctx: click.Context, run_id: int, step_id: str | None, outcome: str | None,
             note: str | None, at: str | None, attach: tuple[Path, ...],
             as_json: bool) -> None:
    """Complete STEP of RUN: its id or number, or ACTIVITY/ACTOR, ACTIVITY/PERSON for one
    task of a step done by several people at once.

    STEP is required, so that a repeated or raced command fails ("already completed by
    ...") instead of completing the next step; without it the active steps are listed.
    """
    from engine import services
    from runners.attachments import kind_label, read_files, size_text

    app = app_of(ctx)
    when = app.parse_time(at) if at else None
    limit = app.settings.web.max_upload_bytes
    files = read_files(attach, limit)
    done = app.write(lambda store: services.complete_step(
        store, app.env, run_id, step_id, app.user, outcome, note, when, evidence=files,
        max_upload_bytes=limit))
    finished = done.step
    assert finished is not None
    if as_json:
        labels = [t.label for t in done.active]
        emit_json({"run": done.run.id, "step": finished.activity_id, "task": finished.label,
                   "attempt": finished.attempt, "completed_by": finished.completed_by,
                   "on_behalf_of": finished.on_behalf,
                   "completed_at": finished.completed_at and
                   finished.completed_at.astimezone(app.tz).isoformat(),
                   "outcome": finished.outcome, "status": done.run.status,
                   "result": done.run.result, "active_step": labels[0] if labels else None,
                   "active_steps": labels, "activated": [t.label for t in done.activated],
                   "evidence": [{"id": e.id, "name": e.name, "size": e.size, "type": e.mime,
                                 "sha256": e.sha256} for e in done.evidence]})
        return
    spec = done.spec
    activity = spec.activity(finished.activity_id)
    chosen = f" ({finished.outcome})" if finished.outcome else ""
    label = f" [{finished.label}]" if finished.task else ""
    behalf = f" a.n. {spec.actor(finished.on_behalf).title}" if finished.on_behalf else ""
    click.echo(_("Completed step {no}. {name}{outcome}{label} by {person}{behalf} at {at}").format(
        no=activity.no, name=activity.name, outcome=chosen, label=label,
        person=finished.completed_by, behalf=behalf, at=app.local(finished.completed_at)))
    for kept in done.evidence:
        click.echo(_("Attached: {name} ({kind}, {size}, SHA-256 {sha256})").format(
            name=kept.name, kind=kind_label(kept.mime), size=size_text(kept.size),
            sha256=kept.sha256[:12]))
    if done.run.is_active:
        echo_active(app, spec, done.active)
    else:
        echo_complete(done.run.id, done.run.status, done.run.result)


def echo_complete(run_id: int, status: str, result: str | None) -> None:
    """``Run 3 is complete.``, with the run's result when it says more than that."""
    from runners.words import run_status, status_word

    if run_status(status, result) == status_word(status):
        click.echo(_("Run {run} is complete.").format(run=run_id))
    else:
        click.echo(_("Run {run} is complete ({result}).").format(run=run_id, result=result))


@step.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_id", metavar="STEP")
@click.option("--to", "to", required=True, metavar="PERSON",
              help="The person (another holder of the step's role) who takes the step.")
@common_options
@click.pass_context
def reassign(ctx: click.Context, run_id: int, step_id: str, to: str) -> None:
    """Hand an active step (task) to another holder of its role."""
    from engine import services

    app = app_of(ctx)
    done = app.write(lambda store: services.reassign_step(store, app.env, run_id, step_id,
                                                          to, app.user))
    assert done.step is not None
    click.echo(_("Step `{step}` of run {run} now goes to {person}.").format(
        step=done.step.label, run=run_id, person=to))


@step.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_id", metavar="STEP")
@click.option("--reason", required=True, help="Why the step is skipped (kept in the audit).")
@common_options
@click.pass_context
def skip(ctx: click.Context, run_id: int, step_id: str, reason: str) -> None:
    """Skip an optional step of RUN (one the SOP marks `optional: true`), with a reason."""
    from engine import corrections

    app = app_of(ctx)
    done = app.write(lambda store: corrections.skip_step(store, app.env, run_id, step_id,
                                                         reason, app.user))
    assert done.step is not None
    activity = done.spec.activity(done.step.activity_id)
    click.echo(_("Skipped step {no}. {name} by {person}: {reason}").format(
        no=activity.no, name=activity.name, person=done.step.completed_by, reason=reason))
    if done.run.is_active:
        echo_active(app, done.spec, done.active)
    else:
        echo_complete(done.run.id, done.run.status, done.run.result)


@step.command()
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("step_id", metavar="STEP")
@click.option("--reason", required=True, help="Why the completion is undone (kept in the "
                                              "audit).")
@common_options
@click.pass_context
def reopen(ctx: click.Context, run_id: int, step_id: str, reason: str) -> None:
    """Undo the last completion of STEP while nothing after it is done: the run goes back to
    it (by who completed it, or a holder of a role above)."""
    from engine import corrections

    app = app_of(ctx)
    done = app.write(lambda store: corrections.reopen_step(store, app.env, run_id, step_id,
                                                           reason, app.user))
    assert done.step is not None
    activity = done.spec.activity(done.step.activity_id)
    click.echo(_("Reopened step {no}. {name} (completed by {person}): {reason}").format(
        no=activity.no, name=activity.name, person=done.step.completed_by, reason=reason))
    echo_active(app, done.spec, done.active)
