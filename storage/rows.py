"""Rows to domain objects: the tables under short names, and the conversions by hand."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from engine.runs import AuditEvent, Run, StepRun
from storage import tables as t
from storage.convert import from_db

RUNS = t.runs
STEPS = t.step_runs
VERSIONS = t.sop_versions
EVENTS = t.audit_events
HEAD = t.audit_head
PEOPLE = t.people
FIELDS = t.run_fields
COUNTERS = t.register_counters

RUN_COLUMNS = (RUNS.c.id, RUNS.c.sop_id, VERSIONS.c.sha256, RUNS.c.unit, RUNS.c.period,
               RUNS.c.status, RUNS.c.state, RUNS.c.started_at, RUNS.c.started_by,
               RUNS.c.result, RUNS.c.finished_at, RUNS.c.cancel_reason, RUNS.c.version,
               RUNS.c.due_at)
RUN_SELECT = select(*RUN_COLUMNS).join_from(RUNS, VERSIONS,
                                            RUNS.c.sop_version_id == VERSIONS.c.id)


def aware(value: dt.datetime) -> dt.datetime:
    """A stored naive UTC time as an aware one."""
    return value.replace(tzinfo=dt.UTC)


def run_from_row(row: Any) -> Run:
    """A Run from a row of RUN_SELECT."""
    return Run(id=row[0], sop_id=row[1], sop_hash=row[2], unit=row[3], period=row[4],
               status=row[5], state=row[6], started_at=aware(row[7]), started_by=row[8],
               result=row[9], finished_at=from_db(row[10]), cancel_reason=row[11],
               version=row[12], due_at=from_db(row[13]))


def step_from_row(row: Any) -> StepRun:
    """A StepRun from a row of the step_runs table (or a mapping of its columns)."""
    m = getattr(row, "_mapping", row)
    assignees = m["assignees"]
    if isinstance(assignees, str):
        assignees = json.loads(assignees)
    return StepRun(id=m["id"], run_id=m["run_id"], activity_id=m["activity_id"],
                   attempt=m["attempt"], actor=m["actor"], status=m["status"],
                   activated_at=aware(m["activated_at"]), due_at=from_db(m["due_at"]),
                   assignees=tuple(assignees), completed_at=from_db(m["completed_at"]),
                   completed_by=m["completed_by"], recorded_at=from_db(m["recorded_at"]),
                   outcome=m["outcome"], note=m["note"], version=m["version"],
                   task=m["task"], on_behalf=m["on_behalf"], activated_by=m["activated_by"],
                   reason=m["reason"])


def event_from_row(row: Any) -> AuditEvent:
    """An AuditEvent from a row of the audit_events table."""
    m = row._mapping
    return AuditEvent(seq=m["seq"], run_id=m["run_id"], step=m["step"], attempt=m["attempt"],
                      event=m["event"], actor=m["actor"], at=aware(m["at"]),
                      recorded_at=aware(m["recorded_at"]), data=m["data"],
                      prev_hash=m["prev_hash"], hash=m["hash"])
