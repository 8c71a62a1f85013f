"""The call pipeline over HTTP: every error code reachable here, each with its audit row."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from provider.xml.auditrecord import stored_form
from tests.conftest import PASSWORD, USERS, Running
from tests.support import (
    Answer,
    audit_record,
    audit_row,
    envelope,
    post,
    security_digest,
    security_text,
)


def call(provider: Running, operation: str = "getActTypes", *, username: str = USERS.aade, password: str = PASSWORD,
         audit: dict[str, str | None] | None = None, input_xml: str = "", security: str | None = None) -> Answer:
    body = envelope(operation, security=security if security is not None else security_text(username, password),
                    audit=audit, input_xml=input_xml)
    return post(provider.url(), body)


def assert_fault(answer: Answer, code: str, kind: str = "Client") -> None:
    assert answer.is_fault, answer
    assert answer.status == 500
    assert answer.faultcode == f"soap:{kind}.{code}"
    assert answer.error_code == code
    assert answer.text("faultstring")


def assert_record(answer: Answer, code: str) -> None:
    assert answer.status == 200
    assert not answer.is_fault
    assert answer.error_code == code
    assert answer.find("getActTypesOutputRecord") is None


def test_success_is_audited_with_every_field(provider: Running) -> None:
    declared = audit_record(auditUserIp="2001:db8::17")
    answer = call(provider, audit=declared)
    assert answer.status == 200 and answer.error_code is None
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert row.outcome == "OK"
    assert (row.service, row.operation) == ("registryParameters", "getActTypes")
    assert (row.agency_code, row.system_code, row.username) == ("AADE", "EISPRAXIS", USERS.aade)
    assert row.audit_transaction_id == declared["auditTransactionId"]
    assert row.audit_transaction_date == declared["auditTransactionDate"]
    assert (row.audit_unit, row.audit_protocol, row.audit_user_id, row.audit_user_ip) == (
        declared["auditUnit"], declared["auditProtocol"], declared["auditUserId"], "2001:db8::17")
    assert row.observed_ip == "127.0.0.1"
    assert len(row.request_digest) == 64 and row.duration_ms >= 0
    assert abs((dt.datetime.now(dt.UTC) - row.server_time).total_seconds()) < 60


# -- authentication (faults) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        (USERS.aade, "wrong-password-123", "λάθος συνθηματικό"),
        ("nobody-such-user", PASSWORD, "άγνωστος χρήστης"),
        (USERS.locked, PASSWORD, "κλειδωμένος"),
        (USERS.production, PASSWORD, "περιβάλλον production"),
    ],
    ids=["wrong-password", "unknown-user", "locked-user", "other-environment"],
)
def test_authentication_failures(provider: Running, username: str, password: str, reason: str) -> None:
    answer = call(provider, username=username, password=password)
    assert_fault(answer, "MP_AUTHENTICATION_FAILED")
    assert reason in answer.text("faultstring")
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert row.outcome == "MP_AUTHENTICATION_FAILED"
    assert row.observed_ip == "127.0.0.1"
    assert row.username is None and row.agency_code is None
    assert row.audit_unit == "Τμήμα Ελέγχου"  # the declared values are kept even when rejected


def test_missing_security_header(provider: Running) -> None:
    answer = call(provider, security="")
    assert_fault(answer, "MP_AUTHENTICATION_FAILED")
    assert "UsernameToken" in answer.text("faultstring")
    assert audit_row(provider.engine, answer.call_sequence_id).outcome == "MP_AUTHENTICATION_FAILED"


def test_password_digest_accepted(provider: Running) -> None:
    answer = call(provider, security=security_digest(USERS.aade, PASSWORD))
    assert answer.status == 200 and answer.error_code is None


def test_stale_password_digest_refused(provider: Running) -> None:
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    answer = call(provider, security=security_digest(USERS.aade, PASSWORD, created=stale))
    assert_fault(answer, "MP_AUTHENTICATION_FAILED")
    assert "ληγμένο PasswordDigest" in answer.text("faultstring")
    assert audit_row(provider.engine, answer.call_sequence_id).outcome == "MP_AUTHENTICATION_FAILED"


def test_replayed_nonce_refused(provider: Running) -> None:
    nonce = os.urandom(16)
    created = dt.datetime.now(dt.UTC)
    first = call(provider, security=security_digest(USERS.aade, PASSWORD, created=created, nonce=nonce))
    assert first.error_code is None
    again = call(provider, security=security_digest(USERS.aade, PASSWORD, created=created, nonce=nonce))
    assert_fault(again, "MP_AUTHENTICATION_FAILED")
    assert "Nonce" in again.text("faultstring")


def test_digest_refused_for_user_without_digest_secret(provider: Running) -> None:
    answer = call(provider, security=security_digest(USERS.nogrant, PASSWORD))
    assert_fault(answer, "MP_AUTHENTICATION_FAILED")
    assert "PasswordText" in answer.text("faultstring")


# -- the auditRecord (errorRecords) -------------------------------------------------------------

FIELDS = ["auditTransactionId", "auditTransactionDate", "auditUnit", "auditProtocol", "auditUserId", "auditUserIp"]


@pytest.mark.parametrize("field", FIELDS)
def test_empty_audit_field(provider: Running, field: str) -> None:
    answer = call(provider, audit=audit_record(**{field: "  "}))
    assert_record(answer, "MP_INVALID_AUDIT_RECORD")
    assert field in answer.text("errorDescr")
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert row.outcome == "MP_INVALID_AUDIT_RECORD" and row.agency_code == "AADE"


@pytest.mark.parametrize("field", FIELDS)
def test_too_long_audit_field(provider: Running, field: str) -> None:
    limit = 45 if field == "auditUserIp" else 100
    answer = call(provider, audit=audit_record(**{field: "x" * (limit + 1)}))
    assert_record(answer, "MP_INVALID_AUDIT_RECORD")
    assert field in answer.text("errorDescr") and str(limit) in answer.text("errorDescr")
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert getattr(row, {"auditTransactionId": "audit_transaction_id", "auditTransactionDate": "audit_transaction_date",
                         "auditUnit": "audit_unit", "auditProtocol": "audit_protocol", "auditUserId": "audit_user_id",
                         "auditUserIp": "audit_user_ip"}[field]) == stored_form("x" * (limit + 1), limit)


@pytest.mark.parametrize("field", FIELDS)
def test_missing_audit_field_is_schema_invalid(provider: Running, field: str) -> None:
    answer = call(provider, audit=audit_record(**{field: None}))
    assert_fault(answer, "MP_SCHEMA_INVALID")
    assert "auditRecord" in answer.text("faultstring")
    assert audit_row(provider.engine, answer.call_sequence_id).outcome == "MP_SCHEMA_INVALID"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("yesterday", "ISO 8601"),
        ("2026-11-23T10:00:00", "ζώνη ώρας"),
        ((dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat(), "απέχει"),
        ((dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat(), "απέχει"),
    ],
    ids=["unparseable", "no-zone", "far-past", "far-future"],
)
def test_bad_audit_date(provider: Running, value: str, reason: str) -> None:
    answer = call(provider, audit=audit_record(auditTransactionDate=value))
    assert_record(answer, "MP_INVALID_AUDIT_RECORD")
    assert reason in answer.text("errorDescr")


def test_audit_user_ip_must_be_an_address(provider: Running) -> None:
    answer = call(provider, audit=audit_record(auditUserIp="my-laptop"))
    assert_record(answer, "MP_INVALID_AUDIT_RECORD")
    assert "auditUserIp" in answer.text("errorDescr")


def test_replayed_transaction_id(provider: Running) -> None:
    declared = audit_record()
    first = call(provider, audit=declared)
    assert first.error_code is None
    other_content = call(provider, audit={**declared, "auditProtocol": "ΑΠ 999/2026"})
    assert_record(other_content, "MP_DUPLICATE_TRANSACTION")
    assert first.call_sequence_id in other_content.text("errorDescr")
    assert audit_row(provider.engine, other_content.call_sequence_id).outcome == "MP_DUPLICATE_TRANSACTION"
    # the same content again is a retry whose first answer was lost: answered, and audited as such
    retry = call(provider, audit=declared)
    assert retry.error_code is None and retry.call_sequence_id != first.call_sequence_id
    row = audit_row(provider.engine, retry.call_sequence_id)
    assert row.outcome == "OK" and first.call_sequence_id in (row.outcome_detail or "")
    # another unit may use the same id
    other = call(provider, audit={**declared, "auditUnit": "Άλλη μονάδα"})
    assert other.error_code is None


def test_failed_call_does_not_burn_the_transaction_id(provider: Running) -> None:
    declared = audit_record()
    assert call(provider, audit={**declared, "auditUserIp": "bad"}).error_code == "MP_INVALID_AUDIT_RECORD"
    assert call(provider, audit=declared).error_code is None


# -- accreditation (errorRecords) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "code", "reason"),
    [
        (USERS.nogrant, "MP_NOT_AUTHORIZED", "registryParameters.getActTypes"),
        (USERS.suspended, "MP_ACCREDITATION_INACTIVE", "ανασταλεί"),
        (USERS.expired, "MP_ACCREDITATION_INACTIVE", "έληξε"),
        (USERS.future, "MP_ACCREDITATION_INACTIVE", "ισχύει από"),
    ],
    ids=["not-granted", "suspended", "expired", "not-yet-valid"],
)
def test_accreditation_errors(provider: Running, username: str, code: str, reason: str) -> None:
    answer = call(provider, username=username)
    assert_record(answer, code)
    assert reason in answer.text("errorDescr")
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert (row.outcome, row.username, row.observed_ip) == (code, username, "127.0.0.1")


def test_daily_quota(provider: Running) -> None:
    answers = [call(provider, username=USERS.quota) for _ in range(3)]
    assert [a.error_code for a in answers] == [None, None, "MP_QUOTA_EXCEEDED"]
    assert "2" in answers[2].text("errorDescr")
    assert audit_row(provider.engine, answers[2].call_sequence_id).outcome == "MP_QUOTA_EXCEEDED"


# -- protocol failures (faults) ------------------------------------------------------------------


def test_schema_invalid_names_the_path(provider: Running) -> None:
    answer = call(provider, "getMunicipalities", input_xml="<svc:regionCode>EL43</svc:regionCode><svc:bogus/>")
    assert_fault(answer, "MP_SCHEMA_INVALID")
    assert "bogus" in answer.text("faultstring") and "getMunicipalities" in answer.text("faultstring")
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert (row.outcome, row.operation, row.username) == ("MP_SCHEMA_INVALID", "getMunicipalities", None)


def test_unknown_operation_is_schema_invalid(provider: Running) -> None:
    answer = call(provider, "getEverything")
    assert_fault(answer, "MP_SCHEMA_INVALID")


@pytest.mark.parametrize("action", [
    '"getActTypes"', "getActTypes", '""',
    '"urn:mitroo-politon:registryParameters:v1/getActTypes"',  # .NET's namespace/operation
    '"urn:mitroo-politon:registryParameters:v1#getActTypes"',  # SOAP::Lite's namespace#operation
    '"http://example.org/registry#getActTypes"',
])
def test_soap_action_naming_the_operation_or_empty(provider: Running, action: str) -> None:
    """SOAPAction as the WSDL gives it (quoted, as SOAP 1.1 writes it, or bare), as stacks build it
    from a namespace, or empty is accepted; its absence is in the hostile corpus (tests/e2e/test_hostile.py)."""
    body = envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))
    answer = post(provider.url(), body, headers={"SOAPAction": action})
    assert answer.status == 200 and answer.error_code is None


@pytest.mark.parametrize(("action", "named"), [
    ('"getCountries"', "getCountries"),
    ('"urn:mitroo-politon:registryParameters:v1/getCountries"', "getCountries"),
    ('"urn:mitroo-politon:registryParameters:v1#getCountries"', "getCountries"),
    ('"urn:mitroo-politon:registryParameters:v1#"', ""),
    ('"getActTypesX"', "getActTypesX"),
])
def test_soap_action_naming_another_operation_is_refused(provider: Running, action: str, named: str) -> None:
    body = envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))
    answer = post(provider.url(), body, headers={"SOAPAction": action})
    assert answer.status == 500 and answer.error_code == "MP_MALFORMED_REQUEST"
    description = answer.text("faultstring") or ""
    assert f"ονομάζει τη λειτουργία {named!r}, ενώ το Body καλεί την getActTypes" in description
    assert 'SOAPAction names another operation: send SOAPAction: "getActTypes" or ""' in description


def test_trusted_proxy_forwarded_for(provider: Running) -> None:
    """Without trusted proxies X-Forwarded-For is ignored: the socket peer is recorded."""
    body = envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))
    answer = post(provider.url(), body, headers={"X-Forwarded-For": "203.0.113.9"})
    assert audit_row(provider.engine, answer.call_sequence_id).observed_ip == "127.0.0.1"


@pytest.mark.slow
def test_forwarded_for_through_a_trusted_proxy(database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import ipaddress

    from tests.conftest import serve, settings_for, stop

    running, server = serve(settings_for(database, tmp_path, trusted_proxies=(ipaddress.ip_network("127.0.0.0/8"),)))
    try:
        body = envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))
        answer = post(running.url(), body, headers={"X-Forwarded-For": "198.51.100.4, 203.0.113.9, 127.0.0.2"})
        assert audit_row(database.engine, answer.call_sequence_id).observed_ip == "203.0.113.9"
    finally:
        stop(server, running.app)


def test_concurrent_replays_answer_exactly_once(provider: Running) -> None:
    """Racing calls with one transaction id (and different content, so none is a retry of
    another): one answer, the rest MP_DUPLICATE_TRANSACTION."""
    from concurrent.futures import ThreadPoolExecutor

    declared = audit_record()
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda n: call(provider, audit={**declared, "auditProtocol": f"ΑΠ {n}"}), range(6)))
    codes = sorted(a.error_code or "OK" for a in answers)
    assert codes == ["MP_DUPLICATE_TRANSACTION"] * 5 + ["OK"]
    assert [audit_row(provider.engine, a.call_sequence_id).outcome for a in answers] == [a.error_code or "OK" for a in answers]
