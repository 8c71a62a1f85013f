"""Every input rule of civilRegistryActs over HTTP with zeep: each violation answers MP_INVALID_INPUT
naming the element, with no output and no data subjects audited."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from zeep import Client

from provider.registry.civil_registry_acts.criteria import FIRST_YEAR, registry_today
from tests.acts_data import Registry
from tests.conftest import PASSWORD, USERS, Running
from tests.e2e.test_civil_registry_acts import acts_client, call, refused
from tests.support import audit_row, audit_subjects, envelope, post, security_text

TODAY = registry_today(dt.datetime.now(dt.UTC))  # the registry's day, Europe/Athens
TOMORROW = TODAY + dt.timedelta(days=1)
VALID_AMKA = "01128018155"  # a valid check digit; whoever it names, the rules come first
NAMES = {"surname": "ΠΑΠΑΔΟΠΟΥΛΟΣ", "firstname": "ΓΕΩΡΓΙΟΣ", "fathername": "ΙΩΑΝΝΗΣ", "birthdate": dt.date(1980, 5, 1)}
ATHENS = {"registryOfficeCode": "L4501", "volume": 1, "actNumber": 1, "year": 2001}  # keeps volumes
KOMOTINI = {"registryOfficeCode": "L0101", "actNumber": 1, "year": 2001}  # does not


def _without(record: dict[str, Any], field: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != field}


RULES = [
    # how the act is named: exactly one way
    ("getBirthAct", {}, "actReference/person"),
    ("getBirthAct", {"actReference": KOMOTINI, "person": {"amka": VALID_AMKA}}, "actReference/person"),
    ("getDeathAct", {"person": {}}, "person"),
    ("getDeathAct", {"person": {"amka": VALID_AMKA, "surname": "ΠΑΠΑΔΟΠΟΥΛΟΣ"}}, "person"),
    # AMKA (python-stdnum)
    ("getBirthAct", {"person": {"amka": "01128018156"}}, "amka"),  # check digit
    ("getBirthAct", {"person": {"amka": "0112801815"}}, "amka"),  # length
    ("getBirthAct", {"person": {"amka": "0112801815X"}}, "amka"),  # digits
    ("getBirthAct", {"person": {"amka": "32138018158"}}, "amka"),  # no birth date in it
    # the name set comes whole; no dates in the future
    ("getMarriageAct", {"person": _without(NAMES, "surname")}, "surname"),
    ("getMarriageAct", {"person": _without(NAMES, "firstname")}, "firstname"),
    ("getMarriageAct", {"person": _without(NAMES, "fathername")}, "fathername"),
    ("getMarriageAct", {"person": _without(NAMES, "birthdate")}, "birthdate"),
    ("getMarriageAct", {"person": {"mothername": "ΜΑΡΙΑ"}}, "surname"),
    ("getMarriageAct", {"person": {**NAMES, "birthdate": TOMORROW}}, "birthdate"),
    # the reference
    ("getBirthAct", {"actReference": {**KOMOTINI, "registryOfficeCode": "  "}}, "registryOfficeCode"),
    ("getBirthAct", {"actReference": {**KOMOTINI, "actNumber": 0}}, "actNumber"),
    ("getBirthAct", {"actReference": {**ATHENS, "volume": 0}}, "volume"),
    ("getBirthAct", {"actReference": _without(ATHENS, "volume")}, "volume"),  # the office numbers by volume
    ("getBirthAct", {"actReference": {**KOMOTINI, "volume": 1}}, "volume"),  # the office keeps no volumes
    ("getCivilPartnershipAct", {"actReference": {**KOMOTINI, "year": FIRST_YEAR - 1}}, "year"),
    ("getCivilPartnershipAct", {"actReference": {**KOMOTINI, "year": TODAY.year + 1}}, "year"),
    # searchActs: a selective criterion, year pairs and ranges, act types, maxResults
    ("searchActs", {"actType": "BIRTH"}, "person/registryOfficeCode"),
    ("searchActs", {"registryOfficeCode": "L4501"}, "person/registryOfficeCode"),
    ("searchActs", {"yearFrom": 2000, "yearTo": 2001}, "person/registryOfficeCode"),
    ("searchActs", {"registryOfficeCode": "L4501", "yearFrom": 2000}, "yearTo"),
    ("searchActs", {"registryOfficeCode": "L4501", "yearTo": 2000}, "yearFrom"),
    ("searchActs", {"registryOfficeCode": "L4501", "yearFrom": 2001, "yearTo": 2000}, "yearFrom"),
    ("searchActs", {"registryOfficeCode": "L4501", "yearFrom": FIRST_YEAR - 1, "yearTo": 2000}, "yearFrom"),
    ("searchActs", {"registryOfficeCode": "L4501", "yearFrom": 2000, "yearTo": TODAY.year + 1}, "yearTo"),
    ("searchActs", {"person": {"amka": VALID_AMKA}, "actType": "ADOPTION"}, "actType"),
    ("searchActs", {"person": {"amka": VALID_AMKA}, "maxResults": 0}, "maxResults"),
    ("searchActs", {"person": {"amka": VALID_AMKA}, "maxResults": 501}, "maxResults"),
    ("searchActs", {"person": {"amka": "01128018156"}}, "amka"),
    ("searchActs", {"person": _without(NAMES, "fathername")}, "fathername"),
]


@pytest.fixture(scope="module")
def client(provider: Running, registry: Registry) -> Client:
    return acts_client(provider)


@pytest.mark.parametrize(("operation", "record", "field"), RULES,
                         ids=[f"{op}-{field}-{n}" for n, (op, _r, field) in enumerate(RULES)])
def test_each_input_rule_answers_invalid_input_naming_the_element(
        client: Client, provider: Running, operation: str, record: dict[str, Any], field: str) -> None:
    answer = call(client, operation, **record)
    description = refused(answer, operation, "MP_INVALID_INPUT")
    assert description.startswith("Μη έγκυρα στοιχεία αναζήτησης: ")
    assert f": {field}: " in description, description
    assert "Traceback" not in description
    row = audit_row(provider.engine, answer.callSequenceId)
    assert row.outcome == "MP_INVALID_INPUT" and row.outcome_detail.startswith(f"{field}: ")
    assert audit_subjects(provider.engine, row.id) == set()


def test_a_malformed_value_is_a_schema_fault(client: Client, provider: Running) -> None:
    """Types are the XSD's business: an act number that is not a number never reaches the rules."""
    body = envelope("getBirthAct", service="civilRegistryActs", security=security_text(USERS.aade, PASSWORD),
                    input_xml="<svc:actReference><c:registryOfficeCode>L0101</c:registryOfficeCode>"
                              "<c:actNumber>one</c:actNumber><c:year>2001</c:year></svc:actReference>")
    answer = post(provider.url("civilRegistryActs"), body)
    assert answer.is_fault and answer.error_code == "MP_SCHEMA_INVALID"
