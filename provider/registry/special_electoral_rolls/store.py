"""Writing applications: the row with its printable number, its history, and the status changes that
must happen once even when two clerks act at the same moment, or when a client retries a call whose
answer it never received (``Context.retry_of``; see ``done_by_retried_call``)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, select, update
from sqlalchemy.orm import Session

from db.models import RollApplication, RollApplicationEvent, RollEntry
from provider.access.accreditation import Caller
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import criteria
from provider.registry.special_electoral_rolls.dates import greek_date
from provider.registry.special_electoral_rolls.model import Holder
from provider.registry.special_electoral_rolls.numbers import application_number

CREATED, FINALIZED, REJECTED, CARRIED_OVER = "CREATED", "FINALIZED", "REJECTED", "CARRIED_OVER"
# What the new application of a file carried over to the next revision takes from the first.
CARRIED_FIELDS = ("kind", "holder_id", "permit_id", "election_id", "municipality_id", "criminal_record", "mothername",
                  "fathersurname", "phone", "street", "street_number", "postal_code", "electoral_district",
                  "new_municipality_id")
# What a roll entry takes from the application that makes it.
ENTRY_FIELDS = ("mothername", "street", "street_number", "postal_code", "electoral_district", "passport_number")
_STATUS = {FINALIZED: "έχει οριστικοποιηθεί", REJECTED: "έχει απορριφθεί", CARRIED_OVER: "έχει μεταφερθεί"}


@dataclass(frozen=True)
class Context:
    """Who is acting, in which audited call, and when."""

    caller: Caller
    call_sequence_id: str
    now: dt.datetime  # UTC
    retry_of: str | None = None  # the callSequenceId of the call this one repeats (same transaction id and content)

    @property
    def today(self) -> dt.date:
        return greek_date(self.now)


def add_event(session: Session, application_id: int, event: str, day: dt.date, context: Context,
              detail: str | None = None) -> None:
    session.add(RollApplicationEvent(
        application_id=application_id, event=event, event_date=day, recorded_at=context.now,
        agency_code=context.caller.agency_code, username=context.caller.username,
        call_sequence_id=context.call_sequence_id, detail=detail,
    ))


def done_by_retried_call(session: Session, context: Context, event: str,
                         *narrowed: ColumnElement[bool]) -> RollApplication | None:
    """When this call is a retry, the application whose history has ``event`` recorded by the
    original call: the write already happened, and the retry answers it instead of acting again.
    ``narrowed`` limits the search to the applications the call can concern (indexed columns)."""
    if context.retry_of is None:
        return None
    return session.scalar(
        select(RollApplication).join(RollApplicationEvent, RollApplicationEvent.application_id == RollApplication.id)
        .where(RollApplicationEvent.call_sequence_id == context.retry_of, RollApplicationEvent.event == event,
               *narrowed)
    )


def insert_application(session: Session, municipality_code: str, context: Context, **fields: Any) -> RollApplication:
    """A new application in status CREATED, numbered from its id."""
    row = RollApplication(status=CREATED, created_at=context.now, **fields)
    session.add(row)
    session.flush()
    row.number = application_number(municipality_code, row.application_date.year, row.id)
    return row


def application(session: Session, number: str | None) -> RollApplication:
    checked = criteria.application_number(number)
    row = session.scalar(select(RollApplication).where(RollApplication.number == checked))
    if row is None:
        raise MitrooError(ErrorCode.MP_NOT_FOUND, f"applicationNumber: δεν υπάρχει αίτηση με αριθμό {checked}")
    return row


def require_created(row: RollApplication) -> None:
    if row.status != CREATED:
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"η αίτηση {row.number} {_STATUS[row.status]} "
                          f"({row.status}) και δεν αλλάζει πια")


def change_status(session: Session, row: RollApplication, status: str) -> None:
    """CREATED → ``status`` exactly once: a concurrent change of the same application loses."""
    changed = cast(CursorResult[Any], session.execute(  # a DML statement's result has rowcount
        update(RollApplication).where(RollApplication.id == row.id, RollApplication.status == CREATED)
        .values(status=status).execution_options(synchronize_session=False)
    )).rowcount
    if changed != 1:
        session.rollback()
        raise MitrooError(ErrorCode.MP_STATE_CONFLICT, f"η αίτηση {row.number} άλλαξε κατάσταση από άλλη "
                          "ενέργεια την ίδια στιγμή· ζητήστε την ξανά με getRollApplication")
    row.status = status


def current_entry(session: Session, holder_id: int) -> RollEntry | None:
    return session.scalar(select(RollEntry).where(RollEntry.holder_id == holder_id,
                                                  RollEntry.removed_revision.is_(None)))


def pending(session: Session, holder_id: int, kind: str) -> str | None:
    """The number of the holder's application of ``kind`` still waiting to be finalized, if any."""
    return session.scalar(select(RollApplication.number).where(
        RollApplication.holder_id == holder_id, RollApplication.kind == kind, RollApplication.status == CREATED))


def entry_fields(holder: Holder, application: Mapping[str, Any], permit_number: str) -> dict[str, Any]:
    """The fields of circular §4.1 an elector's roll entry carries, from the holder and the application."""
    return dict(
        holder_id=holder.person_id, gender=holder.gender, surname=holder.surname, firstname=holder.firstname,
        fathername=holder.fathername, mothername=application["mothername"] or holder.mothername,
        spouse_name=holder.spouse_name, maiden_name=holder.maiden_name, birthdate=holder.birthdate,
        birthdate_exact=holder.birthdate_exact, birthplace=holder.birthplace, nationality=holder.nationality,
        street=application["street"], street_number=application["street_number"],
        postal_code=application["postal_code"], electoral_district=application["electoral_district"],
        passport_number=application["passport_number"], permit_number=permit_number,
    )
