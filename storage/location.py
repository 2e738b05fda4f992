"""Where a database is and whether it may be written; the errors of opening and using it.

``target`` reads a database URL. A SQLite database that may not be written
(``?mode=ro`` or ``immutable=1`` in its URL, a file or folder without write
permission) is marked read-only and gets a SQLite URI filename with
``mode=ro``, so that opening it never writes. ``translate`` turns the driver's
errors that are ordinary (the database busy, refusing a write, on a full disk)
into errors people can act on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from engine.errors import AlurError
from engine.text import Text

SQLITE_URI_KEYS = frozenset({"mode", "immutable", "cache", "vfs", "nolock", "psow", "modeof"})


class DatabaseError(AlurError, RuntimeError):
    """The database cannot be opened or is not Alur's."""


class DatabaseBusy(DatabaseError):
    """Another program held the database locked for longer than the wait allowed."""

    def __init__(self, shown: str, seconds: float, holder: str | None = None) -> None:
        self.shown, self.seconds, self.holder = shown, seconds, holder
        wait = Text("{n} second", n=f"{seconds:g}") if seconds == 1 else \
            Text("{n} seconds", n=f"{seconds:g}")
        if holder:
            message = Text("the database {database} is busy: another program kept it locked for "
                           "more than {wait}; the scheduler {holder} is running on it; try "
                           "again in a moment (the wait is [database] lock_timeout in "
                           "alur.toml)", database=shown, wait=wait, holder=holder)
        else:
            message = Text("the database {database} is busy: another program kept it locked for "
                           "more than {wait}; try again in a moment (the wait is [database] "
                           "lock_timeout in alur.toml)", database=shown, wait=wait)
        super().__init__(message)


class DatabaseReadOnly(DatabaseError):
    """The database is read-only and the command would change it."""

    def __init__(self, shown: str, reason: str) -> None:
        self.shown, self.reason = shown, reason
        super().__init__(Text("the database {database} is read-only ({reason}); it can be "
                              "read, not changed", database=shown, reason=reason))


class SchemaBehind(DatabaseError):
    """A read-only database whose schema is not this Alur's: it cannot be upgraded here."""

    def __init__(self, shown: str, revision: str | None, current: str, reason: str) -> None:
        self.shown, self.revision, self.reason = shown, revision, reason
        if revision:
            message = Text("the database {database} is at schema {revision}, older than this "
                           "Alur's ({current}), and it is read-only ({reason}), so it cannot be "
                           "upgraded here; upgrade a writable copy of it first", database=shown,
                           revision=revision, current=current, reason=reason)
        else:
            message = Text("the database {database} has no Alur tables (it is empty, or not an "
                           "Alur database), and it is read-only ({reason}), so it cannot be "
                           "upgraded here; upgrade a writable copy of it first", database=shown,
                           reason=reason)
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a database is, how to show it, and whether it may be written."""

    url: URL  # for the driver, without SQLite URI parameters (those go into ``uri``)
    shown: str  # the URL as given, without its password
    file: Path | None = None  # the SQLite file
    uri: str | None = None  # the SQLite URI filename (``file:...?mode=ro``) when one is needed
    read_only: str = ""  # why it is opened read-only; empty when it may be written

    @property
    def location(self) -> str:
        """The SQLite file, else the URL without its password."""
        if self.file is not None:
            return str(self.file)
        return self.url._replace(password=None).render_as_string(hide_password=False)


def _query(url: URL) -> dict[str, str]:
    return {k: str(v[-1] if isinstance(v, tuple) else v) for k, v in url.query.items()}


def _sqlite_target(url: URL, shown: str) -> Target:
    query = _query(url)
    uri = query.pop("uri", "").lower() in ("true", "1")
    name = url.database or ""
    if uri and name.startswith("file:"):
        name = name[5:].split("?", 1)[0]
        if name.startswith("//"):
            name = name[2:].removeprefix("localhost")
        from urllib.parse import unquote

        name = unquote(name)
    if not name or name.startswith(":memory:") or query.get("mode") == "memory":
        return Target(url, shown)
    file = Path(name).expanduser().absolute()
    special = {k: v for k, v in query.items() if k in SQLITE_URI_KEYS}
    reason = ""
    if special.get("mode") == "ro" or special.get("immutable", "").lower() in ("1", "true"):
        reason = Text("its URL opens it read-only")
    elif file.is_file() and not os.access(file, os.W_OK):
        reason = Text("its file may not be written")
    elif file.is_file() and not os.access(file.parent, os.W_OK):
        reason = Text("its folder may not be written")
    if not file.exists():
        if file.parent.exists() and not file.parent.is_dir():
            raise DatabaseError(Text("cannot open the database {database}: {folder} is not a "
                                     "folder", database=shown, folder=str(file.parent)))
        if not file.parent.exists():
            raise DatabaseError(Text("cannot open the database {database}: the folder {folder} "
                                     "does not exist", database=shown, folder=str(file.parent)))
        if reason:
            raise DatabaseError(Text("cannot open the database {database}: the file {file} does "
                                     "not exist", database=shown, file=str(file)))
        if not os.access(file.parent, os.W_OK):
            raise DatabaseError(Text("cannot create the database {database}: its folder {folder} "
                                     "may not be written", database=shown,
                                     folder=str(file.parent)))
    elif file.is_dir():
        raise DatabaseError(Text("cannot open the database {database}: {file} is a folder, not "
                                 "a database file", database=shown, file=str(file)))
    plain = url.set(database=str(file), query={k: v for k, v in query.items()
                                               if k not in SQLITE_URI_KEYS})
    if reason and "immutable" not in special:
        special["mode"] = "ro"
        if not os.access(file.parent, os.W_OK) and not Path(f"{file}-shm").exists():
            special["immutable"] = "1"  # SQLite could not make the WAL index it reads with
    if not special:
        return Target(plain, shown, file)
    from urllib.parse import quote, urlencode

    return Target(plain, shown, file, f"file:{quote(file.as_posix())}?{urlencode(special)}",
                  reason)


def target(url: str) -> Target:
    """Read a database URL: where it is and whether it may be written (a clear error for a
    URL that cannot be read, or a SQLite file in a folder that does not exist)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(Text("cannot read database URL `{url}`; use for example "
                                 "sqlite:///alur.db or postgresql+psycopg://user@host/db",
                                 url=url)) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    shown = make_url(url).render_as_string()
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_target(parsed, shown)
    return Target(parsed, shown)


def is_busy(exc: DBAPIError) -> bool:
    """SQLite's "database is locked", or PostgreSQL's lock_timeout (55P03)."""
    return "database is locked" in str(exc.orig) or \
        getattr(exc.orig, "sqlstate", None) == "55P03"


def translate(exc: DBAPIError, where: Target, lock_timeout: float) -> DatabaseError | None:
    """The error people should read for a driver error, if it is an ordinary one: the
    database busy, read-only, or on a full disk."""
    text, code = str(exc.orig), getattr(exc.orig, "sqlstate", None)
    if is_busy(exc):
        return DatabaseBusy(where.shown, lock_timeout, scheduler_holder(where.file))
    if "readonly database" in text or code == "25006":  # a read-only file or transaction
        return DatabaseReadOnly(where.shown, where.read_only or Text("it refuses to be written"))
    if code == "42501":  # PostgreSQL: a role that may only read
        return DatabaseReadOnly(where.shown, Text("its user may not change it"))
    if "database or disk is full" in text or code == "53100":  # SQLITE_FULL, disk_full
        return DatabaseError(Text("the database {database} cannot grow: the disk (or its quota) "
                                  "is full; nothing was changed", database=where.shown))
    return None


LOCK_SUFFIX = ".scheduler.lock"  # the file beside a SQLite database the daemon locks


def lock_path(database: str | Path) -> str:
    """The scheduler's lock file of a SQLite database (``storage.lease``)."""
    return f"{database}{LOCK_SUFFIX}"


def scheduler_holder(file: str | Path | None) -> str | None:
    """Who holds the scheduler lock beside a SQLite file (``storage.lease``), if anyone."""
    if file is None:
        return None
    import fcntl

    try:
        handle = open(lock_path(file))
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return handle.read().strip() or Text("another process")
    return None
