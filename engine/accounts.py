"""Web accounts: who may log in, their sessions and single-use login links.

A person of the roster logs in with a password (kept only as an Argon2id hash,
made by the runner's ``PasswordHasher``) or a login link. Sessions and links
are random secrets of which only a SHA-256 is stored. The rules (throttling
after failed logins, session expiry, single use of a link) live here, so
every runner applies the same ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from engine.checker import suggest
from engine.errors import (
    AccountLocked,
    LoginFailed,
    LoginLinkUnusable,
    PasswordTooShort,
    PersonNotFound,
    in_file,
)
from engine.roster import Person, Roster, Unit
from engine.runs import LOGIN_LINK_MADE, PASSWORD_SET, SESSIONS_ENDED, NewEvent

if TYPE_CHECKING:
    from engine.ports import Store
    from engine.services import Env

FAILURES_BEFORE_WAIT = 5  # failed logins of one account ...
FAILURE_WINDOW = dt.timedelta(minutes=15)  # ... within this window ...
WAIT = dt.timedelta(minutes=15)  # ... make it wait this long
LINK_VALID = dt.timedelta(hours=72)
MIN_PASSWORD = 10  # characters


@dataclass(slots=True)
class Account:
    """A roster person's web account (the roster says who they are and what they hold)."""

    person_id: str
    password_hash: str | None = None
    password_set_at: dt.datetime | None = None
    failures: int = 0  # failed logins in a row
    first_failure_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None
    last_login_at: dt.datetime | None = None


@dataclass(slots=True)
class Session:
    """A logged-in browser: the SHA-256 of its cookie's random id, and whose it is."""

    id_hash: str
    person_id: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    address: str | None = None
    ended_at: dt.datetime | None = None


@dataclass(slots=True)
class LoginLink:
    """A single-use login link: the SHA-256 of its token, for whom, until when."""

    token_hash: str
    person_id: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None


class PasswordHasher(Protocol):
    """Makes and checks password hashes (the runner supplies Argon2id)."""

    def hash(self, password: str) -> str:
        """A new hash of ``password`` (salted)."""
        ...

    def verify(self, password: str, hashed: str) -> bool:
        """Whether ``password`` matches ``hashed``."""
        ...


# -- the use cases ------------------------------------------------------------------------
# Each takes a ``Store`` that is one open transaction (the runner commits it) and an
# ``engine.services.Env`` (roster, clock, channel). Secrets (cookie ids, link tokens) are
# returned once and never stored: only their SHA-256 is. No audit event ever holds a
# password, a hash or a token.

TOUCH_EVERY = dt.timedelta(minutes=1)  # a session's use is noted at most this often
CSRF_PURPOSE = b"alur-csrf-v1"
ADDRESS_LENGTH = 100  # the column's size


@dataclass(frozen=True, slots=True)
class AccountView:
    """One roster person (or a former one who still has an account) as `alur user list`
    shows them: can they log in, and when did they last."""

    person_id: str
    name: str  # "" for a person no longer in the roster
    unit: str  # the first unit they belong to ("" when none)
    in_roster: bool
    has_password: bool
    password_set_at: dt.datetime | None
    last_login_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    locked_until: dt.datetime | None  # only while it is in the future


def digest(secret: str) -> str:
    """The SHA-256 (hex) of a session id or link token: all the database keeps of it."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def find_person(roster: Roster, username: str) -> tuple[Unit, Person] | None:
    """The person a login name means: a person id (as written, else in any case), an
    e-mail (any case) or a NIP (spaces ignored); None when nobody fits."""
    name = username.strip()
    if not name:
        return None
    people = [(unit, person) for unit in roster.units for person in unit.people]
    folded = name.casefold()
    nip = "".join(name.split())
    for way in ("id", "id in any case", "e-mail", "NIP"):
        for unit, person in people:
            if _called(person, way, name, folded, nip):
                return unit, person
    return None


def _called(person: Person, way: str, name: str, folded: str, nip: str) -> bool:
    if way == "id":
        return person.id == name
    if way == "id in any case":
        return person.id.casefold() == folded
    if way == "e-mail":
        return person.email is not None and person.email.strip().casefold() == folded
    return person.nip is not None and "".join(person.nip.split()) == nip


def _person(roster: Roster, person_id: str) -> Person | None:
    return next((p for u in roster.units for p in u.people if p.id == person_id), None)


def roster_person(roster: Roster, person_id: str) -> Person:
    """The roster person with this id; PersonNotFound (with did-you-mean) otherwise."""
    person = _person(roster, person_id)
    if person is None:
        known = [p.id for u in roster.units for p in u.people]
        raise PersonNotFound(person_id, known, suggest(person_id, known) or "",
                             where=in_file(roster.file))
    return person


def _record(store: Store, env: Env, kind: str, by: str | None, at: dt.datetime,
            **data: object) -> None:
    """Append an account event (no run) to the audit trail; its channel is added there."""
    from engine.services import record_events  # engine.services imports this module

    record_events(store, env, [NewEvent(None, kind, by, at, data=data)], at)


def set_password(store: Store, env: Env, person_id: str, password: str,
                 hasher: PasswordHasher, *, by: str | None = None) -> Account:
    """Give a roster person a (new) password; their sessions end (a new password shuts out
    whoever knew the old one). ``by``: who set it, for the audit trail."""
    roster_person(env.roster, person_id)
    if len(password) < MIN_PASSWORD:
        raise PasswordTooShort(len(password), MIN_PASSWORD)
    now = env.clock.now()
    account = store.account(person_id, lock=True) or Account(person_id)
    account.password_hash = hasher.hash(password)
    account.password_set_at = now
    account.failures, account.first_failure_at, account.locked_until = 0, None, None
    store.save_account(account)
    ended = store.end_sessions(person_id, now)
    _record(store, env, PASSWORD_SET, by, now, person=person_id, sessions=ended)
    return account


_DUMMY_HASHES: dict[int, tuple[PasswordHasher, str]] = {}


def _spend_a_check(hasher: PasswordHasher, password: str) -> None:
    """Check ``password`` against a hash nobody has, so that an unknown name costs the
    same time as a wrong password (the time tells nothing)."""
    kept = _DUMMY_HASHES.get(id(hasher))
    if kept is None or kept[0] is not hasher:
        kept = (hasher, hasher.hash(secrets.token_urlsafe(16)))
        _DUMMY_HASHES[id(hasher)] = kept
    hasher.verify(password, kept[1])


def _start_session(store: Store, person_id: str, now: dt.datetime,
                   address: str | None) -> tuple[str, Session]:
    secret = secrets.token_urlsafe(32)  # 256 random bits
    session = Session(digest(secret), person_id, now, now,
                      (address or None) and address[:ADDRESS_LENGTH])
    store.add_session(session)
    return secret, session


def log_in(store: Store, env: Env, username: str, password: str, hasher: PasswordHasher,
           address: str | None) -> tuple[str, Session]:
    """Log a person in by name (id, e-mail or NIP) and password: the cookie's secret and
    its session. LoginFailed for a wrong name or password alike; the failures of a roster
    person are counted (with or without a password, so the count tells nothing either),
    and after FAILURES_BEFORE_WAIT of them within FAILURE_WINDOW the account waits WAIT
    (AccountLocked). The account row stays locked while counting."""
    now = env.clock.now()
    found = find_person(env.roster, username)
    if found is None:
        _spend_a_check(hasher, password)
        raise LoginFailed()
    account = store.account(found[1].id, lock=True) or Account(found[1].id)
    if account.locked_until is not None and now < account.locked_until:
        raise AccountLocked(account.locked_until.astimezone(env.calendar.tz),
                            FAILURES_BEFORE_WAIT)
    if account.password_hash is None:
        _spend_a_check(hasher, password)
        right = False
    else:
        right = hasher.verify(password, account.password_hash)
    if not right:
        _count_failure(store, account, now)
        if account.locked_until is not None and now < account.locked_until:
            raise AccountLocked(account.locked_until.astimezone(env.calendar.tz),
                                FAILURES_BEFORE_WAIT)
        raise LoginFailed()
    account.failures, account.first_failure_at, account.locked_until = 0, None, None
    account.last_login_at = now
    store.save_account(account)
    return _start_session(store, account.person_id, now, address)


def _count_failure(store: Store, account: Account, now: dt.datetime) -> None:
    """One more failed login of the account: a new window once the last has passed, and the
    wait once the window holds FAILURES_BEFORE_WAIT of them (the count starts again)."""
    if account.first_failure_at is None or now - account.first_failure_at > FAILURE_WINDOW:
        account.failures, account.first_failure_at = 0, now
    account.failures += 1
    if account.failures >= FAILURES_BEFORE_WAIT:
        account.locked_until = now + WAIT
        account.failures, account.first_failure_at = 0, None
    store.save_account(account)


def session_of(store: Store, env: Env, secret: str | None, hours: float) -> Session | None:
    """The live session of a cookie's secret: None when unknown, ended, unused for
    ``hours``, or its person left the roster. Notes the use (at most every TOUCH_EVERY),
    so call it in a write transaction."""
    if not secret:
        return None
    session = store.session(digest(secret))
    if session is None or session.ended_at is not None:
        return None
    now = env.clock.now()
    if now - session.last_seen_at > dt.timedelta(hours=hours):
        return None
    if _person(env.roster, session.person_id) is None:
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        store.touch_session(session.id_hash, now)
        session.last_seen_at = now
    return session


def log_out(store: Store, env: Env, secret: str | None) -> None:
    """End the session of a cookie's secret (nothing happens for an unknown one)."""
    if not secret:
        return
    session = store.session(digest(secret))
    if session is not None and session.ended_at is None:
        store.end_sessions(session.person_id, env.clock.now(), session.id_hash)


def log_out_everywhere(store: Store, env: Env, person_id: str, *,
                       by: str | None = None) -> int:
    """End every open session of a person (of the roster, or one who left it but still has
    an account); how many were open."""
    if _person(env.roster, person_id) is None and store.account(person_id) is None:
        roster_person(env.roster, person_id)  # PersonNotFound, with did-you-mean
    now = env.clock.now()
    ended = store.end_sessions(person_id, now)
    _record(store, env, SESSIONS_ENDED, by, now, person=person_id, sessions=ended)
    return ended


def make_login_link(store: Store, env: Env, person_id: str, *,
                    by: str | None = None) -> str:
    """A new single-use login link's token for a roster person (256 random bits), valid
    LINK_VALID; only its hash is stored."""
    roster_person(env.roster, person_id)
    now = env.clock.now()
    token = secrets.token_urlsafe(32)
    link = LoginLink(digest(token), person_id, now, now + LINK_VALID)
    store.add_login_link(link)
    until = link.expires_at.astimezone(env.calendar.tz).isoformat(timespec="seconds")
    _record(store, env, LOGIN_LINK_MADE, by, now, person=person_id, valid_until=until)
    return token


def _link_problem(env: Env, link: LoginLink | None, now: dt.datetime) -> LoginLinkUnusable | None:
    tz = env.calendar.tz
    if link is None or _person(env.roster, link.person_id) is None:
        return LoginLinkUnusable("unknown")
    if link.used_at is not None:
        return LoginLinkUnusable("used", link.used_at.astimezone(tz))
    if now >= link.expires_at:
        return LoginLinkUnusable("expired", link.expires_at.astimezone(tz))
    return None


def peek_login_link(store: Store, env: Env, token: str) -> LoginLink | None:
    """The link of a token while it is valid and unused, changing nothing (what a GET may
    do: link previews fetch links before people click them)."""
    if not token:
        return None
    link = store.login_link(digest(token))
    return None if _link_problem(env, link, env.clock.now()) else link


def use_login_link(store: Store, env: Env, token: str,
                   address: str | None) -> tuple[str, Session]:
    """Consume a login link and start its person's session (once: of two uses at the same
    moment, one wins); LoginLinkUnusable for a used, expired or unknown token."""
    now = env.clock.now()
    hashed = digest(token) if token else ""
    link = store.login_link(hashed) if hashed else None
    problem = _link_problem(env, link, now)
    if problem is not None:
        raise problem
    assert link is not None
    if not store.use_login_link(hashed, now):
        raise _link_problem(env, store.login_link(hashed), now) or LoginLinkUnusable("used")
    account = store.account(link.person_id, lock=True) or Account(link.person_id)
    account.last_login_at = now
    store.save_account(account)
    return _start_session(store, link.person_id, now, address)


def csrf_token(secret: str) -> str:
    """The CSRF token of a session: derived from its secret (an HMAC), so it needs no
    storage, and differs from what the database keeps."""
    return hmac.new(secret.encode("utf-8", "surrogatepass"), CSRF_PURPOSE,
                    hashlib.sha256).hexdigest()


def csrf_ok(secret: str | None, token: str | None) -> bool:
    """Whether ``token`` is the CSRF token of the session ``secret`` (compared in constant
    time)."""
    if not secret or not token:
        return False
    return hmac.compare_digest(csrf_token(secret).encode(),
                               token.encode("utf-8", "surrogatepass"))


def account_list(store: Store, env: Env) -> tuple[AccountView, ...]:
    """Every roster person, in roster order, with their account (if any), then the accounts
    of people no longer in the roster (`alur user list`)."""
    now = env.clock.now()
    accounts = {a.person_id: a for a in store.accounts()}
    seen = store.last_seen()
    views: list[AccountView] = []
    listed: set[str] = set()

    def view(person_id: str, name: str, unit: str, in_roster: bool) -> AccountView:
        account = accounts.get(person_id)
        locked = account.locked_until if account else None
        return AccountView(person_id, name, unit, in_roster,
                           bool(account and account.password_hash),
                           account.password_set_at if account else None,
                           account.last_login_at if account else None, seen.get(person_id),
                           locked if locked is not None and locked > now else None)

    for unit in env.roster.units:
        for person in unit.people:
            if person.id not in listed:
                listed.add(person.id)
                views.append(view(person.id, person.name, unit.slug, True))
    views += [view(p, "", "", False) for p in sorted(accounts) if p not in listed]
    return tuple(views)
