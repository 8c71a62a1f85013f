"""Operations over HTTP on the in-process provider: /health (audit store writable, 503 with reasons,
no secrets), /metrics (per service, operation and outcome, bounded labels), JSON log lines carrying
the callSequenceId, and the benchmark-only switches (unsigned answers, the echo service)."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from provider import logs
from provider.settings import Settings
from tests.conftest import PASSWORD, USERS, PreparedDatabase, Running, serve, settings_for, stop
from tests.support import envelope, post, security_text


def metric(base_url: str, name: str, **labels: str) -> float:
    text = requests.get(f"{base_url}/metrics", timeout=30).text
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.split("{")[0].split(" ")[0] == name and all(label in line for label in wanted)]
    return sum(values)


def test_health_reports_the_audit_store_writable(provider: Running) -> None:
    response = requests.get(f"{provider.base_url}/health", timeout=30)
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok" and report["problems"] == []
    assert report["database"]["reachable"] and report["database"]["atHead"]
    assert report["audit"] == {"writable": True}
    assert report["signing"]["keyLoaded"] is True and report["signing"]["certificateDaysLeft"] > 0


def test_health_leaves_no_audit_event_behind(provider: Running) -> None:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from db.models import AuditEvent

    with Session(provider.engine) as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.service == "health"))
        requests.get(f"{provider.base_url}/health", timeout=30)
        after = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.service == "health"))
    assert before == after == 0


def test_health_is_503_when_the_audit_store_refuses_writes(unwritable_audit: Running) -> None:
    response = requests.get(f"{unwritable_audit.base_url}/health", timeout=30)
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "unavailable"
    assert report["audit"] == {"writable": False}
    assert report["database"]["reachable"] is True
    assert any(problem.startswith("audit store not writable (") for problem in report["problems"])
    assert "disk full" not in response.text  # the database's own message stays in the provider's log


@pytest.mark.slow
def test_health_of_an_unreachable_database_names_no_secret(database: PreparedDatabase, tmp_path: Path) -> None:
    secret_url = "postgresql+psycopg://mitroo-operator:s3cret-Passw0rd@127.0.0.1:1/registry_prod"
    settings = replace(settings_for(database, tmp_path), database_url=secret_url)
    running, server = serve(settings)
    try:
        response = requests.get(f"{running.base_url}/health", timeout=30)
    finally:
        stop(server, running.app)
    assert response.status_code == 503
    report = response.json()
    assert report["database"] == {"reachable": False} and report["audit"] == {"writable": False}
    assert report["problems"] == ["database unreachable (OperationalError)"]
    for secret in ("s3cret", "mitroo-operator", "registry_prod", "127.0.0.1", str(settings.signing_key_file),
                   str(settings.credential_key_file), str(tmp_path)):
        assert secret not in response.text


def test_metrics_count_calls_by_service_operation_and_outcome(provider: Running) -> None:
    labels = {"service": "registryParameters", "operation": "getActTypes"}
    ok_before = metric(provider.base_url, "mitroo_calls_total", outcome="OK", **labels)
    denied_before = metric(provider.base_url, "mitroo_calls_total", outcome="MP_AUTHENTICATION_FAILED", **labels)
    timed_before = metric(provider.base_url, "mitroo_call_seconds_count", **labels)
    audit_before = metric(provider.base_url, "mitroo_audit_write_seconds_count")
    assert post(provider.url(), envelope("getActTypes", security=security_text(USERS.aade, PASSWORD))).status == 200
    assert post(provider.url(), envelope("getActTypes", security=security_text(USERS.aade, "wrong"))).status == 500
    assert metric(provider.base_url, "mitroo_calls_total", outcome="OK", **labels) == ok_before + 1
    assert metric(provider.base_url, "mitroo_calls_total", outcome="MP_AUTHENTICATION_FAILED", **labels) == denied_before + 1
    assert metric(provider.base_url, "mitroo_call_seconds_count", **labels) == timed_before + 2
    assert metric(provider.base_url, "mitroo_audit_write_seconds_count") >= audit_before + 2
    text = requests.get(f"{provider.base_url}/metrics", timeout=30).text
    for name in ("mitroo_signing_seconds_bucket", "mitroo_db_pool_connections{state=\"checked_out\"}",
                 "mitroo_db_pool_connections{state=\"size\"}"):
        assert name in text


def test_an_unknown_operation_is_counted_as_other(provider: Running) -> None:
    before = metric(provider.base_url, "mitroo_calls_total", operation="other", outcome="MP_SCHEMA_INVALID")
    invented = envelope("getEverythingAboutEveryone", security=security_text(USERS.aade, PASSWORD))
    assert post(provider.url(), invented).status == 500
    assert metric(provider.base_url, "mitroo_calls_total", operation="other", outcome="MP_SCHEMA_INVALID") == before + 1
    assert "getEverythingAboutEveryone" not in requests.get(f"{provider.base_url}/metrics", timeout=30).text


@pytest.fixture()
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logs.handler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def test_every_log_line_of_a_call_carries_its_call_sequence_id(unwritable_audit: Running,
                                                               captured_logs: io.StringIO) -> None:
    answer = post(unwritable_audit.url(), envelope("getActTypes", security=security_text(USERS.aade, PASSWORD)))
    assert answer.status == 503
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    ours = [line for line in lines if line["logger"].startswith("mitroo")]
    assert ours, "the gateway logged nothing about the unavailable audit store"
    assert {line["callSequenceId"] for line in ours} == {answer.call_sequence_id}
    assert any("audit store unavailable" in line["message"] for line in ours)
    assert all(line["level"] in ("WARNING", "ERROR") for line in ours)


def test_outside_a_call_the_call_sequence_id_is_null(captured_logs: io.StringIO) -> None:
    logging.getLogger("mitroo.test").warning("between calls")
    assert json.loads(captured_logs.getvalue().splitlines()[-1])["callSequenceId"] is None


@pytest.fixture()
def bench_provider(database: PreparedDatabase, tmp_path: Path) -> Iterator[Running]:
    running, server = serve(settings_for(database, tmp_path, bench_unsigned=True, bench_echo=True))
    yield replace(running, database=database)
    stop(server, running.app)


ECHO = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:mitroo-politon:benchEcho:v1">'
        "<s:Body><e:echo><e:text>γεια</e:text></e:echo></s:Body></s:Envelope>")


def test_benchmark_switches_answer_unsigned_and_echo(bench_provider: Running, provider: Running) -> None:
    answer = post(bench_provider.url(), envelope("getActTypes", security=security_text(USERS.aade, PASSWORD)))
    assert answer.status == 200 and answer.error_code is None
    assert answer.find("Signature") is None and answer.find("Security") is None
    echoed = requests.post(f"{bench_provider.base_url}/ws/benchEcho", data=ECHO.encode(),
                           headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=30)
    assert echoed.status_code == 200 and "γεια" in echoed.text
    # Off by default: no echo service, and every answer signed.
    assert requests.post(f"{provider.base_url}/ws/benchEcho", data=ECHO.encode(), timeout=30).status_code == 404
    signed = post(provider.url(), envelope("getActTypes", security=security_text(USERS.aade, PASSWORD)))
    assert signed.find("Signature") is not None


def test_benchmark_switches_are_refused_outside_the_test_environment() -> None:
    from provider.settings import SettingsError

    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"MITROO_ENVIRONMENT": "production", "MITROO_BENCH_UNSIGNED": "yes",
                           "MITROO_BENCH_ECHO": "on"})
    message = str(refused.value)
    assert "MITROO_BENCH_UNSIGNED: a benchmark-only switch, refused unless MITROO_ENVIRONMENT=test" in message
    assert "MITROO_BENCH_ECHO: a benchmark-only switch, refused unless MITROO_ENVIRONMENT=test" in message
    assert Settings.from_env({"MITROO_BENCH_UNSIGNED": "1", "MITROO_BENCH_ECHO": "true"}).bench_echo is True
