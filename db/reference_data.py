"""Loading the reference data that ships with the provider (db/data/): municipalities and
their registry offices, countries, and the accredited agencies of seed 001 with their grants.
Every loader is idempotent: what is already there is left alone. ``seeding_reference`` reads
back what the synthetic registry builds on."""
from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from db.models import ActType, Agency, AgencySystem, Country, Grant, MemberType, Municipality, RegistryOffice

DATA = Path(__file__).with_name("data")

# Large registry offices keep their books in volumes (τόμοι); acts there are cited with one.
OFFICES_BY_VOLUME = frozenset({"Αθηναίων", "Θεσσαλονίκης", "Πειραιώς", "Πατρέων", "Ηρακλείου", "Λαρισαίων"})
# The Special Registry Office (Ειδικό Ληξιαρχείο) in Athens registers the events of Greek citizens
# abroad (births, marriages, deaths); its acts name the country as the place of the event.
SPECIAL_OFFICE_CODE = "LEIDIKO"
SPECIAL_OFFICE_NAME = "Ειδικό Ληξιαρχείο Αθηνών"
SPECIAL_OFFICE_MUNICIPALITY = "Αθηναίων"
REQUIRED_ACT_TYPES = {"BIRTH", "DEATH", "MARRIAGE", "PARTNERSHIP"}  # from the migrations
REQUIRED_MEMBER_TYPES = {"HEAD", "SPOUSE", "PARTNER", "CHILD"}


@dataclass(frozen=True)
class LoadReport:
    municipalities: int
    registry_offices: int
    countries: int
    agencies: int
    grants: int


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_places(session: Session) -> tuple[int, int, int]:
    added = [0, 0, 0]
    known = set(session.scalars(select(Country.code)))  # a loaded database gets the rows added since
    rows = [r for r in _rows("countries.csv") if r["code"] not in known]
    session.add_all(Country(code=r["code"], name=r["name"], name_en=r["name_en"]) for r in rows)
    added[2] = len(rows)
    if not session.scalar(select(func.count()).select_from(Municipality)):
        rows = _rows("municipalities.csv")
        municipalities = [
            Municipality(
                code=r["code"],
                name=r["name"],
                name_latin=r["name_latin"],
                region_code=r["region_code"],
                region_name=r["region_name"],
                regional_unit=r["regional_unit"],
            )
            for r in rows
        ]
        session.add_all(municipalities)
        session.flush()
        session.add_all(
            RegistryOffice(
                code=f"L{m.code}",
                name=f"Ληξιαρχείο Δήμου {m.name}",
                municipality_id=m.id,
                numbers_by_volume=m.name in OFFICES_BY_VOLUME,
            )
            for m in municipalities
        )
        added[0] = added[1] = len(municipalities)
    added[1] += load_special_office(session)
    return added[0], added[1], added[2]


def load_special_office(session: Session) -> int:
    """Add the Special Registry Office when it is missing (databases loaded before it existed)."""
    if session.scalar(select(RegistryOffice.id).where(RegistryOffice.code == SPECIAL_OFFICE_CODE)) is not None:
        return 0
    athens = session.scalar(select(Municipality.id).where(Municipality.name == SPECIAL_OFFICE_MUNICIPALITY))
    if athens is None:
        return 0
    session.add(RegistryOffice(code=SPECIAL_OFFICE_CODE, name=SPECIAL_OFFICE_NAME, municipality_id=athens,
                               numbers_by_volume=True))
    return 1


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load_accreditation(session: Session, path: Path = DATA / "accreditation.json") -> tuple[int, int]:
    """The agencies, systems and grants of the fixture; agencies already present are skipped."""
    fixture = json.loads(path.read_text(encoding="utf-8"))
    agencies = grants = 0
    existing = set(session.scalars(select(Agency.code)))
    for item in fixture["agencies"]:
        if item["code"] in existing:
            continue
        agency = Agency(
            code=item["code"],
            name=item["name"],
            name_en=item.get("name_en"),
            legal_basis=item.get("legal_basis", ""),
            status=item["status"],
            valid_from=_date(item.get("valid_from")),
            valid_to=_date(item.get("valid_to")),
            daily_quota=int(item["daily_quota"]),
        )
        if item.get("municipality_code"):  # a municipality (Δήμος), acting for its own residents
            agency.municipality_id = session.scalar(
                select(Municipality.id).where(Municipality.code == item["municipality_code"]))
            if agency.municipality_id is None:
                raise ValueError(f"agency {item['code']}: no municipality {item['municipality_code']!r}")
        session.add(agency)
        for system in item["systems"]:
            agency.systems.append(AgencySystem(code=system["code"], name=system["name"]))
        merged: dict[tuple[str, str], Grant] = {}
        for grant in item["grants"]:
            for operation in grant["operations"]:
                key = (grant["service"], operation)
                if key in merged:  # the same right under a further act: keep both acts
                    merged[key].legal_act += f"; {grant['legal_act']}"
                    continue
                merged[key] = Grant(
                    service=grant["service"], operation=operation, purpose=grant["purpose"], legal_act=grant["legal_act"]
                )
        agency.grants.extend(merged.values())
        agencies += 1
        grants += len(merged)
    return agencies, grants


def load_all(engine: Engine) -> LoadReport:
    with Session(engine) as session, session.begin():
        municipalities, offices, countries = load_places(session)
        agencies, grants = load_accreditation(session)
    return LoadReport(municipalities, offices, countries, agencies, grants)


def seeding_reference(connection: Connection) -> dict[str, Any]:
    """What the synthetic registry (provider.synthetic.registry) builds on; refuses when something is missing."""
    munis = connection.execute(select(Municipality.id, Municipality.region_code).order_by(Municipality.id)).all()
    every_office = connection.execute(
        select(RegistryOffice.id, RegistryOffice.municipality_id, RegistryOffice.numbers_by_volume,
               RegistryOffice.code, RegistryOffice.name)
        .order_by(RegistryOffice.id)
    ).all()
    offices = [o for o in every_office if o.code != SPECIAL_OFFICE_CODE]
    special = next((o for o in every_office if o.code == SPECIAL_OFFICE_CODE), None)
    countries = set(connection.scalars(select(Country.code)))
    act_types = set(connection.scalars(select(ActType.code)))
    member_types = set(connection.scalars(select(MemberType.code)))
    if not munis or not offices:
        raise ValueError("no municipalities or registry offices: load the reference data before seeding")
    if "GR" not in countries or special is None:
        raise ValueError(f"country GR or registry office {SPECIAL_OFFICE_CODE} is missing: "
                         "load the reference data before seeding")
    missing = (REQUIRED_ACT_TYPES - act_types) | (REQUIRED_MEMBER_TYPES - member_types)
    if missing:
        raise ValueError(f"act or member types missing ({', '.join(sorted(missing))}): migrate the database first")
    return {
        "municipalities": [m.id for m in munis],
        "region_of": {m.id: m.region_code for m in munis},
        "offices": [(o.id, o.municipality_id, bool(o.numbers_by_volume)) for o in offices],
        "special_office": (special.id, special.municipality_id, bool(special.numbers_by_volume)),
        "office_names": {o.id: o.name for o in every_office},
        "countries": countries,
    }
