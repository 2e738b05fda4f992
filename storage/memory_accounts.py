"""Web accounts, sessions and login links of the in-memory store (the ``AccountStore`` port),
following ``storage.account_store`` rule for rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from engine.accounts import Account, LoginLink, Session
from storage.convert import from_db, to_db

if TYPE_CHECKING:
    from storage.memory_state import State


def maybe(value: dt.datetime | None) -> dt.datetime | None:
    """A time as the database gives it back: aware UTC, to the microsecond (or None)."""
    return from_db(to_db(value))


def utc(value: dt.datetime) -> dt.datetime:
    """``maybe`` of a time that is there."""
    stored = maybe(value)
    assert stored is not None
    return stored


@dataclass(slots=True)
class AccountTables:
    """The accounts, web_sessions and login_links tables."""

    accounts: dict[str, Account] = field(default_factory=dict)  # by person id
    sessions: dict[str, Session] = field(default_factory=dict)  # by id hash
    links: dict[str, LoginLink] = field(default_factory=dict)  # by token hash


def _stored(account: Account) -> Account:
    return replace(account, password_set_at=maybe(account.password_set_at),
                   first_failure_at=maybe(account.first_failure_at),
                   locked_until=maybe(account.locked_until),
                   last_login_at=maybe(account.last_login_at))


class MemoryAccounts:
    """The account part of MemoryStore (mixed in; works on ``self.state``). Writers are
    serialised, so ``lock`` needs nothing more."""

    state: State

    @property
    def _web(self) -> AccountTables:
        return self.state.accounts

    def account(self, person_id: str, lock: bool = False) -> Account | None:
        """The account of a person, if one was made (a copy)."""
        account = self._web.accounts.get(person_id)
        return None if account is None else replace(account)

    def save_account(self, account: Account) -> None:
        """Insert or update an account."""
        self._web.accounts[account.person_id] = _stored(account)

    def accounts(self) -> list[Account]:
        """Every account, by person id."""
        return [replace(a) for _, a in sorted(self._web.accounts.items())]

    def add_session(self, session: Session) -> None:
        """Keep a new session."""
        self._web.sessions[session.id_hash] = replace(
            session, created_at=utc(session.created_at),
            last_seen_at=utc(session.last_seen_at), ended_at=maybe(session.ended_at))

    def session(self, id_hash: str) -> Session | None:
        """A session by the hash of its id (ended ones too)."""
        session = self._web.sessions.get(id_hash)
        return None if session is None else replace(session)

    def touch_session(self, id_hash: str, at: dt.datetime) -> None:
        """Note that an open session was used at ``at``."""
        session = self._web.sessions.get(id_hash)
        if session is not None and session.ended_at is None:
            session.last_seen_at = utc(at)

    def end_sessions(self, person_id: str, at: dt.datetime,
                     id_hash: str | None = None) -> int:
        """End a person's open sessions (only ``id_hash`` when given); how many."""
        ended = [s for s in self._web.sessions.values()
                 if s.person_id == person_id and s.ended_at is None
                 and (id_hash is None or s.id_hash == id_hash)]
        for session in ended:
            session.ended_at = utc(at)
        return len(ended)

    def last_seen(self) -> dict[str, dt.datetime]:
        """When each person's sessions were last used, by person id."""
        seen: dict[str, dt.datetime] = {}
        for session in self._web.sessions.values():
            if session.person_id not in seen or session.last_seen_at > seen[session.person_id]:
                seen[session.person_id] = session.last_seen_at
        return seen

    def add_login_link(self, link: LoginLink) -> None:
        """Keep a new login link."""
        self._web.links[link.token_hash] = replace(
            link, created_at=utc(link.created_at), expires_at=utc(link.expires_at),
            used_at=maybe(link.used_at))

    def login_link(self, token_hash: str) -> LoginLink | None:
        """A login link by the hash of its token."""
        link = self._web.links.get(token_hash)
        return None if link is None else replace(link)

    def use_login_link(self, token_hash: str, at: dt.datetime) -> bool:
        """Mark a link used; True only for the one call that used it."""
        link = self._web.links.get(token_hash)
        if link is None or link.used_at is not None:
            return False
        link.used_at = utc(at)
        return True
