"""agency_call_slots: the per-agency concurrency cap, shared by every worker (provider.access.concurrency).

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_call_slots",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("call_sequence_id", sa.String(length=36), nullable=False),
        sa.Column("expires_at", db.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_agency_call_slots_agency_id_agencies")),
        sa.PrimaryKeyConstraint("agency_id", "slot", name=op.f("pk_agency_call_slots")),
    )


def downgrade() -> None:
    op.drop_table("agency_call_slots")
