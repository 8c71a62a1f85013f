"""lodgeRollObjection and decideRollObjection: objections (ενστάσεις) to a posted roll (circular §4.2,
applying Π.Δ. 96/2007 άρθρα 7-20 «αναλόγως»).

The municipality posts the roll of each revision from the 1st to the 10th of the month after it;
within those days anyone may object against a registration (an elector on the posted roll) or a
non-registration (an application of the municipality rejected). The municipality records the
objection at its desk, then records the decision of the body competent under Π.Δ. 96/2007 (its
reference is given), and the decision is reflected in the roll:

* against a registration, upheld: the elector is deleted (reason ``OBJECTION_UPHELD``);
* against a non-registration, upheld: the person is registered from the rejected application
  (a new finalized REGISTRATION, origin ``OBJECTION``, linked to it), with a new special number;
* dismissed: the roll stays as it is.

The effect falls in the revision of the decision's date, or the next one the Ministry has not
finalized; the Ministry does not finalize a revision while an objection to it is undecided.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select
from sqlalchemy.orm import Session

from db.models import RollApplication, RollEntry, RollObjection
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import criteria, events, finality, records, roll, scope, store
from provider.registry.special_electoral_rolls.criteria import REGISTRATION
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.model import Holder
from provider.registry.special_electoral_rolls.numbers import special_electoral_number
from provider.registry.special_electoral_rolls.residence import Place

AGAINST_REGISTRATION, AGAINST_NON_REGISTRATION = "AGAINST_REGISTRATION", "AGAINST_NON_REGISTRATION"
KINDS = (AGAINST_REGISTRATION, AGAINST_NON_REGISTRATION)
LODGED, UPHELD, DISMISSED = "LODGED", "UPHELD", "DISMISSED"
OUTCOMES = (UPHELD, DISMISSED)
DELETION_OBJECTION = "DELETION_OBJECTION"
OBJECTION = "OBJECTION"
_STATUS = {UPHELD: "έγινε δεκτή", DISMISSED: "απορρίφθηκε"}


@dataclass(frozen=True)
class LodgeRequest:
    municipality_code: str | None
    revision_year: int | None
    revision_period: int | None
    kind: str | None
    special_electoral_number: str | None
    application_number: str | None
    objector: str | None
    grounds: str | None
    lodged_on: dt.date | None = None


@dataclass(frozen=True)
class DecideRequest:
    objection_number: str | None
    outcome: str | None
    decision_date: dt.date | None
    decision_reference: str | None
    note: str | None = None
    details: criteria.Details = criteria.Details()
    passport_number: str | None = None


@dataclass(frozen=True)
class ObjectionView:
    number: str
    kind: str
    status: str
    municipality: Place
    revision: Revision
    holder: Holder
    special_electoral_number: str | None
    application_number: str | None
    objector: str
    grounds: str
    lodged_on: dt.date
    decided_on: dt.date | None
    decision_reference: str | None
    decision_note: str | None
    result_application_number: str | None

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset({self.holder.person_id})


def objection_number(municipality_code: str, year: int, serial: int) -> str:
    return f"{municipality_code}-{year:04d}-E{serial:06d}"


def _number(session: Session, application_id: int | None) -> str | None:
    if application_id is None:
        return None
    return session.scalar(select(RollApplication.number).where(RollApplication.id == application_id))


def view(session: Session, row: RollObjection) -> ObjectionView:
    entry_number = session.scalar(select(RollEntry.special_electoral_number).where(RollEntry.id == row.entry_id)) \
        if row.entry_id else None
    assert row.number is not None
    return ObjectionView(
        row.number, row.kind, row.status, records.place(session, row.municipality_id), Revision.from_key(row.revision),
        records.holder(session, row.holder_id), entry_number, _number(session, row.application_id), row.objector,
        row.grounds, row.lodged_on, row.decided_on, row.decision_reference, row.decision_note,
        _number(session, row.result_application_id))


def _target(session: Session, kind: str, request: LodgeRequest, municipality_id: int,
            asked: Revision) -> tuple[int, int | None, int | None]:
    """(holder id, entry id, application id) of what the objection is against."""
    number = criteria.text("specialElectoralNumber", request.special_electoral_number, 16)
    application = criteria.text("applicationNumber", request.application_number, 24)
    if kind == AGAINST_REGISTRATION:
        if number is None or application is not None:
            raise criteria.invalid("specialElectoralNumber" if number is None else "applicationNumber",
                                   "η ένσταση κατά εγγραφής δίνει μόνο τον ειδικό εκλογικό αριθμό του εκλογέα")
        key = asked.key
        entry = session.scalar(select(RollEntry).where(
            RollEntry.municipality_id == municipality_id, RollEntry.special_electoral_number == number,
            RollEntry.added_revision <= key,
            or_(RollEntry.removed_revision.is_(None), RollEntry.removed_revision > key)))
        if entry is None:
            raise MitrooError(ErrorCode.MP_NOT_FOUND, f"specialElectoralNumber: ο αριθμός {number} δεν είναι στον "
                              f"αναρτημένο κατάλογο της αναθεώρησης {asked}")
        if entry.removed_revision is not None:
            raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"ο εκλογέας {number} έχει ήδη διαγραφεί ή αλλάξει "
                              "εγγραφή μετά την ανάρτηση")
        return entry.holder_id, entry.id, None
    if application is None or number is not None:
        raise criteria.invalid("applicationNumber" if application is None else "specialElectoralNumber",
                               "η ένσταση κατά μη εγγραφής δίνει μόνο τον αριθμό της αίτησης εγγραφής που απορρίφθηκε")
    row = store.application(session, application)
    if row.municipality_id != municipality_id:
        raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"η αίτηση {row.number} είναι άλλου Δήμου")
    if row.kind != REGISTRATION or row.status != store.REJECTED:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"η αίτηση {row.number} ({row.kind}, {row.status}) δεν είναι "
                          "αίτηση εγγραφής που απορρίφθηκε")
    return row.holder_id, None, row.id


def lodge(session: Session, context: store.Context, request: LodgeRequest) -> ObjectionView:
    kind = (request.kind or "").strip().upper()
    if kind not in KINDS:
        raise criteria.invalid("kind", f"{request.kind!r}: ένα από {', '.join(KINDS)}")
    asked = roll.revision(request.revision_year, request.revision_period, context.today)
    lodged_on = criteria.day("lodgedOn", request.lodged_on, context.today)
    objector = criteria.text("objector", request.objector, 200, required=True)
    grounds = criteria.text("grounds", request.grounds, 1000, required=True)
    assert objector is not None and grounds is not None
    code = criteria.municipality_code("municipalityCode", request.municipality_code)
    who = scope.acting(session, context.caller)
    municipality_id, place = scope.own_municipality(session, who, code, "καταχωρίσει ενστάσεις")
    if context.retry_of is not None:
        done = session.scalar(select(RollObjection).where(RollObjection.lodged_call == context.retry_of))
        if done is not None:
            return view(session, done)
    if not asked.posting_from <= lodged_on <= asked.posting_to:
        raise MitrooError(ErrorCode.MP_OBJECTION_OUT_OF_TIME, f"ο κατάλογος της αναθεώρησης {asked} αναρτάται από "
                          f"{asked.posting_from:%d-%m-%Y} έως {asked.posting_to:%d-%m-%Y}· η ένσταση της "
                          f"{lodged_on:%d-%m-%Y} είναι εκπρόθεσμη ή πρόωρη και δεν καταχωρίζεται")
    if finality.final(session, municipality_id, asked) is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"ο κατάλογος της αναθεώρησης {asked} έχει οριστικοποιηθεί "
                          "από το Υπουργείο")
    holder_id, entry_id, application_id = _target(session, kind, request, municipality_id, asked)
    pending = session.scalar(select(RollObjection.number).where(
        RollObjection.status == LODGED,
        RollObjection.entry_id == entry_id if entry_id else RollObjection.application_id == application_id))
    if pending is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"εκκρεμεί ήδη η ένσταση {pending} για το ίδιο πρόσωπο· "
                          "αποφασίστε την πρώτα")
    row = RollObjection(kind=kind, status=LODGED, municipality_id=municipality_id, revision=asked.key,
                        holder_id=holder_id, entry_id=entry_id, application_id=application_id, objector=objector,
                        grounds=grounds, lodged_on=lodged_on, created_at=context.now,
                        lodged_call=context.call_sequence_id)
    session.add(row)
    session.flush()
    row.number = objection_number(place.code, asked.year, row.id)
    session.commit()
    return view(session, row)


def _objection(session: Session, number: str | None) -> RollObjection:
    checked = criteria.text("objectionNumber", number, 24, required=True)
    assert checked is not None
    row = session.scalar(select(RollObjection).where(RollObjection.number == checked.replace(" ", "").upper()))
    if row is None:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"objectionNumber: δεν υπάρχει ένσταση με αριθμό {checked}")
    return row


def _delete(session: Session, context: store.Context, row: RollObjection, decided: dt.date,
            reference: str) -> RollApplication:
    entry = session.get_one(RollEntry, row.entry_id)
    if entry.removed_revision is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"ο εκλογέας {entry.special_electoral_number} δεν είναι πια "
                          "σε αυτή την εγγραφή του καταλόγου (διαγράφηκε ή διορθώθηκε)")
    revision = finality.open_revision(session, entry.municipality_id, Revision.of(decided))
    added = session.get_one(RollApplication, entry.added_by)
    permit_id = added.permit_id
    place = records.place(session, entry.municipality_id)
    result = store.insert_application(
        session, place.code, context, kind=DELETION_OBJECTION, holder_id=entry.holder_id, permit_id=permit_id,
        election_id=added.election_id, municipality_id=entry.municipality_id, revision=revision.key,
        application_date=decided, origin=OBJECTION, protocol_number=reference, protocol_date=decided,
        completed_on=decided)
    store.change_status(session, result, store.FINALIZED)
    entry.removed_revision, entry.removed_by = max(revision.key, entry.added_revision), result.id
    entry.removed_reason = events.OBJECTION_UPHELD
    assert row.number is not None
    store.add_event(session, result.id, events.CREATED, decided, context, events.objection_upheld(row.number, reference))
    store.add_event(session, result.id, events.FINALIZED, decided, context,
                    events.finalized(revision, events.deleted(entry.special_electoral_number)))
    return result


def _register(session: Session, context: store.Context, row: RollObjection, decided: dt.date, reference: str,
              request: DecideRequest) -> RollApplication:
    rejected = session.get_one(RollApplication, row.application_id)
    current = store.current_entry(session, rejected.holder_id)
    if current is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "το πρόσωπο είναι ήδη εγγεγραμμένο (ειδικός εκλογικός "
                          f"αριθμός {current.special_electoral_number})")
    details = criteria.particulars(request.details)
    passport = criteria.passport_number(request.passport_number)
    address = details.address
    street = address.street if address else rejected.street
    district = details.electoral_district or rejected.electoral_district
    if street is None:
        raise criteria.invalid("address", "η διεύθυνση κατοικίας για την εγγραφή (η αίτηση δεν την έχει)")
    if district is None:
        raise criteria.invalid("electoralDistrict", "το εκλογικό διαμέρισμα για την εγγραφή (η αίτηση δεν το έχει)")
    revision = finality.open_revision(session, rejected.municipality_id, Revision.of(decided))
    copied = {name: getattr(rejected, name) for name in store.CARRIED_FIELDS}
    copied.update(street=street, electoral_district=district)
    if address is not None:
        copied.update(street_number=address.number, postal_code=address.postal_code)
    place = records.place(session, rejected.municipality_id)
    result = store.insert_application(
        session, place.code, context, revision=revision.key, application_date=decided, previous_id=rejected.id,
        origin=OBJECTION, protocol_number=reference, protocol_date=decided, completed_on=decided,
        passport_number=passport, **copied)
    store.change_status(session, result, store.FINALIZED)
    applicant = records.applicant(session, result.holder_id, result.permit_id, decided)
    application = {name: getattr(result, name) for name in store.ENTRY_FIELDS}
    number = special_electoral_number(revision.year, result.id)
    session.add(RollEntry(municipality_id=result.municipality_id, added_revision=revision.key, added_by=result.id,
                          added_reason=events.OBJECTION_UPHELD, special_electoral_number=number,
                          **store.entry_fields(applicant.holder, application, applicant.permit.number)))
    assert row.number is not None
    store.add_event(session, result.id, events.CREATED, decided, context, events.objection_upheld(row.number, reference))
    store.add_event(session, result.id, events.FINALIZED, decided, context,
                    events.finalized(revision, events.registered(number)))
    return result


def decide(session: Session, context: store.Context, request: DecideRequest) -> ObjectionView:
    row = _objection(session, request.objection_number)
    outcome = (request.outcome or "").strip().upper()
    if outcome not in OUTCOMES:
        raise criteria.invalid("outcome", f"{request.outcome!r}: ένα από {', '.join(OUTCOMES)}")
    decided = criteria.day("decisionDate", request.decision_date, context.today)
    reference = criteria.text("decisionReference", request.decision_reference, 80, required=True)
    note = criteria.text("note", request.note, 500)
    assert reference is not None
    who = scope.acting(session, context.caller)
    scope.check_acts(session, who, row.municipality_id, "καταχωρίσει απόφαση ένστασης")
    if context.retry_of is not None and row.decided_call == context.retry_of:
        return view(session, row)
    if row.status != LODGED:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"η ένσταση {row.number} {_STATUS[row.status]} ήδη στις "
                          f"{row.decided_on:%d-%m-%Y} ({row.decision_reference})")
    if decided < row.lodged_on:
        raise criteria.invalid("decisionDate", f"{decided:%d-%m-%Y}: πριν από την υποβολή της ένστασης "
                               f"({row.lodged_on:%d-%m-%Y})")
    if outcome == UPHELD:
        result = (_delete(session, context, row, decided, reference) if row.kind == AGAINST_REGISTRATION
                  else _register(session, context, row, decided, reference, request))
        row.result_application_id = result.id
    changed = cast(CursorResult[Any], session.execute(  # a DML statement's result has rowcount
        RollObjection.__table__.update().where(RollObjection.id == row.id, RollObjection.status == LODGED)
        .values(status=outcome))).rowcount
    if changed != 1:
        session.rollback()
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"η ένσταση {row.number} αποφασίστηκε από άλλη ενέργεια την "
                          "ίδια στιγμή")
    row.status, row.decided_on, row.decision_reference, row.decision_note = outcome, decided, reference, note
    row.decided_call = context.call_sequence_id
    session.commit()
    return view(session, row)
