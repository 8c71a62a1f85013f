"""civil acts: index for searchActs by registry office and year range

The lookups by reference (uq_civil_acts_reference), by AMKA (uq_persons_amka, then
ix_act_parties_person_id) and by name + birthdate (ix_persons_name_birthdate) are served by
indexes of 0001. A search by office and year range needs its own: the reference index leads
with the act type, which such a search may leave out. Its order (year, registration date) is
the order searchActs answers in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:30:00
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_civil_acts_office_year", "civil_acts", ["registry_office_id", "year", "registration_date"])


def downgrade() -> None:
    op.drop_index("ix_civil_acts_office_year", table_name="civil_acts")
