"""The KED auditRecord (provider/xml/auditrecord.py) on its own, no HTTP and no database: the values
read from the operation, each field's limit, the cut stored form of an over-long value (16
characters, then ``…[cut: N chars, sha256 <hex>]``), missing or blank fields, the date's zone and
clock skew at its boundary, and the user's IP."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from lxml import etree

from provider.errors import ErrorCode, MitrooError
from provider.xml import auditrecord
from provider.xml.auditrecord import CUT_KEEP, FIELDS
from tests.support import audit_xml

NOW = dt.datetime(2026, 3, 2, 10, 0, 0, tzinfo=dt.UTC)
SKEW = 900


def values(**overrides: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "auditTransactionId": "tx-1",
        "auditTransactionDate": NOW.isoformat(),
        "auditUnit": "Τμήμα Ελέγχου",
        "auditProtocol": "ΑΠ 1234/2026",
        "auditUserId": "user-17",
        "auditUserIp": "10.20.30.40",
    }
    base.update(overrides)
    return base


def operation(record_xml: str, record_name: str = "auditRecord") -> etree._Element:
    return etree.fromstring(f'<svc:op xmlns:svc="urn:s" xmlns:c="urn:mitroo-politon:common:v1">'
                            f"<svc:{record_name}>{record_xml}</svc:{record_name}><svc:opInputRecord/></svc:op>")


def refusal(declared: dict[str, str | None], now: dt.datetime = NOW) -> str:
    with pytest.raises(MitrooError) as caught:
        auditrecord.validate(declared, now, SKEW)
    assert caught.value.code is ErrorCode.MP_INVALID_AUDIT_RECORD
    return caught.value.detail


# -- the stored form -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "limit"), FIELDS.items())
def test_a_value_within_its_limit_is_stored_as_sent(name: str, limit: int) -> None:
    assert auditrecord.stored_form("α" * limit, limit) == "α" * limit


@pytest.mark.parametrize(("name", "limit"), FIELDS.items())
def test_a_value_one_over_its_limit_is_stored_cut_with_its_length_and_digest(name: str, limit: int) -> None:
    value = "Ω" + "x" * limit  # limit + 1 characters, the first not ASCII
    stored = auditrecord.stored_form(value, limit)
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    assert stored == f"{value[:16]}…[cut: {limit + 1} chars, sha256 {digest}]"
    assert CUT_KEEP == 16 and len(stored) == 16 + len(f"…[cut: {limit + 1} chars, sha256 ]") + 64


def test_the_cut_form_counts_characters_not_bytes_and_keeps_a_lone_surrogate() -> None:
    value = "Ά" * 101
    assert auditrecord.stored_form(value, 100).startswith("Ά" * 16 + "…[cut: 101 chars, sha256 ")
    surrogate = "\ud800" * 50
    stored = auditrecord.stored_form(surrogate, 45)
    assert stored.endswith(f"sha256 {hashlib.sha256(surrogate.encode('utf-8', 'surrogatepass')).hexdigest()}]")


def test_a_huge_value_is_stored_bounded() -> None:
    stored = auditrecord.stored_form("A" * 1_000_000, 100)
    assert len(stored) < 120 and "[cut: 1000000 chars, sha256 " in stored


# -- reading the declared values -----------------------------------------------------------------

def test_the_six_values_are_read_whole_and_bounded() -> None:
    declared = values(auditUnit="U" * 101)
    read = auditrecord.declared_values(operation(audit_xml(declared)))
    assert read["auditTransactionId"] == "tx-1" and read["auditUserIp"] == "10.20.30.40"
    assert read["auditUnit"].startswith("U" * 16 + "…[cut: 101 chars, sha256 ")  # type: ignore[union-attr]


def test_absent_values_are_none_and_unknown_elements_ignored() -> None:
    read = auditrecord.declared_values(operation("<c:auditUnit>u</c:auditUnit><c:other>x</c:other>"))
    assert read == dict.fromkeys(FIELDS) | {"auditUnit": "u"}


def test_no_audit_record_gives_six_nones() -> None:
    assert auditrecord.declared_values(operation("", record_name="somethingElse")) == dict.fromkeys(FIELDS)


def test_a_value_s_text_is_joined_across_comments_and_child_elements() -> None:
    read = auditrecord.declared_values(operation("<c:auditUnit>a<!-- c -->b<x>c</x>d</c:auditUnit>"))
    assert read["auditUnit"] == "abcd"


# -- validating ----------------------------------------------------------------------------------

def test_a_complete_record_is_returned_stripped() -> None:
    record = auditrecord.validate(values(auditUnit="  Τμήμα  ", auditUserIp=" ::1 "), NOW, SKEW)
    assert (record.unit, record.user_ip, record.transaction_date) == ("Τμήμα", "::1", NOW)


@pytest.mark.parametrize("name", FIELDS)
@pytest.mark.parametrize("value", [None, "", "   ", "\n\t"])
def test_a_missing_or_blank_field_is_named(name: str, value: str | None) -> None:
    assert f"{name} is required" in refusal(values(**{name: value}))


TEXT_FIELDS = [(n, limit) for n, limit in FIELDS.items() if n not in ("auditTransactionDate", "auditUserIp")]


@pytest.mark.parametrize(("name", "limit"), TEXT_FIELDS)
def test_a_field_at_its_limit_passes_and_one_more_is_refused(name: str, limit: int) -> None:
    assert auditrecord.validate(values(**{name: "x" * limit}), NOW, SKEW)
    assert f"{name} longer than {limit} characters" in refusal(values(**{name: "x" * (limit + 1)}))


def test_a_cut_value_read_from_the_request_is_refused_as_too_long() -> None:
    """What declared_values stores of an over-long value is itself longer than the limit."""
    declared = auditrecord.declared_values(operation(audit_xml(values(auditUserId="u" * 500))))
    assert "auditUserId longer than 100 characters" in refusal(declared)


@pytest.mark.parametrize("date", [
    "2026-03-02T10:00:00Z",
    "2026-03-02T12:00:00+02:00",
    "2026-03-02T10:00:00.123456+00:00",
])
def test_the_date_in_any_zone(date: str) -> None:
    assert auditrecord.validate(values(auditTransactionDate=date), NOW, SKEW).transaction_date == \
        dt.datetime.fromisoformat(date.replace("Z", "+00:00"))


@pytest.mark.parametrize(("date", "reason"), [
    ("2026-03-02T10:00:00", "ζώνη ώρας"),
    ("2026-03-02", "ζώνη ώρας"),
    ("02/03/2026 10:00", "δεν είναι ημερομηνία ISO 8601"),
    ("now", "δεν είναι ημερομηνία ISO 8601"),
])
def test_a_date_without_zone_or_not_iso_is_refused(date: str, reason: str) -> None:
    assert reason in refusal(values(auditTransactionDate=date))


@pytest.mark.parametrize(("offset", "passes"), [
    (SKEW, True), (-SKEW, True), (SKEW + 1, False), (-(SKEW + 1), False), (SKEW + 0.001, False), (0, True),
])
def test_clock_skew_at_its_boundary_either_way(offset: float, passes: bool) -> None:
    declared = values(auditTransactionDate=(NOW + dt.timedelta(seconds=offset)).isoformat())
    if passes:
        auditrecord.validate(declared, NOW, SKEW)
    else:
        detail = refusal(declared)
        assert f"(allowed {SKEW}); check the calling system's clock" in detail


@pytest.mark.parametrize("ip", ["10.1.2.3", "0.0.0.0", "::1", "2001:db8::5", "fe80::1", "::ffff:192.0.2.1"])
def test_ipv4_and_ipv6_addresses_pass(ip: str) -> None:
    assert auditrecord.validate(values(auditUserIp=ip), NOW, SKEW).user_ip == ip


@pytest.mark.parametrize("ip", ["10.0.0.999", "localhost", "10.0.0.0/8", "1.2.3", "::g"])
def test_anything_else_as_user_ip_is_refused(ip: str) -> None:
    assert "δεν είναι διεύθυνση IPv4 ή IPv6" in refusal(values(auditUserIp=ip))


def test_the_ip_field_limit_is_45_characters() -> None:
    assert "auditUserIp longer than 45 characters" in refusal(values(auditUserIp="1" * 46))
