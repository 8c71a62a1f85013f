"""SOAP edge of the specialElectoralRolls service (Ειδικοί εκλογικοί κατάλογοι, seed 003): thin
handlers over ``provider.registry.special_electoral_rolls``. Every person an answer shows is reported to the audit."""
from __future__ import annotations

from typing import Any

from provider.registry.special_electoral_rolls import (
    applications,
    check,
    criteria,
    finality,
    finalize,
    notices,
    objections,
    roll,
    store,
    unmatched,
    views,
)
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.eligibility import five_year_completion
from provider.registry.special_electoral_rolls.guidance import Guidance
from provider.registry.special_electoral_rolls.model import ElectionInfo, Holder, Permit
from provider.registry.special_electoral_rolls.residence import Place
from provider.soap.call import Call
from provider.soap.services import special_electoral_rolls_types as m
from provider.soap.services.common import build, service_class

SERVICE = m.SERVICE

# -- conversions ----------------------------------------------------------------------------------


def _place(place: Place | None) -> Any:
    return build(m.MunicipalityRef, code=place.code, name=place.name) if place else None


def _guidance(advice: Guidance) -> Any:
    return build(m.GuidanceType, code=advice.code, office=advice.office, form=advice.form, text=advice.text)


def _revision(revision: Revision | None) -> Any:
    if revision is None:
        return None
    return build(m.RevisionType, year=revision.year, period=revision.period, start=revision.start,
                                 deadline=revision.deadline, postingFrom=revision.posting_from, postingTo=revision.posting_to)


def _election(election: ElectionInfo) -> Any:
    return build(m.ElectionType, code=election.code, name=election.name, electionDate=election.election_date,
                                 registrationDeadline=election.registration_deadline,
                                 extendedDeadline=election.extended_deadline, bornBy=election.born_by)


def _holder(holder: Holder) -> Any:
    return build(m.HolderType,
        surname=holder.surname, firstname=holder.firstname, surnameLatin=holder.surname_latin,
        firstnameLatin=holder.firstname_latin, fathername=holder.fathername, mothername=holder.mothername,
        gender=holder.gender, birthdate=holder.birthdate, birthdateExact=holder.birthdate_exact,
        birthplace=holder.birthplace, nationalityCode=holder.nationality, nationalityName=holder.nationality_name,
        homogeneis=holder.homogeneis, spouseName=holder.spouse_name, maidenName=holder.maiden_name,
    )


def _permit(permit: Permit) -> Any:
    return build(m.PermitType, permitNumber=permit.number, permitTypeCode=permit.type.code, permitTypeName=permit.type.name,
                               authorityKind=permit.authority_kind, authorityName=permit.authority_name,
                               applicationDate=permit.application_date, validFrom=permit.valid_from, validTo=permit.valid_to)


def _eligibility(result: check.Eligibility) -> Any:
    output = build(m.EligibilityType,
        found=result.found, eligible=result.eligible, election=_election(result.election),
        reason=[build(m.CodeText, code=r.code, description=r.description) for r in result.reasons],
        requiredDocument=[build(m.DocumentType, code=d.code, description=d.description) for d in result.documents],
        guidance=[_guidance(g) for g in result.guidance],
    )
    applicant = result.applicant
    if applicant is not None:
        output.holder, output.permit = _holder(applicant.holder), _permit(applicant.permit)
        category = applicant.category
        if category is not None:
            output.category = build(m.CategoryType, code=category.code, letter=category.letter,
                                                    description=category.description,
                                                    fiveYearResidenceRequired=category.five_year_basis is not None)
        output.fiveYearCompletedOn = five_year_completion(applicant)
    residence = result.residence
    if residence is not None:
        output.residence = build(m.ResidenceType,
            outcome=residence.outcome, municipality=_place(residence.place), since=residence.since,
            requiresResidenceCertificate=residence.requires_certificate,
            appliedMunicipality=_place(residence.applied), entitledHere=residence.entitled_here,
        )
    return output


def _application(view: views.ApplicationView) -> Any:
    address = view.address
    return build(m.ApplicationType,
        applicationNumber=view.number, kind=view.kind, status=view.status, electionCode=view.election_code,
        electionName=view.election_name, municipality=_place(view.municipality), revision=_revision(view.revision),
        applicationDate=view.application_date, holder=_holder(view.holder), permitNumber=view.permit_number,
        criminalRecord=view.criminal_record, mothername=view.mothername, fathersurname=view.fathersurname,
        phone=view.phone, electoralDistrict=view.electoral_district, newMunicipality=_place(view.new_municipality),
        address=build(m.Address, street=address.street, number=address.number, postalCode=address.postal_code)
        if address else None,
        protocolNumber=view.protocol_number, protocolDate=view.protocol_date, completedOn=view.completed_on,
        document=[build(m.DocumentType, code=d.code, description=d.description) for d in view.documents],
        passportNumber=view.passport_number, specialElectoralNumber=view.special_electoral_number,
        rejectionReason=view.rejection_reason,
        rejectionGuidance=_guidance(view.rejection) if view.rejection else None, rejectionNote=view.rejection_note,
        previousApplicationNumber=view.previous_number, nextApplicationNumber=view.next_number,
        event=[build(m.EventType, event=e.event, eventDate=e.event_date, recordedAt=e.recorded_at, agencyCode=e.agency_code,
                                  username=e.username, callSequenceId=e.call_sequence_id, detail=e.detail)
               for e in view.events],
    )


def _entry(entry: views.EntryView) -> Any:
    return build(m.EntryType,
        specialElectoralNumber=entry.special_electoral_number, gender=entry.gender, surname=entry.surname,
        firstname=entry.firstname, fathername=entry.fathername, mothername=entry.mothername,
        spouseName=entry.spouse_name, maidenName=entry.maiden_name, birthdate=entry.birthdate,
        birthdateExact=entry.birthdate_exact, birthplace=entry.birthplace, municipality=_place(entry.municipality),
        street=entry.street, streetNumber=entry.street_number, postalCode=entry.postal_code,
        electoralDistrict=entry.electoral_district, nationalityCode=entry.nationality,
        nationalityName=entry.nationality_name, passportNumber=entry.passport_number,
        permitNumber=entry.permit_number, addedRevision=_revision(entry.added), addedReason=entry.added_reason,
        addedBy=entry.added_by, removedRevision=_revision(entry.removed), removedReason=entry.removed_reason,
        removedBy=entry.removed_by,
    )


# -- handlers -------------------------------------------------------------------------------------


def _context(call: Call) -> store.Context:
    assert call.caller is not None
    return store.Context(call.caller, call.call_sequence_id, call.call_sequence_date, call.retry_of)


def _applying(data: Any) -> check.Applying:
    applicant = data.applicant
    return check.Applying(applicant.permitNumber, applicant.surnamePrefix, applicant.firstnamePrefix,
                          applicant.birthYear, data.electionCode, data.municipalityCode, data.applicationDate)


def _details(data: Any) -> criteria.Details:
    address = data.address
    return criteria.Details(
        mothername=data.mothername, fathersurname=data.fathersurname, phone=data.phone,
        street=address.street if address else None, street_number=address.number if address else None,
        postal_code=address.postalCode if address else None, electoral_district=data.electoralDistrict,
    )


def _check(call: Call, data: Any) -> Any:
    context = _context(call)
    with call.sessions() as session:
        result = check.check_voter_eligibility(session, context.caller, _applying(data), context.today)
    call.touch(result.subjects)
    return _eligibility(result)


def _create(call: Call, data: Any) -> Any:
    request = applications.CreateRequest(data.kind, _applying(data), _details(data), data.newMunicipalityCode,
                                         data.criminalRecordBrought)
    with call.sessions() as session:
        created = applications.create(session, _context(call), request)
    call.touch(created.subjects)
    return build(m.CreateResult, rollApplication=_application(created.application),
                                 eligibility=_eligibility(created.eligibility) if created.eligibility else None)


def _finalize(call: Call, data: Any) -> Any:
    request = finalize.FinalizeRequest(data.applicationNumber, data.protocolNumber, data.protocolDate, data.completedOn,
                                       tuple(data.document or ()), data.passportNumber, _details(data))
    with call.sessions() as session:
        view = finalize.finalize(session, _context(call), request)
    call.touch(view.subjects)
    return _application(view)


def _reject(call: Call, data: Any) -> Any:
    request = applications.RejectRequest(data.applicationNumber, data.reasonCode, data.decisionDate,
                                         data.protocolNumber, data.note)
    with call.sessions() as session:
        view = applications.reject(session, _context(call), request)
    call.touch(view.subjects)
    return _application(view)


def _get(call: Call, data: Any) -> Any:
    with call.sessions() as session:
        view = applications.get(session, _context(call), data.applicationNumber)
    call.touch(view.subjects)
    return _application(view)


def _roll(call: Call, data: Any) -> Any:
    with call.sessions() as session:
        found = roll.special_roll(session, _context(call), data.municipalityCode, data.revisionYear,
                                  data.revisionPeriod)
    call.touch(found.subjects)
    return build(m.RollType, municipality=_place(found.municipality), revision=_revision(found.revision),
                             entryCount=len(found.entries), entry=[_entry(e) for e in found.entries],
                             addition=[_entry(e) for e in found.additions], deletion=[_entry(e) for e in found.deletions],
                             finalizedOn=found.finalized_on)


def _create_citizen(call: Call, data: Any) -> Any:
    request = applications.CreateRequest(data.kind, _applying(data), _details(data), data.newMunicipalityCode)
    with call.sessions() as session:
        created = applications.create(session, _context(call), request, citizen=True)
    call.touch(created.subjects)
    return build(m.CreateResult, rollApplication=_application(created.application),
                                 eligibility=_eligibility(created.eligibility) if created.eligibility else None)


def _reject_unmatched(call: Call, data: Any) -> Any:
    request = unmatched.UnmatchedRequest(_applying(data), data.protocolNumber, data.decisionDate)
    with call.sessions() as session:
        found = unmatched.reject_unmatched(session, _context(call), request)
    call.touch(found.subjects)
    return build(m.UnmatchedType,
        applicationNumber=found.number, municipality=_place(found.municipality), electionCode=found.election_code,
        applicationDate=found.application_date,
        applicant=build(m.ApplicantCriteria, permitNumber=found.permit_number, surnamePrefix=found.surname_prefix,
                                             firstnamePrefix=found.firstname_prefix, birthYear=found.birth_year),
        protocolNumber=found.protocol_number, decisionDate=found.decision_date,
        rejectionReason=found.guidance.code, rejectionGuidance=_guidance(found.guidance),
        agencyCode=found.agency_code, username=found.username, recordedAt=found.recorded_at)


def _notify(call: Call, data: Any) -> Any:
    applicant = data.applicant
    request = notices.NoticeRequest(applicant.permitNumber, applicant.surnamePrefix, applicant.firstnamePrefix,
                                    applicant.birthYear, data.reasonCode, data.noticeDate, data.decisionReference,
                                    data.authorityName, data.penaltyKind, data.irrevocableOn)
    with call.sessions() as session:
        view = notices.notify(session, _context(call), request)
    call.touch(view.subjects)
    return _application(view)


def _objection(view: objections.ObjectionView) -> Any:
    return build(m.ObjectionType,
        objectionNumber=view.number, kind=view.kind, status=view.status, municipality=_place(view.municipality),
        revision=_revision(view.revision), holder=_holder(view.holder),
        specialElectoralNumber=view.special_electoral_number, applicationNumber=view.application_number,
        objector=view.objector, grounds=view.grounds, lodgedOn=view.lodged_on, decidedOn=view.decided_on,
        decisionReference=view.decision_reference, decisionNote=view.decision_note,
        resultApplicationNumber=view.result_application_number)


def _lodge(call: Call, data: Any) -> Any:
    request = objections.LodgeRequest(data.municipalityCode, data.revisionYear, data.revisionPeriod, data.kind,
                                      data.specialElectoralNumber, data.applicationNumber, data.objector,
                                      data.grounds, data.lodgedOn)
    with call.sessions() as session:
        view = objections.lodge(session, _context(call), request)
    call.touch(view.subjects)
    return _objection(view)


def _decide(call: Call, data: Any) -> Any:
    address = data.address
    details = criteria.Details(street=address.street if address else None,
                               street_number=address.number if address else None,
                               postal_code=address.postalCode if address else None,
                               electoral_district=data.electoralDistrict)
    request = objections.DecideRequest(data.objectionNumber, data.outcome, data.decisionDate, data.decisionReference,
                                       data.note, details, data.passportNumber)
    with call.sessions() as session:
        view = objections.decide(session, _context(call), request)
    call.touch(view.subjects)
    return _objection(view)


def _finalize_roll(call: Call, data: Any) -> Any:
    request = finality.FinalizeRollRequest(data.municipalityCode, data.revisionYear, data.revisionPeriod,
                                           data.finalizedOn)
    with call.sessions() as session:
        done = finality.finalize_roll(session, _context(call), request)
    call.touch(done.subjects)
    return build(m.FinalizationType, municipality=_place(done.municipality), revision=_revision(done.revision),
                                     finalizedOn=done.finalized_on, entryCount=done.entry_count, agencyCode=done.agency_code,
                                     username=done.username, recordedAt=done.recorded_at)


Service = service_class(
    SERVICE,
    {
        "checkVoterEligibility": (m.CheckInput, m.EligibilityType, _check),
        "createRollApplication": (m.CreateInput, m.CreateResult, _create),
        "finalizeRollApplication": (m.FinalizeInput, m.ApplicationType, _finalize),
        "rejectRollApplication": (m.RejectInput, m.ApplicationType, _reject),
        "getRollApplication": (m.GetApplicationInput, m.ApplicationType, _get),
        "getSpecialElectoralRoll": (m.GetRollInput, m.RollType, _roll),
        "createCitizenRollApplication": (m.CitizenCreateInput, m.CreateResult, _create_citizen),
        "rejectUnmatchedRollApplication": (m.UnmatchedInput, m.UnmatchedType, _reject_unmatched),
        "notifyDeletionCondition": (m.NoticeInput, m.ApplicationType, _notify),
        "lodgeRollObjection": (m.LodgeObjectionInput, m.ObjectionType, _lodge),
        "decideRollObjection": (m.DecideObjectionInput, m.ObjectionType, _decide),
        "finalizeSpecialElectoralRoll": (m.FinalizeRollInput, m.FinalizationType, _finalize_roll),
    },
)
