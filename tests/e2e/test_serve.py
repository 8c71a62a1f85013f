"""The README's first command, as a user meets it: the console script sets up the demo
dataset (and a development signing key) and serves; a zeep call with the printed demo credentials
returns the municipalities, the xmlsec1 block of docs/operations.md verifies a demo answer and the
reference client's example of docs/integration.md runs."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from zeep import Client
from zeep.wsse.username import UsernameToken

from provider.synthetic.demo import DEMO_USERS
from tests.docs_text import doc_block
from tests.support import audit_record

pytestmark = pytest.mark.slow  # mitroo-provider serve in a process

CLI = str(Path(sys.executable).with_name("mitroo-provider"))


def test_demo_then_serve_answers_zeep(env: dict[str, str], tmp_path: Path) -> None:
    demo = subprocess.run([CLI, "demo", "--persons", "300"], env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    user = DEMO_USERS[0]
    assert user.username in demo.stdout and user.password in demo.stdout
    assert "Development signing key" in demo.stdout
    server = subprocess.Popen([CLI, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"{env['MITROO_PUBLIC_URL']}/ws/registryParameters"
        banner = ""  # the JSON log lines on standard error (merged here) come first
        while url not in banner and len(banner.splitlines()) < 20:
            banner += server.stdout.readline()  # type: ignore[union-attr]
        assert url in banner and "mitroo-provider listening on" in banner
        client = Client(f"{url}?wsdl", wsse=UsernameToken(user.username, user.password))
        answer = client.service.getMunicipalities(auditRecord=audit_record(), getMunicipalitiesInputRecord={})
        assert len(answer.getMunicipalitiesOutputRecord.municipality) == 332
        script = doc_block("docs/operations.md", "readme-verify-demo", "bash")
        script = script.replace("http://127.0.0.1:8000", env["MITROO_PUBLIC_URL"])
        verified = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True,
                                  text=True, timeout=60)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "OK" in verified.stderr and "SignedInfo References (ok/all): 2/2" in verified.stderr
        answered = (tmp_path / "response.xml").read_bytes()
        assert b"BIRTH" in answered and b"Fault" not in answered
        example = doc_block("docs/integration.md", "readme-client-example", "python")
        example = example.replace("http://127.0.0.1:8000", env["MITROO_PUBLIC_URL"])
        ran = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        assert "Χανίων" in ran.stdout and "MP_NOT_FOUND" in ran.stdout
        assert len(list((tmp_path / "evidence").glob("*.xml"))) == 2
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)


def test_serve_refuses_an_unmigrated_database(env: dict[str, str]) -> None:
    result = subprocess.run([CLI, "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "mitroo-provider db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_is_idempotent(env: dict[str, str]) -> None:
    for _ in range(2):
        result = subprocess.run([CLI, "demo", "--persons", "0"], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
