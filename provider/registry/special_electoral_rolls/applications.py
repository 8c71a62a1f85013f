"""createRollApplication, rejectRollApplication and getRollApplication (circular §2.1, §3.2-§3.4).

An application is created by the municipality the person comes to, from the circular's search
criteria, and gets a unique printable number. A registration is taken even when the cross-check is
negative, if the person insists ("πρωτοκολλείται ... προς απόρριψη"): the answer carries the
cross-check so the clerk sees at once what will follow. When the criminal record is not brought,
the municipality requests it ex officio and the history says so. Deletions and corrections concern
a person already on a roll: a deletion at the person's request is made where they are registered,
a deletion for Greek citizenship by the municipality holding their family share, a correction
where they live (for a move, the new municipality). A create or a reject that repeats a call whose
answer was lost (``store.Context.retry_of``) answers what that call did and does nothing again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import RollApplication
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import (
    check,
    criteria,
    eligibility,
    events,
    finality,
    guidance,
    records,
    scope,
    store,
    views,
)
from provider.registry.special_electoral_rolls.criteria import (
    CORRECTION,
    DELETION_CITIZENSHIP,
    DELETION_REQUEST,
    REGISTRATION,
)
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.model import Applicant, ElectionInfo
from provider.registry.special_electoral_rolls.residence import Place

REJECTION_REASONS = (*eligibility.REASONS, guidance.OTHER_MUNICIPALITY, guidance.MUNICIPALITY_UNDETERMINED,
                     guidance.DOCUMENTS_MISSING, guidance.OTHER)
NOTE_LIMIT = 500
CITIZEN = "CITIZEN"  # origin of an application created by the person on the Ministry's site


@dataclass(frozen=True)
class CreateRequest:
    kind: str | None
    applying: check.Applying
    details: criteria.Details = criteria.Details()
    new_municipality_code: str | None = None
    criminal_record_brought: bool | None = None


@dataclass(frozen=True)
class Created:
    application: views.ApplicationView
    eligibility: check.Eligibility | None  # the cross-check of a registration or a move

    @property
    def subjects(self) -> frozenset[int]:
        return self.application.subjects


@dataclass(frozen=True)
class RejectRequest:
    application_number: str | None
    reason_code: str | None
    decision_date: dt.date | None = None
    protocol_number: str | None = None
    note: str | None = None


def deadline_open(election: ElectionInfo, day: dt.date) -> None:
    if day > election.deadline:
        extended = " (με την παράταση)" if election.extended_deadline else ""
        raise MitrooError(ErrorCode.MP_DEADLINE_PASSED, f"η προθεσμία εγγραφής για τις εκλογές {election.code} της "
                          f"{election.election_date:%d-%m-%Y} έληξε στις {election.deadline:%d-%m-%Y}{extended}· "
                          f"η ημερομηνία {day:%d-%m-%Y} είναι μεταγενέστερη")


def _checked_fields(request: CreateRequest, kind: str) -> tuple[criteria.Particulars, str | None, bool | None]:
    details = criteria.particulars(request.details)
    new_code = criteria.municipality_code("newMunicipalityCode", request.new_municipality_code)
    extra = details.given() + (["newMunicipalityCode"] if new_code else [])
    brought = request.criminal_record_brought
    if kind in (DELETION_REQUEST, DELETION_CITIZENSHIP):
        criteria.refuse_fields(kind, extra + (["criminalRecordBrought"] if brought is not None else []))
    elif kind == REGISTRATION:
        criteria.name("mothername", request.details.mothername, required=True)
        criteria.name("fathersurname", request.details.fathersurname, required=True)
        if new_code:
            raise criteria.invalid("newMunicipalityCode", "μόνο για διόρθωση (μεταδημότευση), όχι για εγγραφή")
    else:
        if brought is not None:
            raise criteria.invalid("criminalRecordBrought", "μόνο για εγγραφή (registrations only)")
        if not extra:
            raise criteria.invalid("newMunicipalityCode/address/electoralDistrict/mothername/fathersurname/phone",
                                   "η διόρθωση χρειάζεται τουλάχιστον ένα στοιχείο που αλλάζει")
    return details, new_code, brought


def _on_roll(session: Session, who: scope.Acting, applicant: Applicant, kind: str, municipality: tuple[int, Place],
             new_code: str | None) -> None:
    """The person's place on the rolls must fit the kind of application."""
    holder_id = applicant.holder.person_id
    entry = store.current_entry(session, holder_id)
    if kind == REGISTRATION:
        if entry is not None:
            where = records.place(session, entry.municipality_id)
            raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"ο αιτών είναι ήδη εγγεγραμμένος στον ειδικό κατάλογο "
                              f"του Δήμου {where.name} (ειδικός εκλογικός αριθμός {entry.special_electoral_number})· "
                              "η αλλαγή Δήμου γίνεται με αίτηση διόρθωσης (μεταδημότευση)")
    elif entry is None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "ο αιτών δεν είναι εγγεγραμμένος σε ειδικό εκλογικό κατάλογο")
    elif kind == DELETION_CITIZENSHIP:
        acquisition = applicant.acquisition
        if acquisition is None or acquisition.acquired_on > applicant.on:
            raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "δεν έχει καταχωριστεί απόκτηση της ελληνικής ιθαγένειας "
                              "από τον αιτούντα")
        if acquisition.municipality != municipality[1]:
            raise who.refuse(acquisition.municipality, "διαγράψει λόγω ιθαγένειας (η οικογενειακή μερίδα είναι "
                             f"στον Δήμο {acquisition.municipality.name})")
    elif kind == CORRECTION and new_code is not None:
        if new_code != municipality[1].code:
            moved_to = records.municipality(session, new_code, "newMunicipalityCode")[1]
            raise who.refuse(moved_to, "δεχτεί μεταδημότευση (υποβάλλεται στον νέο Δήμο κατοικίας)")
        if entry.municipality_id == municipality[0]:
            raise criteria.invalid("newMunicipalityCode", f"ο αιτών είναι ήδη εγγεγραμμένος στον Δήμο "
                                   f"{municipality[1].name}")
    elif entry.municipality_id != municipality[0]:
        raise who.refuse(records.place(session, entry.municipality_id), f"δεχτεί αίτηση {kind} (ο αιτών είναι "
                         "εγγεγραμμένος σε άλλον Δήμο)")
    pending = store.pending(session, holder_id, kind)
    if pending is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"εκκρεμεί ήδη η αίτηση {pending} του ίδιου είδους· "
                          "οριστικοποιήστε ή απορρίψτε την πρώτα")


def _citizen(session: Session, who: scope.Acting, request: CreateRequest, kind: str,
             code: str | None) -> tuple[scope.Acting, tuple[int, Place]]:
    """An application the person creates from home on the Ministry's site (§3.2.1, §3.3.1, §3.4),
    through the portal's system: it names the municipality of permanent residence where it will be
    lodged, and the portal acts for the person at that municipality only."""
    if who.place is not None:
        raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"ο Δήμος {who.place.name} δημιουργεί αιτήσεις με "
                          "createRollApplication· createCitizenRollApplication είναι του ιστοτόπου του Υπουργείου")
    if kind == DELETION_CITIZENSHIP:
        raise criteria.invalid("kind", "η διαγραφή λόγω ελληνικής ιθαγένειας γίνεται αυτεπαγγέλτως από τον Δήμο της "
                               "οικογενειακής μερίδας (§3.3.2), όχι από τον ενδιαφερόμενο")
    if request.criminal_record_brought is not None:
        raise criteria.invalid("criminalRecordBrought", "το δηλώνει ο Δήμος όταν κατατίθεται η αίτηση "
                               "(οριστικοποίηση με document CRIMINAL_RECORD)")
    if code is None:
        raise criteria.invalid("municipalityCode", "ο Δήμος μόνιμης κατοικίας όπου θα κατατεθεί η αίτηση "
                               "(required)")
    municipality = records.municipality(session, code)
    return scope.Acting(who.agency_code, municipality[0], municipality[1]), municipality


def create(session: Session, context: store.Context, request: CreateRequest, *, citizen: bool = False) -> Created:
    kind = criteria.kind(request.kind)
    search, election_code, code, on = request.applying.checked(context.today)
    details, new_code, brought = _checked_fields(request, kind)
    who = scope.acting(session, context.caller)
    if citizen:
        who, municipality = _citizen(session, who, request, kind, code)
    else:
        municipality = scope.own_municipality(session, who, code, "δημιουργήσει αιτήσεις")
    election = records.election(session, election_code)
    earlier = _created_by_retried_call(session, context, search)
    if earlier is not None:
        return _created(session, earlier, election, municipality[1])
    if kind == REGISTRATION:  # §2.5: the deadline is for registration; the revisions go on
        deadline_open(election, on)
    applicant = check.find(session, search, on)
    if applicant is None:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, guidance.not_found().text + (
            "" if citizen else " (Ο Δήμος καταχωρίζει και απορρίπτει εγγράφως την αίτηση με "
            "rejectUnmatchedRollApplication.)"))
    _on_roll(session, who, applicant, kind, municipality, new_code)
    address = details.address
    revision = finality.open_revision(session, municipality[0], Revision.of(on))
    row = store.insert_application(
        session, municipality[1].code, context, kind=kind, holder_id=applicant.holder.person_id,
        permit_id=applicant.permit.id, election_id=election.id, municipality_id=municipality[0],
        revision=revision.key, application_date=on, origin=CITIZEN if citizen else None,
        criminal_record=None if kind != REGISTRATION or citizen else ("BROUGHT" if brought else "REQUESTED"),
        mothername=details.mothername, fathersurname=details.fathersurname, phone=details.phone,
        street=address.street if address else None, street_number=address.number if address else None,
        postal_code=address.postal_code if address else None, electoral_district=details.electoral_district,
        new_municipality_id=municipality[0] if new_code else None,
    )
    created = events.created(kind, municipality[1], election.code, revision)
    store.add_event(session, row.id, events.CREATED, on, context,
                    created + (events.FROM_PORTAL if citizen else ""))
    if row.criminal_record == "REQUESTED":
        store.add_event(session, row.id, events.CRIMINAL_RECORD_REQUESTED, on, context,
                        events.criminal_record_requested())
    session.commit()
    return _created(session, row, election, municipality[1], applicant)


def _created_by_retried_call(session: Session, context: store.Context,
                             search: criteria.ApplicantCriteria) -> RollApplication | None:
    """The application the original call created for this applicant, when this call is its retry."""
    if context.retry_of is None:
        return None
    found = records.find_permit(session, search.permit_number, search.surname_prefix, search.firstname_prefix,
                                search.birth_year)
    return store.done_by_retried_call(session, context, events.CREATED,
                                      RollApplication.holder_id == found[0]) if found else None


def _created(session: Session, row: RollApplication, election: ElectionInfo, place: Place,
             applicant: Applicant | None = None) -> Created:
    """The answer to a create: the application and, for a registration or a correction, the cross-check."""
    outcome = None
    if row.kind in (REGISTRATION, CORRECTION):
        applicant = applicant or records.applicant(session, row.holder_id, row.permit_id, row.application_date)
        outcome = check.evaluate(applicant, election, place)
    return Created(views.application(session, row), outcome)


def get(session: Session, context: store.Context, number: str | None) -> views.ApplicationView:
    row = store.application(session, number)
    who = scope.acting(session, context.caller)
    scope.check_reads(session, who, row.municipality_id, "δει αιτήσεις")
    return views.application(session, row)


def _rejection(session: Session, row: RollApplication, applicant: Applicant, election: ElectionInfo, reason: str,
               note: str | None) -> guidance.Guidance:
    """The written guidance for ``reason``, refusing a reason the system contradicts."""
    if row.kind != REGISTRATION and reason not in (guidance.DOCUMENTS_MISSING, guidance.OTHER) and not (
            row.new_municipality_id and reason in (guidance.OTHER_MUNICIPALITY, guidance.MUNICIPALITY_UNDETERMINED)):
        raise criteria.invalid("reasonCode", f"{reason}: η αίτηση {row.kind} απορρίπτεται μόνο με "
                               f"{guidance.DOCUMENTS_MISSING} ή {guidance.OTHER}")
    if reason == guidance.OTHER:
        if not note:
            raise criteria.invalid("note", f"ο λόγος {guidance.OTHER} χρειάζεται την αιτιολογία (note)")
        return guidance.other(note)
    if reason == guidance.DOCUMENTS_MISSING:
        return guidance.documents_missing(applicant, note)
    here = records.place(session, row.municipality_id)
    if reason in (guidance.OTHER_MUNICIPALITY, guidance.MUNICIPALITY_UNDETERMINED):
        outcome = check.evaluate(applicant, election, here)
        for advice in outcome.guidance:
            if advice.code == reason:
                return advice
        shown = outcome.residence.place.name if outcome.residence and outcome.residence.place else "κανένας"
        raise criteria.invalid("reasonCode", f"{reason}: το σύστημα δεν το δείχνει (Δήμος μόνιμης κατοικίας: "
                               f"{shown}, αίτηση στον Δήμο {here.name})")
    found = {r.code: r for r in eligibility.reasons(applicant, election)}
    if reason in found:
        return guidance.for_reason(found[reason], applicant)
    if reason == eligibility.CONVICTION and note:  # from the criminal record extract, not yet in the system
        return guidance.for_reason(eligibility.Reason(reason, note), applicant)
    shown = ", ".join(found) or "κανέναν"
    hint = " (για καταδίκη που προκύπτει από το πιστοποιητικό ποινικού μητρώου, δώστε την στο note)" \
        if reason == eligibility.CONVICTION else ""
    raise criteria.invalid("reasonCode", f"{reason}: το σύστημα δεν δείχνει αυτόν τον λόγο (δείχνει: {shown}){hint}")


def reject(session: Session, context: store.Context, request: RejectRequest) -> views.ApplicationView:
    row = store.application(session, request.application_number)
    reason = (request.reason_code or "").strip().upper()
    if reason not in REJECTION_REASONS:
        raise criteria.invalid("reasonCode", f"{request.reason_code!r}: ένα από {', '.join(REJECTION_REASONS)}")
    note = criteria.text("note", request.note, NOTE_LIMIT)
    decided = criteria.day("decisionDate", request.decision_date, context.today)
    protocol = criteria.text("protocolNumber", request.protocol_number, 40)
    who = scope.acting(session, context.caller)
    scope.check_acts(session, who, row.municipality_id, "απορρίψει αιτήσεις")
    done = store.done_by_retried_call(session, context, events.REJECTED, RollApplication.id == row.id)
    if done is not None:
        return views.application(session, done)
    store.require_created(row)
    if decided < row.application_date:
        raise criteria.invalid("decisionDate", f"{decided:%d-%m-%Y}: πριν από την αίτηση "
                               f"({row.application_date:%d-%m-%Y})")
    applicant = records.applicant(session, row.holder_id, row.permit_id, decided)
    election = records.election_by_id(session, row.election_id)
    advice = _rejection(session, row, applicant, election, reason, note)
    store.change_status(session, row, store.REJECTED)
    row.rejection_reason, row.rejection_note = reason, note
    row.rejection_office, row.rejection_form, row.rejection_guidance = advice.office, advice.form, advice.text
    if protocol and not row.protocol_number:
        row.protocol_number, row.protocol_date = protocol, decided
    store.add_event(session, row.id, events.REJECTED, decided, context, events.rejected(reason, advice.text))
    session.commit()
    return views.application(session, row)

