"""The client's civilStatusCertificates methods against the live provider and the demo dataset, and
one ``mitroo-client`` run of each kind with its JSON output parsed."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from consumer_client import Ambiguous, InvalidInput, MitrooClient, NotAuthorized
from consumer_client.civil_status_certificates import (
    BirthCertificate,
    CertificateVerification,
    MaritalStatusCertificate,
    RegistrationCertificate,
)
from tests import certificates_data as data
from tests.acts_data import Registry
from tests.conftest import USERS, Running
from tests.consumer_client.test_cli import client_env, run
from tests.consumer_client.test_client import make_client

PURPOSE = "Επίδομα θέρμανσης 2024"


@pytest.fixture()
def client(provider: Running, registry: Registry) -> MitrooClient:
    return make_client(provider.base_url)


@pytest.mark.parametrize("way", ["share", "amka"])
def test_a_family_as_on_a_past_date_then_verified(client: MitrooClient, registry: Registry, way: str) -> None:
    move = data.moved(registry)
    day = move.day - dt.timedelta(days=1)
    named = ({"municipality_code": move.municipality_code, "share_number": move.share_number} if way == "share"
             else {"amka": move.amka})
    reply = client.get_marital_status_certificate(protocol="ΑΠ 7/2026", purpose=PURPOSE, as_on_date=day, **named)
    certificate = reply.data
    assert isinstance(certificate, MaritalStatusCertificate) and certificate.header.as_on_date == day
    assert {(m.amka, m.membertype, m.deletereason, m.deletedate) for m in certificate.member} == data.composition(
        registry, move.share_id, day)
    check = client.verify_certificate(protocol="ΑΠ 7/2026", certificate_number=certificate.header.certificate_number)
    assert isinstance(check.data, CertificateVerification)
    assert (check.data.issued, check.data.purpose, check.data.as_on_date, check.data.agency_code) == (
        True, PURPOSE, day, "AADE")


def test_birth_and_registration_certificates(client: MitrooClient, registry: Registry) -> None:
    birth = data.joined(registry, "CHILD")
    born = client.get_birth_certificate(protocol="p", purpose="Εγγραφή σε σχολείο", amka=birth.amka).data
    assert isinstance(born, BirthCertificate) and born.person.amka == birth.amka
    assert born.birth_act is not None and [p.role for p in born.parent] == ["father", "mother"]
    registered = client.get_registration_certificate(protocol="p", purpose="Διορισμός", amka=birth.amka).data
    assert isinstance(registered, RegistrationCertificate) and registered.header.share_number == birth.share_number
    assert registered.person.gainmunrecdate == registered.person.registrationdate == birth.day


def test_errors_become_exceptions(client: MitrooClient, provider: Running, registry: Registry) -> None:
    with pytest.raises(InvalidInput, match="purpose"):
        client.get_birth_certificate(protocol="p", purpose=" ", amka=data.joined(registry, "CHILD").amka)
    original = registry.main_person(registry.namesake.original_act)
    with pytest.raises(Ambiguous):
        client.get_registration_certificate(protocol="p", purpose="Διορισμός", surname=original.surname,
                                            firstname=original.firstname, fathername=original.fathername,
                                            birthdate=original.birthdate)
    with pytest.raises(NotAuthorized):
        make_client(provider.base_url, USERS.death).verify_certificate(
            protocol="p", certificate_number="MS-2026-0000-0000-0000-0000")


def test_the_cli_fetches_and_verifies_as_json(provider: Running, registry: Registry) -> None:
    death = data.deletion(registry, "ΘΑΝΑΤΟΣ")
    env = client_env(provider)
    answer = run(env, "getMaritalStatusCertificate", "--protocol", "ΑΠ 9/2026", "--purpose", PURPOSE,
                 "--municipalityCode", death.municipality_code, "--shareNumber", str(death.share_number),
                 "--asOnDate", death.day.isoformat(), "--json")
    assert answer.returncode == 0, answer.stderr
    certificate = json.loads(answer.stdout)["data"]
    deceased = next(m for m in certificate["member"] if m["amka"] == death.amka)
    assert (deceased["deletereason"], deceased["deletedate"]) == ("ΘΑΝΑΤΟΣ", death.day.isoformat())
    number = certificate["header"]["certificate_number"]
    checked = run(env, "verifyCertificate", "--protocol", "ΑΠ 9/2026", "--certificateNumber", number, "--json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["data"]["issued"] is True
