"""The service catalogue (docs/design.md §5 Services): every service and operation an agency can be granted,
whether or not this release serves it yet. Grants name operations from here only."""
from __future__ import annotations

from typing import Final

CATALOGUE: Final[dict[str, tuple[str, ...]]] = {
    "civilRegistryActs": ("getBirthAct", "getDeathAct", "getMarriageAct", "getCivilPartnershipAct", "searchActs"),
    "civilStatusCertificates": (
        "getMaritalStatusCertificate", "getBirthCertificate", "getRegistrationCertificate", "verifyCertificate",
    ),
    "registryParameters": ("getMunicipalities", "getRegistryOffices", "getCountries", "getActTypes", "getMemberTypes"),
    "specialElectoralRolls": (
        "checkVoterEligibility",
        "createRollApplication",
        "finalizeRollApplication",
        "rejectRollApplication",
        "getRollApplication",
        "getSpecialElectoralRoll",
        "createCitizenRollApplication",
        "rejectUnmatchedRollApplication",
        "notifyDeletionCondition",
        "lodgeRollObjection",
        "decideRollObjection",
        "finalizeSpecialElectoralRoll",
    ),
    "audit": ("searchAuditEvents", "getSubjectAccessReport"),
}

GREEK_NAMES: Final[dict[str, str]] = {
    "civilRegistryActs": "Λήψη Ληξιαρχικών Πράξεων",
    "civilStatusCertificates": "Πιστοποιητικά Δημοτολογικής Αστικής Κατάστασης",
    "registryParameters": "Άντληση πληροφοριών για παραμέτρους Μητρώου Πολιτών",
    "specialElectoralRolls": "Ειδικοί εκλογικοί κατάλογοι",
    "audit": "Έλεγχος καταγραφής κλήσεων",
}


def unknown_operation(service: str, operation: str) -> str | None:
    """Why (service, operation) cannot be granted, or None when it can."""
    if service not in CATALOGUE:
        return f"unknown service {service!r}; known: {', '.join(CATALOGUE)}"
    if operation not in CATALOGUE[service]:
        return f"unknown operation {operation!r} of {service}; known: {', '.join(CATALOGUE[service])}"
    return None
