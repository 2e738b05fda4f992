"""Several active tasks per run: a task key per step attempt, and who acted for a role.

A step done by ``complete: each`` has one task per actor or person, so a
step attempt is now unique with its task key (empty for a single task); rows
made before keep the empty key. ``on_behalf`` keeps the role a superior
completed a task for. Active tasks are found by run and status.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("step_runs") as batch:
        batch.add_column(sa.Column("task", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("on_behalf", sa.String(200)))
        batch.drop_constraint("uq_step_attempt", type_="unique")
        batch.create_unique_constraint("uq_step_task",
                                       ["run_id", "activity_id", "attempt", "task"])
        batch.create_index("ix_step_runs_run_status", ["run_id", "status"])


def downgrade() -> None:
    with op.batch_alter_table("step_runs") as batch:
        batch.drop_index("ix_step_runs_run_status")
        batch.drop_constraint("uq_step_task", type_="unique")
        batch.create_unique_constraint("uq_step_attempt", ["run_id", "activity_id", "attempt"])
        batch.drop_column("on_behalf")
        batch.drop_column("task")
