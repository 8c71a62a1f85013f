"""The auditors' SOAP service through the reference client: role check, search, the subject
access report, and its own calls audited with the citizen as data subject."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from consumer_client import InvalidInput, MitrooClient, NotAuthorized, NotFound
from tests.acts_data import Registry
from tests.conftest import USERS, Running
from tests.consumer_client.test_client import make_client
from tests.support import audit_row, audit_subjects

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))


@pytest.fixture()
def auditor(provider: Running) -> MitrooClient:
    return make_client(provider.base_url, USERS.auditor)


def test_an_agency_user_is_refused(provider: Running) -> None:
    agency = make_client(provider.base_url, USERS.aade)
    with pytest.raises(NotAuthorized, match="auditor"):
        agency.search_audit_events(protocol="p", agency="AADE")
    with pytest.raises(NotAuthorized):
        agency.get_subject_access_report(protocol="p", amka="01017012345")
    assert agency.allowed_methods(protocol="p", service="audit").data == ("allowedMethods", "listMethods")


def test_auditors_may_call_both_operations(auditor: MitrooClient) -> None:
    assert set(auditor.allowed_methods(protocol="p", service="audit").data) == {
        "allowedMethods", "listMethods", "searchAuditEvents", "getSubjectAccessReport"}


def test_who_looked_at_this_citizen(provider: Running, registry: Registry, auditor: MitrooClient) -> None:
    person = registry.main_person(registry.find("BIRTH"))
    looked = make_client(provider.base_url, USERS.aade).get_birth_act(protocol="ΑΠ 4711/2026", amka=person.amka)
    found = auditor.search_audit_events(protocol="ΔΠΔ 1/2026", subject_amka=person.amka, agency="AADE",
                                        audit_protocol="ΑΠ 4711/2026")
    events = found.data.audit_event
    assert [e.call_sequence_id for e in events] == [looked.call_sequence_id]
    assert (events[0].operation, events[0].audit_unit, events[0].outcome) == ("getBirthAct", "Δ/νση Ελέγχου", "OK")
    report = auditor.get_subject_access_report(protocol="ΔΠΔ 2/2026", amka=person.amka).data
    assert report.amka == person.amka and person.surname in report.name
    access = next(a for a in report.access if a.call_sequence_id == looked.call_sequence_id)
    assert (access.agency_code, access.protocol, access.operation) == ("AADE", "ΑΠ 4711/2026", "getBirthAct")
    # the auditors' own calls are audited, with the citizen as their data subject
    for reply in (found, auditor.get_subject_access_report(protocol="ΔΠΔ 3/2026", amka=person.amka)):
        row = audit_row(provider.engine, reply.call_sequence_id)
        assert (row.service, row.username, row.outcome) == ("audit", USERS.auditor, "OK")
        assert person.id in audit_subjects(provider.engine, row.id)


def test_search_by_call_and_truncation(provider: Running, auditor: MitrooClient) -> None:
    first = auditor.list_methods(protocol="p", service="audit")
    by_id = auditor.search_audit_events(protocol="p", call_sequence_id=first.call_sequence_id).data
    assert [e.username for e in by_id.audit_event] == [USERS.auditor] and by_id.truncated is False
    capped = auditor.search_audit_events(protocol="p", username=USERS.auditor, max_results=1).data
    assert len(capped.audit_event) == 1 and capped.truncated is True


@pytest.mark.parametrize("criteria, field", [
    ({"max_results": 5000}, "maxResults"), ({"observed_ip": "10.0.0.999"}, "observedIp"), ({"offset": -1}, "offset"),
])
def test_invalid_criteria_name_the_field(auditor: MitrooClient, criteria: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        auditor.search_audit_events(protocol="p", **criteria)  # type: ignore[arg-type]


def test_an_unknown_citizen_is_not_found(auditor: MitrooClient) -> None:
    with pytest.raises(NotFound):
        auditor.get_subject_access_report(protocol="p", amka="00000000000")


def test_the_report_covers_acts_certificates_and_searches(provider: Running, registry: Registry,
                                                          auditor: MitrooClient) -> None:
    """One citizen reached three ways (an act, a certificate, a search that names them): the
    report through the service and ``mitroo-audit subject-report`` both list every one."""
    person = registry.main_person(registry.find("BIRTH"))
    agency = make_client(provider.base_url, USERS.aade)
    calls = {
        agency.get_birth_act(protocol="ΑΠ 81/2026", amka=person.amka).call_sequence_id: ("getBirthAct", "ΑΠ 81/2026"),
        agency.get_birth_certificate(protocol="ΑΠ 82/2026", purpose="Επίδομα παιδιού", amka=person.amka)
        .call_sequence_id: ("getBirthCertificate", "ΑΠ 82/2026"),
        agency.search_acts(protocol="ΑΠ 83/2026", amka=person.amka).call_sequence_id: ("searchActs", "ΑΠ 83/2026"),
    }
    report = auditor.get_subject_access_report(protocol="ΔΠΔ 9/2026", amka=person.amka).data
    listed = {a.call_sequence_id: (a.operation, a.protocol) for a in report.access}
    assert {call: listed.get(call) for call in calls} == calls
    purpose = next(a.purpose for a in report.access if a.operation == "getBirthCertificate"
                   and a.protocol == "ΑΠ 82/2026")
    assert purpose == "Επίδομα παιδιού"

    env = {**os.environ, "MITROO_DATABASE_URL": provider.database.url}
    text = subprocess.run([AUDIT, "subject-report", "--amka", person.amka], env=env, capture_output=True,
                          text=True, timeout=120, check=True).stdout
    for operation, protocol in calls.values():
        assert any(operation in line and protocol in line for line in text.splitlines()), (operation, protocol)
