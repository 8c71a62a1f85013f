"""rejectUnmatchedRollApplication: the application of a person the system does not show (Annex of
section 2, Β 2 δ; circular, Ενότητα 2η «ΠΡΟΣΟΧΗ»). The municipality receives it when the person
insists, records it with the search criteria as given, and rejects it in writing: the decision
carries the reason (NOT_FOUND_IN_SYSTEM) and the guidance to turn to the authority that issued the
title. Nothing about the title number is revealed. The person, unknown to the system, is no data
subject of the call. If the criteria do find someone, the application is an ordinary one and the
call is refused."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import RollUnmatchedApplication
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import check, criteria, guidance, records, scope, store
from provider.registry.special_electoral_rolls.guidance import Guidance
from provider.registry.special_electoral_rolls.residence import Place


@dataclass(frozen=True)
class UnmatchedRequest:
    applying: check.Applying
    protocol_number: str | None
    decision_date: dt.date | None = None


@dataclass(frozen=True)
class Unmatched:
    number: str
    municipality: Place
    election_code: str
    application_date: dt.date
    permit_number: str
    surname_prefix: str
    firstname_prefix: str
    birth_year: int
    protocol_number: str
    decision_date: dt.date
    guidance: Guidance
    agency_code: str
    username: str
    recorded_at: dt.datetime

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset()  # no person of the registry


def unmatched_number(municipality_code: str, year: int, serial: int) -> str:
    return f"{municipality_code}-{year:04d}-U{serial:06d}"


def _view(session: Session, row: RollUnmatchedApplication) -> Unmatched:
    election = records.election_by_id(session, row.election_id)
    assert row.number is not None
    return Unmatched(row.number, records.place(session, row.municipality_id), election.code, row.application_date,
                     row.permit_number, row.surname_prefix, row.firstname_prefix, row.birth_year, row.protocol_number,
                     row.decision_date, Guidance(row.reason, row.office, None, row.guidance), row.agency_code,
                     row.username, row.recorded_at)


def reject_unmatched(session: Session, context: store.Context, request: UnmatchedRequest) -> Unmatched:
    search, election_code, code, on = request.applying.checked(context.today)
    protocol = criteria.protocol_number(request.protocol_number)
    decided = criteria.day("decisionDate", request.decision_date or on, context.today)
    if decided < on:
        raise criteria.invalid("decisionDate", f"{decided:%d-%m-%Y}: πριν από την αίτηση ({on:%d-%m-%Y})")
    who = scope.acting(session, context.caller)
    municipality = scope.own_municipality(session, who, code, "απορρίψει αιτήσεις")
    election = records.election(session, election_code)
    if context.retry_of is not None:
        done = session.scalar(select(RollUnmatchedApplication).where(
            RollUnmatchedApplication.call_sequence_id == context.retry_of))
        if done is not None:
            return _view(session, done)
    if check.find(session, search, on) is not None:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, "ο αιτών εμφανίζεται στο πληροφοριακό σύστημα με αυτά τα "
                          "στοιχεία: η αίτηση δημιουργείται με createRollApplication (και απορρίπτεται, αν χρειάζεται, "
                          "με rejectRollApplication)")
    advice = guidance.not_found()
    row = RollUnmatchedApplication(
        municipality_id=municipality[0], election_id=election.id, application_date=on,
        permit_number=search.permit_number, surname_prefix=search.surname_prefix,
        firstname_prefix=search.firstname_prefix, birth_year=search.birth_year, protocol_number=protocol,
        decision_date=decided, reason=advice.code, office=advice.office, guidance=advice.text,
        recorded_at=context.now, agency_code=context.caller.agency_code, username=context.caller.username,
        call_sequence_id=context.call_sequence_id)
    session.add(row)
    session.flush()
    row.number = unmatched_number(municipality[1].code, on.year, row.id)
    session.commit()
    return _view(session, row)
