"""The Alembic migrations against the models, on real SQLite and PostgreSQL: a fresh database
upgraded to head has exactly the tables, columns and indexes the models declare; every
migration downgrades; and head is reached again after a full downgrade."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, Engine, bindparam, text

from db import partitions
from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision, upgrade
from db.models import Base
from tests.conftest import discard_database, new_database_url

pytestmark = pytest.mark.slow  # a throwaway database per test, migrated up and down

PARTITION_KEY_CHANGES = {"add_constraint", "remove_constraint", "add_fk", "remove_fk"}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = new_database_url(request.param, tmp_path)
    try:
        yield url
    finally:
        discard_database(url)


def _not_a_partition(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name is not None and partitions.is_partition(name))


def differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": _not_a_partition}
            )
            return [diff for diff in compare_metadata(context, Base.metadata) if not _partitioning(engine, diff)]
    finally:
        engine.dispose()


def _partitioning(engine: Engine, diff: object) -> bool:
    """On PostgreSQL the partitioned audit tables carry their timestamp in every unique constraint
    and in the subjects' foreign key (see db/models/audit.py); those differences are by design."""
    if engine.dialect.name != "postgresql" or not isinstance(diff, tuple):
        return False
    kind, item = diff[0], diff[1]
    table = getattr(getattr(item, "table", None), "name", None) or getattr(item, "parent", None)
    return kind in PARTITION_KEY_CHANGES and getattr(table, "name", table) in partitions.PARTITIONED


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


# Typed, so SQLAlchemy writes the time itself (sqlite3's default datetime adapter is deprecated on 3.12+).
_TIME = bindparam("t", type_=DateTime())


def test_the_audit_rows_survive_partitioning_and_its_downgrade(empty_url: str) -> None:
    """0008 rebuilds the audit tables (partitioned on PostgreSQL): every event and data subject
    is carried over, with its id, and the id sequence goes on after them."""
    upgrade(empty_url, "0007")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            for n in (1, 2, 3):
                connection.execute(text(
                    "INSERT INTO audit_events (call_sequence_id, server_time, service, observed_ip, outcome, "
                    "duration_ms, request_digest) VALUES (:c, :t, 'audit', '192.0.2.1', 'OK', 1, :d)"
                ).bindparams(_TIME),
                    {"c": f"call-{n}", "t": dt.datetime(2026, n, 15, 10), "d": "0" * 64})
            connection.execute(text("INSERT INTO audit_event_subjects (event_id, person_id) "
                                    "SELECT id, id * 10 FROM audit_events"))

        def contents() -> list[tuple[object, ...]]:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(
                    "SELECT e.id, e.call_sequence_id, e.server_time, s.person_id FROM audit_events e "
                    "JOIN audit_event_subjects s ON s.event_id = e.id ORDER BY e.id"))]

        before = contents()
        assert len(before) == 3
        upgrade(empty_url)
        assert contents() == before
        with engine.begin() as connection:
            new_id = connection.execute(text(
                "INSERT INTO audit_events (call_sequence_id, server_time, service, observed_ip, outcome, "
                "duration_ms, request_digest) VALUES ('call-4', :t, 'audit', '192.0.2.1', 'OK', 1, :d) RETURNING id"
            ).bindparams(_TIME),
                {"t": dt.datetime(2026, 4, 1), "d": "0" * 64}).scalar_one()
        assert new_id > max(row[0] for row in before)  # type: ignore[type-var]
        command.downgrade(alembic_config(empty_url), "0007")
        assert contents() == before
    finally:
        engine.dispose()
