"""The reference client against the live provider (SQLite and PostgreSQL): methods, the
auditRecord it builds, exceptions, signature failures, retries and evidence."""
from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from consumer_client import (
    AccreditationInactive,
    AuthenticationFailed,
    DuplicateTransaction,
    InvalidAuditRecord,
    MitrooClient,
    NotAuthorized,
    NotFound,
    QuotaExceeded,
    ServiceUnavailable,
    SignatureError,
    TransportError,
    verify_evidence,
)
from consumer_client.models import CodeEntry, Municipality, RegistryOffice
from consumer_client.signature import load_certificates
from provider.access import admin
from provider.access.credentials import CredentialKey
from tests.conftest import PASSWORD, USERS, Running, signing_key_files
from tests.consumer_client.proxy import Proxy
from tests.support import audit_row

UNIT = "Δ/νση Ελέγχου"


def make_client(base_url: str, username: str = USERS.aade, password: str = PASSWORD, **options: Any) -> MitrooClient:
    options.setdefault("provider_certificates", [signing_key_files().cert])
    options.setdefault("backoff", 0.01)
    return MitrooClient(base_url, username, password, unit=UNIT, user_id="user-17", **options)


@pytest.fixture()
def client(provider: Running) -> MitrooClient:
    return make_client(provider.base_url, user_ip="10.9.8.7")


@pytest.fixture()
def proxy(provider: Running, request: pytest.FixtureRequest) -> Iterator[Proxy]:
    relay = Proxy(provider.base_url, request.param)
    yield relay
    relay.close()


def test_parameters_methods_return_frozen_dataclasses(client: MitrooClient) -> None:
    crete = client.get_municipalities(protocol="ΑΠ 1/2026", region_code="EL43")
    assert len(crete.data) == 24 and all(isinstance(m, Municipality) for m in crete.data)
    assert any(m.name == "Χανίων" and m.name_latin == "CHANION" for m in crete.data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        crete.data[0].name = "x"  # type: ignore[misc]
    offices = client.get_registry_offices(protocol="ΑΠ 1/2026", municipality_code=crete.data[0].code).data
    assert [type(o) for o in offices] == [RegistryOffice] and offices[0].municipality_code == crete.data[0].code
    for method, expected in ((client.get_countries, "GR"), (client.get_act_types, "BIRTH"), (client.get_member_types, "HEAD")):
        entries = method(protocol="ΑΠ 1/2026").data
        assert all(isinstance(e, CodeEntry) for e in entries) and expected in {e.code for e in entries}


def test_metaservices(client: MitrooClient) -> None:
    assert "getMunicipalities" in client.list_methods(protocol="p").data
    assert set(client.allowed_methods(protocol="p").data) >= {"getCountries", "listMethods"}


def test_the_audit_record_is_built_for_the_caller(client: MitrooClient, provider: Running) -> None:
    reply = client.get_act_types(protocol="ΑΠ 77/2026")
    row = audit_row(provider.engine, reply.call_sequence_id)
    assert (row.audit_unit, row.audit_user_id, row.audit_protocol, row.audit_user_ip) == (
        UNIT, "user-17", "ΑΠ 77/2026", "10.9.8.7")
    assert row.audit_transaction_id == reply.audit_transaction_id
    assert dt.datetime.fromisoformat(row.audit_transaction_date).utcoffset() is not None
    again = client.get_act_types(protocol="ΑΠ 77/2026")
    assert again.audit_transaction_id != reply.audit_transaction_id  # a fresh id per logical call


def test_the_protocol_number_is_required(client: MitrooClient) -> None:
    with pytest.raises(ValueError, match="protocol"):
        client.get_countries(protocol=" ")


def test_the_end_user_ip_is_detected_when_not_given(provider: Running) -> None:
    reply = make_client(provider.base_url).get_countries(protocol="p")
    assert audit_row(provider.engine, reply.call_sequence_id).audit_user_ip == "127.0.0.1"


@pytest.mark.parametrize("username, call, expected", [
    (USERS.aade, lambda c: c.get_municipalities(protocol="p", region_code="EL99"), NotFound),
    (USERS.nogrant, lambda c: c.get_countries(protocol="p"), NotAuthorized),
    (USERS.suspended, lambda c: c.get_countries(protocol="p"), AccreditationInactive),
    (USERS.locked, lambda c: c.get_countries(protocol="p"), AuthenticationFailed),
    (USERS.aade, lambda c: c.get_countries(protocol="x" * 101), InvalidAuditRecord),
])
def test_provider_errors_become_exceptions(provider: Running, username: str, call: Any, expected: type) -> None:
    with pytest.raises(expected) as raised:
        call(make_client(provider.base_url, username))
    error = raised.value
    assert error.code == expected.code and error.description and error.call_sequence_id
    assert audit_row(provider.engine, error.call_sequence_id).outcome == expected.code


def test_quota_exceeded(provider: Running) -> None:
    """On an agency of its own (daily quota 1), so no other test's quota is spent."""
    code = f"TQ{uuid.uuid4().hex[:8].upper()}"
    with Session(provider.engine) as session, session.begin():
        admin.add_agency(session, code=code, name="Δοκιμαστικός φορέας ορίου", legal_basis="test",
                         status="production", systems=("SYS",), daily_quota=1)
        session.flush()
        admin.add_grant(session, code, "registryParameters", (), "δοκιμές", "test act")
        admin.add_user(session, CredentialKey(provider.database.key_file), username=f"t-{code.lower()}",
                       agency_code=code, system_code="SYS", password=PASSWORD)
    quota = make_client(provider.base_url, f"t-{code.lower()}")
    quota.get_countries(protocol="p")
    with pytest.raises(QuotaExceeded):
        quota.get_countries(protocol="p")


def test_a_reused_transaction_id_with_other_content_is_a_duplicate(client: MitrooClient) -> None:
    record = client.audit_record("p")
    client._once("registryParameters", "getMunicipalities", record, {"regionCode": "EL43"}, lambda out: out)
    with pytest.raises(DuplicateTransaction):
        client._once("registryParameters", "getMunicipalities", record, {"regionCode": "EL30"}, lambda out: out)


def test_service_unavailable_is_retried_then_raised(unwritable_audit: Running) -> None:
    client = make_client(unwritable_audit.base_url, retries=2)
    with pytest.raises(ServiceUnavailable) as raised:
        client.get_countries(protocol="p")
    assert raised.value.call_sequence_id


def test_an_unreachable_provider_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}", retries=1)
    with pytest.raises(TransportError):
        client.get_countries(protocol="p")


def test_a_wrong_pinned_certificate_returns_no_data(provider: Running) -> None:
    client = make_client(provider.base_url, provider_certificates=[signing_key_files(name="attacker").cert])
    with pytest.raises(SignatureError, match="not pinned"):
        client.get_countries(protocol="p")


@pytest.mark.parametrize("proxy", [["tamper"]], indirect=True)
def test_a_tampering_proxy_is_caught(proxy: Proxy) -> None:
    client = make_client(proxy.url)
    with pytest.raises(SignatureError, match="does not verify"):
        client.get_act_types(protocol="p")


@pytest.mark.parametrize("proxy", [["drop-before", "pass"]], indirect=True)
def test_a_dropped_attempt_is_retried_with_the_same_transaction_id(proxy: Proxy, provider: Running) -> None:
    reply = make_client(proxy.url).get_act_types(protocol="ΑΠ 5/2026")
    assert proxy.seen == ["drop-before", "pass"]
    assert audit_row(provider.engine, reply.call_sequence_id).audit_transaction_id == reply.audit_transaction_id


@pytest.mark.parametrize("proxy", [["drop-after", "pass"]], indirect=True)
def test_a_retry_of_a_call_whose_answer_was_lost_is_answered(proxy: Proxy, provider: Running) -> None:
    """The provider did the work and audited it, but the answer never arrived: the retry, with
    the same auditTransactionId and content, is answered, not refused as a replay."""
    reply = make_client(proxy.url).get_act_types(protocol="ΑΠ 6/2026")
    assert proxy.seen == ["drop-after", "pass"]
    row = audit_row(provider.engine, reply.call_sequence_id)
    assert row.outcome == "OK" and "retry" in (row.outcome_detail or "")


@pytest.mark.parametrize("proxy", [["drop-before"]], indirect=True)
def test_retries_give_up(proxy: Proxy) -> None:
    with pytest.raises(TransportError):
        make_client(proxy.url, retries=2).get_act_types(protocol="p")
    assert proxy.seen == ["drop-before"] * 3


@pytest.mark.parametrize("proxy", [["stall"]], indirect=True)
def test_a_provider_that_never_answers_times_out_without_retry(proxy: Proxy) -> None:
    client = make_client(proxy.url, timeout=(2.0, 1.0))
    client.service("registryParameters")  # the WSDL passes through; only the call stalls
    started = time.monotonic()
    with pytest.raises(TransportError, match="within 1 s"):
        client.get_act_types(protocol="p")
    assert time.monotonic() - started < 5
    assert proxy.seen == ["stall"]  # an unanswered call may have been done: it is not retried


def test_evidence_is_kept_and_verifies_offline(provider: Running, tmp_path: Path) -> None:
    client = make_client(provider.base_url, keep_evidence=tmp_path)
    reply = client.get_act_types(protocol="p")
    kept = tmp_path / f"{reply.call_sequence_id}.xml"
    assert kept.read_bytes() == reply.evidence
    pinned = load_certificates(signing_key_files().cert.read_bytes())
    evidence = verify_evidence(kept, pinned)
    assert evidence.call_sequence_id == reply.call_sequence_id and evidence.error_code is None
    assert b"BIRTH" in evidence.body
    with pytest.raises(NotFound) as raised:
        client.get_municipalities(protocol="p", region_code="EL99")
    assert verify_evidence(tmp_path / f"{raised.value.call_sequence_id}.xml", pinned).error_code == "MP_NOT_FOUND"
    kept.write_bytes(kept.read_bytes().replace(b"BIRTH", b"BIRTX"))
    with pytest.raises(SignatureError):
        verify_evidence(kept, pinned)
