"""A run as people read it in a terminal, and its state to paint on the flowchart; our
words in the language in use, the author's and the people's as written."""

from __future__ import annotations

import dataclasses
import datetime as dt

from engine.durations import format_minutes
from engine.reads import RunView, TaskView
from engine.runs import ACTIVE, COMPLETED
from runners.i18n import N_, _, say, say_ours
from runners.render import RunPaint, StepState
from runners.reports import run_status
from runners.tables import Column, pairs, short_time, table
from runners.words import status_word

__all__ = ["paint_of", "run_facts", "run_text"]


def _long(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return "-" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _minutes(value: int | None) -> str:
    return "-" if value is None else say(format_minutes(value))


def who(task: TaskView) -> str:
    """Who completed the task (for whom, and why it was skipped), or who may now."""
    if task.completed_by:
        done = task.completed_by if not task.on_behalf else _(
            "{person} (on behalf of {other})").format(person=task.completed_by,
                                                       other=task.on_behalf)
        return done + (f": {say_ours(task.reason)}" if task.reason else "")
    return ", ".join(task.assignees) or (say_ours(task.reason) or "-")


def _status(task: TaskView) -> str:
    """Status, the outcome chosen and whether it is (or was) late, in one cell."""
    return "\n".join(x for x in (status_word(task.status), task.outcome and f"({task.outcome})",
                                 _("overdue") if task.overdue else "") if x)


def _activity(task: TaskView) -> str:
    """The activity, which task of it and attempt, and the note kept with the task."""
    return (task.name + (" " + _("(attempt {n})").format(n=task.attempt)
                         if task.attempt > 1 else "")
            + (f"\n[{task.label}]" if task.label != task.activity_id else "")
            + ("\n" + _("Note: {note}").format(note=task.note) if task.note else ""))


TASK_COLUMNS = (Column(N_("No."), 2), Column(N_("Activity"), 18, weight=2),
                Column(N_("Status"), 9), Column(N_("Actor"), 10, keep_from=140),
                Column(N_("By / for"), 10), Column(N_("Activated"), 11, keep_from=120),
                Column(N_("Due"), 11), Column(N_("Completed"), 11),
                Column(N_("Standard"), 8, keep_from=120, most=10),
                Column(N_("Actual"), 8, keep_from=120, most=10))  # headers: message ids


def run_text(view: RunView, tz: dt.tzinfo, now: dt.datetime | None = None,
             width: int | None = None) -> str:
    """The run's header and a table of its tasks, fitted to ``width`` (default: the
    terminal's); times in the year of ``now`` are written without it."""
    rows = [[t.no, _activity(t), _status(t), t.actor_title, who(t),
             short_time(t.activated_at, tz, now), short_time(t.due_at, tz, now),
             short_time(t.completed_at, tz, now), _minutes(t.standard_minutes),
             _minutes(t.actual_minutes)] for t in view.tasks]
    columns = [dataclasses.replace(c, header=_(c.header)) for c in TASK_COLUMNS]
    return "\n".join([pairs(run_facts(view, tz), width), "", table(columns, rows, width)])


def run_facts(view: RunView, tz: dt.tzinfo) -> list[tuple[str, str]]:
    """The run's facts as label and value: SOP, unit and period, status, times, fields."""
    run = view.run
    header = [
        (_("Run"), str(run.id)),
        (_("SOP"), _("{title} ({sop}, version {version})").format(
            title=view.spec.title, sop=run.sop_id, version=run.sop_hash[:12])),
        (_("Unit / period"), f"{run.unit} / {run.period}"),
        (_("Status"), run_status(run.status, run.result)),
        (_("Started"), _("{time} by {person}").format(time=_long(run.started_at, tz),
                                                     person=run.started_by or "-")),
    ]
    if run.finished_at:
        header.append((_("Finished"), _long(run.finished_at, tz)))
    if run.cancel_reason:
        header.append((_("Reason for cancelling"), run.cancel_reason))
    if view.deadline:
        header.append((_("Final deadline"), view.deadline.isoformat()))
    for field in run.fields:
        header.append((field.label, field.value))
    if run.due_at:
        left = view.service_left
        due = _long(run.due_at, tz)
        if left is not None and run.status == "active":
            due = (_("{time} ({left} left)").format(time=due, left=_minutes(left)) if left >= 0
                   else _("{time} ({late} late)").format(time=due, late=_minutes(-left)))
        header.append((_("Service completion due"), due))
    header.append((_("Standard / actual time"), _("{standard} (critical path) / {actual}").format(
        standard=_minutes(view.standard_minutes), actual=_minutes(view.actual_minutes))))
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
            about = ", ".join(x for x in (task.attempt > 1 and _("attempt {n}").format(
                n=task.attempt), task.outcome) if x)
            person = task.completed_by or task.actor
            if task.on_behalf:
                person = _("{person} on behalf of {other}").format(person=person,
                                                                   other=task.on_behalf)
            notes.setdefault(task.activity_id, []).append(
                f"{person}{f' ({about})' if about else ''}: {task.note}")
    run = view.run
    return RunPaint(run.id, run.unit, run.period, run.status, states, now, actor_states,
                    {k: tuple(v) for k, v in notes.items()})
