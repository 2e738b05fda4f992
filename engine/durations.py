"""Standard times ("Waktu" in the mutu baku) as clerks write them.

A duration is working time. Minutes and hours are kept as minutes; days and
weeks are kept as *working days*, not 24 hours, because how many minutes a
day holds depends on the calendar (a Friday is longer, a Ramadan day
shorter), which resolves them later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from engine.text import Text

MINUTE_UNITS = ("menit", "mnt", "min", "mins", "minute", "minutes", "m")
HOUR_UNITS = ("jam", "hour", "hours", "hr", "hrs", "h")
DAY_UNITS = ("hari", "day", "days", "d")
WEEK_UNITS = ("minggu", "pekan", "week", "weeks", "w")

_UNIT_MINUTES: dict[str, int] = dict.fromkeys(MINUTE_UNITS, 1) | dict.fromkeys(HOUR_UNITS, 60)
_UNIT_DAYS: dict[str, int] = dict.fromkeys(DAY_UNITS, 1) | dict.fromkeys(WEEK_UNITS, 5)

ACCEPTED_UNITS = "menit|min|m, jam|hour|hours|h, hari|hari kerja|day|days|d, minggu|week|weeks|w"

# A number, an optional "(tiga)" in words, a unit, an optional "kerja"; repeated
# for compound forms such as "1 jam 30 menit".
_PART = re.compile(
    r"\s*(?P<number>\d+(?:[.,]\d+)?)\s*(?:\([a-z\s-]+\)\s*)?"
    r"(?P<unit>[a-z]+)?(?:\s+kerja\b)?\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Duration:
    """Working time: ``minutes`` plus ``days`` working days (either may be 0).

    ``written`` keeps the text the SOP's author wrote (``1 jam``, ``2 hari kerja``), spaced
    evenly; it is what documents print, and it takes no part in comparing or adding: a sum
    is computed, and prints as computed.
    """

    minutes: int = 0
    days: Fraction = Fraction(0)
    written: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.written or self.computed

    @property
    def computed(self) -> Text:
        """The time as Alur counts it, a message to say in the language in use: ``60
        minutes``, ``2 hours``, ``1.5 working days + 60 minutes`` (``60 menit``, ``2 jam``,
        ``1,5 hari kerja + 60 menit`` in Bahasa Indonesia)."""
        if not self.days:
            return format_minutes(self.minutes)
        days = format_days(self.days)
        if not self.minutes:
            return days
        return Text("{days} + {minutes}", days=days, minutes=format_minutes(self.minutes))

    def __add__(self, other: Duration) -> Duration:
        return Duration(self.minutes + other.minutes, self.days + other.days)

    @property
    def is_zero(self) -> bool:
        """True when the duration is no time at all."""
        return self.minutes == 0 and self.days == 0


class DurationError(ValueError):
    """The text is not a duration; the message says what would be accepted."""


def _minutes(minutes: int) -> Text:
    if minutes == 1:
        return Text("{n} minute", n=minutes)
    return Text("{n} minutes", n=minutes)


def format_minutes(minutes: int) -> Text:
    """Minutes as people say them (a message: ``say`` it): ``45 minutes``, ``2 hours``,
    ``12 hours 3 minutes``; in Bahasa Indonesia ``45 menit``, ``2 jam``, ``12 jam 3 menit``.
    Under two hours it stays minutes (``90 minutes``)."""
    if minutes < 120:
        return _minutes(minutes)
    hours, rest = divmod(minutes, 60)
    if not rest:
        return Text("{n} hours", n=hours)
    return Text("{hours} {minutes}", hours=Text("{n} hours", n=hours), minutes=_minutes(rest))


def format_days(days: Fraction | int) -> Text:
    """Working days as people say them (a message): ``1 working day``, ``1.5 working days``;
    in Bahasa Indonesia ``1 hari kerja``, ``1,5 hari kerja``."""
    whole, _, decimals = f"{float(days):g}".partition(".")
    number: str | Text = Text("{whole}.{decimals}", whole=whole, decimals=decimals) \
        if decimals else whole
    if days == 1:
        return Text("{n} working day", n=number)
    return Text("{n} working days", n=number)


def parse_duration(text: str) -> Duration:
    """Parse ``60``, ``10 Menit``, ``1,5 jam``, ``2 hari kerja``, ``1 jam 30 menit``."""
    source = text.strip()
    if not source:
        raise DurationError(Text("a duration is needed, such as `60 menit` (units: {units})",
                                 units=ACCEPTED_UNITS))
    if re.fullmatch(r"\d+\s*x\s*24\s*jam", source, re.IGNORECASE):
        count = source.lower().split("x")[0].strip()
        raise DurationError(Text("`{source}` counts clock hours; standard times are working "
                                 "time, so write `{count} hari` ({count} working days)",
                                 source=source, count=count))
    if re.match(r"\s*-", source):
        raise DurationError(Text("duration `{source}` must be more than 0", source=source))
    if re.fullmatch(r"\d+(?:[.,]\d+)?\s*[-\u2013]\s*\d+.*", source):
        raise DurationError(Text("`{source}` is a range; give the one standard time (for "
                                 "example the upper bound)", source=source))
    minutes = Fraction(0)
    days = Fraction(0)
    position = 0
    while position < len(source):
        match = _PART.match(source, position)
        if match is None or match.end() == position:
            raise DurationError(Text("cannot read `{source}` as a duration; write a number "
                                     "and a unit, such as `60 menit` or `1,5 jam` (units: "
                                     "{units})", source=source, units=ACCEPTED_UNITS))
        number = Fraction(match["number"].replace(",", "."))
        unit = (match["unit"] or "").lower()
        if not unit:
            if position or match.end() < len(source):
                raise DurationError(Text("`{source}`: every number needs a unit ({units})",
                                         source=source, units=ACCEPTED_UNITS))
            minutes += number
        elif unit in _UNIT_MINUTES:
            minutes += number * _UNIT_MINUTES[unit]
        elif unit in _UNIT_DAYS:
            days += number * _UNIT_DAYS[unit]
        else:
            raise DurationError(Text("unknown unit `{unit}` in `{source}`; accepted units: "
                                     "{units}", unit=match["unit"], source=source,
                                     units=ACCEPTED_UNITS))
        position = match.end()
    if minutes.denominator != 1:
        raise DurationError(Text("`{source}` is not a whole number of minutes; standard times "
                                 "are counted in whole minutes", source=source))
    duration = Duration(int(minutes), days, written_form(source))
    if duration.is_zero:
        raise DurationError(Text("duration `{source}` must be more than 0", source=source))
    return duration


def written_form(text: str) -> str:
    """The author's text spaced evenly: runs of blanks made one space, a space between a
    number and its unit (``10menit`` -> ``10 menit``); a bare number of minutes gets its unit
    (``60`` -> ``60 menit``). Case and words stay as written."""
    spaced = re.sub(r"(\d)(?=[^\d\s.,])", r"\1 ", " ".join(text.split()))
    return f"{spaced} menit" if re.fullmatch(r"\d+", spaced) else spaced
