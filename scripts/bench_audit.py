"""Benchmark of auditor searches at scale (run by scripts/bench-audit; not part of the test suite).

Fills --database-url with --events audit events spread over the last 12 months (generated in SQL:
40 agencies, 400 users, one data subject per successful call out of 1,000,000 persons, 3% errors),
or reuses it when it already holds that many, then times audit.query.search, the engine of
``mitroo-audit search`` and the auditor service, for each indexed way in:
by data subject (AMKA resolved to a person), by agency and one day, by agency and one month
(first page), and by callSequenceId; prints p50/p90/max per search and the plan PostgreSQL chose.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import time
from collections.abc import Callable

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from audit.query import AuditFilter, search, statement
from db import partitions
from db.engine import make_engine
from db.migrate import upgrade

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mitroo_bench_audit"
PERSONS = 1_000_000
UTC = dt.UTC


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def fill(url: str, events: int, now: dt.datetime) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        have = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    if have == events:
        print(f"reusing {events:,} audit events")
        engine.dispose()
        return
    if have:
        raise SystemExit(f"the database holds {have:,} events, not {events:,}: drop it or use --database-url")
    start = now - dt.timedelta(days=365)
    with engine.begin() as connection:
        partitions.ensure(connection, through=partitions.ensure_months_ahead(now), start=start)
    print(f"generating {events:,} events over 12 months ...", flush=True)
    step = 1_000_000
    began = time.monotonic()
    for offset in range(0, events, step):
        count = min(step, events - offset)
        with engine.begin() as connection:
            connection.execute(text("""
                INSERT INTO audit_events (call_sequence_id, server_time, service, operation, agency_code,
                    system_code, username, audit_transaction_id, audit_transaction_date, audit_unit, audit_protocol,
                    audit_user_id, audit_user_ip, observed_ip, outcome, duration_ms, request_digest)
                SELECT gen_random_uuid()::text,
                       :start + (g::float8 / :total) * interval '365 days' + (random() * interval '1 hour'),
                       'civilRegistryActs', (ARRAY['getBirthAct','getDeathAct','getMarriageAct','searchActs'])[1 + g % 4],
                       'AG' || lpad((g % 40)::text, 2, '0'), 'SYS', 'user-' || (g % 400),
                       'tx-' || g, '2026-01-01T00:00:00Z', 'unit-' || (g % 40), 'ΑΠ ' || g,
                       'clerk-' || (g % 2000), '10.0.' || (g % 250) || '.1', '192.0.2.' || (g % 200),
                       CASE WHEN g % 33 = 0 THEN 'MP_NOT_FOUND' ELSE 'OK' END, 5 + g % 20, repeat('a', 64)
                FROM generate_series(:first, :last) AS g"""),
                {"start": start.replace(tzinfo=None), "total": events, "first": offset, "last": offset + count - 1})
            connection.execute(text("""
                INSERT INTO audit_event_subjects (event_id, person_id, event_time)
                SELECT id, 1 + (hashint8(id) & 2147483647) % :persons, server_time FROM audit_events
                WHERE id > (SELECT coalesce(max(event_id), 0) FROM audit_event_subjects) AND outcome = 'OK'"""),
                {"persons": PERSONS})
        done = offset + count
        rate = done / (time.monotonic() - began)
        print(f"  {done:>12,} events ({rate:,.0f}/s)", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE audit_events"))
        connection.execute(text("VACUUM ANALYZE audit_event_subjects"))
    engine.dispose()


def timed(samples: int, run: Callable[[int], int]) -> tuple[list[float], int]:
    times, rows = [], 0
    for i in range(samples):
        began = time.perf_counter()
        rows += run(i)
        times.append((time.perf_counter() - began) * 1000)
    return times, rows


def plan(session: Session, criteria: AuditFilter, limit: int | None) -> str:
    query = statement(criteria).limit(limit) if limit else statement(criteria)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    lines = session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    nodes = []
    for line in lines:
        node = re.sub(r"_y\d{4}m\d{2}", "_<month>", line.strip().removeprefix("->").strip().split("  (")[0])
        node = re.sub(r" audit_\w+_\d+$", "", node)  # the partition's alias
        if node and not node.startswith(("Filter", "Index Cond", "Recheck", "Sort Key", "Hash Cond", "Join Filter")):
            nodes.append(node)
    return "; ".join(dict.fromkeys(nodes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    now = dt.datetime.now(UTC).replace(microsecond=0)
    ensure_database(args.database_url)
    upgrade(args.database_url)
    fill(args.database_url, args.events, now)

    engine = make_engine(args.database_url)
    rng = random.Random(7)
    with Session(engine) as session:
        sample_calls = session.execute(text(
            f"SELECT call_sequence_id FROM audit_events TABLESAMPLE BERNOULLI "
            f"({min(100.0, 100.0 * args.samples * 20 / args.events)}) LIMIT :n"), {"n": args.samples}).all()
        partition_count = len(partitions.listed(session.connection()))
        year_ago = now - dt.timedelta(days=360)

        def day() -> dt.datetime:
            return (year_ago + dt.timedelta(days=rng.randrange(350))).replace(hour=0, minute=0, second=0)

        def between(agency: str, days: int, **more: str) -> AuditFilter:
            start = day()
            return AuditFilter(agency=agency, since=start, until=start + dt.timedelta(days=days), **more)

        searches: list[tuple[str, Callable[[int], AuditFilter], int | None]] = [
            ("by data subject (all their calls, 12 months)",
             lambda i: AuditFilter(subjects=frozenset({rng.randrange(1, PERSONS)})), None),
            ("by agency + one day (all rows)", lambda i: between(f"AG{rng.randrange(40):02d}", 1), None),
            ("by agency + one month (first page of 50)", lambda i: between(f"AG{rng.randrange(40):02d}", 30), 50),
            ("by callSequenceId",
             lambda i: AuditFilter(call_sequence_id=sample_calls[i % len(sample_calls)][0]), None),
            ("by agency + username + errors, one week",
             lambda i: between("AG07", 7, username="user-7", outcome="ERROR"), None),
        ]
        print(f"\n{args.events:,} audit events in {partition_count} partitions of audit_events; "
              f"{args.samples} searches each, sequential, through audit.query.search\n")
        print(f"{'search':<46} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'rows/search':>12}")
        for name, make, limit in searches:
            criteria = [make(i) for i in range(args.samples)]
            search(session, criteria[0])  # warm the plan and the connection

            def run(i: int, criteria: list[AuditFilter] = criteria, limit: int | None = limit) -> int:
                return sum(1 for _ in search(session, criteria[i], limit=limit))

            times, rows = timed(args.samples, run)
            times.sort()
            print(f"{name:<46} {statistics.median(times):8.2f} {times[int(len(times) * 0.9) - 1]:8.2f} "
                  f"{times[-1]:8.2f} {rows / args.samples:12.1f}")
            print(f"    plan: {plan(session, criteria[0], limit)}")
    engine.dispose()


if __name__ == "__main__":
    main()
