"""The caller's declared auditRecord: reading it, bounding what is stored of it, and checking each field.

The six values are stored in every audit event, also for calls refused before authentication, and
audit rows are never deleted: so what is stored of a value is bounded before anything else happens.
A value within its field's limit is stored as sent; a longer one (which ``validate`` refuses) is
stored cut, marked as cut, with its length and the SHA-256 of the whole value.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass

from lxml import etree

from provider.errors import ErrorCode, MitrooError

FIELDS: dict[str, int] = {
    "auditTransactionId": 100,
    "auditTransactionDate": 100,
    "auditUnit": 100,
    "auditProtocol": 100,
    "auditUserId": 100,
    "auditUserIp": 45,
}


# Characters of an over-long value kept in front of its cut mark.
CUT_KEEP = 16


def stored_form(value: str, limit: int) -> str:
    """``value`` as the audit store keeps it: whole within ``limit`` characters, otherwise its first
    ``CUT_KEEP`` characters, then ``…[cut: N chars, sha256 <hex of the whole value in UTF-8>]``."""
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{value[:CUT_KEEP]}…[cut: {len(value)} chars, sha256 {digest}]"


@dataclass(frozen=True)
class AuditRecord:
    transaction_id: str
    transaction_date: dt.datetime
    unit: str
    protocol: str
    user_id: str
    user_ip: str


def declared_values(operation: etree._Element) -> dict[str, str | None]:
    """The six values (None where absent) in their stored form, for the audit row even when invalid."""
    record = next(
        (child for child in operation if isinstance(child.tag, str) and etree.QName(child).localname == "auditRecord"),
        None,
    )
    values: dict[str, str | None] = dict.fromkeys(FIELDS)
    if record is None:
        return values
    for child in record:
        if isinstance(child.tag, str):
            name = etree.QName(child).localname
            if name in values:
                values[name] = stored_form("".join(t for t in child.itertext() if isinstance(t, str)), FIELDS[name])
    return values


def _invalid(detail: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_INVALID_AUDIT_RECORD, detail)


def validate(values: dict[str, str | None], now: dt.datetime, max_skew_seconds: int) -> AuditRecord:
    for name, limit in FIELDS.items():
        value = values.get(name)
        if value is None or not value.strip():
            raise _invalid(f"το πεδίο {name} είναι κενό ή λείπει ({name} is required)")
        if len(value) > limit:  # stored cut: the mark says how long it was
            raise _invalid(f"το πεδίο {name} υπερβαίνει τους {limit} χαρακτήρες ({name} longer than {limit} characters)")
    raw_date = values["auditTransactionDate"].strip()  # type: ignore[union-attr]
    try:
        when = dt.datetime.fromisoformat(raw_date.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(
            f"το auditTransactionDate {raw_date!r} δεν είναι ημερομηνία ISO 8601 (e.g. 2026-11-23T10:15:00+02:00)"
        ) from None
    if when.tzinfo is None:
        raise _invalid("το auditTransactionDate πρέπει να δηλώνει ζώνη ώρας (e.g. +02:00 or Z)")
    skew = abs((now - when).total_seconds())
    if skew > max_skew_seconds:
        raise _invalid(
            f"το auditTransactionDate απέχει {int(skew)} δευτερόλεπτα από την ώρα του παρόχου "
            f"(allowed {max_skew_seconds}); check the calling system's clock"
        )
    user_ip = values["auditUserIp"].strip()  # type: ignore[union-attr]
    try:
        ipaddress.ip_address(user_ip)
    except ValueError:
        raise _invalid(f"το auditUserIp {user_ip!r} δεν είναι διεύθυνση IPv4 ή IPv6") from None
    return AuditRecord(
        transaction_id=values["auditTransactionId"].strip(),  # type: ignore[union-attr]
        transaction_date=when,
        unit=values["auditUnit"].strip(),  # type: ignore[union-attr]
        protocol=values["auditProtocol"].strip(),  # type: ignore[union-attr]
        user_id=values["auditUserId"].strip(),  # type: ignore[union-attr]
        user_ip=user_ip,
    )
