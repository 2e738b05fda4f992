"""`alur user password|list|logout|link`: the operator's side of web accounts, on SQLite and
PostgreSQL, as a newcomer's workspace (`alur init`) has them."""

from __future__ import annotations

import datetime as dt
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine
from sqlalchemy import select as sql_select

from engine import accounts as acc
from engine.services import Env
from runners.app import App
from storage import tables
from tests.conftest import REPO, run_cli

NOW = "2026-01-05T08:00"
SECRET = "kopi-pagi-di-kantor"


class Operator:
    """Runs `alur` in one workspace and database, at a fixed time."""

    def __init__(self, workspace: Path, db_url: str) -> None:
        self.workspace = workspace
        self.db_url = db_url
        self.now = NOW

    def __call__(self, *args: str, input: str | None = None, ok: bool = True,
                 lang: str = "en") -> Result:
        env = {"ALUR_NOW": self.now, "ALUR_USER": "", "ALUR_LANG": lang}
        result = run_cli(*args, "--workspace", str(self.workspace), "--db", self.db_url,
                         input=input, env=env)
        if ok:
            assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    def app(self) -> App:
        return App(self.workspace, self.db_url)

    def log_in(self, name: str, password: str = SECRET) -> str:
        """Log in as the web does (the engine's use case on this workspace)."""
        from engine.clock import FixedClock
        from runners.passwords import password_hasher

        app = self.app()
        env = Env(app.calendar, app.roster, FixedClock(app.parse_time(self.now)), channel="web")
        try:
            secret, _ = app.write(lambda store: acc.log_in(store, env, name, password,
                                                          password_hasher(), "127.0.0.1"))
        finally:
            app.close()
        return secret

    def stored_accounts(self) -> list[tuple[str, str | None]]:
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as connection:
                return [(r.person_id, r.password_hash) for r in connection.execute(
                    sql_select(tables.accounts))]
        finally:
            engine.dispose()


@pytest.fixture
def alur(tmp_path: Path, db_url: str) -> Operator:
    workspace = tmp_path / "kecamatan"
    result = run_cli("init", str(workspace), "--db", db_url)
    assert result.exit_code == 0, result.output
    return Operator(workspace, db_url)


def test_a_password_from_standard_input_lets_the_person_log_in(alur: Operator) -> None:
    result = alur("user", "password", "camat", "--password-stdin", input=SECRET + "\n")
    assert result.stdout == ("Password set for camat (Contoh Camat). They log in to `alur web` "
                             "as camat (or with their e-mail or NIP).\n")
    assert alur.log_in("camat")
    assert alur.log_in("camat@darangdan.example")
    assert alur.log_in("197001012000031001")
    [(person, hashed)] = alur.stored_accounts()
    assert person == "camat" and hashed is not None and hashed.startswith("$argon2id$")
    assert SECRET not in hashed


def test_the_password_is_never_stored_or_shown_in_clear(alur: Operator) -> None:
    alur("user", "password", "camat", "--password-stdin", input=SECRET + "\r\n")
    assert alur.log_in("camat", SECRET)  # a Windows line end is not part of it
    outputs = [alur("user", "list").output, alur("user", "list", "--json").output,
               alur("history").output, alur("history", "--format", "json").output]
    assert not any(SECRET in text for text in outputs)
    if alur.db_url.startswith("sqlite"):
        database = Path(alur.db_url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert SECRET.encode() not in stored and b"$argon2id$" in stored


@pytest.mark.parametrize(("given", "said"), [
    ("short\n", "Error: a password needs at least 10 characters (this one has 5)\n"),
    ("\n", "Error: no password on standard input: give it as one line\n"),
    ("", "Error: no password on standard input: give it as one line\n"),
])
def test_a_bad_password_is_refused_and_nothing_is_stored(alur: Operator, given: str,
                                                         said: str) -> None:
    result = alur("user", "password", "camat", "--password-stdin", input=given, ok=False)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", said)
    assert alur.stored_accounts() == []
    assert "No events match." in alur("history").stdout


def test_an_unknown_person_is_refused_before_a_password_is_asked(alur: Operator) -> None:
    result = alur("user", "password", "camta", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no person `camta` in ")
    assert result.stderr.endswith("roster.yaml, did you mean `camat`?\n")


def test_without_a_terminal_the_password_must_come_by_the_option(alur: Operator) -> None:
    result = alur("user", "password", "camat", input=SECRET + "\n", ok=False)
    assert result.exit_code == 1
    assert result.stderr == ("Error: standard input is not a terminal: give --password-stdin "
                             "to read the password from it (one line)\n")
    assert alur.stored_accounts() == []


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while wanted not in seen:
        left = end - time.monotonic()
        assert left > 0, f"waited for {wanted!r}, got {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"the program ended before {wanted!r}: {bytes(seen)!r}"
            seen += chunk


@pytest.mark.slow
def test_on_a_terminal_the_password_is_asked_twice_without_echo(alur: Operator) -> None:
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "ALUR_NOW": NOW, "ALUR_LANG": "en", "ALUR_USER": "",
           "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", "from runners.cli.main import main; main()", "user", "password",
         "sekcam", "--workspace", str(alur.workspace), "--db", alur.db_url],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"New password for sekcam: ", seen)
        os.write(master, b"teh-manis-sore\n")
        _read_until(master, b"Repeat it: ", seen)
        os.write(master, b"teh-manis-siang\n")  # not the same: asked again
        _read_until(master, b"do not match", seen)
        _read_until(master, b"New password for sekcam: ", seen[seen.index(b"do not match"):])
        seen.clear()
        os.write(master, b"teh-manis-sore\n")
        _read_until(master, b"Repeat it: ", seen)
        os.write(master, b"teh-manis-sore\n")
        _read_until(master, b"Password set for sekcam", seen)
        assert child.wait(timeout=20) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    assert b"teh-manis" not in seen  # nothing typed was shown
    assert alur.log_in("sekcam", "teh-manis-sore")


def test_the_list_shows_who_can_log_in_and_when_they_last_did(alur: Operator) -> None:
    alur("user", "password", "camat", "--password-stdin", input=SECRET + "\n")
    alur.now = "2026-01-05T09:15"
    alur.log_in("camat")
    table = alur("user", "list").stdout
    lines = table.splitlines()
    assert lines[0].split() == ["Person", "Name", "Password", "Last", "login"]
    assert lines[2].split() == ["camat", "Contoh", "Camat", "set", "05-01", "08:00", "05-01",
                                "09:15"]  # short local times: one line per person
    assert lines[3].split()[0] == "sekcam" and lines[3].split()[-2:] == ["none", "-"]
    assert lines[-1] == "1 of 11 people can log in with a password."
    listed = json.loads(alur("user", "list", "--json").stdout)
    assert len(listed) == 11
    assert listed[0] == {"person": "camat", "name": "Contoh Camat", "unit": "darangdan",
                         "in_roster": True, "password": True,
                         "password_set_at": "2026-01-05T08:00:00+07:00",
                         "last_login_at": "2026-01-05T09:15:00+07:00",
                         "last_seen_at": "2026-01-05T09:15:00+07:00", "locked_until": None}
    assert listed[1]["person"] == "sekcam" and listed[1]["password"] is False


def test_the_list_shows_a_waiting_account(alur: Operator) -> None:
    from engine.errors import AccountLocked, LoginFailed

    alur("user", "password", "camat", "--password-stdin", input=SECRET + "\n")
    for _ in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            alur.log_in("camat", "salah-salah-salah")
    listed = json.loads(alur("user", "list", "--json").stdout)
    assert listed[0]["locked_until"] == "2026-01-05T08:15:00+07:00"
    assert "waits until 05-01 08:15" in " ".join(alur("user", "list").stdout.split())


def test_logout_ends_every_session_of_the_person(alur: Operator) -> None:
    alur("user", "password", "camat", "--password-stdin", input=SECRET + "\n")
    alur.log_in("camat")
    alur.log_in("camat")
    assert alur("user", "logout", "camat").stdout == "Ended 2 sessions of camat.\n"
    assert alur("user", "logout", "camat").stdout == "camat had no open session.\n"
    history = alur("history", "--format", "json")
    ended = [e for e in json.loads(history.stdout) if e["event"] == "sessions_ended"]
    assert [e["data"] for e in ended] == [{"channel": "cli", "person": "camat", "sessions": 2},
                                          {"channel": "cli", "person": "camat", "sessions": 0}]
    refused = alur("user", "logout", "nobody", ok=False)
    assert refused.exit_code == 1 and "no person `nobody`" in refused.stderr


def test_a_login_link_without_base_url_prints_its_path_and_says_what_to_set(
        alur: Operator) -> None:
    result = alur("user", "link", "sekcam")
    first, path = result.stdout.splitlines()
    assert first == ("Login link for sekcam (Contoh Sekretaris Kecamatan), good for one login "
                     "until 2026-01-08 08:00:")
    assert path.startswith("/masuk/tautan/") and len(path) >= len("/masuk/tautan/") + 43
    assert result.stderr == ("This is only the path: set base_url in the [web] table of "
                             "alur.toml (the address people reach `alur web` at) to print the "
                             "whole link.\n")
    token = path.removeprefix("/masuk/tautan/")
    app = alur.app()
    try:
        from engine.clock import FixedClock

        env = Env(app.calendar, app.roster, FixedClock(app.parse_time(NOW)))
        link = app.read(lambda store: acc.peek_login_link(store, env, token))
        assert link is not None and link.person_id == "sekcam"
    finally:
        app.close()


def test_a_login_link_with_base_url_is_the_whole_address(alur: Operator) -> None:
    settings = alur.workspace / "alur.toml"
    text = settings.read_text(encoding="utf-8")
    assert 'base_url = ""' in text
    settings.write_text(text.replace('base_url = ""',
                                     'base_url = "https://alur.darangdan.example/kantor"'),
                        encoding="utf-8")
    result = alur("user", "link", "camat")
    url = result.stdout.splitlines()[1]
    assert url.startswith("https://alur.darangdan.example/kantor/masuk/tautan/")
    assert result.stderr == ""
    other = alur("user", "link", "camat").stdout.splitlines()[1]
    assert other != url  # each link its own token
    made = [e for e in json.loads(alur("history", "--format", "json").stdout)
            if e["event"] == "login_link_made"]
    assert [e["data"] for e in made] == [{"channel": "cli", "person": "camat",
                                          "valid_until": "2026-01-08T08:00:00+07:00"}] * 2
    assert url.rsplit("/", 1)[1] not in alur("history", "--format", "json").stdout


def test_the_operator_named_with_as_is_the_events_actor(alur: Operator) -> None:
    alur("user", "password", "camat", "--password-stdin", "--as", "sekcam",
         input=SECRET + "\n")
    [event] = json.loads(alur("history", "--format", "json").stdout)
    assert (event["event"], event["actor"]) == ("password_set", "sekcam")


def test_the_account_events_keep_the_audit_trail_intact(alur: Operator) -> None:
    alur("user", "password", "camat", "--password-stdin", input=SECRET + "\n")
    alur("user", "link", "sekcam")
    alur("user", "logout", "camat")
    assert alur("audit", "verify").stdout == ("Audit trail intact: 3 events checked, every "
                                              "hash matches.\n")
    table = alur("history").stdout
    assert "password set" in table and "login link made" in table
    assert "sessions ended" in table


def test_the_commands_speak_bahasa_indonesia(alur: Operator) -> None:
    result = alur("user", "password", "camat", "--password-stdin", input=SECRET + "\n",
                  lang="id")
    assert result.stdout.startswith("Kata sandi camat (Contoh Camat) sudah diatur.")
    assert alur("user", "logout", "camat", lang="id").stdout == (
        "camat tidak punya sesi yang terbuka.\n")
    short = alur("user", "password", "camat", "--password-stdin", input="pendek\n",
                 lang="id", ok=False)
    assert short.stderr == ("Kesalahan: kata sandi minimal 10 karakter (yang ini 6 karakter)\n")
    listed = alur("user", "list", lang="id").stdout
    assert listed.splitlines()[0].split()[:2] == ["Orang", "Nama"]


def test_it_reads_the_time_it_is_told(alur: Operator) -> None:
    alur.now = "2026-02-02T10:30"
    first = alur("user", "link", "camat").stdout.splitlines()[0]
    assert first.endswith("until 2026-02-05 10:30:")
    assert dt.date(2026, 2, 5).isoformat() in first
