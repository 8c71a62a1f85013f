"""login_sources: the (username, source address) pairs that logged in successfully, so the lockout
never locks out or slows an address that authenticated a user before (provider/access/lockout.py).

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.models.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sources",
        sa.Column("username", sa.String(length=100), primary_key=True),
        sa.Column("ip", sa.String(length=45), primary_key=True),
        sa.Column("last_success_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("login_sources")
