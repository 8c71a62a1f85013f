"""special electoral rolls (seed 003): permits, residence history, convictions, citizenship
acquisitions, elections, applications with their history, the rolls; an agency's municipality

The categories Α–Η and the residence titles of the circular's annex (Παράρτημα Ενότητας 1ης) are
reference data of the law and are inserted here, like the act types in 0001. The agencies table
gains ``municipality_id`` with a plain ADD COLUMN (no table rebuild on SQLite, which would fail on
a loaded database because other tables reference agencies).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 21:35:10
"""
import sqlalchemy as sa
from alembic import op

import db.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CATEGORIES = [
    # code, letter, description, five_year_basis, passport_exempt, five_year_certificate
    ("A", "Α", "Ομογενείς ή αλλογενείς σύζυγοι ή χήροι/ες ομογενών που έχουν συμπληρώσει πενταετή συνεχή και "
     "νόμιμη διαμονή στη χώρα από την υποβολή της αίτησης για την απόκτηση του τίτλου διαμονής τους",
     "APPLICATION", False, False),
    ("B", "Β", "Υπήκοοι τρίτων χωρών που κατέχουν άδεια διαμονής αόριστης ή δεκαετούς διάρκειας", None, False, False),
    ("C", "Γ", "Υπήκοοι τρίτων χωρών που έχουν υπαχθεί σε καθεστώς επί μακρόν διαμένοντος", None, False, False),
    ("D", "Δ", "Υπήκοοι τρίτων χωρών, μέλη οικογένειας Ελλήνων ή πολιτών της Ε.Ε., που έχουν συμπληρώσει πέντε "
     "συνεχή έτη νόμιμης διαμονής στη χώρα", "APPLICATION", False, False),
    ("E", "Ε", "Υπήκοοι τρίτων χωρών γονείς ανήλικων Ελλήνων πολιτών που έχουν συμπληρώσει πέντε συνεχή έτη "
     "νόμιμης διαμονής στη χώρα", "APPLICATION", False, False),
    ("F", "ΣΤ", "Αναγνωρισμένοι πολιτικοί πρόσφυγες και μέλη των οικογενειών τους, ή υπαγόμενοι σε καθεστώς "
     "επικουρικής προστασίας ή προστασίας για ανθρωπιστικούς λόγους, με συνεχή πενταετή νόμιμη διαμονή από "
     "την υποβολή του σχετικού αιτήματος", "APPLICATION", True, False),
    ("G", "Ζ", "Ανιθαγενείς κατά χαρακτηρισμό ημεδαπής αρχής, με πενταετή συνεχή νόμιμη διαμονή από την "
     "υποβολή αίτησης χορήγησης του καθεστώτος", "APPLICATION", True, False),
    ("H", "Η", "Ομογενείς από λοιπές χώρες που έχουν συμπληρώσει πενταετή συνεχή και νόμιμη διαμονή στη χώρα "
     "από την ημερομηνία χορήγησης του τίτλου διαμονής που κατέχουν", "ISSUE", True, True),
]

PERMIT_TYPES = [
    # code, name, category, police, edto, no_passport, legal basis
    ("A1-EDTO", "Ειδικό Δελτίο Ταυτότητας Ομογενούς (Ε.Δ.Τ.Ο.) ομογενούς από Αλβανία ή μέλους της οικογένειάς του",
     "A", True, True, False, "ΚΥΑ 4000/3/10-δ/2005 (ΦΕΚ Β΄ 646), όπως τροποποιήθηκε με την 4000/3/10-νβ/2006 (ΦΕΚ Β΄ 583)"),
    ("A1-ADET", "Άδεια Διαμονής Ενιαίου Τύπου (ΑΔΕΤ) ομογενούς από Αλβανία ή μέλους της οικογένειάς του",
     "A", True, False, False, "Κανονισμός (ΕΚ) 1030/2002"),
    ("A2-EDTO", "Ειδικό Δελτίο Ταυτότητας Ομογενούς (Ε.Δ.Τ.Ο.) ομογενούς από χώρα της πρώην Σοβιετικής Ένωσης "
     "(αόριστης διάρκειας)", "A", True, True, False, "ν. 2790/2000 και ΚΥΑ 4864/8/8γ/2000"),
    ("A2-SPOUSE", "Άδεια διαμονής μέλους οικογένειας επαναπατρισθέντος ή παλιννοστήσαντος ή ομογενούς "
     "(αλλογενής σύζυγος ομογενούς από την πρώην ΕΣΣΔ)", "A", False, False, False, "άρθρο 60 παρ. 5 ν. 3386/2005"),
    ("B1", "Άδεια διαμονής αόριστης διάρκειας (ν. 2910/2001)", "B", False, False, False,
     "άρθρα 22, 23, 27, 30, 34, 35 και 36 ν. 2910/2001"),
    ("B2", "Άδεια διαμονής αόριστης διάρκειας (ν. 3013/2002)", "B", False, False, False, "άρθρο 25 ν. 3013/2002"),
    ("B3", "Άδεια διαμονής αόριστης διάρκειας (ν. 3386/2005)", "B", False, False, False,
     "άρθρο 91 παρ. 2 ν. 3386/2005"),
    ("B4", "Άδεια διαμονής δεκαετούς διάρκειας", "B", False, False, False,
     "άρθρο 91 παρ. 2 ν. 3386/2005, όπως τροποποιήθηκε με το άρθρο 39 ν. 3731/2008"),
    ("B-GS84", "Απόφαση Γενικού Γραμματέα Περιφέρειας για υπήκοο τρίτης χώρας σε αντικειμενική αδυναμία "
     "κατοχής διαβατηρίου (αόριστης διάρκειας)", "B", False, False, True,
     "άρθρο 84 παρ. 1 εδ. γ΄ ν. 3386/2005, όπως ισχύει (άρθρο 40 παρ. 1 ν. 3731/2008)"),
    ("C1", "Άδεια διαμονής επί μακρόν διαμένοντος (πενταετούς διάρκειας)", "C", False, False, False,
     "Π.Δ. 150/2006 (Οδηγία 2003/109/ΕΚ)"),
    ("C2", "Άδεια διαμονής τέκνου υπηκόων τρίτων χωρών γεννημένου και διαμένοντος στην Ελλάδα "
     "(πενταετούς διάρκειας)", "C", False, False, False, "άρθρο 40 ν. 3731/2008"),
    ("D1", "Δελτίο μόνιμης διαμονής μέλους οικογένειας πολίτη της Ε.Ε. (δεκαετούς διάρκειας)", "D", False, False,
     False, "άρθρο 17 Π.Δ. 106/2007"),
    ("D2", "Δελτίο διαμονής μέλους οικογένειας πολίτη της Ε.Ε. (πενταετούς διάρκειας)", "D", False, False, False,
     "άρθρα 9 ή 11 και 12 Π.Δ. 106/2007"),
    ("D3", "Δελτίο μόνιμης διαμονής μέλους οικογένειας Έλληνα", "D", False, False, False, "άρθρο 63 ν. 3386/2005"),
    ("D4", "Δελτίο διαμονής μέλους οικογένειας Έλληνα", "D", False, False, False, "άρθρα 61 ή 62 ν. 3386/2005"),
    ("D5", "Άδεια διαμονής μέλους οικογένειας Έλληνα ή πολίτη της Ε.Ε. (ν. 3386/2005)", "D", False, False, False,
     "άρθρα 61, 62 ή 63 ν. 3386/2005"),
    ("D6", "Άδεια διαμονής μέλους οικογένειας Έλληνα ή πολίτη της Ε.Ε. (ν. 2910/2001)", "D", False, False, False,
     "άρθρο 33 ν. 2910/2001"),
    ("E1", "Δελτίο διαμονής γονέα ανήλικου Έλληνα πολίτη", "E", False, False, False, "άρθρο 94 ν. 3386/2005"),
    ("E2", "Άδεια διαμονής γονέα ανήλικου Έλληνα πολίτη", "E", False, False, False, "άρθρο 94 ν. 3386/2005"),
    ("E3", "Άδεια διαμονής γονέα ανήλικου Έλληνα πολίτη (ν. 2910/2001)", "E", False, False, False,
     "άρθρο 37 ν. 2910/2001"),
    ("F1-REFUGEE", "Ειδικό Δελτίο Ταυτότητας Αλλοδαπού φυγάδα (κίτρινο) και Άδεια Παραμονής (λευκή) "
     "αναγνωρισμένου πολιτικού πρόσφυγα (πενταετούς διάρκειας)", "F", True, False, False,
     "Π.Δ. 61/1999 και Π.Δ. 96/2008"),
    ("F1-FAMILY", "Άδεια παραμονής μέλους οικογένειας αναγνωρισμένου πολιτικού πρόσφυγα", "F", True, False, False,
     "Π.Δ. 131/2006"),
    ("F2", "Ειδικό Δελτίο Υπό Ανοχή Διαμονής Αλλοδαπού (επικουρική προστασία ή ανθρωπιστικοί λόγοι, "
     "ετήσιας διάρκειας)", "F", True, False, False, "Π.Δ. 61/1999 και Π.Δ. 96/2008"),
    ("G1", "Ειδικό Δελτίο ανιθαγενούς", "G", True, False, False,
     "Σύμβαση της Νέας Υόρκης περί ανιθαγενών (ν. 139/1975)"),
    ("G2", "Ειδικό ταξιδιωτικό έγγραφο (T.D.V.) ανιθαγενούς και άδεια διαμονής ενιαίου τύπου", "G", True, False,
     False, "Σύμβαση της Νέας Υόρκης περί ανιθαγενών (ν. 139/1975)"),
    ("H1", "Άδεια παραμονής Αλλοδαπού ομογενούς από λοιπές χώρες", "H", True, False, False,
     "αρμοδιότητα Υπουργείου Προστασίας του Πολίτη"),
    ("H2", "Δελτίο Ταυτότητας Αλλοδαπού ομογενούς από λοιπές χώρες (Τουρκία, Αλβανία· διετούς ή πενταετούς "
     "διάρκειας)", "H", True, False, False, "αρμοδιότητα Υπουργείου Προστασίας του Πολίτη"),
    # Titles outside the annex: they do not give the right to register.
    ("X-WORK", "Άδεια διαμονής για εξαρτημένη εργασία", None, False, False, False, "άρθρο 15 ν. 3386/2005"),
    ("X-STUDY", "Άδεια διαμονής για σπουδές", None, False, False, False, "άρθρο 28 ν. 3386/2005"),
    ("X-TEMP", "Προσωρινή άδεια διαμονής εξάμηνης διάρκειας", None, False, False, False, "ν. 2910/2001"),
]


def upgrade() -> None:
    op.create_table('elections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('election_date', sa.Date(), nullable=False),
    sa.Column('registration_deadline', sa.Date(), nullable=False),
    sa.Column('extended_deadline', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elections')),
    sa.UniqueConstraint('code', name=op.f('uq_elections_code'))
    )
    op.create_table('roll_categories',
    sa.Column('code', sa.String(length=1), nullable=False),
    sa.Column('letter', sa.String(length=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('five_year_basis', sa.String(length=12), nullable=True),
    sa.Column('passport_exempt', sa.Boolean(), nullable=False),
    sa.Column('five_year_certificate', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_roll_categories'))
    )
    op.create_table('permit_types',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=240), nullable=False),
    sa.Column('category_code', sa.String(length=1), nullable=True),
    sa.Column('police', sa.Boolean(), nullable=False),
    sa.Column('edto', sa.Boolean(), nullable=False),
    sa.Column('no_passport', sa.Boolean(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['category_code'], ['roll_categories.code'], name=op.f('fk_permit_types_category_code_roll_categories')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_permit_types'))
    )
    op.create_table('permit_holders',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.Column('homogeneis', sa.Boolean(), nullable=False),
    sa.Column('birthdate_exact', sa.Boolean(), nullable=False),
    sa.Column('birthplace', sa.String(length=120), nullable=True),
    sa.Column('spouse_name', sa.String(length=120), nullable=True),
    sa.Column('maiden_name', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['nationality'], ['countries.code'], name=op.f('fk_permit_holders_nationality_countries')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_permit_holders_person_id_persons')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_permit_holders'))
    )
    op.create_table('citizenship_acquisitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=False),
    sa.Column('family_share_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['family_share_id'], ['family_shares.id'], name=op.f('fk_citizenship_acquisitions_family_share_id_family_shares')),
    sa.ForeignKeyConstraint(['holder_id'], ['permit_holders.person_id'], name=op.f('fk_citizenship_acquisitions_holder_id_permit_holders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizenship_acquisitions')),
    sa.UniqueConstraint('holder_id', name=op.f('uq_citizenship_acquisitions_holder_id'))
    )
    op.create_table('convictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('decision', sa.String(length=60), nullable=False),
    sa.Column('penalty', sa.String(length=200), nullable=False),
    sa.Column('irrevocable_on', sa.Date(), nullable=False),
    sa.Column('rights_restored_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['permit_holders.person_id'], name=op.f('fk_convictions_holder_id_permit_holders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convictions'))
    )
    with op.batch_alter_table('convictions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_convictions_holder_id'), ['holder_id'], unique=False)

    op.create_table('residence_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['permit_holders.person_id'], name=op.f('fk_residence_history_holder_id_permit_holders')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_residence_history_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residence_history'))
    )
    with op.batch_alter_table('residence_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residence_history_holder_id'), ['holder_id'], unique=False)

    op.create_table('residence_permits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('permit_type_code', sa.String(length=16), nullable=False),
    sa.Column('authority_kind', sa.String(length=8), nullable=False),
    sa.Column('authority_name', sa.String(length=200), nullable=False),
    sa.Column('application_date', sa.Date(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['holder_id'], ['permit_holders.person_id'], name=op.f('fk_residence_permits_holder_id_permit_holders')),
    sa.ForeignKeyConstraint(['permit_type_code'], ['permit_types.code'], name=op.f('fk_residence_permits_permit_type_code_permit_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residence_permits')),
    sa.UniqueConstraint('number', name=op.f('uq_residence_permits_number'))
    )
    with op.batch_alter_table('residence_permits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residence_permits_holder_id'), ['holder_id'], unique=False)

    op.create_table('roll_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('permit_id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('application_date', sa.Date(), nullable=False),
    sa.Column('criminal_record', sa.String(length=10), nullable=True),
    sa.Column('mothername', sa.String(length=80), nullable=True),
    sa.Column('fathersurname', sa.String(length=80), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('street', sa.String(length=120), nullable=True),
    sa.Column('street_number', sa.String(length=10), nullable=True),
    sa.Column('postal_code', sa.String(length=5), nullable=True),
    sa.Column('electoral_district', sa.String(length=80), nullable=True),
    sa.Column('new_municipality_id', sa.Integer(), nullable=True),
    sa.Column('protocol_number', sa.String(length=40), nullable=True),
    sa.Column('protocol_date', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('documents', sa.String(length=200), nullable=True),
    sa.Column('passport_number', sa.String(length=20), nullable=True),
    sa.Column('rejection_reason', sa.String(length=40), nullable=True),
    sa.Column('rejection_note', sa.Text(), nullable=True),
    sa.Column('rejection_office', sa.String(length=200), nullable=True),
    sa.Column('rejection_form', sa.String(length=3), nullable=True),
    sa.Column('rejection_guidance', sa.Text(), nullable=True),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('created_at', db.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_roll_applications_election_id_elections')),
    sa.ForeignKeyConstraint(['holder_id'], ['permit_holders.person_id'], name=op.f('fk_roll_applications_holder_id_permit_holders')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_roll_applications_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['new_municipality_id'], ['municipalities.id'], name=op.f('fk_roll_applications_new_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['permit_id'], ['residence_permits.id'], name=op.f('fk_roll_applications_permit_id_residence_permits')),
    sa.ForeignKeyConstraint(['previous_id'], ['roll_applications.id'], name=op.f('fk_roll_applications_previous_id_roll_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_applications')),
    sa.UniqueConstraint('number', name=op.f('uq_roll_applications_number'))
    )
    with op.batch_alter_table('roll_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_applications_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roll_applications_previous_id'), ['previous_id'], unique=False)
        batch_op.create_index('ix_roll_applications_municipality_revision', ['municipality_id', 'revision'], unique=False)

    op.create_table('roll_application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', db.models.base.UTCDateTime(), nullable=False),
    sa.Column('agency_code', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('call_sequence_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['roll_applications.id'], name=op.f('fk_roll_application_events_application_id_roll_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_application_events'))
    )
    with op.batch_alter_table('roll_application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_application_events_application_id'), ['application_id'], unique=False)

    op.create_table('roll_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('special_electoral_number', sa.String(length=16), nullable=False),
    sa.Column('added_revision', sa.Integer(), nullable=False),
    sa.Column('added_reason', sa.String(length=20), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('removed_revision', sa.Integer(), nullable=True),
    sa.Column('removed_reason', sa.String(length=20), nullable=True),
    sa.Column('removed_by', sa.Integer(), nullable=True),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('surname', sa.String(length=80), nullable=False),
    sa.Column('firstname', sa.String(length=80), nullable=False),
    sa.Column('fathername', sa.String(length=80), nullable=True),
    sa.Column('mothername', sa.String(length=80), nullable=True),
    sa.Column('spouse_name', sa.String(length=120), nullable=True),
    sa.Column('maiden_name', sa.String(length=80), nullable=True),
    sa.Column('birthdate', sa.Date(), nullable=False),
    sa.Column('birthdate_exact', sa.Boolean(), nullable=False),
    sa.Column('birthplace', sa.String(length=120), nullable=True),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.Column('street', sa.String(length=120), nullable=False),
    sa.Column('street_number', sa.String(length=10), nullable=True),
    sa.Column('postal_code', sa.String(length=5), nullable=True),
    sa.Column('electoral_district', sa.String(length=80), nullable=False),
    sa.Column('passport_number', sa.String(length=20), nullable=True),
    sa.Column('permit_number', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['roll_applications.id'], name=op.f('fk_roll_entries_added_by_roll_applications')),
    sa.ForeignKeyConstraint(['holder_id'], ['permit_holders.person_id'], name=op.f('fk_roll_entries_holder_id_permit_holders')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_roll_entries_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['nationality'], ['countries.code'], name=op.f('fk_roll_entries_nationality_countries')),
    sa.ForeignKeyConstraint(['removed_by'], ['roll_applications.id'], name=op.f('fk_roll_entries_removed_by_roll_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_entries'))
    )
    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roll_entries_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roll_entries_added_by'), ['added_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_roll_entries_removed_by'), ['removed_by'], unique=False)
        batch_op.create_index('ix_roll_entries_municipality_added', ['municipality_id', 'added_revision'], unique=False)
        batch_op.create_index('ix_roll_entries_municipality_removed', ['municipality_id', 'removed_revision'], unique=False)
        batch_op.create_index('uq_roll_entries_current_number', ['special_electoral_number'], unique=True, sqlite_where=sa.text('removed_revision IS NULL'), postgresql_where=sa.text('removed_revision IS NULL'))

    if op.get_bind().dialect.name == "sqlite":  # ADD COLUMN may carry REFERENCES; ALTER of constraints may not
        op.execute("ALTER TABLE agencies ADD COLUMN municipality_id INTEGER "
                   "CONSTRAINT fk_agencies_municipality_id_municipalities REFERENCES municipalities (id)")
    else:
        op.add_column("agencies", sa.Column("municipality_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_agencies_municipality_id_municipalities", "agencies", "municipalities",
                              ["municipality_id"], ["id"])

    categories = sa.table("roll_categories", *(sa.column(c) for c in (
        "code", "letter", "description", "five_year_basis", "passport_exempt", "five_year_certificate")))
    op.bulk_insert(categories, [dict(zip(("code", "letter", "description", "five_year_basis", "passport_exempt",
                                          "five_year_certificate"), row)) for row in CATEGORIES])
    types = sa.table("permit_types", *(sa.column(c) for c in (
        "code", "name", "category_code", "police", "edto", "no_passport", "legal_basis")))
    op.bulk_insert(types, [dict(zip(("code", "name", "category_code", "police", "edto", "no_passport",
                                     "legal_basis"), row)) for row in PERMIT_TYPES])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # rebuilding agencies must not trip the foreign keys of the tables that reference it
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("municipality_id")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")

    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_roll_entries_current_number', sqlite_where=sa.text('removed_revision IS NULL'), postgresql_where=sa.text('removed_revision IS NULL'))
        batch_op.drop_index('ix_roll_entries_municipality_removed')
        batch_op.drop_index('ix_roll_entries_municipality_added')
        batch_op.drop_index(batch_op.f('ix_roll_entries_removed_by'))
        batch_op.drop_index(batch_op.f('ix_roll_entries_added_by'))
        batch_op.drop_index(batch_op.f('ix_roll_entries_holder_id'))

    op.drop_table('roll_entries')
    with op.batch_alter_table('roll_application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roll_application_events_application_id'))

    op.drop_table('roll_application_events')
    with op.batch_alter_table('roll_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_roll_applications_municipality_revision')
        batch_op.drop_index(batch_op.f('ix_roll_applications_previous_id'))
        batch_op.drop_index(batch_op.f('ix_roll_applications_holder_id'))

    op.drop_table('roll_applications')
    with op.batch_alter_table('residence_permits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residence_permits_holder_id'))

    op.drop_table('residence_permits')
    with op.batch_alter_table('residence_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residence_history_holder_id'))

    op.drop_table('residence_history')
    with op.batch_alter_table('convictions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_convictions_holder_id'))

    op.drop_table('convictions')
    op.drop_table('citizenship_acquisitions')
    op.drop_table('permit_holders')
    op.drop_table('permit_types')
    op.drop_table('roll_categories')
    op.drop_table('elections')
