"""The audit store: what one event writes and in how many statements, append-only in the database
itself, and fail-closed when unwritable."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from audit import events
from db.engine import make_sessionmaker
from db.models import AuditEvent, CallSlot, UsedTransaction
from provider.access.concurrency import ConcurrencyCap, Slot
from tests.conftest import PASSWORD, USERS, PreparedDatabase, Running
from tests.processes import caller_of, new_agency
from tests.support import audit_row, audit_subjects, envelope, post, security_text, statements_sent


def an_event(subjects: frozenset[int] = frozenset()) -> events.Event:
    return events.Event(call_sequence_id=str(uuid.uuid4()), server_time=dt.datetime.now(dt.UTC), service="s",
                        operation="o", observed_ip="127.0.0.1", outcome="OK", duration_ms=1, request_digest="0" * 64,
                        subjects=subjects)


def count(database: PreparedDatabase, table: type[AuditEvent | UsedTransaction | CallSlot], *where: object) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.count()).select_from(table).where(*where)) or 0


def test_an_event_its_subjects_claim_and_slot_release_are_one_statement_on_postgresql(
    database: PreparedDatabase,
) -> None:
    """On PostgreSQL one statement of data-modifying CTEs; SQLite, which has none, one per table."""
    caller = caller_of(database, new_agency(database))
    sessions = make_sessionmaker(database.engine)
    event = an_event(frozenset({7, 11}))
    slot = ConcurrencyCap(sessions, limit=2, lease_seconds=60).acquire(caller, event.call_sequence_id, event.server_time)
    claim = events.TransactionClaim(caller.agency_id, "unit", uuid.uuid4().hex, "1" * 64)
    with statements_sent(database.engine) as statements:
        event_id = events.record(sessions, event, claim, slot)
    assert len(statements) == (1 if database.kind == "postgresql" else 4)
    assert audit_row(database.engine, event.call_sequence_id).id == event_id
    assert audit_subjects(database.engine, event_id) == {7, 11}
    assert count(database, UsedTransaction, UsedTransaction.call_sequence_id == event.call_sequence_id) == 1
    assert count(database, CallSlot, CallSlot.agency_id == caller.agency_id) == 0


def test_a_claimed_transaction_id_claimed_again_is_a_replay_and_writes_nothing(database: PreparedDatabase) -> None:
    caller = caller_of(database, new_agency(database))
    sessions = make_sessionmaker(database.engine)
    claim = events.TransactionClaim(caller.agency_id, "unit", uuid.uuid4().hex, "1" * 64)
    events.record(sessions, an_event(), claim)
    again = an_event(frozenset({7}))
    slot = ConcurrencyCap(sessions, limit=2, lease_seconds=60).acquire(caller, again.call_sequence_id, again.server_time)
    assert isinstance(slot, Slot)
    with pytest.raises(events.ReplayDetected):
        events.record(sessions, again, claim, slot)
    assert count(database, AuditEvent, AuditEvent.call_sequence_id == again.call_sequence_id) == 0
    assert count(database, CallSlot, CallSlot.agency_id == caller.agency_id) == 1  # freed by the next audit event


def test_update_and_delete_are_refused_by_the_database(provider: Running) -> None:
    answer = post(provider.url(), envelope("getActTypes", security=security_text(USERS.aade, PASSWORD)))
    call_id = answer.call_sequence_id
    with provider.engine.begin() as connection:  # INSERT is allowed: give the subjects table a row
        connection.execute(text(
            "INSERT INTO audit_event_subjects (event_id, person_id, event_time) "
            "SELECT id, 424242, server_time FROM audit_events WHERE call_sequence_id = :id"), {"id": call_id})
    statements = [
        "UPDATE audit_events SET outcome = 'OK' WHERE call_sequence_id = :id",
        "DELETE FROM audit_events WHERE call_sequence_id = :id",
        "UPDATE audit_event_subjects SET person_id = 0 WHERE person_id = 424242",
        "DELETE FROM audit_event_subjects WHERE person_id = 424242",
    ]
    for statement in statements:
        with provider.engine.connect() as connection:
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(statement), {"id": call_id})
    with provider.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events WHERE call_sequence_id = :id"),
                                  {"id": call_id}).scalar() == 1


def test_emptying_the_whole_table_is_refused(provider: Running) -> None:
    """TRUNCATE on PostgreSQL; on SQLite an unqualified DELETE (its truncate optimisation)."""
    statement = "TRUNCATE audit_events CASCADE" if provider.database.kind == "postgresql" else "DELETE FROM audit_events"
    with provider.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))


def test_unwritable_audit_store_returns_no_data(unwritable_audit: Running) -> None:
    answer = post(unwritable_audit.url(), envelope("getMunicipalities", security=security_text(USERS.aade, PASSWORD)))
    assert answer.status == 503
    assert answer.faultcode == "soap:Server.MP_SERVICE_UNAVAILABLE"
    assert answer.error_code == "MP_SERVICE_UNAVAILABLE"
    body = "".join(answer.xml.itertext())
    assert "Αθηναίων" not in body and answer.find("municipality") is None
    assert "disk full" not in body  # no database internals either
