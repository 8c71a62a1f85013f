"""Operator actions on the elections the rolls are kept for (used by ``mitroo-provider election``):
the election date, the registration deadline, and its extension by ministerial decision, at most
two months (circular §2.5). Each refusal raises ``AdminError`` with a message an operator can act on."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Election
from provider.access.admin import AdminError
from provider.registry.special_electoral_rolls.dates import latest_extension

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


@dataclass(frozen=True)
class ElectionRow:
    code: str
    name: str
    election_date: dt.date
    registration_deadline: dt.date
    extended_deadline: dt.date | None


def list_elections(session: Session) -> list[ElectionRow]:
    return [ElectionRow(e.code, e.name, e.election_date, e.registration_deadline, e.extended_deadline)
            for e in session.scalars(select(Election).order_by(Election.election_date))]


def _election(session: Session, code: str) -> Election:
    row = session.scalar(select(Election).where(Election.code == code))
    if row is None:
        raise AdminError(f"no election {code!r} (see: mitroo-provider election list)")
    return row


def add_election(session: Session, code: str, name: str, election_date: dt.date,
                 registration_deadline: dt.date) -> None:
    if not _CODE.match(code):
        raise AdminError("election code must be 2-20 capital letters, digits or '-' (e.g. AUTO-2028)")
    if not name.strip():
        raise AdminError("election name must not be empty")
    if registration_deadline >= election_date:
        raise AdminError("the registration deadline must come before the election day")
    if session.scalar(select(Election.id).where(Election.code == code)) is not None:
        raise AdminError(f"election {code!r} already exists")
    session.add(Election(code=code, name=name.strip(), election_date=election_date,
                         registration_deadline=registration_deadline, extended_deadline=None))


def extend_deadline(session: Session, code: str, until: dt.date | None) -> None:
    """Extend the registration deadline to ``until`` (at most two months), or withdraw the extension (None)."""
    election = _election(session, code)
    if until is not None:
        latest = latest_extension(election.registration_deadline)
        if until <= election.registration_deadline:
            raise AdminError(f"an extension must end after the deadline {election.registration_deadline}")
        if until > latest:
            raise AdminError(f"the deadline {election.registration_deadline} may be extended by at most two months, "
                             f"to {latest}")
        if until >= election.election_date:
            raise AdminError("the extended deadline must come before the election day")
    election.extended_deadline = until
