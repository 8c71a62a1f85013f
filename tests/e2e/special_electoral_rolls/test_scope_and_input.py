"""Who may act for which municipality (a municipality acting for another gets MP_NOT_AUTHORIZED; the
elections directorate reads everything and writes nothing), and the input rules of every operation,
driven by the raw requests in tests/data/rolls/invalid (each names its operation, code and field)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from string import Template
from typing import Any

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from provider.access import admin
from provider.access.credentials import CredentialKey
from tests.conftest import PASSWORD, USERS
from tests.e2e.special_electoral_rolls.conftest import call, ok, refused
from tests.e2e.special_electoral_rolls.steps import ALL_DOCUMENTS, create, created, finalize, get, reject, roll
from tests.rolls_fixtures import ROLLS_DATA, SERVICE, Rolls
from tests.support import audit_row, audit_subjects, envelope, post, security_text

ATHENS, SPARTA = "4501", "4301"
INVALID = sorted((ROLLS_DATA / "invalid").glob("*.xml"))
HEADER = re.compile(r"<!-- operation: (\w+); code: (\w+); field: (\S+) -->")
OPERATIONS = ["checkVoterEligibility", "createRollApplication", "finalizeRollApplication", "rejectRollApplication",
              "getRollApplication", "getSpecialElectoralRoll"]
# what a municipality holds beyond those (issue 23), and what only the site, the notifying
# authorities and the directorate hold
MUNICIPAL = [*OPERATIONS, "rejectUnmatchedRollApplication", "lodgeRollObjection", "decideRollObjection"]
OTHERS = ["createCitizenRollApplication", "notifyDeletionCondition", "finalizeSpecialElectoralRoll"]


@pytest.fixture(scope="module")
def athens_application(rolls: Rolls) -> str:
    """An application of Athens waiting to be finalized (a title outside the annex: it will not be)."""
    return created(rolls, ATHENS, "not-listed", "2010-06-01").applicationNumber


def _check(client: Any, municipality: str) -> Any:
    return call(client, "checkVoterEligibility", applicant={"permitNumber": "EX1-2006-0001", "surnamePrefix": "HO",
                                                           "firstnamePrefix": "AR", "birthYear": 1971},
                electionCode="AUTO-2010", municipalityCode=municipality, applicationDate=dt.date(2010, 6, 5))


def test_a_municipality_acting_for_another_is_not_authorized(rolls: Rolls, athens_application: str) -> None:
    sparta = rolls.clerk(SPARTA)
    answers = {
        "checkVoterEligibility": _check(sparta, ATHENS),
        "createRollApplication": create(rolls, SPARTA, "not-listed", "2010-06-01", municipalityCode=ATHENS),
        "finalizeRollApplication": finalize(rolls, SPARTA, athens_application, "2010-06-02", ALL_DOCUMENTS),
        "rejectRollApplication": reject(rolls, SPARTA, athens_application, "PERMIT_TYPE_NOT_LISTED", "2010-06-02"),
        "getRollApplication": get(sparta, athens_application),
        "getSpecialElectoralRoll": roll(sparta, ATHENS, 2010, 3),
    }
    for operation, answer in answers.items():
        why = refused(answer, operation, "MP_NOT_AUTHORIZED")
        assert "TDIMOS-4301" in why and "Δήμο Σπάρτης (4301)" in why and "Δήμο Αθηναίων (4501)" in why, operation
        row = audit_row(rolls.engine, answer.callSequenceId)
        assert (row.outcome, row.operation) == ("MP_NOT_AUTHORIZED", operation)
        assert audit_subjects(rolls.engine, row.id) == set()
    assert ok(get(rolls.clerk(ATHENS), athens_application), "getRollApplication").status == "CREATED"


def test_the_directorate_reads_every_municipality_but_writes_nothing(rolls: Rolls, athens_application: str) -> None:
    ministry = rolls.ministry()
    assert ok(get(ministry, athens_application), "getRollApplication").municipality.code == ATHENS
    assert ok(roll(ministry, SPARTA, 2010, 3), "getSpecialElectoralRoll").municipality.name == "Σπάρτης"
    assert ok(_check(ministry, SPARTA), "checkVoterEligibility").residence.entitledHere is True
    for operation, record in (
        ("createRollApplication", {"kind": "REGISTRATION", "applicant": rolls.holder("not-listed").criteria(),
                                   "electionCode": "AUTO-2010", "municipalityCode": ATHENS}),
        ("finalizeRollApplication", {"applicationNumber": athens_application, "protocolNumber": "1",
                                     "protocolDate": "2010-06-02"}),
        ("rejectRollApplication", {"applicationNumber": athens_application, "reasonCode": "PERMIT_TYPE_NOT_LISTED"}),
    ):
        assert "δεν έχει έγκριση" in refused(call(ministry, operation, **record), operation, "MP_NOT_AUTHORIZED")
    allowed = ok(call(ministry, "allowedMethods"), "allowedMethods").method
    assert allowed == sorted(["allowedMethods", "checkVoterEligibility", "finalizeSpecialElectoralRoll",
                              "getRollApplication", "getSpecialElectoralRoll", "listMethods",
                              "notifyDeletionCondition"])


def test_only_a_municipality_creates_even_with_the_grant(rolls: Rolls) -> None:
    with Session(rolls.engine) as session, session.begin():
        admin.add_agency(session, code="TNOMUNI", name="Φορέας χωρίς Δήμο", legal_basis="test", status="production",
                         systems=("SYS",))
        session.flush()
        admin.add_grant(session, "TNOMUNI", SERVICE, ("createRollApplication",), "δοκιμές", "test act")
        admin.add_user(session, CredentialKey(rolls.key_file), username="t-nomuni", agency_code="TNOMUNI",
                       system_code="SYS", password=PASSWORD)
    answer = call(rolls.client("t-nomuni"), "createRollApplication", kind="REGISTRATION",
                  applicant=rolls.holder("not-listed").criteria(), electionCode="AUTO-2010", municipalityCode=ATHENS,
                  mothername="Α", fathersurname="Β")
    assert "μόνο Δήμος" in refused(answer, "createRollApplication", "MP_NOT_AUTHORIZED")


def test_grants(rolls: Rolls) -> None:
    athens = ok(call(rolls.client("demo-dimos-athinaion", "demo-athens-pass-2026"), "allowedMethods"), "allowedMethods")
    assert athens.method == sorted([*MUNICIPAL, "allowedMethods", "listMethods"])
    listed = ok(call(rolls.client(USERS.aade), "listMethods"), "listMethods").method
    assert listed == sorted([*MUNICIPAL, *OTHERS, "allowedMethods", "listMethods"])
    refused(_check(rolls.client(USERS.aade), ATHENS), "checkVoterEligibility", "MP_NOT_AUTHORIZED")


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_input_rules(rolls: Rolls, athens_application: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = HEADER.match(text)
    assert match, f"{path.name} must start with <!-- operation: …; code: …; field: … -->"
    operation, code, field = match.groups()
    rolls.clerk(ATHENS)
    body = envelope(operation, security=security_text(f"t-dimos-{ATHENS}", PASSWORD), service=SERVICE,
                    input_xml=Template(text).substitute(application=athens_application))
    answer = post(rolls.running.url(SERVICE), body)
    if code == "MP_SCHEMA_INVALID":
        assert answer.is_fault and answer.faultcode == f"soap:Client.{code}"
        assert field in answer.text("faultstring")
    else:
        assert answer.status == 200 and answer.error_code == code
        assert answer.text("errorDescr").split(": ", 1)[1].startswith(field), answer.text("errorDescr")
        assert answer.find(f"{operation}OutputRecord") is None
    assert audit_row(rolls.engine, answer.call_sequence_id).outcome == code
    assert b"Traceback" not in etree.tostring(answer.xml)
