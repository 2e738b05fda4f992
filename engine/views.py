"""Times of tasks as people judge them: standard and actual working time, late, deadline."""

from __future__ import annotations

import datetime as dt

from engine.calendar import WorkCalendar
from engine.runs import ACTIVE, COMPLETED, Run, StepRun
from engine.spec import ActivitySpec, SopSpec

NOT_REACHED = "not_reached"


def standard_minutes(step: StepRun | None, activity: ActivitySpec,
                     calendar: WorkCalendar) -> int | None:
    """The step's standard time in working minutes (days resolved by the calendar)."""
    if activity.duration is None:
        return None
    if not activity.duration.days:
        return activity.duration.minutes
    if step is not None and step.due_at is not None:
        return round(calendar.working_minutes_between(step.activated_at, step.due_at))
    return None


def actual_minutes(step: StepRun, calendar: WorkCalendar, now: dt.datetime) -> int | None:
    """Working minutes the step took (so far, while active)."""
    if step.status == COMPLETED and step.completed_at is not None:
        return round(calendar.working_minutes_between(step.activated_at, step.completed_at))
    if step.status == ACTIVE:
        return round(calendar.working_minutes_between(step.activated_at, now))
    return None


def is_overdue(step: StepRun, now: dt.datetime) -> bool:
    """Active past its due time, or completed after it."""
    if step.due_at is None:
        return False
    if step.status == ACTIVE:
        return now > step.due_at
    return step.completed_at is not None and step.completed_at > step.due_at


def late_minutes(step: StepRun, calendar: WorkCalendar, now: dt.datetime) -> int:
    """Working minutes past the due time."""
    if step.due_at is None:
        return 0
    end = step.completed_at if step.status == COMPLETED and step.completed_at else now
    return round(calendar.working_minutes_between(step.due_at, end))


def deadline(run: Run, spec: SopSpec, calendar: WorkCalendar) -> dt.date | None:
    """The run's hard deadline from the SOP's `start.deadline`, in the start's year/month."""
    start = spec.start
    if start is None or start.deadline_day is None:
        return None
    began = run.started_at.astimezone(calendar.tz).date()
    if start.every == "year":
        month = start.deadline_month or 1
    elif start.every == "quarter":
        month = began.month - (began.month - 1) % 3
    else:
        month = began.month
    import calendar as cal

    last = cal.monthrange(began.year, month)[1]
    return dt.date(began.year, month, min(start.deadline_day, last))
