"""SOAP types of the specialElectoralRolls service (namespace urn:mitroo-politon:specialElectoralRolls:v1)."""
from __future__ import annotations

from typing import Any

from spyne import Boolean, ComplexModel, Date, DateTime, Int, Unicode

from provider.soap.services.common import Mandatory, Optional, text
from provider.xml import namespaces as ns

SERVICE = "specialElectoralRolls"
TNS = ns.service(SERVICE)
Many = dict(min_occurs=0, max_occurs="unbounded", nillable=False)


def _type(name: str, fields: list[tuple[str, Any]], doc: str = "") -> type[Any]:
    return type(name, (ComplexModel,), {"__namespace__": TNS, "__type_name__": name, "_type_info": fields,
                                        "__doc__": doc})


# -- input ----------------------------------------------------------------------------------------

ApplicantCriteria = _type("applicantCriteria", [
    ("permitNumber", text()),
    ("surnamePrefix", text()),  # the first two capital Latin letters of the surname
    ("firstnamePrefix", text()),  # ... and of the first name
    ("birthYear", Int(**Mandatory)),
], "The circular's search criteria (§3.2.1).")

Address = _type("address", [("street", text()), ("number", text(**Optional)), ("postalCode", text(**Optional))])

CheckInput = _type("checkVoterEligibilityInputRecord", [
    ("applicant", ApplicantCriteria.customize(**Mandatory)),
    ("electionCode", text()),
    ("municipalityCode", text(**Optional)),  # where the person applies; a municipality's own when absent
    ("applicationDate", Date(**Optional)),  # the day the system is read as of; today when absent
])

CreateInput = _type("createRollApplicationInputRecord", [
    ("kind", text()),  # REGISTRATION | DELETION_REQUEST | DELETION_CITIZENSHIP | CORRECTION
    ("applicant", ApplicantCriteria.customize(**Mandatory)),
    ("electionCode", text()),
    ("municipalityCode", text(**Optional)),
    ("applicationDate", Date(**Optional)),
    ("mothername", text(**Optional)),
    ("fathersurname", text(**Optional)),
    ("phone", text(**Optional)),
    ("address", Address.customize(**Optional)),
    ("electoralDistrict", text(**Optional)),
    ("newMunicipalityCode", text(**Optional)),  # a correction moving the elector here (μεταδημότευση)
    ("criminalRecordBrought", Boolean(**Optional)),  # registrations: false = requested ex officio
])

FinalizeInput = _type("finalizeRollApplicationInputRecord", [
    ("applicationNumber", text()),
    ("protocolNumber", text()),
    ("protocolDate", Date(**Mandatory)),
    ("completedOn", Date(**Optional)),  # the day the file became complete; today when absent
    ("document", Unicode(**Many)),  # codes of the documents received
    ("passportNumber", text(**Optional)),
    ("address", Address.customize(**Optional)),
    ("electoralDistrict", text(**Optional)),
    ("mothername", text(**Optional)),
    ("fathersurname", text(**Optional)),
    ("phone", text(**Optional)),
])

RejectInput = _type("rejectRollApplicationInputRecord", [
    ("applicationNumber", text()),
    ("reasonCode", text()),
    ("decisionDate", Date(**Optional)),
    ("protocolNumber", text(**Optional)),
    ("note", text(**Optional)),
])

GetApplicationInput = _type("getRollApplicationInputRecord", [("applicationNumber", text())])

GetRollInput = _type("getSpecialElectoralRollInputRecord", [
    ("municipalityCode", text()),
    ("revisionYear", Int(**Mandatory)),
    ("revisionPeriod", Int(**Mandatory)),  # 1 = January-February ... 6 = November-December
])

CitizenCreateInput = _type("createCitizenRollApplicationInputRecord", [
    ("kind", text()),  # REGISTRATION | DELETION_REQUEST | CORRECTION (from the Ministry's site, §3.2.1)
    ("applicant", ApplicantCriteria.customize(**Mandatory)),
    ("electionCode", text()),
    ("municipalityCode", text()),  # the municipality of permanent residence where it will be lodged
    ("applicationDate", Date(**Optional)),
    ("mothername", text(**Optional)),
    ("fathersurname", text(**Optional)),
    ("phone", text(**Optional)),
    ("address", Address.customize(**Optional)),
    ("electoralDistrict", text(**Optional)),
    ("newMunicipalityCode", text(**Optional)),
])

UnmatchedInput = _type("rejectUnmatchedRollApplicationInputRecord", [
    ("applicant", ApplicantCriteria.customize(**Mandatory)),
    ("electionCode", text()),
    ("municipalityCode", text(**Optional)),
    ("applicationDate", Date(**Optional)),
    ("protocolNumber", text()),
    ("decisionDate", Date(**Optional)),
])

NoticeInput = _type("notifyDeletionConditionInputRecord", [
    ("applicant", ApplicantCriteria.customize(**Mandatory)),
    ("reasonCode", text()),  # CONVICTION | PERMIT_REVOKED | RENEWAL_REFUSED | PERMIT_TYPE_CHANGED
    ("noticeDate", Date(**Optional)),
    ("decisionReference", text()),
    ("authorityName", text()),
    ("penaltyKind", text(**Optional)),  # CONVICTION: LIFE_IMPRISONMENT | KATHEIRXI | DEPRIVATION_OF_RIGHTS
    ("irrevocableOn", Date(**Optional)),
])

LodgeObjectionInput = _type("lodgeRollObjectionInputRecord", [
    ("municipalityCode", text(**Optional)),
    ("revisionYear", Int(**Mandatory)),
    ("revisionPeriod", Int(**Mandatory)),  # the revision whose roll is posted
    ("kind", text()),  # AGAINST_REGISTRATION | AGAINST_NON_REGISTRATION
    ("specialElectoralNumber", text(**Optional)),  # against a registration
    ("applicationNumber", text(**Optional)),  # against a non-registration (a rejected application)
    ("objector", text()),
    ("grounds", text()),
    ("lodgedOn", Date(**Optional)),
])

DecideObjectionInput = _type("decideRollObjectionInputRecord", [
    ("objectionNumber", text()),
    ("outcome", text()),  # UPHELD | DISMISSED
    ("decisionDate", Date(**Optional)),
    ("decisionReference", text()),
    ("note", text(**Optional)),
    ("address", Address.customize(**Optional)),  # an upheld non-registration: where the elector lives
    ("electoralDistrict", text(**Optional)),
    ("passportNumber", text(**Optional)),
])

FinalizeRollInput = _type("finalizeSpecialElectoralRollInputRecord", [
    ("municipalityCode", text()),
    ("revisionYear", Int(**Mandatory)),
    ("revisionPeriod", Int(**Mandatory)),
    ("finalizedOn", Date(**Optional)),
])

# -- output ---------------------------------------------------------------------------------------

MunicipalityRef = _type("municipalityRef", [("code", text()), ("name", text())])
CodeText = _type("reason", [("code", text()), ("description", text())])
DocumentType = _type("document", [("code", text()), ("description", text())])
GuidanceType = _type("guidance", [
    ("code", text()), ("office", text(**Optional)), ("form", text(**Optional)), ("text", text()),
])
CategoryType = _type("category", [
    ("code", text()), ("letter", text()), ("description", text()), ("fiveYearResidenceRequired", Boolean(**Mandatory)),
])
ElectionType = _type("election", [
    ("code", text()), ("name", text()), ("electionDate", Date(**Mandatory)),
    ("registrationDeadline", Date(**Mandatory)), ("extendedDeadline", Date(**Optional)),
    ("bornBy", Date(**Mandatory)),
])
RevisionType = _type("revision", [
    ("year", Int(**Mandatory)), ("period", Int(**Mandatory)), ("start", Date(**Mandatory)),
    ("deadline", Date(**Mandatory)), ("postingFrom", Date(**Mandatory)), ("postingTo", Date(**Mandatory)),
])
HolderType = _type("holder", [
    ("surname", text()), ("firstname", text()), ("surnameLatin", text()), ("firstnameLatin", text()),
    ("fathername", text(**Optional)), ("mothername", text(**Optional)), ("gender", text()),
    ("birthdate", Date(**Mandatory)), ("birthdateExact", Boolean(**Mandatory)), ("birthplace", text(**Optional)),
    ("nationalityCode", text()), ("nationalityName", text()), ("homogeneis", Boolean(**Mandatory)),
    ("spouseName", text(**Optional)), ("maidenName", text(**Optional)),
])
PermitType = _type("permit", [
    ("permitNumber", text()), ("permitTypeCode", text()), ("permitTypeName", text()), ("authorityKind", text()),
    ("authorityName", text()), ("applicationDate", Date(**Mandatory)), ("validFrom", Date(**Mandatory)),
    ("validTo", Date(**Optional)),
])
ResidenceType = _type("residence", [
    ("outcome", text()),  # DETERMINED | UNDETERMINED | CERTIFICATE_REQUIRED
    ("municipality", MunicipalityRef.customize(**Optional)),
    ("since", Date(**Optional)),
    ("requiresResidenceCertificate", Boolean(**Mandatory)),
    ("appliedMunicipality", MunicipalityRef.customize(**Optional)),
    ("entitledHere", Boolean(**Optional)),
])
EligibilityType = _type("eligibility", [
    ("found", Boolean(**Mandatory)),
    ("eligible", Boolean(**Mandatory)),
    ("election", ElectionType.customize(**Mandatory)),
    ("reason", CodeText.customize(**Many)),
    ("holder", HolderType.customize(**Optional)),
    ("permit", PermitType.customize(**Optional)),
    ("category", CategoryType.customize(**Optional)),
    ("fiveYearCompletedOn", Date(**Optional)),
    ("residence", ResidenceType.customize(**Optional)),
    ("requiredDocument", DocumentType.customize(**Many)),
    ("guidance", GuidanceType.customize(**Many)),
])
EventType = _type("applicationEvent", [
    ("event", text()), ("eventDate", Date(**Mandatory)), ("recordedAt", DateTime(**Mandatory, timezone=True)),
    ("agencyCode", text()), ("username", text()), ("callSequenceId", text(**Optional)), ("detail", text(**Optional)),
])
ApplicationType = _type("rollApplication", [
    ("applicationNumber", text()), ("kind", text()), ("status", text()), ("electionCode", text()),
    ("electionName", text()), ("municipality", MunicipalityRef.customize(**Mandatory)),
    ("revision", RevisionType.customize(**Mandatory)), ("applicationDate", Date(**Mandatory)),
    ("holder", HolderType.customize(**Mandatory)), ("permitNumber", text()),
    ("criminalRecord", text(**Optional)),  # BROUGHT | REQUESTED (ex officio)
    ("mothername", text(**Optional)), ("fathersurname", text(**Optional)), ("phone", text(**Optional)),
    ("address", Address.customize(**Optional)), ("electoralDistrict", text(**Optional)),
    ("newMunicipality", MunicipalityRef.customize(**Optional)), ("protocolNumber", text(**Optional)),
    ("protocolDate", Date(**Optional)), ("completedOn", Date(**Optional)), ("document", DocumentType.customize(**Many)),
    ("passportNumber", text(**Optional)), ("specialElectoralNumber", text(**Optional)),
    ("rejectionReason", text(**Optional)), ("rejectionGuidance", GuidanceType.customize(**Optional)),
    ("rejectionNote", text(**Optional)), ("previousApplicationNumber", text(**Optional)),
    ("nextApplicationNumber", text(**Optional)), ("event", EventType.customize(min_occurs=1, max_occurs="unbounded",
                                                                               nillable=False)),
])
CreateResult = _type("createRollApplicationResult", [
    ("rollApplication", ApplicationType.customize(**Mandatory)),
    ("eligibility", EligibilityType.customize(**Optional)),  # the cross-check, for a registration or a correction
])
EntryType = _type("rollEntry", [
    ("specialElectoralNumber", text()), ("gender", text()), ("surname", text()), ("firstname", text()),
    ("fathername", text(**Optional)), ("mothername", text(**Optional)), ("spouseName", text(**Optional)),
    ("maidenName", text(**Optional)), ("birthdate", Date(**Mandatory)), ("birthdateExact", Boolean(**Mandatory)),
    ("birthplace", text(**Optional)), ("municipality", MunicipalityRef.customize(**Mandatory)),
    ("street", text()), ("streetNumber", text(**Optional)), ("postalCode", text(**Optional)),
    ("electoralDistrict", text()), ("nationalityCode", text()), ("nationalityName", text()),
    ("passportNumber", text(**Optional)), ("permitNumber", text()),
    ("addedRevision", RevisionType.customize(**Mandatory)), ("addedReason", text()), ("addedBy", text()),
    ("removedRevision", RevisionType.customize(**Optional)), ("removedReason", text(**Optional)),
    ("removedBy", text(**Optional)),
])
RollType = _type("specialElectoralRoll", [
    ("municipality", MunicipalityRef.customize(**Mandatory)),
    ("revision", RevisionType.customize(**Mandatory)),
    ("entryCount", Int(**Mandatory)),
    ("entry", EntryType.customize(**Many)),
    ("addition", EntryType.customize(**Many)),
    ("deletion", EntryType.customize(**Many)),
    ("finalizedOn", Date(**Optional)),  # the Ministry's final finalization; absent: provisional
])
UnmatchedType = _type("unmatchedRollApplication", [
    ("applicationNumber", text()), ("municipality", MunicipalityRef.customize(**Mandatory)),
    ("electionCode", text()), ("applicationDate", Date(**Mandatory)), ("applicant", ApplicantCriteria.customize(
        **Mandatory)), ("protocolNumber", text()), ("decisionDate", Date(**Mandatory)),
    ("rejectionReason", text()), ("rejectionGuidance", GuidanceType.customize(**Mandatory)),
    ("agencyCode", text()), ("username", text()), ("recordedAt", DateTime(**Mandatory, timezone=True)),
])
ObjectionType = _type("rollObjection", [
    ("objectionNumber", text()), ("kind", text()), ("status", text()),  # LODGED | UPHELD | DISMISSED
    ("municipality", MunicipalityRef.customize(**Mandatory)), ("revision", RevisionType.customize(**Mandatory)),
    ("holder", HolderType.customize(**Mandatory)), ("specialElectoralNumber", text(**Optional)),
    ("applicationNumber", text(**Optional)), ("objector", text()), ("grounds", text()),
    ("lodgedOn", Date(**Mandatory)), ("decidedOn", Date(**Optional)), ("decisionReference", text(**Optional)),
    ("decisionNote", text(**Optional)), ("resultApplicationNumber", text(**Optional)),
])
FinalizationType = _type("rollFinalization", [
    ("municipality", MunicipalityRef.customize(**Mandatory)), ("revision", RevisionType.customize(**Mandatory)),
    ("finalizedOn", Date(**Mandatory)), ("entryCount", Int(**Mandatory)), ("agencyCode", text()),
    ("username", text()), ("recordedAt", DateTime(**Mandatory, timezone=True)),
])
