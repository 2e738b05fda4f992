"""The text of reminders: subject, body, webhook payload, in the language in use (the
daemon's: Bahasa Indonesia unless ALUR_LANG says otherwise).

An ``engine.notify.ReminderMessage`` describes one overdue task once; the
text is then written for each person it goes to (``body(message, person)``),
greeting them by name. Level 0 goes to the task's own holders; level 1 and up
are escalations up the ``reports_to`` chain, and tell the superior who is
responsible. When the office serves `alur web` (``message.url``), the text
leads to the step's page (or the person's login link to it); otherwise it
names the command that records the step. The names of the SOP, its
steps, the unit and the people are printed as written; Indonesia's time zones
keep their names (WIB, WITA, WIT) in every language.
"""

from __future__ import annotations

import shlex
import textwrap
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.durations import format_minutes
from engine.notify import ReminderMessage, as_superior
from engine.reminders import NO_HOLDER
from engine.roster import Person
from runners.i18n import _, ngettext, say
from runners.render.dates import weekday_date

# Indonesia's three time zones (Asia/Pontianak keeps WIB too); other zones show the offset.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
              "Asia/Jayapura": "WIT"}
LABEL_WIDTH = 15  # the labels of the body's table are padded to at least this


def zone_name(moment: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones, else the offset such as ``UTC+5:30``."""
    key = getattr(moment.tzinfo, "key", None)
    if key in ZONE_NAMES:
        return ZONE_NAMES[key]
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


def format_day(day: date) -> str:
    """A day as letters write it: ``Senin, 5 Januari 2026`` (``Monday, 5 January 2026``)."""
    return weekday_date(day)


def format_moment(moment: datetime, timezone: str) -> str:
    """An aware time in ``timezone``: ``Senin, 5 Januari 2026 09:00 WIB``."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{format_day(local.date())} {local:%H:%M} {zone_name(local)}"


def _late(minutes: int) -> str:
    return say(format_minutes(minutes))


def subject(message: ReminderMessage) -> str:
    """The one-line subject (e-mail subject, chat title) of the message."""
    escalation = message.is_escalation
    if message.failure is not None:
        name = message.step_name or message.sop_title
        if message.whole_run:
            return (_('[Alur] NOT DELIVERED: escalation of run {run}, service "{name}"')
                    if escalation else
                    _('[Alur] NOT DELIVERED: reminder of run {run}, service "{name}"')
                    ).format(run=message.run_id, name=name)
        return (_('[Alur] NOT DELIVERED: escalation of run {run}, step {step} "{name}"')
                if escalation else
                _('[Alur] NOT DELIVERED: reminder of run {run}, step {step} "{name}"')
                ).format(run=message.run_id, step=message.step_no, name=name)
    if message.whole_run:
        period = message.period + (f" ({message.run_title})" if message.run_title else "")
        return (_('[Alur] Escalation: the service "{sop}" {period} is past its completion '
                  "time by {late}") if escalation else
                _('[Alur] Reminder: the service "{sop}" {period} is past its completion '
                  "time by {late}")).format(sop=message.sop_title, period=period,
                                            late=_late(message.late_minutes))
    return (_('[Alur] Escalation: step {step} "{name}" is {late} late') if escalation else
            _('[Alur] Reminder: step {step} "{name}" is {late} late')).format(
        step=message.step_no, name=message.step_name, late=_late(message.late_minutes))


def complete_commands(message: ReminderMessage, person: Person) -> tuple[str, ...]:
    """The commands that complete the step: as ``person``, or for a superior as each responsible."""
    if message.whole_run:
        return (f"alur run show {message.run_id} --as {shlex.quote(person.id)}",)
    ids = (message.responsible_ids or (_("PERSON"),)) if as_superior(message, person) \
        else (person.id,)
    return tuple(f"alur step complete {message.run_id} {shlex.quote(message.task)} "
                 f"--as {shlex.quote(person_id)}" for person_id in ids)


def _deadline_text(message: ReminderMessage) -> str | None:
    left = message.working_days_left
    if left is None:
        remaining = None
    elif left > 0:
        remaining = ngettext("{n} working day left", "{n} working days left", left).format(
            n=left)
    elif left == 0:
        remaining = _("no working days left")
    else:
        remaining = ngettext("{n} working day past", "{n} working days past", -left).format(
            n=-left)
    if message.deadline is None:
        return remaining
    day = format_day(message.deadline)
    return f"{day} ({remaining})" if remaining else day


def _service(message: ReminderMessage) -> str | None:
    """The service deadline and what is left of it (or how late it is)."""
    if message.service_due_at is None:
        return None
    left = message.service_left_minutes
    due = format_moment(message.service_due_at, message.timezone)
    if left is None:
        return due
    return _("{time} ({left} left)").format(time=due, left=_late(left)) if left >= 0 else \
        _("{time} ({late} late)").format(time=due, late=_late(-left))


def _rows(message: ReminderMessage) -> list[tuple[str, str]]:
    names = ", ".join(message.responsible) or _("(no holder yet)")
    rows = [(_("SOP"), f"{message.sop_title} ({message.sop_id})"),
            (_("Unit"), message.unit_name),
            (_("Period"), message.period),
            (_("Run"), str(message.run_id))]
    if message.run_title:
        rows.append((_("Regarding"), message.run_title))
    if message.whole_run:
        rows += [(_("Active step"), message.task or "-"),
                 (_("Done by"), names)]
    else:
        step = f"{message.step_no}. {message.step_name}"
        if message.attempt > 1:
            step = _("{step} (attempt number {n})").format(step=step, n=message.attempt)
        rows += [(_("Step"), step),
                 (_("Deadline"), format_moment(message.due_at, message.timezone)),
                 (_("Late by"), _("{late} (working time)").format(
                     late=_late(message.late_minutes))),
                 (_("Actor"), f"{message.actor_title}: {names}")]
    service = _service(message)
    if service:
        rows.append((_("Service deadline"), service))
    deadline = _deadline_text(message)
    if deadline:
        rows.append((_("Run deadline"), deadline))
    return rows


def _table(rows: list[tuple[str, str]]) -> list[str]:
    """``Label : value`` lines, the labels padded to one width."""
    width = max([LABEL_WIDTH, *(len(label) for label, _value in rows)])
    return [f"{label:<{width}} : {value}" for label, value in rows]


def _fill(text: str, wrap: bool) -> str:
    return textwrap.fill(text, 72) if wrap else text


def body(message: ReminderMessage, person: Person, wrap: bool = True) -> str:
    """The plain-text message to ``person``, in the language in use; its paragraphs wrapped
    at 72 columns for e-mail, or left whole for a chat (``wrap=False``), whose app wraps
    them to the phone's width."""
    role = message.escalation_role_title or _("superior")
    if message.failure is not None:
        return _failure_body(message, person, wrap)
    if message.whole_run:
        opening = _("The service below is past its completion time and not finished yet. "
                    "This message goes to you as its head ({role}).").format(role=role)
    elif as_superior(message, person):
        opening = _("The SOP step below is past its deadline and its actor has not finished "
                    "it yet. This message goes to you as the superior ({role}), escalation "
                    "level {level}.").format(role=role, level=message.level)
    else:
        opening = _("The SOP step below is your task and is past its deadline. Please finish "
                    "it soon.")
        if message.is_escalation:
            opening += " " + _("This reminder has also been passed on to the superior "
                               "({role}).").format(role=role)
    closing, lines = _closing(message, person)
    text = [_("Dear {name},").format(name=person.name), "", _fill(opening, wrap), "",
            *_table(_rows(message)), "", _fill(closing, wrap),
            *(f"    {line}" for line in lines), "", _("An automatic message from Alur.")]
    return "\n".join(text)


def _closing(message: ReminderMessage, person: Person) -> tuple[str, tuple[str, ...]]:
    """What to do next, and where: the step's page on the web when the office has one
    (its link logs the person in when login links are on), else the command to type."""
    link = message.link
    if link is not None:
        if message.whole_run:
            return _("See how it stands in Alur:"), (link,)
        if as_superior(message, person):
            return _("Please make sure the actor finishes it. The step in Alur, where the "
                     "actor records it:"), (link,)
        return _("When it is done, record it in Alur on the step's page (its outcome, a note "
                 "and the document it produced):"), (link,)
    commands = complete_commands(message, person)
    if message.whole_run:
        return _("See how it stands in Alur with the command:"), commands  # one: `run show`
    if as_superior(message, person):
        return (_("Please make sure the actor finishes it. When it is done, the actor "
                  "records it in Alur with the command (any one of them):")
                if len(commands) > 1 else
                _("Please make sure the actor finishes it. When it is done, the actor "
                  "records it in Alur with the command:")), commands
    return _("When it is done, record it in Alur with the command:"), commands  # as themselves


def _failure_body(message: ReminderMessage, person: Person, wrap: bool) -> str:
    """To the operator: a reminder could not be delivered, and why; it will not be retried."""
    opening = (_("An Alur escalation could not be delivered and will not be tried again. "
                 "This message goes to you as Alur's operator.") if message.is_escalation else
               _("An Alur reminder could not be delivered and will not be tried again. "
                 "This message goes to you as Alur's operator."))
    cause = (_("Nobody holds this role in the roster.") if message.failure == NO_HOLDER
             else _("Last error: {error}").format(error=say(message.failure)))
    lines = [_("Dear {name},").format(name=person.name), "", _fill(opening, wrap), "",
             _fill(cause, wrap), "", *_table(_rows(message)), "",
             _("Check the reminder channels and the roster, then see the history with:"),
             f"    alur reminders list --run {message.run_id}", "",
             _("An automatic message from Alur.")]
    return "\n".join(lines)


def payload(message: ReminderMessage, person: Person) -> dict[str, Any]:
    """The JSON-safe webhook payload for ``person`` (text included, times in ISO 8601)."""
    return {
        "type": "alur.failure" if message.failure is not None
        else "alur.escalation" if message.is_escalation else "alur.reminder",
        "failure": message.failure,
        "reminder": message.reminder_id,
        "level": message.level,
        "escalated_to": message.escalation_role_title,
        "run": message.run_id,
        "sop": message.sop_id,
        "sop_title": message.sop_title,
        "unit": message.unit_name,
        "period": message.period,
        "step": message.step_id or None,
        "task": message.task or None,
        "whole_run": message.whole_run,
        "title": message.run_title,
        "service_due_at": message.service_due_at.astimezone(
            ZoneInfo(message.timezone)).isoformat() if message.service_due_at else None,
        "service_left_minutes": message.service_left_minutes,
        "step_no": message.step_no,
        "step_name": message.step_name,
        "attempt": message.attempt,
        "actor": message.actor_title,
        "due_at": message.due_at.astimezone(ZoneInfo(message.timezone)).isoformat(),
        "late_minutes": message.late_minutes,
        "responsible": list(message.responsible),
        "recipient": {"id": person.id, "name": person.name, "email": person.email},
        "to_superior": as_superior(message, person),
        "subject": subject(message),
        "text": body(message, person),
        "deadline": message.deadline.isoformat() if message.deadline else None,
        "working_days_left": message.working_days_left,
        "url": message.link,  # the step's page (a login link to it, when those are on)
        "page_url": message.url,  # the page itself, never a login link
    }
