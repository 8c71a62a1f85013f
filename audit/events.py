"""Recording audit events (docs/design.md §7 Audit): one per call, committed before the response leaves.

``record`` writes the event, its data subjects and (for an accepted call) the replay-guard row
in one transaction. A failure raises ``AuditUnavailable``; the caller then answers
MP_SERVICE_UNAVAILABLE and returns no data. A replayed transaction id that slipped past the
early check (two concurrent calls) raises ``ReplayDetected`` instead.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.models import AuditEvent, AuditEventSubject, UsedTransaction


class AuditUnavailable(Exception):
    """The audit store could not be written."""


class ReplayDetected(Exception):
    """The (agency, unit, transaction id) was used by a concurrent call."""


@dataclass(frozen=True)
class TransactionClaim:
    agency_id: int
    audit_unit: str
    transaction_id: str
    content_digest: str


@dataclass(frozen=True)
class Event:
    call_sequence_id: str
    server_time: dt.datetime
    service: str
    operation: str | None
    observed_ip: str
    outcome: str
    duration_ms: int
    request_digest: str
    outcome_detail: str | None = None
    agency_code: str | None = None
    system_code: str | None = None
    username: str | None = None
    declared: dict[str, str | None] = field(default_factory=dict)
    subjects: frozenset[int] = frozenset()
    purpose: str | None = None


_EVENTS, _SUBJECTS, _USED = AuditEvent.__table__, AuditEventSubject.__table__, UsedTransaction.__table__
# Plain Core INSERTs, built once: the ORM's unit of work and its per-row coercions buy nothing for rows
# that are never read back here.
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_INSERT_CLAIM = insert(_USED)
_INSERT_SUBJECTS = insert(_SUBJECTS)


def record(sessions: sessionmaker[Session], event: Event, claim: TransactionClaim | None = None,
           also: Callable[[Session], None] | None = None) -> int:
    """Write ``event`` (and ``claim``), run ``also`` in the same transaction (the gateway frees the call's
    concurrency slot there) and commit; return the event id."""
    declared = event.declared
    try:
        with sessions() as session:
            connection = session.connection()
            try:
                event_id = connection.execute(_INSERT_EVENT, {
                    "call_sequence_id": event.call_sequence_id,
                    "server_time": event.server_time,
                    "service": event.service,
                    "operation": event.operation,
                    "agency_code": event.agency_code,
                    "system_code": event.system_code,
                    "username": event.username,
                    "audit_transaction_id": declared.get("auditTransactionId"),
                    "audit_transaction_date": declared.get("auditTransactionDate"),
                    "audit_unit": declared.get("auditUnit"),
                    "audit_protocol": declared.get("auditProtocol"),
                    "audit_user_id": declared.get("auditUserId"),
                    "audit_user_ip": declared.get("auditUserIp"),
                    "observed_ip": event.observed_ip[:45],
                    "outcome": event.outcome,
                    "outcome_detail": event.outcome_detail,
                    "duration_ms": event.duration_ms,
                    "request_digest": event.request_digest,
                    "purpose": event.purpose,
                }).scalar_one()
                if claim is not None:
                    connection.execute(_INSERT_CLAIM, {
                        "agency_id": claim.agency_id,
                        "audit_unit": claim.audit_unit,
                        "transaction_id": claim.transaction_id,
                        "call_sequence_id": event.call_sequence_id,
                        "used_at": event.server_time,
                        "content_digest": claim.content_digest,
                    })
                if event.subjects:
                    connection.execute(_INSERT_SUBJECTS, [
                        {"event_id": event_id, "person_id": person_id, "event_time": event.server_time}
                        for person_id in sorted(event.subjects)
                    ])
                if also is not None:
                    also(session)
                session.commit()
            except IntegrityError as exc:
                session.rollback()
                if claim is not None and "used_transactions" in str(exc.orig):
                    raise ReplayDetected() from None
                raise
            return int(event_id)
    except SQLAlchemyError as exc:
        raise AuditUnavailable(type(exc).__name__) from exc
