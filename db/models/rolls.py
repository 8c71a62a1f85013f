"""The special electoral rolls of seed 003 (homogeneis and third-country nationals, ν. 3838/2010):
the central database of residence permits the municipalities cross-check applicants against,
the elections, the applications with their history, and the rolls themselves.

A permit holder is a person of the registry (``persons``), so the audit's data subjects stay one
id space; ``permit_holders`` adds what the rolls need. Dates are business dates (the day a permit
was applied for, a move registered, an application lodged); ``*_at`` columns are UTC timestamps.
A revision (δίμηνη αναθεώρηση) is stored as one integer ``year * 10 + period`` (period 1..6 for
January–February .. November–December), so revisions compare and sort as numbers.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime


class RollCategory(Base):
    """A category Α–Η of electors (section 1 of the circular), keyed by a Latin letter A–H."""

    __tablename__ = "roll_categories"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)  # A..H
    letter: Mapped[str] = mapped_column(String(2))  # Α Β Γ Δ Ε ΣΤ Ζ Η
    description: Mapped[str] = mapped_column(Text)
    # From which date five years of continuous legal residence count (APPLICATION: the first
    # application of the chain of permits; ISSUE: the first grant); None: not required.
    five_year_basis: Mapped[str | None] = mapped_column(String(12))
    passport_exempt: Mapped[bool] = mapped_column(Boolean)
    five_year_certificate: Mapped[bool] = mapped_column(Boolean)  # homogeneis from other countries


class PermitType(Base):
    """A type of residence title; those of the circular's annex have a category, the others none."""

    __tablename__ = "permit_types"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(240))
    category_code: Mapped[str | None] = mapped_column(ForeignKey("roll_categories.code"))
    police: Mapped[bool] = mapped_column(Boolean)  # issued by the police (ΕΛ.ΑΣ.), not a Region or the Ministry
    edto: Mapped[bool] = mapped_column(Boolean)  # Ειδικό Δελτίο Ταυτότητας Ομογενούς: passport always required
    no_passport: Mapped[bool] = mapped_column(Boolean)  # objective impossibility of a passport (ν. 3386/2005 άρθρο 84)
    legal_basis: Mapped[str] = mapped_column(Text)


class PermitHolder(Base):
    """What the rolls know of a person beyond the registry's ``persons`` row."""

    __tablename__ = "permit_holders"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    # The third-country nationality the permits and the roll show (``persons.nationality`` becomes
    # GR when the person acquires Greek citizenship).
    nationality: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    homogeneis: Mapped[bool] = mapped_column(Boolean)
    birthdate_exact: Mapped[bool] = mapped_column(Boolean)  # False: only the year is known (1 January)
    birthplace: Mapped[str | None] = mapped_column(String(120))
    spouse_name: Mapped[str | None] = mapped_column(String(120))  # a married woman bearing her husband's surname
    maiden_name: Mapped[str | None] = mapped_column(String(80))  # ... and her γένος


class ResidencePermit(Base):
    __tablename__ = "residence_permits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), index=True)
    permit_type_code: Mapped[str] = mapped_column(ForeignKey("permit_types.code"))
    authority_kind: Mapped[str] = mapped_column(String(8))  # REGION | MINISTRY | POLICE
    authority_name: Mapped[str] = mapped_column(String(200))
    application_date: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # None: indefinite


class ResidenceHistory(Base):
    """A municipality a holder of a Region/Ministry permit lived in, as the information system shows it.

    ``source``: PERMIT_APPLICATION (where a permit was applied for), DECLARED_MOVE (a move declared
    and registered), FORM_210 (a move declared late, with the Mayor's permanent-residence
    certificate), FORM_411 (a supplementary declaration correcting a move's date) or FORM_310 (two
    years' residence certified by the Region). ``from_date`` is the date the move happened (or is
    presumed to have happened); ``registered_on`` the date it was entered in the system.
    """

    __tablename__ = "residence_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    from_date: Mapped[dt.date] = mapped_column(Date)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class Conviction(Base):
    """An irrevocable conviction that removes political rights (ΠΚ 59-64), until ``rights_restored_on``."""

    __tablename__ = "convictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), index=True)
    court: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(60))
    penalty: Mapped[str] = mapped_column(String(200))
    irrevocable_on: Mapped[dt.date] = mapped_column(Date)
    rights_restored_on: Mapped[dt.date | None] = mapped_column(Date)


class CitizenshipAcquisition(Base):
    """Greek citizenship acquired by a holder, and the family share (μερίδα) that registered them."""

    __tablename__ = "citizenship_acquisitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), unique=True)
    acquired_on: Mapped[dt.date] = mapped_column(Date)
    family_share_id: Mapped[int] = mapped_column(ForeignKey("family_shares.id"))
    decision: Mapped[str] = mapped_column(String(200))


class Election(Base):
    """Local elections the rolls are kept for; the deadline may be extended by up to two months."""

    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    election_date: Mapped[dt.date] = mapped_column(Date)
    registration_deadline: Mapped[dt.date] = mapped_column(Date)
    extended_deadline: Mapped[dt.date | None] = mapped_column(Date)


class RollApplication(Base):
    """An application to a special roll: registration, deletion (at the person's request or for
    Greek citizenship) or correction. ``number`` is set from the id right after the insert."""

    __tablename__ = "roll_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))  # CREATED | FINALIZED | REJECTED | CARRIED_OVER
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), index=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("residence_permits.id"))
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    revision: Mapped[int] = mapped_column(Integer)
    application_date: Mapped[dt.date] = mapped_column(Date)
    criminal_record: Mapped[str | None] = mapped_column(String(10))  # BROUGHT | REQUESTED (registrations)
    mothername: Mapped[str | None] = mapped_column(String(80))
    fathersurname: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    street: Mapped[str | None] = mapped_column(String(120))
    street_number: Mapped[str | None] = mapped_column(String(10))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    electoral_district: Mapped[str | None] = mapped_column(String(80))
    new_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))  # μεταδημότευση
    protocol_number: Mapped[str | None] = mapped_column(String(40))
    protocol_date: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    documents: Mapped[str | None] = mapped_column(String(200))  # document codes, comma-separated
    passport_number: Mapped[str | None] = mapped_column(String(20))
    rejection_reason: Mapped[str | None] = mapped_column(String(40))
    rejection_note: Mapped[str | None] = mapped_column(Text)  # the clerk's own words
    rejection_office: Mapped[str | None] = mapped_column(String(200))  # the written guidance: where to go,
    rejection_form: Mapped[str | None] = mapped_column(String(3))  # with which form (210, 411, 310),
    rejection_guidance: Mapped[str | None] = mapped_column(Text)  # and the text printed on the decision
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("roll_applications.id"), index=True)  # carried over from
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # None: created by the municipality; CITIZEN: from the Ministry's site (§3.2.1); NOTICE: a deletion
    # made on an authority's notice (§4.3 γ, §4.4); OBJECTION: the effect of an upheld objection (§4.2).
    origin: Mapped[str | None] = mapped_column(String(12))
    notice_reason: Mapped[str | None] = mapped_column(String(20))  # CONVICTION | PERMIT_REVOKED | ...
    notice_reference: Mapped[str | None] = mapped_column(String(80))  # the decision the notice carries
    notice_authority: Mapped[str | None] = mapped_column(String(200))  # who issued it

    __table_args__ = (Index("ix_roll_applications_municipality_revision", "municipality_id", "revision"),)


class RollApplicationEvent(Base):
    """One step in an application's history, with who did it and in which audited call."""

    __tablename__ = "roll_application_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("roll_applications.id"), index=True)
    event: Mapped[str] = mapped_column(String(30))
    event_date: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    agency_code: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(100))
    call_sequence_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str | None] = mapped_column(Text)


class RollEntry(Base):
    """An elector on the special roll of a municipality, with the fields of section 4.1, from the
    revision that added the row until the revision that removed it (a correction replaces the row;
    a move to another municipality removes it here and adds one there, with the same number)."""

    __tablename__ = "roll_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    special_electoral_number: Mapped[str] = mapped_column(String(16))
    added_revision: Mapped[int] = mapped_column(Integer)
    added_reason: Mapped[str] = mapped_column(String(20))  # REGISTRATION | MUNICIPALITY_CHANGE | CORRECTION
    added_by: Mapped[int] = mapped_column(ForeignKey("roll_applications.id"), index=True)
    removed_revision: Mapped[int | None] = mapped_column(Integer)
    removed_reason: Mapped[str | None] = mapped_column(String(20))  # DELETION_REQUEST | GREEK_CITIZENSHIP | ...
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("roll_applications.id"), index=True)
    gender: Mapped[str] = mapped_column(String(1))
    surname: Mapped[str] = mapped_column(String(80))
    firstname: Mapped[str] = mapped_column(String(80))
    fathername: Mapped[str | None] = mapped_column(String(80))
    mothername: Mapped[str | None] = mapped_column(String(80))
    spouse_name: Mapped[str | None] = mapped_column(String(120))
    maiden_name: Mapped[str | None] = mapped_column(String(80))
    birthdate: Mapped[dt.date] = mapped_column(Date)
    birthdate_exact: Mapped[bool] = mapped_column(Boolean)
    birthplace: Mapped[str | None] = mapped_column(String(120))
    nationality: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    street: Mapped[str] = mapped_column(String(120))
    street_number: Mapped[str | None] = mapped_column(String(10))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    electoral_district: Mapped[str] = mapped_column(String(80))
    passport_number: Mapped[str | None] = mapped_column(String(20))
    permit_number: Mapped[str] = mapped_column(String(20))

    __table_args__ = (
        Index("ix_roll_entries_municipality_added", "municipality_id", "added_revision"),
        Index("ix_roll_entries_municipality_removed", "municipality_id", "removed_revision"),
        # One elector, one current row: the number is unique among the rows not removed.
        Index(
            "uq_roll_entries_current_number",
            "special_electoral_number",
            unique=True,
            sqlite_where=text("removed_revision IS NULL"),
            postgresql_where=text("removed_revision IS NULL"),
        ),
    )


class RollFinalization(Base):
    """The Ministry's final finalization (τελική οριστικοποίηση, circular §3.1) of one municipality's
    roll for one revision: before it the roll of that revision is provisional, after it no change is
    dated into that revision any more (changes go to the next one)."""

    __tablename__ = "roll_finalizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    revision: Mapped[int] = mapped_column(Integer)
    finalized_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    agency_code: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(100))
    call_sequence_id: Mapped[str | None] = mapped_column(String(36))
    entry_count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("uq_roll_finalizations_municipality_revision", "municipality_id", "revision",
                            unique=True),)


class RollObjection(Base):
    """An objection (ένσταση, circular §4.2; Π.Δ. 96/2007 άρθρα 7-20) lodged during a roll's posting,
    against a registration (``entry_id``) or a non-registration (``application_id``, a rejected
    application), and its decision. ``number`` is set from the id right after the insert."""

    __tablename__ = "roll_objections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # AGAINST_REGISTRATION | AGAINST_NON_REGISTRATION
    status: Mapped[str] = mapped_column(String(10))  # LODGED | UPHELD | DISMISSED
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    revision: Mapped[int] = mapped_column(Integer)  # the revision whose posting it was lodged in
    holder_id: Mapped[int] = mapped_column(ForeignKey("permit_holders.person_id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("roll_entries.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("roll_applications.id"))
    objector: Mapped[str] = mapped_column(String(200))
    grounds: Mapped[str] = mapped_column(Text)
    lodged_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_reference: Mapped[str | None] = mapped_column(String(80))
    decision_note: Mapped[str | None] = mapped_column(Text)
    result_application_id: Mapped[int | None] = mapped_column(ForeignKey("roll_applications.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    lodged_call: Mapped[str | None] = mapped_column(String(36))
    decided_call: Mapped[str | None] = mapped_column(String(36))

    __table_args__ = (Index("ix_roll_objections_municipality_revision", "municipality_id", "revision"),)


class RollUnmatchedApplication(Base):
    """An application of a person the system does not show (Annex of section 2, Β 2 δ): received,
    recorded with the criteria as given, and rejected in writing with the guidance to print."""

    __tablename__ = "roll_unmatched_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    application_date: Mapped[dt.date] = mapped_column(Date)
    permit_number: Mapped[str] = mapped_column(String(20))
    surname_prefix: Mapped[str] = mapped_column(String(2))
    firstname_prefix: Mapped[str] = mapped_column(String(2))
    birth_year: Mapped[int] = mapped_column(Integer)
    protocol_number: Mapped[str] = mapped_column(String(40))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(40))
    office: Mapped[str | None] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    agency_code: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(100))
    call_sequence_id: Mapped[str | None] = mapped_column(String(36), index=True)


__all__ = [
    "CitizenshipAcquisition", "Conviction", "Election", "PermitHolder", "PermitType", "ResidenceHistory",
    "ResidencePermit", "RollApplication", "RollApplicationEvent", "RollCategory", "RollEntry", "RollFinalization",
    "RollObjection", "RollUnmatchedApplication",
]
