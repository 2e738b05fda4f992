"""The use cases that answer questions: a run with all its tasks, the run list, inbox,
overdue, history, the report, the reminders and the audit check.

Each takes a ``RunQueries`` (one read transaction) and returns frozen read
models with datetimes; runners only turn them into tables, JSON or pages.
The rules of what a person sees (overdue, late by how much, whose task)
live here and in ``engine.tasks``, once, for every runner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.audit_chain import verify_chain, verify_run_chain
from engine.cases import RunField, mask, title_of
from engine.evidence_reads import EvidenceReader, NamedFile, check_files, noting_files
from engine.ports import HistoryFilter, RunFilter, RunQueries, Summary
from engine.runs import ACTIVE, AuditEvent, Reminder, Run, StepRun, reason_of
from engine.services import Env
from engine.spec import SopSpec
from engine.spec_cache import spec_of
from engine.tasks import responsible
from engine.views import (
    NOT_REACHED,
    actual_minutes,
    deadline,
    is_overdue,
    late_minutes,
    standard_minutes,
)


@dataclass(frozen=True, slots=True)
class FieldView:
    """A case field of a run as one person may see it (a private one masked for others)."""

    key: str
    label: str
    value: str
    private: bool
    masked: bool


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A run's own facts (a frozen copy of ``Run``), what it is about, and its register."""

    id: int
    sop_id: str
    sop_hash: str
    unit: str
    period: str
    status: str
    result: str | None
    started_at: dt.datetime
    started_by: str | None
    finished_at: dt.datetime | None
    cancel_reason: str | None
    due_at: dt.datetime | None = None  # the service deadline
    register: str | None = None  # the register number (SOPs without `start:`)
    title: str | None = None  # what it is about: its first text field (the applicant)
    fields: tuple[FieldView, ...] = ()

    @classmethod
    def of(cls, run: Run, spec: SopSpec | None = None, fields: Sequence[RunField] = (),
           reveal: bool = False) -> RunInfo:
        """The facts of ``run``; private fields masked unless ``reveal``."""
        labels = {f.key: f.label for f in spec.case} if spec else {}
        views = tuple(FieldView(f.key, labels.get(f.key, f.key),
                                f.value if reveal or not f.private else mask(f.value),
                                f.private, f.private and not reveal) for f in fields)
        return cls(run.id, run.sop_id, run.sop_hash, run.unit, run.period, run.status,
                   run.result, run.started_at, run.started_by, run.finished_at,
                   run.cancel_reason, run.due_at,
                   run.period if spec is not None and spec.registered else None,
                   title_of(spec, fields) if spec is not None else None, views)


@dataclass(frozen=True, slots=True)
class TaskView:
    """One task of a run (or an activity not reached yet) with its times judged."""

    run_id: int
    label: str
    activity_id: str
    no: int
    name: str
    attempt: int  # 0 for an activity not reached
    status: str  # active, completed, cancelled, not_reached
    actor: str
    actor_title: str
    assignees: tuple[str, ...]  # who may complete it now (active tasks only)
    completed_by: str | None
    on_behalf: str | None  # the role a superior completed it for
    activated_at: dt.datetime | None
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    recorded_at: dt.datetime | None
    standard_minutes: int | None
    actual_minutes: int | None
    overdue: bool
    late_minutes: int
    outcome: str | None
    note: str | None
    outcomes: tuple[str, ...]  # the labels to choose from, for a decision
    reason: str | None = None  # why it was skipped, reopened or withdrawn (withdrawn: a Text)

    @property
    def is_decision(self) -> bool:
        """True when completing it needs one of ``outcomes``."""
        return bool(self.outcomes)

    @property
    def over(self) -> bool:
        """True when it took (or takes) longer than its standard time."""
        return (self.standard_minutes is not None and self.actual_minutes is not None
                and self.actual_minutes > self.standard_minutes)

    @property
    def difference(self) -> int | None:
        """Actual minus standard working minutes."""
        if self.standard_minutes is None or self.actual_minutes is None:
            return None
        return self.actual_minutes - self.standard_minutes


@dataclass(frozen=True, slots=True)
class RunView:
    """A run with every task in order, then the activities it has not reached."""

    run: RunInfo
    spec: SopSpec
    tasks: tuple[TaskView, ...]
    deadline: dt.date | None
    standard_minutes: int  # the SOP's critical path, in working minutes
    actual_minutes: int  # working minutes from the start to the end (or now)
    service_left: int | None = None  # working minutes to the service deadline (< 0: late)

    @property
    def active(self) -> tuple[TaskView, ...]:
        """The tasks active now."""
        return tuple(t for t in self.tasks if t.status == ACTIVE)

    @property
    def reached(self) -> tuple[TaskView, ...]:
        """Every task that was activated (the report's rows)."""
        return tuple(t for t in self.tasks if t.status != NOT_REACHED)

    @property
    def total_standard_minutes(self) -> int:
        """The standard times of every task activated, added up."""
        return sum(t.standard_minutes or 0 for t in self.reached)

    @property
    def total_actual_minutes(self) -> int:
        """The working time every task activated took, added up."""
        return sum(t.actual_minutes or 0 for t in self.reached)

    @property
    def tasks_over(self) -> int:
        """How many tasks took longer than their standard time."""
        return sum(t.over for t in self.reached)


@dataclass(frozen=True, slots=True)
class RunListItem:
    """A run in a list, with the labels of its active tasks."""

    run: RunInfo
    active: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenTask:
    """An active task with its run and SOP (inbox, overdue), and the working minutes left to
    the run's service deadline (negative: late by), if it has one."""

    run: RunInfo
    spec: SopSpec
    task: TaskView
    service_left: int | None = None


@dataclass(frozen=True, slots=True)
class ReminderView:
    """A reminder row with the task it is for (empty: the whole run)."""

    id: int
    run_id: int
    task: str
    level: int
    recipients: tuple[str, ...]
    due_at: dt.datetime
    status: str
    sent_at: dt.datetime | None
    channels: tuple[str, ...]
    attempts: int
    error: str | None


def task_view(step: StepRun, spec: SopSpec, env: Env, now: dt.datetime) -> TaskView:
    """A task with its standard and actual working time, whether and how late it is."""
    activity = spec.activity(step.activity_id)
    calendar = env.calendar
    return TaskView(
        run_id=step.run_id, label=step.label, activity_id=step.activity_id, no=activity.no,
        name=activity.name, attempt=step.attempt, status=step.status, actor=step.actor,
        actor_title=spec.actor(step.actor).title,
        assignees=step.assignees if step.status == ACTIVE else (),
        completed_by=step.completed_by, on_behalf=step.on_behalf,
        activated_at=step.activated_at, due_at=step.due_at, completed_at=step.completed_at,
        recorded_at=step.recorded_at,
        standard_minutes=standard_minutes(step, activity, calendar),
        actual_minutes=actual_minutes(step, calendar, now), overdue=is_overdue(step, now),
        late_minutes=late_minutes(step, calendar, now) if is_overdue(step, now) else 0,
        outcome=step.outcome, note=step.note,
        outcomes=tuple(o.label or "" for o in activity.outcomes) if activity.is_decision
        else (), reason=reason_of(step))


def _not_reached(run: Run, spec: SopSpec, env: Env, reached: set[str]) -> list[TaskView]:
    views = []
    for activity in spec.activities:
        if activity.id in reached:
            continue
        views.append(TaskView(
            run_id=run.id, label=activity.id, activity_id=activity.id, no=activity.no,
            name=activity.name, attempt=0, status=NOT_REACHED, actor=activity.actor,
            actor_title=spec.actor(activity.actor).title, assignees=(), completed_by=None,
            on_behalf=None, activated_at=None, due_at=None, completed_at=None,
            recorded_at=None, standard_minutes=standard_minutes(None, activity, env.calendar),
            actual_minutes=None, overdue=False, late_minutes=0, outcome=None, note=None,
            outcomes=tuple(o.label or "" for o in activity.outcomes)
            if activity.is_decision else ()))
    return views


def _critical_minutes(run: Run, spec: SopSpec, env: Env) -> int:
    """The SOP's critical path in working minutes, days resolved from the run's start."""
    total = spec.total_duration
    if not total.days:
        return total.minutes
    end = env.calendar.add(run.started_at, total)
    return round(env.calendar.working_minutes_between(run.started_at, end))


def service_left(env: Env, due: dt.datetime | None, now: dt.datetime) -> int | None:
    """Working minutes from ``now`` to a service deadline; negative when it is past."""
    if due is None:
        return None
    if now <= due:
        return round(env.calendar.working_minutes_between(now, due))
    return -round(env.calendar.working_minutes_between(due, now))


def may_see_private(env: Env, spec: SopSpec, unit_slug: str, viewer: str | None) -> bool:
    """Whether ``viewer`` sees a run's private fields: a holder (regular or acting, today)
    of one of the SOP's roles in the run's unit. Everyone else sees them masked."""
    if viewer is None:
        return False
    try:
        unit = env.roster.unit(unit_slug)
    except LookupError:
        return False
    day = env.clock.now().astimezone(env.calendar.tz).date()
    return any(unit.may_act_for(a.slug, viewer, day) for a in spec.actors if not a.external)


def run_view(store: RunQueries, env: Env, run_id: int, viewer: str | None = None,
             reveal: bool = False) -> RunView:
    """A run with all its tasks (`alur run show`); its private fields shown to ``viewer``
    only if they may see them (or to the operator, ``reveal``)."""
    run = store.get_run(run_id)
    spec = spec_of(store, run.sop_hash)
    now = env.clock.now()
    tasks = [task_view(step, spec, env, now) for step in store.tasks(run_id)]
    if run.status == ACTIVE:
        tasks += _not_reached(run, spec, env, {t.activity_id for t in tasks})
    end = run.finished_at or now
    shown = reveal or may_see_private(env, spec, run.unit, viewer)
    info = RunInfo.of(run, spec, store.fields([run.id]).get(run.id, ()), shown)
    left = service_left(env, run.due_at, end if run.finished_at else now)
    return RunView(info, spec, tuple(tasks), deadline(run, spec, env.calendar),
                   _critical_minutes(run, spec, env),
                   round(env.calendar.working_minutes_between(run.started_at, end)), left)


def report(store: RunQueries, env: Env, run_id: int) -> RunView:
    """Planned against actual working time, per task and for the whole run (`alur report`):
    the run's tasks with their standard and actual minutes, and the SOP's critical path
    against the run's length."""
    return run_view(store, env, run_id)


def _infos(store: RunQueries, runs: Sequence[Run]) -> dict[int, RunInfo]:
    """The facts of some runs with what they are about (private fields masked)."""
    fields = store.fields([r.id for r in runs])
    return {r.id: RunInfo.of(r, spec_of(store, r.sop_hash), fields.get(r.id, ())) for r in runs}


def list_runs(store: RunQueries, where: RunFilter) -> tuple[RunListItem, ...]:
    """Runs matching the filter (or found by `search` in their register number and case
    fields), newest first, each with its active task labels."""
    runs = store.list_runs(where)
    active: dict[int, list[str]] = {}
    wanted = [r.id for r in runs if r.status == ACTIVE]
    if wanted:
        for _run, step in store.open_tasks(runs=wanted):
            active.setdefault(step.run_id, []).append(step.label)
    infos = _infos(store, runs)
    return tuple(RunListItem(infos[r.id], tuple(sorted(active.get(r.id, ())))) for r in runs)


def _open(store: RunQueries, env: Env, due_before: dt.datetime | None = None,
          keep: Callable[[Run, SopSpec, StepRun], bool] | None = None) -> tuple[OpenTask, ...]:
    now = env.clock.now()
    kept = [(run, step) for run, step in store.open_tasks(due_before)
            if keep is None or keep(run, spec_of(store, run.sop_hash), step)]
    infos = _infos(store, list({run.id: run for run, _step in kept}.values()))
    return tuple(OpenTask(infos[run.id], spec_of(store, run.sop_hash),
                          task_view(step, spec_of(store, run.sop_hash), env, now),
                          service_left(env, run.due_at, now))
                 for run, step in kept)


def inbox(store: RunQueries, env: Env, person_id: str) -> tuple[OpenTask, ...]:
    """The active tasks that are the person's own (`alur inbox`), soonest due first."""
    day = env.clock.now().astimezone(env.calendar.tz).date()
    units = {u.slug: u for u in env.roster.units}
    return _open(store, env, keep=lambda run, spec, step: run.unit in units and responsible(
        units[run.unit], spec, step, person_id, day))


def overdue(store: RunQueries, env: Env) -> tuple[OpenTask, ...]:
    """Active tasks past their due time, with how late (`alur overdue`)."""
    now = env.clock.now()
    return _open(store, env, now, keep=lambda _run, _spec, step: is_overdue(step, now))


@dataclass(frozen=True, slots=True)
class LateRun:
    """A run past its service deadline, and by how many working minutes."""

    run: RunInfo
    spec: SopSpec
    late_minutes: int


def late_runs(store: RunQueries, env: Env) -> tuple[LateRun, ...]:
    """Active runs past their service deadline (`alur overdue`), the longest late first."""
    now = env.clock.now()
    runs = store.late_runs(now)
    infos = _infos(store, runs)
    return tuple(LateRun(infos[r.id], spec_of(store, r.sop_hash), round(
        env.calendar.working_minutes_between(r.due_at, now)) if r.due_at else 0) for r in runs)


def summary(store: RunQueries, env: Env) -> Summary:
    """The database at a glance (`alur status`): runs by status, reminders due and failed,
    the audit trail's head."""
    return store.summary(env.clock.now())


def history(store: RunQueries, where: HistoryFilter) -> tuple[AuditEvent, ...]:
    """Audit events matching the filter, oldest first (`alur history`)."""
    return tuple(store.history(where))


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """What checking the audit trail found intact: the events, and the evidence files."""

    events: int
    files: int


def check_audit(store: EvidenceReader, run: int | None = None) -> AuditCheck:
    """Check the hash chain (all of it, or around one run's events), then the evidence: every
    stored file against its SHA-256, and each file the events name stored and attached
    (``engine.evidence_reads.check_files``). AuditTampered names the first break."""
    if run is None:
        last_seq, last_hash = store.audit_head()
        events = store.audit_events()
        named: list[NamedFile] = []
        try:
            count = verify_chain(noting_files(events, named), last_seq, last_hash)
        finally:  # a broken chain stops reading: close the cursor while the transaction lives
            close = getattr(events, "close", None)
            if close is not None:
                close()
        return AuditCheck(count, check_files(store, None, named))
    store.get_run(run)  # RunNotFound for a run that does not exist
    count = verify_run_chain(store, run)
    return AuditCheck(count, check_files(store, run))


def verify_audit(store: EvidenceReader, run: int | None = None) -> int:
    """Check the hash chain and the evidence files (``check_audit``); the events checked."""
    return check_audit(store, run).events


def reminders(store: RunQueries, run_id: int | None = None,
              status: str | None = None) -> tuple[ReminderView, ...]:
    """Reminder rows with their tasks (`alur reminders list`), soonest due first."""
    return tuple(_reminder_view(r, step) for r, step in store.list_reminders(run_id, status))


def _reminder_view(reminder: Reminder, step: StepRun | None) -> ReminderView:
    return ReminderView(reminder.id, reminder.run_id, step.label if step else "", reminder.level,
                        reminder.recipients, reminder.due_at, reminder.status,
                        reminder.sent_at, reminder.channels, reminder.attempts,
                        reminder.last_error)
