"""Anyone can send an auditRecord, and audit rows are never deleted: what is stored of a call is
bounded before anything is stored, also for calls refused before authentication (SQLite and
PostgreSQL, the provider over HTTP)."""
from __future__ import annotations

import hashlib
import random
import string

import requests
from sqlalchemy import Engine, text

from provider.xml.auditrecord import FIELDS, stored_form
from tests.conftest import PASSWORD, Running
from tests.processes import new_agency
from tests.support import Answer, audit_record, audit_row, envelope, post, security_text

REQUESTS = 1000
PER_REQUEST = 1_000_000  # characters of random auditRecord text in each request, under the 1 MiB body cap


def audit_store_bytes(engine: Engine) -> int:
    """The size on disk of the audit store: the whole SQLite file (after a checkpoint), or every
    partition, TOAST table and index of the audit tables on PostgreSQL."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            pages = connection.execute(text("PRAGMA page_count")).scalar_one()
            free = connection.execute(text("PRAGMA freelist_count")).scalar_one()
            return int((pages - free) * connection.execute(text("PRAGMA page_size")).scalar_one())
        return int(connection.execute(text(
            "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('audit_events')"
        )).scalar_one())


def random_record(source: str, rng: random.Random) -> dict[str, str | None]:
    share = PER_REQUEST // len(FIELDS)
    values: dict[str, str | None] = {}
    for name in FIELDS:
        start = rng.randrange(len(source) - share)
        values[name] = source[start:start + share]
    return values


def growth_per_request(provider: Running, records: list[dict[str, str | None]]) -> float:
    """Send each record without credentials (refused before authentication); the audit store's growth per request."""
    before = audit_store_bytes(provider.engine)
    answers = set()
    with requests.Session() as http:
        for record in records:
            body = envelope("getActTypes", security="", audit=record)
            assert len(body) < 1_048_576
            response = http.post(provider.url(), data=body, timeout=30,
                                 headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
            answers.add((response.status_code, b"MP_AUTHENTICATION_FAILED" in response.content))
    assert answers == {(500, True)}  # every one refused before authentication
    return (audit_store_bytes(provider.engine) - before) / len(records)


def test_a_thousand_megabyte_audit_records_from_nobody_grow_the_store_by_a_bounded_row_each(provider: Running) -> None:
    rng = random.Random(18)
    source = "".join(rng.choices(string.ascii_letters + string.digits + " .-/:", k=2 * PER_REQUEST))
    ordinary = growth_per_request(provider, [audit_record() for _ in range(200)])
    huge = growth_per_request(provider, [random_record(source, rng) for _ in range(REQUESTS)])
    print(f"\naudit store growth per refused request ({provider.engine.dialect.name}): {huge:.0f} bytes with "
          f"{PER_REQUEST} characters of auditRecord, {ordinary:.0f} bytes with an ordinary auditRecord")
    # Six cut values (16 characters each, then the cut mark with the length and SHA-256 of the whole,
    # about 110 bytes) on top of an ordinary row: a few hundred bytes more, whatever was sent.
    assert huge - ordinary < 800, (huge, ordinary)


def test_an_overlong_value_is_refused_and_stored_cut_with_the_digest_of_the_whole(provider: Running) -> None:
    username = new_agency(provider.database)
    unit = "Διεύθυνση " * 500
    answer: Answer = post(provider.url(), envelope("getActTypes", security=security_text(username, PASSWORD),
                                                   audit=audit_record(auditUnit=unit)))
    assert answer.error_code == "MP_INVALID_AUDIT_RECORD"
    assert "auditUnit" in (answer.text("errorDescr") or "") and "100" in (answer.text("errorDescr") or "")
    row = audit_row(provider.engine, answer.call_sequence_id)
    assert row.audit_unit == stored_form(unit, FIELDS["auditUnit"])
    assert row.audit_unit.startswith(unit[:16] + "…[cut: 5000 chars, sha256 ")
    assert hashlib.sha256(unit.encode()).hexdigest() in row.audit_unit
    assert len(row.audit_unit) < 200
    assert row.audit_protocol == audit_record()["auditProtocol"]  # values within their limit are kept as sent
