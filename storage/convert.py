"""Times at the database edge: stored as naive UTC, used as aware datetimes."""

from __future__ import annotations

import datetime as dt


def to_db(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as naive UTC for storage."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def from_db(value: dt.datetime | None) -> dt.datetime | None:
    """A stored naive UTC datetime as an aware one."""
    return None if value is None else value.replace(tzinfo=dt.UTC)
