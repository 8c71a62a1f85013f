"""Faults under the provider (issue 10 §3): the database going away mid-load and coming back, a
database too slow to answer, a full disk under the SQLite default, and a signing key that cannot be
read. The provider runs as ``mitroo-provider serve`` in its own process, as in production."""
from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from lxml import etree
from sqlalchemy import text

from consumer_client.signature import load_certificates, verify_response
from tests.conftest import PASSWORD, USERS, PreparedDatabase, prepare_database, signing_key_files
from tests.private_postgres import PrivatePostgres
from tests.processes import CLI, ProviderProcess, provider_env, provider_process
from tests.support import Answer, audit_row, envelope, security_text

pytestmark = pytest.mark.slow  # providers in processes of their own

OPERATIONS = ("getActTypes", "getCountries", "getMemberTypes", "getMunicipalities")


def call(process: ProviderProcess, operation: str = "getActTypes", timeout: float = 30) -> Answer:
    body = envelope(operation, security=security_text(USERS.aade, PASSWORD))
    response = requests.post(process.url(), data=body, timeout=timeout,
                             headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation}"'})
    return Answer(response.status_code, etree.fromstring(response.content), response.content)


def returned_data(answer: Answer) -> bool:
    return answer.status == 200 and answer.error_code is None and any(
        isinstance(el.tag, str) and el.tag.endswith("OutputRecord") and len(el) for el in answer.xml.iter()
    )


# -- the database stops mid-load and comes back -----------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    started: float
    finished: float
    code: str  # OK, an error code, or the exception when no answer came
    call_sequence_id: str | None
    data: bool


class Load:
    """Client threads calling the provider back to back until stopped."""

    def __init__(self, process: ProviderProcess, threads: int) -> None:
        self.process = process
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                answer = call(self.process, random.choice(OPERATIONS))
                outcome = Outcome(started, time.monotonic(), answer.error_code or "OK",
                                  answer.call_sequence_id, returned_data(answer))
            except Exception as exc:
                outcome = Outcome(started, time.monotonic(), f"no answer: {type(exc).__name__}", None, False)
            self.outcomes.append(outcome)

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return sorted(self.outcomes, key=lambda o: o.started)


@pytest.fixture()
def private_postgres(tmp_path: Path) -> Iterator[tuple[PrivatePostgres, PreparedDatabase]]:
    server = PrivatePostgres()
    prepared = None
    try:
        server.start()
        prepared = prepare_database("postgresql", tmp_path, server.create_database("mitroo"))
        yield server, prepared
    finally:
        if prepared is not None:
            prepared.engine.dispose()
        server.remove()


def test_database_outage_mid_load(private_postgres: tuple[PrivatePostgres, PreparedDatabase], tmp_path: Path) -> None:
    server, database = private_postgres
    with provider_process(database, tmp_path / "provider") as served:
        pid = served.process.pid
        load = Load(served, threads=6)
        answered = time.monotonic() + 60  # the load is under way (on a busy machine the first answers are slow)
        while not any(o.code == "OK" for o in list(load.outcomes)) and time.monotonic() < answered:
            time.sleep(0.1)
        time.sleep(1)
        server.stop("fast")
        stopped = time.monotonic()
        time.sleep(5)
        restarting = time.monotonic()  # pg_ctl start returns a little after the server accepts calls again
        server.start()
        back = time.monotonic()
        time.sleep(10)
        outcomes = load.stop()
        assert served.process.poll() is None and served.process.pid == pid  # no worker died, no restart
        log = served.log_text()

    assert {o.code for o in outcomes} <= {"OK", "MP_SERVICE_UNAVAILABLE"}, {o.code for o in outcomes}
    assert any(o.code == "OK" and o.finished < stopped for o in outcomes)
    during = [o for o in outcomes if stopped <= o.started and o.finished <= restarting]
    answered = [o for o in during if o.code != "MP_SERVICE_UNAVAILABLE"]
    assert during and not answered, answered
    slowest = max(o.finished - o.started for o in during)
    assert slowest < 2, f"an answer during the outage took {slowest:.2f} s"
    after = [o for o in outcomes if o.started >= back + 5]
    assert after and all(o.code == "OK" for o in after), {o.code for o in after}
    # No call returned data without its audit row (the database is back: look them all up).
    for outcome in outcomes:
        if outcome.data:
            assert audit_row(database.engine, outcome.call_sequence_id).outcome == "OK"
    assert "database unavailable" in log and "Traceback" not in log


# -- a slow database: a lock held on a table ---------------------------------------------------------


def test_a_lock_held_too_long_gets_a_fault_not_a_hang(database: PreparedDatabase, tmp_path: Path) -> None:
    with provider_process(database, tmp_path / "provider", MITROO_DB_STATEMENT_TIMEOUT_MS="300") as served:
        assert call(served).error_code is None
        with database.engine.connect() as blocker:
            if database.kind == "postgresql":
                blocker.execute(text("LOCK TABLE act_types IN ACCESS EXCLUSIVE MODE"))  # getActTypes reads it
            else:
                blocker.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite: the one writer's lock
            started = time.monotonic()
            answer = call(served)
            seconds = time.monotonic() - started
            blocker.rollback()
        assert answer.is_fault and answer.error_code == "MP_SERVICE_UNAVAILABLE", answer.raw[:500]
        faultstring = answer.text("faultstring") or ""
        if database.kind == "postgresql":
            assert "statement timeout" in faultstring and "300 ms" in faultstring
            assert audit_row(database.engine, answer.call_sequence_id).outcome == "MP_SERVICE_UNAVAILABLE"
        else:
            assert "database busy" in faultstring and "300 ms" in faultstring
        assert seconds < 10, f"the fault took {seconds:.1f} s"
        assert call(served).error_code is None  # the lock is gone: answered again, no restart
        assert "Traceback" not in served.log_text()


# -- a full disk under the SQLite default ------------------------------------------------------------


@contextmanager
def small_filesystem(directory: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``directory``: a disk that really fills up (needs root, as CI runs)."""
    assert os.geteuid() == 0, "the disk-full test mounts a small tmpfs, which needs root (CI runs as root)"
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)], check=True)
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def fill(directory: Path) -> Path:
    """Write a ballast file until the filesystem has not one byte left."""
    ballast = directory / "ballast"
    descriptor = os.open(ballast, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for chunk in (b"\0" * (1 << 20), b"\0" * 4096, b"\0"):
            try:
                while os.write(descriptor, chunk):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    finally:
        os.close(descriptor)
    return ballast


def test_a_full_disk_under_sqlite_is_reported_and_nothing_is_lost(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk", "32m") as disk:
        database = prepare_database("sqlite", disk)
        try:
            with provider_process(database, tmp_path / "provider") as served:
                before = [call(served) for _ in range(3)]
                assert all(a.error_code is None for a in before)
                with database.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write must grow a file
                database.engine.dispose()
                ballast = fill(disk)
                full = [call(served) for _ in range(3)]
                for answer in full:
                    assert answer.is_fault and answer.error_code == "MP_SERVICE_UNAVAILABLE", answer.raw[:500]
                    assert "database or disk is full" in (answer.text("faultstring") or "")
                assert "database or disk is full" in served.log_text()
                ballast.unlink()
                after = call(served)
                assert after.error_code is None, after.raw[:500]
                assert served.process.poll() is None
            with database.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            for answer in [*before, after]:
                assert audit_row(database.engine, answer.call_sequence_id).outcome == "OK"
        finally:
            database.engine.dispose()


# -- a signing key that becomes unreadable ------------------------------------------------------------


def _unsigned_internal_error(answer: Answer) -> None:
    assert answer.status == 500 and answer.error_code == "MP_INTERNAL_ERROR", answer.raw[:500]
    assert b"Security" not in answer.raw and b"Signature" not in answer.raw  # unsigned: nothing to sign with
    assert not returned_data(answer) and answer.find("getActTypesResponse") is None
    assert answer.text("errorDescr").endswith(answer.call_sequence_id)  # only the callSequenceId


def test_a_signing_key_that_becomes_unreadable_turns_answers_into_faults(
    database: PreparedDatabase, tmp_path: Path
) -> None:
    keys = signing_key_files()
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    shutil.copy(keys.key, key)
    shutil.copy(keys.cert, cert)
    pinned = load_certificates(cert.read_bytes())
    settings = {"MITROO_SIGNING_KEY_FILE": str(key), "MITROO_SIGNING_CERT_FILE": str(cert)}
    with provider_process(database, tmp_path / "provider", **settings) as served:
        answer = call(served)
        verify_response(answer.raw, pinned)
        assert returned_data(answer)

        key.rename(tmp_path / "key.moved")  # the key's volume went away
        gone = call(served)
        _unsigned_internal_error(gone)
        assert audit_row(database.engine, gone.call_sequence_id).outcome == "MP_INTERNAL_ERROR"
        health = requests.get(f"{served.base_url}/health", timeout=10)
        assert health.status_code == 503 and "signing key" in " ".join(health.json()["problems"])

        (tmp_path / "key.moved").rename(key)  # back: signed again, no restart
        verify_response(call(served).raw, pinned)

        key.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")  # damaged
        _unsigned_internal_error(call(served))
        shutil.copy(keys.key, key)
        verify_response(call(served).raw, pinned)
        assert "signing key" in served.log_text()

    key.unlink()
    env = provider_env(database.url, database.key_file, tmp_path, **settings)
    refused = subprocess.run([CLI, "serve"], env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert f"signing key {key} does not exist" in refused.stderr and "Traceback" not in refused.stderr
