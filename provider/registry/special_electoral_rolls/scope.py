"""Who acts for which municipality. A municipality is an agency with a municipality: it may act
only for its own. An agency without one (the Ministry's elections directorate) may read every
municipality's applications and rolls, but only a municipality creates, finalizes or rejects.
Acting beyond that answers MP_NOT_AUTHORIZED, like a missing grant."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency
from provider.access.accreditation import Caller
from provider.errors import ErrorCode, MitrooError
from provider.registry.special_electoral_rolls import records
from provider.registry.special_electoral_rolls.residence import Place


@dataclass(frozen=True)
class Acting:
    agency_code: str
    municipality_id: int | None
    place: Place | None  # None: not a municipality

    def refuse(self, place: Place, what: str) -> MitrooError:
        assert self.place is not None
        return MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"ο φορέας {self.agency_code} ενεργεί μόνο για τον Δήμο "
                           f"{self.place.name} ({self.place.code}) και δεν μπορεί να {what} για τον Δήμο "
                           f"{place.name} ({place.code})")


def acting(session: Session, caller: Caller) -> Acting:
    municipality_id = session.scalar(select(Agency.municipality_id).where(Agency.id == caller.agency_id))
    place = records.place(session, municipality_id) if municipality_id is not None else None
    return Acting(caller.agency_code, municipality_id, place)


def municipality_for(session: Session, who: Acting, code: str | None, what: str) -> tuple[int, Place] | None:
    """The municipality a request names (a municipality's own when it names none)."""
    if code is None:
        return (who.municipality_id, who.place) if who.place is not None and who.municipality_id else None
    municipality_id, place = records.municipality(session, code)
    if who.place is not None and municipality_id != who.municipality_id:
        raise who.refuse(place, what)
    return municipality_id, place


def require_municipality(who: Acting, what: str) -> tuple[int, Place]:
    if who.place is None or who.municipality_id is None:
        raise MitrooError(ErrorCode.MP_NOT_AUTHORIZED, f"μόνο Δήμος μπορεί να {what}: ο φορέας {who.agency_code} "
                          "δεν ενεργεί για Δήμο")
    return who.municipality_id, who.place


def own_municipality(session: Session, who: Acting, code: str | None, what: str) -> tuple[int, Place]:
    """Like ``municipality_for``, for acts only a municipality may do."""
    require_municipality(who, what)
    found = municipality_for(session, who, code, what)
    assert found is not None
    return found


def check_acts(session: Session, who: Acting, municipality_id: int, what: str) -> None:
    """Only the municipality holding an application may act on it."""
    require_municipality(who, what)
    if municipality_id != who.municipality_id:
        raise who.refuse(records.place(session, municipality_id), what)


def check_reads(session: Session, who: Acting, municipality_id: int, what: str) -> None:
    """A municipality reads only its own applications and roll; the directorate reads all."""
    if who.place is not None and municipality_id != who.municipality_id:
        raise who.refuse(records.place(session, municipality_id), what)
