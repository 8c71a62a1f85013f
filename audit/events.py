"""Recording audit events (docs/design.md §7 Audit): one per call, committed before the response leaves.

``record`` writes the event, its data subjects and (for an accepted call) the replay-guard row,
and frees the call's concurrency slot, in one transaction: on PostgreSQL one statement (data-modifying
CTEs), on SQLite, which has none, one statement per table. A failure raises ``AuditUnavailable``; the
caller then answers MP_SERVICE_UNAVAILABLE and returns no data. A replayed transaction id that slipped
past the early check (two concurrent calls) raises ``ReplayDetected`` instead.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BindParameter, Connection, Integer, Select, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from db.engine import CallSessions
from db.models import AuditEvent, AuditEventSubject, UsedTransaction
from provider.access.concurrency import RELEASE, Slot, release_parameters


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


def _values(table: Table, prefix: str = "") -> dict[str, BindParameter[Any]]:
    """A bind parameter for each column the INSERT writes (all but the id the database numbers)."""
    return {column.name: bindparam(prefix + column.name, type_=column.type) for column in table.c if column.name != "id"}


# Plain Core INSERTs, built once: the ORM's unit of work and its per-row coercions buy nothing for rows
# that are never read back here. (The claim's parameters are prefixed: one PostgreSQL statement holds both.)
_INSERT_EVENT = insert(_EVENTS).values(_values(_EVENTS)).returning(_EVENTS.c.id, _EVENTS.c.server_time)
_INSERT_CLAIM = insert(_USED).values(_values(_USED, "claim_"))
_INSERT_SUBJECTS = insert(_SUBJECTS)


def _record_statement(claiming: bool, releasing: bool) -> Select[int]:
    """PostgreSQL: the event, its subjects (from the array ``person_ids``), the claim when ``claiming``
    and the slot's release when ``releasing``, in one statement returning the event id."""
    event = _INSERT_EVENT.cte("event")
    parts = [insert(_SUBJECTS).from_select(["event_id", "person_id", "event_time"], select(
        event.c.id, func.unnest(bindparam("person_ids", type_=ARRAY(Integer))), event.c.server_time,
    )).cte("subjects")]
    if claiming:
        parts.append(_INSERT_CLAIM.cte("claim"))
    if releasing:
        parts.append(RELEASE.cte("released"))
    return select(event.c.id).add_cte(*parts)


_RECORD = {(claiming, releasing): _record_statement(claiming, releasing)
           for claiming in (False, True) for releasing in (False, True)}


def record(sessions: CallSessions, event: Event, claim: TransactionClaim | None = None,
           slot: Slot | None = None) -> int:
    """Write ``event`` (and ``claim``), free the call's concurrency ``slot`` in the same transaction and
    commit; return the event id. (On PostgreSQL one statement, sent in autocommit: it is its own
    transaction.)"""
    try:
        with sessions.autocommit() as session:
            try:
                event_id = _write(session.connection(), event, claim, slot)
                session.commit()
            except IntegrityError as exc:
                session.rollback()
                if claim is not None and "used_transactions" in str(exc.orig):
                    raise ReplayDetected() from None
                raise
            return event_id
    except SQLAlchemyError as exc:
        raise AuditUnavailable(type(exc).__name__) from exc


def _write(connection: Connection, event: Event, claim: TransactionClaim | None, slot: Slot | None) -> int:
    declared = event.declared
    parameters: dict[str, Any] = {
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
    }
    claimed = {} if claim is None else {
        "claim_agency_id": claim.agency_id,
        "claim_audit_unit": claim.audit_unit,
        "claim_transaction_id": claim.transaction_id,
        "claim_call_sequence_id": event.call_sequence_id,
        "claim_used_at": event.server_time,
        "claim_content_digest": claim.content_digest,
    }
    released = {} if slot is None else release_parameters(slot)
    subjects = sorted(event.subjects)
    if connection.dialect.name == "postgresql":
        statement = _RECORD[claim is not None, slot is not None]
        return int(connection.execute(statement, {**parameters, **claimed, **released, "person_ids": subjects}
                                      ).scalar_one())
    event_id = int(connection.execute(_INSERT_EVENT, parameters).scalar_one())
    if claimed:
        connection.execute(_INSERT_CLAIM, claimed)
    if subjects:
        connection.execute(_INSERT_SUBJECTS, [
            {"event_id": event_id, "person_id": person_id, "event_time": event.server_time} for person_id in subjects
        ])
    if released:
        connection.execute(RELEASE, released)
    return event_id
