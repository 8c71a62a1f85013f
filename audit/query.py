"""Queries over the audit store: the engine behind ``mitroo-audit search`` (and, later, the
auditors' SOAP service and web console). Plain SQLAlchemy; no spyne, no CLI concerns.

``AuditFilter`` holds every criterion; ``search`` streams matching events sorted by time (and
id), so an export of millions of rows never sits in memory. IP criteria take an exact address
or a CIDR network; a data subject is given as internal person ids, which ``subjects_of``
resolves from an AMKA, an act reference or a family-share reference.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, fields

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from db.models import (
    ActParty,
    AuditEvent,
    AuditEventSubject,
    CivilAct,
    FamilyShare,
    FamilyShareMember,
    Municipality,
    Person,
    RegistryOffice,
)

IpCriterion = ipaddress.IPv4Network | ipaddress.IPv6Network
ERROR = "ERROR"  # outcome criterion: any error code


class QueryError(ValueError):
    """A criterion cannot be used; the message says which and why."""


def ip_criterion(value: str, name: str) -> IpCriterion:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not an IP address or CIDR network") from None


@dataclass(frozen=True)
class AuditFilter:
    agency: str | None = None
    system: str | None = None
    username: str | None = None
    unit: str | None = None  # declared auditUnit
    user_id: str | None = None  # declared auditUserId
    observed_ip: IpCriterion | None = None
    declared_ip: IpCriterion | None = None  # declared auditUserIp
    service: str | None = None
    operation: str | None = None
    outcome: str | None = None  # "OK", "ERROR" (any error) or one error code
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive
    call_sequence_id: str | None = None
    transaction_id: str | None = None
    protocol: str | None = None
    subjects: frozenset[int] | None = None  # internal person ids; empty: matches nothing

    def is_empty(self) -> bool:
        return all(getattr(self, field.name) is None for field in fields(self))


_EQUALS = {
    "agency": AuditEvent.agency_code, "system": AuditEvent.system_code, "username": AuditEvent.username,
    "unit": AuditEvent.audit_unit, "user_id": AuditEvent.audit_user_id, "service": AuditEvent.service,
    "operation": AuditEvent.operation, "call_sequence_id": AuditEvent.call_sequence_id,
    "transaction_id": AuditEvent.audit_transaction_id, "protocol": AuditEvent.audit_protocol,
}


def statement(criteria: AuditFilter, *, newest_first: bool = False) -> Select[AuditEvent]:
    """The SQL part of a search (IP networks are checked on the rows, see ``search``)."""
    conditions = [column == getattr(criteria, name) for name, column in _EQUALS.items()
                  if getattr(criteria, name) is not None]
    for network, column in ((criteria.observed_ip, AuditEvent.observed_ip),
                            (criteria.declared_ip, AuditEvent.audit_user_ip)):
        if network is not None and network.num_addresses == 1:
            conditions.append(column == str(network.network_address))
    if criteria.outcome == "OK":
        conditions.append(AuditEvent.outcome == "OK")
    elif criteria.outcome == ERROR:
        conditions.append(AuditEvent.outcome != "OK")
    elif criteria.outcome is not None:
        conditions.append(AuditEvent.outcome == criteria.outcome)
    if criteria.since is not None:
        conditions.append(AuditEvent.server_time >= criteria.since)
    if criteria.until is not None:
        conditions.append(AuditEvent.server_time < criteria.until)
    if criteria.subjects is not None:
        conditions.append(exists().where(
            AuditEventSubject.event_id == AuditEvent.id,
            AuditEventSubject.event_time == AuditEvent.server_time,  # the same partition on PostgreSQL
            AuditEventSubject.person_id.in_(sorted(criteria.subjects)),
        ))
    order = (AuditEvent.server_time.desc(), AuditEvent.id.desc()) if newest_first else (
        AuditEvent.server_time, AuditEvent.id)
    return select(AuditEvent).where(*conditions).order_by(*order)


def _in(network: IpCriterion | None, value: str | None) -> bool:
    if network is None or network.num_addresses == 1:
        return True
    try:
        return value is not None and ipaddress.ip_address(value) in network
    except ValueError:
        return False  # a declared IP that was not an address matches no network


def _networks(criteria: AuditFilter) -> bool:
    """Whether a criterion is an IP network, which only the rows can check."""
    return any(network is not None and network.num_addresses > 1
               for network in (criteria.observed_ip, criteria.declared_ip))


def search(session: Session, criteria: AuditFilter, *, offset: int = 0, limit: int | None = None,
           batch: int = 1000, newest_first: bool = False) -> Iterator[AuditEvent]:
    """Matching events, oldest (or newest) first, streamed in batches of ``batch`` rows. Without an
    IP network criterion the database applies ``offset`` and ``limit`` itself."""
    query = statement(criteria, newest_first=newest_first).execution_options(yield_per=batch)
    if not _networks(criteria):
        yield from session.scalars(query.offset(offset or None).limit(limit))
        return
    skipped = returned = 0
    for event in session.scalars(query):
        if not (_in(criteria.observed_ip, event.observed_ip) and _in(criteria.declared_ip, event.audit_user_ip)):
            continue
        if skipped < offset:
            skipped += 1
            continue
        if limit is not None and returned >= limit:
            return
        returned += 1
        yield event


def find_call(session: Session, call_sequence_id: str) -> AuditEvent | None:
    """The event of one call, by its callSequenceId (the key the console's URLs use)."""
    return session.scalars(statement(AuditFilter(call_sequence_id=call_sequence_id)).limit(1)).first()


@dataclass(frozen=True)
class Subject:
    """A data subject of an event, as the registry knows the person now."""

    person_id: int
    amka: str | None
    name: str


def subjects_of_event(session: Session, event: AuditEvent) -> tuple[Subject, ...]:
    """The persons an event touched, by internal id, with their AMKA and name where the registry has them."""
    rows = session.execute(
        select(AuditEventSubject.person_id, Person.amka, Person.firstname, Person.surname)
        .outerjoin(Person, Person.id == AuditEventSubject.person_id)
        .where(AuditEventSubject.event_id == event.id).order_by(AuditEventSubject.person_id)
    )
    return tuple(Subject(pid, amka, " ".join(part for part in (first, last) if part))
                 for pid, amka, first, last in rows)


def subjects_of(
    session: Session,
    *,
    amka: str | None = None,
    act: tuple[str, int, int, int | None] | None = None,
    share: tuple[str, int] | None = None,
) -> frozenset[int]:
    """Internal person ids for a data subject named by AMKA, by act reference (office code,
    number, year, volume) or by family-share reference (municipality code, share number)."""
    ids: set[int] = set()
    if amka is not None:
        ids.update(session.scalars(select(Person.id).where(Person.amka == amka)))
    if act is not None:
        office, number, year, volume = act
        ids.update(session.scalars(
            select(ActParty.person_id).join(CivilAct, ActParty.act_id == CivilAct.id)
            .join(RegistryOffice, CivilAct.registry_office_id == RegistryOffice.id)
            .where(RegistryOffice.code == office, CivilAct.act_number == number, CivilAct.year == year,
                   CivilAct.volume.is_(None) if volume is None else CivilAct.volume == volume,
                   ActParty.person_id.is_not(None))
        ))
    if share is not None:
        municipality, number = share
        ids.update(session.scalars(
            select(FamilyShareMember.person_id).join(FamilyShare, FamilyShareMember.share_id == FamilyShare.id)
            .join(Municipality, FamilyShare.municipality_id == Municipality.id)
            .where(Municipality.code == municipality, FamilyShare.share_number == number)
        ))
    return frozenset(ids)


EXPORTED = (
    "id", "call_sequence_id", "server_time", "service", "operation", "agency_code", "system_code", "username",
    "audit_transaction_id", "audit_transaction_date", "audit_unit", "audit_protocol", "audit_user_id",
    "audit_user_ip", "observed_ip", "outcome", "outcome_detail", "purpose", "duration_ms", "request_digest",
)


def as_record(event: AuditEvent) -> dict[str, object]:
    """An event as plain values (the server time in ISO 8601, UTC), in a fixed column order."""
    record: dict[str, object] = {name: getattr(event, name) for name in EXPORTED}
    record["server_time"] = event.server_time.astimezone(dt.UTC).isoformat()
    return record
