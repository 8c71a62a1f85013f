"""The audit store (docs/design.md §7 Audit). Append-only: the migrations install database triggers
that refuse UPDATE and DELETE on both tables.

On PostgreSQL both tables are partitioned by month (db/partitions.py, migration 0008), which puts
the timestamp into every unique constraint: there the primary key is (id, server_time), the
callSequenceId is unique with its server_time, and a subject refers to (event_id, event_time).
The models below describe the logical tables, as SQLite has them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_agency_code_server_time", "agency_code", "server_time"),)

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    call_sequence_id: Mapped[str] = mapped_column(String(36), unique=True)
    server_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    service: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str | None] = mapped_column(String(60))
    agency_code: Mapped[str | None] = mapped_column(String(32))
    system_code: Mapped[str | None] = mapped_column(String(40))
    username: Mapped[str | None] = mapped_column(String(100))
    # The six declared auditRecord values, verbatim (an invalid record is kept as sent).
    audit_transaction_id: Mapped[str | None] = mapped_column(Text)
    audit_transaction_date: Mapped[str | None] = mapped_column(Text)
    audit_unit: Mapped[str | None] = mapped_column(Text)
    audit_protocol: Mapped[str | None] = mapped_column(Text)
    audit_user_id: Mapped[str | None] = mapped_column(Text)
    audit_user_ip: Mapped[str | None] = mapped_column(Text)
    observed_ip: Mapped[str] = mapped_column(String(45))
    outcome: Mapped[str] = mapped_column(String(40))  # OK or an error code
    outcome_detail: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
    request_digest: Mapped[str] = mapped_column(String(64))
    # The declared purpose (σκοπός χορήγησης) of a call that states one: a certificate's purpose.
    purpose: Mapped[str | None] = mapped_column(Text)


class AuditEventSubject(Base):
    """A data subject (internal person id) touched by an audited call."""

    __tablename__ = "audit_event_subjects"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    event_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)  # the event's server_time (its partition)


class AuditSeal(Base):
    """A sealed batch of events (see audit.seal): the chain's head after its last event, and
    the previous seal's head, so the seals themselves form a chain."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sealed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    first_event_id: Mapped[int] = mapped_column(EventId, unique=True)  # two sealers cannot seal one batch
    last_event_id: Mapped[int] = mapped_column(EventId)
    event_count: Mapped[int] = mapped_column(Integer)
    previous_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    # The sealing lag of the run: it sealed the events whose server time lay that long before sealed_at.
    lag_seconds: Mapped[int] = mapped_column(Integer, server_default="60")


class AuditEventHash(Base):
    """The hash chain's value after one sealed event. No foreign key on purpose: verify must be
    able to report an event that was deleted behind the append-only guard."""

    __tablename__ = "audit_event_hashes"

    event_id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=False)
    seal_id: Mapped[int] = mapped_column(Integer, index=True)
    chain: Mapped[str] = mapped_column(String(64))
    # The event's server_time: tells an event the retention exported and dropped from a deleted one.
    event_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditRetentionRun(Base):
    """One month of audit events exported to an archive and dropped (``mitroo-audit retention``)."""

    __tablename__ = "audit_retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[dt.date] = mapped_column(Date, unique=True)  # first day of the month (UTC)
    events: Mapped[int] = mapped_column(Integer)
    subjects: Mapped[int] = mapped_column(Integer)
    first_event_id: Mapped[int | None] = mapped_column(EventId)
    last_event_id: Mapped[int | None] = mapped_column(EventId)
    archive: Mapped[str] = mapped_column(Text)  # the archive's file name, as written
    archive_sha256: Mapped[str] = mapped_column(String(64))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    dropped_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
