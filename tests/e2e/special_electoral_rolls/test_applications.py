"""The application lifecycle end to end with zeep: create (a unique printable number, the cross-check,
the ex officio request of the criminal record), every refusal path of finalize, reject with the written
guidance, getRollApplication with its full history. Each test has holders of its own."""
from __future__ import annotations

import re

import pytest
from stdnum.iso7064 import mod_37_36

from tests.e2e.special_electoral_rolls.conftest import ok, refused
from tests.e2e.special_electoral_rolls.steps import (
    ALL_DOCUMENTS,
    create,
    created,
    finalize,
    finalized,
    get,
    reject,
)
from tests.rolls_fixtures import Rolls
from tests.support import audit_row, audit_subjects

NUMBER = re.compile(r"^(\d{4})-(\d{4})-(\d{7})-([0-9A-Z])$")


def test_example_1_athens_takes_the_application_then_rejects_it_with_form_210(rolls: Rolls) -> None:
    answer = create(rolls, "4501", "example-1", "2010-06-05")
    result = ok(answer, "createRollApplication")
    application = result.rollApplication
    code, year, _serial, _check = NUMBER.match(application.applicationNumber).groups()
    assert (code, year) == ("4501", "2010")
    assert mod_37_36.is_valid(application.applicationNumber.replace("-", ""))
    assert (application.kind, application.status, application.municipality.code) == ("REGISTRATION", "CREATED", "4501")
    assert (application.revision.year, application.revision.period) == (2010, 3)
    assert result.eligibility.residence.municipality.code == "4301"  # the clerk sees at once: Sparta
    assert [g.form for g in result.eligibility.guidance] == ["210"]
    assert audit_subjects(rolls.engine, audit_row(rolls.engine, answer.callSequenceId).id) == {
        rolls.holder("example-1").person_id}

    number = application.applicationNumber
    why = refused(finalize(rolls, "4501", number, "2010-06-07", ALL_DOCUMENTS), "finalizeRollApplication",
                  "MP_NOT_AUTHORIZED")
    assert "Δήμο Σπάρτης" in why and "OTHER_MUNICIPALITY" in why and "210" in why

    rejected = ok(reject(rolls, "4501", number, "OTHER_MUNICIPALITY", "2010-06-07", protocolNumber="8812/07-06-2010"),
                  "rejectRollApplication")
    assert (rejected.status, rejected.rejectionReason) == ("REJECTED", "OTHER_MUNICIPALITY")
    assert rejected.rejectionGuidance.form == "210" and "Δήμο Σπάρτης" in rejected.rejectionGuidance.text
    assert rejected.protocolNumber == "8812/07-06-2010"
    assert [e.event for e in rejected.event] == ["CREATED", "REJECTED"]
    again = refused(reject(rolls, "4501", number, "OTHER", "2010-06-08", note="x"), "rejectRollApplication",
                    "MP_STATE_CONFLICT")
    assert "έχει απορριφθεί" in again


def test_example_2_naousa_finalizes_once_the_411_correction_is_in_the_system(rolls: Rolls) -> None:
    number = created(rolls, "0803", "example-2", "2010-05-20").applicationNumber
    why = refused(finalize(rolls, "0803", number, "2010-05-20", ALL_DOCUMENTS), "finalizeRollApplication",
                  "MP_NOT_AUTHORIZED")
    assert "Δήμο Σιντικής" in why and "411" in why
    done = finalized(rolls, "0803", number, "2010-05-27", ALL_DOCUMENTS, protocol_date="2010-05-20")
    assert done.status == "FINALIZED" and re.fullmatch(r"2010\d{9}", done.specialElectoralNumber)
    assert (done.completedOn.isoformat(), done.protocolDate.isoformat()) == ("2010-05-27", "2010-05-20")
    assert sorted(d.code for d in done.document) == sorted(ALL_DOCUMENTS)
    assert done.passportNumber == "P1234567" and done.address.street == "ΕΡΜΟΥ"


def test_example_3_registers_in_livadeia_after_the_310_certification(rolls: Rolls) -> None:
    number = created(rolls, "2801", "example-3", "2010-06-21").applicationNumber
    done = finalized(rolls, "2801", number, "2010-06-25", ALL_DOCUMENTS)
    assert (done.municipality.code, done.status, done.revision.period) == ("2801", "FINALIZED", 3)


def test_pending_criminal_record_is_requested_ex_officio_and_finalization_waits(rolls: Rolls) -> None:
    application = created(rolls, "5101", "category-C", "2010-06-01", criminalRecordBrought=False)
    assert application.criminalRecord == "REQUESTED"
    assert [e.event for e in application.event] == ["CREATED", "CRIMINAL_RECORD_REQUESTED"]
    number = application.applicationNumber
    why = refused(finalize(rolls, "5101", number, "2010-06-03", ["RESIDENCE_PERMIT", "PASSPORT"]),
                  "finalizeRollApplication", "MP_CRIMINAL_RECORD_PENDING")
    assert "αυτεπαγγέλτως στις 01-06-2010" in why and "CRIMINAL_RECORD" in why
    why = refused(finalize(rolls, "5101", number, "2010-06-15", ["RESIDENCE_PERMIT", "CRIMINAL_RECORD"]),
                  "finalizeRollApplication", "MP_DOCUMENTS_MISSING")
    assert "διαβατηρίου (PASSPORT)" in why and "κατηγορία Γ" in why
    done = finalized(rolls, "5101", number, "2010-06-15", ALL_DOCUMENTS, protocol_date="2010-06-01")
    assert done.status == "FINALIZED"
    history = ok(get(rolls.clerk("5101"), number), "getRollApplication")
    assert [e.event for e in history.event] == ["CREATED", "CRIMINAL_RECORD_REQUESTED", "FINALIZED"]
    assert all(e.agencyCode == "TDIMOS-5101" and e.username == "t-dimos-5101" and e.callSequenceId
               for e in history.event)
    assert done.specialElectoralNumber in history.event[-1].detail


def test_police_title_needs_the_residence_certificate_and_the_edto_a_passport(rolls: Rolls) -> None:
    number = created(rolls, "1801", "category-A", "2010-06-08").applicationNumber
    why = refused(finalize(rolls, "1801", number, "2010-06-08", ALL_DOCUMENTS), "finalizeRollApplication",
                  "MP_DOCUMENTS_MISSING")
    assert "RESIDENCE_CERTIFICATE" in why and "Βεβαίωση μόνιμης κατοικίας" in why
    why = refused(finalize(rolls, "1801", number, "2010-06-08", ["RESIDENCE_PERMIT", "CRIMINAL_RECORD",
                                                                 "RESIDENCE_CERTIFICATE"]),
                  "finalizeRollApplication", "MP_DOCUMENTS_MISSING")
    assert "PASSPORT" in why
    done = finalized(rolls, "1801", number, "2010-06-08", ALL_DOCUMENTS + ["RESIDENCE_CERTIFICATE"])
    assert done.status == "FINALIZED"


def test_a_refugee_needs_no_passport(rolls: Rolls) -> None:
    number = created(rolls, "2401", "category-F", "2010-06-01").applicationNumber
    done = finalized(rolls, "2401", number, "2010-06-01", ["RESIDENCE_PERMIT", "CRIMINAL_RECORD",
                                                           "RESIDENCE_CERTIFICATE"])
    assert done.status == "FINALIZED" and done.passportNumber is None


def test_the_registration_deadline(rolls: Rolls) -> None:
    number = created(rolls, "6401", "late", "2010-06-20").applicationNumber
    why = refused(finalize(rolls, "6401", number, "2010-07-02", ALL_DOCUMENTS, protocol_date="2010-06-20"),
                  "finalizeRollApplication", "MP_DEADLINE_PASSED")
    assert "30-06-2010" in why and "AUTO-2010" in why
    assert "30-06-2010" in refused(create(rolls, "6401", "category-G", "2010-07-05"), "createRollApplication",
                                   "MP_DEADLINE_PASSED")
    assert finalized(rolls, "6401", number, "2010-06-30", ALL_DOCUMENTS, protocol_date="2010-06-20").status == "FINALIZED"


def test_a_file_completed_after_its_revision_moves_to_the_next_with_a_new_application(rolls: Rolls) -> None:
    first = created(rolls, "2701", "carried-over", "2010-04-28", criminalRecordBrought=False)
    assert (first.revision.year, first.revision.period, first.revision.deadline.isoformat()) == (2010, 2, "2010-04-30")
    done = finalized(rolls, "2701", first.applicationNumber, "2010-05-12", ALL_DOCUMENTS, protocol_date="2010-04-28")
    assert done.applicationNumber != first.applicationNumber
    assert done.previousApplicationNumber == first.applicationNumber
    assert (done.revision.period, done.applicationDate.isoformat(), done.status) == (3, "2010-05-12", "FINALIZED")
    assert done.specialElectoralNumber
    closed = ok(get(rolls.clerk("2701"), first.applicationNumber), "getRollApplication")
    assert (closed.status, closed.nextApplicationNumber) == ("CARRIED_OVER", done.applicationNumber)
    assert [e.event for e in closed.event] == ["CREATED", "CRIMINAL_RECORD_REQUESTED", "CARRIED_OVER"]
    assert done.applicationNumber in closed.event[-1].detail
    assert [e.event for e in done.event] == ["CREATED", "FINALIZED"]
    refused(finalize(rolls, "2701", first.applicationNumber, "2010-05-13", ALL_DOCUMENTS, protocol_date="2010-04-28"),
            "finalizeRollApplication", "MP_STATE_CONFLICT")
    refused(finalize(rolls, "2701", done.applicationNumber, "2010-05-13", ALL_DOCUMENTS), "finalizeRollApplication",
            "MP_STATE_CONFLICT")


@pytest.mark.parametrize(
    ("holder", "municipality", "date", "reason", "text"),
    [("convicted", "0101", "2010-06-01", "CONVICTION", "κάθειρξη"),
     ("born-1993", "3701", "2010-06-01", "UNDER_AGE", "31-12-1992"),
     ("category-D", "2201", "2010-06-01", "FIVE_YEAR_RESIDENCE_NOT_MET", "12-03-2012")],
    ids=["conviction", "under-age", "five-years"],
)
def test_an_ineligible_registration_is_refused_then_rejected(rolls: Rolls, holder: str, municipality: str, date: str,
                                                             reason: str, text: str) -> None:
    number = created(rolls, municipality, holder, date).applicationNumber
    why = refused(finalize(rolls, municipality, number, date, ALL_DOCUMENTS), "finalizeRollApplication",
                  "MP_NOT_ELIGIBLE")
    assert reason in why and text in why
    wrong = refused(reject(rolls, municipality, number, "OTHER_MUNICIPALITY", date), "rejectRollApplication",
                    "MP_INVALID_INPUT")
    assert "reasonCode" in wrong
    rejected = ok(reject(rolls, municipality, number, reason, date), "rejectRollApplication")
    assert rejected.rejectionReason == reason and text in rejected.rejectionGuidance.text


def test_reject_needs_a_note_for_other_and_keeps_it(rolls: Rolls) -> None:
    number = created(rolls, "3701", "born-1992", "2010-06-01").applicationNumber
    assert "note" in refused(reject(rolls, "3701", number, "OTHER", "2010-06-02"), "rejectRollApplication",
                             "MP_INVALID_INPUT")
    done = ok(reject(rolls, "3701", number, "DOCUMENTS_MISSING", "2010-06-02", note="χωρίς επικυρωμένο αντίγραφο"),
              "rejectRollApplication")
    assert "χωρίς επικυρωμένο αντίγραφο" in done.rejectionGuidance.text and done.rejectionNote
    assert "Επικυρωμένο αντίγραφο ισχυρού διαβατηρίου" in done.rejectionGuidance.text


def test_create_refuses_someone_not_in_the_system_with_the_guidance(rolls: Rolls) -> None:
    answer = create(rolls, "4501", "example-1", "2010-06-05", applicant={
        **rolls.holder("example-1").criteria(), "birthYear": 1970})
    assert "αστυνομική αρχή" in refused(answer, "createRollApplication", "MP_NOT_FOUND")
