"""Calling the Mitroo Politon provider from Python with zeep (pip install zeep; Debian's xmlsec1).

    MITROO_URL=http://127.0.0.1:8000 MITROO_CERT=provider-cert.pem python mitroo_example.py

One call per service as the demo users of scripts/serve, then an errorRecord and a fault. Every
answer's signature is checked (xmlsec1 against the pinned certificate, and the Body that is read
is the one that was signed) before it is used. Prints one line per call; exits 1 on a failure.
tests/docs/test_examples.py runs it against the provider. (consumer_client, the reference client,
does all of this for you; this file shows it with zeep alone.)
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import uuid
from typing import Any

from lxml import etree
from zeep import Client, Plugin
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"

BASE_URL = os.environ.get("MITROO_URL", "http://127.0.0.1:8000").rstrip("/")
CERTIFICATE = os.environ.get("MITROO_CERT", "provider-cert.pem")  # from GET /certificates, checked out of band
AADE = (os.environ.get("MITROO_USERNAME", "demo-aade-eispraxis"), os.environ.get("MITROO_PASSWORD", "demo-aade-pass-2026"))
CLERK = (os.environ.get("MITROO_CLERK_USERNAME", "demo-dimos-athinaion"),
         os.environ.get("MITROO_CLERK_PASSWORD", "demo-athens-pass-2026"))
AUDITOR = (os.environ.get("MITROO_AUDITOR_USERNAME", "demo-auditor"),
           os.environ.get("MITROO_AUDITOR_PASSWORD", "demo-auditor-pass-2026"))


def verified_call_sequence_id(answer: bytes) -> str:
    """xmlsec1 verifies the cryptography against the pinned certificate; then exactly one Body, its
    wsu:Id among the signed references, no wsu:Id twice, and a Timestamp that has not expired."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as file:
        file.write(answer)
        file.flush()
        xmlsec = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", CERTIFICATE,
                                 "--id-attr:Id", f"{SOAP_ENV}:Body", "--id-attr:Id", f"{WSU}:Timestamp", file.name],
                                capture_output=True, text=True)
    if xmlsec.returncode != 0:
        raise ValueError(f"signature not valid: {' '.join(xmlsec.stderr.split())}")
    root = etree.fromstring(answer, etree.XMLParser(resolve_entities=False, no_network=True))
    ids = root.xpath("//@wsu:Id", namespaces={"wsu": WSU})
    signed = [uri.lstrip("#") for uri in root.xpath("//ds:SignedInfo/ds:Reference/@URI", namespaces={"ds": DS})]
    bodies = root.findall(f"{{{SOAP_ENV}}}Body")
    if len(bodies) != 1 or bodies[0].get(f"{{{WSU}}}Id") not in signed or len(set(ids)) != len(ids):
        raise ValueError("the Body is not the one that was signed")
    expires = root.findtext(f".//{{{WSU}}}Expires")
    if not expires or dt.datetime.fromisoformat(expires.replace("Z", "+00:00")) < dt.datetime.now(dt.UTC):
        raise ValueError("the answer has expired")
    return root.xpath("(//*[local-name()='callSequenceId'])[last()]/text()")[0]  # the answer's, after any record's


class Verify(Plugin):
    """Checks every answer's signature, faults included, before zeep reads it."""

    call_sequence_id = ""

    def ingress(self, envelope: etree._Element, http_headers: dict[str, str], operation: Any) -> Any:
        self.call_sequence_id = verified_call_sequence_id(etree.tostring(envelope))
        return envelope, http_headers


def client(service: str, user: tuple[str, str]) -> tuple[Client, Verify]:
    """A zeep client for one service with the UsernameToken (PasswordText) in every request."""
    verify = Verify()
    return Client(f"{BASE_URL}/ws/{service}?wsdl", wsse=UsernameToken(*user), plugins=[verify]), verify


def audit_record(protocol: str) -> dict[str, str]:
    """The six mandatory auditRecord fields: a new id and the current time (with its zone) on every call."""
    return {"auditTransactionId": str(uuid.uuid4()),
            "auditTransactionDate": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "auditUnit": "Δ/νση Ελέγχου", "auditProtocol": protocol, "auditUserId": "user17", "auditUserIp": "10.1.2.3"}


def call(service: str, operation: str, user: tuple[str, str], inputs: dict[str, Any],
         record: dict[str, str] | None = None) -> None:
    """Call, check the signature, and print one line."""
    caller, verify = client(service, user)
    prefix = f"{service}.{operation}"
    try:
        answer = getattr(caller.service, operation)(auditRecord=record or audit_record("ΑΠ 1234/2026"),
                                                   **{f"{operation}InputRecord": inputs})
    except Fault as fault:
        # A protocol failure: HTTP 500 (or 503), faultcode soap:Client.<code> or soap:Server.<code>,
        # the errorRecord and the callSequenceId in the detail. Signed like every answer.
        code = fault.detail.findtext(".//{*}errorCode") if fault.detail is not None else ""
        print(f"{prefix} callSequenceId={verify.call_sequence_id} signature=verified fault {fault.code} {code}: "
              f"{fault.message}")
        return
    # a business outcome (not found, not authorized, ...): HTTP 200
    if answer.errorRecord is not None and answer.errorRecord.errorCode:
        print(f"{prefix} callSequenceId={verify.call_sequence_id} signature=verified errorRecord "
              f"{answer.errorRecord.errorCode}: {answer.errorRecord.errorDescr}")
        return
    output = answer[f"{operation}OutputRecord"]
    print(f"{prefix} callSequenceId={verify.call_sequence_id} signature=verified ok {summary(operation, output)}")


def summary(operation: str, output: Any) -> str:
    if operation == "getRegistryOffices":
        return ", ".join(f"{office.code} {office.name}" for office in output.registryOffice)
    if operation == "getDeathAct":
        deceased = next(party for party in output.party if party.role == "deceased")
        return f"deceased {deceased.fullName} ({deceased.fullNameLatin}) on {output.event.eventDate.isoformat()}"
    if operation == "getMaritalStatusCertificate":
        return f"certificate {output.header.certificateNumber}, {len(output.member)} members"
    if operation == "checkVoterEligibility":
        return f"eligible={str(output.eligible).lower()} category={output.category.letter}"
    return ", ".join(f"{event.service}.{event.operation} by {event.username}: {event.outcome}"
                     for event in output.auditEvent)


def main() -> None:
    audited = audit_record("ΑΠ 1234/2026")  # kept: the auditor finds this call by its auditTransactionId
    call("registryParameters", "getRegistryOffices", AADE, {"municipalityCode": "7401"}, audited)
    reference = {"registryOfficeCode": "L7101", "actNumber": 1, "volume": 1, "year": 2022}
    call("civilRegistryActs", "getDeathAct", AADE, {"actReference": reference})
    call("civilStatusCertificates", "getMaritalStatusCertificate", AADE, {
        "shareReference": {"municipalityCode": "7101", "shareNumber": 21},
        "purpose": "Επίδομα παιδιών έτους 2022", "asOnDate": dt.date(2022, 5, 19)})
    call("specialElectoralRolls", "checkVoterEligibility", CLERK, {
        "applicant": {"permitNumber": "EL00001378", "surnamePrefix": "NA", "firstnamePrefix": "LA", "birthYear": 1975},
        "electionCode": "AUTO-2028", "applicationDate": dt.date(2026, 3, 2)})
    call("audit", "searchAuditEvents", AUDITOR, {"transactionId": audited["auditTransactionId"]})
    # An errorRecord: no such act (MP_NOT_FOUND).
    call("civilRegistryActs", "getDeathAct", AADE, {"actReference": {**reference, "actNumber": 99999}})
    # A fault: a wrong password (MP_AUTHENTICATION_FAILED).
    call("registryParameters", "getRegistryOffices", (AADE[0], "not-the-password"), {"municipalityCode": "7401"})


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
