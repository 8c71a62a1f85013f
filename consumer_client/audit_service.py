"""Typed methods of the auditors' service ``audit`` (users with the auditor role only)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consumer_client.core import ClientCore
from consumer_client.models import Reply, build

SERVICE = "audit"


@dataclass(frozen=True)
class AuditEvent:
    call_sequence_id: str
    server_time: dt.datetime
    service: str
    observed_ip: str
    outcome: str
    duration_ms: int
    operation: str | None = None
    agency_code: str | None = None
    system_code: str | None = None
    username: str | None = None
    audit_transaction_id: str | None = None
    audit_transaction_date: str | None = None
    audit_unit: str | None = None
    audit_protocol: str | None = None
    audit_user_id: str | None = None
    audit_user_ip: str | None = None
    outcome_detail: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class AuditEventList:
    audit_event: tuple[AuditEvent, ...]
    truncated: bool


@dataclass(frozen=True)
class Access:
    when: dt.datetime
    agency_code: str
    agency_name: str
    unit: str
    service: str
    operation: str
    protocol: str
    call_sequence_id: str
    purpose: str | None = None


@dataclass(frozen=True)
class SubjectAccessReport:
    amka: str
    name: str
    access: tuple[Access, ...] = ()


class AuditService(ClientCore):
    def search_audit_events(
        self, *, protocol: str, agency: str | None = None, system: str | None = None, username: str | None = None,
        unit: str | None = None, user_id: str | None = None, observed_ip: str | None = None,
        declared_ip: str | None = None, service: str | None = None, operation: str | None = None,
        outcome: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None,
        call_sequence_id: str | None = None, transaction_id: str | None = None, audit_protocol: str | None = None,
        subject_amka: str | None = None, offset: int | None = None, max_results: int | None = None,
    ) -> Reply[AuditEventList]:
        """Audit events matching every criterion, oldest first (auditors only)."""
        return self.call(
            SERVICE, "searchAuditEvents", protocol, lambda out: build(AuditEventList, out),
            agency=agency, system=system, username=username, unit=unit, userId=user_id, observedIp=observed_ip,
            declaredIp=declared_ip, service=service, operation=operation, outcome=outcome, since=since, until=until,
            callSequenceId=call_sequence_id, transactionId=transaction_id, protocol=audit_protocol,
            subjectAmka=subject_amka, offset=offset, maxResults=max_results,
        )

    def get_subject_access_report(self, *, protocol: str, amka: str, since: dt.date | None = None,
                                  until: dt.date | None = None) -> Reply[SubjectAccessReport]:
        """Every access to one citizen's data (auditors only)."""
        return self.call(SERVICE, "getSubjectAccessReport", protocol, lambda out: build(SubjectAccessReport, out),
                         amka=amka, since=since, until=until)
