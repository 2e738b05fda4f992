"""The use cases that change runs: start, complete, reassign, cancel.

Each takes a ``RunStore`` that is one open transaction; the caller commits
after the use case returns, so the state change and its audit events are
written together or not at all. A run holds a set of active tasks: a step
gives one task, or one per actor or holder with ``complete: each``; a split
activates all its branches; a join becomes active once, when the last of its
branches arrives (no task of the branches is active any more). The run row is
locked first, so that two completions in one run are serialised and the
join's count is never raced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from engine import reminder_policy
from engine.calendar import WorkCalendar
from engine.cases import check_fields, register_number
from engine.clock import Clock
from engine.errors import (
    IdentityMissing,
    InvalidTime,
    NotAllowed,
    RunFinished,
)
from engine.evidence import DEFAULT_MAX_BYTES, Evidence, Upload, check_uploads
from engine.loader import LoadedSop
from engine.machine import Token, machine_for
from engine.ports import EvidenceStore, RunStore
from engine.roster import Person, Roster, Unit
from engine.runs import (
    ACTIVE,
    COMPLETED,
    RUN_COMPLETED,
    RUN_STARTED,
    STEP_ACTIVATED,
    STEP_COMPLETED,
    STEP_REASSIGNED,
    AuditEvent,
    NewEvent,
    Run,
    StepRun,
)
from engine.sop_format import DEFAULT_REGISTER
from engine.spec import END, ActivitySpec, ReminderSpec, SopSpec
from engine.spec_cache import remember_spec, spec_of
from engine.tasks import (
    TaskPlan,
    authority,
    either,
    find_task,
    not_allowed,
    plan_tasks,
    shown_task,
    task_actors,
)
from engine.text import Text

SCHEDULER = "alur-scheduler"
# The ways an action reaches the engine: every audit event names its channel.
CLI, WEB, BY_SCHEDULER = "cli", "web", "scheduler"
CHANNELS = (CLI, WEB, BY_SCHEDULER)


@dataclass(frozen=True, slots=True)
class Env:
    """What the use cases need besides storage: calendar, roster, clock, reminder defaults,
    and the channel the actions come by (``cli``, ``web``, ``scheduler``)."""

    calendar: WorkCalendar
    roster: Roster
    clock: Clock
    reminder_defaults: ReminderSpec = field(default_factory=ReminderSpec)
    channel: str = CLI


class WriteStore(RunStore, EvidenceStore, Protocol):
    """What completing steps needs from storage: runs, tasks, the audit trail and the
    evidence files."""


def record_events(store: RunStore, env: Env, events: Sequence[NewEvent],
                  now: dt.datetime) -> list[AuditEvent]:
    """Append events to the audit trail, each saying in its data by which channel it came
    (``env.channel``): every event the engine writes goes through here."""
    return store.append_events([replace(e, data={**e.data, "channel": env.channel})
                                for e in events], now)


@dataclass(frozen=True, slots=True)
class Transition:
    """What a use case did: the run after it, the task it acted on, the tasks it activated,
    every task active afterwards (with the spec, so the runner needs nothing more), and the
    files it attached."""

    run: Run
    spec: SopSpec
    step: StepRun | None
    activated: tuple[StepRun, ...] = ()
    active: tuple[StepRun, ...] = ()
    evidence: tuple[Evidence, ...] = ()


def when_of(env: Env, at: dt.datetime | None, not_before: dt.datetime | None,
          what: str) -> dt.datetime:
    """The time an action really happened: ``at`` if given (checked) or now; ``what`` (a
    message) says what ``not_before`` is."""
    now = env.clock.now()
    if at is None:
        return max(now, not_before) if not_before is not None else now
    if at.tzinfo is None:
        raise ValueError(Text("a time given for an action needs its time zone"))
    local = env.calendar.tz
    if at > now:
        raise InvalidTime(at.astimezone(local), "future", now.astimezone(local))
    if not_before is not None and at < not_before:
        raise InvalidTime(at.astimezone(local), "before", not_before.astimezone(local), what)
    return at


def person_of(unit: Unit, person_id: str | None, doing: str) -> Person:
    """The person acting, by id; ``doing`` (a message, ``Text("completing the step")``) says
    what they are doing when nobody said who."""
    if not person_id:
        raise IdentityMissing(doing, unit.slug)
    return unit.person(person_id)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def activate(store: RunStore, env: Env, spec: SopSpec, run: Run, unit: Unit,
             activity: ActivitySpec, at: dt.datetime, by_task: int | None = None,
             plans: list[TaskPlan] | None = None) -> tuple[list[StepRun], list[NewEvent]]:
    """The next attempt of ``activity``: its tasks (``plans``, else as the step gives them),
    due after the standard working time; ``by_task`` is the task whose completion did it."""
    day = at.astimezone(env.calendar.tz).date()
    due = env.calendar.add(at, activity.duration) if activity.duration else None
    attempt = store.last_attempt(run.id, activity.id) + 1
    tasks = [StepRun(id=0, run_id=run.id, activity_id=activity.id, attempt=attempt,
                     actor=plan.actor, status=ACTIVE, activated_at=at, due_at=due,
                     assignees=plan.assignees, task=plan.task, activated_by=by_task)
             for plan in (plans or plan_tasks(spec, activity, unit, day))]
    store.add_tasks(tasks)
    now = env.clock.now()
    owed = [(task.id, planned.at) for task in tasks if (planned := reminder_policy.first(
        spec, reminder_policy.StepTiming(task_actors(spec, task), at, due))) is not None]
    if owed:
        store.add_reminders(run.id, owed, now)
    events = [NewEvent(run.id, STEP_ACTIVATED, None, at, task.label, attempt, {
        "actor": task.actor, "assignees": list(task.assignees), "due_at": _iso(due)})
        for task in tasks]
    return tasks, events


def _state(run: Run, active: Sequence[StepRun]) -> str:
    """The run's state column: its active activities (the machine state of each token)."""
    return "+".join(dict.fromkeys(t.activity_id for t in active))[:220] or run.state


def start_run(store: WriteStore, env: Env, loaded: LoadedSop, unit_slug: str | None,
              period: str | None, by: str | None, at: dt.datetime | None = None,
              automatic: bool = False, fields: Mapping[str, str] | None = None,
              received: bool = False) -> Transition:
    """Start a run of an SOP for a unit and period; its first step becomes active.

    ``automatic`` runs are started by the scheduler (``start:`` of the SOP), by nobody.
    A run of an SOP without `start:` gets the next register number as its period when
    none is given. ``fields`` are the case fields; ``received`` records the applicant's
    first step at once (by the person starting the run).
    """
    from engine.errors import DuplicateRun
    from engine.periods import PeriodError, check_period

    spec = loaded.spec
    unit = env.roster.unit(unit_slug)
    person = None if automatic else person_of(unit, by, Text("starting the run"))
    starter = SCHEDULER if person is None else person.id
    when = when_of(env, at, None, "")
    if period is None:
        if not spec.registered:
            raise PeriodError(Text("SOP `{sop}` starts by the calendar (`start:`), so its run "
                                   "needs a period (2025, 2025-Q4, 2025-12)", sop=spec.id),
                              missing=True)
        day = when.astimezone(env.calendar.tz).date()
        seq = store.next_register(spec.id, unit.slug, day.year)
        period = register_number(spec.register or DEFAULT_REGISTER, seq, day, unit.slug)
    period = check_period(period, spec)
    existing = store.find_run(spec.id, unit.slug, period)
    if existing is not None:
        raise DuplicateRun(spec.id, unit.slug, period, existing)
    given = dict(fields or {})
    if not given and spec.case:  # started again for a cancelled run's register: its case
        cancelled = store.find_cancelled(spec.id, unit.slug, period)
        if cancelled is not None:
            given = {f.key: f.value for f in store.fields([cancelled]).get(cancelled, [])}
    checked = check_fields(spec, given)
    now = env.clock.now()
    version_id = store.save_sop_version(spec.id, loaded.sha256, loaded.text, loaded.path, now)
    remember_spec(loaded)
    machine = machine_for(loaded.sha256, spec)
    run = Run(id=0, sop_id=spec.id, sop_hash=loaded.sha256, unit=unit.slug, period=period,
              status=ACTIVE, state=machine.initial, started_at=when, started_by=starter,
              due_at=env.calendar.add(when, spec.deadline) if spec.deadline else None)
    run.id = store.add_run(run, version_id)
    store.add_fields(run.id, checked)
    if person is not None:
        store.remember_person(unit.slug, person, now)
    data: dict[str, object] = {"sop": spec.id, "sop_hash": loaded.sha256, "unit": unit.slug,
                               "period": period, "automatic": automatic}
    if checked:
        data["fields"] = {f.key: f.digest for f in checked}
    if run.due_at is not None:
        data["due_at"] = _iso(run.due_at)
        top = max((len(spec.chain(a.slug)) for a in spec.actors if not a.external), default=1)
        store.add_run_reminder(run.id, top - 1, run.due_at, now)
    started = NewEvent(run.id, RUN_STARTED, starter, when, data=data)
    tasks, activated = activate(store, env, spec, run, unit, spec.activities[0], when)
    record_events(store, env, [started, *activated], now)
    done = Transition(run, spec, None, tuple(tasks), tuple(tasks))
    if received:
        first = spec.activities[0]
        if not spec.actor(first.actor).external:
            raise NotAllowed(Text("the first step of `{sop}` is not the applicant's; complete "
                                  "it as its holder instead", sop=spec.id))
        return complete_step(store, env, run.id, first.id, by, at=when)
    return done


def open_run(store: RunStore, run_id: int,
             finished_too: bool = False) -> tuple[Run, SopSpec, list[StepRun]]:
    """The run (locked for this transaction), its spec and its active tasks; RunFinished
    for a run that is over, unless ``finished_too`` (the caller says why then)."""
    run = store.get_run(run_id, lock=True)
    if not run.is_active and not finished_too:
        raise RunFinished(run.id, run.status, run.result)
    return run, spec_of(store, run.sop_hash), store.active_tasks(run.id)


def named_task(store: RunStore, env: Env, run: Run, spec: SopSpec, active: list[StepRun],
               ref: str | None, unit: Unit, person: Person, day: dt.date,
               task_id: int | None = None) -> StepRun:
    """The active task ``ref`` names, for ``person`` (see ``engine.tasks.find_task``); with
    ``task_id`` exactly that task (the one a page showed), or the error that says why it
    is no longer active (see ``engine.tasks.shown_task``)."""
    if task_id is not None:
        return shown_task(spec, run, active, task_id, ref, lambda: store.tasks(run.id),
                          env.calendar.tz)
    if not run.is_active:
        raise RunFinished(run.id, run.status, run.result)
    return find_task(spec, run.id, active, ref,
                     lambda t: authority(unit, spec, t, person.id, day), person.id,
                     lambda activity_id: store.activity_tasks(run.id, activity_id),
                     env.calendar.tz)


def complete_step(store: WriteStore, env: Env, run_id: int, step_ref: str | None,
                  by: str | None, outcome_label: str | None = None, note: str | None = None,
                  at: dt.datetime | None = None, evidence: Sequence[Upload] = (),
                  max_upload_bytes: int = DEFAULT_MAX_BYTES,
                  task_id: int | None = None) -> Transition:
    """Complete a task as ``by``; when its step is done, move its token on.

    ``step_ref`` names the task (``ACTIVITY``, its number, or ``ACTIVITY/KEY``); ``task_id``
    (a task's row id) acts on exactly that task, refused when it is no longer active.
    ``evidence``: the files the step produced, each recognised by its content and at most
    ``max_upload_bytes``; one refused file refuses the whole completion. Each content is
    stored once, and the ``step_completed`` event names every file (name, size, type,
    SHA-256), in the same transaction.
    """
    run, spec, active = open_run(store, run_id, finished_too=task_id is not None)
    unit = env.roster.unit(run.unit)
    person = person_of(unit, by, Text("completing the step"))
    today = env.clock.now().astimezone(env.calendar.tz).date()
    task = named_task(store, env, run, spec, active, step_ref, unit, person, today, task_id)
    activity = spec.activity(task.activity_id)
    outcome = machine_for(run.sop_hash, spec).outcome_for(activity, outcome_label)
    when = when_of(env, at, task.activated_at, Text("step `{step}` became active",
                                                    step=task.label))
    acting = authority(unit, spec, task, person.id, when.astimezone(env.calendar.tz).date())
    if not acting.allowed:
        raise not_allowed(spec, task, person.id, "complete")
    files = check_uploads(evidence, max_upload_bytes)
    now = env.clock.now()
    task.status, task.completed_at, task.completed_by = COMPLETED, when, person.id
    task.recorded_at, task.outcome, task.note = now, outcome.label, note
    task.on_behalf = acting.on_behalf
    data: dict[str, object] = {"outcome": outcome.label, "note": note, "next": outcome.text}
    if acting.on_behalf:
        data["on_behalf_of"] = acting.on_behalf
    if files:
        data["evidence"] = [f.described() for f in files]
    done = advance(store, env, run, spec, unit, task, active, STEP_COMPLETED, data)
    store.remember_person(unit.slug, person, now)
    if not files:
        return done
    for file in {f.sha256: f for f in files}.values():
        store.put_blob(file.sha256, file.kind.mime, file.content, now)
    attached = store.add_evidence([Evidence(0, run.id, task.id, f.sha256, f.name, f.size,
                                            f.kind.mime, now, person.id) for f in files])
    return replace(done, evidence=tuple(attached))


def advance(store: RunStore, env: Env, run: Run, spec: SopSpec, unit: Unit, task: StepRun,
            active: list[StepRun], kind: str, data: dict[str, object]) -> Transition:
    """Write a task that is done (completed or skipped, by ``task.completed_by`` at
    ``task.completed_at``) and move its token on once every task of its step is: to the
    next step, into every branch of a split, to the join when the last branch arrives, or
    to the end of the run. One transaction, with its audit events."""
    activity = spec.activity(task.activity_id)
    machine = machine_for(run.sop_hash, spec)
    outcome = activity.outcome(task.outcome) or activity.outcomes[0]
    when = task.completed_at or env.clock.now()
    now = env.clock.now()
    store.update_task(task)
    store.retire_reminders(task.id)
    remaining = [t for t in active if t.id != task.id]
    # an `each` step is done when all its tasks are (one activity is never active twice)
    siblings = [t.label for t in remaining if t.activity_id == task.activity_id]
    if activity.split:
        data["next"] = list(activity.branches)
    events = [NewEvent(run.id, kind, task.completed_by, when, task.label, task.attempt, data)]
    activated: list[StepRun] = []
    if siblings:
        data["waiting_for"] = siblings
    elif outcome.target == END and not activity.split:
        run.status, run.result, run.finished_at = COMPLETED, outcome.result, when
        run.state = machine.leave(Token(activity.id), activity, outcome)
        events.append(NewEvent(run.id, RUN_COMPLETED, task.completed_by, when,
                               data={"result": outcome.result}))
    else:
        tokens = machine.fork(Token(activity.id), activity) if activity.split \
            else [Token(machine.leave(Token(activity.id), activity, outcome))]
        for token in tokens:
            split = spec.arrival(activity.id, token.state)
            if split is not None and any(t.activity_id in split.region for t in remaining):
                data["waiting_at"] = token.state  # the other branches have not arrived yet
                continue
            tasks, started = activate(store, env, spec, run, unit, spec.activity(token.state),
                                      when, task.id)
            activated += tasks
            events += started
    now_active = remaining + activated
    if run.is_active:
        run.state = _state(run, now_active)
    store.update_run(run)
    record_events(store, env, events, now)
    return Transition(run, spec, task, tuple(activated), tuple(now_active))


def reassign_step(store: RunStore, env: Env, run_id: int, step_ref: str | None, to: str,
                  by: str | None, task_id: int | None = None) -> Transition:
    """Hand an active task to another holder of its role (``task_id``: exactly that task,
    as for ``complete_step``)."""
    run, spec, active = open_run(store, run_id, finished_too=task_id is not None)
    unit = env.roster.unit(run.unit)
    person = person_of(unit, by, Text("reassigning the step"))
    target = unit.person(to)
    now = env.clock.now()
    day = now.astimezone(env.calendar.tz).date()
    task = named_task(store, env, run, spec, active, step_ref, unit, person, day, task_id)
    acting = authority(unit, spec, task, person.id, day)
    if not acting.allowed:
        raise NotAllowed(Text("{person} may not reassign step `{step}`: only a holder of "
                              "`{role}` or of a role above it may", person=person.id,
                              step=task.label, role=task.actor))
    roles = task_actors(spec, task)
    if not any(unit.may_act_for(role, target.id, day) for role in roles):
        holders = ", ".join(p.id for p in unit.members()
                            if any(unit.may_act_for(r, p.id, day) for r in roles))
        raise NotAllowed(Text("{person} does not hold {roles}; the step can go to: {holders}",
                              person=target.id, roles=either([f"`{r}`" for r in roles]),
                              holders=holders or Text("nobody")))
    before = task.assignees
    task.assignees = (target.id,)
    store.update_task(task)
    if store.retire_reminders(task.id) and task.due_at is not None:
        # the new holder is reminded from now on (at once if the step is already late)
        store.add_reminders(run.id, [(task.id, max(task.due_at, now))], now)
    store.remember_person(unit.slug, person, now)
    data: dict[str, object] = {"from": list(before), "to": target.id}
    if acting.on_behalf:
        data["on_behalf_of"] = acting.on_behalf
    record_events(store, env, [NewEvent(run.id, STEP_REASSIGNED, person.id, now, task.label,
                                        task.attempt, data)], now)
    return Transition(run, spec, task, (), tuple(active))
