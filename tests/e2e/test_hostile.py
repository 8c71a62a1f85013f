"""The hostile-request corpus (tests/data/hostile, issue 10 §1) against the production server:
``mitroo-provider serve`` (gunicorn) in a process of its own, one per database, over HTTP.

For every case: the right SOAP fault within 200 ms of the full request, nothing leaked (file
contents, libxml2's words, a traceback), no URL fetched, nothing at ERROR in the server's log and
never the raw body there, an audit row with the observed IP, and the provider still answering. A
second test sends the whole corpus to a fresh ``serve`` and bounds the growth of its worker's
resident memory (VmHWM: it counts libxml2's allocations too, which tracemalloc would not see).
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from provider.errors import ErrorCode
from tests.conftest import PreparedDatabase
from tests.hostile_corpus import Canary, Case, Context, cases, render, send
from tests.processes import ProviderProcess, provider_process
from tests.support import audit_row

CASES = cases()
# Measured from the last byte sent; generous for a loaded 2-core CI machine (issue 10: 200 ms).
BOUND_SECONDS = 0.2
LOGIN_BOUND_SECONDS = 1.0  # a case whose password is checked pays Argon2 (about 0.1 s) on purpose
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


@pytest.fixture(scope="module")
def server(
    database: PreparedDatabase, tmp_path_factory: pytest.TempPathFactory, canary: Canary, secret_file: Path
) -> Iterator[ProviderProcess]:
    with provider_process(database, tmp_path_factory.mktemp("serve"), threads=4) as process:
        _warm_up(process.base_url, Context(secret_file=secret_file, canary_url=canary.url))
        yield process


def _warm_up(base_url: str, context: Context) -> None:
    """The first calls of a worker build its schemas, sessions and credential cache: not what is timed."""
    valid = Case("valid", "valid-request.xml", "")
    for _ in range(20):
        assert send(base_url, valid, render(valid, context)).status == 200


def _records(logged: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in logged.splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.slow
def test_hostile_request(
    server: ProviderProcess, database: PreparedDatabase, case: Case, canary: Canary, secret_file: Path
) -> None:
    context = Context(secret_file=secret_file, canary_url=canary.url)
    body = render(case, context)
    log_start = server.log.stat().st_size
    reply = send(server.base_url, case, body)

    assert reply.content_type.startswith("text/xml"), reply.body[:300]
    answer = etree.fromstring(reply.body)
    text = "".join(answer.itertext())
    fault = answer.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault is not None and reply.status == 500, reply.body[:500]
    assert fault.findtext("faultcode") == f"soap:{ErrorCode[case.code].kind.value}.{case.code}"
    assert case.reason in fault.findtext("faultstring"), fault.findtext("faultstring")
    bound = LOGIN_BOUND_SECONDS if case.password_checked else BOUND_SECONDS
    assert reply.seconds < bound, f"{case.name}: answered {reply.seconds * 1000:.0f} ms after the request"

    secret = secret_file.read_text("utf-8").strip()
    for leak in (*LEAKS, secret):
        assert leak not in text, f"{case.name} leaks {leak!r}: {text[:300]}"
    assert canary.connections == 0, "the provider fetched a URL named by a request"

    call_sequence_id = answer.findtext(".//{urn:mitroo-politon:common:v1}callSequenceId")
    row = audit_row(database.engine, call_sequence_id)
    assert (row.outcome, row.observed_ip) == (case.code, "127.0.0.1")

    still = send(server.base_url, Case("valid", "valid-request.xml", ""), render(Case("valid", "valid-request.xml", ""), context))
    assert still.status == 200 and b"<errorCode>" not in still.body, still.body[:500]
    with server.log.open("rb") as log:
        log.seek(log_start)
        logged = log.read().decode("utf-8", errors="replace")
    errors = [record for record in _records(logged) if record.get("level") in ("ERROR", "CRITICAL")]
    assert not errors, errors
    assert context.marker not in logged and secret not in logged


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


@pytest.mark.slow
def test_memory_growth_across_the_corpus(served: ProviderProcess, canary: Canary, secret_file: Path) -> None:
    base_url, process = served.base_url, served.process
    context = Context(secret_file=secret_file, canary_url=canary.url)
    valid = Case("valid", "valid-request.xml", "")
    _warm_up(base_url, context)
    [worker] = served.worker_pids()
    baseline = _status(worker, "VmRSS")
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    for case in CASES:
        if case.password_checked:
            continue  # Argon2 takes 64 MiB while it hashes, by design (docs/security.md): not a leak
        reply = send(base_url, case, render(case, context))
        assert reply.status == 500, case.name
    assert send(base_url, valid, render(valid, context)).status == 200
    peak = _status(worker, "VmHWM")
    assert peak - baseline < MEMORY_BOUND_BYTES, f"peak RSS grew {(peak - baseline) / 2**20:.1f} MB"
    assert process.poll() is None and served.worker_pids() == [worker], "a worker died or was replaced"
    logged = served.log_text()
    assert context.marker not in logged and "Traceback" not in logged, logged[-2000:]
