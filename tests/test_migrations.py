"""Alembic owns the schema: an empty database migrates to head, matching storage.tables."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage import db as storage_db
from storage.db import HEAD_REVISION
from storage.tables import metadata
from tests.conftest import run_cli


def test_head_revision_constant_is_alembics_head() -> None:
    config = Config()
    config.set_main_option("script_location",
                           str(Path(storage_db.__file__).with_name("migrations")))
    assert ScriptDirectory.from_config(config).get_current_head() == storage_db.HEAD_REVISION


def test_an_empty_database_migrates_to_the_declared_schema(db_url: str) -> None:
    engine = storage_db.open_database(db_url)
    try:
        assert storage_db.current_revision(engine) == storage_db.HEAD_REVISION
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert tables >= {"runs", "step_runs", "sop_versions", "people", "audit_events",
                          "audit_head", "alembic_version"}
    finally:
        engine.dispose()


def test_db_upgrade_command(db_url: str, tmp_path: Path) -> None:
    first = run_cli("db", "upgrade", "--db", db_url, "--workspace", str(tmp_path))
    assert first.exit_code == 0, first.output
    assert f"is at schema {HEAD_REVISION} (was empty)." in first.stdout
    again = run_cli("db", "upgrade", "--db", db_url, "--workspace", str(tmp_path))
    assert again.stdout.endswith(f"is at schema {HEAD_REVISION} (unchanged).\n")


def test_a_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("run", "list", "--db", "nonsense://", "--workspace", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database\n", encoding="utf-8")
    result = run_cli("run", "list", "--db", f"sqlite:///{bogus}", "--workspace", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: cannot open the database sqlite:///{bogus}: the file is "
                             "not a database\n")
    assert bogus.read_text(encoding="utf-8") == "not a database\n"  # left as it was


def test_steps_active_before_reminders_existed_get_their_first_one(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    engine = storage_db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location",
                           str(Path(storage_db.__file__).with_name("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text(
            "INSERT INTO sop_versions VALUES (1, 'x', 'h', 't', 'p', '2026-01-05 00:00:00')"))
        connection.execute(text(
            "INSERT INTO runs (id, sop_id, sop_version_id, unit, period, status, state, "
            "started_at, version) VALUES (1, 'x', 1, 'u', '2025', 'active', 'a', "
            "'2026-01-05 01:00:00', 0)"))
        for step, (status, due) in enumerate([("completed", "'2026-01-05 02:00:00'"),
                                              ("active", "'2026-01-05 03:00:00'")], start=1):
            connection.execute(text(
                "INSERT INTO step_runs (id, run_id, activity_id, attempt, actor, status, "
                f"assignees, activated_at, due_at, version) VALUES ({step}, 1, 's{step}', 1, "
                f"'a', '{status}', '[]', '2026-01-05 01:00:00', {due}, 0)"))
    storage_db.upgrade(engine)
    from sqlalchemy import select

    from storage.tables import reminders

    with engine.connect() as connection:
        rows = connection.execute(select(reminders.c.step_run_id, reminders.c.level,
                                         reminders.c.status, reminders.c.due_at)).all()
    engine.dispose()
    import datetime as dt

    assert [tuple(r) for r in rows] == [(2, 0, "pending", dt.datetime(2026, 1, 5, 3, 0))]


def test_a_database_from_before_parallel_work_upgrades_and_its_run_goes_on(db_url: str) -> None:
    """A LAKIP run half-way, in a database at schema 0002 (one task per step): it upgrades
    by itself on first use, and the run finishes with its audit trail intact."""
    from sqlalchemy import inspect

    from tests.office import LAKIP_PEOPLE, Office

    office = Office(db_url)
    run = office.start().run.id
    for person in LAKIP_PEOPLE[:2]:
        office.complete(run, person)
    office.engine.dispose()
    old = storage_db.make_engine(db_url)
    storage_db.migrate(old, "0002", down=True)  # the schema as Alur had it before
    assert storage_db.current_revision(old) == "0002"
    with old.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("step_runs")}
    old.dispose()
    assert "task" not in columns and "on_behalf" not in columns

    reopened = Office(db_url)  # opening the database upgrades it
    try:
        assert storage_db.current_revision(reopened.engine) == storage_db.HEAD_REVISION
        assert [t.label for t in reopened.active(run)] == ["himpun"]
        steps = ["himpun", "analisis", "draft", "koreksi", "rapat-finalisasi", "ajukan",
                 "tanda-tangan", "tanda-tangan-2", "surat-pengantar", "penggandaan",
                 "pengiriman"]
        for step, person in zip(steps, LAKIP_PEOPLE[2:], strict=True):
            reopened.complete(run, person, step, outcome="Ya" if step == "koreksi" else None)
        assert reopened.view(run).run.status == "completed"
        assert reopened.verify() == 1 + 2 * 13 + 1
    finally:
        reopened.engine.dispose()


def test_db_upgrade_brings_an_old_database_up_to_date(db_url: str, tmp_path: Path) -> None:
    engine = storage_db.make_engine(db_url)
    storage_db.migrate(engine, "0002")
    engine.dispose()
    result = run_cli("db", "upgrade", "--db", db_url, "--workspace", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"is at schema {HEAD_REVISION} (was 0002).\n")
