"""Read models: a run's steps with their times, the report, inbox and overdue rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from engine.calendar import WorkCalendar
from engine.runs import ACTIVE, COMPLETED, Run, StepRun
from engine.spec import ActivitySpec, SopSpec

NOT_REACHED = "not_reached"


def iso(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """An instant in ISO 8601 in the workspace's time zone."""
    return None if value is None else value.astimezone(tz).isoformat(timespec="seconds")


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


def step_rows(run: Run, steps: list[StepRun], spec: SopSpec, calendar: WorkCalendar,
              now: dt.datetime) -> list[dict[str, Any]]:
    """Every attempt in order, then the activities not reached yet (run show)."""
    tz = calendar.tz
    titles = {a.slug: a.title for a in spec.actors}
    rows: list[dict[str, Any]] = []
    for step in steps:
        activity = spec.activity(step.activity_id)
        rows.append({
            "no": activity.no, "id": step.activity_id, "name": activity.name,
            "attempt": step.attempt, "status": step.status, "actor": step.actor,
            "actor_title": titles.get(step.actor, step.actor),
            "assignees": list(step.assignees) if step.status == ACTIVE else [],
            "completed_by": step.completed_by, "activated_at": iso(step.activated_at, tz),
            "due_at": iso(step.due_at, tz), "completed_at": iso(step.completed_at, tz),
            "standard_minutes": standard_minutes(step, activity, calendar),
            "actual_minutes": actual_minutes(step, calendar, now),
            "overdue": is_overdue(step, now), "outcome": step.outcome, "note": step.note,
        })
    if run.status == ACTIVE:
        reached = {s.activity_id for s in steps}
        for activity in spec.activities:
            if activity.id not in reached:
                rows.append({
                    "no": activity.no, "id": activity.id, "name": activity.name, "attempt": 0,
                    "status": NOT_REACHED, "actor": activity.actor,
                    "actor_title": titles.get(activity.actor, activity.actor), "assignees": [],
                    "completed_by": None, "activated_at": None, "due_at": None,
                    "completed_at": None,
                    "standard_minutes": standard_minutes(None, activity, calendar),
                    "actual_minutes": None, "overdue": False, "outcome": None, "note": None,
                })
    return rows


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


def run_data(run: Run, steps: list[StepRun], spec: SopSpec, calendar: WorkCalendar,
             now: dt.datetime) -> dict[str, Any]:
    """`run show --json`."""
    tz = calendar.tz
    due = deadline(run, spec, calendar)
    return {
        "run": run.id, "sop": run.sop_id, "sop_title": spec.title, "sop_hash": run.sop_hash,
        "period": run.period, "unit": run.unit, "status": run.status, "result": run.result,
        "started_at": iso(run.started_at, tz), "started_by": run.started_by,
        "finished_at": iso(run.finished_at, tz), "cancel_reason": run.cancel_reason,
        "deadline": due.isoformat() if due else None,
        "steps": step_rows(run, steps, spec, calendar, now),
    }


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One attempt of a step: the mutu baku's Waktu against what really happened."""

    no: int
    id: str
    name: str
    attempt: int
    actor: str
    completed_by: str | None
    standard_minutes: int | None
    actual_minutes: int | None
    status: str

    @property
    def over(self) -> bool:
        """True when the step took longer than its standard time."""
        return (self.standard_minutes is not None and self.actual_minutes is not None
                and self.actual_minutes > self.standard_minutes)

    @property
    def difference(self) -> int | None:
        """Actual minus standard working minutes."""
        if self.standard_minutes is None or self.actual_minutes is None:
            return None
        return self.actual_minutes - self.standard_minutes


def report_rows(steps: list[StepRun], spec: SopSpec, calendar: WorkCalendar,
                now: dt.datetime) -> list[ReportRow]:
    """The report of a run, one row per attempt."""
    titles = {a.slug: a.title for a in spec.actors}
    rows = []
    for step in steps:
        activity = spec.activity(step.activity_id)
        rows.append(ReportRow(activity.no, activity.id, activity.name, step.attempt,
                              titles.get(step.actor, step.actor), step.completed_by,
                              standard_minutes(step, activity, calendar),
                              actual_minutes(step, calendar, now), step.status))
    return rows


def report_data(run: Run, spec: SopSpec, rows: list[ReportRow]) -> dict[str, Any]:
    """`report --format json`: rows and totals."""
    return {
        "run": run.id, "sop": run.sop_id, "sop_title": spec.title, "unit": run.unit,
        "period": run.period, "status": run.status, "result": run.result,
        "steps": [{"no": r.no, "id": r.id, "name": r.name, "attempt": r.attempt,
                   "actor": r.actor, "completed_by": r.completed_by,
                   "standard_minutes": r.standard_minutes, "actual_minutes": r.actual_minutes,
                   "difference_minutes": r.difference, "over": r.over, "status": r.status}
                  for r in rows],
        "total_standard_minutes": sum(r.standard_minutes or 0 for r in rows),
        "total_actual_minutes": sum(r.actual_minutes or 0 for r in rows),
        "steps_over": sum(r.over for r in rows),
        "steps_counted": len(rows),
    }
