"""Periods a run reports on: ``2025``, ``2025-Q4``, ``2025-12``."""

from __future__ import annotations

import datetime as dt
import re

from engine.errors import AlurError
from engine.spec import SopSpec
from engine.text import Text

PERIOD_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./_-]{0,99}$")


class PeriodError(AlurError, ValueError):
    """A period cannot be used (``missing``: none was given and none follows from the SOP)."""

    def __init__(self, message: str, missing: bool = False) -> None:
        self.missing = missing
        super().__init__(message)


def period_of(every: str, day: dt.date, which: str = "current") -> str:
    """The period of ``day`` (or the one before it, for ``which == "previous"``)."""
    if every == "year":
        return str(day.year - (which == "previous"))
    if every == "quarter":
        index = day.year * 4 + (day.month - 1) // 3 - (which == "previous")
        return f"{index // 4}-Q{index % 4 + 1}"
    index = day.year * 12 + day.month - 1 - (which == "previous")
    return f"{index // 12}-{index % 12 + 1:02d}"


def default_period(spec: SopSpec, now: dt.datetime) -> str:
    """The period a run started now reports on, as the SOP's ``start`` block says."""
    if spec.start is None:
        raise PeriodError(Text("SOP `{sop}` has no `start:` block, so its run needs a period "
                               "(for example 2026, 2026-Q4, 2026-11 or a register number)",
                               sop=spec.id), missing=True)
    return period_of(spec.start.every, now.date(), spec.start.period)


SHAPES = {"year": (re.compile(r"^\d{4}$"), Text("a year such as 2026")),
          "quarter": (re.compile(r"^\d{4}-Q[1-4]$"), Text("a quarter such as 2026-Q1")),
          "month": (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), Text("a month such as 2026-01"))}
EVERY_WORDS = {"year": Text("year"), "quarter": Text("quarter"), "month": Text("month")}


def check_period(period: str, spec: SopSpec | None = None) -> str:
    """A period as given by a person, checked; for an SOP with ``start:``, of its shape (a
    year, quarter or month: a run is for one of them, not for "kemarin")."""
    if not PERIOD_PATTERN.match(period):
        raise PeriodError(Text("period `{period}` must be letters, digits and . / _ - (for "
                               "example 2025, 2025-Q4, 2025-12 or 470/123)", period=period))
    if spec is not None and spec.start is not None:
        shape, example = SHAPES[spec.start.every]
        if not shape.match(period):
            raise PeriodError(Text("SOP `{sop}` runs every {every}: its period is {example}, "
                                   "not `{period}`", sop=spec.id,
                                   every=EVERY_WORDS[spec.start.every], example=example,
                                   period=period))
    return period
