"""Reminders owed by active steps, and the deliveries of each.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("step_run_id", sa.Integer(), sa.ForeignKey("step_runs.id"), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_at", sa.DateTime()),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_reminders_run_id", "reminders", ["run_id"])
    op.create_index("ix_reminders_step_run_id", "reminders", ["step_run_id"])
    op.create_index("ix_reminders_status_due", "reminders", ["status", "due_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reminder_id", sa.Integer(), sa.ForeignKey("reminders.id"), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_deliveries_reminder_id", "deliveries", ["reminder_id"])
    # Steps already active before reminders existed owe their first one (at the due time);
    # a step of an external actor gets none: the daemon retires those when it sees them.
    op.execute(
        "INSERT INTO reminders (run_id, step_run_id, level, planned_at, due_at, status, "
        "recipients, channels, attempts, created_at) "
        "SELECT run_id, id, 0, due_at, due_at, 'pending', '[]', '[]', 0, activated_at "
        "FROM step_runs WHERE status = 'active' AND due_at IS NOT NULL")


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("reminders")
