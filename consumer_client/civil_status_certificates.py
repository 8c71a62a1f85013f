"""Typed methods and results of the civilStatusCertificates service (Πιστοποιητικά Δημοτολογικής
Αστικής Κατάστασης).

A family-status certificate names its family share by ``municipality_code`` + ``share_number`` or
by a person (``amka``, or ``surname`` + ``firstname`` + ``fathername`` + ``birthdate``, ``mothername``
optional); birth and registration certificates name a person. ``purpose`` (σκοπός χορήγησης) is
mandatory and printed on the certificate; ``as_on_date`` gives the family as it stood on that day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consumer_client.civil_registry_acts import person_criteria
from consumer_client.core import ClientCore
from consumer_client.models import Reply, build

SERVICE = "civilStatusCertificates"


@dataclass(frozen=True)
class CertificateHeader:
    certificate_number: str
    certificate_type: str  # MARITAL_STATUS | BIRTH | REGISTRATION
    issued_at: dt.datetime
    municipality_code: str
    municipality_name: str
    share_number: int
    purpose: str
    as_on_date: dt.date


@dataclass(frozen=True)
class Member:
    """A person as the municipal registry records them in a share (the registry's own vocabulary)."""

    surname: str
    firstname: str
    birthdate: dt.date
    birthplace: str
    birthcountry: str
    gender: str
    mainnationality: str
    membertype: str
    registrationdate: dt.date
    amka: str | None = None
    secondname: str | None = None
    fathername: str | None = None
    fathersurname: str | None = None
    mothername: str | None = None
    mothersurname: str | None = None
    mothergenos: str | None = None
    eklspecialno: str | None = None
    grnatgaindate: dt.date | None = None
    gainmunrecdate: dt.date | None = None
    marriagerank: int | None = None
    marriageactoffice: str | None = None
    marriageactno: int | None = None
    marriageacttomos: int | None = None
    marriageactyear: int | None = None
    marriageactdate: dt.date | None = None
    agreementrank: int | None = None
    agreementactoffice: str | None = None
    agreementactno: int | None = None
    agreementactyear: int | None = None
    agreementactdate: dt.date | None = None
    deletereason: str | None = None  # ΘΑΝΑΤΟΣ, ΓΑΜΟΣ, ΜΕΤΑΔΗΜΟΤΕΥΣΗ, ΛΥΣΗ ΓΑΜΟΥ, …
    deletedate: dt.date | None = None


@dataclass(frozen=True)
class MaritalStatusCertificate:
    header: CertificateHeader
    member: tuple[Member, ...]


@dataclass(frozen=True)
class Parent:
    role: str  # father | mother
    full_name: str
    amka: str | None = None


@dataclass(frozen=True)
class BirthActReference:
    registry_office_code: str
    registry_office_name: str
    act_number: int
    year: int
    event_date: dt.date
    volume: int | None = None


@dataclass(frozen=True)
class BirthCertificate:
    header: CertificateHeader
    person: Member
    parent: tuple[Parent, ...] = ()
    birth_act: BirthActReference | None = None


@dataclass(frozen=True)
class RegistrationCertificate:
    header: CertificateHeader
    person: Member


@dataclass(frozen=True)
class CertificateVerification:
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


class CivilStatusCertificates(ClientCore):
    def get_marital_status_certificate(
        self, *, protocol: str, purpose: str, municipality_code: str | None = None, share_number: int | None = None,
        amka: str | None = None, surname: str | None = None, firstname: str | None = None,
        fathername: str | None = None, mothername: str | None = None, birthdate: dt.date | None = None,
        as_on_date: dt.date | None = None,
    ) -> Reply[MaritalStatusCertificate]:
        """A family-status certificate (οικογενειακής κατάστασης) of a share, as on a date (default today)."""
        share = None
        if municipality_code is not None or share_number is not None:
            share = {"municipalityCode": municipality_code, "shareNumber": share_number}
        return self.call(SERVICE, "getMaritalStatusCertificate", protocol,
                         lambda out: build(MaritalStatusCertificate, out), shareReference=share,
                         person=person_criteria(amka, surname, firstname, fathername, mothername, birthdate),
                         purpose=purpose, asOnDate=as_on_date)

    def get_birth_certificate(
        self, *, protocol: str, purpose: str, amka: str | None = None, surname: str | None = None,
        firstname: str | None = None, fathername: str | None = None, mothername: str | None = None,
        birthdate: dt.date | None = None,
    ) -> Reply[BirthCertificate]:
        """A birth certificate: the person, their parents, place of birth, share and birth act."""
        return self.call(SERVICE, "getBirthCertificate", protocol, lambda out: build(BirthCertificate, out),
                         person=person_criteria(amka, surname, firstname, fathername, mothername, birthdate) or {},
                         purpose=purpose)

    def get_registration_certificate(
        self, *, protocol: str, purpose: str, amka: str | None = None, surname: str | None = None,
        firstname: str | None = None, fathername: str | None = None, mothername: str | None = None,
        birthdate: dt.date | None = None,
    ) -> Reply[RegistrationCertificate]:
        """A registration certificate: municipality, share, gainmunrecdate, grnatgaindate, eklspecialno."""
        return self.call(SERVICE, "getRegistrationCertificate", protocol,
                         lambda out: build(RegistrationCertificate, out),
                         person=person_criteria(amka, surname, firstname, fathername, mothername, birthdate) or {},
                         purpose=purpose)

    def verify_certificate(self, *, protocol: str, certificate_number: str) -> Reply[CertificateVerification]:
        """Whether a certificate number was issued: when, to which agency, about whom (masked), why."""
        return self.call(SERVICE, "verifyCertificate", protocol, lambda out: build(CertificateVerification, out),
                         certificateNumber=certificate_number)
