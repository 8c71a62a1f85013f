"""Monthly partitions of the audit store on PostgreSQL (SQLite keeps plain tables).

``audit_events`` is partitioned by ``server_time`` and ``audit_event_subjects`` by ``event_time``
(the same instant, copied), month by month in UTC, so one month of calls and its data subjects
can be exported and dropped together (``mitroo-audit retention``). A DEFAULT partition catches an
event whose month has no partition yet, so an audit write never fails for want of one; ``ensure``
creates the months ahead (the provider and ``mitroo-audit seal`` call it) and leaves alone a month
that already has rows in the default partition, reporting it.

Partitions are named ``<table>_yYYYYmMM``. The append-only guard: a row-level trigger on each
parent (PostgreSQL clones it onto every partition) refuses UPDATE and DELETE, and a statement-level
trigger on every partition refuses TRUNCATE. Dropping a partition is DDL, the retention's job.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

# parent table -> the timestamp column it is partitioned by
PARTITIONED = {"audit_events": "server_time", "audit_event_subjects": "event_time"}
# Referencing tables before referenced ones: the order in which a month's partitions are dropped.
DROP_ORDER = ("audit_event_subjects", "audit_events")
_NAME = re.compile(r"^(audit_events|audit_event_subjects)_(?:y(\d{4})m(\d{2})|default)$")


@dataclass(frozen=True)
class Partition:
    table: str  # the parent
    name: str
    month: dt.date | None  # first day of the month; None for the default partition


def is_partition(name: str) -> bool:
    return _NAME.match(name) is not None


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    return dt.date(moment.year, moment.month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_y{month.year:04d}m{month.month:02d}"


def listed(connection: Connection, table: str = "audit_events") -> list[Partition]:
    """The partitions of ``table``, oldest month first, the default partition last."""
    names = connection.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :table"), {"table": table}).scalars()
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            month = dt.date(int(match[2]), int(match[3]), 1) if match[2] else None
            found.append(Partition(table, name, month))
    return sorted(found, key=lambda p: (p.month is None, p.month or dt.date.min))


def guard_truncate(connection: Connection, name: str) -> None:
    connection.execute(text(
        f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
        "FOR EACH STATEMENT EXECUTE FUNCTION mitroo_audit_append_only()"))


def create(connection: Connection, table: str, month: dt.date | None) -> str:
    """Create one partition of ``table`` (the default one when ``month`` is None), guarded."""
    if month is None:
        name, bounds = f"{table}_default", "DEFAULT"
    else:
        name = partition_name(table, month)
        bounds = f"FOR VALUES FROM ('{month.isoformat()} 00:00:00') TO ('{next_month(month).isoformat()} 00:00:00')"
    connection.execute(text(f"CREATE TABLE {name} PARTITION OF {table} {bounds}"))
    guard_truncate(connection, name)
    return name


def in_default(connection: Connection, month: dt.date) -> int:
    column = PARTITIONED["audit_events"]
    count: int = connection.execute(text(
        f"SELECT count(*) FROM audit_events_default WHERE {column} >= :start AND {column} < :end"),
        {"start": dt.datetime.combine(month, dt.time()), "end": dt.datetime.combine(next_month(month), dt.time())},
    ).scalar_one()
    return count


@dataclass(frozen=True)
class Ensured:
    created: tuple[str, ...]
    blocked: tuple[dt.date, ...]  # months whose events already sit in the default partition


def ensure(connection: Connection, through: dt.date, start: dt.date | None = None) -> Ensured:
    """Create the monthly partitions from ``start`` (default: the current month) through the
    month of ``through``; a no-op on SQLite. Commit is the caller's."""
    if connection.dialect.name != "postgresql":
        return Ensured((), ())
    existing = {p.month for p in listed(connection)}
    created: list[str] = []
    blocked: list[dt.date] = []
    month = month_of(start or dt.datetime.now(dt.UTC))
    while month <= month_of(through):
        if month not in existing:
            if in_default(connection, month):
                blocked.append(month)
            else:
                created.extend(create(connection, table, month) for table in PARTITIONED)
        month = next_month(month)
    return Ensured(tuple(created), tuple(blocked))


def ensure_ahead(connection: Connection, months: int = 3) -> Ensured:
    """The current month and ``months`` after it."""
    return ensure(connection, ensure_months_ahead(dt.datetime.now(dt.UTC), months))


def ensure_months_ahead(now: dt.datetime, months: int = 3) -> dt.date:
    month = month_of(now)
    for _ in range(months):
        month = next_month(month)
    return month
