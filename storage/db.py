"""Opening the database: SQLite (WAL, immediate write transactions) or PostgreSQL by URL.

The schema is owned by Alembic (``storage/migrations``); ``open_database``
upgrades an empty or older database to the current revision on first use.
A database that may not be written (``storage.location``) is opened read-only:
no journal pragma, no migration, and every write transaction is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError

from engine.text import Text
from storage.location import (
    DatabaseBusy,
    DatabaseError,
    DatabaseReadOnly,
    SchemaBehind,
    Target,
    is_busy,
    target,
    translate,
)

if TYPE_CHECKING:
    from engine.ports import Lease
    from storage.store import SqlStore

HEAD_REVISION = "0005"  # tests check this is Alembic's head
LOCK_TIMEOUT = 30.0  # seconds to wait for a database another program holds locked
__all__ = ["HEAD_REVISION", "LOCK_TIMEOUT", "DatabaseBusy", "DatabaseError",
           "DatabaseReadOnly", "SchemaBehind", "SqlDatabase", "connect", "current_revision",
           "make_engine", "migrate", "open_database", "upgrade", "upgrade_url"]


def _sqlite_setup(engine: Engine, read_only: bool, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not read_only:  # a read-only database keeps the journal mode it has
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(lock_timeout * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writers take the lock at BEGIN, so two writers queue instead of failing
        # later on a lock upgrade; readers use a plain deferred BEGIN.
        mode = connection.get_execution_options().get("alur_write", True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def _postgres_setup(engine: Engine, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect", insert=True)
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # A statement waiting for a lock gives up after the same time as on SQLite (a SET,
        # not a startup option: connection poolers such as PgBouncer refuse those).
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {max(1, round(lock_timeout * 1000))}")
        dbapi_connection.autocommit = autocommit


def make_engine(url: str, lock_timeout: float = LOCK_TIMEOUT) -> Engine:
    """An Engine for ``url`` with Alur's settings; a clear error for a bad URL."""
    return _engine(target(url), lock_timeout)


def _engine(where: Target, lock_timeout: float) -> Engine:
    parsed = where.url
    try:
        if parsed.get_backend_name() == "sqlite":
            options: dict[str, Any] = {"connect_args": {"timeout": lock_timeout}}
            if where.uri is not None:  # mode=ro and the like: a SQLite URI filename
                import sqlite3

                uri = where.uri
                options["creator"] = lambda: sqlite3.connect(
                    uri, uri=True, timeout=lock_timeout, check_same_thread=False)
            engine = create_engine(parsed, **options)
            _sqlite_setup(engine, bool(where.read_only), lock_timeout)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
            _postgres_setup(engine, lock_timeout)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(Text("no driver for `{driver}` ({error}); for PostgreSQL install "
                                 "alur[postgres]", driver=parsed.drivername,
                                 error=str(exc))) from None
    return engine


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision of the database, None when it has no schema yet."""
    with engine.connect().execution_options(alur_write=False) as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError) as exc:
            if is_busy(exc):
                raise
            connection.rollback()
            return None


def upgrade(engine: Engine) -> str:
    """Migrate the database to the current schema (Alembic ``upgrade head``)."""
    migrate(engine, "head")
    return HEAD_REVISION


def migrate(engine: Engine, revision: str, down: bool = False) -> None:
    """Alembic ``upgrade`` (or ``downgrade``) to ``revision``, in one transaction.

    On SQLite, migrations that change a table's constraints rebuild the table
    (Alembic's batch mode), which foreign keys would refuse: they are switched
    off for the migration (SQLite allows that only outside a transaction) and
    checked afterwards.
    """
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                (command.downgrade if down else command.upgrade)(config, revision)
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise DatabaseError(Text("the migration would break a reference in "
                                                 "table {table}; the database was left "
                                                 "unchanged", table=str(broken[0])))
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


# What SQLite says most often when a file cannot be used, in words a runner translates.
DRIVER_WORDS = {
    "file is not a database": Text("the file is not a database"),
    "database disk image is malformed": Text("the database file is damaged"),
    "unable to open database file": Text("the database file cannot be opened"),
    "disk I/O error": Text("the disk could not be read or written"),
    "database or disk is full": Text("the disk is full"),
}


def _cannot_open(where: Target, exc: DBAPIError) -> DatabaseError:
    said = str(exc.orig).strip()
    return DatabaseError(Text("cannot open the database {database}: {error}",
                              database=where.shown, error=DRIVER_WORDS.get(said, said)))


def _open(url: str, migrate: bool, lock_timeout: float) -> tuple[Engine, Target, str]:
    where = target(url)
    engine = _engine(where, lock_timeout)
    try:
        revision = current_revision(engine)
        if revision != HEAD_REVISION:
            if revision is not None and revision > HEAD_REVISION:
                raise DatabaseError(Text("the database is at schema {revision}, newer than "
                                         "this Alur ({current}); upgrade Alur",
                                         revision=revision, current=HEAD_REVISION))
            if where.read_only:
                raise SchemaBehind(where.shown, revision, HEAD_REVISION, where.read_only)
            if not migrate:
                raise DatabaseError(Text("the database schema is not current; upgrade it "
                                         "first"))
            revision = upgrade(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise translate(exc, where, lock_timeout) or _cannot_open(where, exc) from None
    except BaseException:
        engine.dispose()
        raise
    return engine, where, revision


def open_database(url: str, migrate: bool = True, lock_timeout: float = LOCK_TIMEOUT) -> Engine:
    """Open the database and bring its schema up to date when it is behind."""
    return _open(url, migrate, lock_timeout)[0]


class SqlDatabase:
    """An opened SQLite or PostgreSQL database, as the engine's ``Database`` port."""

    def __init__(self, engine: Engine, where: Target | None = None,
                 revision: str | None = HEAD_REVISION,
                 lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.engine = engine
        self.where = where or Target(engine.url, engine.url.render_as_string())
        self.revision = revision  # the schema it was opened at
        self.lock_timeout = lock_timeout
        self.people_seen: set[tuple[str, str, str]] = set()  # snapshots known to be stored

    @property
    def kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    @property
    def shown_url(self) -> str:
        """The URL without its password, to show people."""
        return self.where.shown

    @property
    def location(self) -> str:
        """The SQLite file, or the URL without its password."""
        return self.where.location

    @property
    def read_only(self) -> str:
        """Why the database is opened read-only; empty when it may be written."""
        return self.where.read_only

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[SqlStore]:
        """One transaction: committed when the block ends without an error (writes only).

        A write on a read-only database is refused; a database locked by another program
        for longer than the lock timeout, or refusing a write, is a ``DatabaseError``."""
        from storage.store import UnitOfWork

        if write and self.read_only:
            raise DatabaseReadOnly(self.shown_url, self.read_only)
        unit = UnitOfWork(self.engine, write, self.people_seen)
        try:
            with unit as store:
                try:
                    yield store
                except Exception as exc:
                    if write and getattr(exc, "keeps_changes", False):
                        unit.commit()  # what the use case wrote before refusing stays
                    raise
                if write:
                    unit.commit()
        except DBAPIError as exc:
            problem = translate(exc, self.where, self.lock_timeout)
            if problem is None:
                raise
            raise problem from exc

    def lease(self, me: str) -> Lease:
        """The reminder daemon ``me``'s lease on this database."""
        from storage.lease import PostgresLease, SqliteLease

        if self.read_only:
            raise DatabaseReadOnly(self.shown_url, self.read_only)
        if self.kind == "sqlite":
            return SqliteLease(self.engine, me)
        return PostgresLease(self.engine, me)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def connect(url: str, migrate: bool = True, lock_timeout: float = LOCK_TIMEOUT) -> SqlDatabase:
    """Open the database at ``url`` (migrated to the current schema) as a ``SqlDatabase``."""
    engine, where, revision = _open(url, migrate, lock_timeout)
    return SqlDatabase(engine, where, revision, lock_timeout)


def upgrade_url(url: str, lock_timeout: float = LOCK_TIMEOUT,
                announce: Callable[[SqlDatabase], None] | None = None,
                ) -> tuple[str | None, str, str]:
    """Migrate the database at ``url``: (revision before, revision after, URL to show);
    ``announce`` is told which database it is before anything changes."""
    where = target(url)
    engine = _engine(where, lock_timeout)
    try:
        before = current_revision(engine)
        if announce is not None:
            announce(SqlDatabase(engine, where, before, lock_timeout))
        if before == HEAD_REVISION:
            return before, before, where.shown
        if where.read_only:
            raise SchemaBehind(where.shown, before, HEAD_REVISION, where.read_only)
        after = upgrade(engine)
    except DBAPIError as exc:
        raise translate(exc, where, lock_timeout) or _cannot_open(where, exc) from None
    finally:
        engine.dispose()
    return before, after, where.shown
