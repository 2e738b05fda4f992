"""Reads that name tasks by their row id, as links do (the web's step pages).

- ``my_tasks``: the person's own active tasks (what ``reads.inbox`` lists), each with
  its task id and the working time left to its due time, overdue first;
- ``task_page``: one task of a run with its SOP row, who it waits for, its files, what
  its completion started, and what the person may do with it (complete, reassign to whom);
- ``run_page``: a run with the ids of its tasks, its timeline (the audit trail) and files;
- ``report_page``: the run's report and the state of its audit trail;
- ``evidence_file``: one stored file of a run; ``runs_of``: the runs the person may see.

A person sees only the runs of the units they belong to (``engine.queues.visible_units``):
every read of one run refuses another unit's run with ``NotYourUnit``, whatever its URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine import reads
from engine.errors import AlurError, AuditTampered, NotAllowed
from engine.evidence import Evidence, EvidenceNotFound
from engine.evidence_reads import EvidenceFile, run_files
from engine.ports import HistoryFilter, RunFilter, Store
from engine.queues import Waiter, visible_units, waiting_for
from engine.reads import RunInfo, RunListItem, RunView, TaskView, service_left, task_view
from engine.roster import Unit
from engine.runs import ACTIVE, AuditEvent, Run, StepRun
from engine.services import Env
from engine.spec import ActivitySpec, SopSpec
from engine.spec_cache import spec_of
from engine.tasks import authority, responsible, task_actors
from engine.text import Text

LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


class NotYourUnit(NotAllowed):
    """The run belongs to a unit the person is not in: they may neither see nor act on it."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(Text("run {run} belongs to a unit you are not in; you can see only "
                              "the runs of your own units", run=run_id))


class TaskNotFound(AlurError, LookupError):
    """The run has no task with that id."""

    def __init__(self, run_id: int, task_id: int) -> None:
        self.run_id = run_id
        self.task_id = task_id
        super().__init__(Text("run {run} has no task {task}", run=run_id, task=task_id))


@dataclass(frozen=True, slots=True)
class MyTask:
    """One of the person's own active tasks, with its id and the working minutes left to its
    due time (negative: late by that much; None: no due time)."""

    task_id: int
    run: RunInfo
    spec: SopSpec
    task: TaskView
    left_minutes: int | None
    service_left: int | None = None


@dataclass(frozen=True, slots=True)
class TaskPage:
    """One task as its page shows it, and what the viewer may do with it."""

    task_id: int
    run: RunInfo
    spec: SopSpec
    activity: ActivitySpec
    task: TaskView
    waiting: tuple[Waiter, ...]  # who may complete it (an active task only)
    evidence: tuple[EvidenceFile, ...]  # the files its completion carried
    next_tasks: tuple[tuple[int, TaskView], ...]  # the tasks its completion activated
    came_from: tuple[tuple[int, TaskView, tuple[EvidenceFile, ...]], ...]  # the completed
    # task whose completion activated this one, with its files (its note is in its view)
    may_complete: bool  # the viewer may complete it now
    on_behalf: str | None  # ... as a superior, for this role ("atas nama")
    reassign_to: tuple[Waiter, ...]  # the holders the viewer may hand it to
    left_minutes: int | None  # working minutes to its due time (< 0: late)
    run_active: bool

    @property
    def is_active(self) -> bool:
        """True while the task waits to be completed."""
        return self.task.status == ACTIVE and self.run_active


@dataclass(frozen=True, slots=True)
class RunPage:
    """A run with its tasks' ids (None for an activity not reached), timeline and files."""

    view: RunView
    task_ids: tuple[int | None, ...]  # one for each of ``view.tasks``, in the same order
    events: tuple[AuditEvent, ...]
    evidence: tuple[EvidenceFile, ...]


@dataclass(frozen=True, slots=True)
class AuditState:
    """Whether the audit trail around a run holds: events checked, or the problem found."""

    intact: bool
    checked: int  # events
    files: int = 0  # evidence files checked against their SHA-256
    problem: str | None = None  # the message of the broken link (a Text)


@dataclass(frozen=True, slots=True)
class ReportPage:
    """A run's report (planned against actual working time) and its audit trail's state."""

    view: RunView
    audit: AuditState


def left_minutes(env: Env, due: dt.datetime | None, now: dt.datetime) -> int | None:
    """Working minutes from ``now`` to a due time; negative when it is past."""
    return service_left(env, due, now)


def _day(env: Env) -> dt.date:
    return env.clock.now().astimezone(env.calendar.tz).date()


def seen_run(store: Store, env: Env, run_id: int, viewer: str) -> Run:
    """The run, if the viewer belongs to its unit (RunNotFound, NotYourUnit otherwise)."""
    run = store.get_run(run_id)
    if run.unit not in visible_units(env.roster, viewer):
        raise NotYourUnit(run_id)
    return run


def my_tasks(store: Store, env: Env, person_id: str) -> tuple[MyTask, ...]:
    """The person's own active tasks (as the inbox judges them), overdue first, then by
    due time."""
    day, now = _day(env), env.clock.now()
    units = {u.slug: u for u in env.roster.units if u.slug in visible_units(env.roster,
                                                                              person_id)}
    kept = [(run, step) for run, step in store.open_tasks() if run.unit in units
            and responsible(units[run.unit], spec_of(store, run.sop_hash), step, person_id,
                            day)]
    runs = list({run.id: run for run, _step in kept}.values())
    fields = store.fields([r.id for r in runs])
    infos = {r.id: RunInfo.of(r, spec_of(store, r.sop_hash), fields.get(r.id, ()))
             for r in runs}
    mine = []
    for run, step in kept:
        spec = spec_of(store, run.sop_hash)
        view = task_view(step, spec, env, now)
        mine.append(MyTask(step.id, infos[run.id], spec, view,
                           left_minutes(env, step.due_at, now),
                           service_left(env, run.due_at, now)))
    return tuple(sorted(mine, key=lambda m: (not m.task.overdue, m.task.due_at or LATEST,
                                             m.run.id, m.task.label)))


def _holders(unit: Unit, spec: SopSpec, step: StepRun, day: dt.date) -> tuple[Waiter, ...]:
    """Who may take the task over: the unit's holders (regular or acting) of its roles,
    except the one person it is with now."""
    roles = task_actors(spec, step)
    if any(spec.actor(r).external for r in roles):
        return ()
    current = set(step.assignees) if len(step.assignees) == 1 else set()
    return tuple(Waiter(p.id, p.name, not any(p.holds(r) for r in roles))
                 for p in unit.members() if p.id not in current
                 and any(unit.may_act_for(r, p.id, day) for r in roles))


def task_page(store: Store, env: Env, run_id: int, task_id: int, viewer: str) -> TaskPage:
    """The task ``task_id`` of run ``run_id`` as ``viewer`` sees it (TaskNotFound when the
    run has no such task, NotYourUnit for a run of another unit)."""
    run = seen_run(store, env, run_id, viewer)
    spec = spec_of(store, run.sop_hash)
    steps = store.tasks(run_id)
    step = next((s for s in steps if s.id == task_id), None)
    if step is None:
        raise TaskNotFound(run_id, task_id)
    now, day = env.clock.now(), _day(env)
    unit = env.roster.unit(run.unit)
    view = task_view(step, spec, env, now)
    active = step.status == ACTIVE and run.is_active
    acting = authority(unit, spec, step, viewer, day) if active else None
    allowed = acting is not None and acting.allowed
    fields = store.fields([run.id]).get(run.id, ())
    info = RunInfo.of(run, spec, fields, reads.may_see_private(env, spec, run.unit, viewer))
    files = run_files(store, run_id)
    return TaskPage(
        task_id, info, spec, spec.activity(step.activity_id), view,
        waiting_for(unit, spec, step, day) if active else (),
        tuple(f for f in files if f.step_run_id == task_id),
        tuple((s.id, task_view(s, spec, env, now)) for s in steps if s.activated_by == task_id),
        tuple((s.id, task_view(s, spec, env, now),
               tuple(f for f in files if f.step_run_id == s.id))
              for s in steps if s.id == step.activated_by),
        allowed, acting.on_behalf if acting is not None else None,
        _holders(unit, spec, step, day) if allowed else (),
        left_minutes(env, step.due_at, now) if active else None, run.is_active)


def run_page(store: Store, env: Env, run_id: int, viewer: str) -> RunPage:
    """The run with every task (and its id), its audit events and its files."""
    seen_run(store, env, run_id, viewer)
    view = reads.run_view(store, env, run_id, viewer)
    # run_view lists the run's tasks in the order the store gives them, then the
    # activities not reached yet
    ids: list[int | None] = [s.id for s in store.tasks(run_id)]
    ids += [None] * (len(view.tasks) - len(ids))
    events = reads.history(store, HistoryFilter(run=run_id))
    return RunPage(view, tuple(ids), events, run_files(store, run_id))


def report_page(store: Store, env: Env, run_id: int, viewer: str) -> ReportPage:
    """The run's report, and whether the audit trail around its events holds."""
    seen_run(store, env, run_id, viewer)
    view = reads.report(store, env, run_id)
    try:
        checked = reads.check_audit(store, run_id)
        audit = AuditState(True, checked.events, checked.files)
    except AuditTampered as exc:
        audit = AuditState(False, 0, 0, exc.args[0] if exc.args else str(exc))
    return ReportPage(view, audit)


def report_of(store: Store, env: Env, run_id: int, viewer: str) -> RunView:
    """The run's report alone (for the downloads)."""
    seen_run(store, env, run_id, viewer)
    return reads.report(store, env, run_id)


def evidence_file(store: Store, env: Env, run_id: int, evidence_id: int,
                  viewer: str) -> tuple[Evidence, bytes]:
    """One file of the run and its content."""
    seen_run(store, env, run_id, viewer)
    found = store.get_evidence(evidence_id)
    if found is None or found.run_id != run_id:
        raise EvidenceNotFound(Text("run {run} has no file {file}", run=run_id,
                                    file=evidence_id))
    return found, store.blob(found.sha256)


def runs_of(store: Store, env: Env, viewer: str, where: RunFilter) -> tuple[RunListItem, ...]:
    """The runs matching ``where`` among those of the viewer's units, newest first."""
    units = visible_units(env.roster, viewer)
    if where.unit is not None and where.unit not in units:
        return ()
    if where.unit is None and len(units) == 1:
        where = RunFilter(where.sop, where.status, where.period, units[0], where.search)
    return tuple(item for item in reads.list_runs(store, where) if item.run.unit in units)
