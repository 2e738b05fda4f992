"""Sending what is due: prepare a claimed reminder, then record how its deliveries went.

The daemon claims due rows (one short transaction), prepares each one
(another), sends it outside any transaction, recording each delivery as it
is made, and records the result in a last one: the reminder's status, the
next reminder the step is owed and the audit event, together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from engine import reminder_policy as policy
from engine.cases import title_of
from engine.errors import AlurError
from engine.notify import ReminderMessage
from engine.ports import ReminderQueue, RunStore
from engine.reads import service_left
from engine.roster import Person, Unit
from engine.runs import (
    ACTIVE,
    FAILED,
    PENDING,
    REMINDER_FAILED,
    REMINDER_SENT,
    RETIRED,
    SENT,
    Delivery,
    NewEvent,
    Reminder,
    Run,
    StepRun,
)
from engine.services import Env, record_events
from engine.spec import SopSpec
from engine.spec_cache import spec_of
from engine.tasks import task_actors
from engine.text import Text
from engine.views import deadline, late_minutes

MAX_ATTEMPTS = 5
# A reminder's error when it has no one to go to: kept as this English in the database, and
# a message (a Text) to say when shown; a stored error equal to it is this failure.
NO_HOLDER = Text("nobody holds the role")


def retry_delay(attempts: int) -> dt.timedelta:
    """Back off 1, 2, 4, 8 ... minutes (real time) after failed tries."""
    return dt.timedelta(minutes=2 ** max(0, attempts - 1))


class ReminderStore(RunStore, ReminderQueue, Protocol):
    """What sending reminders needs from storage: runs and the reminder queue."""


def claim_due(store: ReminderStore, now: dt.datetime, me: str, limit: int) -> list[int]:
    """Claim up to ``limit`` due reminders for the daemon ``me`` (others skip them)."""
    return store.claim_reminders(now, me, limit)


def release_orphans(store: ReminderStore, me: str, alive: Callable[[str], bool]) -> int:
    """Give back what daemons that died while sending had claimed."""
    return store.release_orphans(me, alive)


def record_delivery(store: ReminderStore, delivery: Delivery) -> None:
    """Keep one try to reach one person, as soon as it is made."""
    store.add_deliveries([delivery])


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed reminder ready to send: the message, its recipients, what already went."""

    reminder: Reminder
    message: ReminderMessage
    recipients: tuple[Person, ...]
    done: frozenset[tuple[str, str]]


def _level_roles(spec: SopSpec, step: StepRun, level: int) -> list[str]:
    """The roles a task escalates to at ``level``: one per chain of its actors (``any``
    has several), the top of a shorter chain standing in for the levels above it."""
    chains = [spec.chain(actor) for actor in task_actors(spec, step)]
    return list(dict.fromkeys(roles[min(level, len(roles) - 1)] for roles in chains))


def recipients_for(spec: SopSpec, unit: Unit, step: StepRun, level: int,
                   day: dt.date) -> tuple[Person, ...]:
    """Level 0: the task's assignees; level n: the holders n steps up each chain, and them
    (nobody twice)."""
    known = {p.id: p for p in unit.members()}
    assigned = [known[p] for p in step.assignees if p in known]
    if level == 0:
        return tuple(assigned)
    superiors = [p for role in _level_roles(spec, step, level) for p in unit.holders(role, day)]
    return tuple(dict.fromkeys([*superiors, *assigned]))


def _message(env: Env, reminder: Reminder, run: Run, step: StepRun, spec: SopSpec,
             unit: Unit, level: int, now: dt.datetime, title: str | None) -> ReminderMessage:
    activity = spec.activity(step.activity_id)
    due = deadline(run, spec, env.calendar)
    days_left = None
    if due is not None:
        today = now.astimezone(env.calendar.tz).date()
        days_left = sum(1 for n in range((due - today).days + 1)
                        if env.calendar.is_working_day(today + dt.timedelta(days=n))) \
            if due >= today else 0
    names = {p.id: p.name for p in unit.members()}
    assert step.due_at is not None
    return ReminderMessage(
        reminder_id=reminder.id, level=level,
        escalation_role_title=" / ".join(spec.actor(r).title
                                         for r in _level_roles(spec, step, level))
        if level else None,
        run_id=run.id, sop_id=spec.id, sop_title=spec.title, unit_name=unit.name,
        period=run.period, step_id=step.activity_id, task=step.label, step_no=activity.no,
        step_name=activity.name, attempt=step.attempt,
        actor_title=" / ".join(spec.actor(a).title for a in task_actors(spec, step)),
        responsible=tuple(f"{names.get(p, p)} ({p})" for p in step.assignees),
        responsible_ids=step.assignees,
        due_at=step.due_at, late_minutes=late_minutes(step, env.calendar, now),
        timezone=str(env.calendar.tz), deadline=due, working_days_left=days_left,
        run_title=title, service_due_at=run.due_at,
        service_left_minutes=service_left(env, run.due_at, now))


def _unit(env: Env, slug: str) -> Unit:
    try:
        return env.roster.unit(slug)
    except AlurError:
        return Unit(slug, slug, ())


def _run_message(store: ReminderStore, env: Env, reminder: Reminder, run: Run, spec: SopSpec,
                 unit: Unit, now: dt.datetime) -> tuple[ReminderMessage, tuple[Person, ...]]:
    """The escalation of a run past its service deadline, to the holders of the top roles."""
    assert run.due_at is not None
    active = store.active_tasks(run.id)
    names = {p.id: p.name for p in unit.members()}
    ids = tuple(dict.fromkeys(p for t in active for p in t.assignees))
    day = now.astimezone(env.calendar.tz).date()
    tops = [p for role in spec.top_roles for p in unit.holders(role, day)]
    title = title_of(spec, store.fields([run.id]).get(run.id, []))
    message = ReminderMessage(
        reminder_id=reminder.id, level=max(1, reminder.level),
        escalation_role_title=" / ".join(spec.actor(r).title for r in spec.top_roles) or None,
        run_id=run.id, sop_id=spec.id, sop_title=spec.title, unit_name=unit.name,
        period=run.period, step_id="", task=", ".join(t.label for t in active), step_no=0,
        step_name=spec.title, attempt=1, actor_title="",
        responsible=tuple(f"{names.get(p, p)} ({p})" for p in ids), responsible_ids=ids,
        due_at=run.due_at, late_minutes=-(service_left(env, run.due_at, now) or 0),
        timezone=str(env.calendar.tz), whole_run=True, run_title=title,
        service_due_at=run.due_at, service_left_minutes=service_left(env, run.due_at, now))
    return message, tuple(dict.fromkeys(tops))


def prepare(store: ReminderStore, env: Env, reminder_id: int, me: str,
            now: dt.datetime) -> Outgoing | None:
    """The message and recipients of a claimed reminder; None (retired) if no longer owed."""
    reminder = store.get_reminder(reminder_id)
    run = store.get_run(reminder.run_id)
    spec = spec_of(store, run.sop_hash)
    if reminder.step_run_id is None:  # the whole run, past its service deadline
        if not run.is_active or run.due_at is None:
            reminder.status = RETIRED
            store.finish_reminder(reminder, me)
            return None
        message, people = _run_message(store, env, reminder, run, spec,
                                       _unit(env, run.unit), now)
        return Outgoing(reminder, message, people, frozenset(store.delivered(reminder.id)))
    step = store.get_step(reminder.step_run_id)
    actors = task_actors(spec, step)
    if (step.status != ACTIVE or not run.is_active or step.due_at is None
            or all(spec.actor(a).external for a in actors)):  # the public is not chased
        reminder.status = RETIRED
        store.finish_reminder(reminder, me)
        return None
    unit = _unit(env, run.unit)
    level = min(reminder.level, policy.top_level(spec, actors))
    day = now.astimezone(env.calendar.tz).date()
    title = title_of(spec, store.fields([run.id]).get(run.id, [])) if spec.case else None
    return Outgoing(reminder, _message(env, reminder, run, step, spec, unit, level, now, title),
                    recipients_for(spec, unit, step, level, day),
                    frozenset(store.delivered(reminder.id)))


def _errors(failed: list[Delivery]) -> str:
    """The failed tries as one line: ``person/channel: detail; ...`` (or why none was made)."""
    return "; ".join(d.detail if d.person_id == "-" else f"{d.person_id}/{d.channel}: {d.detail}"
                     for d in failed)[:2000]


def record(store: ReminderStore, env: Env, outgoing: Outgoing, tries: list[Delivery],
           me: str, now: dt.datetime) -> Reminder:
    """Store the reminder's outcome, the next reminder and the audit event.

    The tries themselves were recorded one by one as they were made (so a
    daemon killed half-way never reaches the same person twice).
    """
    reminder = outgoing.reminder
    failed = [d for d in tries if not d.ok]
    if not outgoing.recipients:  # nobody holds the role: no try can reach anyone
        failed = [Delivery(reminder.id, "-", "-", now, False, NO_HOLDER)]
        reminder.attempts = MAX_ATTEMPTS - 1  # no retry: the roster must change first
    reminder.recipients = tuple(p.id for p in outgoing.recipients)
    reminder.channels = tuple(dict.fromkeys(
        [*reminder.channels, *(d.channel for d in tries if d.ok)]))
    reminder.attempts += 1
    run = store.get_run(reminder.run_id)
    if failed and reminder.attempts < MAX_ATTEMPTS:
        reminder.status = PENDING  # tried again later; the people already reached are kept
        reminder.due_at = now + retry_delay(reminder.attempts)
        reminder.last_error = _errors(failed)
        store.finish_reminder(reminder, me)
        return reminder
    reminder.status = FAILED if failed else SENT
    reminder.sent_at = now
    reminder.last_error = _errors(failed) or None
    if not store.finish_reminder(reminder, me):
        return reminder  # retired meanwhile (the step was completed): nothing more owed
    data = {"reminder": reminder.id, "level": outgoing.message.level,
            "recipients": list(reminder.recipients), "channels": list(reminder.channels),
            **({"error": reminder.last_error} if failed else {})}
    kind = REMINDER_FAILED if failed else REMINDER_SENT
    if reminder.step_run_id is None:  # the whole run: escalated to the top once, no more
        record_events(store, env, [NewEvent(run.id, kind, None, now, None, None,
                                            {**data, "whole_run": True})], now)
        return reminder
    step = store.get_step(reminder.step_run_id)
    spec = spec_of(store, run.sop_hash)
    activity = spec.activity(step.activity_id)
    timing = policy.StepTiming(task_actors(spec, step), step.activated_at, step.due_at)
    planned = policy.Plan(reminder.level, reminder.planned_at)
    following = policy.following(spec, activity, timing, planned, env.reminder_defaults,
                                 env.calendar, now)
    store.add_reminders(run.id, [(step.id, following.at)], now, following.level)
    record_events(store, env, [NewEvent(run.id, kind, None, now, step.label, step.attempt,
                                        data)], now)
    return reminder
