"""console_sessions: the auditor console's server-side sessions (audit.console.sessions).

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("system_code", sa.String(length=32), nullable=False),
        sa.Column("password_changed_at", sa.String(length=40), nullable=False),
        sa.Column("created_at", db.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", db.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_console_sessions")),
    )
    op.create_index(op.f("ix_console_sessions_username"), "console_sessions", ["username"])
    op.create_index(op.f("ix_console_sessions_last_seen_at"), "console_sessions", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_last_seen_at"), table_name="console_sessions")
    op.drop_index(op.f("ix_console_sessions_username"), table_name="console_sessions")
    op.drop_table("console_sessions")
