"""The reference consumer client of the Mitroo Politon provider (see docs/integration.md, section 8).

    from consumer_client import MitrooClient
    client = MitrooClient("https://provider", "user", "password", unit="Δ/νση", user_id="u17",
                          provider_certificates=["provider-cert.pem"])
    reply = client.get_municipalities(protocol="1234/2026", region_code="EL43")
"""
from consumer_client.client import MitrooClient
from consumer_client.errors import (
    AccreditationInactive,
    Ambiguous,
    AuthenticationFailed,
    CriminalRecordPending,
    DeadlinePassed,
    DocumentsMissing,
    DuplicateTransaction,
    InternalError,
    InvalidAuditRecord,
    InvalidInput,
    MalformedRequest,
    MitrooClientError,
    NotAuthorized,
    NotEligible,
    NotFound,
    ObjectionOutOfTime,
    ObjectionsPending,
    ProviderError,
    QuotaExceeded,
    SchemaInvalid,
    ServiceUnavailable,
    SignatureError,
    StateConflict,
    TransportError,
    UnknownError,
)
from consumer_client.evidence import Evidence, verify_evidence
from consumer_client.models import Reply

__all__ = [
    "MitrooClient", "Reply", "Evidence", "verify_evidence",
    "MitrooClientError", "ProviderError", "SignatureError", "TransportError",
    "AccreditationInactive", "Ambiguous", "AuthenticationFailed", "DuplicateTransaction", "InternalError",
    "InvalidAuditRecord", "InvalidInput", "MalformedRequest", "NotAuthorized", "NotFound", "QuotaExceeded",
    "SchemaInvalid", "ServiceUnavailable", "UnknownError", "NotEligible", "StateConflict", "CriminalRecordPending",
    "DocumentsMissing", "DeadlinePassed", "ObjectionOutOfTime", "ObjectionsPending",
]
