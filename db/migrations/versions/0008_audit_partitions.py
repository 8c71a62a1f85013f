"""The audit store at scale: monthly partitions on PostgreSQL, and the indexes the auditor's
searches use.

- ``audit_event_subjects.event_time`` (the event's ``server_time``, copied) on both databases, so
  a data subject row lives in the same month as its event.
- PostgreSQL: ``audit_events`` becomes partitioned by month of ``server_time`` and
  ``audit_event_subjects`` by ``event_time`` (see db/partitions.py). Every unique constraint of a
  partitioned table must contain the partition key, so the primary key becomes (id, server_time),
  the callSequenceId's unique constraint (call_sequence_id, server_time), and the subjects' foreign
  key (event_id, event_time). The rows are copied over, the id sequence is kept.
- ``audit_event_hashes.event_time``: which month a sealed event belongs to, so ``verify`` can tell
  an event exported and dropped by the retention from one deleted behind the guard.
- ``audit_retention_runs``: one row per month exported and dropped.
- Searches by agency and time use (agency_code, server_time).

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from db import partitions
from db.models.base import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

EVENTS, SUBJECTS, HASHES = "audit_events", "audit_event_subjects", "audit_event_hashes"
SQLITE_GUARDED = (EVENTS, SUBJECTS, HASHES)


def upgrade() -> None:
    op.create_table(
        "audit_retention_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("first_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("last_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("archive", sa.Text(), nullable=False),
        sa.Column("archive_sha256", sa.String(length=64), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("dropped_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("month", name=op.f("uq_audit_retention_runs_month")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _downgrade_postgresql()
    else:
        _downgrade_sqlite()
    op.drop_table("audit_retention_runs")


# -- PostgreSQL ------------------------------------------------------------------------------


def _upgrade_postgresql() -> None:
    execute = op.execute
    execute(f"ALTER TABLE {HASHES} ADD COLUMN event_time TIMESTAMP WITHOUT TIME ZONE")
    execute(f"ALTER TABLE {HASHES} DISABLE TRIGGER {HASHES}_append_only")
    execute(f"UPDATE {HASHES} h SET event_time = e.server_time FROM {EVENTS} e WHERE e.id = h.event_id")
    execute(f"ALTER TABLE {HASHES} ENABLE TRIGGER {HASHES}_append_only")

    execute(f"ALTER SEQUENCE {EVENTS}_id_seq OWNED BY NONE")
    for table in (SUBJECTS, EVENTS):
        execute(f"ALTER TABLE {table} RENAME TO {table}_unpartitioned")
        _rename_indexes(table)
    execute(f"CREATE TABLE {EVENTS} (LIKE {EVENTS}_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (server_time)")
    execute(f"ALTER TABLE {EVENTS} ADD CONSTRAINT pk_{EVENTS} PRIMARY KEY (id, server_time)")
    execute(f"ALTER TABLE {EVENTS} ADD CONSTRAINT uq_{EVENTS}_call_sequence_id UNIQUE (call_sequence_id, server_time)")
    execute(f"CREATE INDEX ix_{EVENTS}_server_time ON {EVENTS} (server_time)")
    execute(f"CREATE INDEX ix_{EVENTS}_agency_code_server_time ON {EVENTS} (agency_code, server_time)")
    execute(f"ALTER SEQUENCE {EVENTS}_id_seq OWNED BY {EVENTS}.id")
    execute(
        f"CREATE TABLE {SUBJECTS} (event_id BIGINT NOT NULL, person_id INTEGER NOT NULL, "
        "event_time TIMESTAMP WITHOUT TIME ZONE NOT NULL, "
        f"CONSTRAINT pk_{SUBJECTS} PRIMARY KEY (event_id, person_id, event_time), "
        f"CONSTRAINT fk_{SUBJECTS}_event_id_{EVENTS} FOREIGN KEY (event_id, event_time) "
        f"REFERENCES {EVENTS} (id, server_time)) PARTITION BY RANGE (event_time)"
    )
    execute(f"CREATE INDEX ix_{SUBJECTS}_person_id ON {SUBJECTS} (person_id)")
    for table in (EVENTS, SUBJECTS):
        execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION mitroo_audit_append_only()")
        execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION mitroo_audit_append_only()")

    connection = op.get_bind()
    earliest = connection.execute(sa.text(f"SELECT min(server_time) FROM {EVENTS}_unpartitioned")).scalar()
    for table in partitions.PARTITIONED:
        partitions.create(connection, table, None)
    now = dt.datetime.now(dt.UTC)
    partitions.ensure(connection, through=partitions.ensure_months_ahead(now), start=earliest or now)
    execute(f"INSERT INTO {EVENTS} SELECT * FROM {EVENTS}_unpartitioned")
    execute(f"INSERT INTO {SUBJECTS} (event_id, person_id, event_time) SELECT s.event_id, s.person_id, e.server_time "
            f"FROM {SUBJECTS}_unpartitioned s JOIN {EVENTS}_unpartitioned e ON e.id = s.event_id")
    execute(f"DROP TABLE {SUBJECTS}_unpartitioned")
    execute(f"DROP TABLE {EVENTS}_unpartitioned")


def _rename_indexes(table: str) -> None:
    """Free the index names (they are schema-wide) for the new table."""
    connection = op.get_bind()
    names = connection.execute(sa.text(
        "SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": f"{table}_unpartitioned"}).scalars().all()
    for name in names:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_unpartitioned")


def _downgrade_postgresql() -> None:
    execute = op.execute
    execute(f"ALTER SEQUENCE {EVENTS}_id_seq OWNED BY NONE")
    for table in (SUBJECTS, EVENTS):
        execute(f"ALTER TABLE {table} RENAME TO {table}_partitioned")
        _rename_partitioned_indexes(table)
    execute(f"CREATE TABLE {EVENTS} (LIKE {EVENTS}_partitioned INCLUDING DEFAULTS)")
    execute(f"ALTER TABLE {EVENTS} ADD CONSTRAINT pk_{EVENTS} PRIMARY KEY (id)")
    execute(f"ALTER TABLE {EVENTS} ADD CONSTRAINT uq_{EVENTS}_call_sequence_id UNIQUE (call_sequence_id)")
    execute(f"CREATE INDEX ix_{EVENTS}_server_time ON {EVENTS} (server_time)")
    execute(f"CREATE INDEX ix_{EVENTS}_agency_code ON {EVENTS} (agency_code)")
    execute(f"ALTER SEQUENCE {EVENTS}_id_seq OWNED BY {EVENTS}.id")
    execute(f"CREATE TABLE {SUBJECTS} (event_id BIGINT NOT NULL, person_id INTEGER NOT NULL, "
            f"CONSTRAINT pk_{SUBJECTS} PRIMARY KEY (event_id, person_id), "
            f"CONSTRAINT fk_{SUBJECTS}_event_id_{EVENTS} FOREIGN KEY (event_id) REFERENCES {EVENTS} (id))")
    execute(f"CREATE INDEX ix_{SUBJECTS}_person_id ON {SUBJECTS} (person_id)")
    execute(f"INSERT INTO {EVENTS} SELECT * FROM {EVENTS}_partitioned")
    execute(f"INSERT INTO {SUBJECTS} SELECT event_id, person_id FROM {SUBJECTS}_partitioned")
    execute(f"DROP TABLE {SUBJECTS}_partitioned")
    execute(f"DROP TABLE {EVENTS}_partitioned")
    for table in (EVENTS, SUBJECTS):
        execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION mitroo_audit_append_only()")
    execute(f"ALTER TABLE {HASHES} DROP COLUMN event_time")


def _rename_partitioned_indexes(table: str) -> None:
    connection = op.get_bind()
    names = connection.execute(sa.text(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = :t"), {"t": f"{table}_partitioned"}).scalars().all()
    for name in names:
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_partitioned")


# -- SQLite ----------------------------------------------------------------------------------


def _sqlite_guard(tables: tuple[str, ...], on: bool) -> None:
    for table in tables:
        for action in ("UPDATE", "DELETE"):
            if on:
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} BEGIN "
                           f"SELECT RAISE(ABORT, 'audit store is append-only: {action} on {table} refused'); END")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()}")


def _upgrade_sqlite() -> None:
    _sqlite_guard(SQLITE_GUARDED, on=False)
    op.add_column(HASHES, sa.Column("event_time", UTCDateTime(), nullable=True))
    op.execute(f"UPDATE {HASHES} SET event_time = (SELECT server_time FROM {EVENTS} WHERE id = {HASHES}.event_id)")
    op.drop_index(f"ix_{EVENTS}_agency_code", table_name=EVENTS)
    op.create_index(f"ix_{EVENTS}_agency_code_server_time", EVENTS, ["agency_code", "server_time"])
    op.create_table(
        f"{SUBJECTS}_new",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("event_time", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "person_id", name=f"pk_{SUBJECTS}"),
        sa.ForeignKeyConstraint(["event_id"], [f"{EVENTS}.id"], name=f"fk_{SUBJECTS}_event_id_{EVENTS}"),
    )
    op.execute(f"INSERT INTO {SUBJECTS}_new (event_id, person_id, event_time) SELECT s.event_id, s.person_id, "
               f"e.server_time FROM {SUBJECTS} s JOIN {EVENTS} e ON e.id = s.event_id")
    op.drop_table(SUBJECTS)
    op.rename_table(f"{SUBJECTS}_new", SUBJECTS)
    op.create_index(f"ix_{SUBJECTS}_person_id", SUBJECTS, ["person_id"])
    _sqlite_guard(SQLITE_GUARDED, on=True)


def _downgrade_sqlite() -> None:
    _sqlite_guard(SQLITE_GUARDED, on=False)
    with op.batch_alter_table(SUBJECTS) as batch:
        batch.drop_column("event_time")
    with op.batch_alter_table(HASHES) as batch:
        batch.drop_column("event_time")
    op.drop_index(f"ix_{EVENTS}_agency_code_server_time", table_name=EVENTS)
    op.create_index(f"ix_{EVENTS}_agency_code", EVENTS, ["agency_code"])
    _sqlite_guard(SQLITE_GUARDED, on=True)
