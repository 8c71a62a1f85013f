"""SOAP 1.1 envelope handling: checking what arrives and writing faults.

Successful and errorRecord responses are written by spyne; faults are written here so that
every protocol failure, including those before spyne could parse anything, has one shape:
``faultcode`` ``soap:Client.<code>`` or ``soap:Server.<code>``, a Greek ``faultstring``, and a
``detail`` holding the common ``errorRecord``, ``callSequenceId`` and ``callSequenceDate``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from provider.errors import ErrorCode, MitrooError
from provider.xml import namespaces as ns

_ENV = f"{{{ns.SOAP11_ENV}}}"


@dataclass(frozen=True)
class Envelope:
    header: etree._Element | None
    operation: etree._Element  # the single element child of Body

    @property
    def operation_namespace(self) -> str:
        return etree.QName(self.operation).namespace or ""

    @property
    def operation_name(self) -> str:
        return etree.QName(self.operation).localname


def _malformed(detail: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_MALFORMED_REQUEST, detail)


def body_too_large(limit: int) -> MitrooError:
    """The refusal of a body over ``limit`` bytes: by the gateway, or by the front before it."""
    return _malformed(f"το αίτημα υπερβαίνει το όριο των {limit} bytes (body too large)")


def parse_envelope(root: etree._Element) -> Envelope:
    """Check ``root`` is a SOAP 1.1 Envelope with an optional Header then one Body."""
    if not isinstance(root.tag, str):
        raise _malformed("το έγγραφο δεν είναι φάκελος SOAP (not a SOAP envelope)")
    qname = etree.QName(root)
    if qname.namespace == ns.SOAP12_ENV:
        raise _malformed(
            "φάκελος SOAP 1.2 σε σημείο SOAP 1.1 (SOAP 1.2 envelope sent to a SOAP 1.1 endpoint; "
            f"use namespace {ns.SOAP11_ENV})"
        )
    if root.tag != _ENV + "Envelope":
        raise _malformed(f"το στοιχείο ρίζας πρέπει να είναι {{{ns.SOAP11_ENV}}}Envelope (root is {qname.localname})")
    children = [child for child in root if isinstance(child.tag, str)]
    for child in children:
        if child.tag not in (_ENV + "Header", _ENV + "Body"):
            raise _malformed(
                f"μη αναμενόμενο στοιχείο {etree.QName(child).localname} στον φάκελο "
                "(only a Header and a Body may be children of the Envelope)"
            )
    bodies = [child for child in children if child.tag == _ENV + "Body"]
    if len(bodies) != 1:
        raise _malformed(f"ο φάκελος πρέπει να έχει ακριβώς ένα Body (found {len(bodies)})")
    headers = [child for child in children if child.tag == _ENV + "Header"]
    if len(headers) > 1:
        raise _malformed(f"ο φάκελος έχει {len(headers)} Header· επιτρέπεται ένα (more than one Header)")
    if children[-1].tag != _ENV + "Body":
        raise _malformed("το Header πρέπει να προηγείται του Body (Header after the Body)")
    header = headers[0] if headers else None
    if header is not None:
        _check_must_understand(header)
    body = bodies[0]
    payload = [child for child in body if isinstance(child.tag, str)]
    if len(payload) != 1:
        raise _malformed(f"το Body πρέπει να περιέχει ακριβώς ένα στοιχείο (found {len(payload)})")
    if (body.text or "").strip() or any((child.tail or "").strip() for child in body):
        raise _malformed("το Body δεν επιτρέπεται να περιέχει κείμενο εκτός στοιχείων")
    return Envelope(header=header, operation=payload[0])


# The header entries the provider processes: the WS-Security header with the UsernameToken.
UNDERSTOOD_HEADERS = frozenset({f"{{{ns.WSSE}}}Security"})
_MUST_UNDERSTAND = _ENV + "mustUnderstand"
_ACTOR = _ENV + "actor"
_ACTOR_NEXT = "http://schemas.xmlsoap.org/soap/actor/next"


def _check_must_understand(header: etree._Element) -> None:
    """SOAP 1.1 §4.2.3: a header entry meant for this provider (no actor, or the "next" actor) with
    mustUnderstand="1" that the provider does not process is refused with a MustUnderstand fault."""
    for entry in header:
        if not isinstance(entry.tag, str) or entry.tag in UNDERSTOOD_HEADERS:
            continue
        if entry.get(_MUST_UNDERSTAND, "0").strip() not in ("1", "true"):
            continue
        if entry.get(_ACTOR, _ACTOR_NEXT).strip() != _ACTOR_NEXT:
            continue  # addressed to another SOAP node
        name = etree.QName(entry)
        raise MitrooError(
            ErrorCode.MP_HEADER_NOT_UNDERSTOOD,
            f"η κεφαλίδα {{{(name.namespace or '')[:100]}}}{name.localname[:60]} δεν υποστηρίζεται· "
            "στείλτε την χωρίς mustUnderstand=\"1\" ή παραλείψτε την (only wsse:Security is understood)",
        )


def fault_document(
    error: MitrooError, call_sequence_id: str, call_sequence_date: dt.datetime
) -> bytes:
    """A SOAP 1.1 Fault for ``error`` (which must be a fault-kind code)."""
    code = error.code
    if not code.is_fault:
        raise ValueError(f"{code.name} is answered with an errorRecord, not a fault")
    nsmap = {"soap": ns.SOAP11_ENV, "c": ns.COMMON}
    envelope = etree.Element(_ENV + "Envelope", nsmap=nsmap)
    body = etree.SubElement(envelope, _ENV + "Body")
    fault = etree.SubElement(body, _ENV + "Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{code.kind.value}.{code.name}"
    faultstring = etree.SubElement(fault, "faultstring")
    faultstring.text = error.description
    faultstring.set("{http://www.w3.org/XML/1998/namespace}lang", "el")
    detail = etree.SubElement(fault, "detail")
    record = etree.SubElement(detail, f"{{{ns.COMMON}}}errorRecord")
    etree.SubElement(record, f"{{{ns.COMMON}}}errorCode").text = code.name
    etree.SubElement(record, f"{{{ns.COMMON}}}errorDescr").text = error.description
    etree.SubElement(detail, f"{{{ns.COMMON}}}callSequenceId").text = call_sequence_id
    etree.SubElement(detail, f"{{{ns.COMMON}}}callSequenceDate").text = call_sequence_date.isoformat()
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
