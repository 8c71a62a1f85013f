"""checkVoterEligibility: the cross-check a municipality makes before it takes an application
(Annex of section 2, Β 2): is the person in the system, eligible, in which category, registered in
which municipality, with which documents to bring, and what to do about every negative outcome."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from provider.access.accreditation import Caller
from provider.registry.special_electoral_rolls import (
    criteria,
    documents,
    eligibility,
    guidance,
    records,
    scope,
)
from provider.registry.special_electoral_rolls.model import Applicant, ElectionInfo
from provider.registry.special_electoral_rolls.residence import Place, correcting_form, permanent_residence

DETERMINED, UNDETERMINED, CERTIFICATE_REQUIRED = "DETERMINED", "UNDETERMINED", "CERTIFICATE_REQUIRED"


@dataclass(frozen=True)
class ResidenceOutcome:
    outcome: str  # DETERMINED | UNDETERMINED | CERTIFICATE_REQUIRED (police-issued titles)
    place: Place | None
    since: dt.date | None
    applied: Place | None  # where the person applies, when known
    correcting_form: str | None  # 210 | 411 when entitled elsewhere

    @property
    def requires_certificate(self) -> bool:
        return self.outcome == CERTIFICATE_REQUIRED

    @property
    def entitled_here(self) -> bool | None:
        """Whether the person may register where they apply; None when the system cannot tell."""
        if self.applied is None or self.outcome == CERTIFICATE_REQUIRED:
            return None
        return self.place == self.applied


@dataclass(frozen=True)
class Eligibility:
    found: bool
    eligible: bool
    election: ElectionInfo
    applicant: Applicant | None
    reasons: tuple[eligibility.Reason, ...]
    residence: ResidenceOutcome | None
    documents: tuple[documents.Document, ...]
    guidance: tuple[guidance.Guidance, ...]

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset({self.applicant.holder.person_id}) if self.applicant else frozenset()


@dataclass(frozen=True)
class Applying:
    """Who applies (the circular's search criteria), for which election, where and on which day."""

    permit_number: str | None
    surname_prefix: str | None
    firstname_prefix: str | None
    birth_year: int | None
    election_code: str | None
    municipality_code: str | None = None
    application_date: dt.date | None = None

    def checked(self, today: dt.date) -> tuple[criteria.ApplicantCriteria, str, str | None, dt.date]:
        """The search criteria, election code, municipality code (if given) and day, checked."""
        return (criteria.applicant(self.permit_number, self.surname_prefix, self.firstname_prefix, self.birth_year,
                                   today),
                criteria.election_code(self.election_code),
                criteria.municipality_code("municipalityCode", self.municipality_code),
                criteria.day("applicationDate", self.application_date, today))


def residence_of(applicant: Applicant, applied: Place | None) -> ResidenceOutcome:
    if applicant.permit.police:
        return ResidenceOutcome(CERTIFICATE_REQUIRED, None, None, applied, None)
    found = permanent_residence(applicant.history, applicant.on)
    if found.place is None:
        return ResidenceOutcome(UNDETERMINED, None, None, applied, None)
    form = None
    if applied is not None and applied != found.place:
        form = correcting_form(applicant.history, applied, applicant.on)
    return ResidenceOutcome(DETERMINED, found.place, found.since, applied, form)


def evaluate(applicant: Applicant, election: ElectionInfo, applied: Place | None) -> Eligibility:
    """The whole outcome for ``applicant`` applying in ``applied`` for ``election``."""
    reasons = eligibility.reasons(applicant, election)
    residence = residence_of(applicant, applied)
    advice = [guidance.for_reason(reason, applicant) for reason in reasons]
    if residence.outcome == CERTIFICATE_REQUIRED:
        advice.append(guidance.residence_certificate(applied))
    elif residence.outcome == UNDETERMINED:
        advice.append(guidance.undetermined())
    elif residence.correcting_form is not None:
        assert residence.place is not None and applied is not None
        advice.append(guidance.other_municipality(residence.place, applied, residence.correcting_form))
    return Eligibility(True, not reasons, election, applicant, reasons, residence,
                       documents.required(criteria.REGISTRATION, applicant.permit), tuple(advice))


def not_found(election: ElectionInfo) -> Eligibility:
    return Eligibility(False, False, election, None, (), None, (), (guidance.not_found(),))


def find(session: Session, search: criteria.ApplicantCriteria, on: dt.date) -> Applicant | None:
    found = records.find_permit(session, search.permit_number, search.surname_prefix, search.firstname_prefix,
                                search.birth_year)
    return records.applicant(session, found[0], found[1], on) if found else None


def check_voter_eligibility(session: Session, caller: Caller, request: Applying, today: dt.date) -> Eligibility:
    search, election_code, code, on = request.checked(today)
    who = scope.acting(session, caller)
    municipality = scope.municipality_for(session, who, code, "ελέγξει αιτούντες")
    election = records.election(session, election_code)
    applicant = find(session, search, on)
    if applicant is None:
        return not_found(election)
    return evaluate(applicant, election, municipality[1] if municipality else None)
