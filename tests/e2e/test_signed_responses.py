"""Every response that leaves the provider is signed: every service, success, errorRecord and
fault, verified over HTTP by the reference verifier, by ``xmlsec1`` and by zeep's verifier."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
import xmlsec
from zeep import Client
from zeep.exceptions import Fault
from zeep.wsse.signature import MemorySignature
from zeep.wsse.username import UsernameToken

from consumer_client.signature import load_certificates, verify_response
from provider.soap import contract
from provider.xml.keys import SignatureAlgorithm, generate_development_key
from tests import signature_support as sig
from tests.conftest import (
    PASSWORD,
    USERS,
    KeyFiles,
    PreparedDatabase,
    Running,
    serve,
    settings_for,
    signing_key_files,
    stop,
)
from tests.support import audit_record, envelope, post, security_text


def _verified_everywhere(raw: bytes) -> None:
    cert = signing_key_files().cert
    verify_response(raw, load_certificates(cert.read_bytes()))
    result = sig.xmlsec1_verify(raw, cert)
    assert result.returncode == 0, result.stderr
    sig.zeep_verify(raw, cert)


@pytest.mark.parametrize("service", sorted(contract.SERVICES))
def test_every_service_signs_its_answers(provider: Running, service: str) -> None:
    answer = post(provider.url(service), envelope("listMethods", service=service,
                                                  security=security_text(USERS.aade, PASSWORD)))
    assert answer.status == 200 and answer.error_code is None
    _verified_everywhere(answer.raw)


@pytest.mark.parametrize("case, security, expected_status, code", [
    ("success", security_text(USERS.aade, PASSWORD), 200, None),
    ("errorRecord", security_text(USERS.nogrant, PASSWORD), 200, "MP_NOT_AUTHORIZED"),
    ("fault", security_text(USERS.aade, "wrong password!"), 500, "MP_AUTHENTICATION_FAILED"),
])
def test_success_error_record_and_fault_are_signed(
    provider: Running, case: str, security: str, expected_status: int, code: str | None
) -> None:
    answer = post(provider.url(), envelope("getActTypes", security=security))
    assert (answer.status, answer.error_code) == (expected_status, code)
    _verified_everywhere(answer.raw)


def test_a_fault_before_any_parsing_is_signed(provider: Running) -> None:
    answer = post(provider.url(), b"this is not XML")
    assert answer.status == 500 and answer.error_code == "MP_MALFORMED_REQUEST"
    _verified_everywhere(answer.raw)


class _VerifyingUsernameToken:
    """What an integrator with zeep configures: a UsernameToken on the way out, zeep's own
    signature verifier (python-xmlsec, RSA-SHA256 and SHA-256) on the way in."""

    def __init__(self, username: str, password: str, provider_cert: bytes) -> None:
        self.token = UsernameToken(username, password)
        self.verifier = MemorySignature(None, provider_cert, signature_method=xmlsec.Transform.RSA_SHA256,
                                        digest_method=xmlsec.Transform.SHA256)

    def apply(self, envelope: object, headers: dict[str, str]) -> tuple[object, dict[str, str]]:
        return self.token.apply(envelope, headers)

    def verify(self, envelope: object) -> object:
        return self.verifier.verify(envelope)


def test_a_zeep_client_verifying_every_response(provider: Running) -> None:
    pem = requests.get(f"{provider.base_url}/certificates", timeout=10).content
    client = Client(f"{provider.url()}?wsdl", wsse=_VerifyingUsernameToken(USERS.aade, PASSWORD, pem))
    answer = client.service.getActTypes(auditRecord=audit_record(), getActTypesInputRecord={})
    assert {entry.code for entry in answer.getActTypesOutputRecord.actType} >= {"BIRTH", "DEATH"}
    refused = Client(f"{provider.url()}?wsdl", wsse=_VerifyingUsernameToken(USERS.aade, "wrong password!", pem))
    with pytest.raises(Fault) as fault:  # zeep verified the fault's signature before raising it
        refused.service.getActTypes(auditRecord=audit_record(), getActTypesInputRecord={})
    assert fault.value.code.endswith("MP_AUTHENTICATION_FAILED")


def test_certificates_publishes_the_signing_certificate(provider: Running) -> None:
    response = requests.get(f"{provider.base_url}/certificates", timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/x-pem-file"
    assert load_certificates(response.content) == load_certificates(signing_key_files().cert.read_bytes())


def test_health_reports_the_signing_certificate(provider: Running) -> None:
    response = requests.get(f"{provider.base_url}/health", timeout=10)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["status"] == "ok" and report["database"]["atHead"] is True
    assert report["signing"]["algorithm"] == "rsa-sha256"
    assert 360 <= report["signing"]["certificateDaysLeft"] <= 365
    assert report["signing"]["warning"] is None
    assert "BEGIN" not in response.text and "sqlite" not in response.text.lower()


@pytest.mark.slow
def test_ecdsa_rotation_and_expiry_warning_on_a_running_provider(
    database: PreparedDatabase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """ECDSA P-256 by setting; a certificate 10 days from its end; its successor published."""
    current = KeyFiles(tmp_path / "key.pem", tmp_path / "cert.pem")
    generate_development_key(current.key, current.cert, SignatureAlgorithm.ECDSA_SHA256, days=10)
    successor = signing_key_files(SignatureAlgorithm.ECDSA_SHA256)
    settings = settings_for(database, tmp_path, signature_algorithm="ecdsa-sha256",
                            signing_key_file=current.key, signing_cert_file=current.cert,
                            signing_next_cert_file=successor.cert)
    with caplog.at_level(logging.WARNING, logger="mitroo.provider"):
        running, server = serve(settings)
    try:
        assert any("expires in 9 days" in record.getMessage() for record in caplog.records)
        health = requests.get(f"{running.base_url}/health", timeout=10).json()
        assert health["status"] == "ok" and "expires in 9 days" in health["signing"]["warning"]
        assert health["signing"]["nextCertificate"] is True
        published = requests.get(f"{running.base_url}/certificates", timeout=10).content
        assert published == current.cert.read_bytes() + successor.cert.read_bytes()
        answer = post(running.url(), envelope("getActTypes", security=security_text(USERS.aade, PASSWORD)))
        assert answer.status == 200
        assert f'Algorithm="{SignatureAlgorithm.ECDSA_SHA256.value}"'.encode() in answer.raw
        verify_response(answer.raw, load_certificates(published))  # the client pins both during the overlap
        result = sig.xmlsec1_verify(answer.raw, current.cert)
        assert result.returncode == 0, result.stderr
    finally:
        stop(server, running.app)
