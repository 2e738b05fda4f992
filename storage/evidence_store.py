"""Evidence files on SQLAlchemy Core (the ``EvidenceStore`` port).

Mixed into ``storage.store.SqlStore``; works inside its open transaction. A
content is stored once under its SHA-256 (``evidence_blobs``, in the database
itself: SQLite and PostgreSQL alike need no shared disk); ``evidence`` says
which task's completion carried it, under which name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, insert, select

from engine.evidence import Evidence
from engine.text import Text
from storage import tables as t
from storage.convert import from_db, to_db

BLOBS = t.evidence_blobs
EVIDENCE = t.evidence


def _evidence(row: Any) -> Evidence:
    attached = from_db(row.attached_at)
    assert attached is not None
    return Evidence(row.id, row.run_id, row.step_run_id, row.sha256, row.name, row.size,
                    row.mime, attached, row.attached_by)


class EvidenceSqlStore:
    """The evidence part of SqlStore (mixed in; uses ``self.connection``)."""

    connection: Connection
    is_postgres: bool

    def put_blob(self, sha256: str, mime: str, content: bytes, at: dt.datetime) -> None:
        """Store a content under its hash, unless it is stored already (two completions
        storing the same content at once: one row, no error)."""
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement: Any = pg_insert(BLOBS).on_conflict_do_nothing()
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(BLOBS).on_conflict_do_nothing()
        self.connection.execute(statement.values(
            sha256=sha256, size=len(content), mime=mime, content=content, stored_at=to_db(at)))

    def blob(self, sha256: str) -> bytes:
        """A stored content (LookupError when there is none)."""
        content = self.connection.execute(
            select(BLOBS.c.content).where(BLOBS.c.sha256 == sha256)).scalar()
        if content is None:
            raise LookupError(Text("no stored file with SHA-256 {sha256}", sha256=sha256))
        return bytes(content)

    def add_evidence(self, items: Sequence[Evidence]) -> list[Evidence]:
        """Attach files to tasks; the rows with their ids (and times as stored)."""
        added = []
        for item in items:
            key = self.connection.execute(insert(EVIDENCE).values(
                run_id=item.run_id, step_run_id=item.step_run_id, sha256=item.sha256,
                name=item.name, size=item.size, mime=item.mime,
                attached_at=to_db(item.attached_at), attached_by=item.attached_by,
            )).inserted_primary_key
            assert key is not None
            attached = from_db(to_db(item.attached_at))
            assert attached is not None
            added.append(replace(item, id=int(key[0]), attached_at=attached))
        return added

    def evidence(self, run_id: int, step_run_id: int | None = None) -> list[Evidence]:
        """The files of a run (or of one task), in order of attachment."""
        query = select(EVIDENCE).where(EVIDENCE.c.run_id == run_id)
        if step_run_id is not None:
            query = query.where(EVIDENCE.c.step_run_id == step_run_id)
        return [_evidence(row) for row in self.connection.execute(query.order_by(EVIDENCE.c.id))]

    def get_evidence(self, evidence_id: int) -> Evidence | None:
        """One attached file by its id."""
        row = self.connection.execute(select(EVIDENCE).where(EVIDENCE.c.id == evidence_id)).first()
        return None if row is None else _evidence(row)

    def blobs(self) -> Iterator[tuple[str, bytes]]:
        """Every stored content with the hash it is stored under, one at a time (the hashes
        are read first; each content is fetched on its own, so memory holds one file)."""
        hashes = list(self.connection.execute(
            select(BLOBS.c.sha256).order_by(BLOBS.c.sha256)).scalars())
        for sha256 in hashes:
            content = self.connection.execute(
                select(BLOBS.c.content).where(BLOBS.c.sha256 == sha256)).scalar()
            if content is not None:
                yield sha256, bytes(content)
