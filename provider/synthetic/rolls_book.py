"""Rows of the special electoral rolls' central database, built in memory and inserted in one go:
permit holders (persons of the registry), permits, residence history, convictions, Greek-citizenship
acquisitions (with the family share that registers the new citizen) and elections.

Used by ``provider.synthetic.rolls`` (random, deterministic data) and by the tests' fixtures of the seed's
worked examples, so both write the same shape of data. Ids are assigned here, after the tables'
current maximum; ``applicant`` gives the in-memory rows as the frozen records the rules read.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from db.models import (
    CitizenshipAcquisition,
    Conviction,
    Country,
    Election,
    FamilyShare,
    FamilyShareMember,
    Municipality,
    PermitHolder,
    PermitType,
    Person,
    ResidenceHistory,
    ResidencePermit,
    RollApplication,
    RollApplicationEvent,
    RollCategory,
    RollEntry,
)
from provider.registry.special_electoral_rolls import model
from provider.registry.special_electoral_rolls.residence import HistoryRow, Place
from provider.registry.text.elot743 import transliterate

Row = dict[str, Any]
# In foreign-key order: a table's rows are inserted after those of the tables it references.
TABLES = (Election, Person, PermitHolder, ResidencePermit, ResidenceHistory, Conviction, FamilyShare,
          FamilyShareMember, CitizenshipAcquisition, RollApplication, RollEntry, RollApplicationEvent)


class RollBook:
    def __init__(self, connection: Connection) -> None:
        self.rows: dict[str, list[Row]] = {t.__tablename__: [] for t in TABLES}
        self.next_id = {t.__tablename__: (connection.scalar(select(func.max(t.__table__.c.id))) or 0) + 1
                        for t in TABLES if "id" in t.__table__.c}
        self.places = {code: (mid, Place(code, name)) for mid, code, name in connection.execute(
            select(Municipality.id, Municipality.code, Municipality.name))}
        self.countries = dict(connection.execute(select(Country.code, Country.name)).all())
        self.share_numbers: dict[int, int] = defaultdict(int, connection.execute(
            select(FamilyShare.municipality_id, func.max(FamilyShare.share_number))
            .group_by(FamilyShare.municipality_id)).all())
        categories = {c.code: model.Category(c.code, c.letter, c.description, c.five_year_basis, c.passport_exempt,
                                             c.five_year_certificate)
                      for c in connection.execute(select(RollCategory))}
        self.permit_types = {
            t.code: model.PermitType(t.code, t.name, categories.get(t.category_code) if t.category_code else None,
                                     t.police, t.edto, t.no_passport)
            for t in connection.execute(select(PermitType))
        }
        if not self.places or not self.permit_types:
            raise ValueError("no municipalities or permit types: migrate and load the reference data first")
        self.by_id: dict[tuple[str, int], Row] = {}

    def add(self, table: str, **values: Any) -> Row:
        if table in self.next_id:
            values["id"] = self.next_id[table]
            self.next_id[table] += 1
            self.by_id[(table, values["id"])] = values
        self.rows[table].append(values)
        return values

    def place(self, code: str) -> tuple[int, Place]:
        if code not in self.places:
            raise ValueError(f"no municipality with code {code!r}")
        return self.places[code]

    # -- the central database ------------------------------------------------------------------

    def election(self, code: str, name: str, election_date: dt.date, registration_deadline: dt.date,
                 extended_deadline: dt.date | None = None) -> Row:
        return self.add("elections", code=code, name=name, election_date=election_date,
                         registration_deadline=registration_deadline, extended_deadline=extended_deadline)

    def holder(self, *, gender: str, surname: str, firstname: str, birthdate: dt.date, nationality: str,
               surname_latin: str | None = None, firstname_latin: str | None = None, birthdate_exact: bool = True,
               homogeneis: bool = False, fathername: str | None = None, mothername: str | None = None,
               birthplace: str | None = None, birth_country: str | None = None, spouse_name: str | None = None,
               maiden_name: str | None = None) -> int:
        if nationality not in self.countries:
            raise ValueError(f"no country with code {nationality!r}")
        person = self.add(
            "persons", amka=None, afm=None, surname=surname, firstname=firstname, secondname=None,
            fathername=fathername, fathersurname=surname if fathername else None, mothername=mothername,
            mothersurname=None, mothergenos=None, surname_latin=surname_latin or transliterate(surname),
            firstname_latin=firstname_latin or transliterate(firstname),
            fathername_latin=transliterate(fathername) if fathername else None,
            mothername_latin=transliterate(mothername) if mothername else None, gender=gender, birthdate=birthdate,
            birth_municipality_id=None, birth_country_code=birth_country or nationality, nationality=nationality,
            deathdate=None,
        )
        self.add("permit_holders", person_id=person["id"], nationality=nationality, homogeneis=homogeneis,
                  birthdate_exact=birthdate_exact, birthplace=birthplace, spouse_name=spouse_name,
                  maiden_name=maiden_name)
        return int(person["id"])

    def permit(self, holder_id: int, *, number: str, type_code: str, authority_kind: str, authority_name: str,
               application_date: dt.date, valid_from: dt.date, valid_to: dt.date | None) -> int:
        kind = self.permit_types[type_code]
        if (authority_kind == model.POLICE) != kind.police:
            raise ValueError(f"permit {number}: a {type_code} title is issued by "
                             f"{'the police' if kind.police else 'a Region or the Ministry'}, not {authority_kind}")
        row = self.add("residence_permits", number=number, holder_id=holder_id, permit_type_code=type_code,
                        authority_kind=authority_kind, authority_name=authority_name,
                        application_date=application_date, valid_from=valid_from, valid_to=valid_to)
        return int(row["id"])

    def history(self, holder_id: int, municipality: str, from_date: dt.date, registered_on: dt.date, source: str,
                note: str | None = None) -> None:
        self.add("residence_history", holder_id=holder_id, municipality_id=self.place(municipality)[0],
                  from_date=from_date, registered_on=registered_on, source=source, note=note)

    def conviction(self, holder_id: int, *, court: str, decision: str, penalty: str, irrevocable_on: dt.date,
                   rights_restored_on: dt.date | None = None) -> None:
        self.add("convictions", holder_id=holder_id, court=court, decision=decision, penalty=penalty,
                  irrevocable_on=irrevocable_on, rights_restored_on=rights_restored_on)

    def acquisition(self, holder_id: int, *, acquired_on: dt.date, municipality: str, decision: str) -> None:
        """Greek citizenship: the new citizen heads a family share in ``municipality`` and is a national."""
        municipality_id = self.place(municipality)[0]
        self.share_numbers[municipality_id] += 1
        share = self.add("family_shares", municipality_id=municipality_id,
                          share_number=self.share_numbers[municipality_id], created_on=acquired_on)
        self.add("family_share_members", share_id=share["id"], person_id=holder_id, membertype="HEAD",
                  registered_on=acquired_on, deleted_on=None, deletion_reason=None)
        self.add("citizenship_acquisitions", holder_id=holder_id, acquired_on=acquired_on,
                  family_share_id=share["id"], decision=decision)
        self.by_id[("persons", holder_id)]["nationality"] = "GR"

    # -- the rows as the rules read them ---------------------------------------------------------

    def applicant(self, holder_id: int, permit_id: int, on: dt.date) -> model.Applicant:
        """What ``provider.registry.special_electoral_rolls.records.applicant`` would read on ``on``, from the rows in memory."""
        person, extra = self.by_id[("persons", holder_id)], next(
            r for r in self.rows["permit_holders"] if r["person_id"] == holder_id)
        holder = model.Holder(
            holder_id, person["surname"], person["firstname"], person["surname_latin"], person["firstname_latin"],
            person["fathername"], person["mothername"], person["gender"], person["birthdate"], extra["birthdate_exact"],
            extra["birthplace"], extra["nationality"], self.countries[extra["nationality"]], extra["homogeneis"],
            extra["spouse_name"], extra["maiden_name"])
        permits = [self._permit(r) for r in self.rows["residence_permits"] if r["holder_id"] == holder_id
                   and (r["application_date"] <= on or r["id"] == permit_id)]
        names = {mid: place for mid, place in self.places.values()}
        history = tuple(HistoryRow(names[r["municipality_id"]], r["from_date"], r["registered_on"], r["source"])
                        for r in self.rows["residence_history"] if r["holder_id"] == holder_id
                        and r["registered_on"] <= on)
        convictions = tuple(model.ConvictionRecord(r["court"], r["decision"], r["penalty"], r["irrevocable_on"],
                                                   r["rights_restored_on"])
                            for r in self.rows["convictions"] if r["holder_id"] == holder_id)
        acquisition = None
        for r in self.rows["citizenship_acquisitions"]:
            if r["holder_id"] == holder_id:
                share = self.by_id[("family_shares", r["family_share_id"])]
                acquisition = model.Acquisition(r["acquired_on"], names[share["municipality_id"]], r["decision"])
        presented = next(p for p in permits if p.id == permit_id)
        return model.Applicant(holder, presented, tuple(permits), history, convictions, acquisition, on)

    def _permit(self, row: Row) -> model.Permit:
        return model.Permit(row["id"], row["number"], self.permit_types[row["permit_type_code"]], row["authority_kind"],
                            row["authority_name"], row["application_date"], row["valid_from"], row["valid_to"])

    # -- inserting ----------------------------------------------------------------------------

    def insert(self, connection: Connection, batch: int = 5000) -> dict[str, int]:
        """Insert every row (in foreign-key order) and move PostgreSQL's id sequences past them."""
        counts = {}
        for table in TABLES:
            rows = self.rows[table.__tablename__]
            for start in range(0, len(rows), batch):
                connection.execute(insert(table.__table__), rows[start:start + batch])
            counts[table.__tablename__] = len(rows)
        if connection.dialect.name == "postgresql":
            for name in self.next_id:
                if counts[name]:
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                            f"(SELECT max(id) FROM {name}))"))
        return counts
