"""The Alembic migrations against the models, on real SQLite and PostgreSQL: a fresh database
upgraded to head has exactly the tables, columns and indexes the models declare; every
migration downgrades; and head is reached again after a full downgrade."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.models import Base
from tests.conftest import discard_database, new_database_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = new_database_url(request.param, tmp_path)
    try:
        yield url
    finally:
        discard_database(url)


def differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_the_migrations_build_what_the_models_declare(empty_url: str) -> None:
    upgrade(empty_url)
    assert differences(empty_url) == []


def test_every_migration_downgrades_and_head_is_reached_again(empty_url: str) -> None:
    upgrade(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        upgrade(empty_url)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
