"""The registry's parameter tables (service registryParameters), as plain frozen records."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ActType, Country, MemberType, Municipality, RegistryOffice
from provider.errors import ErrorCode, MitrooError


@dataclass(frozen=True)
class MunicipalityRecord:
    code: str
    name: str
    name_latin: str
    region_code: str
    region_name: str
    regional_unit: str


@dataclass(frozen=True)
class RegistryOfficeRecord:
    code: str
    name: str
    municipality_code: str
    numbers_by_volume: bool


@dataclass(frozen=True)
class CodeRecord:
    code: str
    name: str
    name_en: str


def municipalities(session: Session, region_code: str | None = None) -> list[MunicipalityRecord]:
    query = select(Municipality).order_by(Municipality.code)
    if region_code:
        query = query.where(Municipality.region_code == region_code)
    rows = session.scalars(query).all()
    if region_code and not rows:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει περιφέρεια με κωδικό {region_code!r}")
    return [
        MunicipalityRecord(m.code, m.name, m.name_latin, m.region_code, m.region_name, m.regional_unit) for m in rows
    ]


def registry_offices(session: Session, municipality_code: str | None = None) -> list[RegistryOfficeRecord]:
    query = (
        select(RegistryOffice, Municipality.code)
        .join(Municipality, RegistryOffice.municipality_id == Municipality.id)
        .order_by(RegistryOffice.code)
    )
    if municipality_code:
        if session.scalar(select(Municipality.id).where(Municipality.code == municipality_code)) is None:
            raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει δήμος με κωδικό {municipality_code!r}")
        query = query.where(Municipality.code == municipality_code)
    return [
        RegistryOfficeRecord(office.code, office.name, code, office.numbers_by_volume)
        for office, code in session.execute(query)
    ]


def countries(session: Session) -> list[CodeRecord]:
    return [CodeRecord(c.code, c.name, c.name_en) for c in session.scalars(select(Country).order_by(Country.code))]


def act_types(session: Session) -> list[CodeRecord]:
    return [CodeRecord(t.code, t.name, t.name_en) for t in session.scalars(select(ActType).order_by(ActType.code))]


def member_types(session: Session) -> list[CodeRecord]:
    return [CodeRecord(t.code, t.name, t.name_en) for t in session.scalars(select(MemberType).order_by(MemberType.code))]
