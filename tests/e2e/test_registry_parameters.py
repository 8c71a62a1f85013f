"""Every registryParameters operation through the whole pipeline, called with zeep over HTTP."""
from __future__ import annotations

import csv

import pytest
from zeep import Client
from zeep.wsse.username import UsernameToken

from tests.conftest import PASSWORD, USERS, Running
from tests.support import DATA, audit_record, audit_row

REFERENCE = DATA.parent.parent / "db" / "data"


def _csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def client(provider: Running) -> Client:
    return Client(f"{provider.url()}?wsdl", wsse=UsernameToken(USERS.aade, PASSWORD))


def _call(client: Client, operation: str, **input_record: object) -> object:
    return getattr(client.service, operation)(auditRecord=audit_record(), **{f"{operation}InputRecord": input_record})


def test_get_municipalities_returns_every_municipality(client: Client, provider: Running) -> None:
    answer = _call(client, "getMunicipalities")
    assert answer.errorRecord is None or answer.errorRecord.errorCode is None
    names = {(m.code, m.name) for m in answer.getMunicipalitiesOutputRecord.municipality}
    assert names == {(row["code"], row["name"]) for row in _csv("municipalities.csv")}
    assert len(names) == 332
    row = audit_row(provider.engine, answer.callSequenceId)
    assert (row.outcome, row.operation, row.agency_code, row.username) == ("OK", "getMunicipalities", "AADE", USERS.aade)


def test_get_municipalities_by_region(client: Client) -> None:
    answer = _call(client, "getMunicipalities", regionCode="EL43")
    municipalities = answer.getMunicipalitiesOutputRecord.municipality
    assert len(municipalities) == 24  # Crete
    assert {m.regionName for m in municipalities} == {"Κρήτη"}
    assert any(m.name == "Χανίων" and m.nameLatin == "CHANION" for m in municipalities)


def test_unknown_region_is_not_found(client: Client) -> None:
    answer = _call(client, "getMunicipalities", regionCode="EL99")
    assert answer.errorRecord.errorCode == "MP_NOT_FOUND"
    assert "EL99" in answer.errorRecord.errorDescr
    assert answer.getMunicipalitiesOutputRecord is None


def test_get_registry_offices_of_one_municipality(client: Client) -> None:
    athens = next(r for r in _csv("municipalities.csv") if r["name"] == "Αθηναίων")
    answer = _call(client, "getRegistryOffices", municipalityCode=athens["code"])
    offices = answer.getRegistryOfficesOutputRecord.registryOffice
    assert [(o.code, o.municipalityCode, o.numbersByVolume, o.name) for o in offices] == [
        (f"L{athens['code']}", athens["code"], True, "Ληξιαρχείο Δήμου Αθηναίων"),
        ("LEIDIKO", athens["code"], True, "Ειδικό Ληξιαρχείο Αθηνών"),  # events of Greek citizens abroad
    ]


def test_get_registry_offices_all_and_unknown(client: Client) -> None:
    every = _call(client, "getRegistryOffices").getRegistryOfficesOutputRecord.registryOffice
    assert len(every) == 333  # one per municipality and the Special Registry Office
    assert _call(client, "getRegistryOffices", municipalityCode="0000").errorRecord.errorCode == "MP_NOT_FOUND"


def test_get_countries(client: Client) -> None:
    countries = _call(client, "getCountries").getCountriesOutputRecord.country
    assert len(countries) == len(_csv("countries.csv"))
    greece = next(c for c in countries if c.code == "GR")
    assert (greece.name, greece.nameEn) == ("Ελλάδα", "Greece")


@pytest.mark.parametrize(
    ("operation", "field", "codes"),
    [
        ("getActTypes", "actType", ["BIRTH", "DEATH", "MARRIAGE", "PARTNERSHIP"]),
        ("getMemberTypes", "memberType", ["CHILD", "HEAD", "PARTNER", "SPOUSE"]),
    ],
)
def test_code_tables(client: Client, operation: str, field: str, codes: list[str]) -> None:
    answer = _call(client, operation)
    entries = getattr(getattr(answer, f"{operation}OutputRecord"), field)
    assert [e.code for e in entries] == codes
    assert all(e.name and e.nameEn for e in entries)


def test_list_and_allowed_methods(client: Client, provider: Running) -> None:
    listed = _call(client, "listMethods").listMethodsOutputRecord.method
    assert listed == sorted(["allowedMethods", "getActTypes", "getCountries", "getMemberTypes",
                             "getMunicipalities", "getRegistryOffices", "listMethods"])
    allowed = _call(client, "allowedMethods").allowedMethodsOutputRecord.method
    assert allowed == listed  # AADE holds every registryParameters grant
    nogrant = Client(f"{provider.url()}?wsdl", wsse=UsernameToken(USERS.nogrant, PASSWORD))
    assert _call(nogrant, "allowedMethods").allowedMethodsOutputRecord.method == ["allowedMethods", "listMethods"]
