"""HTTPS at the front (``serve`` with MITROO_FRONT=nginx and MITROO_TLS_*), on both databases: real
TLS calls with zeep and with the reference client; TLS 1.2 and 1.3 only; plain HTTP refused in the
production environment with an audited fault; a WS user bound to a client certificate is refused
without it, with another one, with one the client CA did not issue, or with a forged header."""
from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from zeep import Client
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from consumer_client import MitrooClient, ProviderError
from db.models import WsUser
from provider.access import admin
from provider.access.transport import CLIENT_CERT_HEADER
from provider.xml.keys import sha256_hex
from tests.conftest import PASSWORD, PreparedDatabase, signing_key_files
from tests.processes import ProviderProcess, new_agency, provider_process
from tests.support import Answer, audit_record, audit_row, envelope, security_text
from tests.tls_certs import Issued, TestCA

pytestmark = pytest.mark.slow
CLIENT = str(Path(sys.executable).with_name("mitroo-client"))


class Pki:
    def __init__(self, directory: Path) -> None:
        self.ca = TestCA(directory)
        self.server = self.ca.issue("server", server=True)
        self.alice = self.ca.issue("alice")
        self.bob = self.ca.issue("bob")
        self.stranger = TestCA(directory, "other CA").issue("mallory")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def front(database: PreparedDatabase, pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderProcess]:
    """HTTPS with client certificates asked for, in the production environment."""
    with provider_process(database, tmp_path_factory.mktemp("tls"), threads=4, MITROO_FRONT="nginx",
                          MITROO_ENVIRONMENT="production", MITROO_TLS_CERT_FILE=str(pki.server.cert),
                          MITROO_TLS_KEY_FILE=str(pki.server.key),
                          MITROO_TLS_CLIENT_CA_FILE=str(pki.ca.cert)) as served:
        yield served


def _bind(database: PreparedDatabase, username: str, issued: Issued) -> None:
    with Session(database.engine) as session, session.begin():
        admin.bind_client_cert(session, username, sha256_hex(issued.certificate))


def _post(url: str, username: str, *, verify: Path | bool, cert: Issued | None = None,
          headers: dict[str, str] | None = None) -> Answer:
    from lxml import etree

    body = envelope("getActTypes", security=security_text(username, PASSWORD))
    response = requests.post(url, data=body, verify=str(verify) if isinstance(verify, Path) else verify,
                             cert=None if cert is None else (str(cert.cert), str(cert.key)),
                             headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""', **(headers or {})},
                             timeout=30)
    return Answer(response.status_code, etree.fromstring(response.content), response.content)


def _zeep(url: str, username: str, pki: Pki, cert: Issued | None = None) -> object:
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, when set, replaces session.verify
    session.verify = str(pki.ca.cert)
    if cert is not None:
        session.cert = (str(cert.cert), str(cert.key))
    client = Client(f"{url}?wsdl", wsse=UsernameToken(username, PASSWORD), transport=Transport(session=session))
    return client.create_service(next(iter(client.wsdl.bindings)), url)


def _reference_client(front: ProviderProcess, username: str, pki: Pki, cert: Issued | None = None) -> MitrooClient:
    return MitrooClient(front.base_url, username, PASSWORD, unit="Τμήμα Ελέγχου", user_id="user-17",
                        provider_certificates=[signing_key_files().cert], ca_bundle=pki.ca.cert, retries=0,
                        client_cert=None if cert is None else (cert.cert, cert.key))


def test_https_calls_with_zeep_and_the_reference_client(database: PreparedDatabase, front: ProviderProcess,
                                                        pki: Pki) -> None:
    assert front.base_url.startswith("https://127.0.0.1:")
    username = new_agency(database, environment="production")
    service = _zeep(front.url(), username, pki)
    answer = service.getMunicipalities(auditRecord=audit_record(), getMunicipalitiesInputRecord={})
    assert len(answer.getMunicipalitiesOutputRecord.municipality) > 0
    reply = _reference_client(front, username, pki).get_municipalities(protocol="ΑΠ 1/2026")
    assert len(reply.data) > 0
    # The certificate is checked: without the test CA the client refuses the server.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{front.url()}?wsdl", timeout=10)


def _handshake(front: ProviderProcess, pki: Pki, version: ssl.TLSVersion) -> str:
    context = ssl.create_default_context(cafile=str(pki.ca.cert))
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # the client would offer old versions; the server must refuse
    context.minimum_version = context.maximum_version = version
    address = urlsplit(front.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return str(tls.version())


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_1_2_and_1_3_only(front: ProviderProcess, pki: Pki) -> None:
    assert _handshake(front, pki, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    assert _handshake(front, pki, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        with pytest.raises(ssl.SSLError, match="ALERT_PROTOCOL_VERSION"):  # the server's refusal, not the client's
            _handshake(front, pki, old)


def test_a_user_bound_to_a_client_certificate(database: PreparedDatabase, front: ProviderProcess, pki: Pki) -> None:
    username = new_agency(database, environment="production")
    _bind(database, username, pki.alice)
    with Session(database.engine) as session:
        stored = session.scalar(select(WsUser.client_cert_sha256).where(WsUser.username == username))
    assert stored == sha256_hex(pki.alice.certificate)
    answer = _post(front.url(), username, verify=pki.ca.cert, cert=pki.alice)
    assert answer.status == 200 and not answer.is_fault, answer.raw[:400]
    assert _zeep(front.url(), username, pki, cert=pki.alice).getMunicipalities(
        auditRecord=audit_record(), getMunicipalitiesInputRecord={}).getMunicipalitiesOutputRecord is not None
    assert len(_reference_client(front, username, pki, pki.alice).get_municipalities(protocol="ΑΠ 2/2026").data) > 0

    refusals = {
        "missing": _post(front.url(), username, verify=pki.ca.cert),
        "another of the same CA": _post(front.url(), username, verify=pki.ca.cert, cert=pki.bob),
        "not issued by the client CA": _post(front.url(), username, verify=pki.ca.cert, cert=pki.stranger),
        # The header the front sets is overwritten, whatever a client sends under its name.
        "forged header": _post(front.url(), username, verify=pki.ca.cert, headers={
            CLIENT_CERT_HEADER: quote(pki.alice.cert.read_text())}),
    }
    for case, answer in refusals.items():
        assert answer.status == 500 and answer.error_code == "MP_AUTHENTICATION_FAILED", (case, answer.raw[:500])
        faultstring = answer.text("faultstring") or ""
        wanted = "bound to another client certificate" if case == "another of the same CA" else "call over HTTPS presenting it"
        assert wanted in faultstring, (case, faultstring)
        row = audit_row(database.engine, answer.call_sequence_id)
        assert (row.outcome, row.username) == ("MP_AUTHENTICATION_FAILED", username)

    with pytest.raises(Fault, match="bound to a client certificate"):
        _zeep(front.url(), username, pki).getMunicipalities(auditRecord=audit_record(), getMunicipalitiesInputRecord={})
    with pytest.raises(ProviderError) as refused:
        _reference_client(front, username, pki, pki.bob).get_municipalities(protocol="ΑΠ 3/2026")
    assert refused.value.code == "MP_AUTHENTICATION_FAILED"
    assert "bound to another client certificate" in refused.value.description

    # mitroo-client over HTTPS with its CA bundle and the bound certificate; without the certificate, refused.
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_CLIENT_URL=front.base_url, MITROO_CLIENT_USERNAME=username,
               MITROO_CLIENT_PASSWORD=PASSWORD, MITROO_CLIENT_UNIT="Δ/νση Ελέγχου", MITROO_CLIENT_USER_ID="cli-user",
               MITROO_CLIENT_CERTIFICATES=str(signing_key_files().cert), MITROO_CLIENT_CA_BUNDLE=str(pki.ca.cert))
    command = [CLIENT, "getActTypes", "--protocol", "ΑΠ 4/2026", "--json"]
    with_cert = subprocess.run(command, env=dict(env, MITROO_CLIENT_CLIENT_CERT=str(pki.alice.cert),
                                                 MITROO_CLIENT_CLIENT_KEY=str(pki.alice.key)),
                               capture_output=True, text=True, timeout=120)
    assert with_cert.returncode == 0 and json.loads(with_cert.stdout)["data"], with_cert.stderr
    without = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert without.returncode != 0 and "MP_AUTHENTICATION_FAILED" in without.stdout + without.stderr

    # A user without a binding may present any certificate, or none.
    free = new_agency(database, environment="production")
    for cert in (None, pki.bob, pki.stranger):
        answer = _post(front.url(), free, verify=pki.ca.cert, cert=cert)
        assert answer.status == 200 and not answer.is_fault, answer.raw[:400]


@pytest.mark.parametrize("through_front", [False, True], ids=["bare", "front"])
def test_production_refuses_plain_http(database: PreparedDatabase, tmp_path: Path, through_front: bool) -> None:
    username = new_agency(database, environment="production")
    settings = {"MITROO_FRONT": "nginx"} if through_front else {}
    with provider_process(database, tmp_path, threads=2, MITROO_ENVIRONMENT="production", **settings) as served:
        assert served.base_url.startswith("http://")
        # The front sets X-Forwarded-Proto itself: a client claiming https changes nothing.
        answer = _post(served.url(), username, verify=False, headers={"X-Forwarded-Proto": "https"})
        assert answer.status == 500 and answer.error_code == "MP_MALFORMED_REQUEST", answer.raw[:500]
        assert "plain HTTP refused: call the https:// URL" in (answer.text("faultstring") or "")
        row = audit_row(database.engine, answer.call_sequence_id)
        assert row.outcome == "MP_MALFORMED_REQUEST" and "HTTPS" in (row.outcome_detail or "")
        # The WSDL and /health stay readable over plain HTTP.
        assert requests.get(f"{served.url()}?wsdl", timeout=10).status_code == 200
        assert requests.get(f"{served.base_url}/health", timeout=10).status_code == 200
    with provider_process(database, tmp_path, threads=2, MITROO_ENVIRONMENT="production",
                          MITROO_TRUSTED_PROXIES="127.0.0.1") as trusting:
        # From a configured trusted proxy that does not say the client used plain http: served.
        assert not _post(trusting.url(), username, verify=False).is_fault
        said_http = _post(trusting.url(), username, verify=False, headers={"X-Forwarded-Proto": "http"})
        assert said_http.error_code == "MP_MALFORMED_REQUEST"
