"""``GET /metrics``: the provider's Prometheus metrics (the operational data X-Road's monitoring gives).

- ``mitroo_calls_total{service,operation,outcome}``: calls answered, by outcome (OK or the error code);
- ``mitroo_call_seconds{service,operation}``: the whole pipeline, from the first byte read to the signed answer;
- ``mitroo_audit_write_seconds`` and ``mitroo_signing_seconds``: the two steps every call pays;
- ``mitroo_login_failures_total`` and ``mitroo_login_refusals_total{reason}``: the lockout at work
  (provider/access/lockout.py), so an operator sees a password spray;
- ``mitroo_db_pool_connections{state}``: connections checked out and the pool's size, summed over
  the live worker processes.

Under gunicorn every worker is a process of its own: ``mitroo-provider serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before any worker starts, each worker writes its
samples there, a scrape served by any worker adds them all up, and a worker that exits is marked
dead (its live gauges drop out). Without that variable (the tests' in-process server) the metrics
are this process's own. The operation label is taken only from the published catalogue, so a
caller cannot grow the label set by inventing operation names.
"""
from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event

from provider.catalogue import CATALOGUE

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
_METASERVICES = ("listMethods", "allowedMethods")
OTHER_OPERATION = "other"

_LATENCY_BUCKETS = (0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_STEP_BUCKETS = (0.0002, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)

CALLS = Counter("mitroo_calls", "Calls answered, by service, operation and outcome (OK or the error code)",
                ("service", "operation", "outcome"))
CALL_SECONDS = Histogram("mitroo_call_seconds", "Time from the request read to the signed answer",
                         ("service", "operation"), buckets=_LATENCY_BUCKETS)
AUDIT_SECONDS = Histogram("mitroo_audit_write_seconds", "Time to write and commit one audit event",
                          buckets=_STEP_BUCKETS)
SIGNING_SECONDS = Histogram("mitroo_signing_seconds", "Time to sign one answer (WS-Security)", buckets=_STEP_BUCKETS)
LOGIN_FAILURES = Counter("mitroo_login_failures", "Failed logins counted by the lockout (SOAP and auditor console)")
LOGIN_REFUSALS = Counter("mitroo_login_refusals", "Login attempts refused by the lockout before the password was "
                         "checked: pair_locked, address_limited (an address with many failures, for usernames "
                         "not known from it), spray_throttled (a username failing from many addresses)", ("reason",))
POOL = Gauge("mitroo_db_pool_connections", "Database connections per state: checked_out (in use) and size (the "
             "pool's configured size), summed over the live worker processes", ("state",),
             multiprocess_mode="livesum")


def operation_label(service: str, operation: str | None) -> str:
    """``operation`` when the service publishes it, else ``other`` (the label set stays bounded)."""
    if operation and (operation in CATALOGUE.get(service, ()) or operation in _METASERVICES):
        return operation
    return OTHER_OPERATION


def observe_call(service: str, operation: str | None, outcome: str, seconds: float) -> None:
    label = operation_label(service, operation)
    CALLS.labels(service, label, outcome).inc()
    CALL_SECONDS.labels(service, label).observe(seconds)


def watch_pool(engine: Engine, size: int) -> None:
    """Keep the pool gauges of ``engine`` (this process's pool) up to date."""
    POOL.labels("size").inc(size)
    checked_out = POOL.labels("checked_out")

    def checkout(*_args: Any) -> None:
        checked_out.inc()

    def checkin(*_args: Any) -> None:
        checked_out.dec()

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


def unwatch_pool(size: int) -> None:
    POOL.labels("size").dec(size)


def render() -> bytes:
    """The exposition text: every worker's samples under gunicorn, this process's otherwise."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
