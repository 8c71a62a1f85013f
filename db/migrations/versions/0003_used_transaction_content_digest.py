"""used_transactions.content_digest: recognize a client's retry of a call whose answer was lost.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("used_transactions") as batch:
        batch.add_column(sa.Column("content_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("used_transactions") as batch:
        batch.drop_column("content_digest")
