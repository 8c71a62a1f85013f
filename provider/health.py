"""``GET /health``: what an operator's probe needs, with no secrets (no URLs, no paths, no keys).

200 when the provider can answer calls; 503 with the reason when it cannot.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from db.migrate import current_revision, head_revision
from provider.keys import KeyConfigError, KeyStore


def report(engine: Engine, keys: KeyStore) -> tuple[str, dict[str, Any]]:
    problems: list[str] = []
    database: dict[str, Any] = {"reachable": False}
    try:
        revision = current_revision(engine)
        head = head_revision()
        database = {"reachable": True, "migration": revision, "atHead": revision == head}
        if revision != head:
            problems.append(f"database migration {revision or 'none'} is not the head {head}")
    except SQLAlchemyError as exc:
        problems.append(f"database unreachable ({type(exc).__name__})")
    try:
        key = keys.current()
    except KeyConfigError:
        problems.append("the signing key cannot be read or is not valid: answers are faults until it is")
        signing: dict[str, Any] = {"available": False}
    else:
        signing = {
            "available": True,
            "algorithm": key.algorithm.setting,
            "certificateNotAfter": key.certificate.not_valid_after_utc.isoformat(),
            "certificateDaysLeft": key.days_left(),
            "nextCertificate": key.next_certificate is not None,
            "warning": key.expiry_warning(),
        }
    body = {"status": "unavailable" if problems else "ok", "problems": problems,
            "database": database, "signing": signing}
    return ("503 Service Unavailable" if problems else "200 OK"), body
