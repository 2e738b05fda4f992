"""Settings say what they do: `alur init --db URL` keeps the URL, `alur status` shows it all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.db import HEAD_REVISION
from tests.conftest import run_cli

NO_ENV = {"ALUR_DATABASE_URL": "", "ALUR_WORKSPACE": "", "ALUR_USER": ""}


def status_of(folder: Path, *args: str) -> dict[str, object]:
    result = run_cli("status", "--json", "--workspace", str(folder), *args, env=NO_ENV)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_init_with_db_writes_the_url_into_alur_toml(tmp_path: Path, db_url: str) -> None:
    folder = tmp_path / "kantor"
    result = run_cli("init", str(folder), "--db", db_url, env=NO_ENV)
    assert result.exit_code == 0, result.output
    assert f'url = "{db_url}"' in (folder / "alur.toml").read_text(encoding="utf-8")
    # later commands find that database without --db or ALUR_DATABASE_URL
    started = run_cli("run", "start", "pengumpulan-data-kinerja", "--period", "2026",
                      "--workspace", str(folder), "--as", "camat", env=NO_ENV)
    assert started.exit_code == 0, started.output
    status = status_of(folder)
    database = status["database"]
    assert isinstance(database, dict)
    assert database["kind"] == ("sqlite" if db_url.startswith("sqlite") else "postgresql")
    assert database["schema"] == database["current"]
    assert status["runs"] == {"active": 1}


def test_init_without_db_keeps_the_embedded_default(tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), env=NO_ENV).exit_code == 0
    assert 'url = "sqlite:///alur.db"' in (folder / "alur.toml").read_text(encoding="utf-8")
    assert (folder / "alur.db").is_file()


@pytest.mark.parametrize("url", ["postgresql+psycopg://alur:rahasia@127.0.0.1/alur",
                                 "postgresql://u:p%40ss@db.example/alur"])
def test_a_password_in_the_url_is_refused_and_nothing_is_written(tmp_path: Path,
                                                                 url: str) -> None:
    folder = tmp_path / "kantor"
    result = run_cli("init", str(folder), "--db", url, env=NO_ENV)
    assert result.exit_code == 1
    assert "password" in result.stderr and "ALUR_DATABASE_URL" in result.stderr
    assert "~/.pgpass" in result.stderr
    assert "rahasia" not in result.stderr and "p%40ss" not in result.stderr
    assert not (folder / "alur.toml").exists()


def test_init_into_an_existing_workspace_says_the_url_was_not_changed(tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), env=NO_ENV).exit_code == 0
    other = f"sqlite:///{tmp_path / 'lain.db'}"
    result = run_cli("init", str(folder), "--db", other, env=NO_ENV)
    assert result.exit_code == 0, result.output
    assert "exists, left alone  alur.toml" in result.stdout
    assert f"names sqlite:///{folder.resolve()}/alur.db" in result.stdout
    assert 'url = "sqlite:///alur.db"' in (folder / "alur.toml").read_text(encoding="utf-8")


def test_status_shows_workspace_database_roster_scheduler_and_audit(tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), env=NO_ENV).exit_code == 0
    run_cli("run", "start", "pengumpulan-data-kinerja", "--period", "2026",
            "--workspace", str(folder), "--as", "camat", env=NO_ENV)
    run_cli("step", "complete", "1", "perintah", "--workspace", str(folder), "--as", "camat",
            env=NO_ENV)
    data = status_of(folder)
    assert data["workspace"] == str(folder.resolve())
    assert data["database"] == {"kind": "sqlite", "url": f"sqlite:///{folder.resolve()}/alur.db",
                                "schema": HEAD_REVISION, "current": HEAD_REVISION}
    assert data["units"] == [{"unit": "darangdan", "name": "Kecamatan Darangdan",
                              "people": 11}]
    assert data["roles_without_holder"] == []
    assert data["scheduler"] == "not running"
    assert (data["reminders_due"], data["reminders_failed"]) == (0, 0)
    audit = data["audit"]
    assert isinstance(audit, dict) and audit["events"] >= 3
    assert len(audit["head"]) == 64 and audit["head"] != "0" * 64

    text = run_cli("status", "--workspace", str(folder), env={**NO_ENV, "COLUMNS": "80"})
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert str(folder.resolve()) in "".join(line.strip() for line in lines)  # wrapped or not
    for words in ("Workspace", "sqlite", HEAD_REVISION, "darangdan (11 people)",
                  "not running", "1 active", "0 failed", audit["head"][:12]):
        assert words in text.stdout, words


def test_status_names_roles_nobody_holds(tmp_path: Path) -> None:
    folder = tmp_path / "kantor"
    assert run_cli("init", str(folder), env=NO_ENV).exit_code == 0
    roster = folder / "roster.yaml"
    text = roster.read_text(encoding="utf-8")
    assert "roles: [sekcam]" in text
    roster.write_text(text.replace("roles: [sekcam]", "roles: []"), encoding="utf-8")
    data = status_of(folder)
    assert "sekcam (darangdan)" in data["roles_without_holder"]  # type: ignore[operator]

