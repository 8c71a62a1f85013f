"""The state of one call as it passes through the pipeline; plain Python, shared by the
gateway (which fills it) and the service edge (which reads it and reports data subjects)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from db.engine import CallSessions
from provider.access.accreditation import Caller
from provider.access.concurrency import Slot
from provider.errors import MitrooError
from provider.xml.auditrecord import AuditRecord


@dataclass
class Call:
    call_sequence_id: str
    call_sequence_date: dt.datetime
    service: str
    observed_ip: str
    sessions: CallSessions  # reads go through sessions.autocommit(), writes through a session of their own
    # The SHA-256 of the client certificate the TLS front verified (provider.access.transport), or None.
    client_cert_sha256: str | None = None
    operation: str | None = None
    request_digest: str = ""
    content_digest: str = ""  # of the operation element only; see accreditation.check_not_replayed
    retry_of: str | None = None  # callSequenceId of the call this one repeats
    declared: dict[str, str | None] = field(default_factory=dict)
    caller: Caller | None = None
    record: AuditRecord | None = None
    # A business outcome decided before dispatch, answered as an errorRecord by the edge.
    rejection: MitrooError | None = None
    # The errorRecord the operation itself answered (not found, invalid input, ...).
    answered_error: MitrooError | None = None
    # An exception that must turn the whole answer into a fault.
    failure: BaseException | None = None
    subjects: set[int] = field(default_factory=set)
    # The purpose the caller declared (σκοπός χορήγησης of a certificate), for the audit row.
    purpose: str | None = None
    # The agency's concurrent-call slot this call holds until its audit event is committed.
    slot: Slot | None = None

    def touch(self, person_ids: Iterable[int]) -> None:
        """Record the data subjects (internal person ids) this call returns data about."""
        self.subjects.update(person_ids)

    @property
    def audit_detail(self) -> str | None:
        if self.error is not None:
            return self.error.detail[:500]
        if self.retry_of is not None:
            return f"επανάληψη (retry) της κλήσης {self.retry_of} με το ίδιο auditTransactionId και περιεχόμενο"
        return None

    @property
    def error(self) -> MitrooError | None:
        return self.rejection or self.answered_error
