"""Runs of an SOP and their steps: mutable instances that refer to a frozen spec."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from engine.text import Text

ACTIVE = "active"
COMPLETED = "completed"
CANCELLED = "cancelled"
RUN_STATUSES = (ACTIVE, COMPLETED, CANCELLED)
# A task's own ends besides completed and cancelled:
SKIPPED = "skipped"  # an optional step passed over, with a reason
REOPENED = "reopened"  # its completion was undone; a new attempt took its place
WITHDRAWN = "withdrawn"  # activated by a completion that was then undone
DONE = (COMPLETED, SKIPPED)  # a task that let the run move on

# Audit event kinds
RUN_STARTED = "run_started"
STEP_ACTIVATED = "step_activated"
STEP_COMPLETED = "step_completed"
STEP_REASSIGNED = "step_reassigned"
RUN_CANCELLED = "run_cancelled"
RUN_COMPLETED = "run_completed"
REMINDER_SENT = "reminder_sent"
REMINDER_FAILED = "reminder_failed"
STEP_SKIPPED = "step_skipped"
STEP_REOPENED = "step_reopened"
PASSWORD_SET = "password_set"  # web accounts (no run): engine/accounts.py
SESSIONS_ENDED = "sessions_ended"
LOGIN_LINK_MADE = "login_link_made"
EVENT_KINDS = (RUN_STARTED, STEP_ACTIVATED, STEP_COMPLETED, STEP_REASSIGNED, RUN_CANCELLED,
               RUN_COMPLETED, REMINDER_SENT, REMINDER_FAILED, STEP_SKIPPED, STEP_REOPENED,
               PASSWORD_SET, SESSIONS_ENDED, LOGIN_LINK_MADE)


@dataclass(slots=True)
class Run:
    """One run of an SOP for a unit and a period, pinned to the SOP content it started with.

    ``state`` is the state machine's state: the active activity id, an end
    state ``end:<result>``, or ``cancelled``.
    """

    id: int
    sop_id: str
    sop_hash: str
    unit: str
    period: str
    status: str
    state: str
    started_at: dt.datetime
    started_by: str | None
    result: str | None = None
    finished_at: dt.datetime | None = None
    cancel_reason: str | None = None
    version: int = 0
    due_at: dt.datetime | None = None  # the service deadline of the whole run

    @property
    def is_active(self) -> bool:
        """True while steps can still happen."""
        return self.status == ACTIVE


def task_label(activity_id: str, task: str) -> str:
    """How people name a task: the activity id, or ``ACTIVITY/ACTOR`` or ``ACTIVITY/PERSON``
    for one of the tasks of a ``complete: each`` step."""
    return f"{activity_id}/{task}" if task else activity_id


@dataclass(slots=True)
class StepRun:
    """One task of one attempt of an activity in a run (a rework loop makes a new attempt).

    A step done by ``complete: each`` has one task per actor (``task`` is the
    actor's slug) or per person holding its one role (``task`` is the person's
    id); any other step has one task, with ``task`` empty.
    """

    id: int
    run_id: int
    activity_id: str
    attempt: int
    actor: str
    status: str
    activated_at: dt.datetime
    due_at: dt.datetime | None
    assignees: tuple[str, ...] = ()
    completed_at: dt.datetime | None = None
    completed_by: str | None = None
    recorded_at: dt.datetime | None = None
    outcome: str | None = None
    note: str | None = None
    version: int = 0
    task: str = ""
    on_behalf: str | None = None  # the role a superior completed it for ("atas nama")
    activated_by: int | None = None  # the task whose completion activated this one
    reason: str | None = None  # why it was skipped, reopened or withdrawn

    @property
    def label(self) -> str:
        """The task's name: ``format``, ``data-seksi/kasi-tapem``, ``laporan/staf-1``."""
        return task_label(self.activity_id, self.task)


def withdrawn_reason(label: str, why: str) -> Text:
    """Why a task was withdrawn: the completion that activated it, of ``label``, was reopened
    because ``why`` (kept in the task's ``reason`` as this English text)."""
    return Text("`{step}` was reopened: {reason}", step=label, reason=why)


_WITHDRAWN = re.compile(r"`(?P<step>[^`]*)` was reopened: (?P<reason>.*)", re.DOTALL)


def reason_of(step: StepRun) -> str | None:
    """The task's ``reason`` as people read it: what the person wrote (skipped, reopened), or
    for a withdrawn task the message saying which reopening withdrew it (a ``Text``)."""
    if step.status == WITHDRAWN and step.reason is not None:
        found = _WITHDRAWN.fullmatch(step.reason)
        if found is not None:
            return withdrawn_reason(found["step"], found["reason"])
    return step.reason


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An audit event about to be appended (the store gives it its seq and hashes)."""

    run_id: int | None
    event: str
    actor: str | None
    at: dt.datetime
    step: str | None = None
    attempt: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A stored audit event with its place in the hash chain."""

    seq: int
    run_id: int | None
    step: str | None
    attempt: int | None
    event: str
    actor: str | None
    at: dt.datetime
    recorded_at: dt.datetime
    data: str  # canonical JSON text, hashed as stored
    prev_hash: str
    hash: str


PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
RETIRED = "retired"
REMINDER_STATUSES = (PENDING, SENDING, SENT, FAILED, RETIRED)


@dataclass(slots=True)
class Reminder:
    """A reminder owed by an active step: level 0 to its holders, 1+ escalations upward."""

    id: int
    run_id: int
    step_run_id: int | None  # None: the whole run, past its service deadline
    level: int
    planned_at: dt.datetime  # when the policy planned it (working time)
    due_at: dt.datetime  # when to try next: the plan, or later after a failed try
    status: str
    recipients: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    attempts: int = 0
    last_error: str | None = None
    sent_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One try to reach one person through one channel."""

    reminder_id: int
    person_id: str
    channel: str
    at: dt.datetime
    ok: bool
    detail: str
