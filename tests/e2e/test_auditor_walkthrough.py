"""The auditor walkthrough of docs/auditors.md, as a new user runs it: a fresh demo served by
``mitroo-provider serve``, three client calls about one citizen, then ``mitroo-audit`` shows
them, prints the citizen's report, verifies a sealed log, and fails verify after a hand edit."""
from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from tests.docs_text import doc_block
from tests.e2e.test_serve import CLI

pytestmark = pytest.mark.slow  # processes (the CLIs, serve)

ROOT = Path(__file__).resolve().parents[2]


def test_the_auditor_walkthrough(env: dict[str, str], tmp_path: Path) -> None:
    demo = subprocess.run([CLI, "demo", "--persons", "300"], env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    server = subprocess.Popen([CLI, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        server.stdout.readline()  # type: ignore[union-attr]  # listening: the walkthrough may start
        script = doc_block("docs/auditors.md", "readme-auditor-walkthrough", "bash").replace(
            "http://127.0.0.1:8000", env["MITROO_PUBLIC_URL"]).replace('"$PWD/.venv/bin', f'"{ROOT}/.venv/bin')
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=20)
    out = ran.stdout
    assert ran.returncode == 0, out + ran.stderr
    search_rows = [line for line in out.splitlines() if "demo-aade-eispraxis" in line]
    for operation, protocol in (("getBirthAct", "ΑΠ 501/2026"), ("getBirthCertificate", "ΑΠ 502/2026"),
                                ("searchActs", "ΑΠ 503/2026")):
        assert any(operation in row and protocol in row for row in search_rows), (operation, search_rows)
    report = out[out.index("28058460537"):]
    assert "Επίδομα παιδιού" in report and "ΑΠ 501/2026" in report and "ΑΠ 503/2026" in report
    assert "OK: " in out and " sealed events in " in out
    assert "TAMPERED: event " in ran.stderr and "was altered or reordered after it was sealed" in ran.stderr
    assert "verify exit code 1" in out
