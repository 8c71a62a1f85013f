"""What a database failure means: a few specific words for the caller's fault and the operator's log.

Only the driver's own first line is looked at, never SQLAlchemy's text of the exception, which
carries the statement and its parameters (an AMKA, a name) that must not reach a log or a caller.
"""
from __future__ import annotations

import sqlite3


def _origin(exc: BaseException) -> BaseException:
    """The driver's exception under SQLAlchemy's wrapper (and under AuditUnavailable's ``from``)."""
    while exc.__cause__ is not None and getattr(exc, "orig", None) is None:
        exc = exc.__cause__
    return getattr(exc, "orig", None) or exc


def reason(exc: BaseException, statement_timeout_ms: int) -> str:
    """Why the database failed, in English, for the fault (after the Greek) and the log."""
    origin = _origin(exc)
    sqlstate = getattr(origin, "sqlstate", None)
    first_line = (str(origin).splitlines() or [""])[0].lower()
    if sqlstate == "57014":
        return f"statement timeout: the database did not answer within {statement_timeout_ms} ms"
    if sqlstate in ("53100", "53000") or "database or disk is full" in first_line:
        return "database or disk is full"
    if isinstance(origin, sqlite3.OperationalError) and "locked" in first_line:
        return f"database busy: another writer held the lock beyond {statement_timeout_ms} ms"
    return "database unreachable or failing"


def driver_message(exc: BaseException) -> str:
    """The driver's first line, for the operator's log (no statement, no parameters)."""
    origin = _origin(exc)
    return f"{type(origin).__name__}: {(str(origin).splitlines() or [''])[0][:200]}"
