"""Accreditation (docs/design.md §9 Accreditation): agencies, their information systems, WS users and grants,
plus the per-call bookkeeping that must be shared by every worker (quota, replay, nonces, login failures)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, UTCDateTime


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12))  # pilot|production|suspended
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    daily_quota: Mapped[int] = mapped_column(Integer)
    # A municipality (Δήμος) acting for its own residents, e.g. on the special electoral rolls;
    # None for every other agency.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))

    systems: Mapped[list[AgencySystem]] = relationship(back_populates="agency")
    grants: Mapped[list[Grant]] = relationship(back_populates="agency")


class AgencySystem(Base):
    """An information system of an agency (e.g. ORION of e-EFKA); WS users belong to one."""

    __tablename__ = "agency_systems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="systems")
    users: Mapped[list[WsUser]] = relationship(back_populates="system")

    __table_args__ = (UniqueConstraint("agency_id", "code"),)


class WsUser(Base):
    """A web-service user, issued per agency system and per environment (test/production)."""

    __tablename__ = "ws_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("agency_systems.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # The password encrypted with the provider's credential key, kept only for users allowed
    # to authenticate with PasswordDigest (which needs the cleartext on the server side).
    digest_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    environment: Mapped[str] = mapped_column(String(12))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    roles: Mapped[str] = mapped_column(String(100), default="")
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Mutual TLS: the SHA-256 (hex) of the only client certificate this user may call with; None: any or none.
    client_cert_sha256: Mapped[str | None] = mapped_column(String(64))

    system: Mapped[AgencySystem] = relationship(back_populates="users")


class Grant(Base):
    """The right of an agency to call one operation of one service, with its purpose and act."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    service: Mapped[str] = mapped_column(String(40))
    operation: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(Text, default="")
    legal_act: Mapped[str] = mapped_column(Text, default="")

    agency: Mapped[Agency] = relationship(back_populates="grants")

    __table_args__ = (UniqueConstraint("agency_id", "service", "operation"),)


class DailyUsage(Base):
    """Calls counted per agency per (UTC) day, for the daily quota; shared by all workers."""

    __tablename__ = "agency_daily_usage"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)


class UsedTransaction(Base):
    """An auditTransactionId already used by a calling unit of an agency (replay guard)."""

    __tablename__ = "used_transactions"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    audit_unit: Mapped[str] = mapped_column(String(100), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    call_sequence_id: Mapped[str] = mapped_column(String(36))
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # SHA-256 of the call's content (exclusive C14N of the operation element): a retry of the
    # same call, whose answer never arrived, is recognized by it and answered, not refused.
    content_digest: Mapped[str | None] = mapped_column(String(64))


class CallSlot(Base):
    """One of an agency's concurrent-call slots (0 … cap-1), held by one call in progress, for the
    per-agency concurrency cap; shared by all workers. A slot whose holder died (a killed worker)
    is free again once ``expires_at`` has passed."""

    __tablename__ = "agency_call_slots"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    call_sequence_id: Mapped[str] = mapped_column(String(36))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class UsedNonce(Base):
    """A PasswordDigest nonce seen within the freshness window (nonce replay guard)."""

    __tablename__ = "used_nonces"

    nonce: Mapped[str] = mapped_column(String(100), primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class LoginFailure(Base):
    """One failed login, kept for the lockout window (provider/access/lockout.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_failed_at", "username", "failed_at"),
        Index("ix_login_failures_ip_failed_at", "ip", "failed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str] = mapped_column(String(45))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class LoginSource(Base):
    """A username's successful login from a source address, remembered for the lockout policy: an
    address that logged a user in before is never locked out or slowed by others' failures
    (provider/access/lockout.py)."""

    __tablename__ = "login_sources"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    ip: Mapped[str] = mapped_column(String(45), primary_key=True)
    last_success_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
