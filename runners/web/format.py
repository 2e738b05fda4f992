"""Times, durations and names as the web pages write them, in the language in use:
``Senin, 5 Januari 2026 09.30 WIB``, ``sisa 1 hari 3 jam``, ``terlambat 2 jam 10 menit``."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from typing import Any

from engine.calendar import WorkCalendar
from engine.durations import Duration, format_minutes
from engine.roster import Roster
from runners.attachments import size_text
from runners.i18n import _, ngettext, say, say_ours
from runners.render.dates import long_date, weekday_date
from runners.words import data_word, event_word, run_status, status_word

MOST_DAYS = 400  # a due time further than this many working days is said in days alone


def when(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    """An instant as people write it: ``Senin, 5 Januari 2026 09.30 WIB`` (``-`` for none)."""
    if value is None:
        return "-"
    local = value.astimezone(tz)
    clock = _("{hour}:{minute}").format(hour=f"{local.hour:02d}", minute=f"{local.minute:02d}")
    return _("{date} {time} {zone}").format(date=weekday_date(local.date()), time=clock,
                                            zone=local.strftime("%Z"))


def iso_local(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    """An instant for a ``datetime-local`` input or a ``<time>`` element: ``2026-01-05T09:30``."""
    return "" if value is None else value.astimezone(tz).strftime("%Y-%m-%dT%H:%M")


def minutes(value: int | None) -> str:
    """Working minutes as people say them: ``45 menit``, ``2 jam 10 menit``."""
    return "-" if value is None else say(format_minutes(value))


def duration_text(duration: Duration | None) -> str:
    """A step's standard time as its SOP writes it (else as Alur counts it)."""
    if duration is None:
        return "-"
    return duration.written or say(duration.computed)


def whole_days(calendar: WorkCalendar, start: dt.datetime,
               end: dt.datetime) -> tuple[int, dt.datetime]:
    """How many whole working days (as ``add_days`` counts them from ``start``) fit before
    ``end``, at most MOST_DAYS, and the instant they end (``start`` for none). Guessed from
    the working days between the two dates, then moved a day at a time (a step or two),
    so a task a year late costs a few steps of the calendar, not four hundred."""
    def after(days: int) -> dt.datetime:
        return calendar.add_days(start, Fraction(days)) if days else start

    shortest = min(calendar.shortest_day(start.year), calendar.shortest_day(end.year))
    if end <= start or calendar.working_seconds_between(start, end) < \
            shortest.total_seconds():
        return 0, start  # less than any working day: hours, not days (most tasks)
    days = min(calendar.working_days_from(start.date(), end.date()), MOST_DAYS)
    at = after(days)
    while at > end:  # the guess was too many
        days -= 1
        at = after(days)
    while days < MOST_DAYS:  # ... or too few
        following = after(days + 1)
        if following > end:
            break
        days, at = days + 1, following
    return days, at


def working_span(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> str:
    """The working time from ``start`` to ``end`` in working days and hours: ``1 hari 3 jam``
    (a working day as the calendar counts it, from ``start``)."""
    days, at = whole_days(calendar, start, end)
    rest = round(calendar.working_minutes_between(at, end))
    if not days:
        return minutes(rest)
    day_text = ngettext("{n} day", "{n} days", days).format(n=days)
    if rest == 0:
        return day_text
    return _("{days} {time}").format(days=day_text, time=minutes(rest))


def due_text(calendar: WorkCalendar, due: dt.datetime | None, now: dt.datetime) -> str:
    """How a due time stands, in working time: ``sisa 1 hari 3 jam`` or ``terlambat 2 jam
    10 menit`` (empty without a due time)."""
    if due is None:
        return ""
    if now <= due:
        return _("{left} left").format(left=working_span(calendar, now, due))
    return _("late by {late}").format(late=working_span(calendar, due, now))


def person_name(roster: Roster, person_id: str | None) -> str:
    """A person's name from the roster (their id when they are no longer in it)."""
    if not person_id:
        return "-"
    for unit in roster.units:
        for person in unit.people:
            if person.id == person_id:
                return person.name
    return person_id


def unit_name(roster: Roster, slug: str) -> str:
    """A unit's name from the roster (its slug when it is no longer in it)."""
    return next((u.name for u in roster.units if u.slug == slug), slug)


def event_details(data_text: str, tz: dt.tzinfo, roster: Roster) -> list[tuple[str, str]]:
    """The facts of an audit event worth reading on a timeline, as (label, value) pairs."""
    try:
        data: dict[str, Any] = json.loads(data_text)
    except ValueError:
        return []
    shown: list[tuple[str, str]] = []
    for key in ("outcome", "note", "reason", "on_behalf_of", "result", "period"):
        value = data.get(key)
        if value:
            shown.append((data_word(key), str(value)))
    if data.get("to"):
        shown.append((data_word("to"), person_name(roster, str(data["to"]))))
    if data.get("assignees"):
        shown.append((data_word("assignees"),
                       ", ".join(person_name(roster, str(p)) for p in data["assignees"])))
    files = data.get("evidence")
    if isinstance(files, list) and files:
        shown.append((_("files"), ", ".join(str(f.get("name", "")) for f in files
                                            if isinstance(f, dict))))
    if data.get("channel"):
        shown.append((_("by way of"), channel_word(str(data["channel"]))))
    return shown


def channel_word(channel: str) -> str:
    """Where an action came from, as people say it."""
    if channel == "web":
        return _("the web")
    if channel == "cli":
        return _("the command line")
    if channel == "scheduler":
        return _("the scheduler")
    return channel


def filters() -> dict[str, Any]:
    """The Jinja2 filters that need no workspace."""
    return {"status_word": status_word, "event_word": event_word, "minutes": minutes,
            "duration": duration_text, "said": say_ours, "run_status": run_status,
            "size": size_text, "day": long_date}
