"""Every table, importable from one place (Alembic's autogenerate reads ``Base.metadata``)."""
from db.models.accreditation import (
    Agency,
    AgencySystem,
    CallSlot,
    DailyUsage,
    Grant,
    LoginFailure,
    LoginSource,
    UsedNonce,
    UsedTransaction,
    WsUser,
)
from db.models.audit import AuditEvent, AuditEventHash, AuditEventSubject, AuditRetentionRun, AuditSeal
from db.models.base import Base, UTCDateTime
from db.models.certificates import Certificate, CertificateSubject
from db.models.console import ConsoleSession
from db.models.reference import ActType, Country, MemberType, Municipality, RegistryOffice
from db.models.registry import ActParty, CivilAct, FamilyShare, FamilyShareMember, MarginalNote, Person
from db.models.rolls import (
    CitizenshipAcquisition,
    Conviction,
    Election,
    PermitHolder,
    PermitType,
    ResidenceHistory,
    ResidencePermit,
    RollApplication,
    RollApplicationEvent,
    RollCategory,
    RollEntry,
    RollFinalization,
    RollObjection,
    RollUnmatchedApplication,
)

__all__ = [
    "ActParty", "ActType", "Agency", "AgencySystem", "AuditEvent", "AuditEventHash", "AuditEventSubject",
    "AuditRetentionRun", "AuditSeal", "Base", "CallSlot", "Certificate", "CertificateSubject", "CivilAct",
    "ConsoleSession", "Country",
    "DailyUsage", "FamilyShare", "FamilyShareMember", "Grant", "LoginFailure", "LoginSource",
    "MarginalNote", "MemberType", "Municipality", "Person", "RegistryOffice", "UTCDateTime",
    "UsedNonce", "UsedTransaction", "WsUser",
    "CitizenshipAcquisition", "Conviction", "Election", "PermitHolder", "PermitType", "ResidenceHistory",
    "ResidencePermit", "RollApplication", "RollApplicationEvent", "RollCategory", "RollEntry",
    "RollFinalization", "RollObjection", "RollUnmatchedApplication",
]
