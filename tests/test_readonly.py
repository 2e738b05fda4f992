"""A read-only database serves every read and refuses every write with one clear line; the
database is never migrated or touched; a database another program holds locked is busy
after [database] lock_timeout; --verbose says which database a command opens."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from storage.db import HEAD_REVISION
from tests.conftest import POSTGRES_URL, REPO, run_cli

SOP = "pengumpulan-data-kinerja"
ENV = {"ALUR_DATABASE_URL": "", "ALUR_WORKSPACE": "", "ALUR_USER": "",
       "ALUR_NOW": "2026-01-05T09:00"}
READS = [
    ["run", "list"],
    ["run", "list", "--json"],
    ["run", "show", "1"],
    ["run", "show", "1", "--json"],
    ["history"],
    ["history", "--format", "csv"],
    ["report", "1"],
    ["report", "1", "--format", "json"],
    ["inbox", "--as", "sekcam"],
    ["overdue"],
    ["reminders", "list"],
    ["audit", "verify"],
    ["audit", "verify", "--run", "1"],
    ["status"],
]
WRITES = [
    ["run", "start", "perencanaan-kinerja", "--as", "camat"],
    ["step", "complete", "1", "format", "--as", "sekcam"],
    ["step", "reassign", "1", "format", "--to", "sekcam", "--as", "camat"],
    ["run", "cancel", "1", "--reason", "uji", "--as", "camat"],
    ["scheduler", "--once"],
]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with run 1 (its first step completed)."""
    folder = tmp_path_factory.mktemp("ro") / "kantor"
    assert run_cli("init", str(folder), env=ENV).exit_code == 0
    for args in (["run", "start", SOP, "--as", "camat", "--at", "2026-01-05T08:00"],
                 ["step", "complete", "1", "perintah", "--as", "camat",
                  "--at", "2026-01-05T08:02"]):
        result = run_cli(*args, "--workspace", str(folder), env=ENV)
        assert result.exit_code == 0, result.output
    return folder


def copy_database(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as db, sqlite3.connect(target) as copy:
        db.backup(copy)
    db.close()
    copy.close()
    return target


@pytest.fixture
def copy(made: Path, tmp_path: Path) -> Path:
    """A copy of the workspace's database, to be opened read-only."""
    return copy_database(made / "alur.db", tmp_path / "arsip.db")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def alur(made: Path, url: str, *args: str) -> Result:
    return run_cli(*args, "--workspace", str(made), "--db", url, env=ENV)


def clean(result: Result) -> None:
    assert "internal error" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_mode_ro_database_serves_every_read(made: Path, copy: Path, args: list[str]) -> None:
    before = digest(copy)
    result = alur(made, f"sqlite:///{copy}?mode=ro", *args)
    assert result.exit_code == 0, result.output
    clean(result)
    assert digest(copy) == before


@pytest.mark.parametrize("args", WRITES, ids=" ".join)
def test_a_write_on_a_read_only_database_says_so(made: Path, copy: Path,
                                                 args: list[str]) -> None:
    before = digest(copy)
    result = alur(made, f"sqlite:///{copy}?mode=ro", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: the database sqlite:///{copy}?mode=ro is read-only (its "
                             "URL opens it read-only); it can be read, not changed\n")
    assert digest(copy) == before


def test_the_uri_form_and_immutable_are_read_only_too(made: Path, copy: Path) -> None:
    for url in (f"sqlite:///file:{copy}?mode=ro&uri=true", f"sqlite:///{copy}?immutable=1"):
        assert alur(made, url, "run", "list").exit_code == 0
        refused = alur(made, url, *WRITES[0])
        assert refused.exit_code == 1 and "is read-only" in refused.stderr


def test_db_upgrade_of_a_current_read_only_database_changes_nothing(made: Path,
                                                                   copy: Path) -> None:
    result = alur(made, f"sqlite:///{copy}?mode=ro", "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "(unchanged)" in result.stdout


def test_an_older_read_only_database_is_not_migrated(made: Path, copy: Path) -> None:
    from storage import db as storage_db

    engine = storage_db.make_engine(f"sqlite:///{copy}")
    storage_db.migrate(engine, "0003", down=True)
    engine.dispose()
    before = digest(copy)
    for args in (["run", "list"], ["db", "upgrade"]):
        result = alur(made, f"sqlite:///{copy}?mode=ro", *args)
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert f"is at schema 0003, older than this Alur's ({HEAD_REVISION})" in lines[0]
        assert "read-only" in lines[0] and "alur db upgrade" in lines[0]
    assert digest(copy) == before


def test_an_empty_read_only_file_is_not_given_tables(made: Path, tmp_path: Path) -> None:
    empty = tmp_path / "kosong.db"
    empty.touch()
    result = alur(made, f"sqlite:///{empty}?mode=ro", "run", "list")
    assert result.exit_code == 1
    assert "has no Alur tables" in result.stderr and len(result.stderr.splitlines()) == 1
    assert empty.read_bytes() == b""


def test_a_missing_read_only_file_is_not_created(made: Path, tmp_path: Path) -> None:
    missing = tmp_path / "hilang.db"
    result = alur(made, f"sqlite:///{missing}?mode=ro", "run", "list")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot open the database sqlite:///{missing}?mode=ro: "
                             f"the file {missing} does not exist\n")
    assert not missing.exists()


def workspace_with(made: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "salinan"
    shutil.copytree(made, folder)
    return folder


def bound_by_permissions(*args: str) -> subprocess.CompletedProcess[str]:
    """`alur ARGS` in a process that file permissions bind: as it is for an ordinary user;
    as root, without the capabilities that let root write anything (setpriv drops
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), so a 0444 file is really read-only."""
    command = [sys.executable, "-c", "from runners.cli.main import main; main()", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot bind the test")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    env = {**os.environ, **ENV, "PYTHONPATH": str(REPO)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                          check=False)


@pytest.mark.slow  # 30 subprocesses
def test_a_database_file_without_write_permission(made: Path, tmp_path: Path) -> None:
    folder = workspace_with(made, tmp_path)
    database = folder / "alur.db"
    database.chmod(0o444)
    before = digest(database)
    for args in READS:
        result = bound_by_permissions(*args, "--workspace", str(folder))
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    refused = bound_by_permissions(*WRITES[0], "--workspace", str(folder))
    assert refused.returncode == 1, refused.stderr
    assert "is read-only (its file may not be written)" in refused.stderr
    assert "internal error" not in refused.stderr
    assert digest(database) == before


@pytest.mark.slow  # 30 subprocesses
def test_a_database_in_a_folder_without_write_permission(made: Path, tmp_path: Path) -> None:
    folder = workspace_with(made, tmp_path)
    folder.chmod(0o555)
    try:
        for args in READS:
            result = bound_by_permissions(*args, "--workspace", str(folder))
            assert result.returncode == 0, (args, result.stdout, result.stderr)
        refused = bound_by_permissions(*WRITES[1], "--workspace", str(folder))
        assert refused.returncode == 1 and "is read-only" in refused.stderr, refused.stderr
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            p.name for p in made.iterdir() if not p.name.endswith(("-wal", "-shm")))
    finally:
        folder.chmod(0o755)


def test_permissions_decide_how_a_file_is_opened(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What the SQLite driver is given, for a file or folder this user may not write (the
    tests may run as root, who may write anything: os.access is made to say no)."""
    from storage.location import target

    database = tmp_path / "a.db"
    database.touch()
    assert (target(f"sqlite:///{database}").read_only, target(f"sqlite:///{database}").uri) \
        == ("", None)
    real = os.access

    def deny(*denied: Path) -> None:
        monkeypatch.setattr(os, "access", lambda p, mode: Path(p) not in denied
                            and real(p, mode))

    deny(database)
    file_ro = target(f"sqlite:///{database}")
    assert (file_ro.read_only, file_ro.uri) == ("its file may not be written",
                                                f"file:{database}?mode=ro")
    deny(database, tmp_path)
    both = target(f"sqlite:///{database}?timeout=5")
    assert (both.read_only, both.uri) == ("its file may not be written",
                                          f"file:{database}?mode=ro&immutable=1")
    assert dict(both.url.query) == {"timeout": "5"}  # the driver's own options stay
    deny(tmp_path)
    folder_ro = target(f"sqlite:///{database}")
    assert (folder_ro.read_only, folder_ro.uri) == ("its folder may not be written",
                                                    f"file:{database}?mode=ro&immutable=1")
    Path(f"{database}-shm").touch()  # SQLite can read the WAL index that is there
    assert target(f"sqlite:///{database}").uri == f"file:{database}?mode=ro"


def test_a_postgresql_database_that_refuses_writes(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: a database whose transactions are read-only")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), "--db", db_url, env=ENV).exit_code == 0
    started = run_cli(*WRITES[0], "--workspace", str(folder), env=ENV)
    assert started.exit_code == 0, started.output
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{make_url(db_url).database}" SET '
                                "default_transaction_read_only = on"))
    admin.dispose()
    assert run_cli("run", "list", "--workspace", str(folder), env=ENV).exit_code == 0
    refused = run_cli("run", "cancel", "1", "--reason", "uji", "--as", "camat", "--workspace",
                      str(folder), env=ENV)
    assert refused.exit_code == 1, refused.output
    assert "is read-only (it refuses to be written)" in refused.stderr
    clean(refused)


# -- --verbose ---------------------------------------------------------------------------

def test_verbose_names_the_database_before_the_work(made: Path, copy: Path) -> None:
    result = run_cli("run", "list", "--verbose", "--workspace", str(made), env=ENV)
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Database: sqlite {made.resolve() / 'alur.db'}, schema "
                             f"{HEAD_REVISION}\n")
    ro = alur(made, f"sqlite:///{copy}?mode=ro", "history", "--verbose")
    assert ro.stderr == (f"Database: sqlite {copy}, schema {HEAD_REVISION}, read-only (its URL "
                         "opens it read-only)\n")
    quiet = run_cli("run", "list", "--workspace", str(made), env=ENV)
    assert quiet.stderr == ""


def test_verbose_on_init_and_db_upgrade(tmp_path: Path) -> None:
    folder = tmp_path / "baru"
    made = run_cli("init", str(folder), "--verbose", env=ENV)
    assert made.exit_code == 0, made.output
    assert made.stderr == f"Database: sqlite {folder / 'alur.db'}, schema {HEAD_REVISION}\n"
    upgraded = run_cli("db", "upgrade", "--verbose", "--workspace", str(folder), env=ENV)
    assert upgraded.stderr == f"Database: sqlite {folder / 'alur.db'}, schema {HEAD_REVISION}\n"


def test_verbose_never_shows_a_password(db_url: str, tmp_path: Path) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: a URL with a password")
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    with_password = url.set(password="rahasia-sekali").render_as_string(hide_password=False)
    result = run_cli("run", "list", "--verbose", "--workspace", str(tmp_path),
                     env={**ENV, "ALUR_DATABASE_URL": with_password})
    clean(result)
    assert "rahasia-sekali" not in result.output
    if result.exit_code == 0:  # trust authentication: the password was not needed
        shown = url._replace(password=None).render_as_string(hide_password=False)
        assert result.stderr == f"Database: postgresql {shown}, schema {HEAD_REVISION}\n"


# -- a database another program holds locked ---------------------------------------------

def with_lock_timeout(workspace: Path, seconds: str) -> None:
    settings = workspace / "alur.toml"
    text = settings.read_text(encoding="utf-8")
    assert "lock_timeout = 30\n" in text
    settings.write_text(text.replace("lock_timeout = 30\n", f"lock_timeout = {seconds}\n"),
                        encoding="utf-8")


def test_a_locked_sqlite_database_is_busy_and_names_the_scheduler(tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), env=ENV).exit_code == 0
    with_lock_timeout(folder, "0.3")
    with open(folder / "alur.db.scheduler.lock", "w") as lock:  # a scheduler is running
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        lock.write("kantor-server:4242:abc123\n")
        lock.flush()
        holder = sqlite3.connect(folder / "alur.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program writes, and takes its time
        try:
            result = run_cli("run", "start", SOP, "--as", "camat", "--workspace", str(folder),
                             env=ENV)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the database sqlite:///{folder.resolve()}/alur.db is busy: another program "
        "kept it locked for more than 0.3 seconds; the scheduler kantor-server:4242:abc123 is "
        "running on it; try again in a moment (the wait is [database] lock_timeout in "
        "alur.toml)\n")
    again = run_cli("run", "start", SOP, "--as", "camat", "--workspace", str(folder), env=ENV)
    assert again.exit_code == 0, again.output  # nothing was half done


def test_a_locked_postgresql_database_is_busy(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("ALUR_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    from sqlalchemy import create_engine, text

    from tests.conftest import _fresh_postgres_database

    for url in _fresh_postgres_database():
        folder = tmp_path / "kantor"
        assert run_cli("init", str(folder), "--db", url, env=ENV).exit_code == 0
        with_lock_timeout(folder, "0.5")
        engine = create_engine(url)
        with engine.connect() as other:
            other.execute(text("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE"))
            result = run_cli("run", "start", SOP, "--as", "camat", "--workspace", str(folder),
                             env=ENV)
            other.rollback()
        engine.dispose()
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: the database postgresql") and \
            "is busy: another program kept it locked for more than 0.5 seconds" in result.stderr


@pytest.mark.parametrize("value, words", [
    ("0", "above 0"), ("-5", "above 0"), ('"30"', "a number of seconds"),
    ("true", "a number of seconds"), ("100000", "at most 86400")])
def test_lock_timeout_is_checked(tmp_path: Path, value: str, words: str) -> None:
    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), env=ENV).exit_code == 0
    with_lock_timeout(folder, value)
    result = run_cli("run", "list", "--workspace", str(folder), env=ENV)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {folder.resolve() / 'alur.toml'}:22:1: "
                                    "`database.lock_timeout`"), result.stderr
    assert words in result.stderr


# -- driver errors in people's words ---------------------------------------------------------

class DriverError(Exception):
    """A driver exception, with PostgreSQL's SQLSTATE when given."""

    def __init__(self, text: str, sqlstate: str | None = None) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("orig, expected", [
    (sqlite3.OperationalError("database is locked"),
     "the database sqlite:////srv/alur.db is busy: another program kept it locked for more "
     "than 30 seconds; try again in a moment (the wait is [database] lock_timeout in alur.toml)"),
    (DriverError("canceling statement due to lock timeout", "55P03"), "is busy"),
    (sqlite3.OperationalError("attempt to write a readonly database"),
     "the database sqlite:////srv/alur.db is read-only (it refuses to be written); it can be "
     "read, not changed"),
    (DriverError("cannot execute INSERT in a read-only transaction", "25006"), "read-only"),
    (DriverError("permission denied for table runs", "42501"),
     "is read-only (its user may not change it)"),
    (sqlite3.OperationalError("database or disk is full"),
     "the database sqlite:////srv/alur.db cannot grow: the disk (or its quota) is full; "
     "nothing was changed"),
    (DriverError("could not extend file", "53100"), "the disk (or its quota) is full"),
])
def test_ordinary_driver_errors_are_put_in_words(orig: Exception, expected: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from storage.location import Target, translate

    where = Target(make_url("sqlite:////srv/alur.db"),
                   "sqlite:////srv/alur.db")
    problem = translate(OperationalError("INSERT ...", {}, orig), where, 30.0)
    assert problem is not None and expected in str(problem)
    assert translate(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table")),
                     where, 30.0) is None
