"""Service SOPs and corrections: case fields, register numbers, service deadlines, reopened and
skipped steps, and cancelled runs that no longer block their period.

- ``run_fields``: what a run is about (the applicant's name, NIK, ...), one row a field;
  a private field also keeps the salt of the hash its audit event carries.
- ``register_counters``: the last register number given per SOP, unit and year.
- ``runs.due_at``: the whole run's service deadline; the one-run-per-period rule now
  holds only for runs that are not cancelled (a partial unique index).
- ``step_runs.activated_by`` (the task whose completion activated this one) and
  ``step_runs.reason`` (why a task was skipped, reopened or withdrawn).
- ``reminders.step_run_id`` may be empty: a run past its deadline is escalated as a whole.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
OPEN = "status != 'cancelled'"


def upgrade() -> None:
    op.create_table(
        "run_fields",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("salt", sa.String(64)),
        sa.UniqueConstraint("run_id", "key", name="uq_run_field"),
    )
    op.create_table(
        "register_counters",
        sa.Column("sop_id", sa.String(200), primary_key=True),
        sa.Column("unit", sa.String(200), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime()))
        batch.drop_constraint("uq_run_sop_unit_period", type_="unique")
    op.create_index("uq_run_open_period", "runs", ["sop_id", "unit", "period"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table("step_runs") as batch:
        batch.add_column(sa.Column("activated_by", sa.Integer()))
        batch.add_column(sa.Column("reason", sa.Text()))
    with op.batch_alter_table("reminders") as batch:
        batch.alter_column("step_run_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.alter_column("step_run_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("step_runs") as batch:
        batch.drop_column("reason")
        batch.drop_column("activated_by")
    op.drop_index("uq_run_open_period", "runs")
    with op.batch_alter_table("runs") as batch:
        batch.create_unique_constraint("uq_run_sop_unit_period", ["sop_id", "unit", "period"])
        batch.drop_column("due_at")
    op.drop_table("register_counters")
    op.drop_table("run_fields")
