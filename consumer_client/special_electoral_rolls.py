"""Typed methods and results of the specialElectoralRolls service (Ειδικοί εκλογικοί κατάλογοι).

The applicant is named by the circular's search criteria, given as flat keyword arguments:
``permit_number``, ``surname_prefix`` and ``firstname_prefix`` (the first two capital Latin letters)
and ``birth_year``. An address is ``street`` (required when any part is given), ``street_number``
and ``postal_code``; the documents received are a tuple of codes (``RESIDENCE_PERMIT``,
``PASSPORT``, ``CRIMINAL_RECORD``, ...). Dates left out are today in Greece on the provider.

The three writes (create, finalize, reject) are safe to retry: a retry of a call whose answer was
lost, with the same auditTransactionId, is answered with what the first call did, never done twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from consumer_client.core import ClientCore
from consumer_client.models import Reply, build

SERVICE = "specialElectoralRolls"


@dataclass(frozen=True)
class MunicipalityRef:
    code: str
    name: str


@dataclass(frozen=True)
class Address:
    street: str
    number: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class Document:
    code: str
    description: str


@dataclass(frozen=True)
class Reason:
    code: str  # UNDER_AGE | PERMIT_TYPE_NOT_LISTED | PERMIT_EXPIRED | FIVE_YEAR_RESIDENCE_NOT_MET | CONVICTION | ...
    description: str


@dataclass(frozen=True)
class Guidance:
    """The written advice for a negative outcome: which service to go to, with which form."""

    code: str
    text: str
    office: str | None = None
    form: str | None = None  # 210 | 411 | 310


@dataclass(frozen=True)
class Election:
    code: str
    name: str
    election_date: dt.date
    registration_deadline: dt.date
    born_by: dt.date
    extended_deadline: dt.date | None = None


@dataclass(frozen=True)
class Holder:
    surname: str
    firstname: str
    surname_latin: str
    firstname_latin: str
    gender: str
    birthdate: dt.date
    birthdate_exact: bool
    nationality_code: str
    nationality_name: str
    homogeneis: bool
    fathername: str | None = None
    mothername: str | None = None
    birthplace: str | None = None
    spouse_name: str | None = None
    maiden_name: str | None = None


@dataclass(frozen=True)
class Permit:
    permit_number: str
    permit_type_code: str
    permit_type_name: str
    authority_kind: str  # REGION | MINISTRY | POLICE
    authority_name: str
    application_date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Category:
    code: str
    letter: str  # Α-Η
    description: str
    five_year_residence_required: bool


@dataclass(frozen=True)
class Residence:
    outcome: str  # DETERMINED | UNDETERMINED | CERTIFICATE_REQUIRED
    requires_residence_certificate: bool
    municipality: MunicipalityRef | None = None
    since: dt.date | None = None
    applied_municipality: MunicipalityRef | None = None
    entitled_here: bool | None = None


@dataclass(frozen=True)
class Eligibility:
    found: bool
    eligible: bool
    election: Election
    reason: tuple[Reason, ...] = ()
    holder: Holder | None = None
    permit: Permit | None = None
    category: Category | None = None
    five_year_completed_on: dt.date | None = None
    residence: Residence | None = None
    required_document: tuple[Document, ...] = ()
    guidance: tuple[Guidance, ...] = ()


@dataclass(frozen=True)
class Revision:
    """A bimonthly revision of the rolls (period 1 = January-February ... 6 = November-December)."""

    year: int
    period: int
    start: dt.date
    deadline: dt.date
    posting_from: dt.date
    posting_to: dt.date


@dataclass(frozen=True)
class ApplicationEvent:
    event: str  # CREATED | CRIMINAL_RECORD_REQUESTED | FINALIZED | REJECTED | CARRIED_OVER
    event_date: dt.date
    recorded_at: dt.datetime
    agency_code: str
    username: str
    call_sequence_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class RollApplication:
    application_number: str
    kind: str  # REGISTRATION | DELETION_REQUEST | DELETION_CITIZENSHIP | CORRECTION
    status: str  # CREATED | FINALIZED | REJECTED | CARRIED_OVER
    election_code: str
    election_name: str
    municipality: MunicipalityRef
    revision: Revision
    application_date: dt.date
    holder: Holder
    permit_number: str
    event: tuple[ApplicationEvent, ...]
    criminal_record: str | None = None  # BROUGHT | REQUESTED (registrations)
    mothername: str | None = None
    fathersurname: str | None = None
    phone: str | None = None
    address: Address | None = None
    electoral_district: str | None = None
    new_municipality: MunicipalityRef | None = None
    protocol_number: str | None = None
    protocol_date: dt.date | None = None
    completed_on: dt.date | None = None
    document: tuple[Document, ...] = ()
    passport_number: str | None = None
    special_electoral_number: str | None = None
    rejection_reason: str | None = None
    rejection_guidance: Guidance | None = None
    rejection_note: str | None = None
    previous_application_number: str | None = None
    next_application_number: str | None = None


@dataclass(frozen=True)
class CreatedApplication:
    roll_application: RollApplication
    eligibility: Eligibility | None = None  # the cross-check of a registration or a correction


@dataclass(frozen=True)
class RollEntry:
    """An elector on a special roll, with the fields of circular §4.1."""

    special_electoral_number: str
    gender: str
    surname: str
    firstname: str
    birthdate: dt.date
    birthdate_exact: bool
    municipality: MunicipalityRef
    street: str
    electoral_district: str
    nationality_code: str
    nationality_name: str
    permit_number: str
    added_revision: Revision
    added_reason: str
    added_by: str  # the application number
    fathername: str | None = None
    mothername: str | None = None
    spouse_name: str | None = None
    maiden_name: str | None = None
    birthplace: str | None = None
    street_number: str | None = None
    postal_code: str | None = None
    passport_number: str | None = None
    removed_revision: Revision | None = None
    removed_reason: str | None = None
    removed_by: str | None = None


@dataclass(frozen=True)
class SpecialElectoralRoll:
    municipality: MunicipalityRef
    revision: Revision
    entry_count: int
    entry: tuple[RollEntry, ...] = ()
    addition: tuple[RollEntry, ...] = ()
    deletion: tuple[RollEntry, ...] = ()
    finalized_on: dt.date | None = None  # the Ministry's final finalization; None: provisional


@dataclass(frozen=True)
class ApplicantCriteria:
    permit_number: str
    surname_prefix: str
    firstname_prefix: str
    birth_year: int


@dataclass(frozen=True)
class UnmatchedRollApplication:
    """The application of a person the system does not show, recorded and rejected in writing."""

    application_number: str
    municipality: MunicipalityRef
    election_code: str
    application_date: dt.date
    applicant: ApplicantCriteria
    protocol_number: str
    decision_date: dt.date
    rejection_reason: str  # NOT_FOUND_IN_SYSTEM
    rejection_guidance: Guidance
    agency_code: str
    username: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class RollObjection:
    objection_number: str
    kind: str  # AGAINST_REGISTRATION | AGAINST_NON_REGISTRATION
    status: str  # LODGED | UPHELD | DISMISSED
    municipality: MunicipalityRef
    revision: Revision
    holder: Holder
    objector: str
    grounds: str
    lodged_on: dt.date
    special_electoral_number: str | None = None
    application_number: str | None = None
    decided_on: dt.date | None = None
    decision_reference: str | None = None
    decision_note: str | None = None
    result_application_number: str | None = None  # the deletion or registration an upheld objection made


@dataclass(frozen=True)
class RollFinalization:
    municipality: MunicipalityRef
    revision: Revision
    finalized_on: dt.date
    entry_count: int
    agency_code: str
    username: str
    recorded_at: dt.datetime


def _applying(permit_number: str, surname_prefix: str, firstname_prefix: str, birth_year: int, election_code: str,
              municipality_code: str | None, application_date: dt.date | None) -> dict[str, Any]:
    """The inputs checkVoterEligibility and createRollApplication share: who applies where and when."""
    return {"applicant": {"permitNumber": permit_number, "surnamePrefix": surname_prefix,
                          "firstnamePrefix": firstname_prefix, "birthYear": birth_year},
            "electionCode": election_code, "municipalityCode": municipality_code, "applicationDate": application_date}


def _details(mothername: str | None, fathersurname: str | None, phone: str | None, street: str | None,
             street_number: str | None, postal_code: str | None, electoral_district: str | None) -> dict[str, Any]:
    """The personal details create and finalize share; an address when any part of it is given."""
    parts = {"street": street, "number": street_number, "postalCode": postal_code}
    address = {key: value for key, value in parts.items() if value is not None} or None
    return {"mothername": mothername, "fathersurname": fathersurname, "phone": phone, "address": address,
            "electoralDistrict": electoral_district}


class SpecialElectoralRolls(ClientCore):
    def check_voter_eligibility(
        self, *, protocol: str, permit_number: str, surname_prefix: str, firstname_prefix: str, birth_year: int,
        election_code: str, municipality_code: str | None = None, application_date: dt.date | None = None,
    ) -> Reply[Eligibility]:
        """The cross-check of an applicant: eligible or not with every reason, category, municipality, documents."""
        return self.call(SERVICE, "checkVoterEligibility", protocol, lambda out: build(Eligibility, out),
                         **_applying(permit_number, surname_prefix, firstname_prefix, birth_year, election_code,
                                     municipality_code, application_date))

    def create_roll_application(
        self, *, protocol: str, kind: str, permit_number: str, surname_prefix: str, firstname_prefix: str,
        birth_year: int, election_code: str, municipality_code: str | None = None,
        application_date: dt.date | None = None, mothername: str | None = None, fathersurname: str | None = None,
        phone: str | None = None, street: str | None = None, street_number: str | None = None,
        postal_code: str | None = None, electoral_district: str | None = None,
        new_municipality_code: str | None = None, criminal_record_brought: bool | None = None,
    ) -> Reply[CreatedApplication]:
        """A new application (REGISTRATION, DELETION_REQUEST, DELETION_CITIZENSHIP, CORRECTION) with its number."""
        return self.call(SERVICE, "createRollApplication", protocol, lambda out: build(CreatedApplication, out),
                         kind=kind, **_applying(permit_number, surname_prefix, firstname_prefix, birth_year,
                                                election_code, municipality_code, application_date),
                         **_details(mothername, fathersurname, phone, street, street_number, postal_code,
                                    electoral_district),
                         newMunicipalityCode=new_municipality_code, criminalRecordBrought=criminal_record_brought)

    def finalize_roll_application(
        self, *, protocol: str, application_number: str, protocol_number: str, protocol_date: dt.date,
        completed_on: dt.date | None = None, document: tuple[str, ...] = (), passport_number: str | None = None,
        street: str | None = None, street_number: str | None = None, postal_code: str | None = None,
        electoral_district: str | None = None, mothername: str | None = None, fathersurname: str | None = None,
        phone: str | None = None,
    ) -> Reply[RollApplication]:
        """Finalize an application with the protocol, the documents received and the address (roll updated)."""
        return self.call(SERVICE, "finalizeRollApplication", protocol, lambda out: build(RollApplication, out),
                         applicationNumber=application_number, protocolNumber=protocol_number,
                         protocolDate=protocol_date, completedOn=completed_on, document=list(document) or None,
                         passportNumber=passport_number,
                         **_details(mothername, fathersurname, phone, street, street_number, postal_code,
                                    electoral_district))

    def reject_roll_application(
        self, *, protocol: str, application_number: str, reason_code: str, decision_date: dt.date | None = None,
        protocol_number: str | None = None, note: str | None = None,
    ) -> Reply[RollApplication]:
        """Reject an application with a reason code; the answer carries the written guidance to print."""
        return self.call(SERVICE, "rejectRollApplication", protocol, lambda out: build(RollApplication, out),
                         applicationNumber=application_number, reasonCode=reason_code, decisionDate=decision_date,
                         protocolNumber=protocol_number, note=note)

    def get_roll_application(self, *, protocol: str, application_number: str) -> Reply[RollApplication]:
        """An application with its full history (who, when, in which audited call)."""
        return self.call(SERVICE, "getRollApplication", protocol, lambda out: build(RollApplication, out),
                         applicationNumber=application_number)

    def get_special_electoral_roll(
        self, *, protocol: str, municipality_code: str, revision_year: int, revision_period: int,
    ) -> Reply[SpecialElectoralRoll]:
        """A municipality's roll at the end of a bimonthly revision, with its additions and deletions."""
        return self.call(SERVICE, "getSpecialElectoralRoll", protocol, lambda out: build(SpecialElectoralRoll, out),
                         municipalityCode=municipality_code, revisionYear=revision_year,
                         revisionPeriod=revision_period)

    def create_citizen_roll_application(
        self, *, protocol: str, kind: str, permit_number: str, surname_prefix: str, firstname_prefix: str,
        birth_year: int, election_code: str, municipality_code: str, application_date: dt.date | None = None,
        mothername: str | None = None, fathersurname: str | None = None, phone: str | None = None,
        street: str | None = None, street_number: str | None = None, postal_code: str | None = None,
        electoral_district: str | None = None, new_municipality_code: str | None = None,
    ) -> Reply[CreatedApplication]:
        """The Ministry's site: an application the person creates at home, to lodge at ``municipality_code``."""
        return self.call(SERVICE, "createCitizenRollApplication", protocol, lambda out: build(CreatedApplication, out),
                         kind=kind, **_applying(permit_number, surname_prefix, firstname_prefix, birth_year,
                                                election_code, municipality_code, application_date),
                         **_details(mothername, fathersurname, phone, street, street_number, postal_code,
                                    electoral_district),
                         newMunicipalityCode=new_municipality_code)

    def reject_unmatched_roll_application(
        self, *, protocol: str, permit_number: str, surname_prefix: str, firstname_prefix: str, birth_year: int,
        election_code: str, protocol_number: str, municipality_code: str | None = None,
        application_date: dt.date | None = None, decision_date: dt.date | None = None,
    ) -> Reply[UnmatchedRollApplication]:
        """Record the application of a person the system does not show and reject it in writing."""
        return self.call(SERVICE, "rejectUnmatchedRollApplication", protocol,
                         lambda out: build(UnmatchedRollApplication, out),
                         **_applying(permit_number, surname_prefix, firstname_prefix, birth_year, election_code,
                                     municipality_code, application_date),
                         protocolNumber=protocol_number, decisionDate=decision_date)

    def notify_deletion_condition(
        self, *, protocol: str, permit_number: str, surname_prefix: str, firstname_prefix: str, birth_year: int,
        reason_code: str, decision_reference: str, authority_name: str, notice_date: dt.date | None = None,
        penalty_kind: str | None = None, irrevocable_on: dt.date | None = None,
    ) -> Reply[RollApplication]:
        """An authority's notice that the conditions ceased (CONVICTION, PERMIT_REVOKED, RENEWAL_REFUSED,
        PERMIT_TYPE_CHANGED): the elector is deleted; the answer is the deletion with its history."""
        return self.call(SERVICE, "notifyDeletionCondition", protocol, lambda out: build(RollApplication, out),
                         applicant={"permitNumber": permit_number, "surnamePrefix": surname_prefix,
                                    "firstnamePrefix": firstname_prefix, "birthYear": birth_year},
                         reasonCode=reason_code, noticeDate=notice_date, decisionReference=decision_reference,
                         authorityName=authority_name, penaltyKind=penalty_kind, irrevocableOn=irrevocable_on)

    def lodge_roll_objection(
        self, *, protocol: str, revision_year: int, revision_period: int, kind: str, objector: str, grounds: str,
        municipality_code: str | None = None, special_electoral_number: str | None = None,
        application_number: str | None = None, lodged_on: dt.date | None = None,
    ) -> Reply[RollObjection]:
        """An objection during the posting of a revision's roll, against a registration or a non-registration."""
        return self.call(SERVICE, "lodgeRollObjection", protocol, lambda out: build(RollObjection, out),
                         municipalityCode=municipality_code, revisionYear=revision_year,
                         revisionPeriod=revision_period, kind=kind, specialElectoralNumber=special_electoral_number,
                         applicationNumber=application_number, objector=objector, grounds=grounds,
                         lodgedOn=lodged_on)

    def decide_roll_objection(
        self, *, protocol: str, objection_number: str, outcome: str, decision_reference: str,
        decision_date: dt.date | None = None, note: str | None = None, street: str | None = None,
        street_number: str | None = None, postal_code: str | None = None, electoral_district: str | None = None,
        passport_number: str | None = None,
    ) -> Reply[RollObjection]:
        """The decision on an objection (UPHELD or DISMISSED), reflected in the roll."""
        address = _details(None, None, None, street, street_number, postal_code, electoral_district)
        return self.call(SERVICE, "decideRollObjection", protocol, lambda out: build(RollObjection, out),
                         objectionNumber=objection_number, outcome=outcome, decisionDate=decision_date,
                         decisionReference=decision_reference, note=note, address=address["address"],
                         electoralDistrict=electoral_district, passportNumber=passport_number)

    def finalize_special_electoral_roll(
        self, *, protocol: str, municipality_code: str, revision_year: int, revision_period: int,
        finalized_on: dt.date | None = None,
    ) -> Reply[RollFinalization]:
        """The elections directorate's final finalization of a municipality's roll for a revision."""
        return self.call(SERVICE, "finalizeSpecialElectoralRoll", protocol, lambda out: build(RollFinalization, out),
                         municipalityCode=municipality_code, revisionYear=revision_year,
                         revisionPeriod=revision_period, finalizedOn=finalized_on)
