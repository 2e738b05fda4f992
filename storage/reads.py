"""The reads of ``engine.ports.RunQueries``: run lists, open tasks, history, the audit chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from sqlalchemy import Connection, func, or_, select

from engine.audit_chain import checked_head
from engine.ports import HistoryFilter, RunFilter, Summary
from engine.runs import ACTIVE, FAILED, PENDING, AuditEvent, Reminder, Run, StepRun
from storage import tables as t
from storage.convert import to_db
from storage.reminder_store import reminder_from_row
from storage.rows import (
    EVENTS,
    FIELDS,
    HEAD,
    RUN_SELECT,
    RUNS,
    STEPS,
    VERSIONS,
    event_from_row,
    run_from_row,
    step_from_row,
)

REMINDERS = t.reminders


class ReadStore:
    """The read part of SqlStore (mixed in; uses ``self.connection``)."""

    connection: Connection

    def list_runs(self, where: RunFilter) -> list[Run]:
        """Runs matching the filter, newest first."""
        query = RUN_SELECT
        if where.sop:
            query = query.where(RUNS.c.sop_id == where.sop)
        if where.status:
            query = query.where(RUNS.c.status == where.status)
        if where.period:
            query = query.where(RUNS.c.period == where.period)
        if where.unit:
            query = query.where(RUNS.c.unit == where.unit)
        if where.search:
            pattern = f"%{where.search.strip().lower()}%"
            matching = select(FIELDS.c.run_id).where(func.lower(FIELDS.c.value).like(pattern))
            query = query.where(or_(func.lower(RUNS.c.period).like(pattern),
                                    RUNS.c.id.in_(matching)))
        return [run_from_row(r) for r in self.connection.execute(
            query.order_by(RUNS.c.id.desc()))]

    def summary(self, now: dt.datetime) -> Summary:
        """Runs by status, reminders due and failed, and the audit trail's head."""
        runs = {row[0]: int(row[1]) for row in self.connection.execute(
            select(RUNS.c.status, func.count()).group_by(RUNS.c.status))}
        due = self.connection.execute(select(func.count()).select_from(REMINDERS).where(
            REMINDERS.c.status == PENDING, REMINDERS.c.due_at <= to_db(now))).scalar_one()
        failed = self.connection.execute(select(func.count()).select_from(REMINDERS).where(
            REMINDERS.c.status == FAILED)).scalar_one()
        seq, digest = self.audit_head()
        last = self.connection.execute(select(EVENTS.c.recorded_at).where(
            EVENTS.c.seq == seq)).scalar()
        return Summary(runs, int(due), int(failed), seq, digest,
                       last.replace(tzinfo=dt.UTC) if last else None)

    def late_runs(self, now: dt.datetime) -> list[Run]:
        """Active runs past their service deadline, the longest late first."""
        query = RUN_SELECT.where(RUNS.c.status == ACTIVE, RUNS.c.due_at < to_db(now))
        return [run_from_row(r) for r in self.connection.execute(
            query.order_by(RUNS.c.due_at, RUNS.c.id))]

    def open_tasks(self, due_before: dt.datetime | None = None,
                   runs: Sequence[int] | None = None) -> list[tuple[Run, StepRun]]:
        """Active tasks with their runs (optionally only those due before a time, or of
        some runs), soonest due first."""
        query = select(STEPS, *RUN_SELECT.selected_columns).join_from(
            STEPS, RUNS, STEPS.c.run_id == RUNS.c.id).join(
            VERSIONS, RUNS.c.sop_version_id == VERSIONS.c.id).where(STEPS.c.status == ACTIVE)
        if due_before is not None:
            query = query.where(STEPS.c.due_at < to_db(due_before))
        if runs is not None:
            query = query.where(STEPS.c.run_id.in_(list(runs)))
        width = len(STEPS.columns)
        found = []
        ordered = query.order_by(STEPS.c.due_at.asc().nulls_last(), STEPS.c.id)
        for row in self.connection.execute(ordered):
            found.append((run_from_row(tuple(row)[width:]), step_from_row(row)))
        return found

    def history(self, where: HistoryFilter) -> list[AuditEvent]:
        """Audit events matching the filter, oldest first."""
        query = select(EVENTS)
        if where.sop or where.unit or where.period:
            query = query.join(RUNS, EVENTS.c.run_id == RUNS.c.id)
            if where.sop:
                query = query.where(RUNS.c.sop_id == where.sop)
            if where.unit:
                query = query.where(RUNS.c.unit == where.unit)
            if where.period:
                query = query.where(RUNS.c.period == where.period)
        if where.run is not None:
            query = query.where(EVENTS.c.run_id == where.run)
        if where.actor:
            query = query.where(EVENTS.c.actor == where.actor)
        if where.since:
            query = query.where(EVENTS.c.at >= to_db(where.since))
        if where.until:
            query = query.where(EVENTS.c.at <= to_db(where.until))
        if where.event:
            query = query.where(EVENTS.c.event == where.event)
        return [event_from_row(r) for r in self.connection.execute(query.order_by(EVENTS.c.seq))]

    def audit_head(self) -> tuple[int, str]:
        """The last sequence number and hash of the chain (its head row)."""
        return checked_head(self.connection.execute(
            select(HEAD.c.last_seq, HEAD.c.last_hash).where(HEAD.c.id == 1)).first())

    def audit_events(self, run: int | None = None) -> Iterator[AuditEvent]:
        """Every audit event (or one run's), in order, read in batches."""
        query = select(EVENTS).order_by(EVENTS.c.seq)
        if run is not None:
            query = query.where(EVENTS.c.run_id == run)
        result = self.connection.execution_options(yield_per=2000).execute(query)
        try:
            for row in result:
                yield event_from_row(row)
        finally:
            result.close()

    def audit_hash(self, seq: int) -> str | None:
        """The hash of event ``seq`` (None if there is none)."""
        return self.connection.execute(select(EVENTS.c.hash).where(EVENTS.c.seq == seq)).scalar()

    def audit_prev_hash(self, seq: int) -> str | None:
        """The previous-hash field of event ``seq`` (None if there is none)."""
        return self.connection.execute(select(EVENTS.c.prev_hash).where(
            EVENTS.c.seq == seq)).scalar()

    def list_reminders(self, run_id: int | None = None,
                       status: str | None = None) -> list[tuple[Reminder, StepRun | None]]:
        """Reminder rows with the task each is for (None: the whole run), soonest due
        first."""
        query = select(REMINDERS, *STEPS.columns).outerjoin_from(
            REMINDERS, STEPS, REMINDERS.c.step_run_id == STEPS.c.id)
        if run_id is not None:
            query = query.where(REMINDERS.c.run_id == run_id)
        if status is not None:
            query = query.where(REMINDERS.c.status == status)
        width = len(REMINDERS.columns)
        found = []
        for row in self.connection.execute(query.order_by(REMINDERS.c.due_at, REMINDERS.c.id)):
            values = tuple(row)
            reminder = reminder_from_row(dict(zip(REMINDERS.columns.keys(), values[:width],
                                                  strict=True)))
            task = None if reminder.step_run_id is None else step_from_row(
                dict(zip(STEPS.columns.keys(), values[width:], strict=True)))
            found.append((reminder, task))
        return found
