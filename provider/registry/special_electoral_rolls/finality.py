"""finalizeSpecialElectoralRoll: the Ministry's final finalization (τελική οριστικοποίηση, circular
§3.1) of one municipality's roll for one revision, by the elections directorate only.

The municipalities send their changes with each bimonthly revision; the roll is posted from the
1st to the 10th of the month after, objections are lodged and decided, and then the Ministry checks
and finalizes. Until then the roll of that revision is provisional. Once finalized, nothing is
dated into that revision any more: an application created, finalized or carried over, a deletion
on a notice or the effect of an objection that would fall in it goes to the next revision that is
still open (``open_revision``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import RollEntry, RollFinalization, RollObjection
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import criteria, records, roll, scope, store
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.residence import Place


@dataclass(frozen=True)
class FinalizeRollRequest:
    municipality_code: str | None
    revision_year: int | None
    revision_period: int | None
    finalized_on: dt.date | None = None


@dataclass(frozen=True)
class Finalization:
    municipality: Place
    revision: Revision
    finalized_on: dt.date
    entry_count: int
    agency_code: str
    username: str
    recorded_at: dt.datetime

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset()  # the answer names no elector


def final(session: Session, municipality_id: int, revision: Revision) -> RollFinalization | None:
    return session.scalar(select(RollFinalization).where(RollFinalization.municipality_id == municipality_id,
                                                         RollFinalization.revision == revision.key))


def open_revision(session: Session, municipality_id: int, revision: Revision) -> Revision:
    """``revision``, or the first after it the Ministry has not finalized for the municipality."""
    closed = set(session.scalars(select(RollFinalization.revision).where(
        RollFinalization.municipality_id == municipality_id, RollFinalization.revision >= revision.key)))
    while revision.key in closed:
        revision = revision.next()
    return revision


def _view(session: Session, row: RollFinalization) -> Finalization:
    return Finalization(records.place(session, row.municipality_id), Revision.from_key(row.revision),
                        row.finalized_on, row.entry_count, row.agency_code, row.username, row.recorded_at)


def finalize_roll(session: Session, context: store.Context, request: FinalizeRollRequest) -> Finalization:
    code = criteria.municipality_code("municipalityCode", request.municipality_code, required=True)
    assert code is not None
    asked = roll.revision(request.revision_year, request.revision_period, context.today)
    on = criteria.day("finalizedOn", request.finalized_on, context.today)
    municipality_id, place = records.municipality(session, code)
    who = scope.acting(session, context.caller)
    if who.place is not None:
        raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"την τελική οριστικοποίηση κάνει μόνο η Διεύθυνση Εκλογών "
                          f"του Υπουργείου (§3.1), όχι ο Δήμος {who.place.name}· ο Δήμος οριστικοποιεί τις αιτήσεις "
                          "του με finalizeRollApplication")
    if context.retry_of is not None:
        done = session.scalar(select(RollFinalization).where(RollFinalization.call_sequence_id == context.retry_of))
        if done is not None:
            return _view(session, done)
    existing = final(session, municipality_id, asked)
    if existing is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"ο κατάλογος του Δήμου {place.name} για την αναθεώρηση "
                          f"{asked} οριστικοποιήθηκε ήδη στις {existing.finalized_on:%d-%m-%Y}· οι μεταβολές "
                          f"καταχωρίζονται πλέον στην επόμενη αναθεώρηση ({asked.next()})")
    if on <= asked.posting_to:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"ο κατάλογος της αναθεώρησης {asked} αναρτάται έως "
                          f"{asked.posting_to:%d-%m-%Y} για ενστάσεις· η τελική οριστικοποίηση γίνεται μετά "
                          f"(finalizedOn {on:%d-%m-%Y})")
    pending = list(session.scalars(select(RollObjection.number).where(
        RollObjection.municipality_id == municipality_id, RollObjection.revision == asked.key,
        RollObjection.status == "LODGED").order_by(RollObjection.id)))
    if pending:
        raise MitrooError(ErrorCode.MP_OBJECTIONS_PENDING, f"ο Δήμος {place.name} δεν έχει αποφασίσει τις "
                          f"ενστάσεις {', '.join(str(n) for n in pending)} της αναθεώρησης {asked} "
                          "(decideRollObjection)")
    count = session.scalar(select(func.count()).select_from(RollEntry).where(
        RollEntry.municipality_id == municipality_id, RollEntry.added_revision <= asked.key,
        or_(RollEntry.removed_revision.is_(None), RollEntry.removed_revision > asked.key))) or 0
    row = RollFinalization(municipality_id=municipality_id, revision=asked.key, finalized_on=on,
                           recorded_at=context.now, agency_code=context.caller.agency_code,
                           username=context.caller.username, call_sequence_id=context.call_sequence_id,
                           entry_count=count)
    session.add(row)
    session.commit()
    return _view(session, row)
