"""finalizeRollApplication (circular §3.2.2, §3.3, §3.4, Annex of section 2, Β 2 β).

Only the municipality holding the application finalizes it, and for a registration (or a move) only
if that is the municipality of permanent residence: computed from the system for Region/Ministry
titles, certified by the Mayor's residence certificate for police-issued titles. Finalization
waits for the criminal record (requested ex officio when it was not brought) and refuses while a
document the category requires is missing or, for a registration, once the election's registration
deadline (extended or not) has passed. A file completed after the deadline of its bimonthly
revision is finalized in the next one "with a new application the clerk creates": the first is
closed as CARRIED_OVER and a new application, pointing back to it, is created and finalized in the
same call. A retry of a finalize whose answer was lost returns the application as that call left it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.orm import Session

from db.models import RollApplication, RollEntry
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import (
    check,
    criteria,
    documents,
    eligibility,
    events,
    finality,
    records,
    scope,
    store,
    views,
)
from provider.registry.special_electoral_rolls.applications import deadline_open
from provider.registry.special_electoral_rolls.criteria import (
    CORRECTION,
    DELETION_CITIZENSHIP,
    DELETION_REQUEST,
    REGISTRATION,
)
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.model import Applicant
from provider.registry.special_electoral_rolls.numbers import special_electoral_number


@dataclass(frozen=True)
class FinalizeRequest:
    application_number: str | None
    protocol_number: str | None
    protocol_date: dt.date | None
    completed_on: dt.date | None = None
    documents: tuple[str, ...] = ()
    passport_number: str | None = None
    details: criteria.Details = criteria.Details()


@dataclass(frozen=True)
class _Checked:
    protocol_number: str
    protocol_date: dt.date
    completed_on: dt.date
    documents: frozenset[str]
    passport_number: str | None
    details: criteria.Particulars


def _check_input(row: RollApplication, request: FinalizeRequest, today: dt.date) -> _Checked:
    protocol_number = criteria.protocol_number(request.protocol_number)
    if request.protocol_date is None:
        raise criteria.invalid("protocolDate", "υποχρεωτικό πεδίο (required)")
    protocol_date = criteria.day("protocolDate", request.protocol_date, today)
    completed_on = criteria.day("completedOn", request.completed_on, today)
    if protocol_date < row.application_date:
        raise criteria.invalid("protocolDate", f"{protocol_date:%d-%m-%Y}: πριν από τη δημιουργία της αίτησης "
                               f"({row.application_date:%d-%m-%Y})")
    if completed_on < protocol_date:
        raise criteria.invalid("completedOn", f"{completed_on:%d-%m-%Y}: πριν από το πρωτόκολλο "
                               f"({protocol_date:%d-%m-%Y})")
    details = criteria.particulars(request.details)
    passport = criteria.passport_number(request.passport_number)
    if row.kind in (DELETION_REQUEST, DELETION_CITIZENSHIP):
        criteria.refuse_fields(row.kind, details.given() + (["passportNumber"] if passport else []))
    return _Checked(protocol_number, protocol_date, completed_on, criteria.document_codes(list(request.documents)),
                    passport, details)


def _residence(session: Session, row: RollApplication, applicant: Applicant) -> None:
    """The municipality finalizing must be the municipality of permanent residence."""
    here = records.place(session, row.municipality_id)
    outcome = check.evaluate(applicant, records.election_by_id(session, row.election_id), here)
    residence = outcome.residence
    assert residence is not None
    if residence.requires_certificate or residence.entitled_here:
        return
    if residence.place is None:
        raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, "μόνο ο Δήμος μόνιμης κατοικίας οριστικοποιεί: το σύστημα "
                          "δεν δείχνει Δήμο με διετή διαμονή του αιτούντος· απορρίψτε την αίτηση με reasonCode "
                          "MUNICIPALITY_UNDETERMINED (σύσταση: έντυπο 310 στην υπηρεσία αλλοδαπών)")
    raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"μόνο ο Δήμος μόνιμης κατοικίας οριστικοποιεί: το σύστημα "
                      f"δείχνει τον Δήμο {residence.place.name} (διετής διαμονή από {residence.since:%d-%m-%Y}), όχι "
                      f"τον Δήμο {here.name}· απορρίψτε την αίτηση με reasonCode OTHER_MUNICIPALITY (σύσταση: "
                      f"έντυπο {residence.correcting_form} στην υπηρεσία αλλοδαπών)")


def _documents(row: RollApplication, applicant: Applicant, given: frozenset[str]) -> None:
    needed = documents.required(row.kind, applicant.permit, new_municipality=row.new_municipality_id is not None)
    if any(d.code == documents.CRIMINAL_RECORD for d in needed) and documents.CRIMINAL_RECORD not in given:
        if row.criminal_record == "REQUESTED":
            why = (f"ζητήθηκε αυτεπαγγέλτως στις {row.application_date:%d-%m-%Y}· οριστικοποιήστε όταν περιέλθει "
                   f"στον Δήμο, δηλώνοντας document {documents.CRIMINAL_RECORD}")
        elif row.criminal_record is None:
            why = (f"η αίτηση δημιουργήθηκε στον ιστότοπο· δηλώστε document {documents.CRIMINAL_RECORD} όταν "
                   "το πιστοποιητικό προσκομιστεί ή περιέλθει στον Δήμο")
        else:
            why = f"δηλώθηκε ότι προσκομίστηκε, αλλά λείπει από τα document ({documents.CRIMINAL_RECORD})"
        raise MitrooError(ErrorCode.MP_CRIMINAL_RECORD_PENDING, why)
    missing = [d for d in needed if d.code not in given]
    if missing:
        listed = "· ".join(f"{d.description} ({d.code})" for d in missing)
        category = applicant.category
        of = f"η κατηγορία {category.letter} " if category else ""
        raise MitrooError(ErrorCode.MP_DOCUMENTS_MISSING, f"{of}με τίτλο «{applicant.permit.type.name}» απαιτεί: "
                          f"{listed}")


def _check_rules(session: Session, row: RollApplication, applicant: Applicant, checked: _Checked) -> RollEntry | None:
    """Every rule the kind of application must meet; the person's current roll entry."""
    entry = store.current_entry(session, row.holder_id)
    if row.kind == REGISTRATION:
        if entry is not None:
            raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "ο αιτών εγγράφηκε ήδη σε ειδικό εκλογικό κατάλογο "
                              f"(ειδικός εκλογικός αριθμός {entry.special_electoral_number})")
        found = eligibility.reasons(applicant, records.election_by_id(session, row.election_id))
        if found:
            codes = ", ".join(r.code for r in found)
            raise MitrooError(ErrorCode.MP_NOT_ELIGIBLE, "; ".join(r.description for r in found)
                              + f" — απορρίψτε την αίτηση με reasonCode {found[0].code} (λόγοι: {codes})")
    elif entry is None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "ο αιτών δεν είναι πια εγγεγραμμένος σε ειδικό κατάλογο")
    if row.kind == REGISTRATION or (row.kind == CORRECTION and row.new_municipality_id):
        _residence(session, row, applicant)
    _documents(row, applicant, checked.documents)
    if documents.PASSPORT in checked.documents and checked.passport_number is None and row.kind == REGISTRATION:
        raise criteria.invalid("passportNumber", "ο αριθμός διαβατηρίου γράφεται στον κατάλογο όπου απαιτείται "
                               "διαβατήριο (required with the passport)")
    if row.kind == REGISTRATION:
        if checked.details.address is None and row.street is None:
            raise criteria.invalid("address", "η διεύθυνση κατοικίας είναι υποχρεωτική για την εγγραφή (required)")
        if checked.details.electoral_district is None and row.electoral_district is None:
            raise criteria.invalid("electoralDistrict", "το εκλογικό διαμέρισμα είναι υποχρεωτικό για την εγγραφή")
    return entry


def _carry_over(session: Session, row: RollApplication, context: store.Context, completed_on: dt.date,
                now: Revision) -> RollApplication:
    """Closes ``row`` and opens its successor in revision ``now`` (that of ``completed_on``, or the
    next one still open when the Ministry has finalized it)."""
    was = Revision.from_key(row.revision)
    store.change_status(session, row, store.CARRIED_OVER)
    code = records.place(session, row.municipality_id).code
    copied = {name: getattr(row, name) for name in store.CARRIED_FIELDS}
    successor = store.insert_application(session, code, context, revision=now.key, application_date=completed_on,
                                         previous_id=row.id, **copied)
    assert successor.number is not None and row.number is not None
    store.add_event(session, row.id, events.CARRIED_OVER, completed_on, context,
                    events.carried_over(completed_on, was, now, successor.number))
    store.add_event(session, successor.id, events.CREATED, completed_on, context, events.successor(now, row.number))
    return successor


def _entry(applicant: Applicant, row: RollApplication, municipality_id: int, revision: int) -> RollEntry:
    assert row.street is not None and row.electoral_district is not None
    application = {name: getattr(row, name) for name in store.ENTRY_FIELDS}
    return RollEntry(municipality_id=municipality_id, added_revision=revision, added_by=row.id,
                     **store.entry_fields(applicant.holder, application, applicant.permit.number))


def _apply(session: Session, row: RollApplication, applicant: Applicant, entry: RollEntry | None) -> str:
    """Changes the roll as ``row`` says; returns what was done, for the history."""
    revision = Revision.from_key(row.revision)
    if row.kind == REGISTRATION:
        new = _entry(applicant, row, row.municipality_id, row.revision)
        new.added_reason = REGISTRATION
        new.special_electoral_number = special_electoral_number(revision.year, row.id)
        session.add(new)
        return events.registered(new.special_electoral_number)
    assert entry is not None
    removed_in = max(row.revision, entry.added_revision)
    entry.removed_revision, entry.removed_by = removed_in, row.id
    if row.kind in (DELETION_REQUEST, DELETION_CITIZENSHIP):
        entry.removed_reason = row.kind if row.kind == DELETION_REQUEST else "GREEK_CITIZENSHIP"
        return events.deleted(entry.special_electoral_number)
    moved = row.new_municipality_id is not None
    entry.removed_reason = "MUNICIPALITY_CHANGE" if moved else CORRECTION
    session.flush()  # the old row stops being current before its successor takes the number
    if row.street is None:  # a new address replaces the whole address
        row.street, row.street_number, row.postal_code = entry.street, entry.street_number, entry.postal_code
    for name in ("mothername", "electoral_district"):
        if getattr(row, name) is None:
            setattr(row, name, getattr(entry, name))
    new = _entry(applicant, row, row.new_municipality_id or entry.municipality_id, removed_in)
    new.added_reason, new.special_electoral_number = entry.removed_reason, entry.special_electoral_number
    new.passport_number = row.passport_number or entry.passport_number
    session.add(new)
    if moved:
        return events.moved(records.place(session, entry.municipality_id), entry.special_electoral_number)
    return events.corrected(entry.special_electoral_number)


def finalize(session: Session, context: store.Context, request: FinalizeRequest) -> views.ApplicationView:
    row = store.application(session, request.application_number)
    who = scope.acting(session, context.caller)
    scope.check_acts(session, who, row.municipality_id, "οριστικοποιήσει αιτήσεις")
    done = store.done_by_retried_call(session, context, events.FINALIZED,  # this row or its carried-over successor
                                      or_(RollApplication.id == row.id, RollApplication.previous_id == row.id))
    if done is not None:
        return views.application(session, done)
    store.require_created(row)
    checked = _check_input(row, request, context.today)
    if row.kind == REGISTRATION:
        # A record the municipality requested ex officio (the person may not bring it later, §3.2.2)
        # keeps the application lodged in time within the deadline: docs/services/special_electoral_rolls.md, Interpretations.
        in_time = row.application_date if row.criminal_record == "REQUESTED" else checked.completed_on
        deadline_open(records.election_by_id(session, row.election_id), in_time)
    applicant = records.applicant(session, row.holder_id, row.permit_id, checked.completed_on)
    entry = _check_rules(session, row, applicant, checked)
    target = row
    revision = finality.open_revision(session, row.municipality_id,
                                      max(Revision.from_key(row.revision), Revision.of(checked.completed_on)))
    if revision.key != row.revision:
        target = _carry_over(session, row, context, checked.completed_on, revision)
    store.change_status(session, target, store.FINALIZED)
    details = checked.details
    target.protocol_number, target.protocol_date = checked.protocol_number, checked.protocol_date
    target.completed_on, target.documents = checked.completed_on, ",".join(sorted(checked.documents))
    target.passport_number = checked.passport_number
    for name in ("mothername", "fathersurname", "phone", "electoral_district"):
        if getattr(details, name) is not None:
            setattr(target, name, getattr(details, name))
    if details.address is not None:
        target.street, target.street_number = details.address.street, details.address.number
        target.postal_code = details.address.postal_code
    applied = _apply(session, target, applicant, entry)
    store.add_event(session, target.id, events.FINALIZED, checked.completed_on, context,
                    events.finalized(Revision.from_key(target.revision), applied))
    session.commit()
    return views.application(session, target)
