"""Retention of the audit store on PostgreSQL: months older than the retention period are exported
to a compressed NDJSON archive with a manifest, the archive is read back and verified against the
hash chain, and only then are the month's partitions dropped.

For each month (oldest first) whose partitions end before the cut-off:

1. every event of the month must be sealed (``mitroo-audit seal``), else the month is refused;
2. export: ``audit-YYYY-MM.ndjson.gz``, one event per line (the audited fields, ``subjects`` and
   the event's ``chain`` value), in id order; then ``audit-YYYY-MM.manifest.json`` with the counts,
   the id range and the archive's SHA-256;
3. verify: the archive is read back from disk; its SHA-256 must match the manifest, its counts the
   database's, and every line must reproduce its stored chain value from the chain value of the
   sealed event before it: the archive holds exactly what was sealed;
4. drop: in one transaction, the month's subjects and events partitions are detached and dropped
   and an ``audit_retention_runs`` row records the month, counts, archive and digests. ``verify``
   then treats that month's sealed events as archived, not deleted.

A month that fails a step is left in place and reported; nothing is dropped that was not exported
and verified.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from audit.query import as_record
from audit.seal import GENESIS, canonical_record, head, link
from db import partitions
from db.models import AuditEvent, AuditEventHash, AuditEventSubject, AuditRetentionRun

FORMAT = "mitroo-audit-archive/1"


class RetentionError(Exception):
    """A month cannot be exported, verified or dropped; the message says why."""


@dataclass(frozen=True)
class MonthResult:
    month: dt.date
    events: int
    subjects: int
    archive: Path
    manifest: Path
    manifest_sha256: str
    dropped: bool


def cutoff(older_than: str, now: dt.datetime) -> dt.datetime:
    """``older_than`` as ``<n>d`` (days), ``<n>m`` (months) or a date ``YYYY-MM-DD``: the instant
    before which events are past retention."""
    value = older_than.strip().lower()
    try:
        if value.endswith("d"):
            return now - dt.timedelta(days=int(value[:-1]))
        if value.endswith("m"):
            months = int(value[:-1])
            total = now.year * 12 + now.month - 1 - months
            return now.replace(year=total // 12, month=total % 12 + 1, day=1, hour=0, minute=0, second=0,
                               microsecond=0)
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
    except ValueError:
        raise RetentionError(
            f"--older-than {older_than!r}: give days (400d), months (13m) or a date (2025-01-01)"
        ) from None


def due_months(connection: Connection, before: dt.datetime) -> list[dt.date]:
    """Months whose partitions end at or before ``before``, oldest first."""
    if connection.dialect.name != "postgresql":
        raise RetentionError("retention drops PostgreSQL's monthly partitions; the SQLite store is not partitioned")
    return [p.month for p in partitions.listed(connection)
            if p.month is not None and dt.datetime.combine(partitions.next_month(p.month), dt.time(),
                                                           dt.UTC) <= before]


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    utc = dt.UTC
    return dt.datetime.combine(month, dt.time(), utc), dt.datetime.combine(partitions.next_month(month), dt.time(), utc)


def _events(session: Session, month: dt.date) -> Iterator[AuditEvent]:
    start, end = _bounds(month)
    return iter(session.scalars(
        select(AuditEvent).where(AuditEvent.server_time >= start, AuditEvent.server_time < end)
        .order_by(AuditEvent.id).execution_options(yield_per=5000)))


def _subjects(session: Session, month: dt.date) -> dict[int, list[int]]:
    start, end = _bounds(month)
    found: dict[int, list[int]] = {}
    for event_id, person_id in session.execute(
        select(AuditEventSubject.event_id, AuditEventSubject.person_id)
        .where(AuditEventSubject.event_time >= start, AuditEventSubject.event_time < end)
    ):
        found.setdefault(event_id, []).append(person_id)
    return found


def _chains(session: Session, month: dt.date) -> dict[int, str]:
    start, end = _bounds(month)
    rows = session.execute(select(AuditEventHash.event_id, AuditEventHash.chain)
                           .where(AuditEventHash.event_time >= start, AuditEventHash.event_time < end))
    return {event_id: chain for event_id, chain in rows}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export(session: Session, month: dt.date, directory: Path) -> tuple[Path, Path, dict[str, object]]:
    """Write the month's archive and manifest; return their paths and the manifest."""
    start, end = _bounds(month)
    last_sealed, _ = head(session)
    unsealed = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.server_time >= start, AuditEvent.server_time < end, AuditEvent.id > last_sealed))
    if unsealed:
        raise RetentionError(f"{month:%Y-%m}: {unsealed} events are not sealed yet; run `mitroo-audit seal` first")
    directory.mkdir(parents=True, exist_ok=True)
    archive = directory / f"audit-{month:%Y-%m}.ndjson.gz"
    manifest_path = directory / f"audit-{month:%Y-%m}.manifest.json"
    subjects, chains = _subjects(session, month), _chains(session, month)
    events = subject_rows = 0
    first = last = None
    with gzip.open(archive, "wt", encoding="utf-8") as out:
        for event in _events(session, month):
            chain = chains.get(event.id)
            if chain is None:
                raise RetentionError(f"{month:%Y-%m}: event {event.id} has no chain value although sealed")
            line = as_record(event) | {"subjects": sorted(subjects.get(event.id, [])), "chain": chain}
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
            events += 1
            subject_rows += len(line["subjects"])  # type: ignore[arg-type]
            first = event.id if first is None else first
            last = event.id
    manifest: dict[str, object] = {
        "format": FORMAT, "month": f"{month:%Y-%m}", "from": start.isoformat(), "to": end.isoformat(),
        "events": events, "subjects": subject_rows, "firstEventId": first, "lastEventId": last,
        "archive": archive.name, "archiveSha256": _sha256(archive),
        "exportedAt": dt.datetime.now(dt.UTC).isoformat(),
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return archive, manifest_path, manifest


def verify_archive(session: Session, manifest_path: Path) -> dict[str, object]:
    """Read the archive back from disk and check it against its manifest, the database's counts
    and the hash chain; return the manifest, or raise RetentionError naming the first mismatch."""
    manifest: dict[str, object] = json.loads(manifest_path.read_text(encoding="utf-8"))
    month = dt.date.fromisoformat(f"{manifest['month']}-01")
    archive = manifest_path.with_name(str(manifest["archive"]))
    if _sha256(archive) != manifest["archiveSha256"]:
        raise RetentionError(f"{archive.name}: its SHA-256 does not match the manifest")
    start, end = _bounds(month)
    in_db = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.server_time >= start, AuditEvent.server_time < end))
    if in_db != manifest["events"]:
        raise RetentionError(f"{archive.name}: the manifest counts {manifest['events']} events, the database {in_db}")
    events = subjects = 0
    chains = _chain_walk(session, manifest)
    next(chains)
    with gzip.open(archive, "rt", encoding="utf-8") as lines:
        for raw in lines:
            line = json.loads(raw)
            previous, stored = chains.send(line["id"])
            if stored != line["chain"] or link(previous, canonical_record(line, line["subjects"])) != stored:
                raise RetentionError(f"{archive.name}: event {line['id']} does not reproduce its sealed chain value")
            events += 1
            subjects += len(line["subjects"])
    if (events, subjects) != (manifest["events"], manifest["subjects"]):
        raise RetentionError(f"{archive.name}: holds {events} events and {subjects} subjects, "
                             f"the manifest says {manifest['events']} and {manifest['subjects']}")
    return manifest


def _chain_walk(session: Session, manifest: dict[str, object]) -> Generator[tuple[str, str | None], int, None]:
    """Sent an event id (ascending), yields (the chain value before it, its own stored value)."""
    first, last = manifest["firstEventId"], manifest["lastEventId"]
    before = session.scalar(select(AuditEventHash.chain).where(AuditEventHash.event_id < first)
                            .order_by(AuditEventHash.event_id.desc()).limit(1)) or GENESIS
    rows = iter(session.execute(select(AuditEventHash.event_id, AuditEventHash.chain)
                                .where(AuditEventHash.event_id.between(first, last))
                                .order_by(AuditEventHash.event_id).execution_options(yield_per=5000)))
    wanted = yield ("", None)
    for event_id, chain in rows:
        while wanted < event_id:
            wanted = yield (before, None)  # an archived event without a chain value: fails the check
        if event_id == wanted:
            wanted = yield (before, chain)
        before = chain
    while True:
        wanted = yield (before, None)


def drop(session: Session, manifest: dict[str, object], manifest_sha256: str) -> None:
    """Detach and drop the month's partitions and record the run, in one transaction."""
    month = dt.date.fromisoformat(f"{manifest['month']}-01")
    connection = session.connection()
    for table in partitions.DROP_ORDER:
        name = partitions.partition_name(table, month)
        connection.execute(text(f"ALTER TABLE {table} DETACH PARTITION {name}"))
        connection.execute(text(f"DROP TABLE {name}"))
    session.add(AuditRetentionRun(
        month=month, events=int(manifest["events"]), subjects=int(manifest["subjects"]),  # type: ignore[call-overload]
        first_event_id=manifest["firstEventId"], last_event_id=manifest["lastEventId"],
        archive=str(manifest["archive"]), archive_sha256=str(manifest["archiveSha256"]),
        manifest_sha256=manifest_sha256, dropped_at=dt.datetime.now(dt.UTC)))
    session.commit()


def run(session: Session, before: dt.datetime, directory: Path, *, drop_partitions: bool = True) -> Iterator[MonthResult]:
    """Export, verify and (unless ``drop_partitions`` is false) drop every month due; yield each."""
    for month in due_months(session.connection(), before):
        archive, manifest_path, _ = export(session, month, directory)
        manifest = verify_archive(session, manifest_path)
        manifest_sha256 = _sha256(manifest_path)
        if drop_partitions:
            drop(session, manifest, manifest_sha256)
        else:
            session.rollback()
        yield MonthResult(month, int(manifest["events"]), int(manifest["subjects"]),  # type: ignore[call-overload]
                          archive, manifest_path, manifest_sha256, drop_partitions)
