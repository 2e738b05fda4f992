"""The office on the web: accounts, sessions, login links and evidence files.

- ``accounts``: who may log in (a roster person), the Argon2id hash of their password,
  the failed logins that throttle them, their last login.
- ``web_sessions``: server-side sessions, keyed by the SHA-256 of the cookie's id.
- ``login_links``: single-use login links, keyed by the SHA-256 of their token.
- ``evidence_blobs``: the files completed steps produced, once per content (SHA-256).
- ``evidence``: which files each task's completion carried, under which name.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("person_id", sa.String(200), primary_key=True),
        sa.Column("password_hash", sa.Text()),
        sa.Column("password_set_at", sa.DateTime()),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_failure_at", sa.DateTime()),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("last_login_at", sa.DateTime()),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("address", sa.String(100)),
        sa.Column("ended_at", sa.DateTime()),
    )
    op.create_index("ix_web_sessions_person_id", "web_sessions", ["person_id"])
    op.create_table(
        "login_links",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime()),
    )
    op.create_index("ix_login_links_person_id", "login_links", ["person_id"])
    op.create_table(
        "evidence_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("step_run_id", sa.Integer(), sa.ForeignKey("step_runs.id"), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence_blobs.sha256"),
                  nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
        sa.Column("attached_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_evidence_run_id", "evidence", ["run_id"])
    op.create_index("ix_evidence_step_run_id", "evidence", ["step_run_id"])


def downgrade() -> None:
    for index, table in (("ix_evidence_step_run_id", "evidence"),
                         ("ix_evidence_run_id", "evidence")):
        op.drop_index(index, table_name=table)
    op.drop_table("evidence")
    op.drop_table("evidence_blobs")
    op.drop_index("ix_login_links_person_id", table_name="login_links")
    op.drop_table("login_links")
    op.drop_index("ix_web_sessions_person_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("accounts")
