"""Alembic environment: runs migrations on the connection Alur passes in."""

from __future__ import annotations

from alembic import context

from storage.tables import metadata as target_metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Alur always passes its connection
    raise RuntimeError("run migrations through `alur db upgrade`")
context.configure(connection=connection, target_metadata=target_metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
