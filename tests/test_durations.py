"""Standard times as clerks write them; days stay working days."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.durations import Duration, DurationError, format_minutes, parse_duration


@pytest.mark.parametrize(("text", "minutes", "days"), [
    ("60", 60, 0), ("10 Menit", 10, 0), ("10menit", 10, 0), ("45 m", 45, 0), ("30min", 30, 0),
    ("1 jam", 60, 0), ("1,5 jam", 90, 0), ("1.5 jam", 90, 0), ("2 Jam", 120, 0),
    ("2h", 120, 0), ("2 hours", 120, 0), ("1 jam 30 menit", 90, 0), ("2 jam kerja", 120, 0),
    ("1 hari", 0, 1), ("2 HARI", 0, 2), ("3 hari kerja", 0, 3), ("0,5 hari", 0, Fraction(1, 2)),
    ("1 day", 0, 1), ("2 days", 0, 2), ("3d", 0, 3), ("1 minggu", 0, 5), ("2 weeks", 0, 10),
    ("1 w", 0, 5), ("3 (tiga) hari kerja", 0, 3), ("1 hari 2 jam", 120, 1),
])
def test_accepted_forms(text: str, minutes: int, days: Fraction) -> None:
    assert parse_duration(text) == Duration(minutes, Fraction(days))


@pytest.mark.parametrize(("text", "words"), [
    ("", "a duration is needed"),
    ("0", "must be more than 0"),
    ("0 jam", "must be more than 0"),
    ("-5 menit", "must be more than 0"),
    ("2 bulan", "unknown unit `bulan` in `2 bulan`; accepted units: menit|min|m, "
                "jam|hour|hours|h, hari|hari kerja|day|days|d, minggu|week|weeks|w"),
    ("30 detik", "unknown unit `detik`"),
    ("sebentar", "cannot read `sebentar` as a duration"),
    ("1x24 jam", "write `1 hari`"),
    ("3 x 24 Jam", "write `3 hari`"),
    ("5-10 menit", "is a range"),
    ("2,5 menit", "not a whole number of minutes"),
    ("1 jam 30", "every number needs a unit"),
])
def test_refused_forms_say_what_is_accepted(text: str, words: str) -> None:
    with pytest.raises(DurationError, match=None) as caught:
        parse_duration(text)
    assert words in str(caught.value)


def test_days_are_not_24_hours() -> None:
    assert parse_duration("1 hari").minutes == 0
    assert parse_duration("1 hari").days == 1


@pytest.mark.parametrize(("minutes", "text"), [
    (3, "3 menit"), (60, "60 menit"), (90, "90 menit"), (120, "2 jam"), (723, "12 jam 3 menit"),
])
def test_minutes_read_as_people_say_them(minutes: int, text: str) -> None:
    assert format_minutes(minutes) == text


def test_duration_text_and_sum() -> None:
    total = parse_duration("60") + parse_duration("1,5 hari")
    assert str(total) == "1,5 hari kerja + 60 menit"
