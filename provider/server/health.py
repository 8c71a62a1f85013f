"""``GET /health``: what an operator's probe needs, with no secrets (no URLs, no paths, no keys,
no driver messages: a failure is named by its exception class only).

It checks, on a connection of its own (never waiting behind busy calls for the pool):
- the database is reachable and its migrations are at the code's head;
- the audit store is writable: an audit event is inserted and rolled back, so the check meets the
  same constraints, triggers, partitions, privileges and disk an audited call meets, and leaves
  nothing behind (on PostgreSQL it may use up an event id: ids were never gap-free);
- the signing key is loaded, with its certificate's days left.

200 when the provider can answer calls; 503 with the reasons when it cannot. The database part is
bounded: 2 s to connect, 1 s per statement, and at most ``DEADLINE_SECONDS`` in all.
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import Engine, event, insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from db.engine import make_engine
from db.migrate import current_revision, head_revision
from db.models import AuditEvent
from provider.xml.keys import KeyConfigError, KeyStore

CONNECT_TIMEOUT_SECONDS = 2
STATEMENT_TIMEOUT_MS = 1000
DEADLINE_SECONDS = 4.0


def probe_engine(url: str) -> Engine:
    """An engine for the probe alone: no pool, short connect and statement timeouts."""
    if url.startswith("sqlite"):
        engine = make_engine(url, poolclass=NullPool)

        def short_wait(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA busy_timeout={STATEMENT_TIMEOUT_MS}")

        event.listen(engine, "connect", short_wait)  # after make_engine's 10 s busy timeout
        return engine
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={STATEMENT_TIMEOUT_MS}"
    return make_engine(url, poolclass=NullPool,
                       connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options})


class Health:
    def __init__(self, database_url: str, keys: KeyStore) -> None:
        self.engine = probe_engine(database_url)
        self.keys = keys
        self.head = head_revision()
        self._runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health")

    def report(self) -> tuple[str, dict[str, Any]]:
        started = time.monotonic()
        try:
            database, audit, problems = self._runner.submit(self._database).result(timeout=DEADLINE_SECONDS)
        except FutureTimeout:
            problems = [f"the database did not answer within {DEADLINE_SECONDS:g} s"]
            database, audit = {"reachable": False}, {"writable": False}
        signing = self._signing(problems)
        body = {
            "status": "unavailable" if problems else "ok",
            "problems": problems,
            "database": database,
            "audit": audit,
            "signing": signing,
            "checkedInMs": round((time.monotonic() - started) * 1000, 1),
        }
        return ("503 Service Unavailable" if problems else "200 OK"), body

    def _database(self) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        problems: list[str] = []
        try:
            revision = current_revision(self.engine)
        except SQLAlchemyError as exc:
            problems.append(f"database unreachable ({type(exc).__name__})")
            return {"reachable": False}, {"writable": False}, problems
        database = {"reachable": True, "migration": revision, "atHead": revision == self.head}
        if revision != self.head:
            problems.append(f"database migration {revision or 'none'} is not the head {self.head}")
        try:
            self._try_audit_write()
        except SQLAlchemyError as exc:
            problems.append(f"audit store not writable ({type(exc).__name__})")
            return database, {"writable": False}, problems
        return database, {"writable": True}, problems

    def _try_audit_write(self) -> None:
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                connection.execute(insert(AuditEvent).values(
                    call_sequence_id=str(uuid.uuid4()), server_time=dt.datetime.now(dt.UTC),
                    service="health", operation=None, observed_ip="127.0.0.1", outcome="HEALTH_PROBE",
                    duration_ms=0, request_digest="0" * 64,
                ))
            finally:
                transaction.rollback()

    def _signing(self, problems: list[str]) -> dict[str, Any]:
        try:
            key = self.keys.current()
        except KeyConfigError:
            problems.append("the signing key cannot be read or is not valid: answers are faults until it is")
            return {"keyLoaded": False}
        return {
            "algorithm": key.algorithm.setting,
            "keyLoaded": True,
            "certificateNotAfter": key.certificate.not_valid_after_utc.isoformat(),
            "certificateDaysLeft": key.days_left(),
            "nextCertificate": key.next_certificate is not None,
            "warning": key.expiry_warning(),
        }

    def close(self) -> None:
        self._runner.shutdown(wait=False)
        self.engine.dispose()
