"""The response signer and the reference verifier, without a server: shape, algorithms, tampering."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree
from zeep.exceptions import SignatureVerificationFailed

from consumer_client.signature import SignatureError, load_certificates, verify_response
from provider.xml import namespaces as ns
from provider.xml.keys import KeySource, SignatureAlgorithm, load_signing_key
from provider.xml.signing import ResponseSigner
from tests import signature_support as sig
from tests.conftest import KeyFiles, signing_key_files

RESPONSE = (Path(__file__).parents[2] / "data" / "signing" / "response.xml").read_bytes()


def signer_for(files: KeyFiles, algorithm: SignatureAlgorithm = SignatureAlgorithm.RSA_SHA256) -> ResponseSigner:
    return ResponseSigner(load_signing_key(KeySource(files.key, files.cert, algorithm=algorithm)), ttl_seconds=300)


def pinned(*files: KeyFiles) -> list[x509.Certificate]:
    return [cert for f in files for cert in load_certificates(f.cert.read_bytes())]


@pytest.fixture(scope="module")
def provider_keys() -> KeyFiles:
    return signing_key_files()


@pytest.fixture(scope="module")
def other_keys() -> KeyFiles:
    return signing_key_files(name="attacker")


@pytest.fixture()
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture()
def signed(provider_keys: KeyFiles, now: dt.datetime) -> bytes:
    """Signed afresh for each test, so a slow run never sees an expired Timestamp by accident."""
    return signer_for(provider_keys).sign(RESPONSE, now)


def test_the_header_has_the_profile_of_design_8(signed: bytes) -> None:
    root = etree.fromstring(signed)
    security = root.find(f"{sig.ENV}Header/{sig.WSSE}Security")
    assert security is not None
    assert not any("mustUnderstand" in name for name in security.attrib)
    assert [etree.QName(child).localname for child in security] == ["Timestamp", "BinarySecurityToken", "Signature"]
    created = dt.datetime.fromisoformat(security.findtext(f"{sig.WSU}Timestamp/{sig.WSU}Created").replace("Z", "+00:00"))
    expires = dt.datetime.fromisoformat(security.findtext(f"{sig.WSU}Timestamp/{sig.WSU}Expires").replace("Z", "+00:00"))
    assert expires - created == dt.timedelta(minutes=5)
    ds = {"ds": ns.DS}
    signed_info = security.find("ds:Signature/ds:SignedInfo", ds)
    assert signed_info.find("ds:CanonicalizationMethod", ds).get("Algorithm") == "http://www.w3.org/2001/10/xml-exc-c14n#"
    assert signed_info.find("ds:SignatureMethod", ds).get("Algorithm") == SignatureAlgorithm.RSA_SHA256.value
    references = signed_info.findall("ds:Reference", ds)
    assert sorted(r.get("URI") for r in references) == ["#Body", "#Timestamp"]
    for reference in references:
        assert reference.find("ds:DigestMethod", ds).get("Algorithm") == "http://www.w3.org/2001/04/xmlenc#sha256"
        assert [t.get("Algorithm") for t in reference.iterfind("ds:Transforms/ds:Transform", ds)] == [
            "http://www.w3.org/2001/10/xml-exc-c14n#"]
    assert root.find(sig.ENV + "Body").get(sig.WSU + "Id") == "Body"
    assert b"\n  <" not in signed, "never pretty-printed"


@pytest.mark.parametrize("algorithm", list(SignatureAlgorithm))
@pytest.mark.slow
def test_each_algorithm_signs_and_verifies_three_ways(algorithm: SignatureAlgorithm) -> None:
    files = signing_key_files(algorithm)
    signed = signer_for(files, algorithm).sign(RESPONSE)
    root = verify_response(signed, pinned(files))
    assert root.find(sig.ENV + "Body") is not None
    result = sig.xmlsec1_verify(signed, files.cert)
    assert result.returncode == 0, result.stderr
    if algorithm is SignatureAlgorithm.RSA_SHA256:  # zeep's verifier is set to RSA-SHA256
        sig.zeep_verify(signed, files.cert)


def test_the_body_reads_the_same_after_signing(signed: bytes) -> None:
    before = etree.fromstring(RESPONSE).find(sig.ENV + "Body")
    after = verify_response(signed, pinned(signing_key_files())).find(sig.ENV + "Body")
    del after.attrib[sig.WSU + "Id"]
    assert etree.tostring(before, method="c14n", exclusive=True) == etree.tostring(after, method="c14n", exclusive=True)


@pytest.mark.slow
def test_an_untouched_reserialization_still_verifies(signed: bytes, provider_keys: KeyFiles) -> None:
    again = etree.tostring(etree.fromstring(signed), xml_declaration=True, encoding="UTF-8")
    verify_response(again, pinned(provider_keys))
    assert sig.xmlsec1_verify(again, provider_keys.cert).returncode == 0


TAMPERING = {
    "changed character in the Body": sig.change_body_character,
    "duplicated Body": sig.duplicate_body,
    "moved Body (wrapping)": sig.wrap_body,
    "moved Body, forged one with the same id": functools.partial(sig.wrap_body, forged_keeps_id=True),
    "removed Timestamp": sig.remove_timestamp,
}


@pytest.mark.parametrize("case", TAMPERING)
def test_tampering_fails_the_reference_verifier(case: str, signed: bytes, provider_keys: KeyFiles) -> None:
    with pytest.raises(SignatureError):
        verify_response(TAMPERING[case](signed), pinned(provider_keys))


@pytest.mark.parametrize("case", ["changed character in the Body", "removed Timestamp"])
@pytest.mark.slow
def test_tampering_fails_xmlsec1_and_zeep(case: str, signed: bytes, provider_keys: KeyFiles) -> None:
    tampered = TAMPERING[case](signed)
    result = sig.xmlsec1_verify(tampered, provider_keys.cert)
    assert result.returncode != 0, result.stdout
    # zeep looks the references up by index, so a missing Timestamp surfaces as an IndexError
    with pytest.raises((SignatureVerificationFailed, IndexError)):
        sig.zeep_verify(tampered, provider_keys.cert)


def test_an_expired_timestamp_fails(provider_keys: KeyFiles, signed: bytes, now: dt.datetime) -> None:
    with pytest.raises(SignatureError, match="expired"):
        verify_response(signed, pinned(provider_keys), now=now + dt.timedelta(minutes=5, seconds=1))
    stale = signer_for(provider_keys).sign(RESPONSE, now - dt.timedelta(minutes=6))
    with pytest.raises(SignatureError, match="expired"):
        verify_response(stale, pinned(provider_keys))


def test_a_timestamp_from_the_future_fails(provider_keys: KeyFiles, now: dt.datetime) -> None:
    early = signer_for(provider_keys).sign(RESPONSE, now + dt.timedelta(minutes=10))
    with pytest.raises(SignatureError, match="future"):
        verify_response(early, pinned(provider_keys))


@pytest.mark.slow
def test_a_signature_by_another_key_fails(provider_keys: KeyFiles, other_keys: KeyFiles) -> None:
    forged = signer_for(other_keys).sign(RESPONSE)
    with pytest.raises(SignatureError, match="not pinned"):
        verify_response(forged, pinned(provider_keys))
    assert sig.xmlsec1_verify(forged, provider_keys.cert).returncode != 0
    with pytest.raises(SignatureVerificationFailed):
        sig.zeep_verify(forged, provider_keys.cert)


def test_a_certificate_swapped_in_the_token_fails(signed: bytes, provider_keys: KeyFiles, other_keys: KeyFiles) -> None:
    swapped = sig.swap_certificate(signed, other_keys.cert)
    with pytest.raises(SignatureError, match="not pinned"):
        verify_response(swapped, pinned(provider_keys))
    # even when the swapped-in certificate is trusted too, the signature is not its key's
    with pytest.raises(SignatureError, match="does not verify"):
        verify_response(swapped, pinned(provider_keys, other_keys))


def test_during_a_rotation_both_pinned_certificates_are_accepted(provider_keys: KeyFiles, other_keys: KeyFiles) -> None:
    both = pinned(provider_keys, other_keys)
    verify_response(signer_for(provider_keys).sign(RESPONSE), both)
    verify_response(signer_for(other_keys).sign(RESPONSE), both)


@pytest.mark.parametrize("document, message", [
    (RESPONSE, "unsigned"),
    (b"<a><b/></a>", "SOAP 1.1 Envelope"),
    (b"not xml", "well-formed"),
])
def test_unsigned_or_foreign_documents_fail(document: bytes, message: str, provider_keys: KeyFiles) -> None:
    with pytest.raises(SignatureError, match=message):
        verify_response(document, pinned(provider_keys))


def test_the_signer_refuses_a_document_that_is_not_an_envelope(provider_keys: KeyFiles) -> None:
    with pytest.raises(ValueError):
        signer_for(provider_keys).sign(b"<a/>")
