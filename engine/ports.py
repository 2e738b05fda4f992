"""What the engine needs from storage, as protocols (storage implements them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from engine.roster import Person
from engine.runs import AuditEvent, NewEvent, Run, StepRun


class RunStore(Protocol):
    """One transaction's view of runs, steps, SOP versions and the audit trail."""

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

    def add_run(self, run: Run, sop_version_id: int) -> int:
        """Insert a run; return its id."""
        ...

    def get_run(self, run_id: int) -> Run:
        """The run (RunNotFound if there is none)."""
        ...

    def update_run(self, run: Run) -> None:
        """Write the run if nobody changed it since it was read (else ConcurrentChange)."""
        ...

    def steps(self, run_id: int, active_only: bool = False) -> list[StepRun]:
        """The run's step attempts in order of activation."""
        ...

    def last_attempt(self, run_id: int, activity_id: str) -> int:
        """The highest attempt number of an activity in the run (0 if none)."""
        ...

    def add_step(self, step: StepRun) -> int:
        """Insert a step attempt; return its id."""
        ...

    def update_step(self, step: StepRun) -> None:
        """Write the step if nobody changed it since it was read (else ConcurrentChange)."""
        ...

    def remember_person(self, unit: str, person: Person, at: dt.datetime) -> None:
        """Keep a snapshot of who the person is (name, NIP, roles) when they act."""
        ...

    def add_reminder(self, run_id: int, step_run_id: int, level: int, due_at: dt.datetime,
                     now: dt.datetime) -> int:
        """Owe a reminder, in the same transaction as the change that made it due."""
        ...

    def retire_reminders(self, step_run_id: int) -> int:
        """Retire what a step still owes."""
        ...

    def append_events(self, events: Sequence[NewEvent],
                      recorded_at: dt.datetime) -> list[AuditEvent]:
        """Append events to the hash-chained audit trail."""
        ...
