"""The seal log and order in time, tried as an insider with database rights would: every seal leaves
a signed record outside the database, and ``mitroo-audit verify``, with nothing typed by the
operator, names an altered, deleted or reordered event, a back-dated insert, a truncated tail (one
batch or several), a re-sealed tail, and a forged or missing seal record. The timestamp path runs
against a local TSA (``openssl ts``). Each test gets a fresh database of its kind (SQLite and
PostgreSQL)."""
from __future__ import annotations

import base64
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, close_all_sessions

from audit import events, sealrecords
from audit.seal import SealRefused, seal, verify
from db.engine import make_sessionmaker
from provider.xml.keys import KeySource, load_signing_key, sha256_hex
from tests.audit.test_seal import event_id, record, tamper
from tests.audit.tsa import LocalTsa, make_tsa_files, serve_tsa
from tests.conftest import PreparedDatabase, discard_database, prepare_database, signing_key_files

pytestmark = pytest.mark.slow  # the seal CLI, openssl and a local TSA in processes; a throwaway database per test

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))
NOW = dt.datetime.now(dt.UTC)
BASE = NOW - dt.timedelta(hours=2)


@pytest.fixture()
def store(database: PreparedDatabase, tmp_path: Path) -> Iterator[PreparedDatabase]:
    fresh = prepare_database(database.kind, tmp_path)
    yield fresh
    # The sessions this test left open, closed before its database is dropped. Sessions that earlier
    # tests left unreferenced are collected first: their databases are gone, and closing one of
    # them would roll back on a connection the drop terminated (AdminShutdown).
    gc.collect()
    close_all_sessions()
    fresh.engine.dispose()
    discard_database(fresh.url)


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    directory = tmp_path_factory.mktemp("tsa")
    make_tsa_files(directory)
    yield from serve_tsa(directory)


def seal_log(directory: Path, tsa: LocalTsa | None = None) -> sealrecords.SealLog:
    keys = signing_key_files()
    roots = tuple(sealrecords.certificates_in(tsa.ca_file)) if tsa else ()
    return sealrecords.SealLog(directory / "audit-seals.jsonl", load_signing_key(KeySource(keys.key, keys.cert)),
                               tsa.url if tsa else None, roots)


def sealed_batches(engine: Engine, log: sealrecords.SealLog | None, sizes: tuple[int, ...] = (4, 3, 5)) -> Session:
    """One seal per size, ten minutes apart, each sealing the events of its ten minutes."""
    session = Session(engine)
    start = 0
    for number, size in enumerate(sizes):
        at = BASE + dt.timedelta(minutes=10 * number)
        record(engine, size, start=start, at=at - dt.timedelta(seconds=start))
        result = seal(session, lag=60, now=at + dt.timedelta(minutes=5), log=log)
        assert result.events == size and not result.warnings
        start += size
    return session


def env_for(store: PreparedDatabase, directory: Path, **extra: str) -> dict[str, str]:
    keys = signing_key_files()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=store.url, MITROO_DATA_DIR=str(directory),
               MITROO_SIGNING_KEY_FILE=str(keys.key), MITROO_SIGNING_CERT_FILE=str(keys.cert), **extra)
    return env


def audit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AUDIT, *args], env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)


def caught(env: dict[str, str]) -> tuple[str, int | None, str]:
    """``mitroo-audit verify`` with the environment alone: it must fail; (kind, event id, message)."""
    result = audit(env, "verify")
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.stdout, result.stderr)
    verdict = json.loads(result.stdout)
    assert result.stderr.strip() == f"TAMPERED: {verdict['detail']}"
    return verdict["kind"], verdict["eventId"], verdict["detail"]


def seal_rows(engine: Engine) -> list[tuple[int, int, int]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(
            "SELECT id, first_event_id, last_event_id FROM audit_seals ORDER BY id")]


def drop_seals(engine: Engine, count: int) -> tuple[int, int]:
    """Delete the last ``count`` sealed batches whole (events, subjects, chain values, seal rows),
    as an insider would to hide them; the deleted event id range."""
    gone = seal_rows(engine)[-count:]
    first, last = gone[0][1], gone[-1][2]
    ids = ", ".join(str(row[0]) for row in gone)
    tamper(engine, f"DELETE FROM audit_event_subjects WHERE event_id BETWEEN {first} AND {last}",
           f"DELETE FROM audit_events WHERE id BETWEEN {first} AND {last}",
           f"DELETE FROM audit_event_hashes WHERE event_id BETWEEN {first} AND {last}",
           f"DELETE FROM audit_seals WHERE id IN ({ids})")
    return first, last


def test_each_seal_leaves_a_signed_record_and_verify_compares_them(store: PreparedDatabase, tmp_path: Path) -> None:
    log = seal_log(tmp_path)
    session = sealed_batches(store.engine, log)
    lines = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert [line["record"]["seal"] for line in lines] == [row[0] for row in seal_rows(store.engine)]
    assert [line["record"]["events"] for line in lines] == [4, 3, 5]
    assert lines[1]["record"]["previous_digest"] == lines[0]["record"]["digest"]
    assert all(line["timestamp"] is None for line in lines)
    result = verify(session, records=sealrecords.read(log.path, [log.key.certificate]))
    assert result.ok and result.records == 3 and result.digest == lines[-1]["record"]["digest"]
    clean = audit(env_for(store, tmp_path), "verify")
    assert clean.returncode == 0 and "OK: 12 sealed events in 3 seals verify; 3 signed seal records" in clean.stdout


def test_a_record_verifies_with_the_certificate_alone(store: PreparedDatabase, tmp_path: Path) -> None:
    log = seal_log(tmp_path)
    sealed_batches(store.engine, log)
    copy = tmp_path / "elsewhere" / "copy.jsonl"
    copy.parent.mkdir()
    shutil.copy(log.path, copy)
    cert = tmp_path / "provider-cert.pem"
    cert.write_bytes(signing_key_files().cert.read_bytes())
    no_database = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    no_database.update(PYTHONUTF8="1", MITROO_DATA_DIR=str(tmp_path / "nowhere"))
    alone = audit(no_database, "verify-seal-log", str(copy), "--cert", str(cert))
    assert alone.returncode == 0 and "OK: 3 seal records, 12 events" in alone.stdout, alone.stderr
    # The signature covers exactly the record's JSON with sorted keys: any tool can check it.
    line = json.loads(copy.read_text().splitlines()[0])
    payload = sealrecords.SealRecord(**line["record"]).payload()
    assert payload == json.dumps(line["record"], sort_keys=True, separators=(",", ":")).encode()
    (tmp_path / "payload").write_bytes(payload)
    (tmp_path / "signature").write_bytes(base64.b64decode(line["signature"]))
    public = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], capture_output=True,
                            check=True).stdout
    (tmp_path / "public.pem").write_bytes(public)
    openssl = subprocess.run(["openssl", "dgst", "-sha256", "-verify", str(tmp_path / "public.pem"), "-signature",
                              str(tmp_path / "signature"), str(tmp_path / "payload")], capture_output=True, text=True)
    assert openssl.returncode == 0 and "Verified OK" in openssl.stdout
    other = tmp_path / "other-cert.pem"
    shutil.copy(signing_key_files(name="someone-else").cert, other)
    stranger = audit(no_database, "verify-seal-log", str(copy), "--cert", str(other))
    assert stranger.returncode == 1 and "not the seal certificate" in stranger.stderr


@pytest.mark.parametrize("case", ["altered", "deleted", "reordered"])
def test_a_rewritten_event_is_named_with_the_records_in_place(store: PreparedDatabase, tmp_path: Path,
                                                              case: str) -> None:
    sealed_batches(store.engine, seal_log(tmp_path))
    first, second = event_id(store.engine, 5), event_id(store.engine, 6)
    statements = {
        "altered": [f"UPDATE audit_events SET agency_code = 'EFKA' WHERE id = {first}"],
        "deleted": [f"DELETE FROM audit_event_subjects WHERE event_id = {first}",
                    f"DELETE FROM audit_events WHERE id = {first}"],
        "reordered": [f"UPDATE audit_events SET audit_protocol = CASE id WHEN {first} THEN 'ΑΠ 6' ELSE 'ΑΠ 5' END, "
                      f"audit_transaction_id = CASE id WHEN {first} THEN 't6' ELSE 't5' END, "
                      f"call_sequence_id = CASE id WHEN {first} THEN 'x-{second}' ELSE 'x-{first}' END "
                      f"WHERE id IN ({first}, {second})"],
    }[case]
    tamper(store.engine, *statements)
    kind, named, detail = caught(env_for(store, tmp_path))
    assert (kind, named) == ({"reordered": "altered"}.get(case, case), first) and f"event {first}" in detail


def test_a_back_dated_insert_is_named_and_refused(store: PreparedDatabase, tmp_path: Path) -> None:
    log = seal_log(tmp_path)
    session = sealed_batches(store.engine, log)
    env = env_for(store, tmp_path)
    # A genuine call that began 90 s before the last seal and committed after it: within the lag, not back-dated.
    late = BASE + dt.timedelta(minutes=25, seconds=-90)
    record(store.engine, 1, start=500, at=late - dt.timedelta(seconds=500))
    assert audit(env, "verify").returncode == 0
    # An insider's INSERT (allowed by the append-only guard) dated inside the second sealed batch.
    forged = str(uuid.uuid4())
    events.record(make_sessionmaker(store.engine), events.Event(
        call_sequence_id=forged, server_time=BASE + dt.timedelta(minutes=10, seconds=2), service="civilRegistryActs",
        operation="getBirthAct", observed_ip="192.0.2.1", outcome="OK", duration_ms=5, request_digest="b" * 64,
        agency_code="AADE", system_code="EISPRAXIS", username="u", subjects=frozenset({7})))
    forged_id = event_id(store.engine, 13)
    kind, named, detail = caught(env)
    assert (kind, named) == ("backdated", forged_id) and forged in detail and "back-dated" in detail
    refused = audit(env, "seal", "--lag", "0")
    assert refused.returncode == 1 and refused.stderr.startswith("REFUSED: event ") and forged in refused.stderr
    assert len(seal_rows(store.engine)) == 3 and len(log.path.read_text().splitlines()) == 3
    with pytest.raises(SealRefused) as refusal:
        seal(session, lag=0, log=log)
    assert refusal.value.problem.kind == "backdated" and refusal.value.problem.event_id == forged_id


@pytest.mark.parametrize("batches", [1, 2])
def test_a_truncated_tail_is_named(store: PreparedDatabase, tmp_path: Path, batches: int) -> None:
    log = seal_log(tmp_path)
    session = sealed_batches(store.engine, log)
    seal_rows_before = seal_rows(store.engine)
    first, last = drop_seals(store.engine, batches)
    assert verify(session).ok  # the database alone holds together: only the records show the loss
    env = env_for(store, tmp_path)
    kind, named, detail = caught(env)
    assert (kind, named) == ("truncated", first)
    which = f"seal {seal_rows_before[-1][0]}" if batches == 1 else (
        f"2 seals ({seal_rows_before[-2][0]}-{seal_rows_before[-1][0]})")
    assert f"the seal log records {which} no longer in the database, events {first}-{last}" in detail
    refused = audit(env, "seal")
    assert refused.returncode == 1 and "is not in the database" in refused.stderr


def test_a_re_sealed_tail_is_named(store: PreparedDatabase, tmp_path: Path) -> None:
    """The last batch deleted and other events sealed in its place by a sealer without the log."""
    session = sealed_batches(store.engine, seal_log(tmp_path))
    first, _ = drop_seals(store.engine, 1)
    record(store.engine, 5, start=900, at=BASE + dt.timedelta(minutes=20) - dt.timedelta(seconds=900))
    assert seal(session, lag=60, now=BASE + dt.timedelta(minutes=25)).events == 5 and verify(session).ok
    kind, named, detail = caught(env_for(store, tmp_path))
    assert kind == "seal" and named >= first and "does not match its signed record" in detail


@pytest.mark.parametrize("case", ["forged", "removed-middle", "removed-last", "no-log"])
def test_a_forged_or_missing_record_is_named(store: PreparedDatabase, tmp_path: Path, case: str) -> None:
    log = seal_log(tmp_path)
    sealed_batches(store.engine, log)
    lines = log.path.read_text().splitlines(keepends=True)
    rows = seal_rows(store.engine)
    if case == "forged":
        line = json.loads(lines[1])
        line["record"]["digest"] = "f" * 64
        lines[1] = json.dumps(line) + "\n"
    elif case == "removed-middle":
        del lines[1]
    elif case == "removed-last":
        del lines[2]
    log.path.write_text("" if case == "no-log" else "".join(lines))
    kind, named, detail = caught(env_for(store, tmp_path))
    expected = {
        "forged": ("record", rows[1][1], "line 2 (seal 2) does not carry a valid signature"),
        "removed-middle": ("record", rows[2][1], f"records of the seals between seal {rows[0][0]} and seal"),
        "removed-last": ("record", rows[2][1], f"seal {rows[2][0]} (events {rows[2][1]}-{rows[2][2]}) has no record"),
        "no-log": ("record", rows[0][1], f"seal {rows[0][0]} (events {rows[0][1]}-{rows[0][2]}) has no record"),
    }[case]
    assert (kind, named) == expected[:2] and expected[2] in detail, detail


def test_a_seal_whose_record_was_not_written_is_recorded_by_the_next_run(store: PreparedDatabase,
                                                                         tmp_path: Path) -> None:
    log = seal_log(tmp_path)
    session = sealed_batches(store.engine, log, sizes=(4,))
    record(store.engine, 3, start=100, at=BASE + dt.timedelta(minutes=10) - dt.timedelta(seconds=100))
    assert seal(session, lag=60, now=BASE + dt.timedelta(minutes=15)).events == 3  # as if it stopped before its record
    assert audit(env_for(store, tmp_path), "verify").returncode == 1
    target = event_id(store.engine, 5)
    tamper(store.engine, f"UPDATE audit_events SET agency_code = 'EFKA' WHERE id = {target}")
    with pytest.raises(SealRefused) as refusal:  # only a seal that recomputes from its events is recorded
        seal(session, lag=60, log=log)
    assert (refusal.value.problem.kind, refusal.value.problem.event_id) == ("altered", target)
    assert len(log.path.read_text().splitlines()) == 1
    tamper(store.engine, f"UPDATE audit_events SET agency_code = 'AADE' WHERE id = {target}")
    assert seal(session, lag=60, log=log).seal_id is None  # nothing new, but the missing record is written
    assert verify(session, records=sealrecords.read(log.path, [log.key.certificate])).records == 2
    assert audit(env_for(store, tmp_path), "verify").returncode == 0


def test_records_timestamped_by_a_tsa(store: PreparedDatabase, tmp_path: Path, tsa: LocalTsa) -> None:
    log = seal_log(tmp_path, tsa)
    sealed_batches(store.engine, log)
    lines = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert all(line["timestamp"] for line in lines)
    env = env_for(store, tmp_path, MITROO_AUDIT_TSA_URL=tsa.url, MITROO_AUDIT_TSA_CA_FILE=str(tsa.ca_file))
    clean = audit(env, "verify")
    assert clean.returncode == 0 and "3 signed seal records" in clean.stdout and "3 timestamped" in clean.stdout
    record(store.engine, 2, start=300, at=NOW - dt.timedelta(minutes=5, seconds=300))
    sealed_now = audit(env, "seal")
    assert sealed_now.returncode == 0 and "seal 4" in sealed_now.stdout and not sealed_now.stderr
    # A token moved from another record does not timestamp this one.
    lines = log.path.read_text().splitlines()
    moved = json.loads(lines[1])
    moved["timestamp"] = json.loads(lines[0])["timestamp"]
    log.path.write_text("\n".join([lines[0], json.dumps(moved), *lines[2:]]) + "\n")
    kind, _, detail = caught(env)
    assert kind == "record" and "line 2 (seal 2) has a timestamp that does not verify" in detail
    alone = audit({**env, "MITROO_DATABASE_URL": "sqlite:////nonexistent/x.db"}, "verify-seal-log", str(log.path))
    assert alone.returncode == 1 and "has a timestamp that does not verify" in alone.stderr


def test_a_tsa_that_fails_does_not_stop_the_record(store: PreparedDatabase, tmp_path: Path) -> None:
    env = env_for(store, tmp_path, MITROO_AUDIT_TSA_URL="http://127.0.0.1:9/tsa",
                  MITROO_AUDIT_TSA_CA_FILE=str(signing_key_files().cert))
    record(store.engine, 3, at=NOW - dt.timedelta(minutes=10))
    sealed_now = audit(env, "seal")
    assert sealed_now.returncode == 0 and "seal 1" in sealed_now.stdout
    assert "WARNING: seal 1 recorded without a timestamp: the Time-Stamping Authority at" in sealed_now.stderr
    assert json.loads((tmp_path / "audit-seals.jsonl").read_text())["timestamp"] is None
    assert audit(env, "verify").returncode == 0
    unsure = audit({**env, "MITROO_AUDIT_TSA_CA_FILE": ""}, "seal")
    assert unsure.returncode == 1 and "MITROO_AUDIT_TSA_URL needs MITROO_AUDIT_TSA_CA_FILE" in unsure.stderr


def test_records_signed_by_a_seal_key_of_their_own(store: PreparedDatabase, tmp_path: Path) -> None:
    own = signing_key_files(name="audit-seal")
    env = env_for(store, tmp_path, MITROO_AUDIT_SEAL_KEY_FILE=str(own.key), MITROO_AUDIT_SEAL_CERT_FILE=str(own.cert))
    record(store.engine, 3, at=NOW - dt.timedelta(minutes=10))
    assert audit(env, "seal").returncode == 0
    line = json.loads((tmp_path / "audit-seals.jsonl").read_text())
    assert line["certificate"] == sha256_hex(sealrecords.certificates_in(own.cert)[0])
    assert audit(env, "verify").returncode == 0
    kind, _, detail = caught(env_for(store, tmp_path))  # checked against the provider's certificate instead
    assert kind == "record" and "is signed by a certificate that is not the seal certificate" in detail
    half = audit({**env, "MITROO_AUDIT_SEAL_CERT_FILE": ""}, "seal")
    assert half.returncode == 1 and "MITROO_AUDIT_SEAL_KEY_FILE and MITROO_AUDIT_SEAL_CERT_FILE go together" in half.stderr
