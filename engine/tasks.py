"""Tasks: which tasks a step gives, who may complete one, and which task a person names.

A step becomes one task (``complete: first`` or ``any``) or one task per
listed actor or per holder of its one role (``complete: each``). Who may
complete a task: a holder (regular or acting) of one of its actors, anyone of
the unit for an external actor's task, or, when no Plt/Plh covers the role
that day, a holder of a role above it in the ``reports_to`` chain, who then
acts for the role ("atas nama").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.errors import (
    ActiveTask,
    AlreadyCompleted,
    AmbiguousTask,
    NotAllowed,
    RunFinished,
    StepNotActive,
    StepNotGiven,
)
from engine.roster import Unit
from engine.runs import DONE, REOPENED, WITHDRAWN, Run, StepRun, reason_of
from engine.spec import ANY, EACH, ActivitySpec, SopSpec
from engine.text import Text, joined


def either(names: Sequence[str]) -> str:
    """``a or b or c`` (a message when there are several; ``a`` alone stays as it is)."""
    if len(names) <= 1:
        return "".join(names)
    return Text("{first} or {rest}", first=names[0], rest=either(names[1:]))


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """One task a step gives when it becomes active: its actor, key and assignees."""

    actor: str
    task: str
    assignees: tuple[str, ...]


def plan_tasks(spec: SopSpec, activity: ActivitySpec, unit: Unit,
               day: dt.date) -> list[TaskPlan]:
    """The tasks of ``activity`` becoming active on ``day`` in ``unit``."""

    def holders(actor: str) -> tuple[str, ...]:
        if spec.actor(actor).external:  # the applicant's step: for who records it
            recorder = activity.recorded_by
            return tuple(p.id for p in unit.holders(recorder, day)) if recorder else ()
        return tuple(p.id for p in unit.holders(actor, day))

    if activity.complete == EACH and len(activity.actors) > 1:
        return [TaskPlan(actor, actor, holders(actor)) for actor in activity.actors]
    if activity.complete == EACH:
        actor = activity.actor
        people = unit.regular_holders(actor) or unit.holders(actor, day)
        return [TaskPlan(actor, p.id, (p.id,)) for p in people] or [TaskPlan(actor, "", ())]
    if activity.complete == ANY:
        everyone = dict.fromkeys(p for actor in activity.actors for p in holders(actor))
        return [TaskPlan(activity.actor, "", tuple(everyone))]
    return [TaskPlan(activity.actor, "", holders(activity.actor))]


def task_actors(spec: SopSpec, step: StepRun) -> tuple[str, ...]:
    """The actors whose holders may complete the task (all listed ones for ``any``)."""
    activity = spec.activity(step.activity_id)
    return activity.actors if activity.complete == ANY else (step.actor,)


def responsible(unit: Unit, spec: SopSpec, step: StepRun, person_id: str,
                day: dt.date) -> bool:
    """Whether the task is the person's own on ``day`` (what their inbox lists).

    A task of an external actor (the applicant) is recorded by anyone of the
    unit; any other by its assignees or a (regular or acting) holder of its actors.
    """
    actors = task_actors(spec, step)
    if all(spec.actor(a).external for a in actors):  # the applicant's step: who records it
        recorder = spec.activity(step.activity_id).recorded_by
        if recorder is not None:
            return unit.may_act_for(recorder, person_id, day)
        return any(p.id == person_id for p in unit.members())
    if any(spec.actor(a).external for a in actors):
        return any(p.id == person_id for p in unit.members())
    if person_id in step.assignees:
        return True
    if personal(spec, step):
        return False  # one task per holder: each holder's own
    return any(unit.may_act_for(a, person_id, day) for a in actors)


def personal(spec: SopSpec, step: StepRun) -> bool:
    """True for a task of one person: `complete: each` over the holders of one role."""
    activity = spec.activity(step.activity_id)
    return bool(step.task) and activity.complete == EACH and len(activity.actors) == 1


def on_behalf_role(unit: Unit, spec: SopSpec, step: StepRun, person_id: str,
                   day: dt.date) -> str | None:
    """The role a superior may act for on this task, if the person is one ("atas nama").

    Only when no Plt/Plh covers the role that day: an acting holder does it then.
    """
    actors = task_actors(spec, step)
    recorder = spec.activity(step.activity_id).recorded_by
    if recorder is not None and all(spec.actor(a).external for a in actors):
        actors = (recorder,)  # above the applicant's step: above who records it
    for actor in actors:
        if spec.actor(actor).external or any(p.acts_as(actor, day) for p in unit.people):
            continue
        if any(unit.may_act_for(boss, person_id, day) for boss in spec.chain(actor)[1:]):
            return actor
    return None


@dataclass(frozen=True, slots=True)
class Authority:
    """Whether a person may act on a task, and for which role when as a superior."""

    allowed: bool
    on_behalf: str | None = None


def authority(unit: Unit, spec: SopSpec, step: StepRun, person_id: str,
              day: dt.date) -> Authority:
    """May ``person_id`` complete or reassign the task on ``day``?"""
    if responsible(unit, spec, step, person_id, day):
        return Authority(True)
    role = on_behalf_role(unit, spec, step, person_id, day)
    return Authority(role is not None, role)


def not_allowed(spec: SopSpec, step: StepRun, person_id: str, doing: str) -> NotAllowed:
    """The refusal naming who the task is for (who records it, for the applicant's step);
    ``doing`` is ``complete`` or ``skip``."""
    recorder = spec.activity(step.activity_id).recorded_by
    if recorder is not None and all(spec.actor(a).external for a in task_actors(spec, step)):
        recorded = {"person": person_id, "step": step.label,
                    "title": spec.actor(step.actor).title,
                    "recorder_title": spec.actor(recorder).title, "recorder": recorder}
        if doing == "skip":
            return NotAllowed(Text("{person} may not skip step `{step}` of the {title}: it is "
                                   "recorded by {recorder_title} ({recorder})", **recorded))
        return NotAllowed(Text("{person} may not complete step `{step}` of the {title}: it is "
                               "recorded by {recorder_title} ({recorder})", **recorded))
    held = {"person": person_id, "step": step.label,
            "titles": " / ".join(f"{spec.actor(a).title} ({a})" for a in task_actors(spec, step)),
            "holders": ", ".join(step.assignees) or Text("nobody in the roster")}
    if doing == "skip":
        return NotAllowed(Text("{person} may not skip step `{step}`: it is for {titles}, held "
                               "by {holders}", **held))
    return NotAllowed(Text("{person} may not complete step `{step}`: it is for {titles}, held "
                           "by {holders}", **held))


def active_list(spec: SopSpec, active: Sequence[StepRun]) -> list[ActiveTask]:
    """The active tasks as errors list them."""
    return [ActiveTask(t.label, spec.activity(t.activity_id).no,
                       spec.activity(t.activity_id).name, t.assignees) for t in active]


def find_task(spec: SopSpec, run_id: int, active: Sequence[StepRun], ref: str | None,
              may: Callable[[StepRun], Authority], person_id: str,
              history: Callable[[str], Sequence[StepRun]], tz: dt.tzinfo) -> StepRun:
    """The active task ``ref`` names: ``ACTIVITY`` (id or number) or ``ACTIVITY/KEY``.

    When several tasks of the activity are active, the one the person may act
    on is meant; a task that is no longer active gives who completed it and
    when (so a repeated command never acts on the next step). ``history``
    gives every task of an activity in the run, oldest first.
    """
    listed = active_list(spec, active)
    if ref is None or not ref.strip():
        raise StepNotGiven(run_id, listed)
    name, _, key = ref.strip().partition("/")
    activity = next((a for a in spec.activities if name in (a.id, str(a.no))), None)
    if activity is None:
        raise StepNotActive(run_id, ref.strip(), listed, known=False)
    label = f"{activity.id}/{key}" if key else activity.id
    candidates = [t for t in active if t.activity_id == activity.id and (not key or t.task == key)]
    if len(candidates) == 1 and may(candidates[0]).allowed:
        return candidates[0]  # the usual case: no history read
    earlier = [t for t in history(activity.id) if not key or t.task == key]
    past = [t for t in earlier if t.status in DONE]
    if candidates:
        allowed = [(t, may(t)) for t in candidates]
        own = [t for t, a in allowed if a.allowed and a.on_behalf is None]
        mine = own or [t for t, a in allowed if a.allowed]  # as a superior, if none is own
        if len(mine) == 1:
            return mine[0]
        if mine:
            raise AmbiguousTask(run_id, activity.id, [t.label for t in mine], listed)
        # none is the person's: was their own part of this attempt done already?
        attempt = candidates[0].attempt
        past = [t for t in past if t.attempt == attempt and t.completed_by == person_id]
        if not past and len(candidates) == 1:
            return candidates[0]  # the caller's check says whom it is for
        if not past:
            tasks = joined([Text("{task} ({people})", task=t.label,
                                 people=", ".join(t.assignees) or Text("nobody"))
                            for t in candidates], ", ")
            raise NotAllowed(Text("{person} may not complete any task of step `{step}`; its "
                                  "tasks are for {tasks}", person=person_id, step=activity.id,
                                  tasks=tasks))
    elif earlier and earlier[-1].status == WITHDRAWN:
        raise StepNotActive(run_id, earlier[-1].label, listed, message=Text(
            "step `{step}` of run {run} was withdrawn: {reason}", step=earlier[-1].label,
            run=run_id, reason=reason_of(earlier[-1])))
    if past:
        own_done = [t for t in past if t.completed_by == person_id] or past
        last = max(own_done, key=lambda t: (t.attempt, t.id))
        at = last.completed_at.astimezone(tz) if last.completed_at else None
        raise AlreadyCompleted(run_id, last.label, last.completed_by, at, listed)
    raise StepNotActive(run_id, label, listed, no=activity.no)


def shown_task(spec: SopSpec, run: Run, active: Sequence[StepRun], task_id: int,
               ref: str | None, every_task: Callable[[], Sequence[StepRun]],
               tz: dt.tzinfo) -> StepRun:
    """Exactly the task a page showed (its row id), while it is active; else the error that
    says why it is not, never another task of the same step: completed (by whom, when),
    reopened or withdrawn, its run over, or no such task in the run. ``ref``, when given,
    must name that task's step (``every_task`` gives all the run's tasks)."""
    listed = active_list(spec, active)
    found = next((t for t in active if t.id == task_id), None)
    if found is None:
        found = next((t for t in every_task() if t.id == task_id), None)
        if found is None:
            raise StepNotActive(run.id, str(task_id), listed, known=False, message=Text(
                "run {run} has no task {task}", run=run.id, task=task_id))
        if found.status in DONE:
            at = found.completed_at.astimezone(tz) if found.completed_at else None
            raise AlreadyCompleted(run.id, found.label, found.completed_by, at, listed)
        said = {"step": found.label, "run": run.id, "reason": reason_of(found) or "-"}
        if found.status == REOPENED:
            raise StepNotActive(run.id, found.label, listed, message=Text(
                "step `{step}` of run {run} was reopened: {reason}", **said))
        if found.status == WITHDRAWN:
            raise StepNotActive(run.id, found.label, listed, message=Text(
                "step `{step}` of run {run} was withdrawn: {reason}", **said))
        if not run.is_active:
            raise RunFinished(run.id, run.status, run.result)
        raise StepNotActive(run.id, found.label, listed, no=spec.activity(found.activity_id).no)
    if ref is not None and ref.strip():
        name, _sep, key = ref.strip().partition("/")
        activity = spec.activity(found.activity_id)
        if name not in (activity.id, str(activity.no)) or (key and key != found.task):
            raise StepNotActive(run.id, ref.strip(), listed, message=Text(
                "task {task} of run {run} is step `{step}`, not `{named}`", task=task_id,
                run=run.id, step=found.label, named=ref.strip()))
    return found
