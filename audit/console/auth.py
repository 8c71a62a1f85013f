"""Who may use the console: auditors only, on the provider's own accounts and password hashes.

A login goes through the provider's ``Authenticator`` (the same Argon2 check, the same lockout of
a username and a source IP in ``login_failures``, the same locked flag and environment rule), then
the agency must be active and the user must hold the auditor role. The server-side session
(audit.console.sessions) keeps who logged in and when their password last changed; every request
re-reads the account, so a lock, a removed role or a new password ends a session at once.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Agency, AgencySystem, WsUser
from provider.access.accreditation import AUDITOR_ROLE, Authenticator, Caller, check_active
from provider.errors import ErrorCode, MitrooError
from provider.xml.wssecurity import UsernameToken


def secret_key(path: Path) -> bytes:
    """The key that signs session cookies; made on first use (0600), like the credential key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    key = path.read_bytes().strip()
    if len(key) < 32:
        raise ValueError(f"{path}: the console's secret key is too short (at least 32 characters)")
    return key


@dataclass(frozen=True)
class Auditor:
    """The logged-in auditor, as kept in the console's session (audit.console.sessions)."""

    username: str
    agency_code: str
    system_code: str
    password_changed_at: str  # ISO time; a different value in the database ends the session


class LoginRefused(Exception):
    """A login that did not succeed; ``code`` is the error code audited, ``caller`` who it was when
    the password was right (an agency user without the auditor role)."""

    def __init__(self, code: ErrorCode, message: str, caller: Caller | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.caller = caller


def _changed_at(session: Session, username: str) -> str:
    changed = session.scalar(select(WsUser.password_changed_at).where(WsUser.username == username))
    return changed.isoformat() if changed else ""


def login(sessions: sessionmaker[Session], authenticator: Authenticator, username: str, password: str,
          ip: str, now: dt.datetime) -> Auditor:
    """The auditor behind ``username``/``password``, or ``LoginRefused``."""
    if not username or not password:
        raise LoginRefused(ErrorCode.MP_AUTHENTICATION_FAILED,
                           "δώστε όνομα χρήστη και συνθηματικό (give a username and a password)")
    try:
        caller = authenticator.authenticate(UsernameToken(username[:100], password, False), now, ip)
    except MitrooError as exc:
        raise LoginRefused(exc.code, exc.detail) from None
    try:
        check_active(caller, now.date())
    except MitrooError as exc:
        raise LoginRefused(exc.code, exc.detail, caller) from None
    if AUDITOR_ROLE not in caller.roles:
        raise LoginRefused(ErrorCode.MP_NOT_AUTHORIZED, "ο χρήστης δεν έχει ρόλο ελεγκτή (not an auditor)", caller)
    with sessions() as session:
        return Auditor(caller.username, caller.agency_code, caller.system_code, _changed_at(session, caller.username))


def still_valid(sessions: sessionmaker[Session], auditor: Auditor, environment: str) -> bool:
    """Whether the account behind a session may still use the console (read afresh every request)."""
    with sessions() as session:
        row = session.execute(
            select(WsUser, Agency.code).join(AgencySystem, WsUser.system_id == AgencySystem.id)
            .join(Agency, AgencySystem.agency_id == Agency.id).where(WsUser.username == auditor.username)
        ).one_or_none()
    if row is None:
        return False
    user, agency = row
    return (not user.locked and user.environment == environment and agency == auditor.agency_code
            and AUDITOR_ROLE in user.roles.split(",")
            and user.password_changed_at.isoformat() == auditor.password_changed_at)
