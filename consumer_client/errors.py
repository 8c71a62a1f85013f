"""One exception hierarchy for everything the client raises.

Every provider error code (docs/design.md §6 Error codes), whether it arrived as an errorRecord or as a SOAP Fault,
becomes one ``ProviderError`` subclass carrying the code, the Greek description and the
callSequenceId to quote to the provider's operators. Transport failures and signature failures
have their own classes. The CLI's exit codes come from here too.
"""
from __future__ import annotations


class MitrooClientError(Exception):
    """Base of every error the client raises."""

    exit_code = 1


class SignatureError(MitrooClientError):
    """The response is unsigned, its signature is invalid or expired, or it was not signed by a
    pinned certificate. No data from such a response is returned."""

    exit_code = 6


class TransportError(MitrooClientError):
    """The provider could not be reached, or did not answer within the timeouts (after retries)."""

    exit_code = 7


class ProviderError(MitrooClientError):
    """The provider answered with an error code."""

    code = ""
    exit_code = 1
    retryable = False

    def __init__(self, code: str, description: str, call_sequence_id: str | None) -> None:
        super().__init__(f"{code}: {description}" + (f" (callSequenceId {call_sequence_id})" if call_sequence_id else ""))
        self.code = code
        self.description = description
        self.call_sequence_id = call_sequence_id
        self.evidence: bytes | None = None  # the signed answer, when the client keeps evidence


class MalformedRequest(ProviderError):
    code, exit_code = "MP_MALFORMED_REQUEST", 5


class SchemaInvalid(ProviderError):
    code, exit_code = "MP_SCHEMA_INVALID", 5


class AuthenticationFailed(ProviderError):
    code, exit_code = "MP_AUTHENTICATION_FAILED", 8


class InvalidAuditRecord(ProviderError):
    code, exit_code = "MP_INVALID_AUDIT_RECORD", 5


class DuplicateTransaction(ProviderError):
    code, exit_code = "MP_DUPLICATE_TRANSACTION", 5


class NotAuthorized(ProviderError):
    code, exit_code = "MP_NOT_AUTHORIZED", 4


class AccreditationInactive(ProviderError):
    code, exit_code = "MP_ACCREDITATION_INACTIVE", 4


class QuotaExceeded(ProviderError):
    code, exit_code = "MP_QUOTA_EXCEEDED", 4


class InvalidInput(ProviderError):
    code, exit_code = "MP_INVALID_INPUT", 5


class NotFound(ProviderError):
    code, exit_code = "MP_NOT_FOUND", 3


class Ambiguous(ProviderError):
    code, exit_code = "MP_AMBIGUOUS", 9


class ServiceUnavailable(ProviderError):
    code, exit_code, retryable = "MP_SERVICE_UNAVAILABLE", 7, True


class InternalError(ProviderError):
    code, exit_code = "MP_INTERNAL_ERROR", 1


class NotEligible(ProviderError):
    code, exit_code = "MP_NOT_ELIGIBLE", 10


class StateConflict(ProviderError):
    code, exit_code = "MP_STATE_CONFLICT", 11


class CriminalRecordPending(ProviderError):
    code, exit_code = "MP_CRIMINAL_RECORD_PENDING", 11


class DocumentsMissing(ProviderError):
    code, exit_code = "MP_DOCUMENTS_MISSING", 11


class DeadlinePassed(ProviderError):
    code, exit_code = "MP_DEADLINE_PASSED", 11


class ObjectionOutOfTime(ProviderError):
    """An objection lodged outside the posting of its revision's roll (1st-10th of the month after it)."""

    code, exit_code = "MP_OBJECTION_OUT_OF_TIME", 11


class ObjectionsPending(ProviderError):
    """The directorate's final finalization waits for the objections of the revision to be decided."""

    code, exit_code = "MP_OBJECTIONS_PENDING", 11


class ConcurrencyLimit(ProviderError):
    """Too many of the agency's calls at once; retried after a back-off like unavailability."""

    code, exit_code, retryable = "MP_CONCURRENCY_LIMIT", 7, True


class HeaderNotUnderstood(ProviderError):
    """A SOAP header with mustUnderstand="1" that the provider does not process (faultcode soap:MustUnderstand)."""

    code, exit_code = "MP_HEADER_NOT_UNDERSTOOD", 5


class UnknownError(ProviderError):
    """A code this client version does not know (the provider is newer): still raised, never dropped."""


BY_CODE: dict[str, type[ProviderError]] = {
    cls.code: cls
    for cls in (
        MalformedRequest, SchemaInvalid, AuthenticationFailed, InvalidAuditRecord, DuplicateTransaction,
        NotAuthorized, AccreditationInactive, QuotaExceeded, InvalidInput, NotFound, Ambiguous,
        ServiceUnavailable, InternalError, NotEligible, StateConflict, CriminalRecordPending, DocumentsMissing,
        DeadlinePassed, ObjectionOutOfTime, ObjectionsPending, ConcurrencyLimit, HeaderNotUnderstood,
    )
}


def provider_error(code: str, description: str, call_sequence_id: str | None) -> ProviderError:
    return BY_CODE.get(code, UnknownError)(code, description, call_sequence_id)
