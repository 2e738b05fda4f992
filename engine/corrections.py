"""The use cases that set a run right: skip an optional step, reopen a completion that was
wrong, cancel a run. Each is one transaction with its audit events; nothing is erased: a
reopened task stays in the run (status ``reopened``) beside the new attempt, and the audit
trail keeps the completion and its reopening in order.
"""

from __future__ import annotations

from engine.errors import NotAllowed, ReasonMissing, RunFinished
from engine.machine import Token, machine_for
from engine.ports import RunStore
from engine.runs import (
    ACTIVE,
    CANCELLED,
    COMPLETED,
    DONE,
    REOPENED,
    RUN_CANCELLED,
    SKIPPED,
    STEP_REOPENED,
    STEP_SKIPPED,
    WITHDRAWN,
    NewEvent,
    StepRun,
    withdrawn_reason,
)
from engine.services import (
    Env,
    Transition,
    activate,
    advance,
    named_task,
    open_run,
    person_of,
    record_events,
)
from engine.spec import SopSpec
from engine.spec_cache import spec_of
from engine.tasks import TaskPlan, authority, either, not_allowed, task_actors
from engine.text import Text


class NotOptional(NotAllowed):
    """A step that is not `optional` cannot be skipped."""

    def __init__(self, run_id: int, label: str) -> None:
        self.run_id = run_id
        self.label = label
        super().__init__(Text("step `{step}` of run {run} is not optional; it cannot be "
                              "skipped (the SOP marks the steps that may be with `optional: "
                              "true`)", step=label, run=run_id))


class NotReopenable(NotAllowed):
    """A completion that cannot be undone now (what came after it is done, or nobody did it)."""


def _reason(run_id: int, reason: str) -> str:
    if not reason.strip():
        raise ReasonMissing(run_id)
    return reason.strip()


def skip_step(store: RunStore, env: Env, run_id: int, step_ref: str | None, reason: str,
              by: str | None) -> Transition:
    """Pass over an optional step with a reason; the run moves on as if it were done."""
    run, spec, active = open_run(store, run_id)
    unit = env.roster.unit(run.unit)
    person = person_of(unit, by, Text("skipping the step"))
    now = env.clock.now()
    task = named_task(store, env, run, spec, active, step_ref, unit, person,
                      now.astimezone(env.calendar.tz).date())
    if not spec.activity(task.activity_id).optional:
        raise NotOptional(run.id, task.label)
    why = _reason(run.id, reason)
    acting = authority(unit, spec, task, person.id, now.astimezone(env.calendar.tz).date())
    if not acting.allowed:
        raise not_allowed(spec, task, person.id, "skip")
    task.status, task.completed_at, task.completed_by = SKIPPED, now, person.id
    task.recorded_at, task.reason, task.on_behalf = now, why, acting.on_behalf
    data: dict[str, object] = {"reason": why}
    if acting.on_behalf:
        data["on_behalf_of"] = acting.on_behalf
    done = advance(store, env, run, spec, unit, task, active, STEP_SKIPPED, data)
    store.remember_person(unit.slug, person, now)
    return done


def _after(store: RunStore, spec: SopSpec, task: StepRun,
           tasks: list[StepRun]) -> list[StepRun]:
    """What came after a completion: the tasks it activated, and a join that the other
    branches activated after this branch had arrived at it."""
    followers = store.tasks_activated_by(task.id)
    activity = spec.activity(task.activity_id)
    for outcome in activity.outcomes:
        split = spec.arrival(activity.id, outcome.target)
        if split is not None and task.completed_at is not None:
            followers += [t for t in tasks if t.activity_id == split.join
                          and t.activated_at >= task.completed_at and t not in followers]
    return followers


def reopen_step(store: RunStore, env: Env, run_id: int, step_ref: str, reason: str,
                by: str | None) -> Transition:
    """Undo the last completion of a step while nothing after it is done: what it activated
    is withdrawn, and a new attempt of the step becomes active. By who completed it, or a
    holder of a role above the step's."""
    run = store.get_run(run_id, lock=True)
    if run.status == CANCELLED:
        raise RunFinished(run.id, run.status, run.result)
    spec = spec_of(store, run.sop_hash)
    unit = env.roster.unit(run.unit)
    person = person_of(unit, by, Text("reopening the step"))
    why = _reason(run.id, reason)
    name, _, key = step_ref.strip().partition("/")
    activity = next((a for a in spec.activities if name in (a.id, str(a.no))), None)
    if activity is None:
        from engine.errors import StepNotActive

        raise StepNotActive(run.id, step_ref, (), known=False)
    tasks = store.tasks(run.id)
    done = [t for t in tasks if t.activity_id == activity.id and t.status in DONE
            and (not key or t.task == key)]
    if key == "" and len({t.task for t in done}) > 1:
        mine = [t for t in done if t.completed_by == person.id]
        done = mine or done
    if not done:
        raise NotReopenable(Text("step `{step}` of run {run} has no completion to reopen",
                                 step=step_ref, run=run.id))
    task = max(done, key=lambda t: t.id)
    now = env.clock.now()
    day = now.astimezone(env.calendar.tz).date()
    above = any(unit.may_act_for(boss, person.id, day)
                for actor in task_actors(spec, task) for boss in spec.chain(actor)[1:])
    if person.id != task.completed_by and not above:
        raise NotAllowed(Text("{person} may not reopen step `{step}`: only who completed it "
                              "({by}) or a holder of a role above `{role}` may", person=person.id,
                              step=task.label, by=task.completed_by, role=task.actor))
    followers = _after(store, spec, task, tasks)
    finished = [t for t in followers if t.status != ACTIVE]
    if finished:
        last = finished[0]
        when = last.completed_at.astimezone(env.calendar.tz) if last.completed_at else None
        if when is None:
            raise NotReopenable(Text("step `{step}` of run {run} cannot be reopened: what came "
                                     "after it is done already (`{later}` by {by}); reopen "
                                     "that first", step=task.label, run=run.id,
                                     later=last.label, by=last.completed_by))
        raise NotReopenable(Text("step `{step}` of run {run} cannot be reopened: what came after "
                                 "it is done already (`{later}` by {by} at {at}); reopen that "
                                 "first", step=task.label, run=run.id, later=last.label,
                                 by=last.completed_by, at=f"{when:%Y-%m-%d %H:%M}"))
    machine = machine_for(run.sop_hash, spec)
    for follower in followers:
        machine.cancel(Token(follower.activity_id))
        follower.status, follower.reason = WITHDRAWN, str(withdrawn_reason(task.label, why))
        store.update_task(follower)
        store.retire_reminders(follower.id)
    task.status, task.reason = REOPENED, why
    store.update_task(task)
    if run.status == COMPLETED:
        run.status, run.result, run.finished_at = ACTIVE, None, None
    events = [NewEvent(run.id, STEP_REOPENED, person.id, now, task.label, task.attempt,
                       {"reason": why, "withdrawn": [f.label for f in followers],
                        "completed_by": task.completed_by})]
    plan = TaskPlan(task.actor, task.task, task.assignees)
    again, started = activate(store, env, spec, run, unit, activity, now, task.activated_by,
                              [plan])
    gone = {f.id for f in followers}
    active = [t for t in tasks if t.status == ACTIVE and t.id not in gone] + again
    run.state = "+".join(dict.fromkeys(t.activity_id for t in active))[:220]
    store.update_run(run)
    store.remember_person(unit.slug, person, now)
    record_events(store, env, [*events, *started], now)
    return Transition(run, spec, task, tuple(again), tuple(active))


def cancel_run(store: RunStore, env: Env, run_id: int, reason: str,
               by: str | None) -> Transition:
    """Cancel an active run; every active task is cancelled with it. Only who started it or a
    holder of the SOP's top role may; the period (register number) is free again."""
    run = store.get_run(run_id, lock=True)
    spec = spec_of(store, run.sop_hash)
    unit = env.roster.unit(run.unit)
    person = person_of(unit, by, Text("cancelling the run"))
    why = _reason(run.id, reason)
    if not run.is_active:
        already = Text("run {run} is already completed", run=run.id) \
            if run.status == COMPLETED else Text("run {run} is already cancelled", run=run.id)
        raise RunFinished(run.id, run.status, run.result, message=already)
    now = env.clock.now()
    day = now.astimezone(env.calendar.tz).date()
    tops = spec.top_roles
    if person.id != run.started_by and not any(unit.may_act_for(r, person.id, day)
                                               for r in tops):
        titles = either([spec.actor(r).title for r in tops])
        if not titles:
            raise NotAllowed(Text("{person} may not cancel run {run}: only who started it "
                                  "({by}) or the holder of its top role may", person=person.id,
                                  run=run.id, by=run.started_by))
        raise NotAllowed(Text("{person} may not cancel run {run}: only who started it ({by}) or "
                              "the {titles} may", person=person.id, run=run.id,
                              by=run.started_by, titles=titles))
    machine = machine_for(run.sop_hash, spec)
    tasks = store.active_tasks(run.id)
    for task in tasks:
        machine.cancel(Token(task.activity_id))
        task.status = CANCELLED
        store.update_task(task)
        store.retire_reminders(task.id)
    run.status, run.finished_at, run.cancel_reason = CANCELLED, now, why
    run.state = CANCELLED
    store.update_run(run)
    store.remember_person(unit.slug, person, now)
    record_events(store, env, [NewEvent(run.id, RUN_CANCELLED, person.id, now,
                                        data={"reason": why,
                                              "tasks": [t.label for t in tasks]})], now)
    return Transition(run, spec, tasks[0] if tasks else None, (), ())
