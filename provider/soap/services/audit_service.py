"""SOAP edge of the auditors' service ``audit`` (Έλεγχος καταγραφής κλήσεων): searchAuditEvents and
getSubjectAccessReport over ``audit.query`` and ``audit.report``. Only WS users with the auditor
role may call it (``provider.access.accreditation``); its own calls are audited like every other, and the
citizen of a subject query is recorded as that call's data subject."""
from __future__ import annotations

import datetime as dt
from typing import Any

from spyne import Boolean, ComplexModel, Date, DateTime, Int

from audit import query, report
from provider.errors import ErrorCode, MitrooError
from provider.soap.call import Call
from provider.soap.services.common import Mandatory, Optional, build, service_class, text
from provider.xml import namespaces as ns

SERVICE = "audit"
TNS = ns.service(SERVICE)
DEFAULT_RESULTS, MAX_RESULTS = 100, 1000


class SearchInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "searchAuditEventsInputRecord"
    _type_info = [
        ("agency", text(**Optional)),
        ("system", text(**Optional)),
        ("username", text(**Optional)),
        ("unit", text(**Optional)),
        ("userId", text(**Optional)),
        ("observedIp", text(**Optional)),
        ("declaredIp", text(**Optional)),
        ("service", text(**Optional)),
        ("operation", text(**Optional)),
        ("outcome", text(**Optional)),
        ("since", DateTime(timezone=True, **Optional)),
        ("until", DateTime(timezone=True, **Optional)),
        ("callSequenceId", text(**Optional)),
        ("transactionId", text(**Optional)),
        ("protocol", text(**Optional)),
        ("subjectAmka", text(**Optional)),
        ("offset", Int(**Optional)),
        ("maxResults", Int(**Optional)),
    ]


class AuditEventRecord(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "auditEvent"
    _type_info = [
        ("callSequenceId", text()),
        ("serverTime", DateTime(timezone=True, **Mandatory)),
        ("service", text()),
        ("operation", text(**Optional)),
        ("agencyCode", text(**Optional)),
        ("systemCode", text(**Optional)),
        ("username", text(**Optional)),
        ("auditTransactionId", text(**Optional)),
        ("auditTransactionDate", text(**Optional)),
        ("auditUnit", text(**Optional)),
        ("auditProtocol", text(**Optional)),
        ("auditUserId", text(**Optional)),
        ("auditUserIp", text(**Optional)),
        ("observedIp", text()),
        ("outcome", text()),
        ("outcomeDetail", text(**Optional)),
        ("purpose", text(**Optional)),
        ("durationMs", Int(**Mandatory)),
    ]


class SearchResult(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "auditEventList"
    _type_info = [
        ("auditEvent", AuditEventRecord.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
        ("truncated", Boolean(**Mandatory)),
    ]


class ReportInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "getSubjectAccessReportInputRecord"
    _type_info = [
        ("amka", text()),
        ("since", Date(**Optional)),
        ("until", Date(**Optional)),
    ]


class AccessRecord(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "access"
    _type_info = [
        ("when", DateTime(timezone=True, **Mandatory)),
        ("agencyCode", text()),
        ("agencyName", text()),
        ("unit", text()),
        ("service", text()),
        ("operation", text()),
        ("protocol", text()),
        ("purpose", text(**Optional)),
        ("callSequenceId", text()),
    ]


class AccessReport(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "subjectAccessReport"
    _type_info = [
        ("amka", text()),
        ("name", text()),
        ("access", AccessRecord.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
    ]


def _invalid(field: str, reason: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_INVALID_INPUT, f"{field}: {reason}")


def _network(value: str | None, field: str) -> Any:
    if not value:
        return None
    try:
        return query.ip_criterion(value, field)
    except query.QueryError as exc:
        raise _invalid(field, str(exc)) from None


def _search(call: Call, data: Any) -> Any:
    limit = data.maxResults or DEFAULT_RESULTS
    if not 1 <= limit <= MAX_RESULTS:
        raise _invalid("maxResults", f"από 1 έως {MAX_RESULTS}")
    if data.offset is not None and data.offset < 0:
        raise _invalid("offset", "δεν μπορεί να είναι αρνητικό")
    with call.sessions() as session:
        subjects = None
        if data.subjectAmka:
            subjects = query.subjects_of(session, amka=data.subjectAmka)
            if not subjects:
                raise MitrooError(ErrorCode.MP_NOT_FOUND, f"δεν υπάρχει πρόσωπο με ΑΜΚΑ {data.subjectAmka}")
            call.touch(subjects)
        criteria = query.AuditFilter(
            agency=data.agency, system=data.system, username=data.username, unit=data.unit, user_id=data.userId,
            observed_ip=_network(data.observedIp, "observedIp"), declared_ip=_network(data.declaredIp, "declaredIp"),
            service=data.service, operation=data.operation, outcome=data.outcome, since=data.since,
            until=data.until, call_sequence_id=data.callSequenceId, transaction_id=data.transactionId,
            protocol=data.protocol, subjects=subjects,
        )
        found = list(query.search(session, criteria, offset=data.offset or 0, limit=limit + 1))
    return build(SearchResult,
        auditEvent=[build(AuditEventRecord,
            callSequenceId=e.call_sequence_id, serverTime=e.server_time, service=e.service, operation=e.operation,
            agencyCode=e.agency_code, systemCode=e.system_code, username=e.username,
            auditTransactionId=e.audit_transaction_id, auditTransactionDate=e.audit_transaction_date,
            auditUnit=e.audit_unit, auditProtocol=e.audit_protocol, auditUserId=e.audit_user_id,
            auditUserIp=e.audit_user_ip, observedIp=e.observed_ip, outcome=e.outcome,
            outcomeDetail=e.outcome_detail, purpose=e.purpose, durationMs=e.duration_ms,
        ) for e in found[:limit]],
        truncated=len(found) > limit,
    )


def _athens_midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=report.ATHENS)


def _report(call: Call, data: Any) -> Any:
    with call.sessions() as session:
        try:
            result = report.subject_report(session, data.amka.strip(), since=_athens_midnight(data.since),
                                           until=_athens_midnight(data.until), now=call.call_sequence_date)
        except report.SubjectNotFound as exc:
            raise MitrooError(ErrorCode.MP_NOT_FOUND, str(exc)) from None
        call.touch(query.subjects_of(session, amka=result.amka))
    return build(AccessReport, amka=result.amka, name=result.name, access=[build(AccessRecord,
        when=a.when, agencyCode=a.agency_code, agencyName=a.agency_name, unit=a.unit, service=a.service,
        operation=a.operation, protocol=a.protocol, purpose=a.purpose, callSequenceId=a.call_sequence_id,
    ) for a in result.accesses])


Service = service_class(
    SERVICE,
    {
        "searchAuditEvents": (SearchInput, SearchResult, _search),
        "getSubjectAccessReport": (ReportInput, AccessReport, _report),
    },
)
