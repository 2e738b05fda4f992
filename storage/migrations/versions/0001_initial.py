"""Runs, steps, SOP versions, people snapshots and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sop_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sop_id", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sop_versions_sop_id", "sop_versions", ["sop_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sop_id", sa.String(200), nullable=False),
        sa.Column("sop_version_id", sa.Integer(), sa.ForeignKey("sop_versions.id"),
                  nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("period", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("state", sa.String(220), nullable=False),
        sa.Column("result", sa.String(200)),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("started_by", sa.String(200)),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("cancel_reason", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("sop_id", "unit", "period", name="uq_run_sop_unit_period"),
    )
    op.create_index("ix_runs_status", "runs", ["status"])
    op.create_table(
        "step_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("activity_id", sa.String(200), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignees", sa.JSON(), nullable=False),
        sa.Column("activated_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime()),
        sa.Column("completed_at", sa.DateTime()),
        sa.Column("completed_by", sa.String(200)),
        sa.Column("recorded_at", sa.DateTime()),
        sa.Column("outcome", sa.String(200)),
        sa.Column("note", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("run_id", "activity_id", "attempt", name="uq_step_attempt"),
    )
    op.create_index("ix_step_runs_run_id", "step_runs", ["run_id"])
    op.create_index("ix_step_runs_active_due", "step_runs", ["status", "due_at"])
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("nip", sa.String(40)),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("unit", "person_id", "sha256", name="uq_person_version"),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", BIGINT, primary_key=True, autoincrement=False),
        sa.Column("run_id", sa.Integer()),
        sa.Column("step", sa.String(200)),
        sa.Column("attempt", sa.Integer()),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_run_id", "audit_events", ["run_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_seq", BIGINT, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_seq": 0, "last_hash": "0" * 64}])


def downgrade() -> None:
    for table in ("audit_head", "audit_events", "people", "step_runs", "runs", "sop_versions"):
        op.drop_table(table)
