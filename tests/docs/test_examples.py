"""The integration guide's PHP (SoapClient) and Node (npm's soap) examples, run as an integrator
runs them against the provider over the demo dataset (the rolls provider): one call per service,
an errorRecord and a fault, each answer's signature checked by the example before it is read.
Every line the example prints is held against the provider's audit trail.

scripts/install-examples (run by scripts/test) installs php-cli, php-soap, php-xml, node and the
example's npm packages; the Java and .NET examples run from scripts/interop instead.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

from provider.keys import SignatureAlgorithm
from tests.conftest import signing_key_files
from tests.rolls_fixtures import Rolls
from tests.support import audit_row

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COMMANDS = {
    "php": ["php", str(EXAMPLES / "php" / "mitroo_example.php")],
    "node": ["node", str(EXAMPLES / "node" / "mitroo-example.js")],
}
LINE = re.compile(r"^(?P<service>\w+)\.(?P<operation>\w+) callSequenceId=(?P<id>[0-9a-f-]{36}) "
                  r"signature=verified (?P<kind>ok|errorRecord|fault) (?P<detail>.*)$")
AADE, CLERK, AUDITOR = "demo-aade-eispraxis", "demo-dimos-athinaion", "demo-auditor"
# (service, operation, caller, what the example printed, what it must say, the audited outcome)
EXPECTED = [
    ("registryParameters", "getRegistryOffices", AADE, "ok", "L7401 Ληξιαρχείο Δήμου Χανίων", "OK"),
    ("civilRegistryActs", "getDeathAct", AADE, "ok",
     "deceased ΓΑΛΑΤΙΟΣ ΚΟΥΛΙΔΗΣ (GALATIOS KOULIDIS) on 2022-05-19", "OK"),
    ("civilStatusCertificates", "getMaritalStatusCertificate", AADE, "ok", "certificate MS-", "OK"),
    ("specialElectoralRolls", "checkVoterEligibility", CLERK, "ok", "eligible=true category=ΣΤ", "OK"),
    ("audit", "searchAuditEvents", AUDITOR, "ok", "registryParameters.getRegistryOffices by demo-aade-eispraxis: OK",
     "OK"),
    ("civilRegistryActs", "getDeathAct", AADE, "errorRecord",
     "MP_NOT_FOUND: Δεν βρέθηκαν στοιχεία: δεν υπάρχει ληξιαρχική πράξη θανάτου με αριθμό 99999", "MP_NOT_FOUND"),
    ("registryParameters", "getRegistryOffices", AADE, "fault",
     "soap:Client.MP_AUTHENTICATION_FAILED MP_AUTHENTICATION_FAILED: Αποτυχία ταυτοποίησης", "MP_AUTHENTICATION_FAILED"),
]


@pytest.mark.parametrize("stack", sorted(COMMANDS))
def test_the_example_calls_every_service_and_reads_an_error_record_and_a_fault(
        rolls: Rolls, stack: str, tmp_path: Path) -> None:
    certificate = tmp_path / "provider-cert.pem"
    certificate.write_bytes(requests.get(f"{rolls.running.base_url}/certificates", timeout=10).content)
    env = {**os.environ, "MITROO_URL": rolls.running.base_url, "MITROO_CERT": str(certificate)}
    run = subprocess.run(COMMANDS[stack], env=env, capture_output=True, text=True, encoding="utf-8", timeout=180,
                         cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stdout + run.stderr
    lines = [LINE.match(line) for line in run.stdout.splitlines()]
    assert all(lines), run.stdout
    assert len(lines) == len(EXPECTED), run.stdout
    for line, (service, operation, caller, kind, detail, outcome) in zip(lines, EXPECTED):
        assert (line["service"], line["operation"], line["kind"]) == (service, operation, kind), line.string
        assert line["detail"].startswith(detail), line.string
        event = audit_row(rolls.engine, line["id"])
        assert (event.service, event.operation, event.outcome) == (service, operation, outcome), line.string
        if kind != "fault":  # the fault is a wrong password: nobody was authenticated
            assert (event.username, event.audit_unit) == (caller, "Δ/νση Ελέγχου"), line.string


def test_an_answer_whose_signature_does_not_verify_stops_the_examples(rolls: Rolls, tmp_path: Path) -> None:
    """Pinned to another certificate, both examples refuse the first answer and read nothing."""
    other = signing_key_files(SignatureAlgorithm.RSA_SHA256, name="not-the-provider").cert
    env = {**os.environ, "MITROO_URL": rolls.running.base_url, "MITROO_CERT": str(other)}
    for stack, command in COMMANDS.items():
        run = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", timeout=180,
                             cwd=tmp_path)
        assert run.returncode == 1 and run.stdout == "", f"{stack}: {run.stdout}"
        assert run.stderr.startswith("error: signature not valid"), f"{stack}: {run.stderr}"
