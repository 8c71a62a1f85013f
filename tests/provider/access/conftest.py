"""Fixtures shared by the access-control tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import PreparedDatabase, discard_database, prepare_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def test_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreparedDatabase]:
    prepared = prepare_database(request.param, tmp_path_factory.mktemp(f"admin-{request.param}"))
    try:
        yield prepared
    finally:
        prepared.engine.dispose()
        discard_database(prepared.url)
