"""The one place where concrete parts are wired: settings, roster, calendar, database, clock.

Everything is built on first use, so a command pays only for what it touches.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from engine.errors import AlurError
from engine.text import Text

if TYPE_CHECKING:
    from engine.calendar import WorkCalendar
    from engine.clock import Clock
    from engine.loader import LoadedSop
    from engine.ports import Store
    from engine.roster import Roster
    from engine.services import Env
    from runners.settings import Settings
    from storage.db import SqlDatabase

T = TypeVar("T")
ROSTER_FILE = "roster.yaml"


class TimeError(AlurError, ValueError):
    """A time given on the command line cannot be read."""


class WorkspaceMissing(AlurError, LookupError):
    """The folder is not an Alur workspace."""


class App:
    """What commands need, resolved from the options and the workspace."""

    def __init__(self, workspace: Path, db_option: str | None = None,
                 user: str | None = None, clock: Clock | None = None,
                 channel: str = "cli") -> None:
        self.workspace = workspace
        self.db_option = db_option
        self.user = user
        self.channel = channel  # how actions come: cli, web or scheduler (in every event)
        self.announce: Callable[[SqlDatabase], None] | None = None  # told which database opens
        if clock is not None:
            self.__dict__["clock"] = clock  # the demo's fast clock

    @cached_property
    def settings(self) -> Settings:
        """alur.toml (defaults when there is none)."""
        from runners.settings import load_settings

        return load_settings(self.workspace)

    @cached_property
    def roster(self) -> Roster:
        """roster.yaml of the workspace."""
        from engine.roster_loader import load_roster

        return load_roster(self.workspace / ROSTER_FILE)

    @cached_property
    def calendar(self) -> WorkCalendar:
        """The working-time calendar of alur.toml."""
        from runners.settings import build_calendar

        return build_calendar(self.settings)

    @cached_property
    def tz(self) -> dt.tzinfo:
        """The workspace's time zone."""
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.settings.timezone)

    @cached_property
    def clock(self) -> Clock:
        """The system clock, or a fixed one from ALUR_NOW (for tests and rehearsals)."""
        from engine.clock import FixedClock, SystemClock

        fixed = os.environ.get("ALUR_NOW")
        if fixed:
            return FixedClock(self.parse_time(fixed, "ALUR_NOW", clock=False))
        return SystemClock()

    @cached_property
    def database_url(self) -> str:
        """--db, ALUR_DATABASE_URL, alur.toml, else SQLite in the workspace."""
        from runners.settings import resolve_database_url

        return resolve_database_url(self.settings, self.db_option)

    @cached_property
    def db(self) -> SqlDatabase:
        """The database, migrated to the current schema on first use (a read-only one is
        opened as it is); ``announce`` is told which one it is."""
        from storage.db import connect

        self.require_workspace()
        database = connect(self.database_url, lock_timeout=self.settings.lock_timeout)
        if self.announce is not None:
            self.announce(database)
        return database

    def require_workspace(self) -> None:
        """WorkspaceMissing unless a database is named or the folder holds alur.toml: a
        database is never made in a folder that is not a workspace by mistake."""
        from runners.settings import DATABASE_ENV
        from runners.workspace import SETTINGS_FILE

        explicit = self.db_option or os.environ.get(DATABASE_ENV)
        if not explicit and not (self.workspace / SETTINGS_FILE).is_file():
            raise WorkspaceMissing(Text(
                "no Alur workspace in {folder} (no {file} here or in a folder above); run "
                "`alur init` to create one, or pass --workspace DIR or --db URL",
                folder=self.workspace, file=SETTINGS_FILE))

    @cached_property
    def env(self) -> Env:
        """Calendar, roster, clock and channel for the use cases."""
        from engine.services import Env

        return Env(self.calendar, self.roster, self.clock, self.settings.reminders.spec,
                   self.channel)

    def check_user(self) -> None:
        """The acting person is in the roster (PersonNotFound with did-you-mean if not)."""
        from engine.checker import suggest
        from engine.errors import PersonNotFound

        assert self.user is not None
        if not (self.workspace / ROSTER_FILE).is_file():
            return  # not a workspace: the command says so itself
        known = [p.id for u in self.roster.units for p in u.people]
        if self.user not in known:
            raise PersonNotFound(self.user, known, suggest(self.user, known) or "",
                                 where=Text(" in {file}", file=self.roster.file))

    @property
    def sops_dir(self) -> Path:
        """The workspace's sops/ folder."""
        return self.workspace / "sops"

    def sop(self, sop_id: str) -> LoadedSop:
        """The SOP with this id from the workspace's sops/."""
        from engine.catalog import find_sop

        if not self.sops_dir.is_dir():
            raise WorkspaceMissing(Text("no {folder}/ folder in {workspace}; run `alur init` "
                                        "to create a workspace there, or pass --workspace DIR",
                                        folder="sops", workspace=self.workspace))
        return find_sop(self.sops_dir, sop_id)

    def close(self) -> None:
        """Close the database connections this invocation opened."""
        if "db" in self.__dict__:
            self.db.dispose()

    def now(self) -> dt.datetime:
        """The current time (aware)."""
        return self.clock.now()

    def parse_time(self, text: str, option: str = "--at", clock: bool = True) -> dt.datetime:
        """ISO 8601 in the workspace's zone (a date alone is 00:00 local)."""
        value = text.strip()
        try:
            if len(value) == 10:
                parsed = dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
            else:
                parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise TimeError(Text("{option} `{text}` is not a time; write ISO 8601 such as "
                                 "2026-01-05T09:30 or 2026-01-05", option=option,
                                 text=text)) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self.tz)
        return parsed

    def write(self, use_case: Callable[[Store], T]) -> T:
        """Run a use case in one write transaction; commit when it returns."""
        with self.db.transaction() as store:
            return use_case(store)

    def read(self, query: Callable[[Store], T]) -> T:
        """Run queries in one read transaction."""
        with self.db.transaction(write=False) as store:
            return query(store)

    def local(self, value: dt.datetime | None, seconds: bool = False) -> str:
        """An instant as people read it: ``2026-01-05 09:30`` in the workspace's zone."""
        if value is None:
            return "-"
        return value.astimezone(self.tz).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))
