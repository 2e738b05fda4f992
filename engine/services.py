"""The use cases that change runs: start, complete, reassign, cancel.

Each takes a ``RunStore`` that is one open transaction; the caller commits
after the use case returns, so the state change and its audit events are
written together or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine import reminder_policy
from engine.calendar import WorkCalendar
from engine.clock import Clock
from engine.errors import InvalidTime, NotAllowed, RunFinished, StepNotActive
from engine.loader import LoadedSop
from engine.machine import machine_for
from engine.ports import RunStore
from engine.roster import Person, Roster, Unit
from engine.runs import (
    ACTIVE,
    CANCELLED,
    COMPLETED,
    RUN_CANCELLED,
    RUN_COMPLETED,
    RUN_STARTED,
    STEP_ACTIVATED,
    STEP_COMPLETED,
    STEP_REASSIGNED,
    NewEvent,
    Run,
    StepRun,
)
from engine.spec import END, ActivitySpec, ReminderSpec, SopSpec
from engine.spec_cache import remember_spec, spec_of


@dataclass(frozen=True, slots=True)
class Env:
    """What the use cases need besides storage: calendar, roster, clock, reminder defaults."""

    calendar: WorkCalendar
    roster: Roster
    clock: Clock
    reminder_defaults: ReminderSpec = field(default_factory=ReminderSpec)


@dataclass(frozen=True, slots=True)
class Transition:
    """What a use case did: the run after it, the step it acted on, the step activated."""

    run: Run
    step: StepRun | None
    activated: StepRun | None


def _when(env: Env, at: dt.datetime | None, not_before: dt.datetime | None,
          what: str) -> dt.datetime:
    """The time an action really happened: ``at`` if given (checked) or now."""
    now = env.clock.now()
    if at is None:
        return max(now, not_before) if not_before is not None else now
    if at.tzinfo is None:
        raise InvalidTime("--at needs a time zone")  # the CLI always gives one
    local = env.calendar.tz
    if at > now:
        raise InvalidTime(f"--at {at.astimezone(local):%Y-%m-%d %H:%M} is in the future "
                          f"(now it is {now.astimezone(local):%Y-%m-%d %H:%M})")
    if not_before is not None and at < not_before:
        raise InvalidTime(f"--at {at.astimezone(local):%Y-%m-%d %H:%M} is before {what} "
                          f"({not_before.astimezone(local):%Y-%m-%d %H:%M})")
    return at


def _person(unit: Unit, person_id: str | None, doing: str) -> Person:
    if not person_id:
        raise NotAllowed(f"say who is {doing}: --as PERSON or ALUR_USER (a person id of the "
                         f"roster of unit `{unit.slug}`)")
    return unit.person(person_id)


def _activate(store: RunStore, env: Env, spec: SopSpec, run: Run, unit: Unit,
              activity: ActivitySpec, at: dt.datetime) -> tuple[StepRun, NewEvent]:
    """Create the next attempt of ``activity``, due after its standard working time."""
    actor = spec.actor(activity.actor)
    day = at.astimezone(env.calendar.tz).date()
    assignees = () if actor.external else tuple(p.id for p in unit.holders(actor.slug, day))
    due = env.calendar.add(at, activity.duration) if activity.duration else None
    step = StepRun(id=0, run_id=run.id, activity_id=activity.id,
                   attempt=store.last_attempt(run.id, activity.id) + 1, actor=actor.slug,
                   status=ACTIVE, activated_at=at, due_at=due, assignees=assignees)
    step.id = store.add_step(step)
    planned = reminder_policy.first(spec, reminder_policy.StepTiming(actor.slug, at, due))
    if planned is not None:
        store.add_reminder(run.id, step.id, planned.level, planned.at, env.clock.now())
    event = NewEvent(run.id, STEP_ACTIVATED, None, at, activity.id, step.attempt, {
        "actor": actor.slug, "assignees": list(assignees),
        "due_at": due.astimezone(dt.UTC).isoformat() if due else None})
    return step, event


SCHEDULER = "alur-scheduler"


def start_run(store: RunStore, env: Env, loaded: LoadedSop, unit_slug: str | None,
              period: str, by: str | None, at: dt.datetime | None = None,
              automatic: bool = False) -> Transition:
    """Start a run of an SOP for a unit and period; its first step becomes active.

    ``automatic`` runs are started by the scheduler (``start:`` of the SOP), by nobody.
    """
    from engine.errors import DuplicateRun
    from engine.periods import check_period

    spec = loaded.spec
    period = check_period(period)
    unit = env.roster.unit(unit_slug)
    person = None if automatic else _person(unit, by, "starting the run")
    starter = SCHEDULER if person is None else person.id
    existing = store.find_run(spec.id, unit.slug, period)
    if existing is not None:
        raise DuplicateRun(spec.id, unit.slug, period, existing)
    when = _when(env, at, None, "")
    now = env.clock.now()
    version_id = store.save_sop_version(spec.id, loaded.sha256, loaded.text, loaded.path, now)
    remember_spec(loaded)
    machine = machine_for(loaded.sha256, spec)
    run = Run(id=0, sop_id=spec.id, sop_hash=loaded.sha256, unit=unit.slug, period=period,
              status=ACTIVE, state=machine.initial, started_at=when, started_by=starter)
    run.id = store.add_run(run, version_id)
    if person is not None:
        store.remember_person(unit.slug, person, now)
    started = NewEvent(run.id, RUN_STARTED, starter, when, data={
        "sop": spec.id, "sop_hash": loaded.sha256, "unit": unit.slug, "period": period,
        "automatic": automatic})
    step, activated = _activate(store, env, spec, run, unit, spec.activities[0], when)
    store.append_events([started, activated], now)
    return Transition(run, None, step)


def active_step(store: RunStore, spec: SopSpec, run: Run, step_id: str | None,
                tz: dt.tzinfo) -> StepRun:
    """The run's active step, checked against the step the user named (id or number)."""
    if not run.is_active:
        raise RunFinished(f"run {run.id} is {run.status}"
                          + (f" ({run.result})" if run.result else "") + "; nothing more can "
                          "be done in it")
    steps = store.steps(run.id)
    active = [s for s in steps if s.status == ACTIVE]
    if not active:
        raise RunFinished(f"run {run.id} has no active step")
    step = active[0]
    if step_id is None or step_id == step.activity_id:
        return step
    named = next((a for a in spec.activities if step_id in (a.id, str(a.no))), None)
    current = spec.activity(step.activity_id)
    if named is None:
        raise StepNotActive(f"run {run.id} has no step `{step_id}`; the active step is "
                            f"`{current.id}` (no. {current.no})")
    if named.id == step.activity_id:
        return step
    done = [s for s in steps if s.activity_id == named.id and s.status == COMPLETED]
    if done:
        last = done[-1]
        when = f" at {last.completed_at.astimezone(tz):%Y-%m-%d %H:%M}" \
            if last.completed_at else ""
        raise StepNotActive(f"step `{named.id}` of run {run.id} was already completed by "
                            f"{last.completed_by}{when}; the active step is "
                            f"`{current.id}` (no. {current.no})")
    raise StepNotActive(f"step `{named.id}` (no. {named.no}) is not active in run {run.id}; "
                        f"the active step is `{current.id}` (no. {current.no})")


def may_complete(unit: Unit, spec: SopSpec, step: StepRun, person_id: str,
                 day: dt.date) -> bool:
    """Whether a person of ``unit`` may complete the step on ``day``.

    A step of an external actor (the applicant) is recorded by anyone of the
    unit; any other by its assignees or a (regular or acting) holder of its role.
    """
    if spec.actor(step.actor).external:
        return any(p.id == person_id for p in unit.members())
    return person_id in step.assignees or unit.may_act_for(step.actor, person_id, day)


def _check_may_complete(unit: Unit, spec: SopSpec, step: StepRun, person: Person,
                        day: dt.date) -> None:
    if may_complete(unit, spec, step, person.id, day):
        return
    actor = spec.actor(step.actor)
    holders = ", ".join(step.assignees) or "nobody in the roster"
    raise NotAllowed(f"{person.id} may not complete step `{step.activity_id}`: it is for "
                     f"{actor.title} ({step.actor}), held by {holders}")


def complete_step(store: RunStore, env: Env, run_id: int, step_id: str | None,
                  by: str | None, outcome_label: str | None = None, note: str | None = None,
                  at: dt.datetime | None = None) -> Transition:
    """Complete the active step as ``by``; activate the next one or finish the run."""
    run = store.get_run(run_id)
    spec = spec_of(store, run.sop_hash)
    step = active_step(store, spec, run, step_id, env.calendar.tz)
    unit = env.roster.unit(run.unit)
    person = _person(unit, by, "completing the step")
    activity = spec.activity(step.activity_id)
    machine = machine_for(run.sop_hash, spec)
    outcome = machine.outcome_for(activity, outcome_label)
    when = _when(env, at, step.activated_at, f"step `{step.activity_id}` became active")
    _check_may_complete(unit, spec, step, person, when.astimezone(env.calendar.tz).date())
    now = env.clock.now()
    step.status = COMPLETED
    step.completed_at = when
    step.completed_by = person.id
    step.recorded_at = now
    step.outcome = outcome.label
    step.note = note
    store.update_step(step)
    store.retire_reminders(step.id)
    state = machine.leave(run, activity, outcome)
    events = [NewEvent(run.id, STEP_COMPLETED, person.id, when, activity.id, step.attempt, {
        "outcome": outcome.label, "note": note, "next": outcome.text})]
    activated = None
    if outcome.target == END:
        run.status = COMPLETED
        run.result = outcome.result
        run.finished_at = when
        events.append(NewEvent(run.id, RUN_COMPLETED, person.id, when,
                               data={"result": outcome.result}))
    else:
        activated, event = _activate(store, env, spec, run, unit, spec.activity(state), when)
        events.append(event)
    store.update_run(run)
    store.remember_person(unit.slug, person, now)
    store.append_events(events, now)
    return Transition(run, step, activated)


def _superiors(spec: SopSpec, role: str) -> list[str]:
    chain: list[str] = []
    current = spec.actor(role).reports_to
    while current is not None and current not in chain:
        chain.append(current)
        current = spec.actor(current).reports_to
    return chain


def reassign_step(store: RunStore, env: Env, run_id: int, step_id: str, to: str,
                  by: str | None) -> Transition:
    """Hand the active step to another holder of its role."""
    run = store.get_run(run_id)
    spec = spec_of(store, run.sop_hash)
    step = active_step(store, spec, run, step_id, env.calendar.tz)
    unit = env.roster.unit(run.unit)
    person = _person(unit, by, "reassigning the step")
    target = unit.person(to)
    now = env.clock.now()
    day = now.astimezone(env.calendar.tz).date()
    role = step.actor
    allowed = person.id in step.assignees or unit.may_act_for(role, person.id, day) or any(
        unit.may_act_for(boss, person.id, day) for boss in _superiors(spec, role))
    if not allowed:
        raise NotAllowed(f"{person.id} may not reassign step `{step.activity_id}`: only a "
                         f"holder of `{role}` or of a role above it may")
    if not unit.may_act_for(role, target.id, day):
        holders = ", ".join(p.id for p in unit.members() if unit.may_act_for(role, p.id, day))
        raise NotAllowed(f"{target.id} does not hold `{role}`; the step can go to: "
                         f"{holders or 'nobody'}")
    before = step.assignees
    step.assignees = (target.id,)
    store.update_step(step)
    if store.retire_reminders(step.id) and step.due_at is not None:
        # the new holder is reminded from now on (at once if the step is already late)
        store.add_reminder(run.id, step.id, 0, max(step.due_at, now), now)
    store.remember_person(unit.slug, person, now)
    store.append_events([NewEvent(run.id, STEP_REASSIGNED, person.id, now, step.activity_id,
                                  step.attempt, {"from": list(before), "to": target.id})], now)
    return Transition(run, step, None)


def cancel_run(store: RunStore, env: Env, run_id: int, reason: str,
               by: str | None) -> Transition:
    """Cancel an active run; its active step is cancelled with it."""
    run = store.get_run(run_id)
    spec = spec_of(store, run.sop_hash)
    unit = env.roster.unit(run.unit)
    person = _person(unit, by, "cancelling the run")
    if not reason.strip():
        raise NotAllowed("give the reason for cancelling: --reason TEXT")
    if not run.is_active:
        raise RunFinished(f"run {run.id} is already {run.status}")
    now = env.clock.now()
    day = now.astimezone(env.calendar.tz).date()
    if person.id != run.started_by and not any(unit.may_act_for(a.slug, person.id, day)
                                               for a in spec.actors):
        raise NotAllowed(f"{person.id} may not cancel run {run.id}: only who started it or a "
                         "holder of one of the SOP's roles may")
    step = None
    for step in store.steps(run.id, active_only=True):
        step.status = CANCELLED
        store.update_step(step)
        store.retire_reminders(step.id)
    machine_for(run.sop_hash, spec).cancel(run)
    run.status = CANCELLED
    run.finished_at = now
    run.cancel_reason = reason
    store.update_run(run)
    store.remember_person(unit.slug, person, now)
    store.append_events([NewEvent(run.id, RUN_CANCELLED, person.id, now,
                                  data={"reason": reason})], now)
    return Transition(run, step, None)
