"""Working time: office hours, breaks, Ramadan hours, holidays and zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine.calendar import (
    DEFAULT_HOURS,
    LOCAL_HOLIDAY,
    WEEKDAYS,
    HoursOverride,
    WorkCalendar,
    parse_span,
)
from engine.durations import Duration
from runners.i18n import say, use_language

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")

_RAMADAN_MON_THU = (parse_span("08:00-12:00"), parse_span("12:30-15:00"))
RAMADAN = HoursOverride(
    start=date(2026, 2, 19), until=date(2026, 3, 19), name="Ramadan 1447 H",
    hours={"mon": _RAMADAN_MON_THU, "tue": _RAMADAN_MON_THU, "wed": _RAMADAN_MON_THU,
           "thu": _RAMADAN_MON_THU,
           "fri": (parse_span("08:00-11:30"), parse_span("12:30-15:30"))},
)
CAL = WorkCalendar(overrides=[RAMADAN])


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
        microsecond: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=WIB)


# -- spans and days -------------------------------------------------------------------------------

def test_parse_span() -> None:
    assert parse_span("07:30-12:00") == (time(7, 30), time(12, 0))
    assert parse_span(" 7:30 \u2013 12:00 ") == (time(7, 30), time(12, 0))


@pytest.mark.parametrize(("text", "words"), [
    ("07:30", "write a span as HH:MM-HH:MM"), ("pagi", "write a span as HH:MM-HH:MM"),
    ("25:00-26:00", "not a time of day"), ("07:30-07:61", "not a time of day"),
    ("12:00-07:30", "the end must be after the start"),
    ("07:30-07:30", "the end must be after the start"),
])
def test_parse_span_refuses(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_span(text)


def test_default_hours_are_the_common_perpres_schedule() -> None:
    assert tuple(DEFAULT_HOURS) == WEEKDAYS
    assert DEFAULT_HOURS["mon"] == (parse_span("07:30-12:00"), parse_span("13:00-16:00"))
    assert DEFAULT_HOURS["fri"] == (parse_span("07:30-11:30"), parse_span("13:00-16:30"))
    assert DEFAULT_HOURS["sat"] == DEFAULT_HOURS["sun"] == ()


def test_working_minutes_on() -> None:
    assert CAL.working_minutes_on(date(2026, 8, 14)) == 450   # Fri: 240 + 210
    assert CAL.working_minutes_on(date(2026, 8, 10)) == 450   # Mon: 270 + 180
    assert CAL.working_minutes_on(date(2026, 3, 2)) == 390    # Ramadan Mon: 240 + 150
    assert CAL.working_minutes_on(date(2026, 3, 13)) == 390   # Ramadan Fri: 210 + 180
    assert CAL.working_minutes_on(date(2026, 8, 15)) == 0     # Saturday
    assert CAL.working_minutes_on(date(2026, 8, 17)) == 0     # Independence Day


def test_spans_are_aware_local_datetimes() -> None:
    assert CAL.spans(date(2026, 8, 14)) == (
        (wib(2026, 8, 14, 7, 30), wib(2026, 8, 14, 11, 30)),
        (wib(2026, 8, 14, 13), wib(2026, 8, 14, 16, 30)),
    )
    assert CAL.spans(date(2026, 8, 17)) == ()
    assert CAL.spans(date(2026, 8, 16)) == ()


def test_national_holidays_and_cuti_bersama_2026() -> None:
    days = [date(2026, 1, 1) + timedelta(n) for n in range(365)]
    assert sum(CAL.holiday_name(day) is not None for day in days) == 25
    assert "Idul Fitri" in (CAL.holiday_name(date(2026, 3, 23)) or "")
    assert CAL.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert CAL.holiday_name(date(2026, 8, 18)) is None
    assert not CAL.is_working_day(date(2026, 3, 18))   # Nyepi cuti bersama
    assert CAL.is_working_day(date(2026, 3, 25))


def test_extra_and_removed_holidays() -> None:
    cal = WorkCalendar(overrides=[RAMADAN], extra_holidays=[date(2026, 7, 2)],
                       removed_holidays=[date(2026, 3, 18), date(2026, 3, 22)])
    assert cal.holiday_name(date(2026, 7, 2)) == LOCAL_HOLIDAY == "Local holiday"
    with use_language("id"):
        assert say(cal.holiday_name(date(2026, 7, 2))) == "Libur daerah"
    assert not cal.is_working_day(date(2026, 7, 2))
    # Wed 07-01 15:30 + 60 min: 30 min Wed until 16:00, Thu 07-02 off, 30 min Fri from 07:30
    assert cal.add_minutes(wib(2026, 7, 1, 15, 30), 60) == wib(2026, 7, 3, 8, 0)
    assert cal.holiday_name(date(2026, 3, 18)) is None
    assert cal.working_minutes_on(date(2026, 3, 18)) == 390   # a Ramadan Wednesday again
    assert not cal.is_working_day(date(2026, 3, 22))           # a Sunday has no hours


def test_no_country_means_no_holidays() -> None:
    cal = WorkCalendar(country="")
    assert cal.holiday_name(date(2026, 8, 17)) is None
    assert cal.working_minutes_on(date(2026, 8, 17)) == 450
    assert WorkCalendar(country="", extra_holidays=[date(2026, 8, 17)]).holiday_name(
        date(2026, 8, 17)) == LOCAL_HOLIDAY


def test_working_days_after() -> None:
    assert CAL.working_days_after(date(2026, 8, 14), 0) == date(2026, 8, 14)
    assert CAL.working_days_after(date(2026, 8, 14), 1) == date(2026, 8, 18)   # Sat, Sun, 17-08
    assert CAL.working_days_after(date(2026, 8, 15), 0) == date(2026, 8, 18)
    assert CAL.working_days_after(date(2026, 8, 14), 3) == date(2026, 8, 20)
    # Tue 03-17, then Nyepi and Idul Fitri 03-18..03-24
    assert CAL.working_days_after(date(2026, 3, 17), 1) == date(2026, 3, 25)


# -- minutes --------------------------------------------------------------------------------------

def test_friday_before_independence_day_long_weekend() -> None:
    # 15:45 + 60 min: 45 min Fri until 16:30; Sat, Sun, Mon 17-08 off; 15 min Tue from 07:30
    start = wib(2026, 8, 14, 15, 45)
    assert CAL.add_minutes(start, 60) == wib(2026, 8, 18, 7, 45)
    assert CAL.add(start, Duration(minutes=60)) == wib(2026, 8, 18, 7, 45)
    assert CAL.working_minutes_between(start, wib(2026, 8, 18, 7, 45)) == 60


def test_minutes_used_up_at_a_span_end_stay_there() -> None:
    # 15:30 + 60 min on a Friday: add_minutes stops at 16:30, the end of the span ...
    assert CAL.add_minutes(wib(2026, 8, 14, 15, 30), 60) == wib(2026, 8, 14, 16, 30)
    # ... but the step is due when work resumes, the next working day (domain.md):
    # Sat, Sun and Mon 17-08 (Independence Day) are off, so Tue 07:30
    assert CAL.add(wib(2026, 8, 14, 15, 30), Duration(minutes=60)) == wib(2026, 8, 18, 7, 30)
    # 11:00 + 60 min on a Monday: exactly the morning (until 12:00)
    assert CAL.add_minutes(wib(2026, 8, 10, 11), 60) == wib(2026, 8, 10, 12)


def test_break_crossing() -> None:
    # Mon 11:30 + 60 min: 30 min until 12:00, break, 30 min from 13:00
    assert CAL.add_minutes(wib(2026, 8, 10, 11, 30), 60) == wib(2026, 8, 10, 13, 30)
    # started in the break: 45 min from 13:00
    assert CAL.add_minutes(wib(2026, 8, 10, 12, 15), 45) == wib(2026, 8, 10, 13, 45)


def test_ramadan_day() -> None:
    # Thu 02-26 14:00 + 120 min: 60 min Thu until 15:00, 60 min Fri from 08:00
    assert CAL.add_minutes(wib(2026, 2, 26, 14), 120) == wib(2026, 2, 27, 9)
    # Thu 03-19 is Nyepi; the first day after the override uses the weekly hours again
    assert CAL.add_minutes(wib(2026, 3, 17, 14, 30), 60) == wib(2026, 3, 25, 8)   # 30 + 30


def test_zero_minutes_and_refusals() -> None:
    start = datetime(2026, 8, 15, 3, tzinfo=UTC)   # Saturday 10:00 WIB
    assert CAL.add_minutes(start, 0) == wib(2026, 8, 15, 10)
    assert CAL.add_minutes(start, 0).tzinfo is CAL.tz
    with pytest.raises(ValueError, match="cannot be negative"):
        CAL.add_minutes(start, -1)
    with pytest.raises(ValueError, match="has no time zone"):
        CAL.add_minutes(datetime(2026, 8, 14, 10), 5)
    with pytest.raises(ValueError, match="has no time zone"):
        CAL.working_minutes_between(datetime(2026, 8, 14, 10), start)


def test_next_working_instant() -> None:
    assert CAL.next_working_instant(wib(2026, 8, 10, 9, 5)) == wib(2026, 8, 10, 9, 5)
    assert CAL.next_working_instant(wib(2026, 8, 10, 12)) == wib(2026, 8, 10, 13)    # span end
    assert CAL.next_working_instant(wib(2026, 8, 10, 6)) == wib(2026, 8, 10, 7, 30)
    assert CAL.next_working_instant(wib(2026, 8, 14, 17)) == wib(2026, 8, 18, 7, 30)


# -- zones ----------------------------------------------------------------------------------------

def test_same_instant_in_any_zone() -> None:
    # Fri 15:45 WIB == 08:45 UTC == 16:45 WITA
    in_utc = datetime(2026, 8, 14, 8, 45, tzinfo=UTC)
    in_wita = datetime(2026, 8, 14, 16, 45, tzinfo=WITA)
    for start in (in_utc, in_wita):
        due = CAL.add_minutes(start, 60)
        assert due == wib(2026, 8, 18, 7, 45)
        assert due.tzinfo is CAL.tz
    assert CAL.working_minutes_between(in_wita, datetime(2026, 8, 18, 0, 45, tzinfo=UTC)) == 60


def test_calendar_in_makassar_uses_its_own_local_hours() -> None:
    cal = WorkCalendar("Asia/Makassar")
    assert cal.tz == WITA
    # 07:00 WIB is 08:00 WITA: inside the Makassar office hours, before the Jakarta ones
    assert cal.next_working_instant(wib(2026, 8, 10, 7)) == datetime(2026, 8, 10, 8, tzinfo=WITA)
    assert CAL.next_working_instant(wib(2026, 8, 10, 7)) == wib(2026, 8, 10, 7, 30)
    # Fri 15:45 WITA + 60 min -> Tue 07:45 WITA (06:45 WIB)
    due = cal.add_minutes(datetime(2026, 8, 14, 15, 45, tzinfo=WITA), 60)
    assert due == datetime(2026, 8, 18, 7, 45, tzinfo=WITA) == wib(2026, 8, 18, 6, 45)


# -- days -----------------------------------------------------------------------------------------

def test_one_day_keeps_the_time_of_day() -> None:
    # Mon 10:00 is 150/450 into Monday; Tuesday 150/450 is 10:00 again
    assert CAL.add_days(wib(2026, 8, 10, 10), Fraction(1)) == wib(2026, 8, 11, 10)
    assert CAL.add(wib(2026, 8, 10, 10), Duration(days=Fraction(1))) == wib(2026, 8, 11, 10)


def test_day_positions_outside_working_time() -> None:
    # before the first span: fraction 0 of Monday; 0.5 * 450 = 225 min from 07:30
    assert CAL.add_days(wib(2026, 8, 10, 6), Fraction(1, 2)) == wib(2026, 8, 10, 11, 15)
    # a whole day from fraction 0 ends at the end of that day
    assert CAL.add_days(wib(2026, 8, 10, 7, 30), Fraction(1)) == wib(2026, 8, 10, 16)
    # after the last span: fraction 1 of Monday, + 1 = the end of Tuesday
    assert CAL.add_days(wib(2026, 8, 10, 17), Fraction(1)) == wib(2026, 8, 11, 16)
    # in the break: 270/450 of Monday, the same on Tuesday is the end of its morning
    assert CAL.add_days(wib(2026, 8, 10, 12, 30), Fraction(1)) == wib(2026, 8, 11, 12)
    # Saturday: fraction 0 of Tue 08-18 (Mon 17-08 is off); + 1 = end of Tuesday
    assert CAL.add_days(wib(2026, 8, 15, 9), Fraction(1)) == wib(2026, 8, 18, 16)
    assert CAL.add_days(wib(2026, 8, 15, 9), Fraction(0)) == wib(2026, 8, 15, 9)


def test_half_day_over_the_long_weekend() -> None:
    # Fri 14:00: (240 + 60)/450 = 2/3; + 1/2 = 7/6 -> Tue 08-18 at 1/6 * 450 = 75 min -> 08:45
    assert CAL.add_days(wib(2026, 8, 14, 14), Fraction(1, 2)) == wib(2026, 8, 18, 8, 45)


def test_days_around_idul_fitri_2026_with_ramadan_hours() -> None:
    # Tue 03-17 11:15 (Ramadan): 195/390 = 1/2; next working day is Wed 03-25 (03-18..24 off),
    # normal hours: 1/2 * 450 = 225 min from 07:30 -> 11:15
    assert CAL.add_days(wib(2026, 3, 17, 11, 15), Fraction(1)) == wib(2026, 3, 25, 11, 15)
    # Mon 03-16 11:15 (1/2) + 2 hari: Tue 03-17 is one, Wed 03-25 two -> 11:15
    assert CAL.add_days(wib(2026, 3, 16, 11, 15), Fraction(2)) == wib(2026, 3, 25, 11, 15)
    # Tue 03-17 10:00: 120/390 = 4/13; Wed 03-25: 4/13 * 450 = 138 min 27.692308 s from 07:30
    assert CAL.add_days(wib(2026, 3, 17, 10), Fraction(1)) == wib(2026, 3, 25, 9, 48, 27, 692308)
    # activated on Wed 03-18 (cuti bersama): fraction 0 of Wed 03-25; 2 hari = end of Thu 03-26
    assert CAL.add_days(wib(2026, 3, 18, 9), Fraction(2)) == wib(2026, 3, 26, 16)
    # Fri 03-13 14:00 (Ramadan): (210 + 90)/390 = 10/13; + 1/2 = 33/26 -> Mon 03-16 at
    # 7/26 * 390 = 105 min from 08:00 -> 09:45
    assert CAL.add_days(wib(2026, 3, 13, 14), Fraction(1, 2)) == wib(2026, 3, 16, 9, 45)


def test_add_applies_days_then_minutes() -> None:
    # Thu 08-13 15:00 + 1 hari = Fri 08-14 at 390/450 of Friday = 15:30; + 90 min:
    # 60 min Fri until 16:30, 30 min Tue 08-18 from 07:30 -> 08:00
    duration = Duration(minutes=90, days=Fraction(1))
    assert CAL.add(wib(2026, 8, 13, 15), duration) == wib(2026, 8, 18, 8)
    assert CAL.add(wib(2026, 8, 13, 15), Duration()) == wib(2026, 8, 13, 15)


# -- between --------------------------------------------------------------------------------------

def test_working_minutes_between() -> None:
    assert CAL.working_minutes_between(wib(2026, 8, 10, 10), wib(2026, 8, 10, 9)) == 0
    # Mon 11:00 -> 14:00: 60 + 60 (break excluded)
    assert CAL.working_minutes_between(wib(2026, 8, 10, 11), wib(2026, 8, 10, 14)) == 120
    # Fri 16:00 -> Wed 08:00: 30 Fri, 450 Tue, 30 Wed
    assert CAL.working_minutes_between(wib(2026, 8, 14, 16), wib(2026, 8, 19, 8)) == 510
    assert CAL.working_seconds_between(wib(2026, 8, 10, 9), wib(2026, 8, 10, 9, 0, 30)) == 30


# -- refused configuration ------------------------------------------------------------------------

def test_configuration_errors() -> None:
    with pytest.raises(ValueError, match="unknown time zone `Asia/Bogor`"):
        WorkCalendar("Asia/Bogor")
    with pytest.raises(ValueError, match="unknown weekday senin"):
        WorkCalendar(hours={"senin": DEFAULT_HOURS["mon"]})
    with pytest.raises(ValueError, match="overlap or are out of order"):
        WorkCalendar(hours={"mon": (parse_span("07:30-12:00"), parse_span("11:00-16:00"))})
    with pytest.raises(ValueError, match="is before"):
        HoursOverride(date(2026, 3, 1), date(2026, 2, 1), "x", {})
    with pytest.raises(ValueError, match="both added as holidays and removed"):
        WorkCalendar(extra_holidays=[date(2026, 7, 2)], removed_holidays=[date(2026, 7, 2)])
    with pytest.raises(ValueError, match="no holiday list for country `XX`"):
        WorkCalendar(country="XX")
    empty = WorkCalendar(hours={}, country="")
    with pytest.raises(ValueError, match="no working time"):
        empty.add_minutes(wib(2026, 8, 10, 10), 1)
    with pytest.raises(ValueError, match="no working time"):
        empty.add_days(wib(2026, 8, 10, 10), Fraction(1))


# -- properties -----------------------------------------------------------------------------------

ZONES = st.sampled_from([WIB, WITA, UTC])
INSTANTS = st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 1),
                        timezones=ZONES)
MINUTE_INSTANTS = INSTANTS.map(lambda t: t.replace(second=0, microsecond=0))
QUARTER_DAYS = st.integers(0, 40).map(lambda n: Fraction(n, 4))
PROPERTY = settings(max_examples=300, deadline=None)


def inside_or_at_span_end(t: datetime) -> bool:
    return any(start < t <= end for start, end in CAL.spans(t.date()))


@PROPERTY
@given(INSTANTS, st.integers(1, 20000))
def test_add_minutes_then_count_gives_them_back(start: datetime, n: int) -> None:
    assert CAL.working_minutes_between(start, CAL.add_minutes(start, n)) == n


@PROPERTY
@given(INSTANTS, st.integers(0, 20000), st.integers(0, 20000))
def test_add_minutes_is_monotonic(start: datetime, n: int, m: int) -> None:
    low, high = sorted((n, m))
    assert CAL.add_minutes(start, low) <= CAL.add_minutes(start, high)


@PROPERTY
@given(INSTANTS, st.integers(1, 20000))
def test_add_lands_in_working_time(start: datetime, n: int) -> None:
    due = CAL.add(start, Duration(minutes=n))
    assert due.tzinfo is CAL.tz
    assert CAL.next_working_instant(due) == due  # inside a span or at its start
    assert CAL.working_minutes_between(CAL.next_working_instant(start), due) == n


@PROPERTY
@given(INSTANTS, INSTANTS, INSTANTS)
def test_working_time_between_is_additive(x: datetime, y: datetime, z: datetime) -> None:
    a, b, c = sorted((x, y, z))
    whole = CAL.working_seconds_between(a, c)
    parts = CAL.working_seconds_between(a, b) + CAL.working_seconds_between(b, c)
    assert parts == pytest.approx(whole, abs=1e-6)


@PROPERTY
@given(INSTANTS, QUARTER_DAYS, QUARTER_DAYS)
def test_add_days_is_monotonic_and_lands_in_working_time(
        start: datetime, d: Fraction, e: Fraction) -> None:
    low, high = sorted((d, e))
    assert CAL.add_days(start, low) <= CAL.add_days(start, high)
    if high:
        assert inside_or_at_span_end(CAL.add_days(start, high))


@PROPERTY
@given(MINUTE_INSTANTS, QUARTER_DAYS.filter(bool), QUARTER_DAYS.filter(bool))
def test_add_days_composes(start: datetime, d: Fraction, e: Fraction) -> None:
    in_two_steps = CAL.add_days(CAL.add_days(start, d), e)
    # fractions map to whole microseconds, so a day of another length may round by 1 µs
    assert abs(in_two_steps - CAL.add_days(start, d + e)) <= timedelta(microseconds=2)


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2026, 6, 1)),
       span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=700)))
@example(start=datetime(2025, 12, 1, 8, 0, 1, 1), span=timedelta(days=114))  # rounding
def test_the_web_counts_whole_days_as_adding_them_one_by_one(start: datetime,
                                                             span: timedelta) -> None:
    """`sisa 3 hari 2 jam` on the web: the quick count (a guess, then a day at a time) of
    the working days that fit between two instants agrees with trying 1, 2, 3 ... days
    from the start. (Adding one day to the day before can land a microsecond later than
    adding them all at once: the fraction of the day is rounded at each step.)"""
    from runners.web.format import MOST_DAYS, whole_days

    begin = start.replace(tzinfo=WIB)
    end = begin + span
    days, at = 0, begin
    while days < MOST_DAYS:
        following = CAL.add_days(begin, Fraction(days + 1))
        if following > end:
            break
        days, at = days + 1, following
    assert whole_days(CAL, begin, end) == (days, at)
    # ... and within a microsecond a day of each working day counted one after another
    chained, step = begin, 0
    while step < days:
        chained, step = CAL.add_days(chained, Fraction(1)), step + 1
    assert abs(chained - at) <= timedelta(microseconds=days)


def _days_after_one_by_one(cal: WorkCalendar, start: date, n: int) -> date:
    """The n-th working day after ``start``, found by looking at each day in turn."""
    day, left = (start if n == 0 else start + timedelta(days=1)), max(n, 1)
    while True:
        if cal.is_working_day(day):
            left -= 1
            if left == 0:
                return day
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 1)),
       n=st.integers(min_value=0, max_value=600))
def test_working_days_counted_by_year_agree_with_looking_at_each_day(start: date,
                                                                     n: int) -> None:
    """The kept list of a year's working days (holidays, Ramadan hours) answers as walking
    the calendar day by day does, across year ends."""
    assert CAL.working_days_after(start, n) == _days_after_one_by_one(CAL, start, n)


LOCAL_TIMES = st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2027, 6, 1))


@settings(max_examples=200, deadline=None)
@given(a=LOCAL_TIMES, b=LOCAL_TIMES)
def test_working_time_between_by_running_totals_agrees_with_adding_each_day(
        a: datetime, b: datetime) -> None:
    a, b = a.replace(tzinfo=WIB), b.replace(tzinfo=WIB)
    expected = timedelta()
    if b > a:
        day = a.date()
        while day <= b.date():
            for start, end in CAL.spans(day):
                low, high = max(start, a), min(end, b)
                if high > low:
                    expected += high - low
            day += timedelta(days=1)
    assert CAL.working_seconds_between(a, b) == expected.total_seconds()


def test_a_year_without_working_time_is_still_an_error() -> None:
    """Office hours only in an override of a few days: after it, nothing for a year."""
    short = WorkCalendar(hours={}, country="", overrides=[HoursOverride(
        start=date(2026, 3, 2), until=date(2026, 3, 6), name="posko",
        hours={"mon": (parse_span("08:00-12:00"),)})])
    assert short.working_days_after(date(2026, 1, 1), 1) == date(2026, 3, 2)
    with pytest.raises(ValueError, match="no working time"):
        short.working_days_after(date(2026, 1, 1), 2)
    with pytest.raises(ValueError, match="no working time"):
        short.working_days_after(date(2026, 3, 3), 1)


@settings(max_examples=100, deadline=None)
@given(low=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 1)),
       high=st.dates(min_value=date(2024, 6, 1), max_value=date(2027, 6, 1)))
def test_working_days_from_one_date_to_another(low: date, high: date) -> None:
    expected = sum(1 for k in range((high - low).days)
                   if CAL.is_working_day(low + timedelta(days=k)))
    assert CAL.working_days_from(low, high) == expected
