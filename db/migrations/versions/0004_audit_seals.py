"""Tamper evidence for the audit store: sealed batches and the hash chain (audit.seal).

Both tables are append-only, like the audit tables themselves.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("audit_seals", "audit_event_hashes")


def upgrade() -> None:
    op.create_table(
        "audit_seals",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("sealed_at", db.models.base.UTCDateTime(), nullable=False),
        sa.Column("first_event_id", EVENT_ID, nullable=False),
        sa.Column("last_event_id", EVENT_ID, nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("previous_digest", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("first_event_id", name=op.f("uq_audit_seals_first_event_id")),
    )
    op.create_table(
        "audit_event_hashes",
        sa.Column("event_id", EVENT_ID, nullable=False, autoincrement=False),
        sa.Column("seal_id", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_event_hashes")),
    )
    op.create_index(op.f("ix_audit_event_hashes_seal_id"), "audit_event_hashes", ["seal_id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:  # the function comes from 0001
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION mitroo_audit_append_only()")
        return
    for table in TABLES:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'audit store is append-only: {action} on {table} refused'); END")


def downgrade() -> None:
    op.drop_table("audit_event_hashes")  # drops its triggers too
    op.drop_table("audit_seals")
