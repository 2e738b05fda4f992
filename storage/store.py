"""The store on SQLAlchemy Core: one transaction, lean statements, rows to domain objects.

``SqlStore`` implements the engine's ports (``engine.ports``): the write side
here, the reads in ``storage.reads``, the reminder queue in
``storage.reminder_store``. The hot path of a transition is about ten small
statements on the Core tables of ``storage.tables``; rows are converted to
domain objects by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.audit_chain import canonical_json, checked_head, event_hash
from engine.cases import RunField
from engine.errors import ConcurrentChange, DuplicateRun, RunNotFound
from engine.roster import Person
from engine.runs import ACTIVE, CANCELLED, AuditEvent, NewEvent, Run, StepRun
from engine.text import Text
from storage.account_store import AccountSqlStore
from storage.convert import to_db
from storage.evidence_store import EvidenceSqlStore
from storage.reads import ReadStore
from storage.reminder_store import ReminderStore
from storage.rows import (
    COUNTERS,
    EVENTS,
    FIELDS,
    HEAD,
    PEOPLE,
    RUN_SELECT,
    RUNS,
    STEPS,
    VERSIONS,
    aware,
    run_from_row,
    step_from_row,
)

__all__ = ["EVENTS", "HEAD", "RUNS", "STEPS", "VERSIONS", "SqlStore", "UnitOfWork",
           "transaction"]
_TEXTS: dict[str, str] = {}  # SOP contents by hash: a hash names one content for ever

def _task_values(task: StepRun) -> dict[str, Any]:
    return {"run_id": task.run_id, "activity_id": task.activity_id, "attempt": task.attempt,
            "actor": task.actor, "status": task.status, "assignees": list(task.assignees),
            "activated_at": to_db(task.activated_at), "due_at": to_db(task.due_at),
            "version": task.version, "task": task.task, "activated_by": task.activated_by}


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class SqlStore(ReadStore, ReminderStore, AccountSqlStore, EvidenceSqlStore):
    """The engine's ports working inside one open transaction of ``connection``.

    ``people_seen`` holds the people snapshots this database already has (kept by
    ``SqlDatabase``, filled only after a commit); ``people_written`` the ones this
    transaction adds.
    """

    def __init__(self, connection: Connection,
                 people_seen: set[tuple[str, str, str]] | None = None) -> None:
        self.connection = connection
        self.is_postgres = connection.dialect.name == "postgresql"
        self.people_seen = people_seen if people_seen is not None else set()
        self.people_written: set[tuple[str, str, str]] = set()

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
        return int(self.connection.execute(
            select(VERSIONS.c.id).where(VERSIONS.c.sha256 == sha256)).scalar_one())

    # -- runs ----------------------------------------------------------------------

    def find_run(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the run of this SOP, unit and period that is not cancelled, if any."""
        return self.connection.execute(select(RUNS.c.id).where(
            RUNS.c.sop_id == sop_id, RUNS.c.unit == unit, RUNS.c.period == period,
            RUNS.c.status != CANCELLED)).scalar()

    def find_cancelled(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the latest cancelled run of this SOP, unit and period, if any."""
        return self.connection.execute(select(RUNS.c.id).where(
            RUNS.c.sop_id == sop_id, RUNS.c.unit == unit, RUNS.c.period == period,
            RUNS.c.status == CANCELLED).order_by(RUNS.c.id.desc()).limit(1)).scalar()

    def add_run(self, run: Run, sop_version_id: int) -> int:
        """Insert a run; return its id (DuplicateRun if another started it just now)."""
        try:
            with self.connection.begin_nested():
                result = self.connection.execute(insert(RUNS).values(
                    sop_id=run.sop_id, sop_version_id=sop_version_id, unit=run.unit,
                    period=run.period, status=run.status, state=run.state,
                    result=run.result, started_at=to_db(run.started_at),
                    started_by=run.started_by, version=run.version, due_at=to_db(run.due_at)))
        except IntegrityError:
            existing = self.find_run(run.sop_id, run.unit, run.period)
            if existing is None:
                raise
            raise DuplicateRun(run.sop_id, run.unit, run.period, existing) from None
        return _new_id(result)

    def get_run(self, run_id: int, lock: bool = False) -> Run:
        """The run (RunNotFound if there is none); ``lock`` takes its row lock (PostgreSQL;
        SQLite's write transactions hold the whole database already)."""
        query = RUN_SELECT.where(RUNS.c.id == run_id)
        if lock and self.is_postgres:
            query = query.with_for_update(of=RUNS)
        row = self.connection.execute(query).first()
        if row is None:
            raise RunNotFound(str(run_id))
        return run_from_row(row)

    def update_run(self, run: Run) -> None:
        """Write the run if its version is unchanged since it was read."""
        result = self.connection.execute(update(RUNS).where(
            RUNS.c.id == run.id, RUNS.c.version == run.version).values(
            status=run.status, state=run.state, result=run.result,
            finished_at=to_db(run.finished_at), cancel_reason=run.cancel_reason,
            version=run.version + 1))
        if result.rowcount != 1:
            raise ConcurrentChange(Text("run {run} was changed by someone else at the same "
                                        "moment; look at the run again and retry", run=run.id))
        run.version += 1

    # -- tasks ---------------------------------------------------------------------

    def tasks(self, run_id: int) -> list[StepRun]:
        """Every task of the run, in order of activation."""
        rows = self.connection.execute(select(STEPS).where(STEPS.c.run_id == run_id)
                                       .order_by(STEPS.c.id))
        return [step_from_row(row) for row in rows]

    def active_tasks(self, run_id: int) -> list[StepRun]:
        """The run's active tasks (by the run/status index: finished ones are not read)."""
        rows = self.connection.execute(select(STEPS).where(
            STEPS.c.run_id == run_id, STEPS.c.status == ACTIVE).order_by(STEPS.c.id))
        return [step_from_row(row) for row in rows]

    def activity_tasks(self, run_id: int, activity_id: str) -> list[StepRun]:
        """Every task of one activity in the run, oldest first."""
        rows = self.connection.execute(select(STEPS).where(
            STEPS.c.run_id == run_id, STEPS.c.activity_id == activity_id).order_by(STEPS.c.id))
        return [step_from_row(row) for row in rows]

    def tasks_activated_by(self, task_id: int) -> list[StepRun]:
        """The tasks that the completion of ``task_id`` activated."""
        rows = self.connection.execute(select(STEPS).where(
            STEPS.c.activated_by == task_id).order_by(STEPS.c.id))
        return [step_from_row(row) for row in rows]

    def last_attempt(self, run_id: int, activity_id: str) -> int:
        """The highest attempt number of an activity in the run (0 if none)."""
        return int(self.connection.execute(select(func.max(STEPS.c.attempt)).where(
            STEPS.c.run_id == run_id, STEPS.c.activity_id == activity_id)).scalar() or 0)

    def add_tasks(self, tasks: Sequence[StepRun]) -> None:
        """Insert tasks; each gets its id (one statement for the tasks of an `each` step)."""
        if not tasks:
            return
        if len(tasks) == 1:
            tasks[0].id = _new_id(self.connection.execute(insert(STEPS).values(
                _task_values(tasks[0]))))
            return
        rows = self.connection.execute(
            insert(STEPS).returning(STEPS.c.id, sort_by_parameter_order=True),
            [_task_values(task) for task in tasks])
        for task, row in zip(tasks, rows, strict=True):
            task.id = int(row[0])

    def update_task(self, task: StepRun) -> None:
        """Write the task if its version is unchanged; else say who changed it."""
        result = self.connection.execute(update(STEPS).where(
            STEPS.c.id == task.id, STEPS.c.version == task.version).values(
            status=task.status, assignees=list(task.assignees),
            completed_at=to_db(task.completed_at), completed_by=task.completed_by,
            recorded_at=to_db(task.recorded_at), outcome=task.outcome, note=task.note,
            on_behalf=task.on_behalf, reason=task.reason, version=task.version + 1))
        if result.rowcount != 1:
            row = self.connection.execute(select(STEPS.c.status, STEPS.c.completed_by).where(
                STEPS.c.id == task.id)).first()
            if row is not None and row.completed_by:
                raise ConcurrentChange(Text("step `{step}` of run {run} was just completed "
                                            "by {by}", step=task.label, run=task.run_id,
                                            by=row.completed_by))
            raise ConcurrentChange(Text("step `{step}` of run {run} was changed by someone "
                                        "else at the same moment; try again", step=task.label,
                                        run=task.run_id))
        task.version += 1

    # -- what a run is about ------------------------------------------------------

    def add_fields(self, run_id: int, fields: Sequence[RunField]) -> None:
        """Keep a run's case fields."""
        if fields:
            self.connection.execute(insert(FIELDS), [
                {"run_id": run_id, "key": f.key, "value": f.value, "private": f.private,
                 "salt": f.salt} for f in fields])

    def fields(self, run_ids: Sequence[int]) -> dict[int, list[RunField]]:
        """The case fields of some runs, by run id."""
        found: dict[int, list[RunField]] = {}
        if not run_ids:
            return found
        rows = self.connection.execute(select(FIELDS).where(
            FIELDS.c.run_id.in_(list(run_ids))).order_by(FIELDS.c.id))
        for row in rows:
            found.setdefault(row.run_id, []).append(
                RunField(row.key, row.value, bool(row.private), row.salt))
        return found

    def next_register(self, sop_id: str, unit: str, year: int) -> int:
        """The next running number of the year for an SOP and unit (its row stays locked
        until the transaction ends, so concurrent starts queue: no gaps, no duplicates)."""
        key = (COUNTERS.c.sop_id == sop_id, COUNTERS.c.unit == unit, COUNTERS.c.year == year)
        self.connection.execute(self._insert_ignore(COUNTERS).values(
            sop_id=sop_id, unit=unit, year=year, last_seq=0))
        return int(self.connection.execute(update(COUNTERS).where(*key).values(
            last_seq=COUNTERS.c.last_seq + 1).returning(COUNTERS.c.last_seq)).scalar_one())

    # -- people and audit ----------------------------------------------------------

    def remember_person(self, unit: str, person: Person, at: dt.datetime) -> None:
        """Keep a snapshot of who the person is (name, NIP, roles) when they act."""
        content = canonical_json([person.name, person.nip, list(person.roles)])
        sha = hashlib.sha256(content.encode()).hexdigest()
        key = (unit, person.id, sha)
        if key in self.people_seen or key in self.people_written:
            return
        self.connection.execute(self._insert_ignore(PEOPLE).values(
            unit=unit, person_id=person.id, name=person.name, nip=person.nip,
            roles=list(person.roles), sha256=sha, seen_at=to_db(at)))
        self.people_written.add(key)

    def append_events(self, events: Sequence[NewEvent],
                      recorded_at: dt.datetime) -> list[AuditEvent]:
        """Append events to the chain; the head row is locked so the chain never forks."""
        if not events:
            return []
        head = select(HEAD.c.last_seq, HEAD.c.last_hash).where(HEAD.c.id == 1)
        if self.is_postgres:
            head = head.with_for_update()
        seq, prev = checked_head(self.connection.execute(head).first())
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
                                     new.actor, aware(at), aware(recorded), data, prev,
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

    def __init__(self, engine: Engine, write: bool = True,
                 people_seen: set[tuple[str, str, str]] | None = None) -> None:
        self.engine = engine
        self.write = write
        self.people_seen = people_seen

    def __enter__(self) -> SqlStore:
        self.connection = self.engine.connect()
        self.connection.execution_options(alur_write=self.write)
        self.transaction = self.connection.begin()
        self.store = SqlStore(self.connection, self.people_seen)
        return self.store

    def commit(self) -> None:
        """Make the changes of this transaction permanent."""
        self.transaction.commit()
        self.store.people_seen.update(self.store.people_written)

    def __exit__(self, *exc: object) -> None:
        if self.transaction.is_active:
            self.transaction.rollback()
        self.connection.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[SqlStore]:
    """A write transaction that commits when the block ends without an error."""
    unit = UnitOfWork(engine)
    with unit as store:
        try:
            yield store
        except Exception as exc:
            if getattr(exc, "keeps_changes", False):
                unit.commit()  # what the use case wrote before refusing stays (engine.errors)
            raise
        unit.commit()
