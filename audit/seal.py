"""Tamper evidence for the audit store: a hash chain over every event, sealed in batches.

``seal`` extends the chain over the events not yet sealed, oldest id first:
``chain(e) = SHA-256(chain(previous event) ‖ canonical(e))``, where ``canonical(e)`` is every
column of the event and its sorted data subjects as JSON. It stores each event's chain value
(``audit_event_hashes``) and one ``audit_seals`` row per batch whose ``digest`` is the chain
after its last event and whose ``previous_digest`` is the seal before it.

It runs beside the provider (``mitroo-audit seal --every 60``, or a timer): the request path never
waits for it and holds no lock of its. It seals events in id order up to the first one younger
than ``lag`` seconds (the sealing lag: longer than a call takes from its start, the event's server
time, to its commit), so an insert that committed late is never left out of a batch that covers
its id. Two sealers racing for one batch: the unique first event id lets one win; the other seals
nothing.

Order in time is evidence too: an event that is not part of a seal although its server time lies
more than twice that seal's lag before it was inserted afterwards and back-dated. ``seal`` refuses
to chain it in; ``verify`` names it, sealed or not.

Each seal is also written, signed, to the seal log outside the database (``audit.sealrecords``).
``verify`` recomputes the chain from the events themselves and names the first event that was
altered (or reordered), deleted, inserted or back-dated, checks every seal, then compares the seals
with the signed records: a record the database lacks is a truncated tail, a seal without a record
(or a record without a valid signature) a forgery. A sealed event of a month the retention exported
(verified against the chain then) and dropped counts as archived, not deleted: the chain resumes
from its stored value.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit.query import EXPORTED, as_record
from audit.sealrecords import LogLine, SealLog, SealRecord
from db.models import AuditEvent, AuditEventHash, AuditEventSubject, AuditRetentionRun, AuditSeal

GENESIS = "0" * 64


@dataclass(frozen=True)
class SealResult:
    seal_id: int | None  # None when there was nothing to seal (or another sealer won)
    events: int
    first_event_id: int | None
    last_event_id: int | None
    digest: str  # the chain's head after this run
    warnings: tuple[str, ...] = ()  # a seal recorded without its timestamp (the TSA failed)


@dataclass(frozen=True)
class Problem:
    kind: str  # altered | deleted | inserted | backdated | seal | truncated | record
    event_id: int | None
    detail: str


@dataclass(frozen=True)
class VerifyResult:
    events: int
    seals: int
    digest: str
    archived: int  # sealed events exported and dropped by the retention (checked then, skipped now)
    problem: Problem | None
    records: int | None = None  # seal records compared (None: no seal log given)
    timestamped: int = 0  # of which carry a TSA timestamp that verified

    @property
    def ok(self) -> bool:
        return self.problem is None


def canonical_record(record: dict[str, object], subjects: list[int]) -> bytes:
    """The bytes an event is chained by: its audited fields (``as_record``) and sorted subjects.
    An archived line (audit.retention) holds the same values, so it reproduces the same bytes."""
    return json.dumps({"event": [record[name] for name in EXPORTED], "subjects": sorted(subjects)},
                      ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def canonical(event: AuditEvent, subjects: list[int]) -> bytes:
    return canonical_record(as_record(event), subjects)


def link(previous: str, canonical_bytes: bytes) -> str:
    return hashlib.sha256(previous.encode("ascii") + canonical_bytes).hexdigest()


def _subjects(session: Session, first: int, last: int) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for event_id, person_id in session.execute(
        select(AuditEventSubject.event_id, AuditEventSubject.person_id)
        .where(AuditEventSubject.event_id.between(first, last))
    ):
        found.setdefault(event_id, []).append(person_id)
    return found


def head(session: Session) -> tuple[int, str]:
    """(last sealed event id, chain digest there); (0, GENESIS) before the first seal."""
    last = _last_seal(session)
    return (last.last_event_id, last.digest) if last else (0, GENESIS)


def _last_seal(session: Session) -> AuditSeal | None:
    return session.scalars(select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1)).first()


def backdating_limit(row: AuditSeal) -> dt.datetime:
    """An event not part of ``row`` whose server time lies before this was inserted after it.

    ``row`` sealed every event whose call began more than ``lag`` before ``sealed_at``, taking them
    in id order up to the first younger one; a genuine call commits within ``lag`` of its start
    (that is what the lag is for), so one it left out began at most one more ``lag`` earlier."""
    return row.sealed_at - dt.timedelta(seconds=2 * row.lag_seconds)


def _backdated(event: AuditEvent, row: AuditSeal) -> Problem:
    return Problem("backdated", event.id, (
        f"event {event.id} ({event.call_sequence_id}) is dated {event.server_time:%Y-%m-%d %H:%M:%S} UTC, "
        f"more than twice the sealing lag ({row.lag_seconds} s) before seal {row.id} of "
        f"{row.sealed_at:%Y-%m-%d %H:%M:%S} UTC, yet was not part of it: inserted afterwards and back-dated"))


class SealRefused(Exception):
    """``seal`` found something it must not chain in, or a seal log that does not match the store."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def _record(row: AuditSeal) -> SealRecord:
    return SealRecord(seal=row.id, first_event_id=row.first_event_id, last_event_id=row.last_event_id,
                      events=row.event_count, previous_digest=row.previous_digest, digest=row.digest,
                      sealed_at=row.sealed_at.astimezone(dt.UTC).isoformat(), lag_seconds=row.lag_seconds)


def _catch_up(session: Session, log: SealLog) -> list[str]:
    """Record the seals the database has and the seal log lacks (a sealer stopped between its
    commit and its record, or a store sealed before the log existed), once the whole chain
    recomputes from the events; refuse a log whose newest record is not in the database. Returns
    the TSA's warnings."""
    newest = log.last()
    if newest is not None and session.scalars(select(AuditSeal).where(
            AuditSeal.last_event_id == newest.last_event_id, AuditSeal.digest == newest.digest)).first() is None:
        raise SealRefused(Problem("truncated", newest.first_event_id, (
            f"the seal log's newest record (seal {newest.seal}, events {newest.first_event_id}-"
            f"{newest.last_event_id}, digest {newest.digest}) is not in the database: sealed events "
            "were deleted; run mitroo-audit verify")))
    seals = list(session.scalars(select(AuditSeal).order_by(AuditSeal.id)))
    pending = [row for row in seals if row.last_event_id > (newest.last_event_id if newest else 0)]
    if not pending:
        return []
    problem = _chain_problem(session, seals)[3]
    if problem is not None:
        raise SealRefused(problem)
    warnings = []
    previous = newest.digest if newest else GENESIS
    for row in pending:
        if row.previous_digest != previous:
            raise SealRefused(Problem("seal", row.first_event_id, (
                f"seal {row.id} (events {row.first_event_id}-{row.last_event_id}) has no record in the seal log "
                "and does not follow the last recorded seal: run mitroo-audit verify")))
        warning = log.write(_record(row))
        warnings += [warning] if warning else []
        previous = row.digest
    return warnings


def seal(session: Session, *, lag: int = 60, batch: int = 50_000, now: dt.datetime | None = None,
         log: SealLog | None = None) -> SealResult:
    """Seal the next batch of events older than ``lag`` seconds; commit; write its signed record
    to ``log``; return what was done. Raises ``SealRefused`` (nothing sealed) for a back-dated
    event or a seal log that does not match the store, and ``SealLogError`` when the record cannot
    be written (the seal is committed; the next run records it)."""
    now = now or dt.datetime.now(dt.UTC)
    warnings = _catch_up(session, log) if log is not None else []
    previous_seal = _last_seal(session)
    last_id, digest = (previous_seal.last_event_id, previous_seal.digest) if previous_seal else (0, GENESIS)
    cutoff = now - dt.timedelta(seconds=lag)
    # In id order up to the first event still inside the lag: a later id never enters a batch
    # before an earlier one, so no unsealed id is left behind inside a sealed range.
    young = session.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.id > last_id,
                                                                 AuditEvent.server_time >= cutoff))
    events = list(session.scalars(
        select(AuditEvent).where(AuditEvent.id > last_id, *([AuditEvent.id < young] if young else []))
        .order_by(AuditEvent.id).limit(batch)
    ))
    if not events:
        return SealResult(None, 0, None, None, digest, tuple(warnings))
    if previous_seal is not None:
        limit = backdating_limit(previous_seal)
        for event in events:
            if event.server_time < limit:
                session.rollback()
                raise SealRefused(_backdated(event, previous_seal))
    subjects = _subjects(session, events[0].id, events[-1].id)
    previous = digest
    chains = []
    for event in events:
        digest = link(digest, canonical(event, subjects.get(event.id, [])))
        chains.append((event.id, digest, event.server_time))
    row = AuditSeal(sealed_at=now, first_event_id=events[0].id, last_event_id=events[-1].id,
                    event_count=len(events), previous_digest=previous, digest=digest, lag_seconds=lag)
    try:
        session.add(row)
        session.flush()
        session.add_all(AuditEventHash(event_id=event_id, seal_id=row.id, chain=chain, event_time=at)
                        for event_id, chain, at in chains)
        session.commit()
    except IntegrityError:
        session.rollback()
        return SealResult(None, 0, None, None, head(session)[1], tuple(warnings))
    if log is not None:
        warning = log.write(_record(row))
        warnings += [warning] if warning else []
    return SealResult(row.id, len(events), events[0].id, events[-1].id, digest, tuple(warnings))


Stored = tuple[int, str, "dt.datetime | None"]  # a hash row: event id, chain value, event time


def _merged(session: Session, last_sealed: int) -> Iterator[tuple[int, AuditEvent | None, Stored | None]]:
    """(id, event, stored hash row) over every id up to the last sealed one, from both sides."""
    events = iter(session.scalars(select(AuditEvent).where(AuditEvent.id <= last_sealed)
                                  .order_by(AuditEvent.id).execution_options(yield_per=5000)))
    hashes = iter(session.execute(select(AuditEventHash.event_id, AuditEventHash.chain, AuditEventHash.event_time)
                                  .order_by(AuditEventHash.event_id).execution_options(yield_per=5000)))
    event, stored = next(events, None), next(hashes, None)
    while event is not None or stored is not None:
        if stored is None or (event is not None and event.id < stored[0]):
            yield event.id, event, None  # type: ignore[union-attr]
            event = next(events, None)
        elif event is None or stored[0] < event.id:
            yield stored[0], None, stored
            stored = next(hashes, None)
        else:
            yield event.id, event, stored
            event, stored = next(events, None), next(hashes, None)


def _chain_problem(session: Session, seals: list[AuditSeal]) -> tuple[int, str, int, Problem | None]:
    """Recompute the chain from the events: (events, digest, archived, the first problem)."""
    last_sealed = seals[-1].last_event_id if seals else 0
    seal_ends = {s.last_event_id: s for s in seals}
    archived_months = set(session.scalars(select(AuditRetentionRun.month)))
    digest, count, archived = GENESIS, 0, 0
    batch_subjects: dict[int, list[int]] = {}
    fetched_until = -1
    newest_before: AuditSeal | None = None  # the seal whose back-dating limit applies to the next event
    for event_id, event, row in _merged(session, last_sealed):
        if event is None:
            assert row is not None
            if row[2] is not None and dt.date(row[2].year, row[2].month, 1) in archived_months:
                digest, archived = row[1], archived + 1  # exported and dropped by the retention
            else:
                return count, digest, archived, Problem(
                    "deleted", event_id, f"event {event_id} was sealed but is no longer in the audit store")
        else:
            if row is None:
                return count, digest, archived, Problem(
                    "inserted", event_id, f"event {event_id} ({event.call_sequence_id}) lies inside a sealed range "
                                          "but was never sealed: inserted afterwards")
            if event_id > fetched_until:
                fetched_until = event_id + 5000
                batch_subjects = _subjects(session, event_id, fetched_until)
            digest = link(digest, canonical(event, batch_subjects.get(event_id, [])))
            count += 1
            if digest != row[1]:
                return count, digest, archived, Problem(
                    "altered", event_id, f"event {event_id} ({event.call_sequence_id}) was altered or reordered "
                                         "after it was sealed")
            if newest_before is not None and event.server_time < backdating_limit(newest_before):
                return count, digest, archived, _backdated(event, newest_before)
        seal_row = seal_ends.get(event_id)
        if seal_row is not None:
            if seal_row.digest != digest:
                return count, digest, archived, Problem(
                    "seal", event_id, f"seal {seal_row.id} does not match the chain at event {event_id}")
            if newest_before is None or backdating_limit(seal_row) > backdating_limit(newest_before):
                newest_before = seal_row
    if newest_before is not None:
        late = session.scalars(select(AuditEvent).where(
            AuditEvent.id > last_sealed, AuditEvent.server_time < backdating_limit(newest_before))
            .order_by(AuditEvent.id).limit(1)).first()
        if late is not None:
            return count, digest, archived, _backdated(late, newest_before)
    return count, digest, archived, None


def _records_problem(seals: list[AuditSeal], lines: list[LogLine], where: str) -> Problem | None:
    """Compare the database's seals with the signed records of the seal log, in order."""
    for line in lines:
        if line.problem is not None:
            return Problem("record", line.record.first_event_id if line.record else None,
                           f"seal log {where}: {line.problem}")
    records = [line.record for line in lines if line.record is not None]
    previous, previous_seal = GENESIS, None
    for line, record in zip(lines, records):
        if record.previous_digest != previous:
            after = f"seal {previous_seal}" if previous_seal else "the start"
            return Problem("record", record.first_event_id, (
                f"seal log {where}, line {line.number} (seal {record.seal}) does not follow the record before it: "
                f"the records of the seals between {after} and seal {record.seal} are missing"))
        previous, previous_seal = record.digest, record.seal
    for row, record in zip(seals, records):
        if (row.first_event_id, row.last_event_id, row.event_count, row.previous_digest, row.digest) != (
                record.first_event_id, record.last_event_id, record.events, record.previous_digest, record.digest):
            return Problem("seal", row.first_event_id, (
                f"seal {row.id} (events {row.first_event_id}-{row.last_event_id}, digest {row.digest}) does not match "
                f"its signed record (seal {record.seal}: events {record.first_event_id}-{record.last_event_id}, digest "
                f"{record.digest}): the sealed events and their seals were rewritten"))
    if len(records) > len(seals):
        lost = records[len(seals):]
        which = f"seal {lost[0].seal}" if len(lost) == 1 else f"{len(lost)} seals ({lost[0].seal}-{lost[-1].seal})"
        return Problem("truncated", lost[0].first_event_id, (
            f"the seal log records {which} no longer in the database, events {lost[0].first_event_id}-"
            f"{lost[-1].last_event_id} ({sum(r.events for r in lost)} events): the newest sealed events were deleted"))
    if len(seals) > len(records):
        row = seals[len(records)]
        return Problem("record", row.first_event_id, (
            f"seal {row.id} (events {row.first_event_id}-{row.last_event_id}) has no record in the seal log {where}: "
            "a forged seal, or its record was removed"))
    return None


def verify(session: Session, *, expect_digest: str | None = None, records: list[LogLine] | None = None,
           records_from: str = "") -> VerifyResult:
    """Recompute the chain from the events, check every seal and, given the seal log's ``records``
    (``audit.sealrecords.read``), that the seals are exactly the signed ones; return the first
    problem found, if any."""
    seals = list(session.scalars(select(AuditSeal).order_by(AuditSeal.id)))
    count, digest, archived, problem = _chain_problem(session, seals)

    def result(problem: Problem | None) -> VerifyResult:
        timestamped = sum(1 for line in records or [] if line.timestamped_at is not None)
        return VerifyResult(count, len(seals), digest, archived, problem,
                            None if records is None else len(records), timestamped)

    if problem is not None:
        return result(problem)
    previous = GENESIS
    for seal_row in seals:
        if seal_row.previous_digest != previous:
            return result(Problem("seal", seal_row.first_event_id,
                                  f"seal {seal_row.id} does not follow the seal before it"))
        previous = seal_row.digest
    if records is not None:
        problem = _records_problem(seals, records, records_from)
        if problem is not None:
            return result(problem)
    if expect_digest is not None and expect_digest != digest:
        return result(Problem(
            "seal", None, f"the chain ends in {digest}, not in the digest kept elsewhere ({expect_digest})"))
    return result(None)


def unsealed(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id > head(session)[0])) or 0


SEALED = "sealed"  # sealed, and its link of the chain recomputes from the event as stored
NOT_SEALED = "not-sealed"  # newer than the last seal: the next seal run covers it
ALTERED = "altered"  # sealed, but the event (or its subjects) no longer give the stored chain value
MISSING = "missing"  # inside a sealed range without a chain value: inserted after the seal


@dataclass(frozen=True)
class EventSeal:
    status: str  # SEALED | NOT_SEALED | ALTERED | MISSING
    seal_id: int | None
    sealed_at: dt.datetime | None


def event_status(session: Session, event: AuditEvent) -> EventSeal:
    """The seal status of one event: its own link is recomputed from the previous sealed event's
    stored chain value and the event as it is now. (Only ``verify`` checks the whole chain.)"""
    stored = session.scalars(select(AuditEventHash).where(AuditEventHash.event_id == event.id)).first()
    if stored is None:
        return EventSeal(NOT_SEALED if event.id > head(session)[0] else MISSING, None, None)
    previous = session.scalar(select(AuditEventHash.chain).where(AuditEventHash.event_id < event.id)
                              .order_by(AuditEventHash.event_id.desc()).limit(1)) or GENESIS
    subjects = _subjects(session, event.id, event.id).get(event.id, [])
    row = session.get(AuditSeal, stored.seal_id)
    status = SEALED if link(previous, canonical(event, subjects)) == stored.chain else ALTERED
    return EventSeal(status, stored.seal_id, row.sealed_at if row else None)
