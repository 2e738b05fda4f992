"""Alembic owns the schema: an empty database migrates to head, matching storage.tables."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage import db as storage_db
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
    assert "is at schema 0002 (was empty)." in first.stdout
    again = run_cli("db", "upgrade", "--db", db_url, "--workspace", str(tmp_path))
    assert again.stdout.endswith("is at schema 0002 (unchanged).\n")


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
    assert result.stderr == (f"Error: cannot open the database sqlite:///{bogus}: file is not "
                             "a database\n")
    assert bogus.read_text(encoding="utf-8") == "not a database\n"  # left as it was
