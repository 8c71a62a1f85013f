"""The acts tests' data: the demo dataset's synthetic registry (the persons and seed that
``scripts/serve`` seeds, so the demo examples of docs/services/civil_registry_acts.md hold here too), one namesake added so
that a name + birthdate matches two persons, and an oracle that reads an act straight from the
tables, independently of provider.registry.civil_registry_acts.queries, to compare answers with."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Engine, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from db.models import ActParty, CivilAct, Country, MarginalNote, Municipality, Person, RegistryOffice
from provider.registry.text.elot743 import transliterate
from provider.synthetic.registry import make_amka, seed_registry

DEMO_PERSONS, DEMO_SEED = 2000, 2026  # the defaults of `mitroo-provider demo`
MAIN_ROLE = {"BIRTH": "child", "DEATH": "deceased", "MARRIAGE": "spouse", "PARTNERSHIP": "partner"}
OPERATION = {"BIRTH": "getBirthAct", "DEATH": "getDeathAct", "MARRIAGE": "getMarriageAct",
             "PARTNERSHIP": "getCivilPartnershipAct"}
PERSON_FIELDS = ("amka", "surname", "firstname", "secondname", "fathername", "mothername", "mothergenos")


@dataclass(frozen=True)
class Namesake:
    """A second person with the surname, firstname, fathername and birthdate of ``original``."""

    original: int
    twin: int
    original_act: int
    twin_act: int


class Registry:
    def __init__(self, engine: Engine, namesake: Namesake) -> None:
        self.engine = engine
        self.namesake = namesake

    def scalars(self, sql: str, **params: Any) -> list[Any]:
        # dates typed, so that SQLAlchemy renders them (sqlite3's own date adapter is deprecated on 3.12+)
        dates = [bindparam(name, type_=Date) for name, value in params.items()
                 if isinstance(value, dt.date) and not isinstance(value, dt.datetime)]
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql).bindparams(*dates), params).scalars())

    def find(self, act_type: str, *, note: str | None = None, status: str | None = None,
             abroad: bool | None = None, by_volume: bool | None = None) -> int:
        """The first act (by id) of ``act_type`` with these traits whose main party has no other act of the type."""
        conditions = ["a.act_type = :act_type"]
        if note:
            conditions.append("EXISTS (SELECT 1 FROM marginal_notes n WHERE n.act_id = a.id AND n.kind = :note)")
        if status:
            conditions.append("a.status = :status")
        if abroad is not None:
            conditions.append("a.event_country_code " + ("<>" if abroad else "=") + " 'GR'")
        if by_volume is not None:
            conditions.append("a.volume IS " + ("NOT NULL" if by_volume else "NULL"))
        if status != "annulled":
            conditions.append(
                "(SELECT count(*) FROM act_parties p JOIN act_parties o ON o.person_id = p.person_id AND o.role = p.role "
                "JOIN civil_acts b ON b.id = o.act_id AND b.act_type = a.act_type "
                "WHERE p.act_id = a.id AND p.role = :role) = "
                "(SELECT count(*) FROM act_parties p WHERE p.act_id = a.id AND p.role = :role)"
            )
        found = self.scalars(f"SELECT a.id FROM civil_acts a WHERE {' AND '.join(conditions)} ORDER BY a.id LIMIT 1",
                              act_type=act_type, note=note, status=status, role=MAIN_ROLE[act_type])
        assert found, f"the demo dataset has no {act_type} act with note={note} status={status} abroad={abroad}"
        return found[0]

    def reference(self, act_id: int) -> dict[str, Any]:
        with Session(self.engine) as session:
            act, code = session.execute(
                select(CivilAct, RegistryOffice.code).join(RegistryOffice).where(CivilAct.id == act_id)).one()
        reference = {"registryOfficeCode": code, "actNumber": act.act_number, "year": act.year}
        if act.volume is not None:
            reference["volume"] = act.volume
        return reference

    def main_person(self, act_id: int) -> Person:
        with Session(self.engine) as session:
            act_type = session.scalar(select(CivilAct.act_type).where(CivilAct.id == act_id))
            return session.scalars(
                select(Person).join(ActParty, ActParty.person_id == Person.id)
                .where(ActParty.act_id == act_id, ActParty.role == MAIN_ROLE[act_type]).order_by(ActParty.id)
            ).first()

    def person_ids(self, act_id: int) -> set[int]:
        return set(self.scalars("SELECT person_id FROM act_parties WHERE act_id = :a AND person_id IS NOT NULL",
                                 a=act_id))

    def acts_of(self, person_id: int) -> list[int]:
        return self.scalars("SELECT DISTINCT act_id FROM act_parties WHERE person_id = :p ORDER BY act_id", p=person_id)

    def expected(self, act_id: int) -> dict[str, Any]:
        """The act as the service must answer it (zeep's serialize_object shape), read from the tables."""
        with Session(self.engine) as session:
            act, office, municipality, country = session.execute(
                select(CivilAct, RegistryOffice, Municipality, Country)
                .join(RegistryOffice, CivilAct.registry_office_id == RegistryOffice.id)
                .outerjoin(Municipality, CivilAct.event_municipality_id == Municipality.id)
                .join(Country, CivilAct.event_country_code == Country.code)
                .where(CivilAct.id == act_id)
            ).one()
            parties = session.execute(
                select(ActParty, Person).outerjoin(Person, ActParty.person_id == Person.id)
                .where(ActParty.act_id == act_id).order_by(ActParty.id)
            ).all()
            notes = session.scalars(select(MarginalNote).where(MarginalNote.act_id == act_id)
                                    .order_by(MarginalNote.note_date, MarginalNote.id)).all()
        return {
            "header": {
                "actType": act.act_type, "registryOfficeCode": office.code, "registryOfficeName": office.name,
                "actNumber": act.act_number, "volume": act.volume, "year": act.year,
                "registrationDate": act.registration_date, "status": act.status,
            },
            "event": {
                "eventDate": act.event_date, "eventTime": act.event_time,
                "municipalityCode": municipality.code if municipality else None,
                "municipalityName": municipality.name if municipality else None,
                "countryCode": country.code, "countryName": country.name,
            },
            "party": [_party(party, person) for party, person in parties],
            "marginalNote": [
                {"seq": n.seq, "noteDate": n.note_date, "kind": n.kind, "text": n.text} for n in notes
            ],
        }


def _party(party: ActParty, person: Person | None) -> dict[str, Any]:
    latin = ("surnameLatin", "firstnameLatin", "fathernameLatin", "mothernameLatin")
    if person is None:
        empty = dict.fromkeys((*PERSON_FIELDS, *latin, "gender", "birthdate"))
        return {"role": party.role, "fullName": party.name_text, "fullNameLatin": transliterate(party.name_text),
                **empty}
    return {
        "role": party.role, "fullName": f"{person.firstname} {person.surname}",
        "fullNameLatin": f"{person.firstname_latin} {person.surname_latin}",
        **{field: getattr(person, field) for field in PERSON_FIELDS},
        **{field: getattr(person, field.replace("Latin", "_latin")) for field in latin},
        "gender": person.gender, "birthdate": person.birthdate,
    }


def _add_namesake(engine: Engine, registry: Registry) -> Namesake:
    """A namesake of a person born in Greece, with another mother and a birth act at another office."""
    original_act = registry.find("BIRTH", by_volume=False, abroad=False, status="active")
    with Session(engine) as session, session.begin():
        person = registry.main_person(original_act)
        act = session.get(CivilAct, original_act)
        assert act is not None
        office, municipality = session.execute(select(RegistryOffice.id, RegistryOffice.municipality_id).where(
            RegistryOffice.id != act.registry_office_id, RegistryOffice.numbers_by_volume.is_(False)).limit(1)).one()
        used = set(session.scalars(select(Person.amka)))
        amka = next(a for a in (make_amka(person.birthdate, person.gender, n) for n in range(5000)) if a not in used)
        values = {c.name: getattr(person, c.name) for c in Person.__table__.columns if c.name != "id"}
        twin = session.execute(insert(Person).values(
            values | {"amka": amka, "afm": None, "mothername": "ΑΛΕΞΑΝΔΡΑ", "mothername_latin": "ALEXANDRA"}
        ).returning(Person.id)).scalar_one()
        number = session.scalar(select(func.max(CivilAct.act_number)).where(
            CivilAct.registry_office_id == office, CivilAct.act_type == "BIRTH", CivilAct.year == act.year)) or 0
        twin_act = session.execute(insert(CivilAct).values(
            act_type="BIRTH", registry_office_id=office, act_number=number + 1, volume=None, year=act.year,
            registration_date=act.registration_date, event_date=act.event_date, event_time=dt.time(6, 30),
            event_municipality_id=municipality, event_country_code="GR", status="active",
        ).returning(CivilAct.id)).scalar_one()
        session.execute(insert(ActParty).values(act_id=twin_act, role="child", person_id=twin))
    return Namesake(person.id, twin, original_act, twin_act)


def seed_demo_registry(engine: Engine) -> Registry:
    seed_registry(engine, persons=DEMO_PERSONS, seed=DEMO_SEED, progress=False)
    registry = Registry(engine, Namesake(0, 0, 0, 0))
    return Registry(engine, _add_namesake(engine, registry))
