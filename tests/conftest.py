"""Shared test helpers: the CLI runner and small SOP documents."""

from __future__ import annotations

import os
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from runners.cli.main import cli

if TYPE_CHECKING:
    from engine.ports import Database

@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests read Alur in English (ALUR_LANG=en) unless they ask for Bahasa Indonesia, the
    users' default, with the ``bahasa`` fixture or ``env={"ALUR_LANG": "id"}``."""
    monkeypatch.setenv("ALUR_LANG", "en")


@pytest.fixture
def bahasa(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test reads Alur in Bahasa Indonesia, as its users do."""
    monkeypatch.setenv("ALUR_LANG", "id")


REPO = Path(__file__).resolve().parent.parent
SOPS = REPO / "sops"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A small valid SOP used as the base of the one-rule-broken tests. Line numbers
# below are relied on by tests: keep them stable.
BASE_SOP = textwrap.dedent("""\
    format: 1
    id: contoh-sop
    title: SOP Contoh
    number: 050/001/DRD
    kind: rutin
    organization:
      name: Kecamatan Contoh
    dates:
      created: 2022-12-30
      effective: 2023-01-02
    approved_by:
      position: Camat Contoh
      nip: "196801011990031003"
    actors:
      camat: {title: Camat}
      sekcam: {title: Sekretaris Kecamatan, reports_to: camat}
      staf: {title: Staf, reports_to: sekcam}
    activities:
      - id: perintah
        name: Memerintahkan penyusunan laporan
        actor: camat
        duration: 3 menit
      - id: draft
        name: Membuat draft laporan
        actor: staf
        duration: 1 jam
      - id: koreksi
        name: Mengoreksi draft laporan
        actor: [camat, sekcam]
        duration: 60 menit
        decision: Draft sudah benar?
        next: {Ya: kirim, Tidak: draft}
      - id: kirim
        name: Mengirim laporan
        actor: staf
        duration: 1 hari
    """)


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Invoke `alur` in-process and return the result (stdout and stderr apart)."""
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def write_sop(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write SOP text to a file in a temporary folder and return its path."""
    def write(text: str, name: str = "sop.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


POSTGRES_URL = os.environ.get("ALUR_TEST_POSTGRES_URL", "")
DATABASES = ["sqlite", "postgres"]


def _fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("ALUR_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (.ci/run "
                    "sets it)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"alur_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: SQLite in a temporary folder, or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'alur.db'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def office(db_url: str) -> Iterator[Any]:
    """A database (SQLite or PostgreSQL) with a roster and a fixed clock (tests/office.py)."""
    from tests.office import Office

    place = Office(db_url)
    yield place
    place.engine.dispose()


STORE_BACKENDS = ["memory", "sqlite", "postgres"]


@contextmanager
def opened(backend: str, folder: Path) -> Iterator[Database]:
    """A fresh, empty database of one backend, disposed of afterwards."""
    if backend == "memory":
        from storage.memory import MemoryDatabase

        yield MemoryDatabase()
        return
    from storage.db import connect

    urls = iter([f"sqlite:///{folder / 'alur.db'}"]) if backend == "sqlite" \
        else _fresh_postgres_database()  # skips the test when PostgreSQL is not configured
    for url in urls:
        database = connect(url)
        try:
            yield database
        finally:
            database.dispose()


@pytest.fixture(params=STORE_BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh empty database: in memory, SQLite or PostgreSQL."""
    with opened(request.param, tmp_path) as db:
        yield db
