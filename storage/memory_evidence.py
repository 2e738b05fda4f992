"""Evidence files of the in-memory store (the ``EvidenceStore`` port), following
``storage.evidence_store`` rule for rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from engine.evidence import Evidence
from engine.text import Text
from storage.convert import from_db, to_db

if TYPE_CHECKING:
    from storage.memory_state import State


@dataclass(slots=True)
class Blob:
    """A row of evidence_blobs."""

    mime: str
    content: bytes
    stored_at: dt.datetime


@dataclass(slots=True)
class EvidenceTables:
    """The evidence_blobs and evidence tables."""

    blobs: dict[str, Blob] = field(default_factory=dict)  # by SHA-256
    rows: dict[int, Evidence] = field(default_factory=dict)  # by id
    last_id: int = 0


def _utc(value: dt.datetime) -> dt.datetime:
    stored = from_db(to_db(value))
    assert stored is not None
    return stored


class MemoryEvidence:
    """The evidence part of MemoryStore (mixed in; works on ``self.state``)."""

    state: State

    def put_blob(self, sha256: str, mime: str, content: bytes, at: dt.datetime) -> None:
        """Store a content under its hash, unless it is stored already."""
        self.state.evidence.blobs.setdefault(sha256, Blob(mime, bytes(content), _utc(at)))

    def blob(self, sha256: str) -> bytes:
        """A stored content (LookupError when there is none)."""
        found = self.state.evidence.blobs.get(sha256)
        if found is None:
            raise LookupError(Text("no stored file with SHA-256 {sha256}", sha256=sha256))
        return found.content

    def add_evidence(self, items: Sequence[Evidence]) -> list[Evidence]:
        """Attach files to tasks; the rows with their ids (a row needs its content stored
        and its run and task to exist, as the database's foreign keys say)."""
        tables = self.state.evidence
        added = []
        for item in items:
            if item.sha256 not in tables.blobs or item.run_id not in self.state.runs \
                    or item.step_run_id not in self.state.steps:
                raise LookupError(Text("evidence of run {run} refers to what is not stored",
                                       run=item.run_id))
            tables.last_id += 1
            row = replace(item, id=tables.last_id, attached_at=_utc(item.attached_at))
            tables.rows[row.id] = row
            added.append(row)
        return added

    def evidence(self, run_id: int, step_run_id: int | None = None) -> list[Evidence]:
        """The files of a run (or of one task), in order of attachment."""
        return [row for _id, row in sorted(self.state.evidence.rows.items())
                if row.run_id == run_id and (step_run_id is None
                                             or row.step_run_id == step_run_id)]

    def get_evidence(self, evidence_id: int) -> Evidence | None:
        """One attached file by its id."""
        return self.state.evidence.rows.get(evidence_id)

    def blobs(self) -> Iterator[tuple[str, bytes]]:
        """Every stored content with the hash it is stored under, by hash."""
        for sha256 in sorted(self.state.evidence.blobs):
            yield sha256, self.state.evidence.blobs[sha256].content
