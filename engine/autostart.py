"""When an SOP's `start:` block says a run is due (pure).

A start day that is not a working day moves to the next working day; the run
begins when that day's work begins. A daemon that was down on the day starts
the run when it comes back, within a catch-up window, so a newly installed
Alur does not start last January's LAKIP in November.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass

from engine.calendar import WorkCalendar
from engine.periods import period_of
from engine.spec import StartSpec

CATCH_UP = dt.timedelta(days=14)


@dataclass(frozen=True, slots=True)
class ScheduledStart:
    """A start the SOP asks for: the period the run reports on and when it begins."""

    period: str
    nominal: dt.date
    at: dt.datetime


def _day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, month_calendar.monthrange(year, month)[1]))


def nominal_dates(start: StartSpec, today: dt.date) -> list[dt.date]:
    """The start dates of this cycle and the one before (newest first)."""
    if start.every == "year":
        assert start.month is not None
        return [_day(today.year - n, start.month, start.day) for n in range(2)]
    step = 3 if start.every == "quarter" else 1
    first = today.month - (today.month - 1) % step
    dates = []
    for n in range(3):
        index = today.year * 12 + first - 1 - n * step
        dates.append(_day(index // 12, index % 12 + 1, start.day))
    return dates


def latest_start(start: StartSpec, calendar: WorkCalendar,
                 now: dt.datetime) -> ScheduledStart | None:
    """The most recent start at or before ``now`` still within the catch-up window."""
    today = now.astimezone(calendar.tz).date()
    for nominal in nominal_dates(start, today):
        effective = calendar.working_days_after(nominal, 0)
        spans = calendar.spans(effective)
        if not spans:
            continue
        begins = spans[0][0]
        if begins <= now:
            if now - begins > CATCH_UP:
                return None
            return ScheduledStart(period_of(start.every, nominal, start.period), nominal,
                                  begins)
    return None
