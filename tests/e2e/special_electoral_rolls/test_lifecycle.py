"""A whole revision of the special roll of Kalymnos (6101) in 2010, over HTTP against the live
provider (issue 23): applications by the clerk and by the person from the Ministry's site, the
rejection in writing of an unknown person, objections during the posting (one upheld, one
dismissed, one out of time, one against a non-registration), the directorate's final finalization,
a deletion on a conviction notice, and the next revision."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, AuditEventSubject, RollUnmatchedApplication
from tests.e2e.special_electoral_rolls.conftest import call, ok, refused
from tests.e2e.special_electoral_rolls.steps import ALL_DOCUMENTS, ELECTION, created, day, finalized, get, reject, roll
from tests.rolls_fixtures import Rolls

KALYMNOS = "6101"
ADDRESS = {"street": "ΑΓΙΑΣ ΤΡΙΑΔΟΣ", "number": "4", "postalCode": "85200"}


def lodge(rolls: Rolls, date: str, kind: str, **target: str) -> object:
    return call(rolls.clerk(KALYMNOS), "lodgeRollObjection", municipalityCode=KALYMNOS, revisionYear=2010,
                revisionPeriod=3, kind=kind, objector="ΠΑΠΑΔΟΠΟΥΛΟΣ ΓΕΩΡΓΙΟΣ", grounds="δεν κατοικεί στον Δήμο",
                lodgedOn=day(date), **target)


def decide(rolls: Rolls, number: str, outcome: str, date: str, **fields: object) -> object:
    return call(rolls.clerk(KALYMNOS), "decideRollObjection", objectionNumber=number, outcome=outcome,
                decisionDate=day(date), decisionReference=f"απόφαση {number[-3:]}/2010", **fields)


def finalize_roll(client: object, period: int, date: str) -> object:
    return call(client, "finalizeSpecialElectoralRoll", municipalityCode=KALYMNOS, revisionYear=2010,
                revisionPeriod=period, finalizedOn=day(date))


def subjects_of(rolls: Rolls, operation: str) -> set[int]:
    with Session(rolls.engine) as session:
        return set(session.scalars(
            select(AuditEventSubject.person_id).join(AuditEvent, AuditEvent.id == AuditEventSubject.event_id)
            .where(AuditEvent.operation == operation)))


def test_a_whole_revision_of_kalymnos(rolls: Rolls) -> None:
    ministry, portal = rolls.ministry(), rolls.agency("YPES-PORTAL", "YPES-WEB")
    objected, convicted = rolls.holder("life-objected"), rolls.holder("life-convicted")
    citizen, reinstated, late = (rolls.holder(k) for k in ("life-citizen", "life-reinstated", "life-late"))

    # June 2010 (revision 2010/3): two registrations at the desk
    first = created(rolls, KALYMNOS, "life-objected", "2010-06-01").applicationNumber
    second = created(rolls, KALYMNOS, "life-convicted", "2010-06-01").applicationNumber
    objected_number = finalized(rolls, KALYMNOS, first, "2010-06-01", ALL_DOCUMENTS).specialElectoralNumber
    convicted_number = finalized(rolls, KALYMNOS, second, "2010-06-01", ALL_DOCUMENTS).specialElectoralNumber

    # a registration the person creates at home; the municipality finds it by its number and finalizes it
    home = ok(call(portal, "createCitizenRollApplication", kind="REGISTRATION", applicant=citizen.criteria(),
                   electionCode=ELECTION, municipalityCode=KALYMNOS, applicationDate=day("2010-06-02"),
                   mothername="ΜΑΡΙΑ", fathersurname="ΚΟΒΑΛΕΝΚΟ", phone="6971234567", address=ADDRESS),
              "createCitizenRollApplication").rollApplication
    assert home.status == "CREATED" and home.criminalRecord is None and "ιστότοπο" in home.event[0].detail
    found = ok(get(rolls.clerk(KALYMNOS), home.applicationNumber), "getRollApplication")
    assert found.holder.surnameLatin == "KOVALENKO" and found.event[0].agencyCode == "YPES-PORTAL"
    assert "CRIMINAL_RECORD" in str(refused(call(rolls.clerk(KALYMNOS), "finalizeRollApplication",
                                                 applicationNumber=home.applicationNumber, protocolNumber="77/2010",
                                                 protocolDate=day("2010-06-04"), completedOn=day("2010-06-04"),
                                                 document=["RESIDENCE_PERMIT", "PASSPORT"], passportNumber="P7654321",
                                                 electoralDistrict="ΚΑΛΥΜΝΟΣ"),
                                            "finalizeRollApplication", "MP_CRIMINAL_RECORD_PENDING"))
    assert finalized(rolls, KALYMNOS, home.applicationNumber, "2010-06-04", ALL_DOCUMENTS).status == "FINALIZED"
    # the portal acts for the person only: a deletion for citizenship is the municipality's, ex officio
    assert "kind" in refused(call(portal, "createCitizenRollApplication", kind="DELETION_CITIZENSHIP",
                                  applicant=citizen.criteria(), electionCode=ELECTION, municipalityCode=KALYMNOS,
                                  applicationDate=day("2010-06-05")), "createCitizenRollApplication",
                             "MP_INVALID_INPUT")

    # a registration rejected (documents missing)
    rejected = created(rolls, KALYMNOS, "life-reinstated", "2010-06-03").applicationNumber
    assert ok(reject(rolls, KALYMNOS, rejected, "DOCUMENTS_MISSING", "2010-06-03"),
              "rejectRollApplication").status == "REJECTED"

    # a person the system does not show: recorded and rejected in writing
    unknown = {"permitNumber": "EX-KAL-9999", "surnamePrefix": "ZZ", "firstnamePrefix": "YY", "birthYear": 1980}
    why = refused(call(rolls.clerk(KALYMNOS), "createRollApplication", kind="REGISTRATION", applicant=unknown,
                       electionCode=ELECTION, municipalityCode=KALYMNOS, applicationDate=day("2010-06-05"),
                       mothername="Α", fathersurname="Β"), "createRollApplication", "MP_NOT_FOUND")
    assert "rejectUnmatchedRollApplication" in why
    written = ok(call(rolls.clerk(KALYMNOS), "rejectUnmatchedRollApplication", applicant=unknown,
                      electionCode=ELECTION, municipalityCode=KALYMNOS, applicationDate=day("2010-06-05"),
                      protocolNumber="81/2010", decisionDate=day("2010-06-05")), "rejectUnmatchedRollApplication")
    assert written.rejectionReason == "NOT_FOUND_IN_SYSTEM" and written.applicationNumber.startswith("6101-2010-U")
    assert "αρχή που τον εξέδωσε" in written.rejectionGuidance.text and written.applicant.permitNumber == "EX-KAL-9999"
    with Session(rolls.engine) as session:
        assert session.scalar(select(RollUnmatchedApplication.protocol_number).where(
            RollUnmatchedApplication.number == written.applicationNumber)) == "81/2010"
    assert "createRollApplication" in refused(
        call(rolls.clerk(KALYMNOS), "rejectUnmatchedRollApplication", applicant=citizen.criteria(),
             electionCode=ELECTION, municipalityCode=KALYMNOS, applicationDate=day("2010-06-05"),
             protocolNumber="82/2010"), "rejectUnmatchedRollApplication", "MP_STATE_CONFLICT")

    # an application whose criminal record the municipality requests ex officio
    waiting = created(rolls, KALYMNOS, "life-late", "2010-06-20", criminalRecordBrought=False).applicationNumber

    provisional = ok(roll(ministry, KALYMNOS, 2010, 3), "getSpecialElectoralRoll")
    assert provisional.finalizedOn is None and provisional.entryCount == 3

    # the posting, 1-10 July: objections
    against = ok(lodge(rolls, "2010-07-02", "AGAINST_REGISTRATION", specialElectoralNumber=objected_number),
                 "lodgeRollObjection")
    dismissed = ok(lodge(rolls, "2010-07-03", "AGAINST_REGISTRATION", specialElectoralNumber=convicted_number),
                   "lodgeRollObjection")
    non_registration = ok(lodge(rolls, "2010-07-04", "AGAINST_NON_REGISTRATION", applicationNumber=rejected),
                          "lodgeRollObjection")
    assert against.status == "LODGED" and against.holder.surnameLatin == "SALEH"
    assert "10-07-2010" in refused(lodge(rolls, "2010-07-12", "AGAINST_REGISTRATION",
                                         specialElectoralNumber=objected_number[:-1] + "0"),
                                   "lodgeRollObjection", "MP_OBJECTION_OUT_OF_TIME")
    assert against.objectionNumber in refused(finalize_roll(ministry, 3, "2010-07-11"),
                                              "finalizeSpecialElectoralRoll", "MP_OBJECTIONS_PENDING")

    upheld = ok(decide(rolls, against.objectionNumber, "UPHELD", "2010-07-15"), "decideRollObjection")
    assert upheld.status == "UPHELD" and upheld.resultApplicationNumber
    assert ok(decide(rolls, dismissed.objectionNumber, "DISMISSED", "2010-07-15"),
              "decideRollObjection").resultApplicationNumber is None
    assert "DISMISSED" not in refused(decide(rolls, dismissed.objectionNumber, "UPHELD", "2010-07-16"),
                                      "decideRollObjection", "MP_STATE_CONFLICT")
    reinstating = ok(decide(rolls, non_registration.objectionNumber, "UPHELD", "2010-07-15", address=ADDRESS,
                            electoralDistrict="ΚΑΛΥΜΝΟΣ", passportNumber="P5550001"), "decideRollObjection")
    registration = ok(get(rolls.clerk(KALYMNOS), reinstating.resultApplicationNumber), "getRollApplication")
    assert registration.status == "FINALIZED" and registration.previousApplicationNumber == rejected

    # the directorate's final finalization of 2010/3
    assert "Διεύθυνση Εκλογών" in refused(finalize_roll(rolls.clerk(KALYMNOS), 3, "2010-07-16"),
                                         "finalizeSpecialElectoralRoll", "MP_NOT_AUTHORIZED")
    done = ok(finalize_roll(ministry, 3, "2010-07-16"), "finalizeSpecialElectoralRoll")
    assert done.entryCount == 3 and done.agencyCode == "YPES-ELECTIONS"
    assert "2010/4" in refused(finalize_roll(ministry, 3, "2010-07-17"), "finalizeSpecialElectoralRoll",
                               "MP_STATE_CONFLICT")
    final = ok(roll(ministry, KALYMNOS, 2010, 3), "getSpecialElectoralRoll")
    assert final.finalizedOn == day("2010-07-16") and final.entryCount == 3

    # a conviction notice: an imprisonment excludes no one; κάθειρξη does
    notice = dict(applicant=convicted.criteria(), reasonCode="CONVICTION", noticeDate=day("2010-08-20"),
                  decisionReference="ΜΟΔ 123/2010", authorityName="Πρωτοδικείο Ρόδου")
    assert "φυλάκιση" in refused(call(ministry, "notifyDeletionCondition", penaltyKind="IMPRISONMENT",
                                      irrevocableOn=day("2010-08-01"), **notice),
                                 "notifyDeletionCondition", "MP_INVALID_INPUT")
    deleted = ok(call(ministry, "notifyDeletionCondition", penaltyKind="KATHEIRXI", irrevocableOn=day("2010-08-01"),
                      **notice), "notifyDeletionCondition")
    assert deleted.kind == "DELETION_CONDITIONS" and deleted.status == "FINALIZED"
    assert (deleted.revision.year, deleted.revision.period) == (2010, 4)
    assert "κατάλογο" in refused(call(rolls.agency("YPES-MIGRATION", "METANASTEFSI"), "notifyDeletionCondition",
                                      applicant=convicted.criteria(), reasonCode="PERMIT_REVOKED",
                                      noticeDate=day("2010-08-21"), decisionReference="123/2010",
                                      authorityName="Περιφέρεια Νοτίου Αιγαίου"),
                                 "notifyDeletionCondition", "MP_STATE_CONFLICT")
    again = ok(call(ministry, "checkVoterEligibility", applicant=convicted.criteria(), electionCode=ELECTION,
                    municipalityCode=KALYMNOS, applicationDate=day("2010-08-21")), "checkVoterEligibility")
    assert "CONVICTION" in [r.code for r in again.reason]

    # the record requested ex officio arrives after the deadline and after 2010/3 was finalized:
    # the application lodged in time is finalized, in the next revision
    moved = finalized(rolls, KALYMNOS, waiting, "2010-07-20", ALL_DOCUMENTS)
    assert (moved.revision.year, moved.revision.period) == (2010, 4) and moved.previousApplicationNumber == waiting

    nxt = ok(roll(ministry, KALYMNOS, 2010, 4), "getSpecialElectoralRoll")
    assert nxt.finalizedOn is None
    assert sorted((e.surnameLatin if hasattr(e, "surnameLatin") else e.surname) for e in nxt.addition) == [
        "ΜΠΕΓΚΟΥΜ", "ΝΤΙΑΛΟ"]
    assert {(e.surname, e.removedReason) for e in nxt.deletion} == {("ΣΑΛΕΧ", "OBJECTION_UPHELD"),
                                                                   ("ΧΑΣΑΝ", "CONVICTION")}
    assert ok(finalize_roll(ministry, 4, "2010-09-11"), "finalizeSpecialElectoralRoll").entryCount == 3

    # audited with their data subjects
    assert {objected.person_id, reinstated.person_id} <= subjects_of(rolls, "decideRollObjection")
    assert convicted.person_id in subjects_of(rolls, "notifyDeletionCondition")
    assert citizen.person_id in subjects_of(rolls, "createCitizenRollApplication")
    assert late.person_id in subjects_of(rolls, "finalizeRollApplication")
