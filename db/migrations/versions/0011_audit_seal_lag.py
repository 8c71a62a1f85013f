"""audit_seals.lag_seconds: each seal's sealing lag, so verify can tell a back-dated insert
(an event dated well before a seal it is not part of) from a call that committed late.
Seals made before it count with the default lag of 60 seconds.

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_seals", sa.Column("lag_seconds", sa.Integer(), nullable=False, server_default="60"))


def downgrade() -> None:
    # In place on both (SQLite 3.35+ drops a column itself), so the table keeps its append-only triggers.
    op.drop_column("audit_seals", "lag_seconds")
