"""What the engine needs from storage, as protocols (storage implements them).

- ``RunStore``: one transaction's view of runs, tasks, SOP versions and the audit
  trail, for the use cases that change runs;
- ``RunQueries``: the reads (run lists, open tasks, history, the audit chain);
- ``ReminderQueue``: the reminders owed, claimed by daemons and finished once;
- ``Store``: all three, as one open transaction;
- ``Database``: opens transactions; ``Lease``: tells which daemons are alive.

``storage.store`` (SQLite, PostgreSQL) and ``storage.memory`` implement them;
``tests/test_store_contract.py`` holds both to the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from engine.accounts import Account, LoginLink, Session
from engine.cases import RunField
from engine.evidence import Evidence
from engine.roster import Person
from engine.runs import AuditEvent, Delivery, NewEvent, Reminder, Run, StepRun


class RunStore(Protocol):
    """One transaction's view of runs, tasks, SOP versions and the audit trail."""

    def sop_text(self, sha256: str) -> str:
        """The SOP content stored under this hash."""
        ...

    def save_sop_version(self, sop_id: str, sha256: str, text: str, path: str,
                         at: dt.datetime) -> int:
        """Store an SOP content once; return its version id."""
        ...

    def find_run(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the run of this SOP, unit and period, if any."""
        ...

    def find_cancelled(self, sop_id: str, unit: str, period: str) -> int | None:
        """The id of the latest cancelled run of this SOP, unit and period, if any."""
        ...

    def add_run(self, run: Run, sop_version_id: int) -> int:
        """Insert a run; return its id (DuplicateRun if one exists for SOP+unit+period)."""
        ...

    def get_run(self, run_id: int, lock: bool = False) -> Run:
        """The run (RunNotFound if there is none); ``lock`` holds it until the transaction
        ends, so that changes to one run happen one after the other."""
        ...

    def update_run(self, run: Run) -> None:
        """Write the run if nobody changed it since it was read (else ConcurrentChange)."""
        ...

    def tasks(self, run_id: int) -> list[StepRun]:
        """Every task of the run, in order of activation."""
        ...

    def active_tasks(self, run_id: int) -> list[StepRun]:
        """The run's active tasks, in order of activation (finished ones are not read)."""
        ...

    def activity_tasks(self, run_id: int, activity_id: str) -> list[StepRun]:
        """Every task of one activity in the run, oldest first."""
        ...

    def last_attempt(self, run_id: int, activity_id: str) -> int:
        """The highest attempt number of an activity in the run (0 if none)."""
        ...

    def tasks_activated_by(self, task_id: int) -> list[StepRun]:
        """The tasks that the completion of ``task_id`` activated."""
        ...

    def add_fields(self, run_id: int, fields: Sequence[RunField]) -> None:
        """Keep a run's case fields."""
        ...

    def fields(self, run_ids: Sequence[int]) -> dict[int, list[RunField]]:
        """The case fields of some runs, by run id."""
        ...

    def next_register(self, sop_id: str, unit: str, year: int) -> int:
        """The next running number of the year for an SOP and unit: no gaps, no duplicates,
        even when runs start at the same moment (the counter stays locked until commit)."""
        ...

    def add_run_reminder(self, run_id: int, level: int, due_at: dt.datetime,
                         now: dt.datetime) -> None:
        """Owe a reminder about the whole run (past its service deadline), to ``level``."""
        ...

    def add_tasks(self, tasks: Sequence[StepRun]) -> None:
        """Insert tasks; each gets its id."""
        ...

    def update_task(self, task: StepRun) -> None:
        """Write the task if nobody changed it since it was read (else ConcurrentChange)."""
        ...

    def remember_person(self, unit: str, person: Person, at: dt.datetime) -> None:
        """Keep a snapshot of who the person is (name, NIP, roles) when they act."""
        ...

    def add_reminders(self, run_id: int, owed: Sequence[tuple[int, dt.datetime]],
                      now: dt.datetime, level: int = 0) -> None:
        """Owe reminders of ``level`` to tasks (task id, due time), in the same transaction
        as the change that made them due."""
        ...

    def retire_reminders(self, step_run_id: int) -> int:
        """Retire what a task still owes; return how many."""
        ...

    def append_events(self, events: Sequence[NewEvent],
                      recorded_at: dt.datetime) -> list[AuditEvent]:
        """Append events to the hash-chained audit trail."""
        ...


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Which runs to list; None means any."""

    sop: str | None = None
    status: str | None = None
    period: str | None = None
    unit: str | None = None
    search: str | None = None  # in the period (register number) or any case field's value


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which audit events to list; None means any."""

    run: int | None = None
    sop: str | None = None
    unit: str | None = None
    period: str | None = None
    actor: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    event: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """The database at a glance (`alur status`)."""

    runs: dict[str, int]  # by status
    reminders_due: int  # pending and due by the time asked
    reminders_failed: int
    audit_seq: int
    audit_hash: str
    last_event_at: dt.datetime | None


class RunQueries(Protocol):
    """The reads: runs, open tasks, audit events and reminders (one read transaction)."""

    def summary(self, now: dt.datetime) -> Summary:
        """Runs by status, reminders due and failed, and the audit trail's head."""
        ...

    def sop_text(self, sha256: str) -> str:
        """The SOP content stored under this hash."""
        ...

    def get_run(self, run_id: int, lock: bool = False) -> Run:
        """The run (RunNotFound if there is none)."""
        ...

    def tasks(self, run_id: int) -> list[StepRun]:
        """Every task of the run, in order of activation."""
        ...

    def list_runs(self, where: RunFilter) -> list[Run]:
        """Runs matching the filter, newest first."""
        ...

    def fields(self, run_ids: Sequence[int]) -> dict[int, list[RunField]]:
        """The case fields of some runs, by run id."""
        ...

    def late_runs(self, now: dt.datetime) -> list[Run]:
        """Active runs past their service deadline, the longest late first."""
        ...

    def open_tasks(self, due_before: dt.datetime | None = None,
                   runs: Sequence[int] | None = None) -> list[tuple[Run, StepRun]]:
        """Active tasks with their runs (only those due before a time, or of some runs),
        soonest due first."""
        ...

    def history(self, where: HistoryFilter) -> list[AuditEvent]:
        """Audit events matching the filter, oldest first."""
        ...

    def audit_head(self) -> tuple[int, str]:
        """The last sequence number and hash of the chain (its head row)."""
        ...

    def audit_events(self, run: int | None = None) -> Iterator[AuditEvent]:
        """Every audit event (or one run's), in order of their sequence numbers."""
        ...

    def audit_hash(self, seq: int) -> str | None:
        """The hash of event ``seq`` (None if there is none)."""
        ...

    def audit_prev_hash(self, seq: int) -> str | None:
        """The previous-hash field of event ``seq`` (None if there is none)."""
        ...

    def list_reminders(self, run_id: int | None = None,
                       status: str | None = None) -> list[tuple[Reminder, StepRun | None]]:
        """Reminder rows with the task each is for (None: the whole run), soonest due
        first."""
        ...


class ReminderQueue(Protocol):
    """The reminders owed by tasks: claimed by a daemon, sent, and finished once."""

    def claim_reminders(self, now: dt.datetime, me: str, limit: int) -> list[int]:
        """Claim due reminders for the daemon ``me``; others skip the rows it claimed."""
        ...

    def release_orphans(self, me: str, alive: Callable[[str], bool]) -> int:
        """Give back claims of daemons that died while sending."""
        ...

    def get_reminder(self, reminder_id: int) -> Reminder:
        """One reminder row."""
        ...

    def get_step(self, step_run_id: int) -> StepRun:
        """One task by its row id."""
        ...

    def get_run(self, run_id: int, lock: bool = False) -> Run:
        """The run (RunNotFound if there is none)."""
        ...

    def delivered(self, reminder_id: int) -> set[tuple[str, str]]:
        """(person, channel) pairs already reached for this reminder."""
        ...

    def add_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Record how each try went."""
        ...

    def finish_reminder(self, reminder: Reminder, me: str | None) -> bool:
        """Write a reminder's outcome if still claimed by ``me``; False if it was not."""
        ...


class AccountStore(Protocol):
    """Web accounts, sessions and login links (engine/accounts.py has the rules)."""

    def account(self, person_id: str, lock: bool = False) -> Account | None:
        """The account of a person, if one was made (``lock``: held until the transaction
        ends, so that two failed logins at once both count)."""
        ...

    def save_account(self, account: Account) -> None:
        """Insert or update an account."""
        ...

    def accounts(self) -> list[Account]:
        """Every account, by person id."""
        ...

    def add_session(self, session: Session) -> None:
        """Keep a new session."""
        ...

    def session(self, id_hash: str) -> Session | None:
        """A session by the hash of its id (ended ones too)."""
        ...

    def touch_session(self, id_hash: str, at: dt.datetime) -> None:
        """Note that a session was used at ``at``."""
        ...

    def end_sessions(self, person_id: str, at: dt.datetime,
                     id_hash: str | None = None) -> int:
        """End a person's open sessions (only ``id_hash`` when given); how many."""
        ...

    def last_seen(self) -> dict[str, dt.datetime]:
        """When each person's sessions were last used, by person id."""
        ...

    def add_login_link(self, link: LoginLink) -> None:
        """Keep a new login link."""
        ...

    def login_link(self, token_hash: str) -> LoginLink | None:
        """A login link by the hash of its token."""
        ...

    def use_login_link(self, token_hash: str, at: dt.datetime) -> bool:
        """Mark a link used; True only for the one call that used it (two clicks at once:
        one wins)."""
        ...


class EvidenceStore(Protocol):
    """Evidence files: contents once per SHA-256, and which task carried which file."""

    def put_blob(self, sha256: str, mime: str, content: bytes, at: dt.datetime) -> None:
        """Store a content under its hash, unless it is stored already."""
        ...

    def blob(self, sha256: str) -> bytes:
        """A stored content (LookupError when there is none)."""
        ...

    def add_evidence(self, items: Sequence[Evidence]) -> list[Evidence]:
        """Attach files to tasks; the rows with their ids."""
        ...

    def evidence(self, run_id: int, step_run_id: int | None = None) -> list[Evidence]:
        """The files of a run (or of one task), in order of attachment."""
        ...

    def get_evidence(self, evidence_id: int) -> Evidence | None:
        """One attached file by its id."""
        ...

    def blobs(self) -> Iterator[tuple[str, bytes]]:
        """Every stored content with the hash it is stored under (one at a time)."""
        ...


class Store(RunStore, RunQueries, ReminderQueue, AccountStore, EvidenceStore, Protocol):
    """Everything storage offers, as one open transaction."""


class Lease(Protocol):
    """Which reminder daemons are alive (a file lock on SQLite, advisory locks on PostgreSQL)."""

    def acquire(self) -> None:
        """Take this daemon's lease (SchedulerBusy where only one daemon may run)."""
        ...

    def alive(self, owner: str) -> bool:
        """Whether the daemon ``owner`` still holds its lease."""
        ...

    def release(self) -> None:
        """Let go of the lease."""
        ...


class Database(Protocol):
    """Where runs are kept: opens transactions and leases."""

    def transaction(self, write: bool = True) -> AbstractContextManager[Store]:
        """One transaction: committed when the block ends without an error, else rolled
        back, unless the error's ``keeps_changes`` is true (a failed login stays counted);
        a read transaction is never committed."""
        ...

    def lease(self, me: str) -> Lease:
        """The lease of the daemon ``me`` on this database."""
        ...

    def dispose(self) -> None:
        """Close every connection."""
        ...
