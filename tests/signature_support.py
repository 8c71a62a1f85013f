"""Helpers for the signature tests: the three verifiers and the tampering cases.

Verifiers: the reference client's ``verify_response`` (strict), the ``xmlsec1`` command line
(Debian's xmlsec1, an independent C implementation) and zeep's WS-Security verifier
(python-xmlsec). Each takes the raw response bytes and the PEM of the certificate to trust.
Tampering functions take a signed response and return it altered, serialized without any
pretty-printing.
"""
from __future__ import annotations

import copy
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from provider.xml import namespaces as ns

ENV = f"{{{ns.SOAP11_ENV}}}"
WSSE = f"{{{ns.WSSE}}}"
WSU = f"{{{ns.WSU}}}"


def xmlsec1_verify(response: bytes, cert_pem: Path) -> subprocess.CompletedProcess[str]:
    """``xmlsec1 --verify`` exactly as docs/operations.md gives it, on a file holding ``response``."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as handle:
        handle.write(response)
        handle.flush()
        return subprocess.run(
            ["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert_pem),
             "--id-attr:Id", f"{ns.SOAP11_ENV}:Body", "--id-attr:Id", f"{ns.WSU}:Timestamp",
             handle.name],
            capture_output=True, text=True, timeout=30,
        )


def zeep_verify(response: bytes, cert_pem: Path) -> None:
    """zeep's own verifier (python-xmlsec, told to expect RSA-SHA256/SHA-256); raises on failure."""
    import xmlsec
    from zeep.wsse.signature import MemorySignature

    verifier = MemorySignature(None, cert_pem.read_bytes(), signature_method=xmlsec.Transform.RSA_SHA256,
                               digest_method=xmlsec.Transform.SHA256)
    verifier.verify(etree.fromstring(response))


def _edit(response: bytes, change: Callable[[etree._Element], None]) -> bytes:
    root = etree.fromstring(response)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _body(root: etree._Element) -> etree._Element:
    return root.find(ENV + "Body")  # type: ignore[return-value]


def _security(root: etree._Element) -> etree._Element:
    return root.find(f"{ENV}Header/{WSSE}Security")  # type: ignore[return-value]


def change_body_character(response: bytes) -> bytes:
    def change(root: etree._Element) -> None:
        for element in _body(root).iter():
            if element.text and element.text.strip():
                first = element.text[0]
                element.text = ("X" if first != "X" else "Y") + element.text[1:]
                return
        raise AssertionError("no text in the Body to change")
    return _edit(response, change)


def duplicate_body(response: bytes) -> bytes:
    """A second Body after the signed one, for a reader that takes the last."""
    def change(root: etree._Element) -> None:
        forged = copy.deepcopy(_body(root))
        del forged.attrib[WSU + "Id"]
        root.append(forged)
    return _edit(response, change)


def wrap_body(response: bytes, *, forged_keeps_id: bool = False) -> bytes:
    """Classic signature wrapping: the signed Body moves into the header, a forged one takes its
    place (carrying the signed Body's wsu:Id too, with ``forged_keeps_id``)."""
    def change(root: etree._Element) -> None:
        signed = _body(root)
        forged = copy.deepcopy(signed)
        if not forged_keeps_id:
            del forged.attrib[WSU + "Id"]
        for element in forged.iter():
            if element.text and element.text.strip():
                element.text = "ΠΛΑΣΤΟ"
                break
        wrapper = etree.SubElement(_security(root), "{urn:attacker}Wrapper")
        signed.addprevious(forged)
        wrapper.append(signed)
    return _edit(response, change)


def remove_timestamp(response: bytes) -> bytes:
    def change(root: etree._Element) -> None:
        timestamp = _security(root).find(WSU + "Timestamp")
        timestamp.getparent().remove(timestamp)  # type: ignore[union-attr]
    return _edit(response, change)


def swap_certificate(response: bytes, other_cert_pem: Path) -> bytes:
    """Put another certificate in the BinarySecurityToken, leaving the signature as it is."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    der = x509.load_pem_x509_certificate(other_cert_pem.read_bytes()).public_bytes(serialization.Encoding.DER)

    def change(root: etree._Element) -> None:
        _security(root).find(WSSE + "BinarySecurityToken").text = base64.b64encode(der).decode()  # type: ignore[union-attr]
    return _edit(response, change)
