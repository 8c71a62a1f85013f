"""Every civilRegistryActs operation through the whole pipeline, called with zeep over HTTP on the
demo dataset (SQLite and PostgreSQL): both ways of naming an act, each act type with its marginal
notes, acts abroad, annulled acts, ambiguity, not found, grants and the audit's data subjects.
The input rules (MP_INVALID_INPUT) are in test_civil_registry_acts_input.py."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from zeep import Client
from zeep.wsse.username import UsernameToken

from tests.acts_data import OPERATION, Registry
from tests.conftest import PASSWORD, USERS, Running
from tests.support import as_dict, audit_record, audit_row, audit_subjects

SERVICE = "civilRegistryActs"
ALL_OPERATIONS = ["getBirthAct", "getCivilPartnershipAct", "getDeathAct", "getMarriageAct", "searchActs"]


def acts_client(provider: Running, username: str = USERS.aade) -> Client:
    return Client(f"{provider.url(SERVICE)}?wsdl", wsse=UsernameToken(username, PASSWORD))


@pytest.fixture(scope="module")
def client(provider: Running, registry: Registry) -> Client:
    return acts_client(provider)


def call(client: Client, operation: str, **input_record: Any) -> Any:
    return getattr(client.service, operation)(auditRecord=audit_record(), **{f"{operation}InputRecord": input_record})


def output(answer: Any, operation: str) -> Any:
    assert answer.errorRecord is None or answer.errorRecord.errorCode is None, answer.errorRecord
    return as_dict(getattr(answer, f"{operation}OutputRecord"))


def refused(answer: Any, operation: str, code: str) -> str:
    assert answer.errorRecord.errorCode == code, answer.errorRecord
    assert getattr(answer, f"{operation}OutputRecord") is None
    return answer.errorRecord.errorDescr


def person_by(registry: Registry, act_id: int, way: str) -> dict[str, Any]:
    """How an integrator names the act's main party: by AMKA, or by the name set as typed (lower case)."""
    person = registry.main_person(act_id)
    if way == "amka":
        return {"amka": person.amka}
    return {"surname": person.surname.lower(), "firstname": person.firstname.lower(),
            "fathername": person.fathername.lower(), "birthdate": person.birthdate}


def named(registry: Registry, act_id: int, way: str) -> dict[str, Any]:
    if way == "reference":
        return {"actReference": registry.reference(act_id)}
    return {"person": person_by(registry, act_id, way)}


CASES = [
    pytest.param("BIRTH", {"note": "correction"}, id="birth-corrected"),
    pytest.param("BIRTH", {"note": "recognition"}, id="birth-recognition"),
    pytest.param("BIRTH", {"note": "name_change"}, id="birth-name-change"),
    pytest.param("BIRTH", {"by_volume": True, "abroad": False}, id="birth-office-with-volumes"),
    pytest.param("BIRTH", {"abroad": True}, id="birth-abroad"),
    pytest.param("DEATH", {"note": "correction"}, id="death-corrected"),
    pytest.param("DEATH", {"abroad": True}, id="death-abroad"),
    pytest.param("MARRIAGE", {"note": "divorce"}, id="marriage-divorce"),
    pytest.param("MARRIAGE", {"abroad": True}, id="marriage-abroad"),
    pytest.param("PARTNERSHIP", {"note": "dissolution"}, id="partnership-dissolution"),
]


@pytest.mark.parametrize("way", ["reference", "amka", "name"])
@pytest.mark.parametrize(("act_type", "traits"), CASES)
def test_the_whole_act_by_reference_or_by_person(client: Client, provider: Running, registry: Registry,
                                                 act_type: str, traits: dict[str, Any], way: str) -> None:
    act_id = registry.find(act_type, **traits)
    operation = OPERATION[act_type]
    answer = call(client, operation, **named(registry, act_id, way))
    act = output(answer, operation)
    assert act == registry.expected(act_id)
    if traits.get("note"):
        assert traits["note"] in [note["kind"] for note in act["marginalNote"]]
    if traits.get("abroad"):
        assert act["event"]["municipalityCode"] is None and act["event"]["countryCode"] != "GR"
        assert act["header"]["registryOfficeCode"] == "LEIDIKO"
    row = audit_row(provider.engine, answer.callSequenceId)
    assert (row.service, row.operation, row.outcome) == (SERVICE, operation, "OK")
    assert audit_subjects(provider.engine, row.id) == registry.person_ids(act_id)


def test_an_annulled_act_still_answers_with_its_status(client: Client, registry: Registry) -> None:
    act_id = registry.find("BIRTH", status="annulled")
    act = output(call(client, "getBirthAct", actReference=registry.reference(act_id)), "getBirthAct")
    assert act == registry.expected(act_id)
    assert act["header"]["status"] == "annulled" and act["marginalNote"][-1]["kind"] == "annulment"


def test_a_person_with_an_annulled_duplicate_is_ambiguous_and_search_lists_both(
        client: Client, provider: Running, registry: Registry) -> None:
    annulled = registry.find("BIRTH", status="annulled")
    person = person_by(registry, annulled, "amka")
    answer = call(client, "getBirthAct", person=person)
    assert "2 πράξεις" in refused(answer, "getBirthAct", "MP_AMBIGUOUS")
    row = audit_row(provider.engine, answer.callSequenceId)
    assert row.outcome == "MP_AMBIGUOUS" and audit_subjects(provider.engine, row.id) == set()
    found = output(call(client, "searchActs", person=person, actType="BIRTH"), "searchActs")
    child = registry.main_person(annulled)
    name = f"{child.firstname} {child.surname}"
    own = [a["header"]["status"] for a in found["act"] if a["mainParty"][0]["fullName"] == name]
    assert sorted(own) == ["active", "annulled"]  # besides the births of their children, if any


def test_namesakes_are_ambiguous_by_name_and_told_apart_by_mothername(client: Client, registry: Registry) -> None:
    namesake = registry.namesake
    person = person_by(registry, namesake.original_act, "name")
    refused(call(client, "getBirthAct", person=person), "getBirthAct", "MP_AMBIGUOUS")
    for act_id in (namesake.original_act, namesake.twin_act):
        mothername = next(p["mothername"] for p in registry.expected(act_id)["party"] if p["role"] == "child")
        act = output(call(client, "getBirthAct", person={**person, "mothername": mothername}), "getBirthAct")
        assert act == registry.expected(act_id)


def _amka_of_nobody(registry: Registry) -> str:
    from provider.synthetic.registry import make_amka

    used = set(registry.scalars("SELECT amka FROM persons"))
    return next(a for a in (make_amka(dt.date(1950, 1, 1), "F", n) for n in range(5000)) if a not in used)


@pytest.mark.parametrize("case", ["unknown-office", "no-such-number", "unknown-amka", "no-act-of-that-type"])
def test_not_found(client: Client, registry: Registry, case: str) -> None:
    act_id = registry.find("MARRIAGE", note="divorce")
    reference = registry.reference(act_id)
    operation, record = {
        "unknown-office": ("getMarriageAct", {"actReference": {**reference, "registryOfficeCode": "L9999"}}),
        "no-such-number": ("getMarriageAct", {"actReference": {**reference, "actNumber": 9999}}),
        "unknown-amka": ("getMarriageAct", {"person": {"amka": _amka_of_nobody(registry)}}),
        "no-act-of-that-type": ("getCivilPartnershipAct", {"person": person_by(registry, act_id, "amka")}),
    }[case]
    refused(call(client, operation, **record), operation, "MP_NOT_FOUND")


# -- searchActs -----------------------------------------------------------------------------------


def _order(act: dict[str, Any]) -> tuple[Any, ...]:
    h = act["header"]
    return h["year"], h["registrationDate"], h["actType"], h["registryOfficeCode"], h["volume"] or 0, h["actNumber"]


def test_search_by_person_lists_every_act_naming_them(client: Client, provider: Running, registry: Registry) -> None:
    act_id = registry.find("MARRIAGE", note="divorce")
    person = registry.main_person(act_id)
    answer = call(client, "searchActs", person={"amka": person.amka})
    found = output(answer, "searchActs")
    assert found["truncated"] is False
    assert len(found["act"]) == len(registry.acts_of(person.id)) > 1  # the marriage and the children's births
    assert [_order(a) for a in found["act"]] == sorted(_order(a) for a in found["act"])
    marriage = next(a for a in found["act"] if a["header"] == registry.expected(act_id)["header"])
    spouses = registry.expected(act_id)["party"]
    assert marriage["mainParty"] == [{k: p[k] for k in ("role", "fullName", "fullNameLatin")} for p in spouses]
    main_parties = registry.scalars(
        "SELECT person_id FROM act_parties WHERE role IN ('child', 'deceased', 'spouse', 'partner') AND act_id IN "
        "(SELECT act_id FROM act_parties WHERE person_id = :p)", p=person.id)
    subjects = audit_subjects(provider.engine, audit_row(provider.engine, answer.callSequenceId).id)
    assert subjects == set(main_parties) | {person.id}


def _busiest_office(registry: Registry) -> tuple[str, int]:
    with registry.engine.connect() as connection:
        return connection.execute(text(
            "SELECT o.code, count(*) FROM civil_acts a JOIN registry_offices o ON o.id = a.registry_office_id "
            "GROUP BY o.code ORDER BY count(*) DESC, o.code LIMIT 1")).one()


def test_search_by_office_and_years_is_sorted_and_capped(client: Client, registry: Registry) -> None:
    office, count = _busiest_office(registry)
    assert count > 50
    every = {"registryOfficeCode": office, "yearFrom": 1900, "yearTo": dt.date.today().year}
    capped = output(call(client, "searchActs", **every), "searchActs")
    assert len(capped["act"]) == 50 and capped["truncated"] is True  # maxResults defaults to 50
    whole = output(call(client, "searchActs", **every, maxResults=500), "searchActs")
    assert len(whole["act"]) == count and whole["truncated"] is False
    assert whole["act"][:50] == capped["act"]
    assert [_order(a) for a in whole["act"]] == sorted(_order(a) for a in whole["act"])
    assert {a["header"]["registryOfficeCode"] for a in whole["act"]} == {office}
    births_there = [a for a in whole["act"] if a["header"]["actType"] == "BIRTH"]
    year = births_there[len(births_there) // 2]["header"]["year"]  # a year with births there
    births = output(call(client, "searchActs", registryOfficeCode=office.lower(), yearFrom=year, yearTo=year,
                         actType="birth"), "searchActs")
    expected = [a for a in whole["act"] if a["header"]["year"] == year and a["header"]["actType"] == "BIRTH"]
    assert births["act"] == expected


def test_search_finding_nothing_is_not_found(client: Client) -> None:
    refused(call(client, "searchActs", registryOfficeCode="L4501", yearFrom=1901, yearTo=1902), "searchActs",
            "MP_NOT_FOUND")


# -- grants ---------------------------------------------------------------------------------------


def test_an_agency_granted_death_acts_only_is_refused_births(provider: Running, registry: Registry) -> None:
    client = acts_client(provider, USERS.death)
    assert output(call(client, "allowedMethods"), "allowedMethods")["method"] == [
        "allowedMethods", "getDeathAct", "listMethods"]
    death = registry.find("DEATH", note="correction")
    assert output(call(client, "getDeathAct", actReference=registry.reference(death)), "getDeathAct")
    for operation, act_id in (("getBirthAct", registry.find("BIRTH", note="correction")), ("searchActs", None)):
        record = {"actReference": registry.reference(act_id)} if act_id else {"person": person_by(registry, death, "amka")}
        answer = call(client, operation, **record)
        assert "TDEATH" in refused(answer, operation, "MP_NOT_AUTHORIZED")
        row = audit_row(provider.engine, answer.callSequenceId)
        assert row.outcome == "MP_NOT_AUTHORIZED" and audit_subjects(provider.engine, row.id) == set()


def test_list_and_allowed_methods(client: Client, provider: Running) -> None:
    methods = sorted([*ALL_OPERATIONS, "allowedMethods", "listMethods"])
    assert output(call(client, "listMethods"), "listMethods")["method"] == methods
    assert output(call(client, "allowedMethods"), "allowedMethods")["method"] == methods  # AADE: every act
    nogrant = acts_client(provider, USERS.nogrant)
    assert output(call(nogrant, "allowedMethods"), "allowedMethods")["method"] == ["allowedMethods", "listMethods"]
