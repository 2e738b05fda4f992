"""The tables of the in-memory store (``storage.memory``) and its times, stored as SqlStore
stores them (naive UTC: so the audit hashes are the same)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from engine.audit_chain import GENESIS
from engine.cases import RunField
from engine.roster import Person
from engine.runs import AuditEvent, Delivery, Reminder, Run, StepRun
from storage.convert import from_db, to_db
from storage.memory_accounts import AccountTables
from storage.memory_evidence import EvidenceTables


def naive(value: dt.datetime) -> dt.datetime:
    """A time as SqlStore writes (and hashes) it: naive UTC."""
    stored = to_db(value)  # naive UTC: what SqlStore writes, and hashes
    assert stored is not None
    return stored


def utc(value: dt.datetime) -> dt.datetime:
    """A time as the database gives it back: aware UTC, to the microsecond."""
    return naive(value).replace(tzinfo=dt.UTC)  # as the database gives it back


def maybe(value: dt.datetime | None) -> dt.datetime | None:
    """``utc`` of a time that may be missing."""
    return from_db(to_db(value))


@dataclass(slots=True)
class Version:
    id: int
    sop_id: str
    sha256: str
    text: str
    path: str
    stored_at: dt.datetime


@dataclass(slots=True)
class ReminderRow:
    reminder: Reminder
    created_at: dt.datetime  # never read back, as in SqlStore
    claimed_by: str | None = None
    claimed_at: dt.datetime | None = None


@dataclass(slots=True)
class State:
    """Every table of the database, as committed (or as one transaction changed it)."""

    versions: dict[str, Version] = field(default_factory=dict)  # by content hash
    runs: dict[int, Run] = field(default_factory=dict)
    steps: dict[int, StepRun] = field(default_factory=dict)
    people: dict[tuple[str, str, str], tuple[Person, dt.datetime]] = field(default_factory=dict)
    events: list[AuditEvent] = field(default_factory=list)
    head: tuple[int, str] = (0, GENESIS)
    reminders: dict[int, ReminderRow] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    last_ids: dict[str, int] = field(default_factory=dict)
    fields: dict[int, list[RunField]] = field(default_factory=dict)  # by run
    counters: dict[tuple[str, str, int], int] = field(default_factory=dict)
    accounts: AccountTables = field(default_factory=AccountTables)  # web accounts, sessions
    evidence: EvidenceTables = field(default_factory=EvidenceTables)  # files and blobs

    def new_id(self, table: str) -> int:
        """The next id of ``table``: 1, 2, 3, ..."""
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]
