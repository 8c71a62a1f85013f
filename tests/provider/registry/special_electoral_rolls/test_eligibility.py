"""The conditions of registration (circular section 1 and its annex) and the documents by category,
on frozen records built here, without a database."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from provider.registry.special_electoral_rolls import documents, eligibility
from provider.registry.special_electoral_rolls.model import (
    Acquisition,
    Applicant,
    Category,
    ConvictionRecord,
    ElectionInfo,
    Holder,
    Permit,
    PermitType,
)
from provider.registry.special_electoral_rolls.residence import Place

D = dt.date
ELECTION = ElectionInfo(1, "AUTO-2010", "εκλογές", D(2010, 11, 14), D(2010, 6, 30), None)
B = Category("B", "Β", "αόριστης διάρκειας", None, False, False)
E = Category("E", "Ε", "γονείς ανήλικων Ελλήνων", "APPLICATION", False, False)
F = Category("F", "ΣΤ", "πρόσφυγες", "APPLICATION", True, False)
H = Category("H", "Η", "ομογενείς λοιπών χωρών", "ISSUE", True, True)
HOLDER = Holder(1, "ΧΟΤΖΑ", "ΑΡΜΠΕΝ", "HOXHA", "ARBEN", "ΙΛΙΡ", "ΑΝΙΛΑ", "M", D(1971, 3, 14), True, None, "AL",
                "Αλβανία", False, None, None)


def kind(category: Category | None, police: bool = False, edto: bool = False, no_passport: bool = False) -> PermitType:
    return PermitType("T", "τίτλος", category, police, edto, no_passport)


APPLIED, VALID, ON = D(2005, 1, 10), (D(2005, 6, 1), None), D(2010, 6, 1)  # the defaults below


def permit(category: Category | None = B, applied: dt.date = APPLIED, valid: tuple[dt.date, dt.date | None] = VALID,
           pid: int = 1, **flags: bool) -> Permit:
    police = flags.get("police", False)
    return Permit(pid, f"P{pid}", kind(category, **flags), "POLICE" if police else "REGION", "ΥΑΜ", applied, *valid)


def applicant(presented: Permit, *earlier: Permit, on: dt.date = ON, **changes: object) -> Applicant:
    base = Applicant(HOLDER, presented, (presented, *earlier), (), (), None, on)
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(who: Applicant) -> list[str]:
    return [r.code for r in eligibility.reasons(who, ELECTION)]


def test_eligible() -> None:
    assert codes(applicant(permit())) == []


@pytest.mark.parametrize(("birthdate", "eligible"), [(D(1992, 12, 31), True), (D(1993, 1, 1), False)])
def test_age_by_the_year_of_the_election(birthdate: dt.date, eligible: bool) -> None:
    who = applicant(permit(), holder=replace(HOLDER, birthdate=birthdate))
    assert codes(who) == ([] if eligible else ["UNDER_AGE"])
    assert ELECTION.born_by == D(1992, 12, 31)


def test_every_reason_is_given_at_once() -> None:
    who = applicant(
        permit(None, valid=(D(2011, 1, 1), D(2009, 1, 1))), holder=replace(HOLDER, birthdate=D(1995, 5, 5)),
        convictions=(ConvictionRecord("Εφετείο", "1/2008", "κάθειρξη", D(2008, 1, 1), None),),
        acquisition=Acquisition(D(2010, 1, 1), Place("3701", "Πατρέων"), "απόφαση"))
    assert codes(who) == ["UNDER_AGE", "PERMIT_TYPE_NOT_LISTED", "PERMIT_EXPIRED", "PERMIT_NOT_YET_VALID",
                          "CONVICTION", "GREEK_CITIZEN"]


def test_a_conviction_stops_counting_when_the_rights_are_restored() -> None:
    served = ConvictionRecord("Εφετείο", "1/2000", "κάθειρξη", D(2000, 1, 1), D(2009, 1, 1))
    assert codes(applicant(permit(), convictions=(served,))) == []
    assert codes(applicant(permit(), convictions=(served,), on=D(2008, 12, 31))) == ["CONVICTION"]


def test_five_years_count_over_a_continuous_chain_of_renewals() -> None:
    first = permit(E, D(2005, 4, 20), (D(2005, 7, 1), D(2007, 6, 30)), pid=1)
    second = permit(E, D(2007, 7, 25), (D(2007, 8, 1), D(2009, 12, 31)), pid=2)  # within a month of the expiry
    current = permit(E, D(2009, 9, 14), (D(2010, 1, 11), D(2012, 1, 10)), pid=3)
    assert codes(applicant(current, first, second)) == []
    assert eligibility.five_year_completion(applicant(current, first, second)) == D(2010, 4, 20)
    late = replace(second, application_date=D(2007, 8, 1))  # more than a month after: the chain breaks
    assert eligibility.five_year_completion(applicant(current, first, late)) == D(2012, 8, 1)
    assert codes(applicant(current, first, late)) == ["FIVE_YEAR_RESIDENCE_NOT_MET"]


def test_homogeneis_from_other_countries_count_from_the_grant() -> None:
    card = permit(H, D(2001, 6, 15), (D(2001, 10, 2), D(2006, 10, 1)), pid=1, police=True)
    renewed = permit(H, D(2006, 6, 20), (D(2006, 10, 2), D(2011, 10, 1)), pid=2, police=True)
    assert eligibility.five_year_completion(applicant(renewed, card)) == D(2006, 10, 2)
    assert eligibility.five_year_completion(applicant(permit())) is None  # category B: not required


@pytest.mark.parametrize(
    ("category", "flags", "passport"),
    [(B, {}, True), (F, {"police": True}, False), (H, {"police": True}, False),
     (replace(F, code="A", passport_exempt=True), {"police": True, "edto": True}, True),  # EDTO: always a passport
     (B, {"no_passport": True}, False)],
    ids=["title-of-a-region", "refugee", "homogeneis-other-countries", "edto", "cannot-have-a-passport"],
)
def test_passport(category: Category, flags: dict[str, bool], passport: bool) -> None:
    assert permit(category, **flags).passport_required is passport


@pytest.mark.parametrize(
    ("kind_of_application", "presented", "new_municipality", "expected"),
    [("REGISTRATION", permit(B), False, ["RESIDENCE_PERMIT", "PASSPORT", "CRIMINAL_RECORD"]),
     ("REGISTRATION", permit(H, police=True), False,
      ["RESIDENCE_PERMIT", "CRIMINAL_RECORD", "FIVE_YEAR_CERTIFICATE", "RESIDENCE_CERTIFICATE"]),
     ("DELETION_REQUEST", permit(B), False, ["SIGNED_APPLICATION"]),
     ("DELETION_CITIZENSHIP", permit(B), False, []),
     ("CORRECTION", permit(F, police=True), True, ["SIGNED_APPLICATION", "RESIDENCE_PERMIT", "RESIDENCE_CERTIFICATE"]),
     ("CORRECTION", permit(F, police=True), False, ["SIGNED_APPLICATION", "RESIDENCE_PERMIT"])],
)
def test_documents(kind_of_application: str, presented: Permit, new_municipality: bool, expected: list[str]) -> None:
    needed = documents.required(kind_of_application, presented, new_municipality=new_municipality)
    assert [d.code for d in needed] == expected and all(d.description for d in needed)
