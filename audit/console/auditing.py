"""Every console query is itself an audit event (service ``auditConsole``), written with the
provider's ``audit.events.record`` before anything is shown: if it cannot be written, the page
shows no data (fail closed, as the provider does).

Operations: login, logout, language, search, export, callDetail, revealSubjects, dashboard,
subjectReport, and ``refused`` for a request to no page. The event holds the auditor (username,
agency, system), the observed IP, what was asked in ``outcome_detail`` (the filter, the call
opened, the report's period; personal numbers masked, the persons asked about being the event's
data subjects), and, for a reveal, the reason in ``purpose`` and a case number in auditProtocol.
Refused requests are events too, with the error code as outcome.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from audit import events
from audit.console.auth import Auditor
from audit.console.masking import mask_numbers
from db.engine import CallSessions

SERVICE = "auditConsole"
HIDDEN_FIELDS = frozenset({"password", "csrf_token"})  # never part of a request's digest


@dataclass(frozen=True)
class Request:
    """What the audit keeps of one console request."""

    method: str
    path: str
    query: str
    form: tuple[tuple[str, str], ...]
    observed_ip: str
    started: float  # time.monotonic() when the request began

    def digest(self) -> str:
        """SHA-256 of the method, path, query and form fields (never the password or CSRF token)."""
        lines = [self.method, self.path, self.query]
        lines += [f"{name}={value}" for name, value in sorted(self.form) if name not in HIDDEN_FIELDS]
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def request_of(method: str, path: str, query: str, form: Mapping[str, str] | Iterable[tuple[str, str]],
               observed_ip: str, started: float) -> Request:
    items = form.items() if isinstance(form, Mapping) else form
    return Request(method, path, query, tuple((str(k), str(v)) for k, v in items), observed_ip, started)


def record(sessions: CallSessions, request: Request, operation: str, *, auditor: Auditor | None,
           outcome: str = "OK", detail: str | None = None, subjects: frozenset[int] = frozenset(),
           purpose: str | None = None, protocol: str | None = None, username: str | None = None) -> str:
    """Write the audit event of one console action; return its callSequenceId. Raises
    ``audit.events.AuditUnavailable`` when the store cannot be written."""
    call_sequence_id = str(uuid.uuid4())
    declared: dict[str, str | None] = {"auditProtocol": protocol} if protocol else {}
    events.record(sessions, events.Event(
        call_sequence_id=call_sequence_id,
        server_time=dt.datetime.now(dt.UTC),
        service=SERVICE,
        operation=operation,
        observed_ip=request.observed_ip,
        outcome=outcome,
        outcome_detail=mask_numbers(detail[:2000]) if detail else None,
        duration_ms=int((time.monotonic() - request.started) * 1000),
        request_digest=request.digest(),
        agency_code=auditor.agency_code if auditor else None,
        system_code=auditor.system_code if auditor else None,
        username=auditor.username if auditor else (username or None),
        declared=declared,
        subjects=subjects,
        purpose=purpose,
    ))
    return call_sequence_id
