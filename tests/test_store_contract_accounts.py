"""The contract of the ``AccountStore`` port (web accounts, sessions, login links) on every
backend: memory, SQLite and PostgreSQL; and the races its rules are about."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest

from engine import accounts as acc
from engine.accounts import Account, LoginLink, Session
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.errors import AlurError, LoginFailed, LoginLinkUnusable
from engine.ports import Database
from engine.roster import Person, Roster, Unit
from engine.services import Env
from runners.passwords import Argon2Passwords
from tests.store_kit import HOUR, T0

H1, H2, H3 = "1" * 64, "2" * 64, "3" * 64
MINUTE = HOUR / 60


# -- accounts ------------------------------------------------------------------------------

def test_an_account_is_none_until_saved_then_reads_back_as_written(database: Database) -> None:
    with database.transaction(write=False) as store:
        assert store.account("camat") is None and store.accounts() == []
    first = Account("camat", "$argon2id$hash", T0, 2, T0 + MINUTE, None, None)
    with database.transaction() as store:
        store.save_account(first)
        store.save_account(Account("sekcam"))
        assert store.account("camat", lock=True) == first
    with database.transaction(write=False) as store:
        assert store.account("camat") == first
        assert store.account("sekcam") == Account("sekcam")
        assert [a.person_id for a in store.accounts()] == ["camat", "sekcam"]
        got = store.account("camat")
        assert got is not None and got.password_set_at is not None
        assert got.password_set_at.utcoffset() is not None  # aware, as written


def test_saving_an_account_again_updates_every_field(database: Database) -> None:
    with database.transaction() as store:
        store.save_account(Account("camat", "old", T0, 4, T0, T0 + HOUR, T0))
    changed = Account("camat", None, None, 0, None, None, T0 + 2 * HOUR)
    with database.transaction() as store:
        store.save_account(changed)
    with database.transaction(write=False) as store:
        assert store.account("camat") == changed
        assert len(store.accounts()) == 1


def test_an_account_returned_is_a_copy(database: Database) -> None:
    with database.transaction() as store:
        store.save_account(Account("camat", "h"))
        account = store.account("camat")
        assert account is not None
        account.failures = 3  # not saved
        assert store.account("camat") == Account("camat", "h")


# -- sessions ------------------------------------------------------------------------------

def test_sessions_are_kept_found_by_hash_noted_and_ended(database: Database) -> None:
    with database.transaction() as store:
        store.add_session(Session(H1, "camat", T0, T0, "10.0.0.1"))
        store.add_session(Session(H2, "camat", T0, T0, None))
        store.add_session(Session(H3, "sekcam", T0, T0, "::1"))
    with database.transaction() as store:
        assert store.session(H1) == Session(H1, "camat", T0, T0, "10.0.0.1")
        assert store.session("f" * 64) is None
        store.touch_session(H1, T0 + HOUR)
        assert store.end_sessions("camat", T0 + 2 * HOUR, H2) == 1
    with database.transaction() as store:
        assert store.session(H1) == Session(H1, "camat", T0, T0 + HOUR, "10.0.0.1")
        assert store.session(H2) == Session(H2, "camat", T0, T0, None, T0 + 2 * HOUR)
        assert store.end_sessions("camat", T0 + 3 * HOUR, H2) == 0  # ended already
        assert store.end_sessions("camat", T0 + 3 * HOUR) == 1  # the one left open
        assert store.end_sessions("camat", T0 + 4 * HOUR) == 0
        store.touch_session(H1, T0 + 5 * HOUR)  # an ended session is not noted any more
    with database.transaction(write=False) as store:
        ended = store.session(H1)
        assert ended is not None
        assert (ended.last_seen_at, ended.ended_at) == (T0 + HOUR, T0 + 3 * HOUR)
        open_one = store.session(H3)
        assert open_one is not None and open_one.ended_at is None


def test_last_seen_is_each_persons_latest_use(database: Database) -> None:
    with database.transaction() as store:
        assert store.last_seen() == {}
        store.add_session(Session(H1, "camat", T0, T0 + HOUR))
        store.add_session(Session(H2, "camat", T0, T0 + 3 * HOUR, None, T0 + 4 * HOUR))
        store.add_session(Session(H3, "sekcam", T0, T0 + 2 * HOUR))
    with database.transaction(write=False) as store:
        assert store.last_seen() == {"camat": T0 + 3 * HOUR, "sekcam": T0 + 2 * HOUR}


# -- login links ---------------------------------------------------------------------------

def test_a_login_link_is_kept_by_hash_and_used_once(database: Database) -> None:
    link = LoginLink(H1, "sekcam", T0, T0 + 72 * HOUR)
    with database.transaction() as store:
        store.add_login_link(link)
        assert store.login_link(H2) is None
    with database.transaction() as store:
        assert store.login_link(H1) == link
        assert store.use_login_link(H1, T0 + HOUR) is True
        assert store.use_login_link(H1, T0 + 2 * HOUR) is False
        assert store.use_login_link(H2, T0 + 2 * HOUR) is False  # unknown
    with database.transaction(write=False) as store:
        assert store.login_link(H1) == dataclasses.replace(link, used_at=T0 + HOUR)


# -- transactions that keep what a refusal wrote -------------------------------------------

class Refused(AlurError):
    keeps_changes = True


def test_an_error_that_keeps_changes_commits_what_was_written(database: Database) -> None:
    with pytest.raises(Refused), database.transaction() as store:
        store.save_account(Account("camat", failures=1))
        raise Refused("counted, then refused")
    with pytest.raises(ValueError), database.transaction() as store:
        store.save_account(Account("sekcam"))
        raise ValueError("any other error rolls back")
    with database.transaction(write=False) as store:
        assert store.account("camat") == Account("camat", failures=1)
        assert store.account("sekcam") is None


# -- races ---------------------------------------------------------------------------------

ROSTER = Roster((Unit("u1", "Unit", (Person("camat", "Contoh Camat", ("camat",)),
                                      Person("sekcam", "Contoh Sekcam", ("sekcam",)))),))
CHEAP = Argon2Passwords(memory_kib=256, time_cost=1)


class Held:
    """A store whose ``method`` waits for the other thread first (both are inside their
    transaction, having read nothing yet), so the two really overlap."""

    def __init__(self, store: Any, method: str, barrier: threading.Barrier | None) -> None:
        self._store, self._method, self._barrier = store, method, barrier

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if name != self._method or self._barrier is None:
            return found

        def held(*args: Any, **kwargs: Any) -> Any:
            assert self._barrier is not None
            self._barrier.wait(timeout=10)
            return found(*args, **kwargs)
        return held


def both_at_once(database: Database, method: str,
                 use_case: Callable[[Any], object]) -> list[object]:
    """Run ``use_case`` in two threads, each in its own write transaction; on PostgreSQL
    both reach ``method`` before either goes on (SQLite and memory serialise writers)."""
    overlap = getattr(database, "kind", "") == "postgresql"
    barrier = threading.Barrier(2) if overlap else None
    results: list[object] = []

    def one() -> None:
        try:
            with database.transaction() as store:
                results.append(use_case(Held(store, method, barrier)))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.slow
def test_two_uses_of_one_link_at_once_log_in_once(database: Database) -> None:
    env = Env(WorkCalendar(), ROSTER, FixedClock(T0))
    with database.transaction() as store:
        token = acc.make_login_link(store, env, "sekcam")
    results = both_at_once(database, "use_login_link",
                           lambda store: acc.use_login_link(store, env, token, None))
    started = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, LoginLinkUnusable)]
    assert (len(started), len(refused)) == (1, 1), results
    assert refused[0].reason == "used"
    with database.transaction(write=False) as store:
        assert store.last_seen().keys() == {"sekcam"}


@pytest.mark.slow
def test_two_wrong_passwords_at_once_both_count(database: Database) -> None:
    env = Env(WorkCalendar(), ROSTER, FixedClock(T0))
    with database.transaction() as store:
        acc.set_password(store, env, "camat", "kopi-pagi-di-kantor", CHEAP)
    results = both_at_once(database, "account", lambda store: acc.log_in(
        store, env, "camat", "salah-salah-salah", CHEAP, None))
    assert [type(r) for r in results] == [LoginFailed, LoginFailed]
    with database.transaction(write=False) as store:
        account = store.account("camat")
    assert account is not None and account.failures == 2
