"""Tamper evidence for the audit store: a hash chain over every event, sealed in batches.

``seal`` extends the chain over the events not yet sealed, oldest id first:
``chain(e) = SHA-256(chain(previous event) ‖ canonical(e))``, where ``canonical(e)`` is every
column of the event and its sorted data subjects as JSON. It stores each event's chain value
(``audit_event_hashes``) and one ``audit_seals`` row per batch whose ``digest`` is the chain
after its last event and whose ``previous_digest`` is the seal before it.

It runs beside the provider (``mitroo-audit seal --every 60``, or a timer): the request path never
waits for it and holds no lock of its. It seals only events older than ``lag`` seconds, so an
insert that committed late (ids are given at insert, commits may finish out of order) is never
left out of a batch that covers its id. Two sealers racing for one batch: the unique first event
id lets one win; the other seals nothing.

``verify`` recomputes the chain from the events themselves and names the first event that was
altered (or reordered), deleted or inserted, then checks every seal. A sealed event of a month the
retention exported (verified against the chain then) and dropped counts as archived, not deleted:
the chain resumes from its stored value. Someone who can rewrite the
events *and* every later chain value and seal is caught only by comparing the latest digest with
one kept elsewhere: ``seal`` prints it, ``verify --expect-digest`` checks it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit.query import EXPORTED, as_record
from db.models import AuditEvent, AuditEventHash, AuditEventSubject, AuditRetentionRun, AuditSeal

GENESIS = "0" * 64


@dataclass(frozen=True)
class SealResult:
    seal_id: int | None  # None when there was nothing to seal (or another sealer won)
    events: int
    first_event_id: int | None
    last_event_id: int | None
    digest: str  # the chain's head after this run


@dataclass(frozen=True)
class Problem:
    kind: str  # altered | deleted | inserted | seal
    event_id: int | None
    detail: str


@dataclass(frozen=True)
class VerifyResult:
    events: int
    seals: int
    digest: str
    archived: int  # sealed events exported and dropped by the retention (checked then, skipped now)
    problem: Problem | None

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
    last = session.scalars(select(AuditSeal).order_by(AuditSeal.id.desc()).limit(1)).first()
    return (last.last_event_id, last.digest) if last else (0, GENESIS)


def seal(session: Session, *, lag: int = 60, batch: int = 50_000, now: dt.datetime | None = None) -> SealResult:
    """Seal the next batch of events older than ``lag`` seconds; commit; return what was done."""
    now = now or dt.datetime.now(dt.timezone.utc)
    last_id, digest = head(session)
    events = list(session.scalars(
        select(AuditEvent).where(AuditEvent.id > last_id, AuditEvent.server_time < now - dt.timedelta(seconds=lag))
        .order_by(AuditEvent.id).limit(batch)
    ))
    if not events:
        return SealResult(None, 0, None, None, digest)
    subjects = _subjects(session, events[0].id, events[-1].id)
    previous = digest
    chains = []
    for event in events:
        digest = link(digest, canonical(event, subjects.get(event.id, [])))
        chains.append((event.id, digest, event.server_time))
    row = AuditSeal(sealed_at=now, first_event_id=events[0].id, last_event_id=events[-1].id,
                    event_count=len(events), previous_digest=previous, digest=digest)
    try:
        session.add(row)
        session.flush()
        session.add_all(AuditEventHash(event_id=event_id, seal_id=row.id, chain=chain, event_time=at)
                        for event_id, chain, at in chains)
        session.commit()
    except IntegrityError:
        session.rollback()
        return SealResult(None, 0, None, None, head(session)[1])
    return SealResult(row.id, len(events), events[0].id, events[-1].id, digest)


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


def verify(session: Session, *, expect_digest: str | None = None) -> VerifyResult:
    """Recompute the chain from the events; return the first problem found, if any."""
    seals = list(session.scalars(select(AuditSeal).order_by(AuditSeal.id)))
    last_sealed = seals[-1].last_event_id if seals else 0
    seal_ends = {s.last_event_id: s for s in seals}
    archived_months = set(session.scalars(select(AuditRetentionRun.month)))
    digest, count, archived = GENESIS, 0, 0
    batch_subjects: dict[int, list[int]] = {}
    fetched_until = -1
    for event_id, event, row in _merged(session, last_sealed):
        if event is None:
            assert row is not None
            if row[2] is not None and dt.date(row[2].year, row[2].month, 1) in archived_months:
                digest, archived = row[1], archived + 1  # exported and dropped by the retention
                continue
            return VerifyResult(count, len(seals), digest, archived, Problem(
                "deleted", event_id, f"event {event_id} was sealed but is no longer in the audit store"))
        if row is None:
            return VerifyResult(count, len(seals), digest, archived, Problem(
                "inserted", event_id, f"event {event_id} ({event.call_sequence_id}) lies inside a sealed range "
                                      "but was never sealed: inserted afterwards"))
        if event_id > fetched_until:
            fetched_until = event_id + 5000
            batch_subjects = _subjects(session, event_id, fetched_until)
        digest = link(digest, canonical(event, batch_subjects.get(event_id, [])))
        count += 1
        if digest != row[1]:
            return VerifyResult(count, len(seals), digest, archived, Problem(
                "altered", event_id, f"event {event_id} ({event.call_sequence_id}) was altered or reordered "
                                     "after it was sealed"))
        seal_row = seal_ends.get(event_id)
        if seal_row is not None and seal_row.digest != digest:
            return VerifyResult(count, len(seals), digest, archived, Problem(
                "seal", event_id, f"seal {seal_row.id} does not match the chain at event {event_id}"))
    previous = GENESIS
    for seal_row in seals:
        if seal_row.previous_digest != previous:
            return VerifyResult(count, len(seals), digest, archived, Problem(
                "seal", seal_row.first_event_id, f"seal {seal_row.id} does not follow the seal before it"))
        previous = seal_row.digest
    if expect_digest is not None and expect_digest != digest:
        return VerifyResult(count, len(seals), digest, archived, Problem(
            "seal", None, f"the chain ends in {digest}, not in the digest kept elsewhere ({expect_digest})"))
    return VerifyResult(count, len(seals), digest, archived, None)


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
