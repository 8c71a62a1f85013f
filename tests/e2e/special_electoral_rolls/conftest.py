"""The specialElectoralRolls end-to-end tests share one provider per database (the ``rolls`` fixture
of ``tests.rolls_fixtures``: the demo dataset plus the 2010 fixtures of the seed's examples) and call
it with zeep, as municipalities and as the Ministry's elections directorate.

Each test module uses its own holders, so the order tests run in never matters."""
from __future__ import annotations

from typing import Any

from zeep import Client

from tests.support import audit_record


def call(client: Client, operation: str, **record: Any) -> Any:
    """``operation`` with a fresh auditRecord and ``record`` as its input record."""
    return getattr(client.service, operation)(auditRecord=audit_record(), **{f"{operation}InputRecord": record})


def _error(answer: Any) -> tuple[str | None, str | None]:
    record = answer.errorRecord  # nil on success (zeep shows it with empty fields)
    return (record.errorCode, record.errorDescr) if record is not None else (None, None)


def ok(answer: Any, operation: str) -> Any:
    """The output record of a successful answer."""
    code, description = _error(answer)
    assert code is None, f"{code}: {description}"
    return getattr(answer, f"{operation}OutputRecord")


def refused(answer: Any, operation: str, code: str) -> str:
    """The error description of an answer refused with ``code`` (and no output record)."""
    got, description = _error(answer)
    assert got == code, f"{got}: {description}"
    assert getattr(answer, f"{operation}OutputRecord") is None
    return str(description)
