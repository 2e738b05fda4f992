"""The engine's read models as JSON-ready data, in the shapes of spec/cli.md (every runner
that prints JSON uses these)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from engine.reads import LateRun, OpenTask, ReminderView, RunView, TaskView
from engine.runs import AuditEvent


def iso(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """An instant in ISO 8601 in the workspace's time zone."""
    return None if value is None else value.astimezone(tz).isoformat(timespec="seconds")


def task_json(task: TaskView, tz: dt.tzinfo) -> dict[str, Any]:
    """One task (a `run show --json` step entry)."""
    return {
        "no": task.no, "id": task.activity_id, "task": task.label, "name": task.name,
        "attempt": task.attempt, "status": task.status, "actor": task.actor,
        "actor_title": task.actor_title, "assignees": list(task.assignees),
        "completed_by": task.completed_by, "on_behalf_of": task.on_behalf,
        "reason": task.reason,
        "activated_at": iso(task.activated_at, tz), "due_at": iso(task.due_at, tz),
        "completed_at": iso(task.completed_at, tz),
        "standard_minutes": task.standard_minutes, "actual_minutes": task.actual_minutes,
        "overdue": task.overdue, "outcome": task.outcome, "note": task.note,
    }


def run_json(view: RunView, tz: dt.tzinfo) -> dict[str, Any]:
    """`run show --json`."""
    run = view.run
    return {
        "run": run.id, "sop": run.sop_id, "sop_title": view.spec.title, "sop_hash": run.sop_hash,
        "period": run.period, "unit": run.unit, "status": run.status, "result": run.result,
        "started_at": iso(run.started_at, tz), "started_by": run.started_by,
        "finished_at": iso(run.finished_at, tz), "cancel_reason": run.cancel_reason,
        "deadline": view.deadline.isoformat() if view.deadline else None,
        "register": run.register, "title": run.title,
        "fields": {f.key: f.value for f in run.fields},
        "due_at": iso(run.due_at, tz), "service_left_minutes": view.service_left,
        "standard_minutes": view.standard_minutes, "actual_minutes": view.actual_minutes,
        "active_steps": [t.label for t in view.active],
        "steps": [task_json(t, tz) for t in view.tasks],
    }


def open_task_json(item: OpenTask, tz: dt.tzinfo) -> dict[str, Any]:
    """An inbox or overdue entry."""
    task = item.task
    return {"run": item.run.id, "sop": item.run.sop_id, "period": item.run.period,
            "register": item.run.register, "title": item.run.title,
            "service_due_at": iso(item.run.due_at, tz), "service_left_minutes": item.service_left,
            "unit": item.run.unit, "step": task.activity_id, "task": task.label, "no": task.no,
            "name": task.name, "actor": task.actor, "assignees": list(task.assignees),
            "due_at": iso(task.due_at, tz), "overdue": task.overdue,
            "late_minutes": task.late_minutes, "decision": task.is_decision,
            "outcomes": list(task.outcomes)}


def report_json(view: RunView, tz: dt.tzinfo) -> dict[str, Any]:
    """`report --format json`: each task's standard against actual time, and the run's."""
    run = view.run
    return {
        "run": run.id, "sop": run.sop_id, "sop_title": view.spec.title, "unit": run.unit,
        "period": run.period, "register": run.register, "title": run.title,
        "status": run.status, "result": run.result,
        "steps": [{"no": t.no, "id": t.activity_id, "task": t.label, "name": t.name,
                   "attempt": t.attempt, "actor": t.actor_title,
                   "completed_by": t.completed_by, "standard_minutes": t.standard_minutes,
                   "actual_minutes": t.actual_minutes, "difference_minutes": t.difference,
                   "over": t.over, "status": t.status, "outcome": t.outcome, "note": t.note,
                   "reason": t.reason, "activity_note": view.spec.activity(t.activity_id).note}
                  for t in view.reached],
        "total_standard_minutes": view.total_standard_minutes,
        "total_actual_minutes": view.total_actual_minutes,
        "steps_over": view.tasks_over,
        "steps_counted": len(view.reached),
        "critical_path_minutes": view.standard_minutes,
        "run_actual_minutes": view.actual_minutes,
        "started_at": iso(run.started_at, tz), "finished_at": iso(run.finished_at, tz),
    }


def event_json(event: AuditEvent, tz: dt.tzinfo) -> dict[str, Any]:
    """An audit event (`history --format json`)."""
    return {"seq": event.seq, "run": event.run_id, "step": event.step, "event": event.event,
            "actor": event.actor, "at": iso(event.at, tz), "data": json.loads(event.data),
            "hash": event.hash}


def reminder_json(reminder: ReminderView, tz: dt.tzinfo) -> dict[str, Any]:
    """A reminder row (`reminders list --json`)."""
    return {"id": reminder.id, "run": reminder.run_id, "step": reminder.task,
            "level": reminder.level, "recipients": list(reminder.recipients),
            "due_at": iso(reminder.due_at, tz), "status": reminder.status,
            "sent_at": iso(reminder.sent_at, tz), "channel": ",".join(reminder.channels) or None,
            "attempts": reminder.attempts, "error": reminder.error}


def late_run_json(late: LateRun, tz: dt.tzinfo) -> dict[str, Any]:
    """A run past its service deadline, in `overdue --json` (no step: the whole run)."""
    return {"run": late.run.id, "sop": late.run.sop_id, "period": late.run.period,
            "register": late.run.register, "title": late.run.title, "unit": late.run.unit,
            "step": None, "task": None, "whole_run": True, "due_at": iso(late.run.due_at, tz),
            "late_minutes": late.late_minutes}
