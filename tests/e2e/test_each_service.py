"""One domain call per published service over HTTP, by a WS user of an agency granted it (the
auditor for ``audit``): it gets through the whole pipeline to the domain, is answered without a
fault, signed and audited. The smallest end-to-end check, which CI runs on every supported Python
besides the one that runs the whole suite."""
from __future__ import annotations

import uuid

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from consumer_client.signature import load_certificates, verify_response
from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.soap import contract
from tests.conftest import PASSWORD, PreparedDatabase, Running, signing_key_files
from tests.e2e.test_authorization_matrix import FIXTURE, ROLE_SERVICES, granted, refused_by_grant, sample_input
from tests.support import audit_row, envelope, post, security_text


def first_grant(service: str) -> tuple[dict, str, tuple[str, ...]]:
    """(agency, operation, roles) of the first fixture agency allowed a domain operation of ``service``."""
    for agency in FIXTURE["agencies"]:
        if service in ROLE_SERVICES:
            if agency["code"] == "YPES-DPO":
                return agency, "searchAuditEvents", (ROLE_SERVICES[service],)
            continue
        operations = sorted(operation for granted_service, operation in granted(agency) if granted_service == service)
        if operations:
            return agency, operations[0], ()
    raise AssertionError(f"no agency of db/data/accreditation.json is granted {service}")


@pytest.mark.parametrize("service", sorted(contract.SERVICES))
def test_a_granted_call_reaches_the_domain_signed_and_audited(
    provider: Running, database: PreparedDatabase, service: str
) -> None:
    agency, operation, roles = first_grant(service)
    username = f"each-{service.lower()}-{uuid.uuid4().hex[:6]}"
    with Session(database.engine) as session, session.begin():
        admin.add_user(session, CredentialKey(database.key_file), username=username, agency_code=agency["code"],
                       system_code=agency["systems"][0]["code"], password=PASSWORD, roles=roles)
    answer = post(provider.url(service), envelope(operation, service=service, security=security_text(username, PASSWORD),
                                                  input_xml=sample_input(service, operation)))
    assert answer.status == 200 and not answer.is_fault, answer.raw[:500]
    assert not refused_by_grant(answer, service, operation), answer.text("errorDescr")
    verify_response(answer.raw, load_certificates(signing_key_files().cert.read_bytes()))
    # the call's own id follows the output record (whose audit events carry theirs)
    call_id = [el.text for el in answer.xml.iter()
               if isinstance(el.tag, str) and etree.QName(el).localname == "callSequenceId"][-1]
    row = audit_row(database.engine, call_id)
    assert (row.service, row.operation, row.username) == (service, operation, username)
