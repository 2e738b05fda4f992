"""The database schema as SQLAlchemy Core tables. Alembic migrations create it.

Every statement Alur runs is Core (``select()``, ``insert()``, ``update()``),
so the tables are plain ``Table`` objects: importing the ORM only to declare
them would add ~150 ms to every command (see bench/RESULTS.md). Times are
stored as naive UTC (``DateTime`` without zone) on every database;
``storage.store`` turns them into aware datetimes at the edge.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
SEQ = BigInteger().with_variant(Integer(), "sqlite")

# Every distinct content of an SOP a run was started from.
sop_versions = Table(
    "sop_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("sop_id", String(200), nullable=False, index=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

# One run of an SOP for a unit and a period.
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("sop_id", String(200), nullable=False),
    Column("sop_version_id", Integer, ForeignKey("sop_versions.id"), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("period", String(100), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("state", String(220), nullable=False),
    Column("result", String(200)),
    Column("started_at", DateTime, nullable=False),
    Column("started_by", String(200)),
    Column("finished_at", DateTime),
    Column("cancel_reason", Text),
    Column("version", Integer, nullable=False),
    Column("due_at", DateTime),  # the service deadline of the whole run, if the SOP sets one
)
# One run per SOP, unit and period, cancelled runs apart (they no longer block the period).
Index("uq_run_open_period", runs.c.sop_id, runs.c.unit, runs.c.period, unique=True,
      sqlite_where=runs.c.status != "cancelled", postgresql_where=runs.c.status != "cancelled")

# What a run is about (`case:` of its SOP): one row per field; a private field keeps the salt
# of the hash that its run_started audit event carries instead of the value.
run_fields = Table(
    "run_fields", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("value", Text, nullable=False),
    Column("private", Boolean, nullable=False),
    Column("salt", String(64)),
    UniqueConstraint("run_id", "key", name="uq_run_field"),
)

# The last register number given, per SOP, unit and year (no gaps, no duplicates).
register_counters = Table(
    "register_counters", metadata,
    Column("sop_id", String(200), primary_key=True),
    Column("unit", String(200), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
)

# One task of one attempt of one activity in a run (`task` names it among the tasks of a
# `complete: each` step; empty for a step's only task).
step_runs = Table(
    "step_runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("activity_id", String(200), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignees", JSON, nullable=False),
    Column("activated_at", DateTime, nullable=False),
    Column("due_at", DateTime),
    Column("completed_at", DateTime),
    Column("completed_by", String(200)),
    Column("recorded_at", DateTime),
    Column("outcome", String(200)),
    Column("note", Text),
    Column("version", Integer, nullable=False),
    Column("task", String(200), nullable=False, server_default=""),
    Column("on_behalf", String(200)),
    Column("activated_by", Integer),  # the task whose completion activated this one
    Column("reason", Text),  # why it was skipped, reopened or withdrawn
    UniqueConstraint("run_id", "activity_id", "attempt", "task", name="uq_step_task"),
    Index("ix_step_runs_active_due", "status", "due_at"),
    Index("ix_step_runs_run_status", "run_id", "status"),
)

# Who a person was (name, NIP, roles) when they took part in a run.
people = Table(
    "people", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit", String(200), nullable=False),
    Column("person_id", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("nip", String(40)),
    Column("roles", JSON, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("seen_at", DateTime, nullable=False),
    UniqueConstraint("unit", "person_id", "sha256", name="uq_person_version"),
)

# The append-only audit trail, each event chained to the one before by its hash.
audit_events = Table(
    "audit_events", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=False),
    Column("run_id", Integer, index=True),
    Column("step", String(200)),
    Column("attempt", Integer),
    Column("event", String(40), nullable=False),
    Column("actor", String(200)),
    Column("at", DateTime, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("data", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# The end of the hash chain (one row): appends lock it, so the chain never forks.
audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("last_seq", SEQ, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# Reminders owed by active steps: the database is the truth about what is due.
reminders = Table(
    "reminders", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("step_run_id", Integer, ForeignKey("step_runs.id"), index=True),  # none: the run
    Column("level", Integer, nullable=False),
    Column("planned_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("channels", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("claimed_by", String(100)),
    Column("claimed_at", DateTime),
    Column("sent_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Index("ix_reminders_status_due", "status", "due_at"),
)

# Each attempt to reach one person through one channel, and how it went.
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("reminder_id", Integer, ForeignKey("reminders.id"), nullable=False, index=True),
    Column("person_id", String(200), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("detail", Text, nullable=False),
)

# Web accounts: one row per roster person who may log in (the roster says who they are).
accounts = Table(
    "accounts", metadata,
    Column("person_id", String(200), primary_key=True),
    Column("password_hash", Text),  # Argon2id (PHC string); none: only login links
    Column("password_set_at", DateTime),
    Column("failures", Integer, nullable=False, server_default="0"),  # failed logins in a row
    Column("first_failure_at", DateTime),  # the first of them (a 15-minute window)
    Column("locked_until", DateTime),
    Column("last_login_at", DateTime),
)

# Web sessions: only the SHA-256 of the cookie's random id is kept.
web_sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("person_id", String(200), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("address", String(100)),
    Column("ended_at", DateTime),
)

# Single-use login links (in reminders, or printed by `alur user link`): only the hash.
login_links = Table(
    "login_links", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", String(200), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
)

# Evidence content, stored once per content (content-addressed by SHA-256).
evidence_blobs = Table(
    "evidence_blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mime", String(100), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("stored_at", DateTime, nullable=False),
)

# Which files a task's completion carried (a file may be attached to several tasks).
evidence = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("step_run_id", Integer, ForeignKey("step_runs.id"), nullable=False, index=True),
    Column("sha256", String(64), ForeignKey("evidence_blobs.sha256"), nullable=False),
    Column("name", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mime", String(100), nullable=False),
    Column("attached_at", DateTime, nullable=False),
    Column("attached_by", String(200), nullable=False),
)
