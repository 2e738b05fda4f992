"""What a person sees beyond their own tasks: the unit's queue and the steps coming to them.

- ``visible_units``: the units a person belongs to (a person sees only those);
- ``unit_queue``: the active tasks of those units that others hold, each with who
  it waits for (acting holders included and marked), overdue first, so a Camat
  sees where a run is stuck (Antrian bagian);
- ``upcoming``: the steps that come to the person next (Akan datang): after each
  active task, the activities its outcomes lead to, whose tasks would be the
  person's by the same rule as the inbox (``engine.tasks.responsible``).

Read models are frozen dataclasses with datetimes, like those of ``engine.reads``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from engine.ports import RunQueries
from engine.reads import RunInfo, TaskView, service_left, task_view
from engine.roster import Person, Roster, Unit
from engine.runs import ACTIVE, Run, StepRun
from engine.services import Env
from engine.spec import END, ActivitySpec, SopSpec
from engine.spec_cache import spec_of
from engine.tasks import personal, plan_tasks, responsible, task_actors


def visible_units(roster: Roster, person_id: str) -> tuple[str, ...]:
    """The slugs of the units the person belongs to, in roster order."""
    return tuple(u.slug for u in roster.units if any(p.id == person_id for p in u.people))


@dataclass(frozen=True, slots=True)
class Waiter:
    """Someone a task waits for: a holder of its role, or acting for it (Plt/Plh)."""

    person_id: str
    name: str
    acting: bool  # acting for the role on the day asked, not holding it


@dataclass(frozen=True, slots=True)
class QueuedTask:
    """An active task of the person's unit held by others, and who it waits for."""

    run: RunInfo
    spec: SopSpec
    task: TaskView
    waiting: tuple[Waiter, ...]  # empty: nobody in the roster holds its role
    service_left: int | None = None  # working minutes to the run's service deadline


@dataclass(frozen=True, slots=True)
class UpcomingStep:
    """A step that comes to the person next in a run: after which active tasks, and on
    which outcome of them (for a decision)."""

    run: RunInfo
    spec: SopSpec
    activity_id: str
    no: int
    name: str
    actor_title: str  # the titles of the actors who do it, "A / B"
    after: tuple[TaskView, ...]  # the active tasks it follows
    on_outcomes: tuple[str, ...]  # the outcome labels leading to it; empty: whatever happens

    @property
    def expected_after(self) -> dt.datetime | None:
        """The soonest due time of the tasks it follows (None when none has one)."""
        due = [t.due_at for t in self.after if t.due_at is not None]
        return min(due) if due else None


def _today(env: Env) -> dt.date:
    return env.clock.now().astimezone(env.calendar.tz).date()


def _units(env: Env, person_id: str) -> dict[str, Unit]:
    return {u.slug: u for u in env.roster.units if any(p.id == person_id for p in u.people)}


def _infos(store: RunQueries, runs: Sequence[Run]) -> dict[int, RunInfo]:
    """The facts of some runs (private case fields masked: a list shows them to many)."""
    fields = store.fields([r.id for r in runs])
    return {r.id: RunInfo.of(r, spec_of(store, r.sop_hash), fields.get(r.id, ()))
            for r in runs}


def waiting_for(unit: Unit, spec: SopSpec, step: StepRun, day: dt.date) -> tuple[Waiter, ...]:
    """Who may complete the task on ``day``: acting holders of its roles first (marked),
    then the regular holders and its other assignees; for the applicant's step, who
    records it. A task of one person (``complete: each`` over one role) waits for them."""
    known = {p.id: p for p in unit.members()}
    actors = task_actors(spec, step)
    found: dict[str, Waiter] = {}

    def add(person: Person) -> None:
        acting = not any(person.holds(a) for a in actors) and \
            any(person.acts_as(a, day) for a in actors)
        found.setdefault(person.id, Waiter(person.id, person.name, acting))

    if not personal(spec, step):
        own = [a for a in actors if not spec.actor(a).external]
        recorder = spec.activity(step.activity_id).recorded_by
        if not own and recorder is not None:
            actors, own = (recorder,), [recorder]
        for actor in own:
            for person in unit.people:
                if person.acts_as(actor, day) or person.holds(actor):
                    add(person)
    for person_id in step.assignees:
        if person_id in known:
            add(known[person_id])
        else:  # gone from the roster since the task became active
            found.setdefault(person_id, Waiter(person_id, person_id, False))
    return tuple(sorted(found.values(), key=lambda w: not w.acting))


def _overdue_first(item: QueuedTask) -> tuple[bool, bool, dt.datetime, int, str]:
    task = item.task
    return (not task.overdue, task.due_at is None, task.due_at or dt.datetime.max.replace(
        tzinfo=dt.UTC), item.run.id, task.label)


def unit_queue(store: RunQueries, env: Env, person_id: str) -> tuple[QueuedTask, ...]:
    """The active tasks of the person's units that are not the person's own (Antrian
    bagian), each with who it waits for; overdue first, then by due time."""
    units = _units(env, person_id)
    if not units:
        return ()
    day, now = _today(env), env.clock.now()
    kept = [(run, step) for run, step in store.open_tasks() if run.unit in units
            and not responsible(units[run.unit], spec_of(store, run.sop_hash), step,
                                person_id, day)]
    infos = _infos(store, list({run.id: run for run, _step in kept}.values()))
    waiters: dict[tuple[str, str, str, str, tuple[str, ...]], tuple[Waiter, ...]] = {}
    queued = []
    for run, step in kept:
        spec = spec_of(store, run.sop_hash)
        key = (run.unit, run.sop_hash, step.activity_id, step.task, step.assignees)
        if key not in waiters:  # the same for every run at the same step
            waiters[key] = waiting_for(units[run.unit], spec, step, day)
        queued.append(QueuedTask(infos[run.id], spec, task_view(step, spec, env, now),
                                 waiters[key], service_left(env, run.due_at, now)))
    return tuple(sorted(queued, key=_overdue_first))


def _would_be_theirs(unit: Unit, spec: SopSpec, activity: ActivitySpec, run: Run,
                     person_id: str, day: dt.date, now: dt.datetime) -> bool:
    """Whether a task the activity would give if it became active on ``day`` is the
    person's (the tasks planned as activation plans them, judged as the inbox judges)."""
    recorder = activity.recorded_by
    if recorder is None and all(spec.actor(a).external for a in activity.acting):
        return False  # the applicant's own step, recorded by anyone: nobody's in particular
    for plan in plan_tasks(spec, activity, unit, day):
        task = StepRun(0, run.id, activity.id, 1, plan.actor, ACTIVE, now, None,
                       plan.assignees, task=plan.task)
        if responsible(unit, spec, task, person_id, day):
            return True
    return False


def upcoming(store: RunQueries, env: Env, person_id: str) -> tuple[UpcomingStep, ...]:
    """The steps of active runs that come to the person next (Akan datang): the
    activities each active task leads to (every outcome of a decision, every branch of a
    split, the join after a branch) whose tasks would be the person's; soonest first."""
    units = _units(env, person_id)
    if not units:
        return ()
    day, now = _today(env), env.clock.now()
    by_run: dict[int, tuple[Run, list[StepRun]]] = {}
    for run, step in store.open_tasks():
        if run.unit in units:
            by_run.setdefault(run.id, (run, []))[1].append(step)
    found: list[tuple[Run, SopSpec, ActivitySpec, list[StepRun], list[str]]] = []
    theirs: dict[tuple[str, str, str], bool] = {}  # (unit, SOP content, activity) -> whether
    for run, steps in by_run.values():
        spec = spec_of(store, run.sop_hash)
        active = {s.activity_id for s in steps}
        nexts: dict[str, tuple[list[StepRun], list[str]]] = {}
        for step in steps:
            source = spec.activity(step.activity_id)
            for outcome in source.outcomes:
                if outcome.target == END or outcome.target in active:
                    continue
                after, labels = nexts.setdefault(outcome.target, ([], []))
                if step not in after:
                    after.append(step)
                if source.is_decision and outcome.label and outcome.label not in labels:
                    labels.append(outcome.label)
        for target, (after, labels) in nexts.items():
            activity = spec.activity(target)
            key = (run.unit, run.sop_hash, target)
            if key not in theirs:
                theirs[key] = _would_be_theirs(units[run.unit], spec, activity, run, person_id,
                                               day, now)
            if theirs[key]:
                plain = any(not spec.activity(s.activity_id).is_decision for s in after)
                found.append((run, spec, activity, after, [] if plain else labels))
    infos = _infos(store, list({run.id: run for run, *_rest in found}.values()))
    result = [UpcomingStep(
        infos[run.id], spec, activity.id, activity.no, activity.name,
        " / ".join(spec.actor(a).title for a in activity.acting),
        tuple(task_view(s, spec, env, now) for s in after), tuple(labels))
        for run, spec, activity, after, labels in found]
    latest = dt.datetime.max.replace(tzinfo=dt.UTC)
    return tuple(sorted(result, key=lambda u: (u.expected_after is None,
                                               u.expected_after or latest, u.run.id, u.no)))
