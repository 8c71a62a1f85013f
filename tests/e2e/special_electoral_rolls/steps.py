"""The steps of a municipality clerk, as zeep calls (dates as strings, in the seed's 2010)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from tests.e2e.special_electoral_rolls.conftest import call, ok
from tests.rolls_fixtures import Rolls

ELECTION = "AUTO-2010"
ALL_DOCUMENTS = ["RESIDENCE_PERMIT", "PASSPORT", "CRIMINAL_RECORD"]


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def create(rolls: Rolls, municipality: str, holder: str, date: str, kind: str = "REGISTRATION",
           **fields: Any) -> Any:
    if kind == "REGISTRATION":
        fields = {"mothername": "ΜΗΤΕΡΑ", "fathersurname": "ΠΑΤΡΩΝΥΜΟ", "criminalRecordBrought": True, **fields}
    record = {"applicant": rolls.holder(holder).criteria(), "municipalityCode": municipality, **fields}
    return call(rolls.clerk(municipality), "createRollApplication", kind=kind, electionCode=ELECTION,
                applicationDate=day(date), **record)


def created(rolls: Rolls, municipality: str, holder: str, date: str, kind: str = "REGISTRATION", **fields: Any) -> Any:
    """The application a successful createRollApplication returns."""
    return ok(create(rolls, municipality, holder, date, kind, **fields), "createRollApplication").rollApplication


def finalize(rolls: Rolls, municipality: str, number: str, completed: str, documents: list[str],
             protocol_date: str | None = None, **fields: Any) -> Any:
    fields.setdefault("address", {"street": "ΕΡΜΟΥ", "number": "12", "postalCode": "10563"})
    fields.setdefault("electoralDistrict", "1ο ΔΗΜΟΤΙΚΟ ΔΙΑΜΕΡΙΣΜΑ")
    if "PASSPORT" in documents:
        fields.setdefault("passportNumber", "P1234567")
    return call(rolls.clerk(municipality), "finalizeRollApplication", applicationNumber=number,
                protocolNumber=f"{number[-9:]}/{completed}", protocolDate=day(protocol_date or completed),
                completedOn=day(completed), document=documents, **fields)


def finalized(rolls: Rolls, municipality: str, number: str, completed: str, documents: list[str], **fields: Any) -> Any:
    return ok(finalize(rolls, municipality, number, completed, documents, **fields), "finalizeRollApplication")


def reject(rolls: Rolls, municipality: str, number: str, reason: str, date: str, **fields: Any) -> Any:
    return call(rolls.clerk(municipality), "rejectRollApplication", applicationNumber=number, reasonCode=reason,
                decisionDate=day(date), **fields)


def get(client: Any, number: str) -> Any:
    return call(client, "getRollApplication", applicationNumber=number)


def roll(client: Any, municipality: str, year: int, period: int) -> Any:
    return call(client, "getSpecialElectoralRoll", municipalityCode=municipality, revisionYear=year,
                revisionPeriod=period)
