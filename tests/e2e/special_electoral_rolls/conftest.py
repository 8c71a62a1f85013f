"""The specialElectoralRolls end-to-end tests share one provider per database (see
``tests.rolls_fixtures.running_rolls``: the demo dataset plus the 2010 fixtures of the seed's
examples) and call it with zeep, as municipalities and as the Ministry's elections directorate.

Each test module uses its own holders, so the order tests run in never matters."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from zeep import Client

from tests.rolls_fixtures import Rolls, running_rolls
from tests.support import audit_record


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def rolls(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rolls]:
    with running_rolls(request.param, tmp_path_factory.mktemp(f"rolls-{request.param}")) as started:
        yield started


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
