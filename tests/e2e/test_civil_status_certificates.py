"""Every civilStatusCertificates operation through the whole pipeline, called with zeep over HTTP on
the demo dataset (SQLite and PostgreSQL): each way of naming the subject, asOnDate before and after
a marriage, a birth, a death and a move, a share with no living member, verifyCertificate, grants,
ambiguity, invalid input (tests/data/certificates/invalid-input.json), the audit's subjects and purpose."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from zeep import Client
from zeep.wsse.username import UsernameToken

from db.models import Certificate, Person
from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.registry.civil_status_certificates.criteria import NUMBER_PATTERN
from provider.synthetic.registry import make_amka
from tests import certificates_data as data
from tests.acts_data import Registry
from tests.conftest import PASSWORD, USERS, Running
from tests.e2e.test_civil_registry_acts import call, output, refused
from tests.support import audit_row, audit_subjects

SERVICE = "civilStatusCertificates"
OPERATIONS = ["getBirthCertificate", "getMaritalStatusCertificate", "getRegistrationCertificate", "verifyCertificate"]
INVALID = json.loads((Path(__file__).parents[1] / "data" / "certificates" / "invalid-input.json").read_text("utf-8"))
PURPOSE = "Επίδομα παιδιών έτους 2024"
DAY = dt.timedelta(days=1)
NOBODY = make_amka(dt.date(1901, 1, 1), "M", 0)  # valid, and nobody's: the registry's persons are younger


def certificates_client(provider: Running, username: str = USERS.aade) -> Client:
    return Client(f"{provider.url(SERVICE)}?wsdl", wsse=UsernameToken(username, PASSWORD))


@pytest.fixture(scope="module")
def client(provider: Running, registry: Registry) -> Client:
    return certificates_client(provider)


def person(registry: Registry, person_id: int, way: str) -> dict[str, Any]:
    with Session(registry.engine) as session:
        row = session.get(Person, person_id)
        assert row is not None
    if way == "amka":
        return {"amka": row.amka}
    return {"surname": row.surname.lower(), "firstname": row.firstname, "fathername": row.fathername,
            "birthdate": row.birthdate}


def family(client: Client, subject: dict[str, Any], day: dt.date | None = None) -> dict[str, Any]:
    answer = call(client, "getMaritalStatusCertificate", purpose=PURPOSE, asOnDate=day, **subject)
    return output(answer, "getMaritalStatusCertificate")


def by_share(event: data.Event) -> dict[str, Any]:
    return {"shareReference": {"municipalityCode": event.municipality_code, "shareNumber": event.share_number}}


# -- naming the subject ---------------------------------------------------------------------------


@pytest.mark.parametrize("way", ["share", "amka", "name"])
def test_family_status_by_each_way_of_naming_the_share(client: Client, registry: Registry, way: str) -> None:
    birth = data.joined(registry, "CHILD")
    subject = by_share(birth) if way == "share" else {"person": person(registry, birth.person_id, way)}
    certificate = family(client, subject)
    header = certificate["header"]
    assert (header["municipalityCode"], header["shareNumber"]) == (birth.municipality_code, birth.share_number)
    assert header["purpose"] == PURPOSE and header["certificateType"] == "MARITAL_STATUS"
    assert header["asOnDate"] == dt.date.today() or (dt.date.today() - header["asOnDate"]).days <= 1
    assert NUMBER_PATTERN.match(header["certificateNumber"])
    assert data.listed(certificate) == data.composition(registry, birth.share_id, header["asOnDate"])
    assert [m["membertype"] for m in certificate["member"]][0] == "HEAD"


@pytest.mark.parametrize("way", ["amka", "name"])
def test_birth_certificate(client: Client, registry: Registry, way: str) -> None:
    birth = data.joined(registry, "CHILD")
    answer = output(call(client, "getBirthCertificate", person=person(registry, birth.person_id, way),
                         purpose="Εγγραφή σε σχολείο"), "getBirthCertificate")
    act_id = registry.scalars("SELECT a.id FROM civil_acts a JOIN act_parties p ON p.act_id = a.id WHERE "
                              "p.person_id = :p AND p.role = 'child' AND a.status <> 'annulled'", p=birth.person_id)[0]
    reference = registry.reference(act_id)
    act = answer["birthAct"]
    assert {k: act[k] for k in reference} == reference
    assert answer["person"]["amka"] == birth.amka
    parents = registry.scalars("SELECT q.amka FROM act_parties p JOIN persons q ON q.id = p.person_id "
                               "WHERE p.act_id = :a AND p.role IN ('father', 'mother') ORDER BY p.id", a=act_id)
    assert [p["amka"] for p in answer["parent"]] == parents and [p["role"] for p in answer["parent"]] == ["father",
                                                                                                         "mother"]
    assert (answer["header"]["municipalityCode"], answer["header"]["shareNumber"]) == (
        birth.municipality_code, birth.share_number)


@pytest.mark.parametrize("way", ["amka", "name"])
def test_registration_certificate_after_a_move(client: Client, registry: Registry, way: str) -> None:
    move = data.moved(registry)
    answer = output(call(client, "getRegistrationCertificate", person=person(registry, move.person_id, way),
                         purpose="Διορισμός"), "getRegistrationCertificate")
    registered = answer["person"]
    assert answer["header"]["municipalityCode"] != move.municipality_code  # the new municipality
    assert registered["gainmunrecdate"] == registered["registrationdate"] == move.day
    assert registered["deletereason"] is None


def test_registration_certificate_of_a_naturalised_citizen(client: Client, registry: Registry) -> None:
    person_id = data.naturalised(registry)
    answer = output(call(client, "getRegistrationCertificate", person=person(registry, person_id, "amka"),
                         purpose="Διορισμός"), "getRegistrationCertificate")["person"]
    with Session(registry.engine) as session:
        row = session.get(Person, person_id)
        assert row is not None
        assert (answer["grnatgaindate"], answer["mainnationality"], answer["eklspecialno"]) == (
            row.grnatgaindate, "GR", row.eklspecialno)
    assert answer["grnatgaindate"] is not None


# -- asOnDate -------------------------------------------------------------------------------------

SCENARIOS = {
    "birth": lambda registry: data.joined(registry, "CHILD"),
    "marriage": lambda registry: data.joined(registry, "SPOUSE"),
    "death": lambda registry: data.deletion(registry, "ΘΑΝΑΤΟΣ"),
    "move": data.moved,
    "leaving-at-marriage": lambda registry: data.deletion(registry, "ΓΑΜΟΣ", others_stay=False),
}


@pytest.mark.parametrize("when", ["before", "on"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_as_on_date_before_and_after_an_event(client: Client, registry: Registry, scenario: str, when: str) -> None:
    event = SCENARIOS[scenario](registry)
    day = event.day - DAY if when == "before" else event.day
    certificate = family(client, by_share(event), day)
    assert certificate["header"]["asOnDate"] == day
    assert data.listed(certificate) == data.composition(registry, event.share_id, day)
    shown = {m["amka"]: m for m in certificate["member"]}
    if scenario in ("birth", "marriage"):  # joined on the day: left out before it
        assert (event.amka in shown) == (when == "on")
        if scenario == "marriage" and when == "on":
            assert shown[event.amka]["marriagerank"] == 2 and shown[event.amka]["marriageactno"] is not None
    else:  # deleted on the day: still a member before it, then listed with the reason and date
        expected = {"death": "ΘΑΝΑΤΟΣ", "move": "ΜΕΤΑΔΗΜΟΤΕΥΣΗ", "leaving-at-marriage": "ΓΑΜΟΣ"}[scenario]
        member = shown[event.amka]
        deleted = (expected, event.day) if when == "on" else (None, None)
        assert (member["deletereason"], member["deletedate"]) == deleted


def test_a_person_named_as_on_a_date_finds_the_share_of_that_date(client: Client, registry: Registry) -> None:
    move = data.moved(registry)
    before = family(client, {"person": {"amka": move.amka}}, move.day - DAY)["header"]
    after = family(client, {"person": {"amka": move.amka}}, move.day)["header"]
    assert (before["municipalityCode"], before["shareNumber"]) == (move.municipality_code, move.share_number)
    assert after["municipalityCode"] != move.municipality_code


def test_a_share_with_no_living_member_still_answers(client: Client, registry: Registry) -> None:
    event = data.share_without_living_members(registry)
    certificate = family(client, by_share(event))
    assert certificate["member"] and all(m["deletereason"] for m in certificate["member"])


def test_before_the_share_existed_is_not_found(client: Client, registry: Registry) -> None:
    move = data.moved(registry)
    new_share = family(client, {"person": {"amka": move.amka}}, move.day)["header"]
    subject = {"shareReference": {"municipalityCode": new_share["municipalityCode"],
                                  "shareNumber": new_share["shareNumber"]}}
    answer = call(client, "getMaritalStatusCertificate", purpose=PURPOSE, asOnDate=move.day - DAY, **subject)
    assert "συστάθηκε" in refused(answer, "getMaritalStatusCertificate", "MP_NOT_FOUND")


@pytest.mark.parametrize(("subject", "words"), [
    ({"shareReference": {"municipalityCode": "9999", "shareNumber": 1}}, "δήμος με κωδικό '9999'"),
    ({"shareReference": {"municipalityCode": "4501", "shareNumber": 999999}}, "μερίδα 999999"),
    ({"person": {"amka": NOBODY}}, f"ΑΜΚΑ {NOBODY}"),
])
def test_not_found(client: Client, subject: dict[str, Any], words: str) -> None:
    answer = call(client, "getMaritalStatusCertificate", purpose=PURPOSE, **subject)
    assert words in refused(answer, "getMaritalStatusCertificate", "MP_NOT_FOUND")


# -- verifyCertificate ----------------------------------------------------------------------------


def test_verify_an_issued_number_and_an_unknown_one(client: Client, registry: Registry, provider: Running) -> None:
    birth = data.joined(registry, "CHILD")
    issued = family(client, {"person": {"amka": birth.amka}}, birth.day)["header"]
    number = issued["certificateNumber"]
    answer = output(call(client, "verifyCertificate", certificateNumber=number.lower()), "verifyCertificate")
    with Session(provider.engine) as session:
        stored = session.query(Certificate).filter_by(number=number).one()
        head = session.get(Person, stored.subject_person_id)
    assert head is not None and head.id == birth.person_id
    assert answer["issued"] is True and answer["certificateNumber"] == number
    assert (answer["certificateType"], answer["agencyCode"], answer["purpose"], answer["asOnDate"]) == (
        "MARITAL_STATUS", "AADE", PURPOSE, birth.day)
    assert answer["issuedAt"] == issued["issuedAt"] and answer["contentDigest"] == stored.content_digest
    assert answer["subjectAmka"] == "*" * 8 + birth.amka[-3:]
    assert answer["subjectName"] == " ".join(w[0] + "*" * (len(w) - 1) for w in (head.firstname, head.surname))
    unknown = output(call(client, "verifyCertificate", certificateNumber="MS-2026-0000-0000-0000-0000"),
                     "verifyCertificate")
    assert unknown["issued"] is False and unknown["agencyCode"] is None and unknown["purpose"] is None


def test_numbers_are_unique(client: Client, registry: Registry) -> None:
    birth = data.joined(registry, "CHILD")
    numbers = {family(client, {"person": {"amka": birth.amka}})["header"]["certificateNumber"] for _ in range(3)}
    assert len(numbers) == 3


# -- grants, ambiguity, input ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def birth_only(provider: Running) -> Iterator[Client]:
    """An agency of its own granted getBirthCertificate only (like the first grant of MINEDU)."""
    with Session(provider.engine) as session, session.begin():
        admin.add_agency(session, code="TBIRTHCERT", name="Δοκιμαστικός φορέας πιστοποιητικών γέννησης",
                         legal_basis="test", status="production", systems=("SYS",))
        session.flush()
        admin.add_grant(session, "TBIRTHCERT", SERVICE, ("getBirthCertificate",), "δοκιμές", "test act")
        admin.add_user(session, CredentialKey(provider.database.key_file), username="t-birthcert",
                       agency_code="TBIRTHCERT", system_code="SYS", password=PASSWORD)
    yield certificates_client(provider, "t-birthcert")


def test_grants_are_per_operation(birth_only: Client, provider: Running, registry: Registry) -> None:
    amka = data.joined(registry, "CHILD").amka
    assert output(call(birth_only, "allowedMethods"), "allowedMethods")["method"] == [
        "allowedMethods", "getBirthCertificate", "listMethods"]
    output(call(birth_only, "getBirthCertificate", person={"amka": amka}, purpose="Εγγραφή"), "getBirthCertificate")
    refused(call(birth_only, "getMaritalStatusCertificate", person={"amka": amka}, purpose=PURPOSE),
            "getMaritalStatusCertificate", "MP_NOT_AUTHORIZED")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_agency_without_a_certificates_grant_is_refused(provider: Running, registry: Registry,
                                                           operation: str) -> None:
    record = ({"certificateNumber": "MS-2026-0000-0000-0000-0000"} if operation == "verifyCertificate"
              else {"person": {"amka": data.joined(registry, "CHILD").amka}, "purpose": PURPOSE})
    answer = call(certificates_client(provider, USERS.death), operation, **record)
    assert "TDEATH" in refused(answer, operation, "MP_NOT_AUTHORIZED")
    row = audit_row(provider.engine, answer.callSequenceId)
    assert row.outcome == "MP_NOT_AUTHORIZED" and audit_subjects(provider.engine, row.id) == set()


@pytest.mark.parametrize("operation", OPERATIONS[:3])
def test_namesakes_are_ambiguous_unless_mothername_tells_them_apart(client: Client, registry: Registry,
                                                                    operation: str) -> None:
    names = person(registry, registry.namesake.original, "name")
    refused(call(client, operation, person=names, purpose=PURPOSE), operation, "MP_AMBIGUOUS")
    with Session(registry.engine) as session:
        original = session.get(Person, registry.namesake.original)
        assert original is not None
    answer = output(call(client, operation, person={**names, "mothername": original.mothername}, purpose=PURPOSE),
                    operation)
    shown = [m["amka"] for m in answer["member"]] if "member" in answer else [answer["person"]["amka"]]
    assert original.amka in shown


def _input(case: dict[str, Any]) -> dict[str, Any]:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    text = json.dumps(case["input"], ensure_ascii=False).replace('"FUTURE"', f'"{future}"')
    record = json.loads(text.replace('"LONG"', json.dumps("σ" * 301)))

    def dates(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dt.date.fromisoformat(v) if k in ("birthdate", "asOnDate") else dates(v)
                    for k, v in value.items()}
        return value

    return dates(record)


@pytest.mark.parametrize("case", INVALID["cases"], ids=lambda case: case["id"])
def test_invalid_input_names_the_field(client: Client, provider: Running, case: dict[str, Any]) -> None:
    answer = call(client, case["operation"], **_input(case))
    described = refused(answer, case["operation"], "MP_INVALID_INPUT")
    assert described.split(": ", 1)[1].startswith(f"{case['field']}: "), described
    assert "Traceback" not in described


# -- audit ----------------------------------------------------------------------------------------


def test_every_listed_member_is_a_subject_and_the_purpose_is_audited(client: Client, provider: Running,
                                                                     registry: Registry) -> None:
    death = data.deletion(registry, "ΘΑΝΑΤΟΣ")
    answer = call(client, "getMaritalStatusCertificate", purpose=f"  {PURPOSE}  ", **by_share(death))
    certificate = output(answer, "getMaritalStatusCertificate")
    row = audit_row(provider.engine, answer.callSequenceId)
    assert row.outcome == "OK" and row.purpose == PURPOSE
    expected = data.member_ids(registry, death.share_id, certificate["header"]["asOnDate"])
    assert audit_subjects(provider.engine, row.id) == expected and len(expected) == len(certificate["member"])


def test_a_refused_call_keeps_its_purpose_but_no_subjects(client: Client, provider: Running) -> None:
    answer = call(client, "getRegistrationCertificate", person={"amka": "28058460538"}, purpose="Διορισμός")
    refused(answer, "getRegistrationCertificate", "MP_INVALID_INPUT")
    row = audit_row(provider.engine, answer.callSequenceId)
    assert (row.outcome, row.purpose) == ("MP_INVALID_INPUT", "Διορισμός")
    assert audit_subjects(provider.engine, row.id) == set()


def test_birth_certificate_subjects_are_the_person_and_parents_in_the_registry(client: Client, provider: Running,
                                                                               registry: Registry) -> None:
    birth = data.joined(registry, "CHILD")
    answer = call(client, "getBirthCertificate", person={"amka": birth.amka}, purpose="Εγγραφή σε σχολείο")
    certificate = output(answer, "getBirthCertificate")
    amkas = {certificate["person"]["amka"], *(p["amka"] for p in certificate["parent"])}
    ids = {registry.scalars("SELECT id FROM persons WHERE amka = :a", a=amka)[0] for amka in amkas}
    assert audit_subjects(provider.engine, audit_row(provider.engine, answer.callSequenceId).id) == ids
