"""Municipal-registry certificates (service civilStatusCertificates): family status as on a date,
birth and registration. Plain Python over the database, returning frozen records; each certificate
is numbered and stored by ``provider.registry.civil_status_certificates.register`` before it is returned.

The composition of a family share as on a day D lists every membership registered on or before D;
a membership deleted on or before D shows its ``deletereason`` and ``deletedate``, one deleted
later shows as current (as it stood on D). Marriage and partnership fields are those of the
member's latest marriage (partnership) act dated on or before D that is not annulled, with its rank
among them. Every lookup runs on an index (shown with EXPLAIN in
tests/provider/registry/civil_status_certificates/test_queries.py):
the municipality by ``uq_municipalities_code``, the share by ``uq_family_shares_municipality_id``,
its members by ``ix_family_share_members_share_id``, a person's memberships by
``ix_family_share_members_person_id`` (read with the person, in one statement) and acts by
``ix_act_parties_person_id``.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, select
from sqlalchemy.orm import Session

from db.models import ActParty, CivilAct, Country, FamilyShare, FamilyShareMember, Municipality, Person, RegistryOffice
from provider.errors import ErrorCode, MitrooError
from provider.registry.civil_registry_acts.criteria import PersonCriteria
from provider.registry.civil_registry_acts.queries import no_person, persons_query
from provider.registry.civil_status_certificates.criteria import (
    CertificateRequest,
    ShareReference,
    check_request,
)
from provider.registry.civil_status_certificates.register import CertificateHeader, Issuance, issue

_MEMBERSHIPS, _SHARES, _PERSONS = FamilyShareMember.__table__, FamilyShare.__table__, Person.__table__
_MUNICIPALITIES, _COUNTRIES = Municipality.__table__, Country.__table__
_ACTS, _PARTIES, _OFFICES = CivilAct.__table__, ActParty.__table__, RegistryOffice.__table__

MEMBER_ORDER = {"HEAD": 0, "SPOUSE": 1, "PARTNER": 1, "CHILD": 2}


@dataclass(frozen=True)
class ActRef:
    registry_office_code: str
    registry_office_name: str
    act_number: int
    volume: int | None
    year: int
    event_date: dt.date


@dataclass(frozen=True)
class Member:
    """A person as the municipal registry records them in a share (docs/design.md §4 Messages: the vocabulary)."""

    person_id: int  # internal, for the audit; never published
    amka: str | None
    surname: str
    firstname: str
    secondname: str | None
    fathername: str | None
    fathersurname: str | None
    mothername: str | None
    mothersurname: str | None
    mothergenos: str | None
    birthdate: dt.date
    birthplace: str  # the municipality, or the country for a birth abroad
    birthcountry: str
    gender: str
    mainnationality: str
    eklspecialno: str | None
    grnatgaindate: dt.date | None
    membertype: str
    registrationdate: dt.date
    gainmunrecdate: dt.date | None
    marriagerank: int | None = None
    marriageactoffice: str | None = None
    marriageactno: int | None = None
    marriageacttomos: int | None = None
    marriageactyear: int | None = None
    marriageactdate: dt.date | None = None
    agreementrank: int | None = None
    agreementactoffice: str | None = None
    agreementactno: int | None = None
    agreementactyear: int | None = None
    agreementactdate: dt.date | None = None
    deletereason: str | None = None
    deletedate: dt.date | None = None


@dataclass(frozen=True)
class Parent:
    role: str  # father | mother
    full_name: str
    amka: str | None  # when the parent is in the registry
    person_id: int | None = None  # internal


@dataclass(frozen=True)
class MaritalStatusCertificate:
    header: CertificateHeader
    members: tuple[Member, ...]

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset(m.person_id for m in self.members)


@dataclass(frozen=True)
class BirthCertificate:
    header: CertificateHeader
    person: Member
    parents: tuple[Parent, ...]
    birth_act: ActRef | None  # None for a birth abroad never registered in Greece

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset({self.person.person_id, *(p.person_id for p in self.parents if p.person_id is not None)})


@dataclass(frozen=True)
class RegistrationCertificate:
    header: CertificateHeader
    person: Member

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset({self.person.person_id})


@dataclass(frozen=True)
class _Share:
    id: int
    municipality_code: str
    municipality_name: str
    share_number: int


# -- the three certificates -------------------------------------------------------------------------


def marital_status_certificate(session: Session, request: CertificateRequest, today: dt.date,
                               issuance: Issuance) -> MaritalStatusCertificate:
    """The family share named by ``request`` as it stood on its asOnDate (default today)."""
    checked = check_request(request, today, by_share=True)
    as_on = checked.as_on_date
    assert as_on is not None
    if checked.share is not None:
        share = _share_by_reference(session, checked.share, as_on)
        subject = None
    else:
        assert checked.person is not None
        subject, share = _person_and_share(session, checked.person, as_on)
    members = _members(session, share.id, as_on)
    return issue(session, issuance, "MARITAL_STATUS", _header(share, checked), subject or members[0].person_id,
                 lambda h: MaritalStatusCertificate(h, members))


def birth_certificate(session: Session, request: CertificateRequest, today: dt.date,
                      issuance: Issuance) -> BirthCertificate:
    """The person's birth: who, their parents, the place, the share they are registered in, the birth act."""
    checked, share, member = _registered(session, request, today)
    act, parents = _birth_act(session, member.person_id)
    return issue(session, issuance, "BIRTH", _header(share, checked), member.person_id,
                 lambda h: BirthCertificate(h, member, parents, act))


def registration_certificate(session: Session, request: CertificateRequest, today: dt.date,
                             issuance: Issuance) -> RegistrationCertificate:
    """Where the person is registered (municipality, share, since when) with gainmunrecdate and grnatgaindate."""
    checked, share, member = _registered(session, request, today)
    return issue(session, issuance, "REGISTRATION", _header(share, checked), member.person_id,
                 lambda h: RegistrationCertificate(h, member))


def _registered(session: Session, request: CertificateRequest,
                today: dt.date) -> tuple[CertificateRequest, _Share, Member]:
    """The checked request, and the person it names as a member of their share today."""
    checked = check_request(request, today, by_share=False)
    assert checked.person is not None
    person_id, share = _person_and_share(session, checked.person, today)
    [member] = [m for m in _members(session, share.id, today) if m.person_id == person_id]
    return checked, share, member


def _header(share: _Share, request: CertificateRequest) -> dict[str, Any]:
    return {"municipality_code": share.municipality_code, "municipality_name": share.municipality_name,
            "share_number": share.share_number, "purpose": request.purpose, "as_on_date": request.as_on_date}


# -- finding the share --------------------------------------------------------------------------------


def share_query(reference: ShareReference) -> Select[*tuple[Any, ...]]:
    return (
        select(FamilyShare.id, Municipality.code, Municipality.name, FamilyShare.share_number, FamilyShare.created_on)
        .join(Municipality, FamilyShare.municipality_id == Municipality.id)
        .where(Municipality.code == reference.municipality_code, FamilyShare.share_number == reference.share_number)
    )


def _share_by_reference(session: Session, reference: ShareReference, as_on: dt.date) -> _Share:
    row = session.execute(share_query(reference)).one_or_none()
    if row is None:
        name = session.scalar(select(Municipality.name).where(Municipality.code == reference.municipality_code))
        if name is None:
            raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει δήμος με κωδικό {reference.municipality_code!r} "
                              "(see getMunicipalities)")
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει μερίδα {reference.share_number} στο δημοτολόγιο "
                          f"του Δήμου {name}")
    if row.created_on > as_on:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"η μερίδα {row.share_number} του Δήμου {row.name} συστάθηκε στις "
                          f"{row.created_on.isoformat()}, μετά το asOnDate {as_on.isoformat()}")
    return _Share(row.id, row.code, row.name, row.share_number)


def memberships_query(person: PersonCriteria) -> Select[Any]:
    """The persons ``person`` names, each with their family-share memberships in order (None columns for none)."""
    return (
        persons_query(person)
        .add_columns(_MEMBERSHIPS.c.registered_on, _MEMBERSHIPS.c.deleted_on, _SHARES.c.id.label("share_id"),
                     _MUNICIPALITIES.c.code, _MUNICIPALITIES.c.name, _SHARES.c.share_number)
        .outerjoin(_MEMBERSHIPS, _MEMBERSHIPS.c.person_id == _PERSONS.c.id)
        .outerjoin(_SHARES, _MEMBERSHIPS.c.share_id == _SHARES.c.id)
        .outerjoin(_MUNICIPALITIES, _SHARES.c.municipality_id == _MUNICIPALITIES.c.id)
        .order_by(_MEMBERSHIPS.c.registered_on, _MEMBERSHIPS.c.id)
    )


def _person_and_share(session: Session, person: PersonCriteria, as_on: dt.date) -> tuple[int, _Share]:
    """The one person ``person`` names, and the share they belonged to on ``as_on``; failing that the last one
    they had left by then. One statement."""
    rows = session.execute(memberships_query(person)).all()
    if not rows:
        raise no_person(person)
    persons = {row.id for row in rows}
    if len(persons) > 1:
        raise MitrooError(ErrorCode.MP_AMBIGUOUS, f"τα κριτήρια αντιστοιχούν σε {len(persons)} πρόσωπα· "
                          "δώστε τον ΑΜΚΑ ή και το mothername")
    rows = [row for row in rows if row.registered_on is not None and row.registered_on <= as_on]
    if not rows:
        raise MitrooError(ErrorCode.MP_NOT_FOUND,
                          f"το πρόσωπο δεν ήταν εγγεγραμμένο σε μερίδα στις {as_on.isoformat()}")
    current = [row for row in rows if row.deleted_on is None or row.deleted_on > as_on]
    row = (current or rows)[-1]
    return row.id, _Share(row.share_id, row.code, row.name, row.share_number)


# -- members --------------------------------------------------------------------------------------


_BIRTH_MUNICIPALITIES = _MUNICIPALITIES.alias("birth_municipality")
# The share's members registered on or before ``as_on``, each with every marriage and partnership act of theirs dated
# on or before ``as_on`` and not annulled: one row per membership and party of theirs as spouse or partner, in the
# acts' order, with None act columns where there is no such act. _BOND slices a row into an ActRef's fields.
_MEMBERS = (
    select(_MEMBERSHIPS.c.id.label("membership_id"), _MEMBERSHIPS.c.membertype, _MEMBERSHIPS.c.registered_on,
           _MEMBERSHIPS.c.gainmunrecdate, _MEMBERSHIPS.c.deleted_on, _MEMBERSHIPS.c.deletion_reason, _PERSONS.c.id,
           _PERSONS.c.amka, _PERSONS.c.surname, _PERSONS.c.firstname, _PERSONS.c.secondname, _PERSONS.c.fathername,
           _PERSONS.c.fathersurname, _PERSONS.c.mothername, _PERSONS.c.mothersurname, _PERSONS.c.mothergenos,
           _PERSONS.c.birthdate, _PERSONS.c.birth_country_code, _PERSONS.c.gender, _PERSONS.c.nationality,
           _PERSONS.c.eklspecialno, _PERSONS.c.grnatgaindate, _BIRTH_MUNICIPALITIES.c.name.label("municipality"),
           _COUNTRIES.c.name.label("country"), _ACTS.c.id.label("act_id"), _ACTS.c.act_type,
           _OFFICES.c.code, _OFFICES.c.name, _ACTS.c.act_number, _ACTS.c.volume, _ACTS.c.year, _ACTS.c.event_date)
    .select_from(
        _MEMBERSHIPS.join(_PERSONS, _MEMBERSHIPS.c.person_id == _PERSONS.c.id)
        .outerjoin(_BIRTH_MUNICIPALITIES, _PERSONS.c.birth_municipality_id == _BIRTH_MUNICIPALITIES.c.id)
        .join(_COUNTRIES, _PERSONS.c.birth_country_code == _COUNTRIES.c.code)
        .outerjoin(_PARTIES, and_(_PARTIES.c.person_id == _PERSONS.c.id, _PARTIES.c.role.in_(("spouse", "partner"))))
        .outerjoin(_ACTS, and_(_PARTIES.c.act_id == _ACTS.c.id, _ACTS.c.act_type.in_(("MARRIAGE", "PARTNERSHIP")),
                               _ACTS.c.status != "annulled", _ACTS.c.event_date <= bindparam("as_on")))
        .outerjoin(_OFFICES, _ACTS.c.registry_office_id == _OFFICES.c.id))
    .where(_MEMBERSHIPS.c.share_id == bindparam("share_id"), _MEMBERSHIPS.c.registered_on <= bindparam("as_on"))
    .order_by(_ACTS.c.event_date, _ACTS.c.id)
)
_BOND = slice(-6, None)


def _members(session: Session, share_id: int, as_on: dt.date) -> tuple[Member, ...]:
    memberships: dict[int, Row[*tuple[Any, ...]]] = {}
    bonds: dict[tuple[int, str], dict[int, ActRef]] = defaultdict(dict)  # by act id: a person may be twice a member
    for row in session.execute(_MEMBERS, {"share_id": share_id, "as_on": as_on}):
        memberships.setdefault(row.membership_id, row)
        if row.act_id is not None:
            bonds[(row.id, row.act_type)][row.act_id] = ActRef(*row[_BOND])
    in_order = {key: list(acts.values()) for key, acts in bonds.items()}
    members = [_member(row, as_on, in_order) for row in memberships.values()]
    return tuple(sorted(members, key=lambda m: (MEMBER_ORDER.get(m.membertype, 3), m.birthdate, m.person_id)))


def _member(row: Row[*tuple[Any, ...]], as_on: dt.date, bonds: dict[tuple[int, str], list[ActRef]]) -> Member:
    """The member from a row of ``_MEMBERS`` (their membership, the person, where they were born)."""
    deleted = row.deleted_on is not None and row.deleted_on <= as_on
    marriages, agreements = bonds.get((row.id, "MARRIAGE"), []), bonds.get((row.id, "PARTNERSHIP"), [])
    marriage = marriages[-1] if marriages else None
    agreement = agreements[-1] if agreements else None
    return Member(
        person_id=row.id, amka=row.amka, surname=row.surname, firstname=row.firstname,
        secondname=row.secondname, fathername=row.fathername, fathersurname=row.fathersurname,
        mothername=row.mothername, mothersurname=row.mothersurname, mothergenos=row.mothergenos,
        birthdate=row.birthdate, birthplace=row.municipality or row.country, birthcountry=row.birth_country_code,
        gender=row.gender, mainnationality=row.nationality, eklspecialno=row.eklspecialno,
        grnatgaindate=row.grnatgaindate, membertype=row.membertype,
        registrationdate=row.registered_on, gainmunrecdate=row.gainmunrecdate,
        marriagerank=len(marriages) or None,
        marriageactoffice=marriage.registry_office_code if marriage else None,
        marriageactno=marriage.act_number if marriage else None,
        marriageacttomos=marriage.volume if marriage else None,
        marriageactyear=marriage.year if marriage else None,
        marriageactdate=marriage.event_date if marriage else None,
        agreementrank=len(agreements) or None,
        agreementactoffice=agreement.registry_office_code if agreement else None,
        agreementactno=agreement.act_number if agreement else None,
        agreementactyear=agreement.year if agreement else None,
        agreementactdate=agreement.event_date if agreement else None,
        deletereason=row.deletion_reason if deleted else None,
        deletedate=row.deleted_on if deleted else None,
    )


# -- birth act ------------------------------------------------------------------------------------


def birth_act_query(person_id: int) -> Select[*tuple[Any, ...]]:
    return (
        select(CivilAct.id, RegistryOffice.code, RegistryOffice.name, CivilAct.act_number, CivilAct.volume,
               CivilAct.year, CivilAct.event_date)
        .join(ActParty, ActParty.act_id == CivilAct.id)
        .join(RegistryOffice, CivilAct.registry_office_id == RegistryOffice.id)
        .where(ActParty.person_id == person_id, ActParty.role == "child", CivilAct.act_type == "BIRTH",
               CivilAct.status != "annulled")
        .order_by(CivilAct.registration_date, CivilAct.id)
    )


def _birth_act(session: Session, person_id: int) -> tuple[ActRef | None, tuple[Parent, ...]]:
    row = session.execute(birth_act_query(person_id)).first()
    if row is None:
        return None, ()
    parents = session.execute(
        select(ActParty.role, ActParty.name_text, Person.id, Person.firstname, Person.surname, Person.amka)
        .outerjoin(Person, ActParty.person_id == Person.id)
        .where(ActParty.act_id == row.id, ActParty.role.in_(("father", "mother")))
        .order_by(ActParty.id)
    ).all()
    return ActRef(*row[1:]), tuple(
        Parent(role, f"{firstname} {surname}" if pid else (name_text or ""), amka, pid)
        for role, name_text, pid, firstname, surname, amka in parents
    )
