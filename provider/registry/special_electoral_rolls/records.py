"""Reading the central database of the rolls into the frozen records of ``provider.registry.special_electoral_rolls.model``.

An applicant is found the way the circular prescribes (§3.2.1): the number of the residence title
presented, the first two capital Latin letters of the surname and of the first name, and the year
of birth. A permit number with other letters or year finds no one, exactly like an unknown number,
so the answer never tells whether a number exists.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    CitizenshipAcquisition,
    Conviction,
    Country,
    Election,
    FamilyShare,
    Municipality,
    PermitHolder,
    PermitType,
    Person,
    ResidenceHistory,
    ResidencePermit,
    RollCategory,
)
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls.model import (
    Acquisition,
    Applicant,
    Category,
    ConvictionRecord,
    ElectionInfo,
    Holder,
    Permit,
)
from provider.registry.special_electoral_rolls.model import (
    PermitType as PermitTypeInfo,
)
from provider.registry.special_electoral_rolls.residence import HistoryRow, Place


def place(session: Session, municipality_id: int) -> Place:
    code, name = session.execute(
        select(Municipality.code, Municipality.name).where(Municipality.id == municipality_id)).one()
    return Place(code, name)


def municipality(session: Session, code: str, field: str = "municipalityCode") -> tuple[int, Place]:
    row = session.execute(select(Municipality.id, Municipality.name).where(Municipality.code == code)).one_or_none()
    if row is None:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"{field}: δεν υπάρχει Δήμος με κωδικό {code!r} "
                          "(βλ. registryParameters.getMunicipalities)")
    return row[0], Place(code, row[1])


def election(session: Session, code: str) -> ElectionInfo:
    row = session.scalar(select(Election).where(Election.code == code))
    if row is None:
        known = ", ".join(session.scalars(select(Election.code).order_by(Election.election_date))) or "καμία"
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"electionCode: δεν υπάρχουν εκλογές με κωδικό {code!r} "
                          f"(ρυθμισμένες: {known})")
    return election_info(row)


def election_by_id(session: Session, election_id: int) -> ElectionInfo:
    return election_info(session.get_one(Election, election_id))


def election_info(row: Election) -> ElectionInfo:
    return ElectionInfo(row.id, row.code, row.name, row.election_date, row.registration_deadline,
                        row.extended_deadline)


def find_permit(session: Session, number: str, surname_prefix: str, firstname_prefix: str,
                birth_year: int) -> tuple[int, int] | None:
    """(holder id, permit id) of the permit ``number`` when its holder matches the letters and year."""
    row = session.execute(
        select(ResidencePermit.holder_id, ResidencePermit.id, Person.surname_latin, Person.firstname_latin,
               Person.birthdate)
        .join(Person, Person.id == ResidencePermit.holder_id)
        .where(ResidencePermit.number == number)
    ).one_or_none()
    if row is None:
        return None
    holder_id, permit_id, surname, firstname, birthdate = row
    if surname[:2] != surname_prefix or firstname[:2] != firstname_prefix or birthdate.year != birth_year:
        return None
    return holder_id, permit_id


def _categories(session: Session) -> dict[str, Category]:
    return {c.code: Category(c.code, c.letter, c.description, c.five_year_basis, c.passport_exempt,
                             c.five_year_certificate) for c in session.scalars(select(RollCategory))}


def _permit(row: ResidencePermit, kind: PermitType, categories: dict[str, Category]) -> Permit:
    category = categories.get(kind.category_code) if kind.category_code else None
    info = PermitTypeInfo(kind.code, kind.name, category, kind.police, kind.edto, kind.no_passport)
    return Permit(row.id, row.number, info, row.authority_kind, row.authority_name, row.application_date,
                  row.valid_from, row.valid_to)


def holder(session: Session, holder_id: int) -> Holder:
    person, extra, nationality = session.execute(
        select(Person, PermitHolder, Country.name)
        .join(PermitHolder, PermitHolder.person_id == Person.id)
        .join(Country, Country.code == PermitHolder.nationality)
        .where(Person.id == holder_id)
    ).one()
    return Holder(person.id, person.surname, person.firstname, person.surname_latin, person.firstname_latin,
                  person.fathername, person.mothername, person.gender, person.birthdate, extra.birthdate_exact,
                  extra.birthplace, extra.nationality, nationality, extra.homogeneis, extra.spouse_name,
                  extra.maiden_name)


def applicant(session: Session, holder_id: int, permit_id: int, on: dt.date) -> Applicant:
    """Everything the system held on ``on`` about the holder, presenting permit ``permit_id``."""
    categories = _categories(session)
    permits = {
        row.id: _permit(row, kind, categories)
        for row, kind in session.execute(
            select(ResidencePermit, PermitType).join(PermitType)
            .where(ResidencePermit.holder_id == holder_id)
        )
    }
    presented = permits[permit_id]
    history = tuple(
        HistoryRow(Place(code, name), row.from_date, row.registered_on, row.source)
        for row, code, name in session.execute(
            select(ResidenceHistory, Municipality.code, Municipality.name)
            .join(Municipality, Municipality.id == ResidenceHistory.municipality_id)
            .where(ResidenceHistory.holder_id == holder_id, ResidenceHistory.registered_on <= on)
            .order_by(ResidenceHistory.id)
        )
    )
    convictions = tuple(
        ConvictionRecord(c.court, c.decision, c.penalty, c.irrevocable_on, c.rights_restored_on)
        for c in session.scalars(select(Conviction).where(Conviction.holder_id == holder_id).order_by(Conviction.id))
    )
    acquired = session.execute(
        select(CitizenshipAcquisition, FamilyShare.municipality_id)
        .join(FamilyShare, FamilyShare.id == CitizenshipAcquisition.family_share_id)
        .where(CitizenshipAcquisition.holder_id == holder_id)
    ).one_or_none()
    acquisition = None
    if acquired is not None:
        acquisition = Acquisition(acquired[0].acquired_on, place(session, acquired[1]), acquired[0].decision)
    earlier = tuple(p for p in permits.values() if p.application_date <= on or p.id == permit_id)
    return Applicant(holder(session, holder_id), presented, earlier, history, convictions, acquisition, on)
