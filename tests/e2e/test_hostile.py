"""The hostile-request corpus (tests/data/hostile, issue 10 §1) against the real provider over HTTP.

For every case: the right SOAP fault within 200 ms of the full request, nothing leaked (file
contents, libxml2's words, a traceback), no URL fetched, nothing at ERROR in the log and never the
raw body there, an audit row with the observed IP, and the provider still answering. A second test
sends the whole corpus to ``mitroo-provider serve`` in its own process and bounds the growth of its
resident memory (VmHWM: it counts libxml2's allocations too, which tracemalloc would not see).
"""
from __future__ import annotations

import io
import logging
import re
import socket
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from lxml import etree

from tests.conftest import PASSWORD, USERS, PreparedDatabase, Running
from tests.hostile_corpus import Canary, Case, Context, cases, render, send
from tests.processes import ProviderProcess, provider_process
from tests.support import audit_row, envelope, security_text

CASES = cases()
# Measured from the last byte sent; generous for a loaded 2-core CI machine (issue 10: 200 ms).
BOUND_SECONDS = 0.2
MEMORY_BOUND_BYTES = 50 * 1024 * 1024
LEAKS = ("Traceback", "lxml", "libxml", "XML_PARSE", 'File "', "site-packages", "line 1, column", "Excessive",
         "Invalid bytes", "/tmp/", "/work/")


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(f"SECRET-{uuid.uuid4().hex}\n", encoding="utf-8")
    return path


def test_every_file_is_a_case_and_carries_the_marker() -> None:
    files = {path.name for path in (Path(__file__).parents[1] / "data" / "hostile").iterdir()} - {"cases.json"}
    assert files == {case.file for case in CASES}
    for case in CASES:
        if case.file != "empty.txt":
            assert "$marker" in (Path(__file__).parents[1] / "data" / "hostile" / case.file).read_text("utf-8"), case.name


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_request(
    provider: Running, case: Case, canary: Canary, secret_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    context = Context(secret_file=secret_file, canary_url=canary.url)
    body = render(case, context)
    caplog.set_level(logging.INFO)
    reply = send(provider.base_url, case, body)

    assert reply.content_type.startswith("text/xml"), reply.body[:300]
    answer = etree.fromstring(reply.body)
    text = "".join(answer.itertext())
    fault = answer.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault is not None and reply.status == 500, reply.body[:500]
    assert fault.findtext("faultcode") == f"soap:Client.{case.code}"
    assert case.reason in fault.findtext("faultstring"), fault.findtext("faultstring")
    assert reply.seconds < BOUND_SECONDS, f"{case.name}: answered {reply.seconds * 1000:.0f} ms after the request"

    secret = secret_file.read_text("utf-8").strip()
    for leak in (*LEAKS, secret):
        assert leak not in text, f"{case.name} leaks {leak!r}: {text[:300]}"
    assert canary.connections == 0, "the provider fetched a URL named by a request"

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert not errors, [record.getMessage() for record in errors]
    logged = "\n".join(caplog.text.splitlines())
    assert context.marker not in logged and secret not in logged

    call_sequence_id = answer.findtext(".//{urn:mitroo-politon:common:v1}callSequenceId")
    row = audit_row(provider.engine, call_sequence_id)
    assert (row.outcome, row.observed_ip) == (case.code, "127.0.0.1")

    still = send(provider.base_url, Case("valid", "valid-request.xml", ""), render(Case("valid", "valid-request.xml", ""), context))
    assert still.status == 200 and b"<errorCode>" not in still.body, still.body[:500]


# -- memory, in a provider process of its own ---------------------------------------------------


def _status(pid: int, field: str) -> int:
    """A /proc/<pid>/status field in bytes (VmRSS, VmHWM)."""
    match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    assert match, field
    return int(match.group(1)) * 1024


@pytest.fixture()
def served(database: PreparedDatabase, tmp_path: Path) -> Iterator[ProviderProcess]:
    with provider_process(database, tmp_path, threads=4) as process:
        yield process


def test_memory_growth_across_the_corpus(served: ProviderProcess, canary: Canary, secret_file: Path) -> None:
    base_url, process = served.base_url, served.process
    context = Context(secret_file=secret_file, canary_url=canary.url)
    valid = Case("valid", "valid-request.xml", "")
    for _ in range(20):  # warm up: schemas, sessions, the credential cache
        assert send(base_url, valid, render(valid, context)).status == 200
    baseline = _status(process.pid, "VmRSS")
    Path(f"/proc/{process.pid}/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    for case in CASES:
        reply = send(base_url, case, render(case, context))
        assert reply.status == 500, case.name
    assert send(base_url, valid, render(valid, context)).status == 200
    peak = _status(process.pid, "VmHWM")
    assert peak - baseline < MEMORY_BOUND_BYTES, f"peak RSS grew {(peak - baseline) / 2**20:.1f} MB"
    assert process.poll() is None
    logged = served.log_text()
    assert context.marker not in logged and "Traceback" not in logged, logged[-2000:]


# -- a Content-Length longer than the body ---------------------------------------------------------


def test_content_length_longer_than_the_body(provider: Running, canary: Canary, secret_file: Path) -> None:
    """The request never completes, so there is nothing to answer: waitress buffers the body before
    any worker sees it, so the liar holds no worker while others are answered, and when it gives up
    (closes its side) the connection is dropped without an answer and nothing reaches the provider."""
    import socket
    import time

    context = Context(secret_file=secret_file, canary_url=canary.url)
    valid = Case("valid", "valid-request.xml", "")
    body = render(valid, context)
    host, port = provider.base_url.removeprefix("http://").split(":")
    liars = []
    for _ in range(8):  # more than the fixture's 4 worker threads
        liar = socket.create_connection((host, int(port)), timeout=10)
        liar.sendall(b"POST /ws/registryParameters HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml; charset=utf-8\r\n"
                     b"SOAPAction: \"\"\r\nContent-Length: %d\r\n\r\n" % (len(body) + 100) + body)
        liars.append(liar)
    try:
        started = time.monotonic()
        reply = send(provider.base_url, valid, render(valid, context))
        assert reply.status == 200 and time.monotonic() - started < 5
    finally:
        for liar in liars:
            liar.shutdown(socket.SHUT_WR)
            assert liar.recv(100) == b""  # closed, never answered
            liar.close()


def test_a_body_shorter_than_its_content_length_is_refused_by_the_gateway(provider: Running) -> None:
    """Servers that hand the application a body cut short at the client's close (gunicorn does) get
    a specific fault from the gateway itself; the WSGI application is called directly here."""
    body = envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/ws/registryParameters", "CONTENT_TYPE": "text/xml; charset=utf-8",
               "CONTENT_LENGTH": str(len(body) + 100), "HTTP_SOAPACTION": '""', "REMOTE_ADDR": "192.0.2.7",
               "wsgi.input": io.BytesIO(body)}
    statuses: list[str] = []
    answer = etree.fromstring(b"".join(provider.app(environ, lambda status, headers: statuses.append(status))))
    assert statuses == ["500 Internal Server Error"]
    assert "body shorter than Content-Length" in answer.findtext(".//faultstring")
    row = audit_row(provider.engine, answer.findtext(".//{urn:mitroo-politon:common:v1}callSequenceId"))
    assert (row.outcome, row.observed_ip) == ("MP_MALFORMED_REQUEST", "192.0.2.7")
