"""Opening the database: SQLite (WAL, immediate write transactions) or PostgreSQL by URL.

The schema is owned by Alembic (``storage/migrations``); ``open_database``
upgrades an empty or older database to the current revision on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
)

from engine.errors import AlurError

if TYPE_CHECKING:
    from engine.ports import Lease
    from storage.store import SqlStore

HEAD_REVISION = "0004"  # tests check this is Alembic's head


class DatabaseError(AlurError, RuntimeError):
    """The database cannot be opened or is not Alur's."""


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # Writers take the lock at BEGIN, so two writers queue instead of failing
        # later on a lock upgrade; readers use a plain deferred BEGIN.
        mode = connection.get_execution_options().get("alur_write", True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def make_engine(url: str) -> Engine:
    """An Engine for ``url`` with Alur's settings; a clear error for a bad URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"cannot read database URL `{url}`; use for example "
                            "sqlite:///alur.db or postgresql+psycopg://user@host/db") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": 30})
            _sqlite_setup(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"no driver for `{parsed.drivername}` ({exc}); for PostgreSQL "
                            "install alur[postgres]") from None
    return engine


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision of the database, None when it has no schema yet."""
    with engine.connect().execution_options(alur_write=False) as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
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
                        raise DatabaseError(f"the migration would break a reference in table "
                                            f"{broken[0]}; the database was left unchanged")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def open_database(url: str, migrate: bool = True) -> Engine:
    """Open the database and bring its schema up to date when it is behind."""
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open the database {make_url(url).render_as_string()}: "
                            f"{str(exc.orig).strip()}") from None
    if revision != HEAD_REVISION:
        if revision is not None and revision > HEAD_REVISION:
            raise DatabaseError(f"the database is at schema {revision}, newer than this Alur "
                                f"({HEAD_REVISION}); upgrade Alur")
        if not migrate:
            raise DatabaseError("the database schema is not current; upgrade it first")
        upgrade(engine)
    return engine


class SqlDatabase:
    """An opened SQLite or PostgreSQL database, as the engine's ``Database`` port."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.people_seen: set[tuple[str, str, str]] = set()  # snapshots known to be stored

    @property
    def kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    @property
    def shown_url(self) -> str:
        """The URL without its password, to show people."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[SqlStore]:
        """One transaction: committed when the block ends without an error (writes only)."""
        from storage.store import UnitOfWork

        unit = UnitOfWork(self.engine, write, self.people_seen)
        with unit as store:
            yield store
            if write:
                unit.commit()

    def lease(self, me: str) -> Lease:
        """The reminder daemon ``me``'s lease on this database."""
        from storage.lease import PostgresLease, SqliteLease

        if self.kind == "sqlite":
            return SqliteLease(self.engine, me)
        return PostgresLease(self.engine, me)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def connect(url: str, migrate: bool = True) -> SqlDatabase:
    """Open the database at ``url`` (migrated to the current schema) as a ``SqlDatabase``."""
    return SqlDatabase(open_database(url, migrate))


def upgrade_url(url: str) -> tuple[str | None, str, str]:
    """Migrate the database at ``url``: (revision before, revision after, URL to show)."""
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
    finally:
        engine.dispose()
    return before, after, make_url(url).render_as_string()

