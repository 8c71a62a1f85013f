"""The reference client's specialElectoralRolls methods against the live provider (SQLite and
PostgreSQL): the seed's cross-checks, a registration from check to the roll, reject, every
rolls-specific exception, a retried write whose first answer was lost (done once, answered with what
the first call did) and the CLI.

The module has a provider of its own (the demo dataset plus the 2010 fixture holders, as the
end-to-end tests have), so the applications it makes never meet theirs; each test has its holders."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consumer_client import (
    CriminalRecordPending,
    DeadlinePassed,
    DocumentsMissing,
    MitrooClient,
    NotAuthorized,
    NotEligible,
    NotFound,
    ObjectionOutOfTime,
    StateConflict,
)
from consumer_client.models import Reply, snake
from consumer_client.special_electoral_rolls import CreatedApplication, Eligibility, RollApplication
from db.models import RollApplication as RollApplicationRow
from db.models import RollEntry
from provider.registry.special_electoral_rolls.numbers import application_number
from tests.consumer_client.proxy import Proxy
from tests.consumer_client.test_cli import client_env, run
from tests.consumer_client.test_client import make_client
from tests.e2e.special_electoral_rolls.steps import ALL_DOCUMENTS, ELECTION, day
from tests.rolls_fixtures import ROLLS_DATA, Rolls, running_rolls
from tests.support import audit_row

CASES = json.loads((ROLLS_DATA / "checks-2010.json").read_text(encoding="utf-8"))
PROTOCOL = "ΕΕΚ 2010"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def rolls(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rolls]:
    with running_rolls(request.param, tmp_path_factory.mktemp(f"client-rolls-{request.param}")) as started:
        yield started


_CLIENTS: dict[tuple[str, str], MitrooClient] = {}


def clerk(rolls: Rolls, municipality: str | None, through: Proxy | None = None) -> MitrooClient:
    """The client of a municipality's clerk (or, without one, of the Ministry), optionally through a
    proxy; a direct one is kept, so its WSDL is read once."""
    if through is not None:
        return make_client(through.url, rolls.account(municipality))
    key = (rolls.running.base_url, rolls.account(municipality))
    if key not in _CLIENTS:
        _CLIENTS[key] = make_client(*key)
    return _CLIENTS[key]


def applicant(rolls: Rolls, holder: str) -> dict[str, Any]:
    """The circular's search criteria of a fixture holder, as the client's keyword arguments."""
    return {snake(name): value for name, value in rolls.holder(holder).criteria().items()}


def register(client: MitrooClient, rolls: Rolls, municipality: str, holder: str, date: str,
             **fields: Any) -> Reply[CreatedApplication]:
    fields = {"mothername": "ΜΗΤΕΡΑ", "fathersurname": "ΠΑΤΡΩΝΥΜΟ", "criminal_record_brought": True, **fields}
    return client.create_roll_application(protocol=PROTOCOL, kind="REGISTRATION", election_code=ELECTION,
                                          municipality_code=municipality, application_date=day(date),
                                          **applicant(rolls, holder), **fields)


def finalize(client: MitrooClient, number: str, completed: str, documents: list[str],
             protocol_date: str | None = None) -> Reply[RollApplication]:
    return client.finalize_roll_application(
        protocol=PROTOCOL, application_number=number, protocol_number=f"{number[-9:]}/{completed}",
        protocol_date=day(protocol_date or completed), completed_on=day(completed), document=tuple(documents),
        passport_number="P1234567" if "PASSPORT" in documents else None, street="ΕΡΜΟΥ", street_number="12",
        postal_code="10563", electoral_district="1ο ΔΗΜΟΤΙΚΟ ΔΙΑΜΕΡΙΣΜΑ")


def _summary(result: Eligibility) -> dict[str, Any]:
    """The cross-check in the terms of tests/data/rolls/checks-2010.json."""
    residence = result.residence
    return {
        "eligible": result.eligible, "reasons": [r.code for r in result.reason],
        "category": result.category.code if result.category else None,
        "authority": result.permit.authority_kind if result.permit else None,
        "outcome": residence.outcome if residence else None,
        "municipality": residence.municipality.code if residence and residence.municipality else None,
        "since": residence.since.isoformat() if residence and residence.since else None,
        "entitledHere": residence.entitled_here if residence else None,
        "guidance": [[g.code, g.form] for g in result.guidance],
        "office": result.guidance[0].office if result.guidance else None,
        "documents": [d.code for d in result.required_document],
        "fiveYearCompletedOn": result.five_year_completed_on.isoformat() if result.five_year_completed_on else None,
        "nationality": [result.holder.nationality_code, result.holder.nationality_name] if result.holder else None,
    }


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_seed_cross_checks(rolls: Rolls, case: dict[str, Any]) -> None:
    reply = clerk(rolls, case["municipality"]).check_voter_eligibility(
        protocol=PROTOCOL, election_code=ELECTION, municipality_code=case["municipality"],
        application_date=day(case["date"]), **applicant(rolls, case["holder"]))
    result, expect = reply.data, dict(case["expect"])
    assert isinstance(result, Eligibility) and result.found and result.election.born_by == dt.date(1992, 12, 31)
    shown = _summary(result)
    assert expect.pop("office", "") in (shown.pop("office") or "")
    assert {key: shown[key] for key in expect} == expect


def test_a_registration_from_the_check_to_the_roll(rolls: Rolls) -> None:
    """Example 2 of the seed: Naousa finalizes once the form-411 correction is in the system."""
    naousa = clerk(rolls, "0803")
    created = register(naousa, rolls, "0803", "example-2", "2010-05-20").data
    assert created.eligibility is not None and created.eligibility.found
    application = created.roll_application
    assert (application.status, application.kind, application.municipality.code) == ("CREATED", "REGISTRATION", "0803")
    done = finalize(naousa, application.application_number, "2010-05-27", ALL_DOCUMENTS, "2010-05-20").data
    assert (done.status, done.passport_number) == ("FINALIZED", "P1234567")
    assert done.address and (done.address.street, done.address.number) == ("ΕΡΜΟΥ", "12")
    assert sorted(d.code for d in done.document) == sorted(ALL_DOCUMENTS) and done.special_electoral_number
    history = naousa.get_roll_application(protocol=PROTOCOL, application_number=done.application_number).data
    assert [e.event for e in history.event] == ["CREATED", "FINALIZED"]
    assert all(e.agency_code == "TDIMOS-0803" and e.call_sequence_id for e in history.event)
    for reader in (naousa, clerk(rolls, None)):  # the municipality and the Ministry's directorate
        roll = reader.get_special_electoral_roll(protocol=PROTOCOL, municipality_code="0803", revision_year=2010,
                                                 revision_period=3).data
        assert (roll.municipality.code, roll.revision.period, roll.entry_count) == ("0803", 3, len(roll.entry))
        added = [e for e in roll.addition if e.special_electoral_number == done.special_electoral_number]
        assert [(e.street, e.street_number, e.added_by) for e in added] == [("ΕΡΜΟΥ", "12", done.application_number)]


def test_reject_records_the_written_guidance_once_even_when_its_answer_is_lost(rolls: Rolls) -> None:
    """Example 1 of the seed: Athens takes the application and rejects it with the form-210 advice;
    the first answer of the reject is lost, and the retry answers the same rejection."""
    athens = clerk(rolls, "4501")
    number = register(athens, rolls, "4501", "example-1", "2010-06-05").data.roll_application.application_number
    relay = Proxy(rolls.running.base_url, ["drop-after", "pass"])
    try:
        reply = clerk(rolls, "4501", relay).reject_roll_application(
            protocol=PROTOCOL, application_number=number, reason_code="OTHER_MUNICIPALITY",
            decision_date=day("2010-06-07"), protocol_number="8812/07-06-2010")
    finally:
        relay.close()
    assert relay.seen == ["drop-after", "pass"]
    rejected = reply.data
    assert (rejected.status, rejected.rejection_reason, rejected.protocol_number) == (
        "REJECTED", "OTHER_MUNICIPALITY", "8812/07-06-2010")
    assert rejected.rejection_guidance and rejected.rejection_guidance.form == "210"
    assert "Δήμο Σπάρτης" in rejected.rejection_guidance.text
    assert [e.event for e in rejected.event] == ["CREATED", "REJECTED"]
    _the_retry_answered_the_original(rolls, reply, rejected.event[-1].call_sequence_id)


def _the_retry_answered_the_original(rolls: Rolls, reply: Reply[Any], original: str | None) -> None:
    """``reply`` came from the retry, audited as such, and the history names the original call."""
    assert original and original != reply.call_sequence_id
    row = audit_row(rolls.engine, reply.call_sequence_id)
    assert row.outcome == "OK" and original in (row.outcome_detail or "")
    assert audit_row(rolls.engine, original).audit_transaction_id == reply.audit_transaction_id


def _count(rolls: Rolls, table: Any, holder: str) -> int:
    with Session(rolls.engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)
                                  .where(table.holder_id == rolls.holder(holder).person_id)) or 0)


def test_a_retried_create_returns_the_application_the_lost_answer_carried(rolls: Rolls) -> None:
    relay = Proxy(rolls.running.base_url, ["drop-after", "pass"])
    try:
        reply = register(clerk(rolls, "3701", relay), rolls, "3701", "born-1992", "2010-06-01")
    finally:
        relay.close()
    assert relay.seen == ["drop-after", "pass"]
    application = reply.data.roll_application
    assert application.status == "CREATED" and reply.data.eligibility and reply.data.eligibility.eligible
    assert _count(rolls, RollApplicationRow, "born-1992") == 1  # not a second application, not a conflict
    assert [e.event for e in application.event] == ["CREATED"]
    _the_retry_answered_the_original(rolls, reply, application.event[0].call_sequence_id)


def test_a_retried_finalize_returns_the_application_as_the_first_call_left_it(rolls: Rolls) -> None:
    """Completed after its revision's deadline, the file moved to the next revision with a new
    application: the retry answers that one, FINALIZED, and the roll has the person once."""
    lamia = clerk(rolls, "2701")
    first = register(lamia, rolls, "2701", "carried-over", "2010-04-28", criminal_record_brought=False).data
    number = first.roll_application.application_number
    relay = Proxy(rolls.running.base_url, ["drop-after", "pass"])
    try:
        reply = finalize(clerk(rolls, "2701", relay), number, "2010-05-12", ALL_DOCUMENTS, "2010-04-28")
    finally:
        relay.close()
    assert relay.seen == ["drop-after", "pass"]
    done = reply.data
    assert (done.status, done.previous_application_number, done.revision.period) == ("FINALIZED", number, 3)
    assert [e.event for e in done.event] == ["CREATED", "FINALIZED"] and done.special_electoral_number
    closed = lamia.get_roll_application(protocol=PROTOCOL, application_number=number).data
    assert (closed.status, closed.next_application_number) == ("CARRIED_OVER", done.application_number)
    assert _count(rolls, RollEntry, "carried-over") == 1
    _the_retry_answered_the_original(rolls, reply, done.event[-1].call_sequence_id)


def _registered(rolls: Rolls, municipality: str, holder: str, date: str, **fields: Any) -> str:
    """The number of a registration ``holder`` makes in ``municipality`` on ``date``."""
    created = register(clerk(rolls, municipality), rolls, municipality, holder, date, **fields)
    return created.data.roll_application.application_number


def _under_age(rolls: Rolls) -> None:
    finalize(clerk(rolls, "3701"), _registered(rolls, "3701", "born-1993", "2010-06-01"), "2010-06-01", ALL_DOCUMENTS)


def _finalized_already(rolls: Rolls) -> None:
    number = _registered(rolls, "2401", "category-F", "2010-06-01")
    documents = ["RESIDENCE_PERMIT", "CRIMINAL_RECORD", "RESIDENCE_CERTIFICATE"]  # a refugee brings no passport
    finalize(clerk(rolls, "2401"), number, "2010-06-01", documents)
    finalize(clerk(rolls, "2401"), number, "2010-06-02", documents)


def _criminal_record_pending(rolls: Rolls) -> None:
    number = _registered(rolls, "5101", "category-C", "2010-06-01", criminal_record_brought=False)
    finalize(clerk(rolls, "5101"), number, "2010-06-03", ["RESIDENCE_PERMIT", "PASSPORT"])


def _no_residence_certificate(rolls: Rolls) -> None:
    finalize(clerk(rolls, "1801"), _registered(rolls, "1801", "category-A", "2010-06-08"), "2010-06-08", ALL_DOCUMENTS)


def _after_the_deadline(rolls: Rolls) -> None:
    _registered(rolls, "6401", "late", "2010-07-05")


def _another_municipalitys_application(rolls: Rolls) -> None:
    number = _registered(rolls, "0101", "convicted", "2010-06-01")
    clerk(rolls, "4501").get_roll_application(protocol=PROTOCOL, application_number=number)


def _no_such_application(rolls: Rolls) -> None:
    clerk(rolls, "4501").get_roll_application(protocol=PROTOCOL,
                                              application_number=application_number("4501", 2010, 9999999))


REFUSALS = {
    "not eligible (under age)": (NotEligible, _under_age, "UNDER_AGE"),
    "state conflict (finalized already)": (StateConflict, _finalized_already, "FINALIZED"),
    "criminal record pending": (CriminalRecordPending, _criminal_record_pending, "αυτεπαγγέλτως"),
    "documents missing (residence certificate)": (DocumentsMissing, _no_residence_certificate,
                                                  "RESIDENCE_CERTIFICATE"),
    "deadline passed": (DeadlinePassed, _after_the_deadline, "30-06-2010"),
    "another municipality": (NotAuthorized, _another_municipalitys_application, "Αθηναίων"),
    "no such application": (NotFound, _no_such_application, "applicationNumber"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refusals_raise_their_exception(rolls: Rolls, name: str) -> None:
    expected, act, text = REFUSALS[name]
    with pytest.raises(expected) as raised:
        act(rolls)
    error = raised.value
    assert error.code == expected.code and text in error.description and error.call_sequence_id
    assert audit_row(rolls.engine, error.call_sequence_id).outcome == expected.code


def test_the_cli_checks_and_finalizes_with_repeated_documents(rolls: Rolls) -> None:
    env = client_env(rolls.running, rolls.account("2801"))
    criteria = rolls.holder("example-3").criteria()
    check = run(env, "checkVoterEligibility", "--protocol", PROTOCOL, "--electionCode", ELECTION,
                "--municipalityCode", "2801", "--applicationDate", "2010-06-21",
                *[item for name, value in criteria.items() for item in (f"--{name}", str(value))], "--json")
    assert check.returncode == 0, check.stderr
    answer = json.loads(check.stdout)
    assert answer["callSequenceId"] and answer["data"]["eligible"] is True
    assert answer["data"]["residence"]["municipality"]["code"] == "2801"
    number = register(clerk(rolls, "2801"), rolls, "2801", "example-3", "2010-06-21").data.roll_application
    documents = [item for code in ALL_DOCUMENTS for item in ("--document", code)]
    finalized = run(env, "finalizeRollApplication", "--protocol", PROTOCOL, "--applicationNumber",
                    number.application_number, "--protocolNumber", "77/2010", "--protocolDate", "2010-06-25",
                    "--completedOn", "2010-06-25", *documents, "--passportNumber", "P7654321", "--street", "ΑΘΗΝΑΣ",
                    "--electoralDistrict", "1ο", "--json")
    assert finalized.returncode == 0, finalized.stderr
    done = json.loads(finalized.stdout)["data"]
    assert done["status"] == "FINALIZED" and sorted(d["code"] for d in done["document"]) == sorted(ALL_DOCUMENTS)
    assert done["address"] == {"street": "ΑΘΗΝΑΣ", "number": None, "postal_code": None}
    again = run(env, "finalizeRollApplication", "--protocol", PROTOCOL, "--applicationNumber",
                number.application_number, "--protocolNumber", "78/2010", "--protocolDate", "2010-06-25", "--json")
    assert again.returncode == StateConflict.exit_code and json.loads(again.stdout)["code"] == "MP_STATE_CONFLICT"


def test_the_cli_has_the_lifecycle_operations(rolls: Rolls) -> None:
    """Issue 23 through the CLI: an unknown person's application rejected in writing, an objection out of
    time (its own exit code), and the directorate's final finalization (Grevena, 1501: no other test)."""
    clerk_env = client_env(rolls.running, rolls.account("1501"))
    unknown = ["--permitNumber", "EX-GRE-9999", "--surnamePrefix", "QQ", "--firstnamePrefix", "ZZ", "--birthYear",
               "1980"]
    written = run(clerk_env, "rejectUnmatchedRollApplication", "--protocol", PROTOCOL, "--electionCode", ELECTION,
                  "--applicationDate", "2010-06-10", "--protocolNumber", "12/2010", *unknown, "--json")
    assert written.returncode == 0, written.stderr
    data = json.loads(written.stdout)["data"]
    assert data["rejection_reason"] == "NOT_FOUND_IN_SYSTEM" and data["municipality"]["code"] == "1501"
    late = run(clerk_env, "lodgeRollObjection", "--protocol", PROTOCOL, "--revisionYear", "2010", "--revisionPeriod",
               "3", "--kind", "AGAINST_REGISTRATION", "--specialElectoralNumber", "2010000000017", "--objector", "Χ",
               "--grounds", "Ψ", "--lodgedOn", "2010-07-20", "--json")
    assert late.returncode == ObjectionOutOfTime.exit_code
    assert json.loads(late.stdout)["code"] == "MP_OBJECTION_OUT_OF_TIME"
    final = run(client_env(rolls.running, rolls.account()), "finalizeSpecialElectoralRoll", "--protocol", PROTOCOL,
                "--municipalityCode", "1501", "--revisionYear", "2010", "--revisionPeriod", "3", "--finalizedOn",
                "2010-07-15", "--json")
    assert final.returncode == 0, final.stderr
    assert json.loads(final.stdout)["data"]["entry_count"] == 0
