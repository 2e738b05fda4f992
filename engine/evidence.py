"""Evidence: the files a completed step produced (its Output), kept with the run.

Files are stored once per content, under their SHA-256, in the database
itself (SQLite and PostgreSQL alike, no shared disk); the ``step_completed``
audit event names each file (name, size, type, SHA-256), so the hash chain
covers them, and verifying the audit trail also checks every stored file
against its hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Upload:
    """A file given with a completion, before it is stored: its name and content."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Evidence:
    """One file attached to one task's completion."""

    id: int
    run_id: int
    step_run_id: int
    sha256: str
    name: str
    size: int
    mime: str
    attached_at: dt.datetime
    attached_by: str
