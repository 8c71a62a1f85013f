"""civil-status certificates: issued certificates, the audit's purpose, and the registry fields
the certificates print (gainmunrecdate per membership, grnatgaindate and eklspecialno per person)

``audit_events.purpose`` is added with a plain ADD COLUMN (never a batch copy), so SQLite keeps the
append-only triggers of 0001.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("purpose", sa.Text(), nullable=True))
    op.add_column("persons", sa.Column("grnatgaindate", sa.Date(), nullable=True))
    op.add_column("persons", sa.Column("eklspecialno", sa.String(length=12), nullable=True))
    op.add_column("family_share_members", sa.Column("gainmunrecdate", sa.Date(), nullable=True))
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("call_sequence_id", sa.String(length=36), nullable=False),
        sa.Column("agency_code", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("as_on_date", sa.Date(), nullable=False),
        sa.Column("subject_person_id", sa.Integer(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["subject_person_id"], ["persons.id"],
                                name=op.f("fk_certificates_subject_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
    )
    op.create_index(op.f("ix_certificates_call_sequence_id"), "certificates", ["call_sequence_id"])
    op.create_table(
        "certificate_subjects",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificates.id"],
                                name=op.f("fk_certificate_subjects_certificate_id_certificates")),
        sa.PrimaryKeyConstraint("certificate_id", "person_id", name=op.f("pk_certificate_subjects")),
    )
    op.create_index(op.f("ix_certificate_subjects_person_id"), "certificate_subjects", ["person_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_certificate_subjects_person_id"), table_name="certificate_subjects")
    op.drop_table("certificate_subjects")
    op.drop_index(op.f("ix_certificates_call_sequence_id"), table_name="certificates")
    op.drop_table("certificates")
    with op.batch_alter_table("family_share_members") as batch:
        batch.drop_column("gainmunrecdate")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("eklspecialno")
        batch.drop_column("grnatgaindate")
    op.execute("ALTER TABLE audit_events DROP COLUMN purpose")  # no batch copy: keep the triggers
