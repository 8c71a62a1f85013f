"""Civil-registry acts (service civilRegistryActs): the whole act by reference or by person, and
searches returning act references. Plain Python over the database, returning frozen records.

Every lookup runs on an index (shown with EXPLAIN in tests/provider/registry/civil_registry_acts/test_queries.py):
the reference by ``uq_civil_acts_reference`` (coalesce(volume, 0) included), AMKA by
``uq_persons_amka``, name + birthdate by ``ix_persons_name_birthdate``, a person's acts by
``ix_act_parties_person_id`` and an office's years by ``ix_civil_acts_office_year``; an act's parties by
``ix_act_parties_act_id`` and its marginal notes by ``ix_marginal_notes_act_id``. An act named by reference
is one statement (the office by ``uq_registry_offices_code``, the act, its header, event and parties), and one
more for its marginal notes when it has some.
Each record says which persons it shows (``subjects``), for the audit's data subjects.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import FromClause, Row, Select, and_, bindparam, exists, func, literal_column, select
from sqlalchemy.orm import Session

from db.models import ActParty, ActType, CivilAct, Country, MarginalNote, Municipality, Person, RegistryOffice
from provider.errors import ErrorCode, MitrooError
from provider.registry.civil_registry_acts.criteria import (
    ActReference,
    PersonCriteria,
    SearchCriteria,
    check_lookup,
    check_search,
    invalid,
)
from provider.registry.text.elot743 import transliterate

# The party an act is about: whose act it is when it is named by person, and whose name a search lists.
MAIN_ROLE = {"BIRTH": "child", "DEATH": "deceased", "MARRIAGE": "spouse", "PARTNERSHIP": "partner"}


@dataclass(frozen=True)
class ActHeader:
    act_type: str
    registry_office_code: str
    registry_office_name: str
    act_number: int
    volume: int | None
    year: int
    registration_date: dt.date
    status: str  # active | corrected | annulled


@dataclass(frozen=True)
class ActEvent:
    event_date: dt.date
    event_time: dt.time | None  # births and deaths
    municipality_code: str | None  # None when the event happened abroad
    municipality_name: str | None
    country_code: str
    country_name: str


@dataclass(frozen=True)
class Party:
    """A person named on an act. Parties outside the registry carry only their names."""

    role: str
    person_id: int | None  # internal, for the audit; never published
    full_name: str
    full_name_latin: str
    amka: str | None = None
    surname: str | None = None
    firstname: str | None = None
    secondname: str | None = None
    fathername: str | None = None
    mothername: str | None = None
    mothergenos: str | None = None
    surname_latin: str | None = None
    firstname_latin: str | None = None
    fathername_latin: str | None = None
    mothername_latin: str | None = None
    gender: str | None = None
    birthdate: dt.date | None = None


@dataclass(frozen=True)
class Note:
    seq: int
    note_date: dt.date
    kind: str  # correction | recognition | divorce | name_change | dissolution | annulment
    text: str


@dataclass(frozen=True)
class Act:
    header: ActHeader
    event: ActEvent
    parties: tuple[Party, ...]
    notes: tuple[Note, ...]

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset(p.person_id for p in self.parties if p.person_id is not None)


@dataclass(frozen=True)
class ActSummary:
    header: ActHeader
    main_parties: tuple[Party, ...]  # names only


@dataclass(frozen=True)
class SearchResult:
    acts: tuple[ActSummary, ...]
    truncated: bool
    subjects: frozenset[int]


# -- lookups --------------------------------------------------------------------------------------


def get_act(session: Session, act_type: str, reference: ActReference | None, person: PersonCriteria | None,
            today: dt.date) -> Act:
    """The act of ``act_type`` named by ``reference`` or by ``person`` (exactly one of them)."""
    named = check_lookup(reference, person, today)
    if isinstance(named, ActReference):
        return _act_by_reference(session, act_type, named)
    return load_act(session, _act_of_person(session, act_type, named))


_OFFICES, _ACTS, _PARTIES, _PERSONS = (RegistryOffice.__table__, CivilAct.__table__, ActParty.__table__,
                                       Person.__table__)
_OFFICE = select(_OFFICES.c.id, _OFFICES.c.name, _OFFICES.c.numbers_by_volume).where(
    _OFFICES.c.code == bindparam("code"))


def _office(session: Session, code: str) -> Row[*tuple[Any, ...]]:
    """The office's id, name and numbers_by_volume."""
    office = session.execute(_OFFICE, {"code": code}).first()
    if office is None:
        raise _no_office(code)
    return office


def _no_office(code: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει ληξιαρχείο με κωδικό {code!r} (see getRegistryOffices)")


def _act_by_reference(session: Session, act_type: str, reference: ActReference) -> Act:
    """The office and the act it holds under ``reference``, with its parties, in one statement."""
    rows = session.execute(_ACT_BY_REFERENCE, {
        "code": reference.registry_office_code, "act_type": act_type, "year": reference.year,
        "volume": reference.volume or 0, "act_number": reference.act_number,
    }).all()
    if not rows:
        raise _no_office(reference.registry_office_code)
    office = rows[0]  # its act columns are None when it holds no such act
    if office.numbers_by_volume and reference.volume is None:
        raise invalid("volume", f"το {office.office_name} αριθμεί τις πράξεις ανά τόμο· δώστε τον τόμο "
                      "(this office numbers acts by volume)")
    if not office.numbers_by_volume and reference.volume is not None:
        raise invalid("volume", f"το {office.office_name} δεν τηρεί τόμους· παραλείψτε τον τόμο "
                      "(this office keeps no volumes)")
    if office.act_id is None:
        volume = f" τόμος {reference.volume}" if reference.volume is not None else ""
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει {_type_name(session, act_type)} με αριθμό "
                          f"{reference.act_number}{volume} έτους {reference.year} στο {office.office_name}")
    return _act(session, rows)


def persons_query(person: PersonCriteria) -> Select[Any]:
    """The ids of the persons ``person`` names: one by AMKA, or every match of the name set."""
    if person.amka is not None:
        return select(Person.id).where(Person.amka == person.amka)
    query = select(Person.id).where(
        Person.surname == person.surname,
        Person.firstname == person.firstname,
        Person.birthdate == person.birthdate,
        Person.fathername == person.fathername,
    )
    if person.mothername is not None:
        query = query.where(Person.mothername == person.mothername)
    return query


def find_persons(session: Session, person: PersonCriteria) -> list[int]:
    ids = list(session.scalars(persons_query(person)))
    if not ids:
        raise no_person(person)
    return ids


def no_person(person: PersonCriteria) -> MitrooError:
    """The error for criteria that name no person."""
    who = f"ΑΜΚΑ {person.amka}" if person.amka else (
        f"{person.surname} {person.firstname} του {person.fathername}, γεν. {person.birthdate}")
    return MitrooError(ErrorCode.MP_NOT_FOUND, f"κανένα πρόσωπο με {who}")


def person_acts_query(person_ids: list[int], act_type: str) -> Select[Any]:
    return (
        select(CivilAct.id)
        .join(ActParty, ActParty.act_id == CivilAct.id)
        .where(ActParty.person_id.in_(person_ids), ActParty.role == MAIN_ROLE[act_type], CivilAct.act_type == act_type)
        .distinct()
    )


def _act_of_person(session: Session, act_type: str, person: PersonCriteria) -> int:
    ids: list[int] = list(session.scalars(person_acts_query(find_persons(session, person), act_type)))
    if not ids:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει {_type_name(session, act_type)} του προσώπου")
    if len(ids) > 1:
        raise MitrooError(ErrorCode.MP_AMBIGUOUS, f"τα κριτήρια αντιστοιχούν σε {len(ids)} πράξεις "
                          f"({_type_name(session, act_type)})· βρείτε τις με searchActs και ζητήστε μία με actReference")
    return ids[0]


def _type_name(session: Session, act_type: str) -> str:
    name = session.scalar(select(ActType.name).where(ActType.code == act_type)) or act_type
    return name.replace("Ληξιαρχική πράξη", "ληξιαρχική πράξη")


# -- loading --------------------------------------------------------------------------------------


_MUNICIPALITIES, _COUNTRIES, _NOTES = Municipality.__table__, Country.__table__, MarginalNote.__table__


def _header_columns() -> tuple[Any, ...]:
    return (_ACTS.c.act_type, _OFFICES.c.code, _OFFICES.c.name.label("office_name"), _ACTS.c.act_number, _ACTS.c.volume,
            _ACTS.c.year, _ACTS.c.registration_date, _ACTS.c.status)


# The person columns a Party shows, in Party's field order after role, person_id, full_name, full_name_latin.
_PERSON_COLUMNS = (
    _PERSONS.c.id, _PERSONS.c.firstname, _PERSONS.c.surname, _PERSONS.c.firstname_latin, _PERSONS.c.surname_latin,
    _PERSONS.c.amka, _PERSONS.c.secondname, _PERSONS.c.fathername, _PERSONS.c.mothername, _PERSONS.c.mothergenos,
    _PERSONS.c.fathername_latin, _PERSONS.c.mothername_latin, _PERSONS.c.gender, _PERSONS.c.birthdate,
)
_PARTIES_WITH_PERSONS = _PARTIES.outerjoin(_PERSONS, _PARTIES.c.person_id == _PERSONS.c.id)
# An act with its parties, one row per party in order (a row of None party columns for an act without any); the
# act's columns, its office's numbering and whether it has marginal notes repeated on each. _HEADER, _EVENT and
# _PARTY slice a row into ActHeader's fields, ActEvent's, and _party's arguments.
_ACT_COLUMNS: tuple[Any, ...] = (
    _ACTS.c.id.label("act_id"), _OFFICES.c.numbers_by_volume, exists().where(_NOTES.c.act_id == _ACTS.c.id).label("has_notes"),
    *_header_columns(), _ACTS.c.event_date, _ACTS.c.event_time, _MUNICIPALITIES.c.code, _MUNICIPALITIES.c.name,
    _COUNTRIES.c.code, _COUNTRIES.c.name, _PARTIES.c.role, _PARTIES.c.name_text, *_PERSON_COLUMNS,
)
_HEADER, _EVENT, _PARTY = slice(3, 11), slice(11, 17), slice(17, None)


def _act_rows(acts: FromClause) -> FromClause:
    """``acts`` (civil_acts joined to their office) joined to the event's place and the parties with their persons."""
    return (acts.outerjoin(_MUNICIPALITIES, _ACTS.c.event_municipality_id == _MUNICIPALITIES.c.id)
            .outerjoin(_COUNTRIES, _ACTS.c.event_country_code == _COUNTRIES.c.code)
            .outerjoin(_PARTIES, _PARTIES.c.act_id == _ACTS.c.id)
            .outerjoin(_PERSONS, _PARTIES.c.person_id == _PERSONS.c.id))


_ACT = (
    select(*_ACT_COLUMNS).select_from(_act_rows(_ACTS.join(_OFFICES, _ACTS.c.registry_office_id == _OFFICES.c.id)))
    .where(_ACTS.c.id == bindparam("act_id")).order_by(_PARTIES.c.id)
)
# The office by code, and the act it holds under a reference (None act columns when it holds none):
# coalesce(volume, 0) with a literal 0, exactly as uq_civil_acts_reference indexes it.
_ACT_BY_REFERENCE = (
    select(*_ACT_COLUMNS)
    .select_from(_act_rows(_OFFICES.outerjoin(_ACTS, and_(
        _ACTS.c.registry_office_id == _OFFICES.c.id,
        _ACTS.c.act_type == bindparam("act_type"),
        _ACTS.c.year == bindparam("year"),
        func.coalesce(_ACTS.c.volume, literal_column("0")) == bindparam("volume"),
        _ACTS.c.act_number == bindparam("act_number"),
    ))))
    .where(_OFFICES.c.code == bindparam("code")).order_by(_PARTIES.c.id)
)
_ACT_NOTES = (
    select(_NOTES.c.seq, _NOTES.c.note_date, _NOTES.c.kind, _NOTES.c.text)
    .where(_NOTES.c.act_id == bindparam("act_id")).order_by(_NOTES.c.seq)
)


def load_act(session: Session, act_id: int) -> Act:
    return _act(session, session.execute(_ACT, {"act_id": act_id}).all())


def _act(session: Session, rows: Sequence[Row[*tuple[Any, ...]]]) -> Act:
    """The act from its rows of ``_ACT_COLUMNS``; its notes are read only when it has some (most acts have none)."""
    first = rows[0]
    notes = session.execute(_ACT_NOTES, {"act_id": first.act_id}).all() if first.has_notes else []
    return Act(
        header=ActHeader(*first[_HEADER]),
        event=ActEvent(*first[_EVENT]),
        parties=tuple(_party(role, name_text, person) for role, name_text, *person in (row[_PARTY] for row in rows)
                      if role is not None),
        notes=tuple(Note(*note) for note in notes),
    )


def _party(role: str, name_text: str | None, person: Sequence[Any]) -> Party:
    """The party from its ``role``, ``name_text`` and the ``_PERSON_COLUMNS`` (all None outside the registry)."""
    (person_id, firstname, surname, firstname_latin, surname_latin, amka, secondname, fathername, mothername,
     mothergenos, fathername_latin, mothername_latin, gender, birthdate) = person
    if person_id is None:
        text = name_text or ""
        return Party(role=role, person_id=None, full_name=text, full_name_latin=transliterate(text))
    return Party(
        role=role, person_id=person_id, full_name=f"{firstname} {surname}",
        full_name_latin=f"{firstname_latin} {surname_latin}", amka=amka,
        surname=surname, firstname=firstname, secondname=secondname,
        fathername=fathername, mothername=mothername, mothergenos=mothergenos,
        surname_latin=surname_latin, firstname_latin=firstname_latin,
        fathername_latin=fathername_latin, mothername_latin=mothername_latin,
        gender=gender, birthdate=birthdate,
    )


# -- search ---------------------------------------------------------------------------------------


def search_query(criteria: SearchCriteria, person_ids: list[int] | None, office_id: int | None) -> Select[Any]:
    """Act ids and headers matching ``criteria``, sorted, one more than maxResults (to tell truncation)."""
    query = select(CivilAct.id, *_header_columns()).join(RegistryOffice, CivilAct.registry_office_id == RegistryOffice.id)
    if person_ids is not None:
        query = query.where(CivilAct.id.in_(select(ActParty.act_id).where(ActParty.person_id.in_(person_ids))))
    if criteria.act_type is not None:
        query = query.where(CivilAct.act_type == criteria.act_type)
    if office_id is not None:
        query = query.where(CivilAct.registry_office_id == office_id)
    if criteria.year_from is not None:
        query = query.where(CivilAct.year.between(criteria.year_from, criteria.year_to))
    assert criteria.max_results is not None
    return query.order_by(
        CivilAct.year, CivilAct.registration_date, CivilAct.act_type, RegistryOffice.code,
        func.coalesce(CivilAct.volume, literal_column("0")), CivilAct.act_number, CivilAct.id,
    ).limit(criteria.max_results + 1)


_SEARCH_PARTIES = (
    select(_PARTIES.c.act_id, _PARTIES.c.role, _PARTIES.c.name_text, *_PERSON_COLUMNS).select_from(_PARTIES_WITH_PERSONS)
    .where(_PARTIES.c.act_id.in_(bindparam("act_ids", expanding=True))).order_by(_PARTIES.c.id)
)


def search_acts(session: Session, criteria: SearchCriteria, today: dt.date) -> SearchResult:
    """References of the acts matching ``criteria`` (at most maxResults; ``truncated`` when there were more)."""
    checked = check_search(criteria, today)
    person_ids = find_persons(session, checked.person) if checked.person is not None else None
    office_id = _office(session, checked.registry_office_code).id if checked.registry_office_code else None
    rows = session.execute(search_query(checked, person_ids, office_id)).all()
    assert checked.max_results is not None
    truncated = len(rows) > checked.max_results
    rows = rows[: checked.max_results]
    if not rows:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, "καμία πράξη δεν αντιστοιχεί στα κριτήρια")
    act_ids = [row[0] for row in rows]
    main: dict[int, list[Party]] = {act_id: [] for act_id in act_ids}
    subjects: set[int] = set()
    searched = set(person_ids or ())
    for act_id, role, name_text, *person in session.execute(_SEARCH_PARTIES, {"act_ids": act_ids}):
        if person[0] is not None and person[0] in searched:
            subjects.add(person[0])  # the searched person, in whatever role
        if role in MAIN_ROLE.values():
            party = _party(role, name_text, person)
            main[act_id].append(Party(role, party.person_id, party.full_name, party.full_name_latin))
            if party.person_id is not None:
                subjects.add(party.person_id)
    acts = tuple(ActSummary(ActHeader(*row[1:]), tuple(main[row[0]])) for row in rows)
    return SearchResult(acts, truncated, frozenset(subjects))
