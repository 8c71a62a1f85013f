"""checkVoterEligibility end to end with zeep: the seed's worked examples with its own dates, the age
boundary of the 14 November 2010 election, one case per category Α-Η (tests/data/rolls/checks-2010.json),
not found, the audit's data subjects."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from tests.e2e.special_electoral_rolls.conftest import call, ok
from tests.rolls_fixtures import ROLLS_DATA, Rolls
from tests.support import audit_row, audit_subjects

CASES = json.loads((ROLLS_DATA / "checks-2010.json").read_text(encoding="utf-8"))
OPERATION = "checkVoterEligibility"


def check(rolls: Rolls, holder: str, municipality: str, date: str, **criteria: Any) -> Any:
    applicant = {**rolls.holder(holder).criteria(), **criteria}
    return call(rolls.clerk(municipality), OPERATION, applicant=applicant, electionCode="AUTO-2010",
                municipalityCode=municipality, applicationDate=dt.date.fromisoformat(date))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_seed_cases(rolls: Rolls, case: dict[str, Any]) -> None:
    answer = check(rolls, case["holder"], case["municipality"], case["date"])
    result, expect = ok(answer, OPERATION), case["expect"]
    assert result.found is True
    assert result.eligible is expect["eligible"]
    assert [r.code for r in result.reason] == expect["reasons"]
    assert all(r.description for r in result.reason)
    if "category" in expect:
        assert (result.category.code if result.category else None) == expect["category"]
    if "authority" in expect:
        assert result.permit.authorityKind == expect["authority"]
    residence = result.residence
    if "outcome" in expect:
        assert residence.outcome == expect["outcome"]
        assert residence.requiresResidenceCertificate is (expect["outcome"] == "CERTIFICATE_REQUIRED")
        assert residence.appliedMunicipality.code == case["municipality"]
    if "municipality" in expect:
        assert (residence.municipality.code if residence.municipality else None) == expect["municipality"]
    if "since" in expect:
        assert residence.since.isoformat() == expect["since"]
    if "entitledHere" in expect:
        assert residence.entitledHere is expect["entitledHere"]
    if "guidance" in expect:
        assert [[g.code, g.form] for g in result.guidance] == expect["guidance"]
        assert all(g.text for g in result.guidance)
    if "office" in expect:
        assert expect["office"] in result.guidance[0].office
    if "documents" in expect:
        assert [d.code for d in result.requiredDocument] == expect["documents"]
    if "fiveYearCompletedOn" in expect:
        assert result.fiveYearCompletedOn.isoformat() == expect["fiveYearCompletedOn"]
    if "nationality" in expect:
        assert [result.holder.nationalityCode, result.holder.nationalityName] == expect["nationality"]
    assert result.election.bornBy == dt.date(1992, 12, 31)
    row = audit_row(rolls.engine, answer.callSequenceId)
    assert row.outcome == "OK" and row.operation == OPERATION
    assert audit_subjects(rolls.engine, row.id) == {rolls.holder(case["holder"]).person_id}


def test_guidance_names_the_service_and_the_form(rolls: Rolls) -> None:
    athens = ok(check(rolls, "example-1", "4501", "2010-06-05"), OPERATION).guidance[0]
    assert "Δήμο Σπάρτης" in athens.text and "έντυπο 210" in athens.text and "βεβαίωση μόνιμης κατοικίας" in athens.text
    assert athens.office.startswith("Δήμος Σπάρτης")
    naousa = ok(check(rolls, "example-2", "0803", "2010-05-20"), OPERATION).guidance[0]
    assert "Δήμο Σιντικής" in naousa.text and "έντυπο 411" in naousa.text
    undetermined = ok(check(rolls, "example-3", "4501", "2010-05-25"), OPERATION).guidance[0]
    assert "έντυπο 310" in undetermined.text and "Περιφέρεια" in undetermined.text
    assert "αλλοδαπών" in undetermined.office


@pytest.mark.parametrize(
    "criteria",
    [{"surnamePrefix": "XX"}, {"firstnamePrefix": "ZZ"}, {"birthYear": 1972}, {"permitNumber": "EX-NO-SUCH-1"}],
    ids=["other-surname", "other-firstname", "other-birth-year", "unknown-permit"],
)
def test_not_found_reveals_nothing(rolls: Rolls, criteria: dict[str, Any]) -> None:
    answer = check(rolls, "example-1", "4301", "2010-06-05", **criteria)
    result = ok(answer, OPERATION)
    assert (result.found, result.eligible, result.holder, result.permit, result.residence) == (
        False, False, None, None, None)
    assert [g.code for g in result.guidance] == ["NOT_FOUND_IN_SYSTEM"]
    assert "αστυνομική αρχή" in result.guidance[0].text and "Περιφέρειας" in result.guidance[0].text
    assert audit_subjects(rolls.engine, audit_row(rolls.engine, answer.callSequenceId).id) == set()


def test_the_directorate_checks_without_a_municipality(rolls: Rolls) -> None:
    applicant = rolls.holder("example-2").criteria()
    result = ok(call(rolls.ministry(), OPERATION, applicant=applicant, electionCode="AUTO-2010",
                     applicationDate=dt.date(2010, 5, 20)), OPERATION)
    assert result.residence.municipality.code == "1207"
    assert result.residence.appliedMunicipality is None and result.residence.entitledHere is None
    assert result.guidance == []
