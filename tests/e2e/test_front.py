"""The buffering front (``serve`` with MITROO_FRONT=nginx), as docs/operations.md deploys it for production:
slow clients are held by nginx and cut after the documented deadlines while ordinary calls are
answered (scripts/slow-clients, run small); the WSDL, /health and /metrics (loopback only unless
allowed) work through it; the client address is the front's peer whatever a client claims; a body
over MITROO_MAX_BODY_BYTES is refused with the provider's SOAP fault; SIGTERM stops nginx and
gunicorn together, and the death of either stops serve. No timing is asserted beyond generous bounds."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import PASSWORD, USERS, PreparedDatabase, prepare_database
from tests.processes import ProviderProcess, provider_process
from tests.support import audit_row, envelope, post, security_text

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "slow_clients.py"


def test_slow_clients_are_held_by_the_front_and_cut_after_the_deadlines(tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    run = subprocess.run([sys.executable, str(SCRIPT), "--header-tricklers", "200", "--body-tricklers", "200",
                          "--calls", "40", "--header-timeout", "6", "--body-timeout", "3", "--p99-limit", "10",
                          "--cut-grace", "10", "--no-bare", "--json", str(report_file)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    front = json.loads(report_file.read_text(encoding="utf-8"))["front (nginx)"]
    # Every trickler held open when the ordinary calls began, and all of them answered.
    assert front["tricklers open when the calls started"] == {"header": 200, "body": 200}
    assert front["ordinary calls"]["answered"] == front["ordinary calls"]["sent"] == 40
    # Cut no earlier than the deadline (header: from the connection; body: from the last byte), none left.
    header, body = front["header tricklers cut"], front["body tricklers cut"]
    assert (header["cut"], header["still open"], body["cut"], body["still open"]) == (200, 0, 200, 0)
    assert 5 <= header["min s"] and header["max s"] <= 16
    assert 2 <= body["min s"] and body["max s"] <= 13


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> PreparedDatabase:
    return prepare_database("sqlite", tmp_path_factory.mktemp("front-db"))


@pytest.fixture()
def front(sqlite_db: PreparedDatabase, tmp_path: Path) -> Iterator[ProviderProcess]:
    with provider_process(sqlite_db, tmp_path, threads=2, MITROO_FRONT="nginx", MITROO_MAX_BODY_BYTES="65536") as served:
        yield served


def test_through_the_front(sqlite_db: PreparedDatabase, front: ProviderProcess) -> None:
    assert requests.get(f"{front.url()}?wsdl", timeout=10).content.startswith(b"<?xml")
    assert requests.get(f"{front.base_url}/health", timeout=10).json()["status"] == "ok"
    assert "mitroo_audit_write_seconds" in requests.get(f"{front.base_url}/metrics", timeout=10).text
    body = envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))
    answer = post(front.url(), body, headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status == 200 and not answer.is_fault, answer.raw[:300]
    assert audit_row(sqlite_db.engine, answer.call_sequence_id).observed_ip == "127.0.0.1"
    too_large = post(front.url(), body + b" " * 70_000)
    assert too_large.status == 500 and too_large.error_code == "MP_MALFORMED_REQUEST"
    assert "65536 bytes (body too large)" in (too_large.text("faultstring") or "")
    assert front.process.poll() is None


def test_metrics_only_from_the_allowed_addresses(sqlite_db: PreparedDatabase, tmp_path: Path) -> None:
    with provider_process(sqlite_db, tmp_path, threads=2, MITROO_FRONT="nginx",
                          MITROO_FRONT_METRICS_ALLOW="192.0.2.0/24") as served:
        assert requests.get(f"{served.base_url}/metrics", timeout=10).status_code == 403
        assert requests.get(f"{served.base_url}/health", timeout=10).status_code == 200


def _children(pid: int) -> dict[int, str]:
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0


def _listening(base_url: str) -> bool:
    address = urlsplit(base_url)
    try:
        socket.create_connection((address.hostname, address.port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize("how", ["SIGTERM", "nginx dies"])
def test_serve_and_its_front_stop_together(sqlite_db: PreparedDatabase, tmp_path: Path, how: str) -> None:
    with provider_process(sqlite_db, tmp_path, threads=2, MITROO_FRONT="nginx") as served:
        children = _children(served.process.pid)
        nginx = next(pid for pid, line in children.items() if "nginx" in line)
        gunicorn = next(pid for pid, line in children.items() if "provider.cli serve" in line)
        runtime = Path(next(line for line in children.values() if "nginx" in line).split(" -p ")[1].split()[0])
        assert (runtime / "nginx.conf").is_file()
        if how == "SIGTERM":
            served.process.send_signal(signal.SIGTERM)
            assert served.process.wait(timeout=60) == 0
        else:
            os.kill(nginx, signal.SIGKILL)
            assert served.process.wait(timeout=60) == 1
            assert "the front's nginx exited; stopping" in served.log_text()
        deadline = time.monotonic() + 10
        while not (_gone(nginx) and _gone(gunicorn)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(nginx) and _gone(gunicorn)
        assert not runtime.exists() and not _listening(served.base_url)
