"""The register of issued certificates: numbering, storing and verifying (plain Python).

A certificate number is its kind (MS family status, BC birth, RC registration), the year of issue
and 80 random bits from ``secrets`` in Crockford's base32 (``MS-2026-7K3Q-9ZPX-4M2D-HT6W``): unique
(a unique index; a collision, about 2^-80, is drawn again) and not guessable from any other number.
Each issued certificate is stored with its time, agency, purpose, as-on date, the persons it lists
and the SHA-256 of its content. It counts as issued only once the call that issued it is in the
audit log with outcome OK: a certificate whose answer was never released (the audit write failed)
does not verify.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Agency, AuditEvent, Certificate, CertificateSubject, Person
from provider.registry.civil_registry_acts.criteria import REGISTRY_ZONE
from provider.registry.civil_status_certificates.criteria import CROCKFORD, KIND_PREFIX, check_number

KIND_NAMES = {
    "MARITAL_STATUS": "Πιστοποιητικό Οικογενειακής Κατάστασης",
    "BIRTH": "Πιστοποιητικό Γέννησης",
    "REGISTRATION": "Πιστοποιητικό Εγγραφής",
}
_ATTEMPTS = 3

class Listing(Protocol):
    """A certificate: it says which persons it lists."""

    @property
    def subjects(self) -> frozenset[int]: ...


C = TypeVar("C", bound=Listing)


@dataclass(frozen=True)
class Issuance:
    """The call issuing a certificate."""

    call_sequence_id: str
    issued_at: dt.datetime
    agency_code: str


@dataclass(frozen=True)
class CertificateHeader:
    certificate_number: str
    certificate_type: str  # MARITAL_STATUS | BIRTH | REGISTRATION
    issued_at: dt.datetime
    municipality_code: str  # the issuing municipality: the share's
    municipality_name: str
    share_number: int
    purpose: str
    as_on_date: dt.date


@dataclass(frozen=True)
class Verification:
    issued: bool
    certificate_number: str
    certificate_type: str | None = None
    issued_at: dt.datetime | None = None
    agency_code: str | None = None
    agency_name: str | None = None
    purpose: str | None = None
    as_on_date: dt.date | None = None
    subject_name: str | None = None  # masked
    subject_amka: str | None = None  # masked
    content_digest: str | None = None
    subject_person_id: int | None = None  # internal, for the audit


def new_number(kind: str, issued_at: dt.datetime) -> str:
    bits = secrets.randbits(80)
    chars = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(75, -1, -5))
    year = issued_at.astimezone(REGISTRY_ZONE).year
    return f"{KIND_PREFIX[kind]}-{year}-" + "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def content_digest(certificate: Any) -> str:
    """SHA-256 of the certificate's published content (canonical JSON; internal person ids left out)."""
    def published(value: Any) -> Any:  # dataclasses.asdict without its deep copies, person ids left out
        if dataclasses.is_dataclass(value):
            return {f.name: published(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "person_id"}
        if isinstance(value, dict):
            return {k: published(v) for k, v in value.items() if k != "person_id"}
        if isinstance(value, (list, tuple)):
            return [published(v) for v in value]
        return value

    content = published(certificate)
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


_CERTIFICATES, _SUBJECTS = Certificate.__table__, CertificateSubject.__table__
_INSERT_CERTIFICATE = insert(_CERTIFICATES).returning(_CERTIFICATES.c.id)
_INSERT_SUBJECTS = insert(_SUBJECTS)


def issue(session: Session, issuance: Issuance, kind: str, header: dict[str, Any], subject_person_id: int,
          build: Callable[[CertificateHeader], C]) -> C:
    """Number the certificate ``build`` makes from its header, store it, commit, and return it."""
    for attempt in range(_ATTEMPTS):
        number = new_number(kind, issuance.issued_at)
        certificate = build(CertificateHeader(number, kind, issuance.issued_at, **header))
        try:
            certificate_id = session.execute(_INSERT_CERTIFICATE, {
                "number": number, "kind": kind, "issued_at": issuance.issued_at,
                "call_sequence_id": issuance.call_sequence_id, "agency_code": issuance.agency_code,
                "purpose": header["purpose"], "as_on_date": header["as_on_date"],
                "subject_person_id": subject_person_id, "content_digest": content_digest(certificate),
            }).scalar_one()
        except IntegrityError:  # the same 80 random bits drawn twice
            session.rollback()
            if attempt == _ATTEMPTS - 1:
                raise
            continue
        if certificate.subjects:
            session.execute(_INSERT_SUBJECTS, [{"certificate_id": certificate_id, "person_id": person_id}
                                               for person_id in sorted(certificate.subjects)])
        session.commit()
        return certificate
    raise AssertionError("unreachable")


def verify(session: Session, number: str | None) -> Verification:
    """Whether ``number`` was issued, and when, to whom, about whom (masked), why."""
    checked = check_number(number)
    row = session.execute(
        select(Certificate, Agency.name, Person)
        .join(AuditEvent, (AuditEvent.call_sequence_id == Certificate.call_sequence_id) & (AuditEvent.outcome == "OK"))
        .join(Person, Certificate.subject_person_id == Person.id)
        .outerjoin(Agency, Agency.code == Certificate.agency_code)
        .where(Certificate.number == checked)
    ).one_or_none()
    if row is None:
        return Verification(issued=False, certificate_number=checked)
    certificate, agency_name, person = row
    return Verification(
        issued=True, certificate_number=checked, certificate_type=certificate.kind, issued_at=certificate.issued_at,
        agency_code=certificate.agency_code, agency_name=agency_name, purpose=certificate.purpose,
        as_on_date=certificate.as_on_date, subject_name=mask_name(f"{person.firstname} {person.surname}"),
        subject_amka=mask_amka(person.amka), content_digest=certificate.content_digest,
        subject_person_id=person.id,
    )


def mask_name(name: str) -> str:
    """Each word's first letter and a star per further letter: ΔΡΟΣΟΣ ΡΑΦΙΟΣ → Δ***** Ρ*****."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in name.split())


def mask_amka(amka: str | None) -> str | None:
    """Only the last three digits shown: ********537."""
    return None if amka is None else "*" * (len(amka) - 3) + amka[-3:]
