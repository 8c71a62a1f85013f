"""SOAP edge of the civilStatusCertificates service (Πιστοποιητικά Δημοτολογικής Αστικής Κατάστασης):
models and thin handlers over ``provider.registry.civil_status_certificates.queries`` and
``provider.registry.civil_status_certificates.register``.
Every person a certificate lists is a data subject of the call; the declared purpose goes to the
audit row."""
from __future__ import annotations

from typing import Any

from spyne import Boolean, ComplexModel, Date, DateTime, Int

from provider.registry.civil_registry_acts import criteria as act_criteria
from provider.registry.civil_status_certificates import (
    queries as certificates,
)
from provider.registry.civil_status_certificates import (
    register as certificate_register,
)
from provider.registry.civil_status_certificates.criteria import CertificateRequest, ShareReference
from provider.soap.call import Call
from provider.soap.services.common import (
    Mandatory,
    Optional,
    PersonCriteria,
    build,
    input_record,
    output_model,
    service_class,
    text,
)
from provider.xml import namespaces as ns

SERVICE = "civilStatusCertificates"
TNS = ns.service(SERVICE)
AUDITED_PURPOSE = 500  # characters of the declared purpose kept in the audit row, even when refused


class ShareReferenceModel(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "shareReference"
    _type_info = [("municipalityCode", text()), ("shareNumber", Int(**Mandatory))]


class CertificateHeader(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "certificateHeader"
    _type_info = [
        ("certificateNumber", text()),
        ("certificateType", text()),
        ("issuedAt", DateTime(timezone=True, **Mandatory)),
        ("municipalityCode", text()),
        ("municipalityName", text()),
        ("shareNumber", Int(**Mandatory)),
        ("purpose", text()),
        ("asOnDate", Date(**Mandatory)),
    ]


class Member(ComplexModel):
    """A person as the municipal registry records them in a share (the registry's own vocabulary)."""

    __namespace__ = TNS
    __type_name__ = "member"
    _type_info = [
        ("amka", text(**Optional)),
        ("surname", text()),
        ("firstname", text()),
        ("secondname", text(**Optional)),
        ("fathername", text(**Optional)),
        ("fathersurname", text(**Optional)),
        ("mothername", text(**Optional)),
        ("mothersurname", text(**Optional)),
        ("mothergenos", text(**Optional)),
        ("birthdate", Date(**Mandatory)),
        ("birthplace", text()),
        ("birthcountry", text()),
        ("gender", text()),
        ("mainnationality", text()),
        ("eklspecialno", text(**Optional)),
        ("grnatgaindate", Date(**Optional)),
        ("membertype", text()),
        ("registrationdate", Date(**Mandatory)),
        ("gainmunrecdate", Date(**Optional)),
        ("marriagerank", Int(**Optional)),
        ("marriageactoffice", text(**Optional)),
        ("marriageactno", Int(**Optional)),
        ("marriageacttomos", Int(**Optional)),
        ("marriageactyear", Int(**Optional)),
        ("marriageactdate", Date(**Optional)),
        ("agreementrank", Int(**Optional)),
        ("agreementactoffice", text(**Optional)),
        ("agreementactno", Int(**Optional)),
        ("agreementactyear", Int(**Optional)),
        ("agreementactdate", Date(**Optional)),
        ("deletereason", text(**Optional)),
        ("deletedate", Date(**Optional)),
    ]


class Parent(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "parent"
    _type_info = [("role", text()), ("fullName", text()), ("amka", text(**Optional))]


class BirthActRef(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "birthActReference"
    _type_info = [
        ("registryOfficeCode", text()),
        ("registryOfficeName", text()),
        ("actNumber", Int(**Mandatory)),
        ("volume", Int(**Optional)),
        ("year", Int(**Mandatory)),
        ("eventDate", Date(**Mandatory)),
    ]


class MaritalStatusCertificate(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "maritalStatusCertificate"
    _type_info = [
        ("header", CertificateHeader.customize(**Mandatory)),
        ("member", Member.customize(min_occurs=1, max_occurs="unbounded", nillable=False)),
    ]


class BirthCertificate(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "birthCertificate"
    _type_info = [
        ("header", CertificateHeader.customize(**Mandatory)),
        ("person", Member.customize(**Mandatory)),
        ("parent", Parent.customize(min_occurs=0, max_occurs=2, nillable=False)),
        ("birthAct", BirthActRef.customize(**Optional)),
    ]


class RegistrationCertificate(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "registrationCertificate"
    _type_info = [
        ("header", CertificateHeader.customize(**Mandatory)),
        ("person", Member.customize(**Mandatory)),
    ]


class MaritalStatusInput(ComplexModel):
    """Exactly one of shareReference and person (a domain rule: MP_INVALID_INPUT otherwise)."""

    __namespace__ = TNS
    __type_name__ = "maritalStatusCertificateInputRecord"
    _type_info = [
        ("shareReference", ShareReferenceModel.customize(**Optional)),
        ("person", PersonCriteria.customize(**Optional)),
        ("purpose", text()),
        ("asOnDate", Date(**Optional)),
    ]


class PersonCertificateInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "personCertificateInputRecord"
    _type_info = [("person", PersonCriteria.customize(**Mandatory)), ("purpose", text())]


class VerifyInput(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "verifyCertificateInputRecord"
    _type_info = [("certificateNumber", text())]


class Verification(ComplexModel):
    __namespace__ = TNS
    __type_name__ = "certificateVerification"
    _type_info = [
        ("issued", Boolean(**Mandatory)),
        ("certificateNumber", text()),
        ("certificateType", text(**Optional)),
        ("issuedAt", DateTime(timezone=True, **Optional)),
        ("agencyCode", text(**Optional)),
        ("agencyName", text(**Optional)),
        ("purpose", text(**Optional)),
        ("asOnDate", Date(**Optional)),
        ("subjectName", text(**Optional)),
        ("subjectAmka", text(**Optional)),
        ("contentDigest", text(**Optional)),
    ]


# -- handlers -------------------------------------------------------------------------------------


def _request(call: Call, data: Any) -> CertificateRequest:
    call.purpose = (data.purpose or "").strip()[:AUDITED_PURPOSE] or None
    share = input_record(ShareReference, getattr(data, "shareReference", None))
    person = input_record(act_criteria.PersonCriteria, data.person)
    return CertificateRequest(data.purpose or "", share, person, getattr(data, "asOnDate", None))


def _issued(compose: Any, output: Any) -> Any:
    def handler(call: Call, data: Any) -> Any:
        request = _request(call, data)
        today = act_criteria.registry_today(call.call_sequence_date)
        assert call.caller is not None
        issuance = certificate_register.Issuance(call.call_sequence_id, call.call_sequence_date,
                                                 call.caller.agency_code)
        with call.sessions() as session:
            certificate = compose(session, request, today, issuance)
        call.touch(certificate.subjects)
        return output(certificate)

    return handler


def _members(certificate: certificates.MaritalStatusCertificate) -> Any:
    return build(MaritalStatusCertificate, header=output_model(CertificateHeader, certificate.header),
                                           member=[output_model(Member, m) for m in certificate.members])


def _birth(certificate: certificates.BirthCertificate) -> Any:
    return build(BirthCertificate,
        header=output_model(CertificateHeader, certificate.header), person=output_model(Member, certificate.person),
        parent=[output_model(Parent, p) for p in certificate.parents],
        birthAct=output_model(BirthActRef, certificate.birth_act) if certificate.birth_act else None,
    )


def _registration(certificate: certificates.RegistrationCertificate) -> Any:
    return build(RegistrationCertificate, header=output_model(CertificateHeader, certificate.header),
                                          person=output_model(Member, certificate.person))


def _verify(call: Call, data: Any) -> Any:
    with call.sessions.autocommit() as session:
        verification = certificate_register.verify(session, data.certificateNumber)
    if verification.subject_person_id is not None:
        call.touch([verification.subject_person_id])
    return output_model(Verification, verification)


Service = service_class(
    SERVICE,
    {
        "getMaritalStatusCertificate": (MaritalStatusInput, MaritalStatusCertificate,
                                        _issued(certificates.marital_status_certificate, _members)),
        "getBirthCertificate": (PersonCertificateInput, BirthCertificate,
                                _issued(certificates.birth_certificate, _birth)),
        "getRegistrationCertificate": (PersonCertificateInput, RegistrationCertificate,
                                       _issued(certificates.registration_certificate, _registration)),
        "verifyCertificate": (VerifyInput, Verification, _verify),
    },
)
