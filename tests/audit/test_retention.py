"""audit/retention.py and ``mitroo-audit retention`` on a real PostgreSQL with monthly partitions:
months past the retention period are exported, read back and verified against the hash chain,
then dropped; verify keeps passing and counts them archived. A month that is not sealed, or whose
events no longer match their seal, is refused and stays in place."""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from audit import retention
from audit.seal import seal, verify
from db import partitions
from db.engine import make_engine
from db.migrate import upgrade
from tests.audit.test_seal import record, tamper
from tests.conftest import discard_database, new_database_url, signing_key_files

pytestmark = pytest.mark.slow  # a throwaway PostgreSQL database per test, and the CLI in a process

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))
UTC = dt.UTC
JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = new_database_url("postgresql", tmp_path)
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        partitions.ensure(connection, through=MAR, start=JAN)
    try:
        yield url, engine
    finally:
        engine.dispose()
        discard_database(url)


def at(month: dt.date, day: int = 10) -> dt.datetime:
    return dt.datetime.combine(month.replace(day=day), dt.time(12), UTC)


def fill(engine: Engine) -> dict[dt.date, list[str]]:
    """Events in January, February and March 2025 and now, interleaved so that ids and months
    do not follow each other (a long call started at the end of a month commits after the next
    month's first call)."""
    calls = {JAN: record(engine, 3, 0, at(JAN)), FEB: record(engine, 4, 10, at(FEB))}
    calls[JAN] += record(engine, 1, 20, dt.datetime(2025, 1, 31, 23, 59, tzinfo=UTC))
    calls[MAR] = record(engine, 2, 30, at(MAR))
    record(engine, 2, 40, dt.datetime.now(UTC) - dt.timedelta(minutes=5))
    return calls


def rows(engine: Engine, month: dt.date) -> int:
    start, end = dt.datetime.combine(month, dt.time()), dt.datetime.combine(partitions.next_month(month), dt.time())
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM audit_events WHERE server_time >= :s AND server_time < :e"),
                                  {"s": start, "e": end}).scalar_one()


def test_events_land_in_their_months_partition_and_the_partitions_refuse_changes(store: tuple[str, Engine]) -> None:
    _, engine = store
    fill(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events_y2025m01")).scalar_one() == 4
        assert connection.execute(text("SELECT count(*) FROM audit_events_y2025m02")).scalar_one() == 4
        assert connection.execute(text("SELECT count(*) FROM audit_event_subjects_y2025m02")).scalar_one() == 8
        assert connection.execute(text("SELECT count(*) FROM audit_events_default")).scalar_one() == 0
    for statement in ("DELETE FROM audit_events_y2025m01", "UPDATE audit_events_y2025m02 SET outcome = 'X'",
                      "TRUNCATE audit_events_y2025m01 CASCADE", "DELETE FROM audit_event_subjects_y2025m01"):
        with engine.connect() as connection, pytest.raises(Exception, match="append-only"):
            connection.execute(text(statement))


def test_a_month_without_partition_falls_into_the_default_and_is_reported(store: tuple[str, Engine]) -> None:
    _, engine = store
    record(engine, 1, 0, dt.datetime(2024, 6, 1, tzinfo=UTC))
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events_default")).scalar_one() == 1
        ensured = partitions.ensure(connection, through=dt.date(2024, 7, 1), start=dt.date(2024, 5, 1))
    assert ensured.blocked == (dt.date(2024, 6, 1),)
    assert ensured.created == ("audit_events_y2024m05", "audit_event_subjects_y2024m05",
                               "audit_events_y2024m07", "audit_event_subjects_y2024m07")


def test_export_verify_then_drop_keeps_the_chain_verifiable(store: tuple[str, Engine], tmp_path: Path) -> None:
    _, engine = store
    calls = fill(engine)
    session = Session(engine)
    assert seal(session, lag=60).events == 12

    kept = list(retention.run(session, dt.datetime(2025, 3, 1, tzinfo=UTC), tmp_path, drop_partitions=False))
    assert [(r.month, r.events, r.subjects, r.dropped) for r in kept] == [(JAN, 4, 8, False), (FEB, 4, 8, False)]
    assert rows(engine, JAN) == 4 and rows(engine, FEB) == 4  # export only: nothing dropped

    done = list(retention.run(session, dt.datetime(2025, 3, 1, tzinfo=UTC), tmp_path))
    assert [(r.month, r.events, r.dropped) for r in done] == [(JAN, 4, True), (FEB, 4, True)]
    with engine.connect() as connection:
        names = {p.name for p in partitions.listed(connection)}
        runs = connection.execute(text("SELECT month, events, subjects, manifest_sha256 FROM audit_retention_runs "
                                       "ORDER BY month")).all()
    assert "audit_events_y2025m01" not in names and "audit_event_subjects_y2025m02" not in names
    assert "audit_events_y2025m03" in names
    assert [(r.month, r.events, r.subjects) for r in runs] == [(JAN, 4, 8), (FEB, 4, 8)]
    assert runs[0].manifest_sha256 == done[0].manifest_sha256

    # The archive, parsed back, is the month's calls with their subjects; the manifest matches it.
    with gzip.open(done[0].archive, "rt", encoding="utf-8") as lines:
        archived = [json.loads(line) for line in lines]
    assert [line["call_sequence_id"] for line in archived] == calls[JAN]
    assert all(len(line["subjects"]) == 2 and len(line["chain"]) == 64 for line in archived)
    manifest = json.loads(done[0].manifest.read_text(encoding="utf-8"))
    assert (manifest["month"], manifest["events"], manifest["subjects"]) == ("2025-01", 4, 8)

    result = verify(session)
    assert result.ok, result.problem
    assert (result.events, result.archived) == (4, 8)
    # A sealed event deleted from a month that was not archived is still caught.
    target = calls[MAR][0]
    tamper(engine, f"DELETE FROM audit_event_subjects WHERE event_id = (SELECT id FROM audit_events "
                   f"WHERE call_sequence_id = '{target}')",
           f"DELETE FROM audit_events WHERE call_sequence_id = '{target}'")
    problem = verify(session).problem
    assert problem is not None and problem.kind == "deleted"


def test_an_unsealed_month_is_refused_and_kept(store: tuple[str, Engine], tmp_path: Path) -> None:
    _, engine = store
    fill(engine)
    session = Session(engine)
    with pytest.raises(retention.RetentionError, match="2025-01: 4 events are not sealed yet"):
        list(retention.run(session, dt.datetime(2025, 3, 1, tzinfo=UTC), tmp_path))
    assert rows(engine, JAN) == 4


def test_a_month_altered_after_sealing_is_refused_and_kept(store: tuple[str, Engine], tmp_path: Path) -> None:
    _, engine = store
    calls = fill(engine)
    session = Session(engine)
    seal(session, lag=60)
    tamper(engine, f"UPDATE audit_events SET agency_code = 'EFKA' WHERE call_sequence_id = '{calls[FEB][1]}'")
    results = retention.run(session, dt.datetime(2025, 3, 1, tzinfo=UTC), tmp_path)
    assert next(results).month == JAN  # January is fine and goes
    with pytest.raises(retention.RetentionError, match="does not reproduce its sealed chain value"):
        next(results)
    session.rollback()
    assert rows(engine, JAN) == 0 and rows(engine, FEB) == 4


def test_a_corrupted_archive_is_refused(store: tuple[str, Engine], tmp_path: Path) -> None:
    _, engine = store
    fill(engine)
    session = Session(engine)
    seal(session, lag=60)
    _, manifest_path, _ = retention.export(session, JAN, tmp_path)
    archive = tmp_path / "audit-2025-01.ndjson.gz"
    archive.write_bytes(archive.read_bytes()[:-8] + b"\0" * 8)
    with pytest.raises(retention.RetentionError, match="SHA-256 does not match the manifest"):
        retention.verify_archive(session, manifest_path)


@pytest.mark.parametrize(("value", "expected"), [
    ("400d", dt.datetime(2025, 10, 19, 9, 30, tzinfo=UTC)),
    ("13m", dt.datetime(2025, 10, 1, tzinfo=UTC)),
    ("2025-01-01", dt.datetime(2025, 1, 1, tzinfo=UTC)),
])
def test_the_retention_period(value: str, expected: dt.datetime) -> None:
    assert retention.cutoff(value, dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)) == expected


def test_the_cli_exports_drops_and_refuses(store: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = store
    fill(engine)
    keys = signing_key_files()  # seal signs its records with the signing key
    env = {**os.environ, "MITROO_DATABASE_URL": url, "MITROO_DATA_DIR": str(tmp_path),
           "MITROO_SIGNING_KEY_FILE": str(keys.key), "MITROO_SIGNING_CERT_FILE": str(keys.cert)}

    def audit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([AUDIT, *args], env=env, capture_output=True, text=True, timeout=120)

    refused = audit("retention", "--older-than", "2025-03-01", "--archive-dir", str(tmp_path / "archive"))
    assert refused.returncode == 1 and "REFUSED: 2025-01: 4 events are not sealed yet" in refused.stderr
    assert audit("seal", "--lag", "60").returncode == 0
    bad = audit("retention", "--older-than", "soon", "--archive-dir", str(tmp_path / "archive"))
    assert bad.returncode == 1 and "give days (400d), months (13m) or a date" in bad.stderr
    done = audit("retention", "--older-than", "2025-03-01", "--archive-dir", str(tmp_path / "archive"))
    assert done.returncode == 0, done.stderr
    assert "2025-01: 4 events, 8 subjects" in done.stdout and "2025-02: 4 events, 8 subjects" in done.stdout
    assert sorted(p.name for p in (tmp_path / "archive").iterdir()) == [
        "audit-2025-01.manifest.json", "audit-2025-01.ndjson.gz", "audit-2025-02.manifest.json",
        "audit-2025-02.ndjson.gz"]
    verified = audit("verify")
    assert verified.returncode == 0 and "8 archived by the retention" in verified.stdout
    listing = audit("partitions", "--ahead", "1")
    assert "audit_events_y2025m03" in listing.stdout and "audit_events_y2025m01" not in listing.stdout
