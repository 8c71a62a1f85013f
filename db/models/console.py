"""The auditor console's server-side sessions (audit/console/sessions.py)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, UTCDateTime


class ConsoleSession(Base):
    """One logged-in console session. The cookie holds a random token; the table only its SHA-256,
    so whoever reads the table cannot take a session over. Deleting the row ends the session."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    agency_code: Mapped[str] = mapped_column(String(32))
    system_code: Mapped[str] = mapped_column(String(32))
    password_changed_at: Mapped[str] = mapped_column(String(40))  # as at login; a change ends the session
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
