"""A ready-to-send request envelope, for stacks that post raw XML (curl, a hand-written client).

``mitroo-client envelope SERVICE OPERATION`` prints one with a fresh auditTransactionId and the
current time: the provider refuses a reused id (MP_DUPLICATE_TRANSACTION) or a date further than
MITROO_AUDIT_CLOCK_SKEW (15 minutes) from its clock (MP_INVALID_AUDIT_RECORD), so a printed
sample is good once, for a few minutes. The layout is the integration guide's: ``soapenv``, ``svc`` (the service's namespace)
and ``c`` (the common namespace) declared on the Envelope, a PasswordText UsernameToken.
"""
from __future__ import annotations

import datetime as dt
import uuid

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
COMMON_NS = "urn:mitroo-politon:common:v1"
SERVICES = ("registryParameters", "civilRegistryActs", "civilStatusCertificates", "specialElectoralRolls", "audit")
AUDIT_FIELDS = ("auditTransactionId", "auditTransactionDate", "auditUnit", "auditProtocol", "auditUserId",
                "auditUserIp")


def service_namespace(service: str) -> str:
    return f"urn:mitroo-politon:{service}:v1"


def fresh_audit_record(*, unit: str, protocol: str, user_id: str, user_ip: str) -> dict[str, str]:
    """The six auditRecord fields of a new call: a new UUID as its id, now (with the local zone) as its date."""
    return {
        "auditTransactionId": str(uuid.uuid4()),
        "auditTransactionDate": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "auditUnit": unit,
        "auditProtocol": protocol,
        "auditUserId": user_id,
        "auditUserIp": user_ip,
    }


class InputError(ValueError):
    """The operation's input is not a well-formed sequence of elements."""


def envelope(service: str, operation: str, *, username: str, password: str, audit: dict[str, str],
             input_xml: str = "") -> bytes:
    """The request of ``service.operation``: UsernameToken, ``audit`` (in AUDIT_FIELDS order) and
    ``input_xml``, the children of ``<operation>InputRecord`` written with the ``svc:`` and ``c:``
    prefixes (``<svc:municipalityCode>7401</svc:municipalityCode>``)."""
    svc = service_namespace(service)
    nsmap = {"soapenv": SOAP_ENV, "svc": svc, "c": COMMON_NS}
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)
    security = etree.SubElement(etree.SubElement(root, f"{{{SOAP_ENV}}}Header"), f"{{{WSSE}}}Security",
                                nsmap={"wsse": WSSE})
    token = etree.SubElement(security, f"{{{WSSE}}}UsernameToken")
    etree.SubElement(token, f"{{{WSSE}}}Username").text = username
    etree.SubElement(token, f"{{{WSSE}}}Password", Type=PASSWORD_TEXT).text = password
    call = etree.SubElement(etree.SubElement(root, f"{{{SOAP_ENV}}}Body"), f"{{{svc}}}{operation}")
    record = etree.SubElement(call, f"{{{svc}}}auditRecord")
    for field in AUDIT_FIELDS:
        etree.SubElement(record, f"{{{COMMON_NS}}}{field}").text = audit[field]
    inputs = etree.SubElement(call, f"{{{svc}}}{operation}InputRecord")
    inputs.extend(_children(input_xml, nsmap))
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def _children(input_xml: str, nsmap: dict[str, str]) -> list[etree._Element]:
    declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in nsmap.items())
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)
    try:
        wrapper = etree.fromstring(f"<input {declarations}>{input_xml}</input>", parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"the input is not well-formed XML: {exc}") from None
    if (wrapper.text or "").strip() or any((child.tail or "").strip() for child in wrapper):
        raise InputError("the input must be elements only, such as <svc:municipalityCode>7401</svc:municipalityCode>")
    return [child for child in wrapper if isinstance(child.tag, str)]
