"""The audit store: append-only in the database itself, and fail-closed when unwritable."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import PASSWORD, USERS, Running
from tests.support import envelope, post, security_text


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
