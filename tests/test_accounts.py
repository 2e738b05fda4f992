"""The rules of web accounts (engine/accounts.py): passwords, logins and their throttling,
sessions, single-use login links and CSRF tokens, on every backend."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest

from engine import accounts as acc
from engine.calendar import WorkCalendar
from engine.clock import FixedClock
from engine.errors import (
    AccountLocked,
    LoginFailed,
    LoginLinkUnusable,
    NotAllowed,
    PasswordTooShort,
    PersonNotFound,
)
from engine.ports import Database
from engine.roster import Person, Roster, Unit
from engine.services import Env
from runners.passwords import Argon2Passwords, password_hasher
from tests.office import wib

ROSTER = Roster((
    Unit("darangdan", "Kecamatan Darangdan", (
        Person("camat", "Contoh Camat", ("camat",), nip="19700101 200003 1 001",
               email="Camat@Darangdan.example"),
        Person("sekcam", "Contoh Sekcam", ("sekcam",), nip="197203152001121002",
               email="sekcam@darangdan.example"),
        Person("staf-1", "Contoh Staf", ("staf",)),
    )),
    Unit("cikalong", "Kecamatan Cikalong", (
        Person("camat-ck", "Camat Cikalong", ("camat",), email="camat@cikalong.example"),
    )),
), "roster.yaml")
GOOD = "kopi-pagi-di-kantor"  # a password of the right length
CHEAP = Argon2Passwords(memory_kib=256, time_cost=1)  # real Argon2id, made cheap for tests


class Office:
    """A database of one backend, the roster above, a clock standing still."""

    def __init__(self, database: Database, roster: Roster = ROSTER) -> None:
        self.database = database
        self.clock = FixedClock(wib(2026, 1, 5, 8, 0))
        self.env = dataclasses.replace(Env(WorkCalendar(), roster, self.clock), channel="web")

    def later(self, **delta: float) -> None:
        self.clock.advance(dt.timedelta(**delta))

    def set_password(self, person: str = "camat", password: str = GOOD,
                     by: str | None = None) -> acc.Account:
        with self.database.transaction() as store:
            return acc.set_password(store, self.env, person, password, CHEAP, by=by)

    def log_in(self, name: str = "camat", password: str = GOOD,
               address: str | None = "127.0.0.1") -> tuple[str, acc.Session]:
        with self.database.transaction() as store:
            return acc.log_in(store, self.env, name, password, CHEAP, address)

    def session_of(self, secret: str | None, hours: float = 10) -> acc.Session | None:
        with self.database.transaction() as store:
            return acc.session_of(store, self.env, secret, hours)

    def account(self, person: str = "camat") -> acc.Account | None:
        with self.database.transaction(write=False) as store:
            return store.account(person)

    def events(self) -> list[tuple[str, str | None, dict[str, object]]]:
        with self.database.transaction(write=False) as store:
            return [(e.event, e.actor, json.loads(e.data)) for e in store.audit_events()]

    def link(self, person: str = "sekcam") -> str:
        with self.database.transaction() as store:
            return acc.make_login_link(store, self.env, person, by="operator")


@pytest.fixture
def office(database: Database) -> Office:
    return Office(database)


# -- who a login name means ------------------------------------------------------------

@pytest.mark.parametrize(("name", "person"), [
    ("camat", "camat"), ("  camat ", "camat"), ("CAMAT", "camat"), ("Camat-CK", "camat-ck"),
    ("camat@darangdan.example", "camat"), ("CAMAT@DARANGDAN.EXAMPLE", "camat"),
    ("197001012000031001", "camat"), ("1970 0101 2000 0310 01", "camat"),
    ("197203152001121002", "sekcam"), ("camat@cikalong.example", "camat-ck"),
])
def test_a_person_logs_in_by_id_email_or_nip(name: str, person: str) -> None:
    found = acc.find_person(ROSTER, name)
    assert found is not None and found[1].id == person
    assert found[0].slug == ("cikalong" if person == "camat-ck" else "darangdan")


@pytest.mark.parametrize("name", ["", "   ", "nobody", "camat@", "1970010120000310", "staf"])
def test_a_name_that_fits_nobody_finds_nobody(name: str) -> None:
    assert acc.find_person(ROSTER, name) is None


# -- passwords ---------------------------------------------------------------------------

def test_a_password_is_kept_only_as_an_argon2id_hash(office: Office) -> None:
    account = office.set_password(by="operator")
    stored = office.account()
    assert stored is not None and stored.password_hash == account.password_hash
    assert stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")
    assert GOOD not in stored.password_hash
    assert stored.password_set_at == office.clock.now()
    assert office.events() == [("password_set", "operator",
                                {"person": "camat", "sessions": 0, "channel": "web"})]


def test_the_runners_hasher_is_argon2id_at_owasps_cost() -> None:
    hashed = password_hasher().hash(GOOD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert password_hasher().verify(GOOD, hashed)
    assert not password_hasher().verify(GOOD + "x", hashed)
    assert not password_hasher().verify(GOOD, "not a hash")
    assert not password_hasher().verify(GOOD, "$argon2id$v=19$m=19456,t=2,p=1$broken")


@pytest.mark.parametrize("password", ["", "123456789", "short"])
def test_a_short_password_is_refused_and_nothing_is_stored(office: Office,
                                                           password: str) -> None:
    with pytest.raises(PasswordTooShort, match="at least 10 characters") as caught:
        office.set_password(password=password)
    assert (caught.value.length, caught.value.minimum) == (len(password), 10)
    assert office.account() is None and office.events() == []


def test_only_a_roster_person_gets_a_password(office: Office) -> None:
    with pytest.raises(PersonNotFound) as caught:
        office.set_password("camta")
    assert str(caught.value) == "no person `camta` in roster.yaml, did you mean `camat`?"
    assert office.account("camta") is None and office.events() == []


def test_a_new_password_ends_the_persons_sessions(office: Office) -> None:
    office.set_password()
    phone, _ = office.log_in()
    laptop, _ = office.log_in()
    office.set_password("sekcam")
    sekcam, _ = office.log_in("sekcam")
    office.later(minutes=5)
    office.set_password(password="teh-manis-sore-hari")
    assert office.session_of(phone) is None and office.session_of(laptop) is None
    assert office.session_of(sekcam) is not None  # another person's session lives on
    with pytest.raises(LoginFailed):
        office.log_in()  # the old password no longer works
    assert office.log_in(password="teh-manis-sore-hari")
    assert office.events()[-1] == ("password_set", None,
                                   {"person": "camat", "sessions": 2, "channel": "web"})


# -- logging in --------------------------------------------------------------------------

def test_a_login_gives_a_random_secret_of_which_only_the_hash_is_stored(office: Office) -> None:
    office.set_password()
    secret, session = office.log_in("camat@darangdan.example", address="10.0.0.7")
    assert len(secret) >= 43  # 32 random bytes in URL-safe base64: 256 bits
    assert session.id_hash == hashlib.sha256(secret.encode()).hexdigest() != secret
    assert (session.person_id, session.address, session.ended_at) == ("camat", "10.0.0.7",
                                                                       None)
    assert session.created_at == session.last_seen_at == office.clock.now()
    with office.database.transaction(write=False) as store:
        assert store.session(secret) is None  # looked up by hash only
        assert store.session(session.id_hash) == session
    account = office.account()
    assert account is not None and account.last_login_at == office.clock.now()
    other, _ = office.log_in("19700101 200003 1 001")
    assert other != secret  # every login a new secret


def test_a_wrong_name_and_a_wrong_password_say_the_same(office: Office) -> None:
    office.set_password()
    said = []
    for name, password in [("camat", "salah-salah-salah"), ("nobody", GOOD),
                           ("sekcam", GOOD)]:  # sekcam has no password yet
        with pytest.raises(LoginFailed) as caught:
            office.log_in(name, password)
        said.append(str(caught.value))
        assert isinstance(caught.value, NotAllowed)
    assert said == ["the name or password is wrong"] * 3


class CountingHasher:
    def __init__(self) -> None:
        self.verified = 0

    def hash(self, password: str) -> str:
        return CHEAP.hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        self.verified += 1
        return CHEAP.verify(password, hashed)


def test_an_unknown_name_costs_a_password_check_too(office: Office) -> None:
    hasher = CountingHasher()
    with office.database.transaction() as store, pytest.raises(LoginFailed):
        acc.log_in(store, office.env, "nobody", GOOD, hasher, None)
    assert hasher.verified == 1  # the time does not tell the name was unknown


def test_five_failures_make_the_account_wait_fifteen_minutes(office: Office) -> None:
    office.set_password()
    office.set_password("sekcam")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            office.log_in(password="salah-salah-salah")
        office.later(minutes=2)
    with pytest.raises(AccountLocked) as caught:
        office.log_in(password="salah-salah-salah")  # the fifth, 8 minutes after the first
    until = wib(2026, 1, 5, 8, 23)
    assert caught.value.until == until and caught.value.until.utcoffset() == dt.timedelta(
        hours=7)
    assert str(caught.value) == ("too many failed logins (5) for this account; it may log in "
                                 "again from 2026-01-05 08:23")
    office.later(minutes=14)
    with pytest.raises(AccountLocked):
        office.log_in()  # even the right password waits
    assert office.log_in("sekcam")  # other accounts are unaffected
    office.later(minutes=1)
    secret, _ = office.log_in()  # 08:23: the wait is over
    assert office.session_of(secret) is not None
    account = office.account()
    assert account is not None
    assert (account.failures, account.first_failure_at, account.locked_until) == (0, None, None)


def test_a_person_without_a_password_waits_the_same_and_a_stranger_never(
        office: Office) -> None:
    for name in ("sekcam", "nobody"):
        for _ in range(4):
            with pytest.raises(LoginFailed):
                office.log_in(name, "salah-salah-salah")
    with pytest.raises(AccountLocked):
        office.log_in("sekcam", "salah-salah-salah")  # as one with a password would
    for _ in range(3):
        with pytest.raises(LoginFailed):
            office.log_in("nobody", "salah-salah-salah")  # nobody's account to lock
    account = office.account("sekcam")
    assert account is not None and account.password_hash is None
    assert account.locked_until == wib(2026, 1, 5, 8, 15)
    assert office.account("nobody") is None
    office.later(minutes=15)
    office.set_password("sekcam")
    assert office.log_in("sekcam")


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(office: Office) -> None:
    office.set_password()
    for _ in range(4):
        with pytest.raises(LoginFailed):
            office.log_in(password="salah-salah-salah")
    office.later(minutes=16)
    for _ in range(4):
        with pytest.raises(LoginFailed):
            office.log_in(password="salah-salah-salah")
    account = office.account()
    assert account is not None and (account.failures, account.locked_until) == (4, None)


def test_a_success_resets_the_count(office: Office) -> None:
    office.set_password()
    for _ in range(4):
        with pytest.raises(LoginFailed):
            office.log_in(password="salah-salah-salah")
    office.log_in()
    for _ in range(4):
        with pytest.raises(LoginFailed):
            office.log_in(password="salah-salah-salah")
    account = office.account()
    assert account is not None and (account.failures, account.locked_until) == (4, None)


# -- sessions ----------------------------------------------------------------------------

def test_a_session_lives_while_used_and_ends_after_hours_without_use(office: Office) -> None:
    office.set_password()
    secret, started = office.log_in()
    office.later(hours=9, minutes=59)
    seen = office.session_of(secret, hours=10)
    assert seen is not None and seen.last_seen_at == office.clock.now()  # its use is noted
    office.later(hours=9, minutes=59)
    assert office.session_of(secret, hours=10) is not None
    office.later(hours=10, seconds=1)
    assert office.session_of(secret, hours=10) is None
    assert office.session_of(secret, hours=24) is not None  # not ended: only unused too long
    assert started.created_at == wib(2026, 1, 5, 8, 0)


def test_a_session_notes_its_use_at_most_once_a_minute(office: Office) -> None:
    office.set_password()
    secret, _ = office.log_in()
    office.later(seconds=30)
    seen = office.session_of(secret)
    assert seen is not None and seen.last_seen_at == wib(2026, 1, 5, 8, 0)
    office.later(seconds=30)
    seen = office.session_of(secret)
    assert seen is not None and seen.last_seen_at == wib(2026, 1, 5, 8, 1)


@pytest.mark.parametrize("secret", [None, "", "not-a-session", "x" * 43])
def test_an_unknown_cookie_has_no_session(office: Office, secret: str | None) -> None:
    assert office.session_of(secret) is None


def test_a_person_who_left_the_roster_has_no_session(office: Office) -> None:
    office.set_password("staf-1")
    secret, _ = office.log_in("staf-1")
    office.env = dataclasses.replace(office.env, roster=Roster((Unit(
        "darangdan", "Kecamatan Darangdan", ROSTER.units[0].people[:2]),)))
    assert office.session_of(secret) is None
    with pytest.raises(LoginFailed):
        office.log_in("staf-1")


def test_logging_out_ends_that_session_only(office: Office) -> None:
    office.set_password()
    phone, _ = office.log_in()
    laptop, _ = office.log_in()
    with office.database.transaction() as store:
        acc.log_out(store, office.env, phone)
        acc.log_out(store, office.env, "no-such-session")
        acc.log_out(store, office.env, None)
    assert office.session_of(phone) is None and office.session_of(laptop) is not None
    assert office.events()[1:] == []  # logging out of one browser is no audit event


def test_logging_out_everywhere_ends_every_session_and_is_audited(office: Office) -> None:
    office.set_password()
    phone, _ = office.log_in()
    laptop, _ = office.log_in()
    with office.database.transaction() as store:
        assert acc.log_out_everywhere(store, office.env, "camat", by="operator") == 2
    with office.database.transaction() as store:
        assert acc.log_out_everywhere(store, office.env, "camat") == 0
    assert office.session_of(phone) is None and office.session_of(laptop) is None
    assert office.events()[1:] == [
        ("sessions_ended", "operator", {"person": "camat", "sessions": 2, "channel": "web"}),
        ("sessions_ended", None, {"person": "camat", "sessions": 0, "channel": "web"})]
    with office.database.transaction() as store, pytest.raises(PersonNotFound):
        acc.log_out_everywhere(store, office.env, "camta")


def test_the_sessions_of_someone_who_left_the_roster_can_still_be_ended(office: Office) -> None:
    office.set_password("staf-1")
    office.log_in("staf-1")
    office.env = dataclasses.replace(office.env, roster=Roster((Unit(
        "darangdan", "Kecamatan Darangdan", ROSTER.units[0].people[:2]),)))
    with office.database.transaction() as store:
        assert acc.log_out_everywhere(store, office.env, "staf-1") == 1


# -- login links -------------------------------------------------------------------------

def test_a_login_link_logs_in_once_and_a_look_at_it_changes_nothing(office: Office) -> None:
    token = office.link()
    assert len(token) >= 43
    with office.database.transaction() as store:
        for _ in range(3):  # link previews fetch it first
            peeked = acc.peek_login_link(store, office.env, token)
            assert peeked is not None and peeked.used_at is None
            assert peeked.expires_at == wib(2026, 1, 8, 8, 0)
    with office.database.transaction() as store:
        secret, session = acc.use_login_link(store, office.env, token, "10.1.1.1")
    assert session.person_id == "sekcam" and office.session_of(secret) == session
    account = office.account("sekcam")
    assert account is not None and account.last_login_at == office.clock.now()
    assert account.password_hash is None  # a link gives no password
    office.later(minutes=1)
    with office.database.transaction() as store:
        assert acc.peek_login_link(store, office.env, token) is None
        with pytest.raises(LoginLinkUnusable) as caught:
            acc.use_login_link(store, office.env, token, None)
    assert caught.value.reason == "used" and caught.value.at == wib(2026, 1, 5, 8, 0)
    assert str(caught.value) == ("this login link was used already (2026-01-05 08:00); a link "
                                 "logs in once: ask for a new one, or log in with your "
                                 "password")


def test_only_the_hash_of_a_link_is_stored_and_the_event_names_no_token(
        office: Office) -> None:
    token = office.link()
    with office.database.transaction(write=False) as store:
        assert store.login_link(token) is None
        link = store.login_link(hashlib.sha256(token.encode()).hexdigest())
    assert link is not None and link.person_id == "sekcam"
    assert office.events() == [("login_link_made", "operator",
                                {"person": "sekcam", "valid_until": "2026-01-08T08:00:00+07:00",
                                 "channel": "web"})]


def test_an_expired_or_unknown_link_logs_nobody_in(office: Office) -> None:
    token = office.link()
    office.later(hours=72)
    with office.database.transaction() as store:
        assert acc.peek_login_link(store, office.env, token) is None
        with pytest.raises(LoginLinkUnusable, match="expired at 2026-01-08 08:00") as caught:
            acc.use_login_link(store, office.env, token, None)
        assert caught.value.reason == "expired"
        for unknown in ("", "no-such-token"):
            assert acc.peek_login_link(store, office.env, unknown) is None
            with pytest.raises(LoginLinkUnusable, match="not known") as caught:
                acc.use_login_link(store, office.env, unknown, None)
            assert caught.value.reason == "unknown"
    assert office.account("sekcam") is None


def test_a_link_of_someone_who_left_the_roster_logs_nobody_in(office: Office) -> None:
    token = office.link("staf-1")
    office.env = dataclasses.replace(office.env, roster=Roster((Unit(
        "darangdan", "Kecamatan Darangdan", ROSTER.units[0].people[:2]),)))
    with office.database.transaction() as store:
        assert acc.peek_login_link(store, office.env, token) is None
        with pytest.raises(LoginLinkUnusable):
            acc.use_login_link(store, office.env, token, None)


def test_a_link_is_made_only_for_a_roster_person(office: Office) -> None:
    with office.database.transaction() as store, pytest.raises(PersonNotFound):
        acc.make_login_link(store, office.env, "camta")
    assert office.events() == []


def test_a_locked_account_still_logs_in_with_a_link(office: Office) -> None:
    office.set_password("sekcam")
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            office.log_in("sekcam", "salah-salah-salah")
    with pytest.raises(AccountLocked):
        office.log_in("sekcam")
    token = office.link()
    with office.database.transaction() as store:
        assert acc.use_login_link(store, office.env, token, None)


# -- CSRF --------------------------------------------------------------------------------

def test_the_csrf_token_belongs_to_its_session() -> None:
    token = acc.csrf_token("secret-one")
    assert token == acc.csrf_token("secret-one") and len(token) == 64
    assert token != acc.csrf_token("secret-two")
    assert token != acc.digest("secret-one")  # not what the database keeps
    assert acc.csrf_ok("secret-one", token)
    assert not acc.csrf_ok("secret-two", token)
    for wrong in (None, "", token[:-1], token.upper(), token + "0", "ü" * 64):
        assert not acc.csrf_ok("secret-one", wrong)
    assert not acc.csrf_ok(None, token) and not acc.csrf_ok("", acc.csrf_token(""))


# -- no secret in the audit trail --------------------------------------------------------

def test_no_password_hash_or_token_reaches_the_audit_trail(office: Office) -> None:
    office.set_password()
    secret, _ = office.log_in()
    token = office.link()
    with office.database.transaction() as store:
        acc.log_out_everywhere(store, office.env, "camat")
    account = office.account()
    assert account is not None and account.password_hash is not None
    trail = json.dumps(office.events())
    for kept_secret in (GOOD, account.password_hash, secret, acc.digest(secret), token,
                        acc.digest(token)):
        assert kept_secret not in trail
    assert [kind for kind, _, _ in office.events()] == ["password_set", "login_link_made",
                                                         "sessions_ended"]
