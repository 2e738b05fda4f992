"""The engine's ports (``engine.ports``) in memory: for tests, and proof that a second backend fits.

A transaction works on a deep copy of the committed state, which it replaces when a write block
ends well; writers hold a lock for their whole transaction (like SQLite's BEGIN IMMEDIATE).
``MemoryStore`` follows ``storage.store.SqlStore`` rule for rule, times (so hashes) included.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from engine.audit_chain import canonical_json, event_hash
from engine.cases import RunField
from engine.errors import ConcurrentChange, DuplicateRun, RunNotFound, SchedulerBusy
from engine.ports import HistoryFilter, RunFilter, Summary
from engine.roster import Person
from engine.runs import ACTIVE, CANCELLED, AuditEvent, Run, StepRun
from engine.text import Text
from storage.memory_accounts import MemoryAccounts
from storage.memory_evidence import MemoryEvidence
from storage.memory_queue import MemoryQueue
from storage.memory_state import State, Version, maybe, naive, utc

if TYPE_CHECKING:
    from engine.ports import Database, Lease
    from engine.runs import NewEvent


class MemoryStore(MemoryQueue, MemoryAccounts, MemoryEvidence):
    """The engine's ports (``engine.ports.Store``) on one transaction's copy of the state;
    what it returns are copies too, changed in the store only when written back."""

    def __init__(self, state: State) -> None:
        self.state = state

    def sop_text(self, sha256: str) -> str:
        """The SOP content stored under this hash (KeyError if there is none)."""
        return self.state.versions[sha256].text

    def save_sop_version(self, sop_id: str, sha256: str, text: str, path: str,
                         at: dt.datetime) -> int:
        """Store an SOP content once; return its version id."""
        if sha256 not in self.state.versions:
            self.state.versions[sha256] = Version(self.state.new_id("sop_versions"), sop_id,
                                                   sha256, text, path, utc(at))
        return self.state.versions[sha256].id

    def find_run(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the run of this SOP, unit and period that is not cancelled, if any."""
        return next((r.id for r in self.state.runs.values()
                     if (r.sop_id, r.unit, r.period) == (sop_id, unit, period)
                     and r.status != CANCELLED), None)

    def find_cancelled(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the latest cancelled run of this SOP, unit and period, if any."""
        return max((r.id for r in self.state.runs.values()
                    if (r.sop_id, r.unit, r.period) == (sop_id, unit, period)
                    and r.status == CANCELLED), default=None)

    def add_fields(self, run_id: int, fields: Sequence[RunField]) -> None:
        """Keep a run's case fields."""
        self.state.fields.setdefault(run_id, []).extend(fields)

    def fields(self, run_ids: Sequence[int]) -> dict[int, list[RunField]]:
        """The case fields of some runs, by run id."""
        return {r: list(self.state.fields[r]) for r in run_ids if self.state.fields.get(r)}

    def next_register(self, sop_id: str, unit: str, year: int) -> int:
        """The next running number of the year (writers are serialised: no gap, no double)."""
        key = (sop_id, unit, year)
        self.state.counters[key] = self.state.counters.get(key, 0) + 1
        return self.state.counters[key]

    def add_run(self, run: Run, sop_version_id: int) -> int:
        """Insert a run; return its id (DuplicateRun if one exists for SOP+unit+period)."""
        existing = self.find_run(run.sop_id, run.unit, run.period)
        if existing is not None:
            raise DuplicateRun(run.sop_id, run.unit, run.period, existing)
        sha256 = {v.id: sha for sha, v in self.state.versions.items()}[sop_version_id]
        run_id = self.state.new_id("runs")
        self.state.runs[run_id] = replace(run, id=run_id, sop_hash=sha256,
                                          started_at=utc(run.started_at), finished_at=None,
                                          cancel_reason=None, due_at=maybe(run.due_at))
        return run_id

    def get_run(self, run_id: int, lock: bool = False) -> Run:
        """The run (RunNotFound if there is none); writers are serialised: no lock needed."""
        if (run := self.state.runs.get(run_id)) is None:
            raise RunNotFound(str(run_id))
        return replace(run)

    def update_run(self, run: Run) -> None:
        """Write the run if its version is unchanged since read, else ConcurrentChange."""
        stored = self.state.runs.get(run.id)
        if stored is None or stored.version != run.version:
            raise ConcurrentChange(Text("run {run} was changed by someone else at the same "
                                        "moment; look at the run again and retry", run=run.id))
        stored.status, stored.state, stored.result = run.status, run.state, run.result
        stored.finished_at, stored.cancel_reason = maybe(run.finished_at), run.cancel_reason
        stored.version = run.version + 1
        run.version += 1

    def _tasks(self, keep: Callable[[StepRun], bool]) -> list[StepRun]:
        return [replace(t) for _, t in sorted(self.state.steps.items()) if keep(t)]

    def tasks(self, run_id: int) -> list[StepRun]:
        """Every task of the run, in order of activation."""
        return self._tasks(lambda t: t.run_id == run_id)

    def active_tasks(self, run_id: int) -> list[StepRun]:
        """The run's active tasks, in order of activation."""
        return self._tasks(lambda t: t.run_id == run_id and t.status == ACTIVE)

    def activity_tasks(self, run_id: int, activity_id: str) -> list[StepRun]:
        """Every task of one activity in the run, oldest first."""
        return self._tasks(lambda t: t.run_id == run_id and t.activity_id == activity_id)

    def last_attempt(self, run_id: int, activity_id: str) -> int:
        """The highest attempt number of an activity in the run (0 if none)."""
        return max((t.attempt for t in self.state.steps.values()
                    if t.run_id == run_id and t.activity_id == activity_id), default=0)

    def add_tasks(self, tasks: Sequence[StepRun]) -> None:
        """Insert tasks (not completed yet: SqlStore inserts no completion); ids in order."""
        for task in tasks:
            task.id = self.state.new_id("step_runs")
            self.state.steps[task.id] = StepRun(
                id=task.id, run_id=task.run_id, activity_id=task.activity_id,
                attempt=task.attempt, actor=task.actor, status=task.status,
                activated_at=utc(task.activated_at), due_at=maybe(task.due_at),
                assignees=tuple(task.assignees), version=task.version, task=task.task,
                activated_by=task.activated_by)

    def update_task(self, task: StepRun) -> None:
        """Write the task if its version is unchanged since read, else ConcurrentChange."""
        stored = self.state.steps.get(task.id)
        if stored is None or stored.version != task.version:
            if stored is not None and stored.completed_by:
                raise ConcurrentChange(Text("step `{step}` of run {run} was just completed "
                                            "by {by}", step=task.label, run=task.run_id,
                                            by=stored.completed_by))
            raise ConcurrentChange(Text("step `{step}` of run {run} was changed by someone "
                                        "else at the same moment; try again", step=task.label,
                                        run=task.run_id))
        stored.status, stored.assignees = task.status, tuple(task.assignees)
        stored.completed_at, stored.completed_by = maybe(task.completed_at), task.completed_by
        stored.recorded_at, stored.outcome = maybe(task.recorded_at), task.outcome
        stored.note, stored.on_behalf, stored.version = task.note, task.on_behalf, task.version + 1
        stored.reason = task.reason
        task.version += 1

    def tasks_activated_by(self, task_id: int) -> list[StepRun]:
        """The tasks that the completion of ``task_id`` activated."""
        return self._tasks(lambda t: t.activated_by == task_id)

    def remember_person(self, unit: str, person: Person, at: dt.datetime) -> None:
        """Keep a snapshot of who the person is (name, NIP, roles): one per content."""
        content = canonical_json([person.name, person.nip, list(person.roles)])
        key = (unit, person.id, hashlib.sha256(content.encode()).hexdigest())
        self.state.people.setdefault(key, (person, utc(at)))

    def append_events(self, events: Sequence[NewEvent],
                      recorded_at: dt.datetime) -> list[AuditEvent]:
        """Append events to the hash chain, hashed exactly as SqlStore hashes them."""
        seq, prev = self.state.head
        recorded = naive(recorded_at)
        stored: list[AuditEvent] = []
        for new in events:
            seq += 1
            at = naive(new.at)
            data = canonical_json(new.data)
            digest = event_hash(prev, seq, new.run_id, new.step, new.attempt, new.event,
                                new.actor, at, recorded, data)
            stored.append(AuditEvent(seq, new.run_id, new.step, new.attempt, new.event,
                                     new.actor, at.replace(tzinfo=dt.UTC),
                                     recorded.replace(tzinfo=dt.UTC), data, prev, digest))
            prev = digest
        self.state.events.extend(stored)
        self.state.head = (seq, prev)
        return stored

    def list_runs(self, where: RunFilter) -> list[Run]:
        """Runs matching the filter, newest first."""
        text = (where.search or "").strip().lower()

        def found(run: Run) -> bool:
            return not text or text in run.period.lower() or any(
                text in f.value.lower() for f in self.state.fields.get(run.id, ()))

        return [replace(r) for _, r in sorted(self.state.runs.items(), reverse=True)
                if (not where.sop or r.sop_id == where.sop)
                and (not where.status or r.status == where.status)
                and (not where.period or r.period == where.period)
                and (not where.unit or r.unit == where.unit) and found(r)]

    def summary(self, now: dt.datetime) -> Summary:
        """Runs by status, reminders due and failed, and the audit trail's head."""
        runs: dict[str, int] = {}
        for run in self.state.runs.values():
            runs[run.status] = runs.get(run.status, 0) + 1
        owed = [r.reminder for r in self.state.reminders.values()]
        due = sum(r.status == "pending" and r.due_at <= utc(now) for r in owed)
        failed = sum(r.status == "failed" for r in owed)
        seq, digest = self.state.head
        last = self.state.events[-1].recorded_at if self.state.events else None
        return Summary(runs, due, failed, seq, digest, last)

    def late_runs(self, now: dt.datetime) -> list[Run]:
        """Active runs past their service deadline, the longest late first."""
        at = utc(now)
        late = [r for r in self.state.runs.values()
                if r.status == ACTIVE and r.due_at is not None and r.due_at < at]
        return [replace(r) for r in sorted(late, key=lambda r: (r.due_at, r.id))]

    def open_tasks(self, due_before: dt.datetime | None = None,
                   runs: Sequence[int] | None = None) -> list[tuple[Run, StepRun]]:
        """Active tasks with their runs (only those due before a time, or of some runs),
        soonest due first; tasks without a due time come last."""
        limit = None if due_before is None else utc(due_before)
        wanted = None if runs is None else set(runs)
        found = self._tasks(lambda t: t.status == ACTIVE
                            and (limit is None or (t.due_at is not None and t.due_at < limit))
                            and (wanted is None or t.run_id in wanted))
        found.sort(key=lambda t: (t.due_at is None, t.due_at or dt.datetime.min, t.id))
        return [(replace(self.state.runs[t.run_id]), t) for t in found]

    def history(self, where: HistoryFilter) -> list[AuditEvent]:
        """Audit events matching the filter, oldest first (SOP, unit, period: runs' only)."""
        since = None if not where.since else utc(where.since)
        until = None if not where.until else utc(where.until)
        by_run = bool(where.sop or where.unit or where.period)
        runs = {r.id for r in self.list_runs(RunFilter(where.sop, None, where.period, where.unit))}
        return [e for e in self.state.events
                if (not by_run or e.run_id in runs) and (where.run is None or e.run_id == where.run)
                and (not where.actor or e.actor == where.actor)
                and (since is None or e.at >= since) and (until is None or e.at <= until)
                and (not where.event or e.event == where.event)]

    def audit_head(self) -> tuple[int, str]:
        """The last sequence number and hash of the chain."""
        return self.state.head

    def audit_events(self, run: int | None = None) -> Iterator[AuditEvent]:
        """Every audit event (or one run's), in order of their sequence numbers."""
        return iter([e for e in self.state.events if run is None or e.run_id == run])

    def _event(self, seq: int) -> AuditEvent | None:
        events = self.state.events  # seq n is at index n - 1: the chain has no gaps
        return events[seq - 1] if 1 <= seq <= len(events) else None

    def audit_hash(self, seq: int) -> str | None:
        """The hash of event ``seq`` (None if there is none)."""
        return event.hash if (event := self._event(seq)) else None

    def audit_prev_hash(self, seq: int) -> str | None:
        """The previous-hash field of event ``seq`` (None if there is none)."""
        return event.prev_hash if (event := self._event(seq)) else None

class MemoryLease:
    """One daemon per MemoryDatabase at a time, as on SQLite."""

    def __init__(self, database: MemoryDatabase, me: str) -> None:
        self.database = database
        self.me = me

    def acquire(self) -> None:
        """Take the database's only lease, or refuse (SchedulerBusy) with who holds it."""
        with self.database.guard:
            holder = self.database.lease_holder
            if holder is not None and holder is not self:
                raise SchedulerBusy(Text("another `alur scheduler` ({holder}) is already "
                                         "running on this in-memory database; one runs at a "
                                         "time", holder=holder.me))
            self.database.lease_holder = self

    def alive(self, owner: str) -> bool:
        """Whether ``owner`` holds the lease (only one daemon can)."""
        return (holder := self.database.lease_holder) is not None and holder.me == owner

    def release(self) -> None:
        """Let go of the lease."""
        with self.database.guard:
            if self.database.lease_holder is self:
                self.database.lease_holder = None


class MemoryDatabase:
    """An in-memory database as the engine's ``Database`` port."""

    def __init__(self) -> None:
        self.committed = State()
        self.writer = threading.Lock()  # held for a whole write transaction
        self.guard = threading.Lock()  # for the lease
        self.lease_holder: MemoryLease | None = None

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[MemoryStore]:
        """A transaction on a copy of the state, committed if a write block ends well."""
        if not write:
            yield MemoryStore(copy.deepcopy(self.committed))
            return
        with self.writer:
            store = MemoryStore(copy.deepcopy(self.committed))
            try:
                yield store
            except Exception as exc:
                if getattr(exc, "keeps_changes", False):  # a failed login stays counted
                    self.committed = store.state
                raise
            self.committed = store.state

    def lease(self, me: str) -> MemoryLease:
        """The lease of the daemon ``me`` on this database."""
        return MemoryLease(self, me)

    def dispose(self) -> None:
        """Nothing to close: the rows live as long as the object."""


if TYPE_CHECKING:  # mypy holds the classes to the ports
    _PORTS: tuple[type[Database], type[Lease]] = (MemoryDatabase, MemoryLease)
