"""provider.registry.civil_status_certificates.queries and provider.registry.civil_status_certificates.register
at the domain layer: every way of naming a certificate's subject, and verifying a number, runs on indexes (the
database's own EXPLAIN of the statements really executed, as in test_acts.py); numbers, masking and the content digest."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import Person
from provider.errors import MitrooError
from provider.registry.civil_registry_acts.criteria import PersonCriteria
from provider.registry.civil_status_certificates import (
    queries as certificates,
)
from provider.registry.civil_status_certificates import (
    register as certificate_register,
)
from provider.registry.civil_status_certificates.criteria import (
    NUMBER_PATTERN,
    CertificateRequest,
    ShareReference,
    check_number,
)
from tests import certificates_data as data
from tests.acts_data import Registry
from tests.provider.registry.civil_registry_acts.test_queries import assert_indexed, captured_selects

TABLES = ("persons", "family_shares", "family_share_members", "act_parties", "civil_acts", "municipalities",
          "certificates", "audit_events")
TODAY = dt.date.today()
ISSUANCE = certificate_register.Issuance(str(uuid.uuid4()), dt.datetime.now(dt.UTC), "AADE")


def _ways(registry: Registry) -> dict[str, tuple[Callable[[Session], Any], list[str]]]:
    move = data.moved(registry)
    with Session(registry.engine) as session:
        person = session.get(Person, move.person_id)
        assert person is not None
    share = CertificateRequest("σκοπός", share=ShareReference(move.municipality_code, move.share_number))
    amka = CertificateRequest("σκοπός", person=PersonCriteria(amka=person.amka))
    name = CertificateRequest("σκοπός", person=PersonCriteria(surname=person.surname, firstname=person.firstname,
                                                             fathername=person.fathername, birthdate=person.birthdate))
    past = dataclasses.replace(amka, as_on_date=move.day - dt.timedelta(days=1))
    members = ["ix_family_share_members_share_id", "ix_act_parties_person_id"]
    return {
        "share": (lambda s: certificates.marital_status_certificate(s, share, TODAY, ISSUANCE),
                  ["uq_family_shares_municipality_id|uq_municipalities_code|(code=?)", *members]),
        "amka": (lambda s: certificates.marital_status_certificate(s, amka, TODAY, ISSUANCE),
                 ["uq_persons_amka|(amka=?)", "ix_family_share_members_person_id", *members]),
        "name": (lambda s: certificates.marital_status_certificate(s, name, TODAY, ISSUANCE),
                 ["ix_persons_name_birthdate", "ix_family_share_members_person_id", *members]),
        "amka-as-on-a-past-date": (lambda s: certificates.marital_status_certificate(s, past, TODAY, ISSUANCE),
                                   ["ix_family_share_members_person_id", *members]),
        "birth": (lambda s: certificates.birth_certificate(s, amka, TODAY, ISSUANCE), ["ix_act_parties_person_id"]),
        "registration": (lambda s: certificates.registration_certificate(s, amka, TODAY, ISSUANCE),
                         ["ix_family_share_members_person_id"]),
        "verify": (lambda s: certificate_register.verify(s, "MS-2026-0000-0000-0000-0000"),
                   ["uq_certificates_number|(number=?)"]),
    }


@pytest.mark.parametrize("way", ["share", "amka", "name", "amka-as-on-a-past-date", "birth", "registration", "verify"])
def test_every_lookup_is_indexed(registry: Registry, way: str) -> None:
    lookup, indexes = _ways(registry)[way]
    assert_indexed(registry.engine, lookup, indexes, TABLES)


def test_a_family_status_by_amka_reads_in_two_statements(registry: Registry) -> None:
    """The person with their memberships, then the share's members with their marriages and partnerships."""
    request = CertificateRequest("σκοπός", person=PersonCriteria(amka=data.joined(registry, "CHILD").amka))
    with captured_selects(registry.engine) as statements, Session(registry.engine) as session:
        certificate = certificates.marital_status_certificate(session, request, TODAY, ISSUANCE)
    assert len(statements) == 2, statements
    assert len(certificate.members) > 1


def test_numbers_have_their_form_and_are_not_sequential() -> None:
    numbers = [certificate_register.new_number("MARITAL_STATUS", ISSUANCE.issued_at) for _ in range(200)]
    assert all(NUMBER_PATTERN.match(number) for number in numbers) and len(set(numbers)) == 200
    assert check_number(f"  {numbers[0].lower()} ") == numbers[0]
    with pytest.raises(MitrooError, match="certificateNumber"):
        check_number("MS-2026-ILOU-0000-0000-0000")  # I, L, O, U are not Crockford digits


@pytest.mark.parametrize(("name", "masked"), [("ΔΡΟΣΟΣ ΡΑΦΙΟΣ", "Δ***** Ρ*****"), ("ΙΩ ΑΝ", "Ι* Α*")])
def test_masking(name: str, masked: str) -> None:
    assert certificate_register.mask_name(name) == masked
    assert certificate_register.mask_amka("28058460537") == "********537"


def test_the_digest_covers_the_published_content_only(registry: Registry) -> None:
    request = CertificateRequest("σκοπός", person=PersonCriteria(amka=data.joined(registry, "CHILD").amka))
    with Session(registry.engine) as session:
        certificate = certificates.marital_status_certificate(session, request, TODAY, ISSUANCE)
    digest = certificate_register.content_digest(certificate)
    renumbered = dataclasses.replace(certificate, members=tuple(
        dataclasses.replace(m, person_id=m.person_id + 1) for m in certificate.members))
    assert certificate_register.content_digest(renumbered) == digest  # internal ids are not published
    renamed = dataclasses.replace(certificate, header=dataclasses.replace(certificate.header, purpose="άλλος"))
    assert certificate_register.content_digest(renamed) != digest


def test_the_digest_is_that_of_the_canonical_json_of_the_published_content(registry: Registry) -> None:
    """Stored certificates were digested over the JSON of ``dataclasses.asdict`` less the person ids: a
    faster walk must give the same digest, or verifying an older certificate would fail."""
    request = CertificateRequest("σκοπός", person=PersonCriteria(amka=data.joined(registry, "CHILD").amka))
    with Session(registry.engine) as session:
        certificate = certificates.marital_status_certificate(session, request, TODAY, ISSUANCE)

    def published(value: object) -> object:
        if isinstance(value, dict):
            return {k: published(v) for k, v in value.items() if k != "person_id"}
        return [published(v) for v in value] if isinstance(value, (list, tuple)) else value

    content = json.dumps(published(dataclasses.asdict(certificate)), sort_keys=True, ensure_ascii=False, default=str,
                         separators=(",", ":"))
    assert '"person_id"' not in content and certificate.members[0].surname in content
    assert certificate_register.content_digest(certificate) == hashlib.sha256(content.encode()).hexdigest()
