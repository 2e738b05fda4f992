"""A run as people read it in a terminal, and its state to paint on the flowchart."""

from __future__ import annotations

import datetime as dt

from engine.durations import format_minutes
from engine.reads import RunView, TaskView
from engine.runs import ACTIVE, COMPLETED
from runners.render import RunPaint, StepState
from runners.tables import table
from runners.words import STATUS_WORDS, status_word

__all__ = ["STATUS_WORDS", "paint_of", "run_text"]


def _short(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%d-%m %H:%M")


def _long(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _minutes(value: int | None) -> str:
    return "-" if value is None else format_minutes(value)


def _who(task: TaskView) -> str:
    if task.completed_by:
        who = task.completed_by + (f" (a.n. {task.on_behalf})" if task.on_behalf else "")
        return who + (f": {task.reason}" if task.reason else "")
    return ", ".join(task.assignees) or (task.reason or "-")


def run_text(view: RunView, tz: dt.tzinfo) -> str:
    """The run's header and a table of its tasks."""
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
    rows = []
    for t in view.tasks:
        name = t.name + (f"\n[{t.label}]" if t.label != t.activity_id else "")
        rows.append([t.no, name, t.attempt or "", status_word(t.status), t.actor_title, _who(t),
                     _short(t.activated_at, tz), _short(t.due_at, tz),
                     _short(t.completed_at, tz), _minutes(t.standard_minutes),
                     _minutes(t.actual_minutes), t.outcome or "", "ya" if t.overdue else ""])
    return "\n".join([
        table([], header, widths=[18, 78]), "",
        table(["No", "Uraian Kegiatan", "Ke", "Status", "Pelaksana", "Oleh / untuk", "Aktif",
               "Batas", "Selesai", "Baku", "Nyata", "Hasil", "Telat"], rows,
              widths=[3, 30, 2, 10, 14, 14, 11, 11, 11, 9, 9, 8, 5]),
    ])


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
    run = view.run
    return RunPaint(run.id, run.unit, run.period, run.status, states, now, actor_states)
