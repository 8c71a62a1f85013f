"""notifyDeletionCondition: an elector leaves the roll when the conditions of registration cease
(circular §4.3 γ, §4.4), on the notice of the authority that knows it:

* ``CONVICTION``: an irrevocable conviction that for Greek citizens removes political rights (ΠΚ
  59-60: life or temporary/indefinite κάθειρξη) or a decision depriving of political rights (ΠΚ 61,
  62, 64), sent by the criminal records offices and courts through the Ministry (§4.4). A sentence
  of imprisonment (φυλάκιση) excludes no one and is refused.
* ``PERMIT_REVOKED``: the residence title was revoked (it stops being valid on the notice's date).
* ``RENEWAL_REFUSED``: the application to renew it was refused.
* ``PERMIT_TYPE_CHANGED``: the person now holds a title of another type; a new registration
  follows only on a new application with the new title, if that title entitles them.

The deletion is recorded as an application of kind ``DELETION_CONDITIONS`` (origin ``NOTICE``),
finalized at once in the municipality's roll: it carries the notice, gives the entry its
``removedBy`` number and history, and falls in the revision of the notice's date (or the next one
the Ministry has not finalized). A conviction is also entered in the central database, so later
cross-checks see it. A notice about a person who is on no roll changes nothing and is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Conviction, ResidencePermit, RollApplication
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import criteria, events, finality, records, scope, store, views
from provider.registry.special_electoral_rolls.dates import Revision

CONVICTION, PERMIT_REVOKED, RENEWAL_REFUSED, PERMIT_TYPE_CHANGED = (
    "CONVICTION", "PERMIT_REVOKED", "RENEWAL_REFUSED", "PERMIT_TYPE_CHANGED")
REASONS = (CONVICTION, PERMIT_REVOKED, RENEWAL_REFUSED, PERMIT_TYPE_CHANGED)
DELETION_CONDITIONS = "DELETION_CONDITIONS"
NOTICE = "NOTICE"
# The penalties that exclude (circular §2.4 γ, §4.4), as a Greek citizen would lose political rights.
EXCLUDING_PENALTIES = {
    "LIFE_IMPRISONMENT": "ισόβια κάθειρξη (ΠΚ 59)",
    "KATHEIRXI": "πρόσκαιρη ή αόριστη κάθειρξη με στέρηση πολιτικών δικαιωμάτων (ΠΚ 59-60)",
    "DEPRIVATION_OF_RIGHTS": "δικαστική απόφαση αποστέρησης πολιτικών δικαιωμάτων (ΠΚ 61, 62, 64)",
}


@dataclass(frozen=True)
class NoticeRequest:
    permit_number: str | None
    surname_prefix: str | None
    firstname_prefix: str | None
    birth_year: int | None
    reason_code: str | None
    notice_date: dt.date | None
    decision_reference: str | None
    authority_name: str | None
    penalty_kind: str | None = None
    irrevocable_on: dt.date | None = None


def _conviction(request: NoticeRequest, reason: str, day: dt.date) -> tuple[str | None, dt.date | None]:
    penalty = (request.penalty_kind or "").strip().upper() or None
    if reason != CONVICTION:
        if penalty or request.irrevocable_on:
            raise criteria.invalid("penaltyKind" if penalty else "irrevocableOn", f"μόνο για {CONVICTION}")
        return None, None
    if penalty not in EXCLUDING_PENALTIES:
        raise criteria.invalid("penaltyKind", f"{request.penalty_kind!r}: αποκλείει μόνο "
                               + "; ".join(f"{k} ({v})" for k, v in EXCLUDING_PENALTIES.items())
                               + " — καταδίκη σε φυλάκιση δεν οδηγεί σε διαγραφή")
    if request.irrevocable_on is None:
        raise criteria.invalid("irrevocableOn", "η ημερομηνία που η απόφαση έγινε αμετάκλητη (required)")
    if request.irrevocable_on > day:
        raise criteria.invalid("irrevocableOn", f"{request.irrevocable_on:%d-%m-%Y}: μετά τη γνωστοποίηση "
                               f"({day:%d-%m-%Y})")
    return penalty, request.irrevocable_on


def notify(session: Session, context: store.Context, request: NoticeRequest) -> views.ApplicationView:
    search = criteria.applicant(request.permit_number, request.surname_prefix, request.firstname_prefix,
                                request.birth_year, context.today)
    reason = (request.reason_code or "").strip().upper()
    if reason not in REASONS:
        raise criteria.invalid("reasonCode", f"{request.reason_code!r}: ένα από {', '.join(REASONS)}")
    day = criteria.day("noticeDate", request.notice_date, context.today)
    reference = criteria.text("decisionReference", request.decision_reference, 80, required=True)
    authority = criteria.text("authorityName", request.authority_name, 200, required=True)
    assert reference is not None and authority is not None
    penalty, irrevocable = _conviction(request, reason, day)
    who = scope.acting(session, context.caller)
    if who.place is not None:
        raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"ο Δήμος {who.place.name} διαγράφει με αίτηση "
                          "(createRollApplication)· notifyDeletionCondition είναι των αρχών που γνωστοποιούν")
    found = records.find_permit(session, search.permit_number, search.surname_prefix, search.firstname_prefix,
                                search.birth_year)
    if found is None:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, "δεν βρέθηκε κάτοχος τίτλου διαμονής με αυτά τα στοιχεία "
                          "(αριθμός τίτλου, δύο πρώτα λατινικά γράμματα επωνύμου και ονόματος, έτος γέννησης)")
    holder_id, permit_id = found
    done = store.done_by_retried_call(session, context, events.FINALIZED, RollApplication.holder_id == holder_id,
                                      RollApplication.origin == NOTICE)
    if done is not None:
        return views.application(session, done)
    entry = store.current_entry(session, holder_id)
    if entry is None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "ο κάτοχος δεν είναι εγγεγραμμένος σε ειδικό εκλογικό "
                          "κατάλογο: δεν υπάρχει εγγραφή να διαγραφεί (η γνωστοποίηση δεν καταχωρίστηκε)")
    revision = finality.open_revision(session, entry.municipality_id, Revision.of(day))
    election_id = session.scalar(select(RollApplication.election_id).where(RollApplication.id == entry.added_by))
    place = records.place(session, entry.municipality_id)
    row = store.insert_application(
        session, place.code, context, kind=DELETION_CONDITIONS, holder_id=holder_id, permit_id=permit_id,
        election_id=election_id, municipality_id=entry.municipality_id, revision=revision.key, application_date=day,
        origin=NOTICE, notice_reason=reason, notice_reference=reference, notice_authority=authority,
        protocol_number=reference, protocol_date=day, completed_on=day)
    store.change_status(session, row, store.FINALIZED)
    if reason == CONVICTION:
        assert penalty is not None and irrevocable is not None
        session.add(Conviction(holder_id=holder_id, court=authority, decision=reference,
                               penalty=EXCLUDING_PENALTIES[penalty], irrevocable_on=irrevocable))
    elif reason == PERMIT_REVOKED:
        permit = session.get_one(ResidencePermit, permit_id)
        if permit.valid_to is None or permit.valid_to > day:
            permit.valid_to = day
    entry.removed_revision, entry.removed_by = max(revision.key, entry.added_revision), row.id
    entry.removed_reason = reason
    store.add_event(session, row.id, events.CREATED, day, context, events.notice(reason, authority, reference))
    store.add_event(session, row.id, events.FINALIZED, day, context,
                    events.finalized(revision, events.deleted(entry.special_electoral_number)))
    session.commit()
    return views.application(session, row)
