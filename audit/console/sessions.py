"""The console's server-side sessions: the signed cookie holds a random token, the
``console_sessions`` table who it belongs to and when it began and was last used.

A session ends when its row goes: at logout, when it has been idle too long, when it reaches its
absolute lifetime, when the account is locked, loses the auditor role or changes password
(checked on every request), or when an operator ends every session of a user
(``mitroo-provider user end-sessions``). A copied cookie is then worth nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session, sessionmaker

from audit.console.auth import Auditor
from db.models import ConsoleSession


@dataclass(frozen=True)
class Lifetimes:
    idle_seconds: int
    absolute_seconds: int


class SessionEnded(Exception):
    """The cookie's session no longer exists; ``reason`` is the message key shown at the login."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def begin(sessions: sessionmaker[Session], auditor: Auditor, now: dt.datetime, lifetimes: Lifetimes) -> str:
    """A new session for ``auditor``; returns the token the cookie keeps. Sessions past their time
    (anyone's) are cleared on the way."""
    token = secrets.token_urlsafe(32)
    with sessions() as session, session.begin():
        session.execute(delete(ConsoleSession).where(or_(
            ConsoleSession.last_seen_at < now - dt.timedelta(seconds=lifetimes.idle_seconds),
            ConsoleSession.created_at < now - dt.timedelta(seconds=lifetimes.absolute_seconds))))
        session.add(ConsoleSession(
            token_hash=_hash(token), username=auditor.username, agency_code=auditor.agency_code,
            system_code=auditor.system_code, password_changed_at=auditor.password_changed_at,
            created_at=now, last_seen_at=now))
    return token


def resume(sessions: sessionmaker[Session], token: str, now: dt.datetime, lifetimes: Lifetimes) -> Auditor:
    """The auditor of the session behind ``token``, its last use moved to ``now``; ``SessionEnded``
    when there is no such session or it is past its idle or absolute time (the row is then deleted)."""
    key = _hash(token)
    with sessions() as session, session.begin():
        row = session.get(ConsoleSession, key)
        if row is None:
            raise SessionEnded("session_ended")
        reason = None
        if now - row.last_seen_at > dt.timedelta(seconds=lifetimes.idle_seconds):
            reason = "session_expired"
        elif now - row.created_at > dt.timedelta(seconds=lifetimes.absolute_seconds):
            reason = "session_too_old"
        if reason:
            session.delete(row)
        else:
            session.execute(update(ConsoleSession).where(ConsoleSession.token_hash == key).values(last_seen_at=now))
            return Auditor(row.username, row.agency_code, row.system_code, row.password_changed_at)
    raise SessionEnded(reason)


def end(sessions: sessionmaker[Session], token: str) -> None:
    """End the session behind ``token`` (logout)."""
    with sessions() as session, session.begin():
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
