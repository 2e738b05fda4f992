"""Web accounts, sessions and login links on SQLAlchemy Core (the ``AccountStore`` port).

Mixed into ``storage.store.SqlStore``; works inside its open transaction. Only
hashes of session ids and link tokens are stored (``engine.accounts``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from engine.accounts import Account, LoginLink, Session
from storage import tables as t
from storage.convert import from_db, to_db

ACCOUNTS = t.accounts
SESSIONS = t.web_sessions
LINKS = t.login_links


def _account(row: Any) -> Account:
    return Account(row.person_id, row.password_hash, from_db(row.password_set_at),
                   row.failures, from_db(row.first_failure_at), from_db(row.locked_until),
                   from_db(row.last_login_at))


def _session(row: Any) -> Session:
    created, seen = from_db(row.created_at), from_db(row.last_seen_at)
    assert created is not None and seen is not None
    return Session(row.id_hash, row.person_id, created, seen, row.address,
                   from_db(row.ended_at))


def _link(row: Any) -> LoginLink:
    created, expires = from_db(row.created_at), from_db(row.expires_at)
    assert created is not None and expires is not None
    return LoginLink(row.token_hash, row.person_id, created, expires, from_db(row.used_at))


class AccountSqlStore:
    """The account part of SqlStore (mixed in; uses ``self.connection``)."""

    connection: Connection
    is_postgres: bool

    def account(self, person_id: str, lock: bool = False) -> Account | None:
        """The account of a person, if one was made; ``lock`` takes its row lock until the
        transaction ends (PostgreSQL; SQLite's write transactions hold the database)."""
        query = select(ACCOUNTS).where(ACCOUNTS.c.person_id == person_id)
        if lock and self.is_postgres:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _account(row)

    def save_account(self, account: Account) -> None:
        """Insert or update an account (one statement: two first saves at once do not
        collide)."""
        values = {"password_hash": account.password_hash,
                  "password_set_at": to_db(account.password_set_at),
                  "failures": account.failures,
                  "first_failure_at": to_db(account.first_failure_at),
                  "locked_until": to_db(account.locked_until),
                  "last_login_at": to_db(account.last_login_at)}
        statement: Any
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(ACCOUNTS).values(person_id=account.person_id, **values)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(ACCOUNTS).values(person_id=account.person_id, **values)
        self.connection.execute(statement.on_conflict_do_update(
            index_elements=[ACCOUNTS.c.person_id], set_=values))

    def accounts(self) -> list[Account]:
        """Every account, by person id."""
        rows = self.connection.execute(select(ACCOUNTS).order_by(ACCOUNTS.c.person_id))
        return [_account(row) for row in rows]

    def add_session(self, session: Session) -> None:
        """Keep a new session."""
        self.connection.execute(insert(SESSIONS).values(
            id_hash=session.id_hash, person_id=session.person_id,
            created_at=to_db(session.created_at), last_seen_at=to_db(session.last_seen_at),
            address=session.address, ended_at=to_db(session.ended_at)))

    def session(self, id_hash: str) -> Session | None:
        """A session by the hash of its id (ended ones too)."""
        row = self.connection.execute(select(SESSIONS).where(
            SESSIONS.c.id_hash == id_hash)).first()
        return None if row is None else _session(row)

    def touch_session(self, id_hash: str, at: dt.datetime) -> None:
        """Note that an open session was used at ``at``."""
        self.connection.execute(update(SESSIONS).where(
            SESSIONS.c.id_hash == id_hash, SESSIONS.c.ended_at.is_(None)).values(
            last_seen_at=to_db(at)))

    def end_sessions(self, person_id: str, at: dt.datetime,
                     id_hash: str | None = None) -> int:
        """End a person's open sessions (only ``id_hash`` when given); how many."""
        query = update(SESSIONS).where(SESSIONS.c.person_id == person_id,
                                       SESSIONS.c.ended_at.is_(None))
        if id_hash is not None:
            query = query.where(SESSIONS.c.id_hash == id_hash)
        return int(self.connection.execute(query.values(ended_at=to_db(at))).rowcount)

    def last_seen(self) -> dict[str, dt.datetime]:
        """When each person's sessions were last used, by person id."""
        rows = self.connection.execute(select(
            SESSIONS.c.person_id, func.max(SESSIONS.c.last_seen_at)).group_by(
            SESSIONS.c.person_id))
        return {row[0]: row[1].replace(tzinfo=dt.UTC) for row in rows}

    def add_login_link(self, link: LoginLink) -> None:
        """Keep a new login link."""
        self.connection.execute(insert(LINKS).values(
            token_hash=link.token_hash, person_id=link.person_id,
            created_at=to_db(link.created_at), expires_at=to_db(link.expires_at),
            used_at=to_db(link.used_at)))

    def login_link(self, token_hash: str) -> LoginLink | None:
        """A login link by the hash of its token."""
        row = self.connection.execute(select(LINKS).where(
            LINKS.c.token_hash == token_hash)).first()
        return None if row is None else _link(row)

    def use_login_link(self, token_hash: str, at: dt.datetime) -> bool:
        """Mark a link used: one conditional UPDATE, so of two uses at once only one
        changes the row (the other waits for its lock, then finds it used)."""
        result = self.connection.execute(update(LINKS).where(
            LINKS.c.token_hash == token_hash, LINKS.c.used_at.is_(None)).values(
            used_at=to_db(at)))
        return bool(result.rowcount == 1)
