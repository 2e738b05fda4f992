"""The RunStore on SQLAlchemy Core: one transaction, lean statements, rows to domain objects.

The hot path of a transition is about ten small statements on the Core tables
of ``storage.tables``; rows are converted to domain objects by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.audit_chain import canonical_json, event_hash
from engine.errors import ConcurrentChange, DuplicateRun, RunNotFound
from engine.roster import Person
from engine.runs import AuditEvent, NewEvent, Run, StepRun
from storage import tables as t
from storage.convert import from_db, to_db
from storage.reminder_store import ReminderStore

RUNS = t.runs
STEPS = t.step_runs
VERSIONS = t.sop_versions
EVENTS = t.audit_events
HEAD = t.audit_head
PEOPLE = t.people

_TEXTS: dict[str, str] = {}
_PEOPLE_SEEN: set[tuple[str, str, str]] = set()


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC)


RUN_COLUMNS = (RUNS.c.id, RUNS.c.sop_id, VERSIONS.c.sha256, RUNS.c.unit, RUNS.c.period,
               RUNS.c.status, RUNS.c.state, RUNS.c.started_at, RUNS.c.started_by,
               RUNS.c.result, RUNS.c.finished_at, RUNS.c.cancel_reason, RUNS.c.version)
RUN_SELECT = select(*RUN_COLUMNS).join_from(RUNS, VERSIONS,
                                            RUNS.c.sop_version_id == VERSIONS.c.id)


def run_from_row(row: Any) -> Run:
    """A Run from a row of RUN_SELECT."""
    return Run(id=row[0], sop_id=row[1], sop_hash=row[2], unit=row[3], period=row[4],
               status=row[5], state=row[6], started_at=_aware(row[7]), started_by=row[8],
               result=row[9], finished_at=from_db(row[10]), cancel_reason=row[11],
               version=row[12])


def step_from_row(row: Any) -> StepRun:
    """A StepRun from a row of the step_runs table."""
    m = row._mapping
    assignees = m["assignees"]
    if isinstance(assignees, str):
        assignees = json.loads(assignees)
    return StepRun(id=m["id"], run_id=m["run_id"], activity_id=m["activity_id"],
                   attempt=m["attempt"], actor=m["actor"], status=m["status"],
                   activated_at=_aware(m["activated_at"]), due_at=from_db(m["due_at"]),
                   assignees=tuple(assignees), completed_at=from_db(m["completed_at"]),
                   completed_by=m["completed_by"], recorded_at=from_db(m["recorded_at"]),
                   outcome=m["outcome"], note=m["note"], version=m["version"])


def event_from_row(row: Any) -> AuditEvent:
    """An AuditEvent from a row of the audit_events table."""
    m = row._mapping
    return AuditEvent(seq=m["seq"], run_id=m["run_id"], step=m["step"], attempt=m["attempt"],
                      event=m["event"], actor=m["actor"], at=_aware(m["at"]),
                      recorded_at=_aware(m["recorded_at"]), data=m["data"],
                      prev_hash=m["prev_hash"], hash=m["hash"])


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class SqlStore(ReminderStore):
    """A RunStore working inside one open transaction of ``connection``."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.is_postgres = connection.dialect.name == "postgresql"

    def _insert_ignore(self, table: Any) -> Any:
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table).on_conflict_do_nothing()
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()

    # -- SOP versions ------------------------------------------------------------

    def sop_text(self, sha256: str) -> str:
        """The SOP content stored under this hash."""
        text = _TEXTS.get(sha256)
        if text is None:
            text = self.connection.execute(
                select(VERSIONS.c.text).where(VERSIONS.c.sha256 == sha256)).scalar_one()
            _TEXTS[sha256] = text
        return text

    def save_sop_version(self, sop_id: str, sha256: str, text: str, path: str,
                         at: dt.datetime) -> int:
        """Store an SOP content once; return its version id."""
        self.connection.execute(self._insert_ignore(VERSIONS).values(
            sop_id=sop_id, sha256=sha256, text=text, path=path, stored_at=to_db(at)))
        _TEXTS[sha256] = text
        return int(self.connection.execute(
            select(VERSIONS.c.id).where(VERSIONS.c.sha256 == sha256)).scalar_one())

    # -- runs ----------------------------------------------------------------------

    def find_run(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the run of this SOP, unit and period, if any."""
        return self.connection.execute(select(RUNS.c.id).where(
            RUNS.c.sop_id == sop_id, RUNS.c.unit == unit, RUNS.c.period == period)).scalar()

    def add_run(self, run: Run, sop_version_id: int) -> int:
        """Insert a run; return its id (DuplicateRun if another started it just now)."""
        try:
            with self.connection.begin_nested():
                result = self.connection.execute(insert(RUNS).values(
                    sop_id=run.sop_id, sop_version_id=sop_version_id, unit=run.unit,
                    period=run.period, status=run.status, state=run.state,
                    result=run.result, started_at=to_db(run.started_at),
                    started_by=run.started_by, version=run.version))
        except IntegrityError:
            existing = self.find_run(run.sop_id, run.unit, run.period)
            raise DuplicateRun(run.sop_id, run.unit, run.period, existing or 0) from None
        return _new_id(result)

    def get_run(self, run_id: int) -> Run:
        """The run (RunNotFound if there is none)."""
        row = self.connection.execute(RUN_SELECT.where(RUNS.c.id == run_id)).first()
        if row is None:
            raise RunNotFound(str(run_id), where="; `alur run list` shows the runs")
        return run_from_row(row)

    def update_run(self, run: Run) -> None:
        """Write the run if its version is unchanged since it was read."""
        result = self.connection.execute(update(RUNS).where(
            RUNS.c.id == run.id, RUNS.c.version == run.version).values(
            status=run.status, state=run.state, result=run.result,
            finished_at=to_db(run.finished_at), cancel_reason=run.cancel_reason,
            version=run.version + 1))
        if result.rowcount != 1:
            raise ConcurrentChange(f"run {run.id} was changed by someone else at the same "
                                   f"moment; see `alur run show {run.id}` and try again")
        run.version += 1

    # -- steps ---------------------------------------------------------------------

    def steps(self, run_id: int, active_only: bool = False) -> list[StepRun]:
        """The run's step attempts in order of activation."""
        query = select(STEPS).where(STEPS.c.run_id == run_id)
        if active_only:
            query = query.where(STEPS.c.status == "active")
        rows = self.connection.execute(query.order_by(STEPS.c.id))
        return [step_from_row(row) for row in rows]

    def last_attempt(self, run_id: int, activity_id: str) -> int:
        """The highest attempt number of an activity in the run (0 if none)."""
        return int(self.connection.execute(select(func.max(STEPS.c.attempt)).where(
            STEPS.c.run_id == run_id, STEPS.c.activity_id == activity_id)).scalar() or 0)

    def add_step(self, step: StepRun) -> int:
        """Insert a step attempt; return its id."""
        result = self.connection.execute(insert(STEPS).values(
            run_id=step.run_id, activity_id=step.activity_id, attempt=step.attempt,
            actor=step.actor, status=step.status, assignees=list(step.assignees),
            activated_at=to_db(step.activated_at), due_at=to_db(step.due_at),
            version=step.version))
        return _new_id(result)

    def update_step(self, step: StepRun) -> None:
        """Write the step if its version is unchanged; else say who changed it."""
        result = self.connection.execute(update(STEPS).where(
            STEPS.c.id == step.id, STEPS.c.version == step.version).values(
            status=step.status, assignees=list(step.assignees),
            completed_at=to_db(step.completed_at), completed_by=step.completed_by,
            recorded_at=to_db(step.recorded_at), outcome=step.outcome, note=step.note,
            version=step.version + 1))
        if result.rowcount != 1:
            row = self.connection.execute(select(STEPS.c.status, STEPS.c.completed_by).where(
                STEPS.c.id == step.id)).first()
            if row is not None and row.completed_by:
                raise ConcurrentChange(f"step `{step.activity_id}` of run {step.run_id} was "
                                       f"just completed by {row.completed_by}")
            raise ConcurrentChange(f"step `{step.activity_id}` of run {step.run_id} was "
                                   "changed by someone else at the same moment; try again")
        step.version += 1

    # -- people and audit ----------------------------------------------------------

    def remember_person(self, unit: str, person: Person, at: dt.datetime) -> None:
        """Keep a snapshot of who the person is (name, NIP, roles) when they act."""
        content = canonical_json([person.name, person.nip, list(person.roles)])
        sha = hashlib.sha256(content.encode()).hexdigest()
        key = (unit, person.id, sha)
        if key in _PEOPLE_SEEN:
            return
        self.connection.execute(self._insert_ignore(PEOPLE).values(
            unit=unit, person_id=person.id, name=person.name, nip=person.nip,
            roles=list(person.roles), sha256=sha, seen_at=to_db(at)))
        _PEOPLE_SEEN.add(key)

    def append_events(self, events: Sequence[NewEvent],
                      recorded_at: dt.datetime) -> list[AuditEvent]:
        """Append events to the chain; the head row is locked so the chain never forks."""
        head = select(HEAD.c.last_seq, HEAD.c.last_hash).where(HEAD.c.id == 1)
        if self.is_postgres:
            head = head.with_for_update()
        seq, prev = self.connection.execute(head).one()
        recorded = to_db(recorded_at)
        assert recorded is not None
        stored: list[AuditEvent] = []
        for new in events:
            seq += 1
            at = to_db(new.at)
            assert at is not None
            data = canonical_json(new.data)
            digest = event_hash(prev, seq, new.run_id, new.step, new.attempt, new.event,
                                new.actor, at, recorded, data)
            stored.append(AuditEvent(seq, new.run_id, new.step, new.attempt, new.event,
                                     new.actor, _aware(at), _aware(recorded), data, prev,
                                     digest))
            prev = digest
        self.connection.execute(insert(EVENTS), [
            {"seq": e.seq, "run_id": e.run_id, "step": e.step, "attempt": e.attempt,
             "event": e.event, "actor": e.actor, "at": to_db(e.at),
             "recorded_at": recorded, "data": e.data, "prev_hash": e.prev_hash,
             "hash": e.hash} for e in stored])
        self.connection.execute(update(HEAD).where(HEAD.c.id == 1).values(
            last_seq=seq, last_hash=prev))
        return stored


class UnitOfWork:
    """One transaction: rolls back unless ``commit()`` is called."""

    def __init__(self, engine: Engine, write: bool = True) -> None:
        self.engine = engine
        self.write = write

    def __enter__(self) -> SqlStore:
        self.connection = self.engine.connect()
        self.connection.execution_options(alur_write=self.write)
        self.transaction = self.connection.begin()
        self.store = SqlStore(self.connection)
        return self.store

    def commit(self) -> None:
        """Make the changes of this transaction permanent."""
        self.transaction.commit()

    def __exit__(self, *exc: object) -> None:
        if self.transaction.is_active:
            self.transaction.rollback()
        self.connection.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[SqlStore]:
    """A write transaction that commits when the block ends without an error."""
    unit = UnitOfWork(engine)
    with unit as store:
        yield store
        unit.commit()
