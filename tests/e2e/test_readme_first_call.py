"""The README's first call, as a newcomer runs it right after ``scripts/serve``: a fresh demo served
by ``mitroo-provider serve``, then the README's block (the reference client's command, then a raw
request of ``mitroo-client envelope`` sent with curl) with the venv's commands."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs_text import doc_block
from tests.e2e.test_serve import CLI

pytestmark = pytest.mark.slow  # serve and the README's commands in processes


def test_the_first_call(env: dict[str, str], tmp_path: Path) -> None:
    demo = subprocess.run([CLI, "demo", "--persons", "0"], env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    server = subprocess.Popen([CLI, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = ""
        while "mitroo-provider listening on" not in banner and len(banner.splitlines()) < 20:
            banner += server.stdout.readline()  # type: ignore[union-attr]
        script = doc_block("README.md", "readme-first-call", "bash")
        assert script.count(".venv/bin/") == 2
        script = script.replace("http://127.0.0.1:8000", env["MITROO_PUBLIC_URL"]).replace(
            ".venv/bin/", f"{Path(sys.executable).parent}/")
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=120)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    table, _, answer = ran.stdout.partition("<?xml")
    assert "Χανίων" in table and "Ηρακλείου" in table and "Αθηναίων" not in table
    assert "getRegistryOfficesResponse" in answer and "L7401" in answer and "Fault" not in answer
    assert "callSequenceId" in ran.stderr  # mitroo-client envelope's note, and its curl line
