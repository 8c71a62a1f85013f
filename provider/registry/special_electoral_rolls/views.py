"""Applications and roll entries as the service shows them: frozen records loaded from the tables."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, aliased

from db.models import Country, Election, Municipality, ResidencePermit, RollApplication, RollApplicationEvent, RollEntry
from provider.registry.special_electoral_rolls import documents, records
from provider.registry.special_electoral_rolls.criteria import Address
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.guidance import Guidance
from provider.registry.special_electoral_rolls.model import Holder
from provider.registry.special_electoral_rolls.residence import Place


@dataclass(frozen=True)
class EventView:
    event: str
    event_date: dt.date
    recorded_at: dt.datetime
    agency_code: str
    username: str
    call_sequence_id: str | None
    detail: str | None


@dataclass(frozen=True)
class EntryView:
    """An elector on a special roll with the fields of circular §4.1."""

    person_id: int  # internal, for the audit; never published
    special_electoral_number: str
    gender: str
    surname: str
    firstname: str
    fathername: str | None
    mothername: str | None
    spouse_name: str | None
    maiden_name: str | None
    birthdate: dt.date
    birthdate_exact: bool
    birthplace: str | None
    municipality: Place
    street: str
    street_number: str | None
    postal_code: str | None
    electoral_district: str
    nationality: str
    nationality_name: str
    passport_number: str | None
    permit_number: str
    added: Revision
    added_reason: str
    added_by: str  # application number
    removed: Revision | None
    removed_reason: str | None
    removed_by: str | None


@dataclass(frozen=True)
class ApplicationView:
    number: str
    kind: str
    status: str
    election_code: str
    election_name: str
    municipality: Place
    revision: Revision
    application_date: dt.date
    holder: Holder
    permit_number: str
    criminal_record: str | None
    mothername: str | None
    fathersurname: str | None
    phone: str | None
    address: Address | None
    electoral_district: str | None
    new_municipality: Place | None
    protocol_number: str | None
    protocol_date: dt.date | None
    completed_on: dt.date | None
    documents: tuple[documents.Document, ...]
    passport_number: str | None
    special_electoral_number: str | None
    rejection_reason: str | None
    rejection: Guidance | None
    rejection_note: str | None
    previous_number: str | None
    next_number: str | None
    events: tuple[EventView, ...]

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset({self.holder.person_id})


def _numbered(number: str | None) -> str:
    """The number of the application that added an entry: set right after its insert, so never None here."""
    assert number is not None, "an application's number is set right after its insert"
    return number


def entries(session: Session, *conditions: ColumnElement[bool]) -> list[EntryView]:
    """The roll entries meeting ``conditions``, in the order of the roll (surname, first name)."""
    added, removed = aliased(RollApplication), aliased(RollApplication)
    query = (
        select(RollEntry, Municipality.code, Municipality.name, Country.name, added.number, removed.number)
        .join(Municipality, Municipality.id == RollEntry.municipality_id)
        .join(Country, Country.code == RollEntry.nationality)
        .join(added, added.id == RollEntry.added_by)
        .outerjoin(removed, removed.id == RollEntry.removed_by)
        .where(*conditions)
        .order_by(RollEntry.surname, RollEntry.firstname, RollEntry.id)
    )
    return [
        EntryView(
            e.holder_id, e.special_electoral_number, e.gender, e.surname, e.firstname, e.fathername, e.mothername,
            e.spouse_name, e.maiden_name, e.birthdate, e.birthdate_exact, e.birthplace, Place(code, name), e.street,
            e.street_number, e.postal_code, e.electoral_district, e.nationality, nationality, e.passport_number,
            e.permit_number, Revision.from_key(e.added_revision), e.added_reason, _numbered(added_by),
            Revision.from_key(e.removed_revision) if e.removed_revision else None, e.removed_reason, removed_by,
        )
        for e, code, name, nationality, added_by, removed_by in session.execute(query)
    ]


def _number(session: Session, application_id: int | None) -> str | None:
    if application_id is None:
        return None
    return session.scalar(select(RollApplication.number).where(RollApplication.id == application_id))


def application(session: Session, row: RollApplication) -> ApplicationView:
    election = session.execute(select(Election.code, Election.name).where(Election.id == row.election_id)).one()
    permit_number = session.scalar(select(ResidencePermit.number).where(ResidencePermit.id == row.permit_id))
    number = session.scalar(
        select(RollEntry.special_electoral_number)
        .where(or_(RollEntry.added_by == row.id, RollEntry.removed_by == row.id)).order_by(RollEntry.id.desc()).limit(1)
    )
    following = session.scalar(select(RollApplication.number).where(RollApplication.previous_id == row.id))
    events = tuple(
        EventView(e.event, e.event_date, e.recorded_at, e.agency_code, e.username, e.call_sequence_id, e.detail)
        for e in session.scalars(select(RollApplicationEvent).where(RollApplicationEvent.application_id == row.id)
                                 .order_by(RollApplicationEvent.id))
    )
    address = Address(row.street, row.street_number, row.postal_code) if row.street else None
    rejection = None
    if row.rejection_reason:
        rejection = Guidance(row.rejection_reason, row.rejection_office, row.rejection_form,
                             row.rejection_guidance or "")
    assert row.number is not None
    return ApplicationView(
        row.number, row.kind, row.status, election.code, election.name, records.place(session, row.municipality_id),
        Revision.from_key(row.revision), row.application_date, records.holder(session, row.holder_id),
        str(permit_number), row.criminal_record, row.mothername, row.fathersurname, row.phone, address,
        row.electoral_district,
        records.place(session, row.new_municipality_id) if row.new_municipality_id else None,
        row.protocol_number, row.protocol_date, row.completed_on,
        tuple(documents.document(code) for code in (row.documents or "").split(",") if code),
        row.passport_number, number, row.rejection_reason, rejection, row.rejection_note,
        _number(session, row.previous_id), following, events,
    )
