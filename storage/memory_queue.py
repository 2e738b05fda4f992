"""The reminder queue of the in-memory store: owed, claimed by a daemon, finished once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from engine.runs import PENDING, RETIRED, SENDING, Delivery, Reminder, StepRun
from storage.memory_state import ReminderRow, State, maybe, utc

OWED = (PENDING, SENDING)  # the statuses retire_reminders retires


class MemoryQueue:
    """The reminder part of MemoryStore (mixed in; works on ``self.state``)."""

    state: State

    def list_reminders(self, run_id: int | None = None,
                       status: str | None = None) -> list[tuple[Reminder, StepRun | None]]:
        """Reminder rows with the task each is for (None: the whole run), soonest due
        first."""
        rows = sorted((r.reminder for r in self.state.reminders.values()
                       if (run_id is None or r.reminder.run_id == run_id)
                       and (status is None or r.reminder.status == status)),
                      key=lambda r: (r.due_at, r.id))
        return [(replace(r), None if r.step_run_id is None
                 else replace(self.state.steps[r.step_run_id])) for r in rows]

    def add_run_reminder(self, run_id: int, level: int, due_at: dt.datetime,
                         now: dt.datetime) -> None:
        """Owe a reminder about the whole run (past its service deadline)."""
        reminder_id = self.state.new_id("reminders")
        self.state.reminders[reminder_id] = ReminderRow(Reminder(
            id=reminder_id, run_id=run_id, step_run_id=None, level=level,
            planned_at=utc(due_at), due_at=utc(due_at), status=PENDING), utc(now))

    def add_reminders(self, run_id: int, owed: Sequence[tuple[int, dt.datetime]],
                      now: dt.datetime, level: int = 0) -> None:
        """Owe reminders of ``level`` to tasks (task id, due time)."""
        for task_id, due_at in owed:
            reminder_id = self.state.new_id("reminders")
            self.state.reminders[reminder_id] = ReminderRow(Reminder(
                id=reminder_id, run_id=run_id, step_run_id=task_id, level=level,
                planned_at=utc(due_at), due_at=utc(due_at), status=PENDING), utc(now))

    def retire_reminders(self, step_run_id: int) -> int:
        """Retire what a task still owes (pending or sending); return how many."""
        owed = [r.reminder for r in self.state.reminders.values()
                if r.reminder.step_run_id == step_run_id and r.reminder.status in OWED]
        for reminder in owed:
            reminder.status = RETIRED
        return len(owed)

    def claim_reminders(self, now: dt.datetime, me: str, limit: int) -> list[int]:
        """Claim up to ``limit`` pending reminders due by ``now``, soonest first; their ids."""
        at = utc(now)
        due = sorted((r for r in self.state.reminders.values()
                      if r.reminder.status == PENDING and r.reminder.due_at <= at),
                     key=lambda r: (r.reminder.due_at, r.reminder.id))[:max(limit, 0)]
        for row in due:
            row.reminder.status, row.claimed_by, row.claimed_at = SENDING, me, at
        return sorted(row.reminder.id for row in due)

    def release_orphans(self, me: str, alive: Callable[[str], bool]) -> int:
        """Give back claims of daemons that died while sending (``alive`` says who lives)."""
        sending = [r for r in self.state.reminders.values() if r.reminder.status == SENDING]
        dead = {o for o in {r.claimed_by for r in sending} if o != me and not alive(o or "")}
        orphans = [r for r in sending if r.claimed_by is not None and r.claimed_by in dead]
        for row in orphans:
            row.reminder.status, row.claimed_by, row.claimed_at = PENDING, None, None
        return len(orphans)

    def get_reminder(self, reminder_id: int) -> Reminder:
        """One reminder row (KeyError if there is none)."""
        return replace(self.state.reminders[reminder_id].reminder)

    def get_step(self, step_run_id: int) -> StepRun:
        """One task by its row id (KeyError if there is none)."""
        return replace(self.state.steps[step_run_id])

    def delivered(self, reminder_id: int) -> set[tuple[str, str]]:
        """(person, channel) pairs already reached for this reminder."""
        return {(d.person_id, d.channel) for d in self.state.deliveries.values()
                if d.reminder_id == reminder_id and d.ok}

    def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Record how each try went."""
        for d in deliveries:
            self.state.deliveries[self.state.new_id("deliveries")] = replace(
                d, at=utc(d.at), detail=d.detail[:2000])

    def finish_reminder(self, reminder: Reminder, me: str | None) -> bool:
        """Write a reminder's outcome if still claimed by ``me`` (None: in any case)."""
        row = self.state.reminders.get(reminder.id)
        if row is None or (me is not None and (row.reminder.status != SENDING
                                               or row.claimed_by != me)):
            return False
        row.reminder = replace(row.reminder, status=reminder.status,
                               due_at=utc(reminder.due_at),
                               recipients=tuple(reminder.recipients),
                               channels=tuple(reminder.channels), attempts=reminder.attempts,
                               last_error=reminder.last_error, sent_at=maybe(reminder.sent_at))
        row.claimed_by = row.claimed_at = None
        return True
