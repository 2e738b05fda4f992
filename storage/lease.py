"""Which reminder daemons are alive: a file lock on SQLite, advisory locks on PostgreSQL.

On SQLite one daemon runs at a time: a second one is refused. On PostgreSQL
each daemon holds an advisory lock on its own key; a claim whose owner's lock
is free belongs to a daemon that died, and can be given back.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Engine, text

from engine.errors import SchedulerBusy
from engine.text import Text
from storage.location import lock_path, scheduler_holder


def lock_key(owner: str) -> int:
    """A PostgreSQL advisory lock key (signed 64 bits) for a daemon id."""
    return int.from_bytes(hashlib.sha256(owner.encode()).digest()[:8], "big", signed=True)


class SqliteLease:
    """One daemon per SQLite database: an exclusive lock on a file beside it."""

    def __init__(self, engine: Engine, me: str) -> None:
        self.path = lock_path(engine.url.database or "alur.db")
        self.database = engine.url.database
        self.me = me
        self.file: Any = None

    def acquire(self) -> None:
        """Take the lock, or refuse with who holds it."""
        import fcntl

        self.file = open(self.path, "a+")  # held open while the daemon runs
        try:
            fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.file.seek(0)
            holder = self.file.read().strip() or Text("another process")
            self.file.close()
            self.file = None
            raise SchedulerBusy(Text(
                "another `alur scheduler` is already running on {database} ({holder}); with "
                "SQLite one scheduler runs at a time (use PostgreSQL to run several)",
                database=str(self.database), holder=holder)) from None
        self.file.seek(0)
        self.file.truncate()
        self.file.write(f"{self.me}\n")
        self.file.flush()

    def alive(self, owner: str) -> bool:
        """Only this daemon can be alive: it holds the only lock."""
        return owner == self.me

    def release(self) -> None:
        """Let go of the lock."""
        if self.file is not None:
            import fcntl

            fcntl.flock(self.file.fileno(), fcntl.LOCK_UN)
            self.file.close()
            self.file = None


class PostgresLease:
    """An advisory lock per daemon, held on a connection of its own."""

    def __init__(self, engine: Engine, me: str) -> None:
        self.engine = engine
        self.me = me
        self.connection: Any = None

    def acquire(self) -> None:
        """Take this daemon's advisory lock."""
        self.connection = self.engine.connect()
        self.connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key(self.me)})
        self.connection.commit()

    def alive(self, owner: str) -> bool:
        """Whether ``owner``'s lock is held (by a daemon that still runs)."""
        if owner == self.me:
            return True
        key = lock_key(owner)
        got = self.connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if got:
            self.connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        self.connection.commit()
        return not got

    def release(self) -> None:
        """Unlock, then give the connection back (the pool keeps the session open, so
        closing alone would keep the lock)."""
        if self.connection is not None:
            self.connection.execute(text("SELECT pg_advisory_unlock(:k)"),
                                    {"k": lock_key(self.me)})
            self.connection.commit()
            self.connection.close()
            self.connection = None


def scheduler_state(engine: Engine) -> Text:
    """Whether a reminder daemon runs on this database, as people read it (a message)."""
    if engine.dialect.name == "sqlite":
        holder = scheduler_holder(engine.url.database or "alur.db")
        return Text("running ({holder})", holder=holder) if holder else Text("not running")
    with engine.connect() as connection:
        count = connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
            "pid <> pg_backend_pid()")).scalar_one()
    return Text("{count} running", count=count) if count else Text("not running")
