"""Which reminders an overdue step is owed, and when (pure; all times are working time).

The timeline of one active step with a due time:

- level 0 at ``due_at``: a reminder to the people the step is assigned to;
- at ``due_at + escalate_after`` the first escalation, level 1, to the holders
  of the actor's ``reports_to`` role; until then level 0 repeats every
  ``repeat_every``;
- after that, every ``repeat_every`` one level further up the chain
  (Staf -> Kasi/Kasubbag -> Sekcam -> Camat), then repeating at the top.

Reminders are planned one at a time: when one is sent, the next is planned
from the time the previous one was *planned* for. Repeats whose time has
passed while nobody sent them (the daemon was down) are skipped, so a
restart sends at most one catch-up per level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from engine.calendar import WorkCalendar
from engine.durations import Duration
from engine.spec import ActivitySpec, Percent, ReminderSpec, SopSpec

ONE_MINUTE = Duration(minutes=1)


@dataclass(frozen=True, slots=True)
class Plan:
    """A reminder to send: its escalation level and when."""

    level: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class StepTiming:
    """What the policy needs to know of an active task: the actors it is for
    (several for ``complete: any``), when it became active and when it is due."""

    actors: tuple[str, ...]
    activated_at: dt.datetime
    due_at: dt.datetime | None


def settings_for(activity: ActivitySpec, spec: SopSpec,
                 defaults: ReminderSpec) -> tuple[Percent | Duration, Duration]:
    """``escalate_after`` and ``repeat_every`` for a step: the activity's own, the SOP's,
    else the workspace defaults."""
    layers = [r for r in (activity.reminders, spec.reminders, defaults) if r is not None]
    escalate = next((r.escalate_after for r in layers if r.escalate_after is not None),
                    Percent(Fraction(100)))
    repeat = next((r.repeat_every for r in layers if r.repeat_every is not None),
                  Duration(days=Fraction(1)))
    return escalate, repeat


def top_level(spec: SopSpec, actors: tuple[str, ...]) -> int:
    """The highest escalation level: the longest ``reports_to`` chain of the actors."""
    return max(len(spec.chain(actor)) for actor in actors) - 1


def first(spec: SopSpec, step: StepTiming) -> Plan | None:
    """The first reminder of a task: level 0 at its due time (none for the public's steps)."""
    if step.due_at is None or all(spec.actor(a).external for a in step.actors):
        return None
    return Plan(0, step.due_at)


def escalation_time(step: StepTiming, escalate_after: Percent | Duration,
                    calendar: WorkCalendar) -> dt.datetime:
    """When the first escalation is due: a share of the step's own duration, or a duration."""
    assert step.due_at is not None
    if isinstance(escalate_after, Percent):
        standard = calendar.working_minutes_between(step.activated_at, step.due_at)
        minutes = max(1, round(standard * float(escalate_after.value) / 100))
        return calendar.add(step.due_at, Duration(minutes=minutes))
    return calendar.add(step.due_at, escalate_after)


def following(spec: SopSpec, activity: ActivitySpec, step: StepTiming, sent: Plan,
              defaults: ReminderSpec, calendar: WorkCalendar, now: dt.datetime) -> Plan:
    """The reminder after ``sent`` (planned for ``sent.at``) while the step stays overdue."""
    escalate_after, repeat = settings_for(activity, spec, defaults)
    if repeat.is_zero:
        repeat = ONE_MINUTE
    top = top_level(spec, step.actors)
    repeat_at = calendar.add(sent.at, repeat)
    if sent.level == 0 and top >= 1:
        escalate_at = escalation_time(step, escalate_after, calendar)
        at = repeat_at
        while at <= now and at < escalate_at:  # skip repeats missed while nobody sent them
            at = calendar.add(at, repeat)
        if escalate_at <= at:
            return Plan(1, max(escalate_at, sent.at))
        return Plan(0, at)
    if sent.level < top:
        return Plan(sent.level + 1, repeat_at)  # one catch-up per level is allowed
    at = repeat_at
    while at <= now:  # repeating at the top: skip the missed ones
        at = calendar.add(at, repeat)
    return Plan(sent.level, at)
