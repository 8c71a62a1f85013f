"""Abuse controls whose state is in the database, so they hold across workers and processes
(issue 10 §2): the login lockout, the daily quota, replay rejection and the per-agency concurrency
cap, each run against two ``mitroo-provider serve`` processes at once on one database (SQLite and
PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from db.engine import make_sessionmaker
from db.models import CallSlot
from provider.access import concurrency
from provider.access.concurrency import ConcurrencyCap
from tests.conftest import PASSWORD, PreparedDatabase, discard_database, prepare_database
from tests.processes import ProviderProcess, caller_of, new_agency, provider_process
from tests.support import Answer, audit_record, audit_row, envelope, post, security_text

pytestmark = pytest.mark.slow  # providers in processes of their own

Pair = tuple[ProviderProcess, ProviderProcess]


@pytest.fixture(scope="module")
def pair(database: PreparedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Two provider processes on the shared test database (a cap high enough not to interfere),
    behind a "proxy" (the test) whose X-Forwarded-For gives each lockout test a source IP of its own,
    so locking it locks no other test."""
    directory = tmp_path_factory.mktemp("pair")
    settings = {"MITROO_AGENCY_MAX_CONCURRENT_CALLS": "50", "MITROO_TRUSTED_PROXIES": "127.0.0.1"}
    with provider_process(database, directory / "a", **settings) as a, \
            provider_process(database, directory / "b", **settings) as b:
        yield a, b


def call(process: ProviderProcess, username: str, audit: dict[str, str | None] | None = None, *,
         password: str = PASSWORD, source_ip: str | None = None) -> Answer:
    headers = {"X-Forwarded-For": source_ip} if source_ip else None
    return post(process.url(), envelope("getActTypes", security=security_text(username, password), audit=audit),
                headers=headers)


def outcome(answer: Answer) -> str:
    return answer.error_code or "OK"


def assert_audited(database: PreparedDatabase, answers: list[Answer]) -> None:
    for answer in answers:
        row = audit_row(database.engine, answer.call_sequence_id)
        assert row.outcome == outcome(answer)


def a_source_ip() -> str:
    """An address no other test uses (documentation prefix 2001:db8::/32)."""
    return str(ipaddress.ip_address("2001:db8::") + random.getrandbits(64))


def test_failed_logins_on_both_processes_lock_the_pair_not_the_user(pair: Pair, database: PreparedDatabase) -> None:
    """MITROO_LOCKOUT_FAILURES (10) wrong passwords from one address within the window, spread over both
    processes, lock the username from that address on both; nine do not (and a good login clears them).
    The same user from another address is not locked: an outsider cannot lock an agency out."""
    username, ip = new_agency(database), a_source_ip()

    def wrong(n: int) -> Answer:
        return call(pair[n % 2], username, password="wrong-password-123", source_ip=ip)

    with ThreadPoolExecutor(max_workers=9) as pool:
        assert {outcome(a) for a in pool.map(wrong, range(9))} == {"MP_AUTHENTICATION_FAILED"}
    assert outcome(call(pair[1], username, source_ip=ip)) == "OK"  # 9 < 10, and it clears them
    with ThreadPoolExecutor(max_workers=10) as pool:
        assert {outcome(a) for a in pool.map(wrong, range(10))} == {"MP_AUTHENTICATION_FAILED"}
    for process in pair:
        locked = call(process, username, source_ip=ip)
        assert outcome(locked) == "MP_AUTHENTICATION_FAILED"
        assert "too many failed logins from this address" in locked.text("faultstring")
        assert audit_row(database.engine, locked.call_sequence_id).observed_ip == ip
        assert outcome(call(process, username, source_ip=a_source_ip())) == "OK"


def test_failed_logins_from_one_address_stop_it_only_for_usernames_not_known_from_it(
    pair: Pair, database: PreparedDatabase
) -> None:
    """MITROO_LOCKOUT_IP_FAILURES (50) failed logins from one address, any usernames, over both
    processes: on both, the address may no longer try a username that never logged in from it, while
    the agency's user who did (agencies behind one NAT) keeps working; the newcomer from elsewhere too."""
    ip, regular, newcomer = a_source_ip(), new_agency(database), new_agency(database)
    assert outcome(call(pair[0], regular, source_ip=ip)) == "OK"
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda n: call(pair[n % 2], f"nobody-{uuid.uuid4().hex[:8]}", source_ip=ip), range(50)))
    assert {outcome(a) for a in answers} == {"MP_AUTHENTICATION_FAILED"}
    for process in pair:
        refused = call(process, newcomer, source_ip=ip)
        assert "too many failed logins from this IP" in refused.text("faultstring")
        assert outcome(call(process, regular, source_ip=ip)) == "OK"
    assert outcome(call(pair[0], newcomer, source_ip=a_source_ip())) == "OK"


def metric(processes: Pair, line_start: str) -> float:
    """A metric summed over both processes (each is a host of its own, with its own /metrics)."""
    texts = [requests.get(f"{process.base_url}/metrics", timeout=10).text for process in processes]
    return sum(float(line.rsplit(" ", 1)[1]) for text in texts for line in text.splitlines() if line.startswith(line_start))


def test_a_username_sprayed_from_many_addresses_is_throttled_for_new_addresses_and_counted(
    pair: Pair, database: PreparedDatabase
) -> None:
    """MITROO_LOCKOUT_SPRAY_FAILURES (20) failures of one username, one from each of 20 addresses: a new
    address may try it once per MITROO_LOCKOUT_SPRAY_DELAY (30 s) and is refused at once before that; the
    agency's own address is never slowed; /metrics counts the failures and the refusals."""
    username, agency_ip = new_agency(database), a_source_ip()
    assert outcome(call(pair[0], username, source_ip=agency_ip)) == "OK"
    failures_before = metric(pair, "mitroo_login_failures_total")
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda n: call(pair[n % 2], username, password="sprayed-password-1",
                                               source_ip=a_source_ip()), range(20)))
    assert {outcome(a) for a in answers} == {"MP_AUTHENTICATION_FAILED"}
    newcomer = a_source_ip()
    assert "wrong password" in call(pair[0], username, password="sprayed-password-2", source_ip=newcomer).text("faultstring")
    throttled = call(pair[1], username, source_ip=newcomer)  # even with the right password
    assert "try again in" in throttled.text("faultstring")
    assert audit_row(database.engine, throttled.call_sequence_id).outcome == "MP_AUTHENTICATION_FAILED"
    assert outcome(call(pair[1], username, source_ip=agency_ip)) == "OK"
    assert metric(pair, "mitroo_login_failures_total") >= failures_before + 21
    assert metric(pair, 'mitroo_login_refusals_total{reason="spray_throttled"}') >= 1


def test_the_daily_quota_is_one_count_for_both_processes(pair: Pair, database: PreparedDatabase) -> None:
    username = new_agency(database, daily_quota=6)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda n: call(pair[n % 2], username), range(12)))
    assert sorted(outcome(a) for a in answers) == ["MP_QUOTA_EXCEEDED"] * 6 + ["OK"] * 6
    assert_audited(database, answers)
    assert outcome(call(pair[0], username)) == outcome(call(pair[1], username)) == "MP_QUOTA_EXCEEDED"


def test_a_transaction_id_is_used_once_across_both_processes(pair: Pair, database: PreparedDatabase) -> None:
    username = new_agency(database)
    declared = audit_record()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(
            lambda n: call(pair[n % 2], username, {**declared, "auditProtocol": f"ΑΠ {n}/2026"}), range(8)
        ))
    assert sorted(outcome(a) for a in answers) == ["MP_DUPLICATE_TRANSACTION"] * 7 + ["OK"]
    assert_audited(database, answers)
    first = next(n for n, a in enumerate(answers) if outcome(a) == "OK")
    # the accepted call, sent again to the other process (its answer was lost): a retry, answered
    retry = call(pair[(first + 1) % 2], username, {**declared, "auditProtocol": f"ΑΠ {first}/2026"})
    assert outcome(retry) == "OK"
    assert answers[first].call_sequence_id in (audit_row(database.engine, retry.call_sequence_id).outcome_detail or "")


# -- the concurrency cap -----------------------------------------------------------------------------


def slots_held(database: PreparedDatabase, agency_id: int) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.count()).select_from(CallSlot).where(CallSlot.agency_id == agency_id)) or 0


@pytest.fixture(scope="module")
def capped(database: PreparedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    directory = tmp_path_factory.mktemp("capped")
    cap = {"MITROO_AGENCY_MAX_CONCURRENT_CALLS": "2", "MITROO_CALL_SLOT_LEASE": "3"}
    with provider_process(database, directory / "a", **cap) as a, provider_process(database, directory / "b", **cap) as b:
        yield a, b


def test_the_cap_counts_calls_in_progress_anywhere(capped: Pair, database: PreparedDatabase) -> None:
    """Two calls of the agency in progress in another worker (held here through the provider's own
    ConcurrencyCap, as any worker holds them) fill its cap of 2 for both processes; a freed slot is
    taken by the next call, and the slots of a worker that died are free once their lease ran out."""
    username = new_agency(database)
    caller = caller_of(database, username)
    elsewhere = ConcurrencyCap(make_sessionmaker(database.engine), limit=2, lease_seconds=600)
    held = [elsewhere.acquire(caller, f"elsewhere-{n}", dt.datetime.now(dt.UTC)) for n in range(2)]
    refused = [call(capped[0], username), call(capped[1], username)]
    assert [outcome(a) for a in refused] == ["MP_CONCURRENCY_LIMIT"] * 2
    assert "at most 2 calls of one agency at once" in refused[0].text("errorDescr")
    assert_audited(database, refused)
    elsewhere.release(held[0])  # type: ignore[arg-type]
    assert outcome(call(capped[1], username)) == "OK"
    assert slots_held(database, caller.agency_id) == 1  # the call released its slot once answered
    # A worker that dies holding a slot never releases it; its lease (15 s here) runs out instead.
    ConcurrencyCap(make_sessionmaker(database.engine), limit=2, lease_seconds=15).acquire(
        caller, "died-0", dt.datetime.now(dt.UTC)
    )
    assert outcome(call(capped[0], username)) == "MP_CONCURRENCY_LIMIT"
    deadline = time.monotonic() + 60
    while outcome(answer := call(capped[0], username)) != "OK":
        assert outcome(answer) == "MP_CONCURRENCY_LIMIT" and time.monotonic() < deadline, outcome(answer)
        time.sleep(0.5)
    assert outcome(call(capped[1], username)) == "OK"
    elsewhere.release(held[1])  # type: ignore[arg-type]


def test_refused_calls_do_not_spend_the_quota(capped: Pair, database: PreparedDatabase) -> None:
    username = new_agency(database, daily_quota=1)
    caller = caller_of(database, username)
    elsewhere = ConcurrencyCap(make_sessionmaker(database.engine), limit=2, lease_seconds=60)
    held = [elsewhere.acquire(caller, f"elsewhere-{n}", dt.datetime.now(dt.UTC)) for n in range(2)]
    assert outcome(call(capped[0], username)) == "MP_CONCURRENCY_LIMIT"
    for slot in held:
        elsewhere.release(slot)  # type: ignore[arg-type]
    assert [outcome(call(capped[1], username)), outcome(call(capped[0], username))] == ["OK", "MP_QUOTA_EXCEEDED"]


def test_trying_a_taken_slot_locks_nothing(own_postgres: PreparedDatabase) -> None:
    """A caller that finds a slot taken (another call got it after the caller read the free ones) holds
    no lock on it for the rest of its admission transaction: the holder's audit transaction frees it
    at once. (An ON CONFLICT DO UPDATE that matched nothing still locked the row: two admissions racing
    for two slots deadlocked under the benchmark.)"""
    database = own_postgres
    caller = caller_of(database, new_agency(database))
    sessions = make_sessionmaker(database.engine)
    cap = ConcurrencyCap(sessions, limit=2, lease_seconds=60)
    now = dt.datetime.now(dt.UTC)
    held = cap.acquire(caller, "held-elsewhere", now)
    assert held is not None
    with sessions() as admission:
        attempt = {"p_agency": caller.agency_id, "p_slot": held.number, "p_holder": "racing", "p_now": now,
                   "p_until": now + dt.timedelta(seconds=60)}
        assert admission.execute(concurrency._TAKE_FREE["postgresql"], attempt).first() is None
        assert admission.execute(concurrency._TAKE_EXPIRED, attempt).first() is None
        with sessions() as audit:
            audit.execute(text("SET LOCAL lock_timeout = '2s'"))
            audit.execute(concurrency.RELEASE, concurrency.release_parameters(held))
            audit.commit()
        assert cap.acquire(caller, "in-admission", now, admission) is not None
        admission.commit()
    assert slots_held(database, caller.agency_id) == 1


# -- calls really in progress in both processes (PostgreSQL: a lock held on the table they read) ---------


@pytest.fixture()
def own_postgres(tmp_path: Path) -> Iterator[PreparedDatabase]:
    prepared = prepare_database("postgresql", tmp_path)
    yield prepared
    prepared.engine.dispose()
    discard_database(prepared.url)


def _blocked_calls(processes: list[ProviderProcess], username: str) -> tuple[list[threading.Thread], list[object]]:
    results: list[object] = []

    def run(process: ProviderProcess) -> None:
        try:
            results.append(call(process, username))
        except Exception as exc:  # the process was killed under the call
            results.append(exc)

    threads = [threading.Thread(target=run, args=(process,)) for process in processes]
    for thread in threads:
        thread.start()
    return threads, results


def _kill_with_workers(served: ProviderProcess) -> None:
    """SIGKILL gunicorn's master, then its workers (a worker outlives its master until it has answered)."""
    workers = served.worker_pids()
    served.process.send_signal(signal.SIGKILL)
    served.process.wait(timeout=10)
    for worker in workers:
        os.kill(worker, signal.SIGKILL)


def _wait_for_slots(database: PreparedDatabase, agency_id: int, count: int) -> None:
    deadline = time.monotonic() + 30
    while slots_held(database, agency_id) < count:
        assert time.monotonic() < deadline, "the calls never took their slots"
        time.sleep(0.05)


def test_calls_in_progress_in_two_processes_fill_the_cap_and_a_killed_worker_s_slots_expire(
    own_postgres: PreparedDatabase, tmp_path: Path
) -> None:
    database = own_postgres
    username = new_agency(database)
    agency_id = caller_of(database, username).agency_id
    # A lease long enough for a loaded machine, and no statement timeout while the lock is held.
    cap = {"MITROO_AGENCY_MAX_CONCURRENT_CALLS": "2", "MITROO_CALL_SLOT_LEASE": "15",
           "MITROO_DB_STATEMENT_TIMEOUT_MS": "120000"}
    with provider_process(database, tmp_path / "a", **cap) as a, provider_process(database, tmp_path / "b", **cap) as b:
        with database.engine.connect() as blocker:
            blocker.execute(text("LOCK TABLE act_types IN ACCESS EXCLUSIVE MODE"))  # getActTypes waits here
            threads, results = _blocked_calls([a, b], username)
            _wait_for_slots(database, agency_id, 2)
            refused = [call(a, username), call(b, username)]
            assert [outcome(answer) for answer in refused] == ["MP_CONCURRENCY_LIMIT"] * 2
            blocker.rollback()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcome(r) for r in results) == ["OK", "OK"]  # type: ignore[arg-type]
        assert slots_held(database, agency_id) == 0

        with database.engine.connect() as blocker:
            blocker.execute(text("LOCK TABLE act_types IN ACCESS EXCLUSIVE MODE"))
            threads, results = _blocked_calls([a, a], username)
            _wait_for_slots(database, agency_id, 2)
            _kill_with_workers(a)  # its worker dies holding both slots
            blocker.rollback()
        for thread in threads:
            thread.join(timeout=30)
        assert all(isinstance(r, Exception) for r in results), results
        assert outcome(call(b, username)) == "MP_CONCURRENCY_LIMIT"  # the dead worker's slots, until their lease ends
        deadline = time.monotonic() + 60
        while outcome(answer := call(b, username)) != "OK":
            assert time.monotonic() < deadline, outcome(answer)
            time.sleep(0.5)
