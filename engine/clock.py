"""Time is injected: the engine asks a clock, so tests use fixed times and never sleep."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

UTC = dt.UTC


class Clock(Protocol):
    """Something that tells the current time (aware, UTC)."""

    def now(self) -> dt.datetime:
        """The current instant."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> dt.datetime:
        """The current instant, from the system."""
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved (for tests and the demo)."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at

    def now(self) -> dt.datetime:
        """The time it was set to."""
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward."""
        self.at += delta


class FastClock:
    """A clock that runs ``speed`` times faster than real time from ``start`` (the demo)."""

    def __init__(self, start: dt.datetime, speed: float) -> None:
        import threading
        import time

        self._monotonic = time.monotonic
        self._lock = threading.Lock()
        self.start = start
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> dt.datetime:
        """Start plus the elapsed real time times the speed."""
        with self._lock:
            elapsed = (self._monotonic() - self._origin) * self.speed
            return self.start + dt.timedelta(seconds=elapsed)

    def jump_to(self, at: dt.datetime) -> None:
        """Skip ahead (over a night or a weekend) and run on from there."""
        with self._lock:
            self.start = at
            self._origin = self._monotonic()
