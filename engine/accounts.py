"""Web accounts: who may log in, their sessions and single-use login links.

A person of the roster logs in with a password (kept only as an Argon2id hash,
made by the runner's ``PasswordHasher``) or a login link. Sessions and links
are random secrets of which only a SHA-256 is stored. The rules (throttling
after failed logins, session expiry, single use of a link) live here, so
every runner applies the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

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
