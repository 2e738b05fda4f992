"""Working time: weekly office hours, breaks, Ramadan hours and holidays in one zone.

A calendar is a pure function of time. Inputs may be in any zone; they are
converted to the calendar's zone and counted on its local wall clock, span by
span and day by day (each day's spans are computed once and cached).

Minutes are walked through working spans. Working days ("hari") are units: a
position is a working day plus the fraction of that day's working time already
elapsed, so ``Mon 10:00 + 1 hari`` is ``Tue 10:00`` and a short Ramadan day
still counts as one day.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.durations import Duration
from engine.text import Text

Span = tuple[time, time]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOCAL_HOLIDAY = Text("Local holiday")  # an extra holiday of the workspace (a message)

_MON_THU: tuple[Span, ...] = ((time(7, 30), time(12, 0)), (time(13, 0), time(16, 0)))
_FRI: tuple[Span, ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
DEFAULT_HOURS: dict[str, tuple[Span, ...]] = {
    "mon": _MON_THU, "tue": _MON_THU, "wed": _MON_THU, "thu": _MON_THU,
    "fri": _FRI, "sat": (), "sun": (),
}

_ONE_DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
# More consecutive days than this without working time means the calendar has none.
_MAX_IDLE_DAYS = 400
_SPAN = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})\s*")

_Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class _Year:
    """A calendar year at a glance: its working days in order, and the working time of its
    days before each day (``before[i]``: of the days before the i-th of the year, from 0;
    ``before[-1]``: the whole year), so that a count over months costs a lookup."""

    working: tuple[date, ...]
    before: tuple[timedelta, ...]
    shortest: timedelta  # the working time of its shortest working day (0: none)


@dataclass(frozen=True, slots=True)
class HoursOverride:
    """A date range (inclusive) with other office hours, such as Ramadan."""

    start: date
    until: date
    name: str
    hours: Mapping[str, tuple[Span, ...]]

    def __post_init__(self) -> None:
        if self.until < self.start:
            raise ValueError(Text("hours override `{name}`: `until` {until} is before `from` "
                                  "{start}", name=self.name, until=self.until.isoformat(),
                                  start=self.start.isoformat()))
        _week_spans(self.hours, Text("hours override `{name}`", name=self.name))


def parse_span(text: str) -> Span:
    """Read office hours such as ``07:30-12:00`` into a (start, end) pair of times."""
    match = _SPAN.fullmatch(text)
    if match is None:
        raise ValueError(Text("office hours `{hours}`: write a span as HH:MM-HH:MM, such as "
                              "`07:30-12:00`", hours=text))
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    if hour1 > 23 or hour2 > 23 or minute1 > 59 or minute2 > 59:
        raise ValueError(Text("office hours `{hours}`: not a time of day (00:00 to 23:59)",
                              hours=text))
    start, end = time(hour1, minute1), time(hour2, minute2)
    if end <= start:
        raise ValueError(Text("office hours `{hours}`: the end must be after the start",
                              hours=text))
    return start, end


def _check_spans(spans: Sequence[Span], where: str) -> tuple[Span, ...]:
    """Spans of one weekday as a tuple, refusing empty, unordered or overlapping ones."""
    checked = tuple((start, end) for start, end in spans)
    previous_end: time | None = None
    for start, end in checked:
        text = f"{start:%H:%M}-{end:%H:%M}"
        if end <= start:
            raise ValueError(Text("{where}: office hours `{hours}`: the end must be after the "
                                  "start", where=where, hours=text))
        if previous_end is not None and start < previous_end:
            raise ValueError(Text("{where}: office hours `{hours}` overlap or are out of order; "
                                  "list the spans of a day from morning to afternoon",
                                  where=where, hours=text))
        previous_end = end
    return checked


def _week_spans(hours: Mapping[str, Sequence[Span]], where: str) -> dict[int, tuple[Span, ...]]:
    """Weekday key -> spans as weekday number -> checked spans; unknown keys are refused."""
    unknown = sorted(set(hours) - set(WEEKDAYS))
    if unknown:
        raise ValueError(Text("{where}: unknown weekday {unknown}; use {weekdays}", where=where,
                              unknown=", ".join(unknown), weekdays=", ".join(WEEKDAYS)))
    return {WEEKDAYS.index(key): _check_spans(spans, Text("{where}, {day}", where=where, day=key))
            for key, spans in hours.items()}


def _micros(delta: timedelta) -> int:
    """A timedelta as a whole number of microseconds."""
    return delta // _MICROSECOND


HolidaySource = Callable[[str, tuple[str, ...], int], Mapping[date, str]]


def package_holidays(country: str, categories: tuple[str, ...], year: int) -> dict[date, str]:
    """National holidays and cuti bersama of ``year`` from the `holidays` package.

    Names are in the country's own language, not the server's locale.
    """
    import holidays

    try:
        probe = holidays.country_holidays(country, categories=categories)
    except NotImplementedError as error:
        raise ValueError(Text("no holiday list for country `{country}`; use a code such as "
                              "ID, or an empty string for none", country=country)) from error
    except ValueError as error:
        raise ValueError(Text("holiday categories {categories} for `{country}`: {error}",
                              categories=str(list(categories)), country=country,
                              error=str(error))) from error
    listed = holidays.country_holidays(country, categories=categories, years=year,
                                       language=probe.default_language)
    return dict(listed.items())


class WorkCalendar:
    """Working time of one organisation: weekly hours, overrides and holidays in one zone."""

    def __init__(
        self,
        timezone: str = "Asia/Jakarta",
        hours: Mapping[str, Sequence[Span]] | None = None,
        overrides: Sequence[HoursOverride] = (),
        country: str = "ID",
        categories: Sequence[str] = ("public", "government"),
        extra_holidays: Iterable[date] = (),
        removed_holidays: Iterable[date] = (),
        holiday_source: HolidaySource | None = None,
    ) -> None:
        try:
            self.tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(Text("unknown time zone `{zone}`; use a name such as "
                                  "Asia/Jakarta, Asia/Makassar or Asia/Jayapura",
                                  zone=timezone)) from error
        week = _week_spans(DEFAULT_HOURS if hours is None else hours, Text("office hours"))
        self._week = tuple(week.get(number, ()) for number in range(7))
        self._overrides = tuple(
            (item.start, item.until,
             _week_spans(item.hours, Text("hours override `{name}`", name=item.name)))
            for item in overrides
        )
        self._extra = frozenset(extra_holidays)
        self._removed = frozenset(removed_holidays)
        both = sorted(self._extra & self._removed)
        if both:
            raise ValueError(Text("dates both added as holidays and removed from holidays: "
                                  "{days}", days=", ".join(day.isoformat() for day in both)))
        self._country = country
        self._categories = tuple(categories)
        self._holiday_source = holiday_source or package_holidays
        if country and holiday_source is None:
            package_holidays(country, self._categories, 2000)  # check the country early
        self._national: dict[int, dict[date, str]] = {}
        self._spans: dict[date, tuple[_Interval, ...]] = {}
        self._totals: dict[date, timedelta] = {}
        self._years: dict[int, _Year] = {}

    # -- days -----------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The holiday on ``day`` (national, cuti bersama or local), or None."""
        if day in self._removed:
            return None
        if self._country:
            national = self._national.get(day.year)
            if national is None:
                national = self._national[day.year] = dict(
                    self._holiday_source(self._country, self._categories, day.year))
            name = national.get(day)
            if name:
                return name
        return LOCAL_HOLIDAY if day in self._extra else None

    def _hours_of(self, day: date) -> tuple[Span, ...]:
        """The office hours of ``day``'s weekday; the first override covering it wins."""
        weekday = day.weekday()
        for start, until, hours in self._overrides:
            if start <= day <= until and weekday in hours:
                return hours[weekday]
        return self._week[weekday]

    def spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """That day's working spans as aware local datetimes (empty on days off)."""
        cached = self._spans.get(day)
        if cached is None:
            hours = self._hours_of(day)
            if hours and self.holiday_name(day) is not None:
                hours = ()
            cached = tuple((datetime.combine(day, start, self.tz),
                            datetime.combine(day, end, self.tz)) for start, end in hours)
            self._spans[day] = cached
        return cached

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` has office hours and is not a holiday."""
        return bool(self.spans(day))

    def _day_total(self, day: date) -> timedelta:
        """The working time of ``day``."""
        total = self._totals.get(day)
        if total is None:
            total = sum((end - start for start, end in self.spans(day)), timedelta())
            self._totals[day] = total
        return total

    def working_minutes_on(self, day: date) -> int:
        """Working minutes on ``day`` (0 on days off)."""
        return self._day_total(day) // timedelta(minutes=1)

    def _year(self, year: int) -> _Year:
        """The year's working days and running working time (made once, then kept)."""
        known = self._years.get(year)
        if known is None:
            day, working, before = date(year, 1, 1), [], [timedelta()]
            shortest: timedelta | None = None
            while day.year == year:
                total = self._day_total(day)
                if total:
                    working.append(day)
                    shortest = total if shortest is None else min(shortest, total)
                before.append(before[-1] + total)
                day += _ONE_DAY
            known = self._years[year] = _Year(tuple(working), tuple(before),
                                              shortest or timedelta())
        return known

    def shortest_day(self, year: int) -> timedelta:
        """The working time of the year's shortest working day (0 when it has none)."""
        return self._year(year).shortest

    def _days_time(self, low: date, high: date) -> timedelta:
        """The working time of the whole days from ``low`` up to, not including, ``high``."""
        if high <= low:
            return timedelta()
        first, last = self._year(low.year), self._year(high.year)
        low_at = low.timetuple().tm_yday - 1
        high_at = high.timetuple().tm_yday - 1
        if low.year == high.year:
            return first.before[high_at] - first.before[low_at]
        total = first.before[-1] - first.before[low_at] + last.before[high_at]
        for year in range(low.year + 1, high.year):
            total += self._year(year).before[-1]
        return total

    def working_days_from(self, low: date, high: date) -> int:
        """How many working days there are from ``low`` up to, not including, ``high``."""
        count = 0
        for number in range(low.year, high.year + 1):
            days = self._year(number).working
            first = bisect.bisect_left(days, low) if number == low.year else 0
            last = bisect.bisect_left(days, high) if number == high.year else len(days)
            count += max(last - first, 0)
        return count

    def working_days_after(self, start: date, n: int) -> date:
        """The n-th working day after ``start``; n=0 is ``start`` or the next working day.

        Found year by year in the kept list of working days; more than _MAX_IDLE_DAYS days
        in a row without working time is an error (the office hours or holidays are wrong).
        """
        if n < 0:
            raise ValueError(Text("a number of working days cannot be negative ({n})", n=n))
        day = start if n == 0 else start + _ONE_DAY
        left = max(n, 1)
        previous = day - _ONE_DAY  # the last working day seen (or the day before looking)
        number = day.year
        days = self._year(number).working
        at = bisect.bisect_left(days, day)
        while True:
            if at < len(days):
                if (days[at] - previous).days - 1 > _MAX_IDLE_DAYS:
                    raise self._no_working_time(start)
                if left <= len(days) - at:
                    return days[at + left - 1]
                left -= len(days) - at
                previous = days[-1]
            number += 1
            if (date(number, 1, 1) - previous).days - 1 > _MAX_IDLE_DAYS:
                raise self._no_working_time(start)
            days, at = self._year(number).working, 0

    # -- instants -------------------------------------------------------------

    def _local(self, t: datetime) -> datetime:
        """``t`` in the calendar's zone; naive datetimes are refused."""
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError(Text("{time} has no time zone; give an aware datetime (the "
                                  "calendar counts in {zone})", time=t.isoformat(),
                                  zone=self.tz.key))
        return t.astimezone(self.tz)

    def _no_working_time(self, after: date | datetime) -> ValueError:
        return ValueError(Text("the calendar has no working time within {days} days after "
                               "{after}; check its office hours and holidays",
                               days=_MAX_IDLE_DAYS, after=after.isoformat()))

    def _intervals_from(self, t: datetime) -> Iterator[_Interval]:
        """Working intervals from local ``t`` onward; stops after a long stretch without."""
        day = t.date()
        idle = 0
        while idle <= _MAX_IDLE_DAYS:
            idle += 1
            for start, end in self.spans(day):
                if end > t:
                    idle = 0
                    yield max(start, t), end
            day += _ONE_DAY

    def next_working_instant(self, t: datetime) -> datetime:
        """``t`` if it is inside a span (end excluded), else the start of the next span."""
        local = self._local(t)
        for start, _end in self._intervals_from(local):
            return start
        raise self._no_working_time(local)

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``start`` (a span end if used up there)."""
        if minutes < 0:
            raise ValueError(Text("working minutes cannot be negative ({minutes})",
                                  minutes=minutes))
        local = self._local(start)
        if minutes == 0:
            return local
        remaining = timedelta(minutes=minutes)
        for begin, end in self._intervals_from(local):
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise self._no_working_time(local)

    def _position(self, t: datetime) -> tuple[date, Fraction]:
        """Local ``t`` as a working day and the fraction of its working time elapsed."""
        day = t.date()
        spans = self.spans(day)
        if not spans or t <= spans[0][0]:
            return self.working_days_after(day, 0), Fraction(0)
        if t >= spans[-1][1]:
            return day, Fraction(1)
        elapsed = self._overlap(day, spans[0][0], t)
        return day, Fraction(_micros(elapsed), _micros(self._day_total(day)))

    def _at_fraction(self, day: date, fraction: Fraction) -> datetime:
        """The instant of working day ``day`` when ``fraction`` (0 < f <= 1) has elapsed."""
        spans = self.spans(day)
        remaining = timedelta(microseconds=round(fraction * _micros(self._day_total(day))))
        for start, end in spans:
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        return spans[-1][1]

    def add_days(self, start: datetime, days: Fraction) -> datetime:
        """The instant ``days`` working days after ``start``, at the same fraction of the day."""
        if days < 0:
            raise ValueError(Text("working days cannot be negative ({days})", days=str(days)))
        local = self._local(start)
        if days == 0:
            return local
        day, fraction = self._position(local)
        target = fraction + Fraction(days)
        whole = math.floor(target)
        rest = target - whole
        if rest == 0:  # a whole number of days ends at the end of the day before
            whole, rest = whole - 1, Fraction(1)
        return self._at_fraction(self.working_days_after(day, whole), rest)

    def add(self, start: datetime, duration: Duration) -> datetime:
        """When a step of ``duration`` started at ``start`` is due: days first, then minutes.

        A due time that falls exactly at the end of a span moves to when work
        resumes (the same instant in working time): a 60-minute step started at
        15:30 on a Friday ending at 16:30 is due on the next working day.
        """
        local = self._local(start)
        if duration.days:
            local = self.add_days(local, duration.days)
        if duration.minutes:
            local = self.add_minutes(local, duration.minutes)
        if duration.is_zero:
            return local
        return self.next_working_instant(local)

    # -- between --------------------------------------------------------------

    def _overlap(self, day: date, a: datetime, b: datetime) -> timedelta:
        """Working time of ``day`` between local ``a`` and ``b``."""
        total = timedelta()
        for start, end in self.spans(day):
            low, high = max(start, a), min(end, b)
            if high > low:
                total += high - low
        return total

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds of working time from ``a`` to ``b`` (0 if ``b`` is not after ``a``)."""
        a, b = self._local(a), self._local(b)
        if b <= a:
            return 0.0
        first, last = a.date(), b.date()
        total = self._overlap(first, a, b)
        if last > first:
            total += self._days_time(first + _ONE_DAY, last)
            total += self._overlap(last, a, b)
        return total.total_seconds()

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Minutes of working time from ``a`` to ``b`` (0 if ``b`` is not after ``a``)."""
        return self.working_seconds_between(a, b) / 60
