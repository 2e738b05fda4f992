"""Read-only queries: run lists, active steps, history, and checking the audit chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from engine.audit_chain import GENESIS, recompute, verify_chain
from engine.errors import AuditTampered, RunNotFound
from engine.runs import AuditEvent, Run, StepRun
from storage.convert import to_db
from storage.store import (
    EVENTS,
    HEAD,
    RUN_SELECT,
    RUNS,
    STEPS,
    VERSIONS,
    event_from_row,
    run_from_row,
    step_from_row,
)


def list_runs(connection: Connection, sop: str | None = None, status: str | None = None,
              period: str | None = None, unit: str | None = None) -> list[Run]:
    """Runs matching the filters, newest first."""
    query = RUN_SELECT
    if sop:
        query = query.where(RUNS.c.sop_id == sop)
    if status:
        query = query.where(RUNS.c.status == status)
    if period:
        query = query.where(RUNS.c.period == period)
    if unit:
        query = query.where(RUNS.c.unit == unit)
    return [run_from_row(r) for r in connection.execute(query.order_by(RUNS.c.id.desc()))]


def active_steps(connection: Connection,
                 due_before: dt.datetime | None = None) -> list[tuple[Run, StepRun]]:
    """Every active step with its run (optionally only those due before a time)."""
    query = select(STEPS, *RUN_SELECT.selected_columns).join_from(
        STEPS, RUNS, STEPS.c.run_id == RUNS.c.id).join(
        VERSIONS, RUNS.c.sop_version_id == VERSIONS.c.id).where(STEPS.c.status == "active")
    if due_before is not None:
        query = query.where(STEPS.c.due_at < to_db(due_before))
    width = len(STEPS.columns)
    found = []
    for row in connection.execute(query.order_by(STEPS.c.due_at, STEPS.c.id)):
        run = run_from_row(tuple(row)[width:])
        found.append((run, step_from_row(row)))
    return found


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """The filters of `alur history`; None means any."""

    run: int | None = None
    sop: str | None = None
    unit: str | None = None
    period: str | None = None
    actor: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    event: str | None = None


def history(connection: Connection, where: HistoryFilter) -> list[AuditEvent]:
    """Audit events matching the filters, oldest first."""
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
    return [event_from_row(r) for r in connection.execute(query.order_by(EVENTS.c.seq))]


def verify_audit(connection: Connection, run: int | None = None) -> int:
    """Check the hash chain (all of it, or around one run's events); return events checked."""
    last_seq, last_hash = connection.execute(select(HEAD.c.last_seq, HEAD.c.last_hash)).one()
    if run is None:
        result = connection.execution_options(yield_per=2000).execute(
            select(EVENTS).order_by(EVENTS.c.seq))
        try:
            return verify_chain((event_from_row(r) for r in result), last_seq, last_hash)
        finally:
            result.close()
    if connection.execute(select(RUNS.c.id).where(RUNS.c.id == run)).first() is None:
        raise RunNotFound(str(run))
    events = [event_from_row(r) for r in connection.execute(
        select(EVENTS).where(EVENTS.c.run_id == run).order_by(EVENTS.c.seq))]
    if not events:
        raise AuditTampered(f"run {run} has no audit events at all (they were deleted)")
    for event in events:
        if recompute(event, event.prev_hash) != event.hash:
            raise AuditTampered(f"audit trail broken at event {event.seq} ({event.event}, run "
                                f"{event.run_id}): its content was changed after it was "
                                "written")
        before = GENESIS if event.seq == 1 else connection.execute(
            select(EVENTS.c.hash).where(EVENTS.c.seq == event.seq - 1)).scalar()
        if before != event.prev_hash:
            raise AuditTampered(f"audit trail broken at event {event.seq}: it does not follow "
                                f"event {event.seq - 1} (an event was deleted, swapped or "
                                "edited before it)")
        after = connection.execute(select(EVENTS.c.prev_hash).where(
            EVENTS.c.seq == event.seq + 1)).scalar()
        if after is None and event.seq < last_seq:
            raise AuditTampered(f"audit trail broken after event {event.seq}: event "
                                f"{event.seq + 1} is missing (deleted)")
        if after is None and (event.seq != last_seq or event.hash != last_hash):
            raise AuditTampered(f"audit trail broken after event {event.seq}: the trail should "
                                f"end at event {last_seq} (events at the end were deleted or "
                                "replaced)")
        if after is not None and after != event.hash:
            raise AuditTampered(f"audit trail broken at event {event.seq + 1}: it does not "
                                f"follow event {event.seq}")
    started = events[0]
    if started.event != "run_started":
        raise AuditTampered(f"the first audit event of run {run} is {started.event} (seq "
                            f"{started.seq}); its run_started event was deleted")
    return len(events)
