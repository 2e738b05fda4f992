"""A run as people read it in a terminal, and its state to paint on the flowchart."""

from __future__ import annotations

import datetime as dt

from engine.durations import format_minutes
from engine.reads import RunView, TaskView
from engine.runs import ACTIVE, COMPLETED
from runners.render import RunPaint, StepState
from runners.tables import Column, pairs, short_time, table
from runners.words import STATUS_WORDS, status_word

__all__ = ["STATUS_WORDS", "paint_of", "run_facts", "run_text"]


def _long(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _minutes(value: int | None) -> str:
    return "-" if value is None else format_minutes(value)


def who(task: TaskView) -> str:
    """Who completed the task (for whom, and why it was skipped), or who may now."""
    if task.completed_by:
        done = task.completed_by + (f" (a.n. {task.on_behalf})" if task.on_behalf else "")
        return done + (f": {task.reason}" if task.reason else "")
    return ", ".join(task.assignees) or (task.reason or "-")


def _status(task: TaskView) -> str:
    """Status, the outcome chosen and whether it is (or was) late, in one cell."""
    return "\n".join(x for x in (status_word(task.status), task.outcome and f"({task.outcome})",
                                 "terlambat" if task.overdue else "") if x)


def _activity(task: TaskView) -> str:
    """The activity, which task of it and attempt, and the note kept with the task."""
    return (task.name + (f" (ke-{task.attempt})" if task.attempt > 1 else "")
            + (f"\n[{task.label}]" if task.label != task.activity_id else "")
            + (f"\nCatatan: {task.note}" if task.note else ""))


TASK_COLUMNS = (Column("No", 2), Column("Uraian Kegiatan", 18, weight=2), Column("Status", 9),
                Column("Pelaksana", 10, keep_from=140), Column("Oleh / untuk", 10),
                Column("Aktif", 11, keep_from=120), Column("Batas", 11), Column("Selesai", 11),
                Column("Baku", 8, keep_from=120, most=9), Column("Nyata", 8, keep_from=120, most=9))


def run_text(view: RunView, tz: dt.tzinfo, now: dt.datetime | None = None,
             width: int | None = None) -> str:
    """The run's header and a table of its tasks, fitted to ``width`` (default: the
    terminal's); times in the year of ``now`` are written without it."""
    rows = [[t.no, _activity(t), _status(t), t.actor_title, who(t),
             short_time(t.activated_at, tz, now), short_time(t.due_at, tz, now),
             short_time(t.completed_at, tz, now), _minutes(t.standard_minutes),
             _minutes(t.actual_minutes)] for t in view.tasks]
    return "\n".join([pairs(run_facts(view, tz), width), "", table(TASK_COLUMNS, rows, width)])


def run_facts(view: RunView, tz: dt.tzinfo) -> list[tuple[str, str]]:
    """The run's facts as label and value: SOP, unit and period, status, times, fields."""
    run = view.run
    status = status_word(run.status) + (f" ({run.result})" if run.result else "")
    header = [
        ("Run", str(run.id)),
        ("SOP", f"{view.spec.title} ({run.sop_id}, versi {run.sop_hash[:12]})"),
        ("Unit / periode", f"{run.unit} / {run.period}"),
        ("Status", status),
        ("Mulai", f"{_long(run.started_at, tz)} oleh {run.started_by or '-'}"),
    ]
    if run.finished_at:
        header.append(("Selesai", _long(run.finished_at, tz)))
    if run.cancel_reason:
        header.append(("Alasan batal", run.cancel_reason))
    if view.deadline:
        header.append(("Batas akhir", view.deadline.isoformat()))
    for field in run.fields:
        header.append((field.label, field.value))
    if run.due_at:
        left = view.service_left
        state = "" if left is None or run.status != "active" else (
            f" (sisa {_minutes(left)})" if left >= 0 else f" (terlambat {_minutes(-left)})")
        header.append(("Waktu penyelesaian", f"{_long(run.due_at, tz)}{state}"))
    header.append(("Waktu baku / nyata", f"{_minutes(view.standard_minutes)} (jalur kritis) / "
                                         f"{_minutes(view.actual_minutes)}"))
    return header


def _state(task: TaskView) -> StepState:
    if task.status in (COMPLETED, "skipped"):
        return "done"
    if task.status == ACTIVE:
        return "overdue" if task.overdue else "active"
    return "not_reached"


_URGENCY: dict[StepState, int] = {"not_reached": 0, "done": 1, "active": 2, "overdue": 3}


def paint_of(view: RunView, now: dt.datetime) -> RunPaint:
    """Each activity's state (its latest attempt, the most urgent of its tasks) and each
    actor's own task state, for the painted flowchart."""
    latest: dict[str, int] = {}
    for task in view.tasks:
        latest[task.activity_id] = max(latest.get(task.activity_id, 0), task.attempt)
    states: dict[str, StepState] = {}
    actor_states: dict[str, dict[str, StepState]] = {}
    for task in view.tasks:
        if task.attempt != latest[task.activity_id]:
            continue
        state = _state(task)
        if _URGENCY[state] >= _URGENCY.get(states.get(task.activity_id, "not_reached"), 0):
            states[task.activity_id] = state
        column = actor_states.setdefault(task.activity_id, {})
        if _URGENCY[state] >= _URGENCY.get(column.get(task.actor, "not_reached"), 0):
            column[task.actor] = state
    notes: dict[str, list[str]] = {}
    for task in view.tasks:
        if task.note:
            about = ", ".join(x for x in (task.attempt > 1 and f"ke-{task.attempt}",
                                          task.outcome) if x)
            behalf = f" a.n. {task.on_behalf}" if task.on_behalf else ""
            notes.setdefault(task.activity_id, []).append(
                f"{task.completed_by or task.actor}{behalf}{f' ({about})' if about else ''}: "
                f"{task.note}")
    run = view.run
    return RunPaint(run.id, run.unit, run.period, run.status, states, now, actor_states,
                    {k: tuple(v) for k, v in notes.items()})
