"""Tamper evidence: seal the audit store, then alter, delete, insert and reorder rows behind the
append-only guard (as a database superuser could) and check that verify names the event.
Each test gets a fresh database of its kind (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import gc
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, close_all_sessions

from audit import events
from audit.seal import seal, verify
from db.engine import make_sessionmaker
from tests.conftest import PreparedDatabase, discard_database, prepare_database, signing_key_files

pytestmark = pytest.mark.slow  # a throwaway migrated database per test

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))
PAST = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)


@pytest.fixture()
def store(database: PreparedDatabase, tmp_path: Path) -> Iterator[PreparedDatabase]:
    fresh = prepare_database(database.kind, tmp_path)
    yield fresh
    gc.collect()  # see tests/audit/test_seal_records.py: the tests' sessions, closed before the drop
    close_all_sessions()
    fresh.engine.dispose()
    discard_database(fresh.url)


def record(engine: Engine, count: int, start: int = 0, at: dt.datetime = PAST) -> list[str]:
    sessions = make_sessionmaker(engine)
    ids = []
    for n in range(start, start + count):
        event = events.Event(
            call_sequence_id=str(uuid.uuid4()), server_time=at + dt.timedelta(seconds=n), service="civilRegistryActs",
            operation="getBirthAct", observed_ip="192.0.2.1", outcome="OK", duration_ms=5, request_digest="a" * 64,
            agency_code="AADE", system_code="EISPRAXIS", username="u", subjects=frozenset({n + 1, n + 2}),
            declared={"auditTransactionId": f"t{n}", "auditProtocol": f"ΑΠ {n}"},
        )
        events.record(sessions, event)
        ids.append(event.call_sequence_id)
    return ids


def tamper(engine: Engine, *statements: str) -> None:
    """Run ``statements`` with the append-only triggers out of the way, as a superuser could."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for table in ("audit_events", "audit_event_subjects", "audit_seals", "audit_event_hashes"):
                for action in ("update", "delete"):
                    connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{action}"))
        for statement in statements:
            connection.execute(text(statement))


def event_id(engine: Engine, position: int) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET :p"),
                                  {"p": position}).scalar_one()


def sealed(engine: Engine, count: int = 8) -> Session:
    record(engine, count)
    session = Session(engine)
    result = seal(session, lag=60)
    assert result.events == count and result.digest != "0" * 64
    assert verify(session).ok
    return session


def test_a_clean_store_verifies_and_recent_events_wait_for_the_lag(store: PreparedDatabase) -> None:
    session = sealed(store.engine)
    record(store.engine, 2, start=100, at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=130))
    assert seal(session, lag=60).events == 0  # too recent
    assert seal(session, lag=0).events == 2
    result = verify(session)
    assert result.ok and result.events == 10 and result.seals == 2
    assert seal(session, lag=0).seal_id is None  # nothing left


def test_an_altered_event_is_named(store: PreparedDatabase) -> None:
    session = sealed(store.engine)
    target = event_id(store.engine, 3)
    tamper(store.engine, f"UPDATE audit_events SET audit_protocol = 'ΑΠ 999' WHERE id = {target}")
    problem = verify(session).problem
    assert problem is not None and (problem.kind, problem.event_id) == ("altered", target)


def test_a_deleted_event_is_named(store: PreparedDatabase) -> None:
    session = sealed(store.engine)
    target = event_id(store.engine, 5)
    tamper(store.engine, f"DELETE FROM audit_event_subjects WHERE event_id = {target}",
           f"DELETE FROM audit_events WHERE id = {target}")
    problem = verify(session).problem
    assert problem is not None and (problem.kind, problem.event_id) == ("deleted", target)


def test_an_inserted_event_is_named(store: PreparedDatabase) -> None:
    record(store.engine, 6)
    gap = event_id(store.engine, 2)
    tamper(store.engine, f"DELETE FROM audit_event_subjects WHERE event_id = {gap}",
           f"DELETE FROM audit_events WHERE id = {gap}")  # a gap, as a rolled-back insert leaves
    session = Session(store.engine)
    assert seal(session, lag=60).events == 5 and verify(session).ok
    tamper(store.engine,
           "INSERT INTO audit_events (id, call_sequence_id, server_time, service, operation, observed_ip, outcome, "
           "duration_ms, request_digest, agency_code) "
           f"SELECT {gap}, 'forged-call', server_time, service, operation, observed_ip, outcome, duration_ms, "
           f"request_digest, 'EFKA' FROM audit_events WHERE id = {event_id(store.engine, 0)}")
    problem = verify(session).problem
    assert problem is not None and (problem.kind, problem.event_id) == ("inserted", gap)


def test_reordered_events_are_named(store: PreparedDatabase) -> None:
    session = sealed(store.engine)
    first, second = event_id(store.engine, 2), event_id(store.engine, 4)
    tamper(store.engine,
           f"UPDATE audit_events SET audit_protocol = CASE id WHEN {first} THEN 'ΑΠ 4' ELSE 'ΑΠ 2' END, "
           f"audit_transaction_id = CASE id WHEN {first} THEN 't4' ELSE 't2' END WHERE id IN ({first}, {second})")
    problem = verify(session).problem
    assert problem is not None and (problem.kind, problem.event_id) == ("altered", first)


def test_a_removed_data_subject_is_named(store: PreparedDatabase) -> None:
    session = sealed(store.engine)
    target = event_id(store.engine, 1)
    tamper(store.engine, f"DELETE FROM audit_event_subjects WHERE event_id = {target} AND person_id = 2")
    problem = verify(session).problem
    assert problem is not None and (problem.kind, problem.event_id) == ("altered", target)


def test_a_rewritten_chain_is_caught_by_the_kept_digest(store: PreparedDatabase) -> None:
    session = sealed(store.engine)
    kept = verify(session).digest
    assert verify(session, expect_digest=kept).ok
    problem = verify(session, expect_digest="f" * 64).problem
    assert problem is not None and problem.kind == "seal"


def test_seal_and_verify_on_the_command_line(store: PreparedDatabase, tmp_path: Path) -> None:
    keys = signing_key_files()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=store.url, MITROO_DATA_DIR=str(tmp_path),
               MITROO_SIGNING_KEY_FILE=str(keys.key), MITROO_SIGNING_CERT_FILE=str(keys.cert))
    record(store.engine, 4)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([AUDIT, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)

    sealed_now = cli("seal")
    assert sealed_now.returncode == 0 and "digest" in sealed_now.stdout, sealed_now.stderr
    digest = sealed_now.stdout.rsplit("digest ", 1)[1].strip()
    clean = cli("verify", "--expect-digest", digest)
    assert clean.returncode == 0 and "OK: 4 sealed events" in clean.stdout, clean.stderr
    target = event_id(store.engine, 2)
    tamper(store.engine, f"UPDATE audit_events SET outcome = 'MP_NOT_FOUND' WHERE id = {target}")
    caught = cli("verify")
    assert caught.returncode == 1 and f"event {target}" in caught.stderr and "Traceback" not in caught.stderr
