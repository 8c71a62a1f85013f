"""special electoral rolls, the rest of the lifecycle (issue 23): the Ministry's final finalization
per municipality and revision, objections during the posting, applications of persons the system
does not show, and on applications their origin (citizen, notice, objection) and the notice that
made a deletion. Columns are added with plain ADD COLUMN (no table rebuild on SQLite).

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.models.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_APPLICATION_COLUMNS = (("origin", 12), ("notice_reason", 20), ("notice_reference", 80), ("notice_authority", 200))


def upgrade() -> None:
    with op.batch_alter_table("roll_applications") as batch:
        for name, length in _APPLICATION_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table(
        "roll_finalizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("finalized_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", db.models.base.UTCDateTime(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("call_sequence_id", sa.String(length=36), nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipalities.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_roll_finalizations_municipality_revision", "roll_finalizations",
                    ["municipality_id", "revision"], unique=True)
    op.create_table(
        "roll_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("objector", sa.String(length=200), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("lodged_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reference", sa.String(length=80), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("result_application_id", sa.Integer(), nullable=True),
        sa.Column("created_at", db.models.base.UTCDateTime(), nullable=False),
        sa.Column("lodged_call", sa.String(length=36), nullable=True),
        sa.Column("decided_call", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipalities.id"]),
        sa.ForeignKeyConstraint(["holder_id"], ["permit_holders.person_id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["roll_entries.id"]),
        sa.ForeignKeyConstraint(["application_id"], ["roll_applications.id"]),
        sa.ForeignKeyConstraint(["result_application_id"], ["roll_applications.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_roll_objections_municipality_revision", "roll_objections", ["municipality_id", "revision"])
    op.create_index(op.f("ix_roll_objections_holder_id"), "roll_objections", ["holder_id"])
    op.create_table(
        "roll_unmatched_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("application_date", sa.Date(), nullable=False),
        sa.Column("permit_number", sa.String(length=20), nullable=False),
        sa.Column("surname_prefix", sa.String(length=2), nullable=False),
        sa.Column("firstname_prefix", sa.String(length=2), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("protocol_number", sa.String(length=40), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("office", sa.String(length=200), nullable=True),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("recorded_at", db.models.base.UTCDateTime(), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("call_sequence_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipalities.id"]),
        sa.ForeignKeyConstraint(["election_id"], ["elections.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_roll_unmatched_applications_call_sequence_id"), "roll_unmatched_applications",
                    ["call_sequence_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_roll_unmatched_applications_call_sequence_id"), table_name="roll_unmatched_applications")
    op.drop_table("roll_unmatched_applications")
    op.drop_index(op.f("ix_roll_objections_holder_id"), table_name="roll_objections")
    op.drop_index("ix_roll_objections_municipality_revision", table_name="roll_objections")
    op.drop_table("roll_objections")
    op.drop_index("uq_roll_finalizations_municipality_revision", table_name="roll_finalizations")
    op.drop_table("roll_finalizations")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # rebuilding roll_applications must not trip the foreign keys of the tables that reference it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("roll_applications") as batch:
        for name, _ in reversed(_APPLICATION_COLUMNS):
            batch.drop_column(name)
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")
