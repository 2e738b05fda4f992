"""The database schema (SQLAlchemy 2.0 declarative). Alembic migrations create it.

Times are stored as naive UTC (``DateTime`` without zone) on every database;
``storage.convert`` turns them into aware datetimes at the edge.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of all tables."""


class SopVersion(Base):
    """Every distinct content of an SOP a run was started from."""

    __tablename__ = "sop_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(200), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime)


class RunRow(Base):
    """One run of an SOP for a unit and a period."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("sop_id", "unit", "period", name="uq_run_sop_unit_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(200))
    sop_version_id: Mapped[int] = mapped_column(ForeignKey("sop_versions.id"))
    unit: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(String(220))
    result: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_by: Mapped[str | None] = mapped_column(String(200))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)


class StepRow(Base):
    """One attempt of one activity in a run."""

    __tablename__ = "step_runs"
    __table_args__ = (
        UniqueConstraint("run_id", "activity_id", "attempt", name="uq_step_attempt"),
        Index("ix_step_runs_active_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    activity_id: Mapped[str] = mapped_column(String(200))
    attempt: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    assignees: Mapped[list[str]] = mapped_column(JSON)
    activated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)


class PersonSnapshot(Base):
    """Who a person was (name, NIP, roles) when they took part in a run."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("unit", "person_id", "sha256", name="uq_person_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    nip: Mapped[str | None] = mapped_column(String(40))
    roles: Mapped[list[str]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEventRow(Base):
    """An append-only audit event, chained to the one before by its hash."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                     primary_key=True, autoincrement=False)
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    step: Mapped[str | None] = mapped_column(String(200))
    attempt: Mapped[int | None] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The end of the hash chain (one row): appends lock it, so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(String(64))
