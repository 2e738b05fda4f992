"""Reminder rows: added with the step activation, claimed by the daemon, finished once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from engine.runs import PENDING, RETIRED, SENDING, Delivery, Reminder, StepRun
from storage import tables as t
from storage.convert import from_db, to_db

REMINDERS = t.reminders
DELIVERIES = t.deliveries


def reminder_from_row(row: Any) -> Reminder:
    """A Reminder from a row of the reminders table (or a mapping of its columns)."""
    m = getattr(row, "_mapping", row)
    return Reminder(id=m["id"], run_id=m["run_id"], step_run_id=m["step_run_id"],
                    level=m["level"], planned_at=m["planned_at"].replace(tzinfo=dt.UTC),
                    due_at=m["due_at"].replace(tzinfo=dt.UTC),
                    status=m["status"], recipients=tuple(m["recipients"] or ()),
                    channels=tuple(m["channels"] or ()), attempts=m["attempts"],
                    last_error=m["last_error"], sent_at=from_db(m["sent_at"]))


class ReminderStore:
    """The reminder part of SqlStore (mixed in; uses ``self.connection``)."""

    connection: Connection
    is_postgres: bool

    def add_reminders(self, run_id: int, owed: Sequence[tuple[int, dt.datetime]],
                      now: dt.datetime, level: int = 0) -> None:
        """Owe reminders: written in the transaction that activated or reminded the tasks."""
        if not owed:
            return
        created = to_db(now)
        self.connection.execute(insert(REMINDERS), [
            {"run_id": run_id, "step_run_id": task_id, "level": level,
             "planned_at": to_db(due_at), "due_at": to_db(due_at), "status": PENDING,
             "recipients": [], "channels": [], "attempts": 0, "created_at": created}
            for task_id, due_at in owed])

    def add_run_reminder(self, run_id: int, level: int, due_at: dt.datetime,
                         now: dt.datetime) -> None:
        """Owe a reminder about the whole run (past its service deadline), to ``level``."""
        self.connection.execute(insert(REMINDERS).values(
            run_id=run_id, step_run_id=None, level=level, planned_at=to_db(due_at),
            due_at=to_db(due_at), status=PENDING, recipients=[], channels=[], attempts=0,
            created_at=to_db(now)))

    def retire_reminders(self, step_run_id: int) -> int:
        """Retire what a step still owes (it was completed, reassigned or cancelled)."""
        return int(self.connection.execute(update(REMINDERS).where(
            REMINDERS.c.step_run_id == step_run_id,
            REMINDERS.c.status.in_((PENDING, SENDING))).values(status=RETIRED)).rowcount)

    def claim_reminders(self, now: dt.datetime, me: str, limit: int) -> list[int]:
        """Claim due reminders for this daemon; others skip the rows it locked."""
        due = select(REMINDERS.c.id).where(
            REMINDERS.c.status == PENDING, REMINDERS.c.due_at <= to_db(now)).order_by(
            REMINDERS.c.due_at, REMINDERS.c.id).limit(limit)
        if self.is_postgres:
            due = due.with_for_update(skip_locked=True)
        rows = self.connection.execute(update(REMINDERS).where(
            REMINDERS.c.id.in_(due.scalar_subquery())).values(
            status=SENDING, claimed_by=me, claimed_at=to_db(now)).returning(REMINDERS.c.id))
        return sorted(row[0] for row in rows)

    def release_orphans(self, me: str, alive: Callable[[str], bool]) -> int:
        """Give back claims of daemons that died while sending (``alive`` says who lives)."""
        owners = {row[0] for row in self.connection.execute(select(
            REMINDERS.c.claimed_by).where(REMINDERS.c.status == SENDING).distinct())}
        dead = [owner for owner in owners if owner != me and not alive(owner or "")]
        if not dead:
            return 0
        return int(self.connection.execute(update(REMINDERS).where(
            REMINDERS.c.status == SENDING, REMINDERS.c.claimed_by.in_(dead)).values(
            status=PENDING, claimed_by=None, claimed_at=None)).rowcount)

    def get_reminder(self, reminder_id: int) -> Reminder:
        """One reminder row."""
        return reminder_from_row(self.connection.execute(
            select(REMINDERS).where(REMINDERS.c.id == reminder_id)).one())

    def get_step(self, step_run_id: int) -> StepRun:
        """One task by its row id."""
        from storage.rows import STEPS, step_from_row

        return step_from_row(self.connection.execute(
            select(STEPS).where(STEPS.c.id == step_run_id)).one())

    def delivered(self, reminder_id: int) -> set[tuple[str, str]]:
        """(person, channel) pairs already reached for this reminder, in earlier tries."""
        return {(r[0], r[1]) for r in self.connection.execute(select(
            DELIVERIES.c.person_id, DELIVERIES.c.channel).where(
            DELIVERIES.c.reminder_id == reminder_id, DELIVERIES.c.ok.is_(True)))}

    def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Record how each try went."""
        if deliveries:
            self.connection.execute(insert(DELIVERIES), [
                {"reminder_id": d.reminder_id, "person_id": d.person_id, "channel": d.channel,
                 "at": to_db(d.at), "ok": d.ok, "detail": d.detail[:2000]}
                for d in deliveries])

    def finish_reminder(self, reminder: Reminder, me: str | None) -> bool:
        """Write the outcome of a send, if this daemon still holds the claim."""
        query = update(REMINDERS).where(REMINDERS.c.id == reminder.id)
        if me is not None:
            query = query.where(REMINDERS.c.status == SENDING, REMINDERS.c.claimed_by == me)
        result = self.connection.execute(query.values(
            status=reminder.status, due_at=to_db(reminder.due_at),
            recipients=list(reminder.recipients), channels=list(reminder.channels),
            attempts=reminder.attempts, last_error=reminder.last_error,
            sent_at=to_db(reminder.sent_at), claimed_by=None, claimed_at=None))
        return bool(result.rowcount == 1)
