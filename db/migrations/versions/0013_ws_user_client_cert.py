"""ws_users.client_cert_sha256: a WS user bound to one client certificate (mutual TLS at the front).

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ws_users") as batch:
        batch.add_column(sa.Column("client_cert_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ws_users") as batch:
        batch.drop_column("client_cert_sha256")
