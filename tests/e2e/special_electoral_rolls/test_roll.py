"""getSpecialElectoralRoll end to end: a year of the special roll of Chania (7401) in 2010 with its
additions and deletions by bimonthly revision (registrations, a deletion at the person's request, a
move to Heraklion, a correction of address), and the deletion for Greek citizenship made by the
municipality of the family share. The roll carries the fields of circular §4.1."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.special_electoral_rolls.conftest import ok, refused
from tests.e2e.special_electoral_rolls.steps import create, created, finalize, finalized, get, roll
from tests.rolls_fixtures import Rolls
from tests.support import audit_row, audit_subjects

CHANIA, HERAKLION, KALAMATA, PATRAS = "7401", "7101", "4401", "3701"
POLICE_DOCUMENTS = ["RESIDENCE_PERMIT", "CRIMINAL_RECORD", "RESIDENCE_CERTIFICATE"]


@dataclass(frozen=True)
class Year:
    numbers: dict[str, str]  # special electoral numbers by holder
    deletion: str  # the deletion request's application number
    move: str  # the move's application number
    correction: str


def _register(rolls: Rolls, municipality: str, holder: str, date: str, completed: str, documents: list[str],
              **fields: Any) -> str:
    number = created(rolls, municipality, holder, date, mothername="ΜΑΙΡΗ", fathersurname="ΠΑΤΕΡΑΣ",
                     phone="2821012345", **fields).applicationNumber
    return finalized(rolls, municipality, number, completed, documents, protocol_date=date,
                     address={"street": "ΧΑΛΗΔΩΝ", "number": "5", "postalCode": "73131"},
                     electoralDistrict="ΔΗΜΟΤΙΚΗ ΚΟΙΝΟΤΗΤΑ ΧΑΝΙΩΝ").specialElectoralNumber


@pytest.fixture(scope="module")
def year(rolls: Rolls) -> Year:
    numbers = {
        "pending-record": _register(rolls, CHANIA, "pending-record", "2010-05-17", "2010-06-10",
                                    ["RESIDENCE_PERMIT", "PASSPORT", "CRIMINAL_RECORD"], criminalRecordBrought=False),
        "deletion-request": _register(rolls, CHANIA, "deletion-request", "2010-05-17", "2010-05-17",
                                      ["RESIDENCE_PERMIT", "PASSPORT", "CRIMINAL_RECORD"]),
        "mover": _register(rolls, CHANIA, "mover", "2010-05-20", "2010-05-20", POLICE_DOCUMENTS),
    }
    deletion = created(rolls, CHANIA, "deletion-request", "2010-07-12", "DELETION_REQUEST").applicationNumber
    finalized(rolls, CHANIA, deletion, "2010-07-19", ["SIGNED_APPLICATION"], protocol_date="2010-07-12",
              address=None, electoralDistrict=None)
    move = created(rolls, HERAKLION, "mover", "2010-09-06", "CORRECTION", newMunicipalityCode=HERAKLION,
                   address={"street": "ΚΑΛΟΚΑΙΡΙΝΟΥ", "number": "40", "postalCode": "71202"}).applicationNumber
    missing = refused(finalize(rolls, HERAKLION, move, "2010-09-06", ["SIGNED_APPLICATION", "RESIDENCE_PERMIT"],
                               address=None, electoralDistrict="ΔΗΜΟΤΙΚΗ ΚΟΙΝΟΤΗΤΑ ΗΡΑΚΛΕΙΟΥ"),
                      "finalizeRollApplication", "MP_DOCUMENTS_MISSING")
    assert "RESIDENCE_CERTIFICATE" in missing
    finalized(rolls, HERAKLION, move, "2010-09-06", ["SIGNED_APPLICATION", "RESIDENCE_PERMIT", "RESIDENCE_CERTIFICATE"],
              address=None, electoralDistrict="ΔΗΜΟΤΙΚΗ ΚΟΙΝΟΤΗΤΑ ΗΡΑΚΛΕΙΟΥ")
    correction = created(rolls, CHANIA, "pending-record", "2010-11-08", "CORRECTION",
                         address={"street": "ΤΖΑΝΑΚΑΚΗ", "number": "18"}, phone="6971234567").applicationNumber
    finalized(rolls, CHANIA, correction, "2010-11-08", ["SIGNED_APPLICATION", "RESIDENCE_PERMIT"], address=None,
              electoralDistrict=None)
    return Year(numbers, deletion, move, correction)


def _roll(rolls: Rolls, municipality: str, period: int, client: Any = None) -> Any:
    return ok(roll(client or rolls.clerk(municipality), municipality, 2010, period), "getSpecialElectoralRoll")


def _names(entries: list[Any]) -> list[str]:
    return [e.surname for e in entries]


def test_the_roll_of_each_revision(rolls: Rolls, year: Year) -> None:
    assert _roll(rolls, CHANIA, 2).entryCount == 0
    may_june = _roll(rolls, CHANIA, 3)
    assert (may_june.revision.deadline, may_june.revision.postingFrom, may_june.revision.postingTo) == (
        dt.date(2010, 6, 30), dt.date(2010, 7, 1), dt.date(2010, 7, 10))
    assert _names(may_june.entry) == ["ΙΜΠΡΑΧΙΜ", "ΝΑΣΕΡ", "ΡΕΓΙΕΣ"] == _names(may_june.addition)
    assert {e.addedReason for e in may_june.addition} == {"REGISTRATION"} and may_june.deletion == []
    july_august = _roll(rolls, CHANIA, 4)
    assert _names(july_august.entry) == ["ΝΑΣΕΡ", "ΡΕΓΙΕΣ"] and july_august.addition == []
    [deleted] = july_august.deletion
    assert (deleted.surname, deleted.removedReason, deleted.removedBy) == ("ΙΜΠΡΑΧΙΜ", "DELETION_REQUEST", year.deletion)
    september_october = _roll(rolls, CHANIA, 5)
    assert _names(september_october.entry) == ["ΡΕΓΙΕΣ"]
    [moved] = september_october.deletion
    assert (moved.surname, moved.removedReason, moved.removedBy) == ("ΝΑΣΕΡ", "MUNICIPALITY_CHANGE", year.move)
    heraklion = _roll(rolls, HERAKLION, 5)
    assert _names(heraklion.entry) == ["ΝΑΣΕΡ"] and heraklion.deletion == []
    [arrived] = heraklion.addition
    assert (arrived.addedReason, arrived.specialElectoralNumber, arrived.street) == (
        "MUNICIPALITY_CHANGE", year.numbers["mover"], "ΚΑΛΟΚΑΙΡΙΝΟΥ")
    assert arrived.electoralDistrict == "ΔΗΜΟΤΙΚΗ ΚΟΙΝΟΤΗΤΑ ΗΡΑΚΛΕΙΟΥ"
    november_december = _roll(rolls, CHANIA, 6)
    [old] = november_december.deletion
    [new] = november_december.addition
    assert (old.street, new.street, new.streetNumber, new.postalCode) == ("ΧΑΛΗΔΩΝ", "ΤΖΑΝΑΚΑΚΗ", "18", None)
    assert old.specialElectoralNumber == new.specialElectoralNumber == year.numbers["pending-record"]
    assert (old.removedReason, new.addedReason, new.addedBy) == ("CORRECTION", "CORRECTION", year.correction)
    assert [e.street for e in november_december.entry] == ["ΤΖΑΝΑΚΑΚΗ"]


def test_the_fields_of_section_4_1(rolls: Rolls, year: Year) -> None:
    entry = next(e for e in _roll(rolls, CHANIA, 3).entry if e.surname == "ΡΕΓΙΕΣ")
    assert (entry.gender, entry.firstname, entry.fathername, entry.mothername) == ("M", "ΧΟΣΕ", "ΜΑΡΚ", "ΜΑΙΡΗ")
    assert (entry.birthdate, entry.birthdateExact, entry.birthplace) == (dt.date(1972, 2, 8), True, "ΣΕΜΠΟΥ")
    assert (entry.municipality.code, entry.street, entry.streetNumber, entry.postalCode) == (
        CHANIA, "ΧΑΛΗΔΩΝ", "5", "73131")
    assert (entry.nationalityCode, entry.nationalityName, entry.passportNumber, entry.permitNumber) == (
        "PH", "Φιλιππίνες", "P1234567", "EX-CHA-0001")
    assert entry.specialElectoralNumber == year.numbers["pending-record"] and len(entry.specialElectoralNumber) == 13
    assert (entry.addedRevision.year, entry.addedRevision.period, entry.removedRevision) == (2010, 3, None)
    refugee = next(e for e in _roll(rolls, CHANIA, 3).entry if e.surname == "ΝΑΣΕΡ")
    assert refugee.passportNumber is None  # not required


def test_who_may_read_a_roll(rolls: Rolls, year: Year) -> None:
    answer = roll(rolls.ministry(), CHANIA, 2010, 3)
    assert len(ok(answer, "getSpecialElectoralRoll").entry) == 3
    subjects = audit_subjects(rolls.engine, audit_row(rolls.engine, answer.callSequenceId).id)
    assert subjects == {rolls.holder(h).person_id for h in ("pending-record", "deletion-request", "mover")}
    why = refused(roll(rolls.clerk(HERAKLION), CHANIA, 2010, 3), "getSpecialElectoralRoll", "MP_NOT_AUTHORIZED")
    assert "Δήμο Ηρακλείου" in why and "Δήμο Χανίων" in why
    history = ok(get(rolls.ministry(), year.move), "getRollApplication")
    assert (history.kind, history.newMunicipality.code, history.status) == ("CORRECTION", HERAKLION, "FINALIZED")
    refused(get(rolls.clerk(CHANIA), year.move), "getRollApplication", "MP_NOT_AUTHORIZED")


def test_who_may_apply_for_a_person_on_the_roll(rolls: Rolls, year: Year) -> None:
    again = refused(create(rolls, CHANIA, "pending-record", "2010-06-20"), "createRollApplication", "MP_STATE_CONFLICT")
    assert "ήδη εγγεγραμμένος" in again and year.numbers["pending-record"] in again
    elsewhere = refused(create(rolls, HERAKLION, "pending-record", "2010-12-01", "DELETION_REQUEST"),
                        "createRollApplication", "MP_NOT_AUTHORIZED")
    assert "Δήμο Χανίων" in elsewhere
    refused(create(rolls, CHANIA, "pending-record", "2010-12-01", "CORRECTION", newMunicipalityCode=HERAKLION),
            "createRollApplication", "MP_NOT_AUTHORIZED")
    gone = refused(create(rolls, CHANIA, "deletion-request", "2010-12-01", "DELETION_REQUEST"), "createRollApplication",
                   "MP_STATE_CONFLICT")
    assert "δεν είναι εγγεγραμμένος" in gone


def test_deletion_for_greek_citizenship_by_the_municipality_of_the_family_share(rolls: Rolls) -> None:
    number = _register(rolls, KALAMATA, "citizen", "2010-05-10", "2010-05-10", POLICE_DOCUMENTS + ["PASSPORT"])
    assert refused(create(rolls, KALAMATA, "citizen", "2010-10-04", "DELETION_CITIZENSHIP"), "createRollApplication",
                   "MP_NOT_AUTHORIZED").count("Πατρέων") >= 1
    assert "phone" in refused(create(rolls, PATRAS, "citizen", "2010-10-04", "DELETION_CITIZENSHIP", phone="2610123456"),
                              "createRollApplication", "MP_INVALID_INPUT")
    deletion = created(rolls, PATRAS, "citizen", "2010-10-04", "DELETION_CITIZENSHIP")
    assert deletion.criminalRecord is None and deletion.municipality.code == PATRAS
    done = finalized(rolls, PATRAS, deletion.applicationNumber, "2010-10-04", [], address=None, electoralDistrict=None)
    assert (done.status, done.specialElectoralNumber, done.document) == ("FINALIZED", number, [])
    kalamata = _roll(rolls, KALAMATA, 5)
    assert kalamata.entry == []
    [deleted] = kalamata.deletion
    assert (deleted.removedReason, deleted.removedBy) == ("GREEK_CITIZENSHIP", deletion.applicationNumber)
