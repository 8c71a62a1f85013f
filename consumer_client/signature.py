"""Verify the provider's WS-Security response signature (docs/design.md §8 Signing) against pinned certificates.

``verify_response(data, pinned)`` returns the parsed envelope only when all of this holds, and
raises ``SignatureError`` naming the first thing that does not:

- the document is a SOAP 1.1 Envelope of exactly a Header then one Body, with no DTD;
- the Header holds one ``wsse:Security`` with one Timestamp, one BinarySecurityToken and one
  ``ds:Signature``;
- the token's certificate is one of the pinned certificates (two are pinned during a rotation);
- the signature verifies with that certificate (signxml), uses exclusive C14N, SHA-256 digests and
  RSA-SHA256 or ECDSA-SHA256, and its KeyInfo points at the token;
- it references exactly the Body and the Timestamp that sit where they belong, by ``wsu:Id``,
  and every ``wsu:Id`` in the document is unique: the Body the caller reads is the one signed
  (no signature wrapping);
- the Timestamp has not expired, and was not created in the future (beyond a clock skew).

This module is plain lxml + signxml + cryptography: an agency can copy it as it is.
"""
from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable

from cryptography import x509
from lxml import etree
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from consumer_client.errors import SignatureError

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value
_WSU_ID = f"{{{WSU}}}Id"

ACCEPTED = SignatureConfiguration(
    require_x509=True,
    expect_references=2,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle (what the provider publishes at /certificates)."""
    return x509.load_pem_x509_certificates(pem)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def _one(parent: etree._Element, tag: str, what: str) -> etree._Element:
    found = [child for child in parent if child.tag == tag]
    if len(found) != 1:
        raise SignatureError(f"expected exactly one {what}, found {len(found)}")
    return found[0]


def _time(element: etree._Element, tag: str) -> dt.datetime:
    child = element.find(f"{{{WSU}}}{tag}")
    try:
        value = dt.datetime.fromisoformat((child.text or "").strip().replace("Z", "+00:00"))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise SignatureError(f"the Timestamp has no valid {tag}") from None
    if value.tzinfo is None:
        raise SignatureError(f"the Timestamp {tag} has no time zone")
    return value


def verify_response(
    data: bytes,
    pinned: Iterable[x509.Certificate],
    *,
    now: dt.datetime | None = None,
    clock_skew: dt.timedelta = dt.timedelta(minutes=2),
    fresh: bool = True,
) -> etree._Element:
    """Verify ``data`` and return its Envelope element; raise SignatureError otherwise.

    ``fresh=False`` is for evidence kept earlier: the Timestamp is then only required to be
    consistent (Created before Expires), not current."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        root = etree.fromstring(data, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SignatureError(f"the response is not well-formed XML ({exc})") from None
    # lxml-stubs 0.5 leaves DocInfo.doctype out; lxml has it (the DOCTYPE declaration, or "").
    if root.getroottree().docinfo.doctype:  # type: ignore[union-attr]
        raise SignatureError("the response carries a DOCTYPE")
    if root.tag != f"{{{SOAP11_ENV}}}Envelope":
        raise SignatureError("the response is not a SOAP 1.1 Envelope")
    children = [child for child in root if isinstance(child.tag, str)]
    if [child.tag for child in children] == [f"{{{SOAP11_ENV}}}Body"]:
        raise SignatureError("the response is unsigned: it has no SOAP Header")
    if [child.tag for child in children] != [f"{{{SOAP11_ENV}}}Header", f"{{{SOAP11_ENV}}}Body"]:
        raise SignatureError("the Envelope must hold exactly one Header then one Body")
    header, body = children
    security = _one(header, f"{{{WSSE}}}Security", "wsse:Security header (the response is unsigned)")
    timestamp = _one(security, f"{{{WSU}}}Timestamp", "wsu:Timestamp")
    token = _one(security, f"{{{WSSE}}}BinarySecurityToken", "wsse:BinarySecurityToken")
    signature = _one(security, f"{{{DS}}}Signature", "ds:Signature")

    ids = [element.get(_WSU_ID) for element in root.iter() if element.get(_WSU_ID) is not None]
    if len(ids) != len(set(ids)):
        raise SignatureError("a wsu:Id appears more than once (signature wrapping)")
    body_id, timestamp_id, token_id = (element.get(_WSU_ID) for element in (body, timestamp, token))
    if not (body_id and timestamp_id and token_id):
        raise SignatureError("the Body, the Timestamp and the token must each carry a wsu:Id")

    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(token.text or "", validate=True))
    except ValueError:
        raise SignatureError("the BinarySecurityToken is not an X.509 certificate") from None
    if certificate not in list(pinned):
        raise SignatureError(
            f"the response was signed with a certificate that is not pinned ({certificate.subject.rfc4514_string()})"
        )
    reference = signature.find(f"{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference")
    if reference is None or reference.get("URI") != f"#{token_id}":
        raise SignatureError("the signature's KeyInfo does not point at the BinarySecurityToken")

    uris = [ref.get("URI") for ref in signature.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")]
    if sorted(uris, key=str) != sorted([f"#{body_id}", f"#{timestamp_id}"]):
        raise SignatureError(f"the signature must reference exactly the Body and the Timestamp, not {uris}")
    methods = {m.get("Algorithm") for m in signature.iterfind(f".//{{{DS}}}CanonicalizationMethod")}
    methods |= {t.get("Algorithm") for t in signature.iterfind(f".//{{{DS}}}Transform")}
    if methods != {EXC_C14N}:
        raise SignatureError(f"only exclusive C14N is accepted, not {sorted(m or '' for m in methods)}")
    try:
        XMLVerifier().verify(root, x509_cert=certificate, expect_config=ACCEPTED)
    except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
        raise SignatureError(f"the signature does not verify: {exc}") from None

    created, expires = signed_at(root), _time(timestamp, "Expires")
    if expires <= created:
        raise SignatureError("the signed Timestamp expires before it was created")
    if not fresh:
        return root
    if expires <= now:
        raise SignatureError(f"the signed Timestamp expired at {expires.isoformat()}")
    if created > now + clock_skew:
        raise SignatureError(f"the signed Timestamp was created in the future ({created.isoformat()})")
    return root


def signed_at(envelope: etree._Element) -> dt.datetime:
    """The signed Timestamp's Created of a verified envelope."""
    timestamp = envelope.find(f"{{{SOAP11_ENV}}}Header/{{{WSSE}}}Security/{{{WSU}}}Timestamp")
    if timestamp is None:
        raise SignatureError("the response has no wsu:Timestamp")
    return _time(timestamp, "Created")
