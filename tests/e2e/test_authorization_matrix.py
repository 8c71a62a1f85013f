"""The authorization matrix (issue 10 §5): every operation the provider serves, called over HTTP by
a WS user of every agency of the accreditation fixture (db/data/accreditation.json), is allowed
exactly when the fixture grants it to that agency. The metaservices are open to everyone; the
audit service to users with the auditor role (docs/design.md §5 Services). An operation served without a grant entry
in the fixture, or without a sample input, fails."""
from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.catalogue import CATALOGUE
from provider.soap import contract
from tests.conftest import PASSWORD, PreparedDatabase, Running
from tests.support import Answer, envelope, post, security_text

FIXTURE = json.loads((Path(__file__).parents[2] / "db" / "data" / "accreditation.json").read_text("utf-8"))
INPUTS = json.loads((Path(__file__).parents[1] / "data" / "authorization" / "inputs.json").read_text("utf-8"))["inputs"]
METASERVICES = {"listMethods", "allowedMethods"}
ROLE_SERVICES = {"audit": "auditor"}  # opened by the WS user's role, not by an agency grant


def served() -> list[tuple[str, str]]:
    """(service, operation) for every operation of every published WSDL."""
    pairs = set()
    for service in contract.SERVICES:
        wsdl = etree.fromstring(contract.wsdl(service))
        pairs |= {(service, op.get("name")) for op in wsdl.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
    return sorted(pairs)


def granted(agency: dict) -> set[tuple[str, str]]:
    return {(grant["service"], operation) for grant in agency["grants"] for operation in grant["operations"]}


def expected_allowed(agency: dict, roles: tuple[str, ...], service: str, operation: str) -> bool:
    if operation in METASERVICES:
        return True
    if service in ROLE_SERVICES:
        return ROLE_SERVICES[service] in roles
    return (service, operation) in granted(agency)


def sample_input(service: str, operation: str) -> str:
    sample = INPUTS.get(f"{service}.{operation}", INPUTS.get(f"*.{operation}"))
    assert sample is not None, f"{service}.{operation} is served but tests/data/authorization/inputs.json has no input for it"
    return sample


def test_every_served_operation_has_a_grant_entry_and_a_sample_input() -> None:
    grantable = set().union(*(granted(agency) for agency in FIXTURE["agencies"]))
    for service, operation in served():
        sample_input(service, operation)
        if operation in METASERVICES or service in ROLE_SERVICES:
            continue
        assert operation in CATALOGUE.get(service, ()), f"{service}.{operation} is served but not in the catalogue"
        assert (service, operation) in grantable, (
            f"{service}.{operation} is served but no agency of db/data/accreditation.json is granted it"
        )


def refused_by_grant(answer: Answer, service: str, operation: str) -> bool:
    """The grant check's own refusal (a domain rule may answer MP_NOT_AUTHORIZED for other reasons,
    e.g. a municipality asking about another municipality's roll: that call was allowed in)."""
    description = answer.text("errorDescr") or ""
    return answer.error_code == "MP_NOT_AUTHORIZED" and (
        f"δεν έχει έγκριση για {service}.{operation}" in description or "only for users with the" in description
    )


@pytest.fixture(scope="module")
def users(database: PreparedDatabase) -> list[tuple[dict, str, tuple[str, ...]]]:
    """A WS user for every fixture agency (no roles), and an auditor of the ministry's DPO."""
    made = []
    suffix = uuid.uuid4().hex[:6]
    with Session(database.engine) as session, session.begin():
        key = CredentialKey(database.key_file)
        for agency in FIXTURE["agencies"]:
            roles: tuple[tuple[str, ...], ...] = ((), ("auditor",)) if agency["code"] == "YPES-DPO" else ((),)
            for role in roles:
                username = f"matrix-{agency['code'].lower()}-{'-'.join(role) or 'user'}-{suffix}"
                admin.add_user(session, key, username=username, agency_code=agency["code"],
                               system_code=agency["systems"][0]["code"], password=PASSWORD, roles=role)
                made.append((agency, username, role))
    return made


def test_each_operation_is_allowed_exactly_when_granted(
    provider: Running, users: list[tuple[dict, str, tuple[str, ...]]]
) -> None:
    operations = served()

    def calls_of(user: tuple[dict, str, tuple[str, ...]]) -> list[str]:
        agency, username, roles = user
        wrong = []
        for service, operation in operations:
            body = envelope(operation, service=service, security=security_text(username, PASSWORD),
                            input_xml=sample_input(service, operation))
            answer = post(provider.url(service), body)
            assert not answer.is_fault, f"{username} {service}.{operation}: {answer.text('faultstring')}"
            who = f"{agency['code']}{'/' + ','.join(roles) if roles else ''}"
            allowed = not refused_by_grant(answer, service, operation)
            if allowed != expected_allowed(agency, roles, service, operation):
                wrong.append(f"{who} {service}.{operation}: {'allowed' if allowed else 'refused'} ({answer.error_code or 'OK'})")
            if operation == "allowedMethods":  # what the caller is told it may call is the same matrix
                listed = {el.text for el in answer.xml.iter()
                          if isinstance(el.tag, str) and etree.QName(el).localname == "method"}
                expected = {op for svc, op in operations if svc == service and expected_allowed(agency, roles, svc, op)}
                if listed != expected:
                    wrong.append(f"{who} {service}.allowedMethods lists {sorted(listed)}, granted {sorted(expected)}")
        return wrong

    with ThreadPoolExecutor(max_workers=4) as pool:
        wrong = [line for lines in pool.map(calls_of, users) for line in lines]
    assert not wrong, "\n".join(wrong)
