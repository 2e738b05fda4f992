"""Dates as documents and letters write them, in the language in use: ``2 Januari 2023``,
``Senin, 5 Januari 2026`` (``2 January 2023``, ``Monday, 5 January 2026`` in English)."""

from __future__ import annotations

import datetime as dt

from runners.i18n import N_, _

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))
DAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
        N_("Saturday"), N_("Sunday"))


def long_date(day: dt.date) -> str:
    """A date as a document writes it: ``2 Januari 2023`` (``2 January 2023``)."""
    return _("{day} {month} {year}").format(day=day.day, month=_(MONTHS[day.month - 1]),
                                            year=day.year)


def weekday_date(day: dt.date) -> str:
    """A date with its weekday, as a letter writes it: ``Senin, 5 Januari 2026``
    (``Monday, 5 January 2026``)."""
    return _("{weekday}, {date}").format(weekday=_(DAYS[day.weekday()]), date=long_date(day))
