"""The integration guide's PHP (SoapClient), Node (npm's soap) and Python (zeep) examples, run as
an integrator runs them against the provider over the demo dataset (the rolls provider): one call per service,
an errorRecord and a fault, each answer's signature checked by the example before it is read.
Every line the example prints is held against the provider's audit trail (tests/examples.py).

scripts/install-examples (run by scripts/test) installs php-cli, php-soap, php-xml, node and the
example's npm packages; the Java and .NET examples run from scripts/interop instead.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from provider.xml.keys import SignatureAlgorithm
from tests.conftest import signing_key_files
from tests.examples import COMMANDS, check
from tests.rolls_fixtures import Rolls


@pytest.mark.parametrize("stack", sorted(COMMANDS))
def test_the_example_calls_every_service_and_reads_an_error_record_and_a_fault(
        rolls: Rolls, stack: str, tmp_path: Path) -> None:
    certificate = tmp_path / "provider-cert.pem"
    certificate.write_bytes(requests.get(f"{rolls.running.base_url}/certificates", timeout=10).content)
    env = {**os.environ, "MITROO_URL": rolls.running.base_url, "MITROO_CERT": str(certificate)}
    run = subprocess.run(COMMANDS[stack], env=env, capture_output=True, text=True, encoding="utf-8", timeout=180,
                         cwd=tmp_path)
    assert run.returncode == 0 and run.stderr == "", run.stdout + run.stderr
    check(rolls.engine, run.stdout)


def test_an_answer_whose_signature_does_not_verify_stops_the_examples(rolls: Rolls, tmp_path: Path) -> None:
    """Pinned to another certificate, every example refuses the first answer and reads nothing."""
    other = signing_key_files(SignatureAlgorithm.RSA_SHA256, name="not-the-provider").cert
    env = {**os.environ, "MITROO_URL": rolls.running.base_url, "MITROO_CERT": str(other)}
    for stack, command in COMMANDS.items():
        run = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", timeout=180,
                             cwd=tmp_path)
        assert run.returncode == 1 and run.stdout == "", f"{stack}: {run.stdout}"
        assert run.stderr.startswith("error: signature not valid"), f"{stack}: {run.stderr}"
