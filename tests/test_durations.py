"""Standard times as clerks write them; days stay working days."""

from __future__ import annotations

from fractions import Fraction

import pytest

from engine.durations import Duration, DurationError, format_minutes, parse_duration
from runners.i18n import say, say_error, use_language


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


@pytest.mark.parametrize(("minutes", "bahasa", "english"), [
    (1, "1 menit", "1 minute"), (3, "3 menit", "3 minutes"), (60, "60 menit", "60 minutes"),
    (90, "90 menit", "90 minutes"), (120, "2 jam", "2 hours"),
    (150, "2 jam 30 menit", "2 hours 30 minutes"), (181, "3 jam 1 menit", "3 hours 1 minute"),
    (723, "12 jam 3 menit", "12 hours 3 minutes"), (0, "0 menit", "0 minutes"),
])
def test_minutes_read_as_people_say_them(minutes: int, bahasa: str, english: str) -> None:
    """Computed working time is a message: Indonesian as it always read, English in words."""
    with use_language("id"):
        assert say(format_minutes(minutes)) == bahasa
    with use_language("en"):
        assert say(format_minutes(minutes)) == english
    assert format_minutes(minutes) == english  # the Text is the English


@pytest.mark.parametrize(("text", "bahasa", "english"), [
    ("1 hari", "1 hari kerja", "1 working day"),
    ("3 hari", "3 hari kerja", "3 working days"),
    ("0,5 hari", "0,5 hari kerja", "0.5 working days"),
    ("1 minggu", "5 hari kerja", "5 working days"),
    ("1 hari 2 jam", "1 hari kerja + 2 jam", "1 working day + 2 hours"),
])
def test_computed_days_read_in_both_languages(text: str, bahasa: str, english: str) -> None:
    computed = parse_duration(text).computed
    with use_language("id"):
        assert say(computed) == bahasa
    with use_language("en"):
        assert say(computed) == english


def test_duration_text_and_sum() -> None:
    total = parse_duration("60") + parse_duration("1,5 hari")
    assert str(total) == "1.5 working days + 60 minutes"
    with use_language("id"):
        assert say(str(total)) == say(total.computed) == "1,5 hari kerja + 60 menit"
    assert str(parse_duration("1,5 hari")) == "1,5 hari"  # as the author wrote it


def test_refusals_are_said_in_bahasa() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("2 bulan")
    with use_language("id"):
        said = say_error(caught.value)
    assert said.startswith("satuan `bulan` dalam `2 bulan` tidak dikenal; satuan yang diterima: ")
    assert str(caught.value).startswith("unknown unit `bulan` in `2 bulan`")
    with pytest.raises(DurationError) as caught:
        parse_duration("1x24 jam")
    with use_language("id"):
        assert say_error(caught.value) == ("`1x24 jam` dihitung dengan jam dinding; waktu baku "
                                           "adalah waktu kerja, jadi tulislah `1 hari` (1 hari "
                                           "kerja)")
    with use_language("en"):
        assert say_error(caught.value) == str(caught.value)
