"""Operator actions on accreditation (agencies, grants, WS users): plain functions over a
Session, used by the CLI. Each raises ``AdminError`` with a message an operator can act on."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from db.models import Agency, AgencySystem, ConsoleSession, Grant, Municipality, WsUser
from provider.access.credentials import CredentialKey, hash_password, password_problem
from provider.catalogue import CATALOGUE, unknown_operation
from provider.settings import ENVIRONMENTS

STATUSES = ("pilot", "production", "suspended")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


class AdminError(ValueError):
    pass


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    status: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    daily_quota: int
    systems: tuple[str, ...]
    municipality: str | None = None  # the code of the municipality a Δήμος acts for


@dataclass(frozen=True)
class GrantRow:
    agency: str
    service: str
    operation: str
    purpose: str
    legal_act: str


@dataclass(frozen=True)
class UserRow:
    username: str
    agency: str
    system: str
    environment: str
    locked: bool
    digest: bool
    roles: str
    client_cert_sha256: str | None = None  # the bound client certificate (mutual TLS), if any


def _agency(session: Session, code: str) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise AdminError(f"no agency with code {code!r} (see: mitroo-provider agency list)")
    return agency


def list_agencies(session: Session) -> list[AgencyRow]:
    return [
        AgencyRow(a.code, a.name, a.status, a.valid_from, a.valid_to, a.daily_quota, tuple(s.code for s in a.systems),
                  municipality)
        for a, municipality in session.execute(
            select(Agency, Municipality.code).outerjoin(Municipality, Municipality.id == Agency.municipality_id)
            .order_by(Agency.code))
    ]


def municipality_id(session: Session, code: str) -> int:
    found = session.scalar(select(Municipality.id).where(Municipality.code == code))
    if found is None:
        raise AdminError(f"no municipality with code {code!r} (ELSTAT code, e.g. 4501 for Αθηναίων)")
    return found


def add_agency(
    session: Session,
    *,
    code: str,
    name: str,
    legal_basis: str,
    status: str = "pilot",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    daily_quota: int = 10_000,
    systems: tuple[str, ...] = (),
    municipality_code: str | None = None,
) -> None:
    if not _CODE.match(code):
        raise AdminError("agency code must be 1-32 capital letters, digits, '-' or '_' (e.g. EFKA)")
    if not name.strip():
        raise AdminError("agency name must not be empty")
    if len(set(systems)) != len(systems):
        raise AdminError("a system code is given more than once")
    if any(not _CODE.match(s) for s in systems):
        raise AdminError("system codes must be 1-32 capital letters, digits, '-' or '_' (e.g. ORION)")
    if status not in STATUSES:
        raise AdminError(f"status must be one of {', '.join(STATUSES)}")
    if daily_quota < 0:
        raise AdminError("daily quota must not be negative")
    if valid_from and valid_to and valid_to < valid_from:
        raise AdminError("valid-to is before valid-from")
    if session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise AdminError(f"agency {code!r} already exists")
    agency = Agency(
        code=code, name=name, legal_basis=legal_basis, status=status,
        valid_from=valid_from, valid_to=valid_to, daily_quota=daily_quota,
        municipality_id=municipality_id(session, municipality_code) if municipality_code else None,
    )
    agency.systems.extend(AgencySystem(code=s, name=s) for s in systems)
    session.add(agency)


def add_system(session: Session, agency_code: str, code: str, name: str) -> None:
    agency = _agency(session, agency_code)
    if not _CODE.match(code):
        raise AdminError("system codes must be 1-32 capital letters, digits, '-' or '_' (e.g. ORION)")
    if any(s.code == code for s in agency.systems):
        raise AdminError(f"agency {agency_code} already has a system {code!r}")
    agency.systems.append(AgencySystem(code=code, name=name))


def set_agency_status(session: Session, code: str, status: str) -> None:
    if status not in STATUSES:
        raise AdminError(f"status must be one of {', '.join(STATUSES)}")
    _agency(session, code).status = status


def set_agency_validity(session: Session, code: str, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    agency = _agency(session, code)
    agency.valid_from, agency.valid_to = valid_from, valid_to


def set_agency_municipality(session: Session, code: str, municipality_code: str | None) -> None:
    """Make the agency a municipality (Δήμος) acting for ``municipality_code``, or no longer one (None)."""
    agency = _agency(session, code)
    agency.municipality_id = municipality_id(session, municipality_code) if municipality_code else None


def set_agency_quota(session: Session, code: str, daily_quota: int) -> None:
    if daily_quota < 0:
        raise AdminError("daily quota must not be negative")
    _agency(session, code).daily_quota = daily_quota


def list_grants(session: Session, agency_code: str | None = None) -> list[GrantRow]:
    query = select(Grant, Agency.code).join(Agency).order_by(Agency.code, Grant.service, Grant.operation)
    if agency_code:
        query = query.where(Agency.code == _agency(session, agency_code).code)
    return [GrantRow(code, g.service, g.operation, g.purpose, g.legal_act) for g, code in session.execute(query)]


def add_grant(session: Session, agency_code: str, service: str, operations: tuple[str, ...], purpose: str,
              legal_act: str) -> list[str]:
    """Grant ``operations`` (all of the service's when empty); returns those newly granted."""
    agency = _agency(session, agency_code)
    if not legal_act.strip():
        raise AdminError("a grant needs the legal act (ΦΕΚ / ΥΑ / ΑΔΑ) that allows it")
    operations = tuple(dict.fromkeys(operations)) or CATALOGUE.get(service, ())
    for operation in operations or ("",):
        problem = unknown_operation(service, operation)
        if problem:
            raise AdminError(problem)
    have = {(g.service, g.operation) for g in agency.grants}
    added = [op for op in operations if (service, op) not in have]
    agency.grants.extend(Grant(service=service, operation=op, purpose=purpose, legal_act=legal_act) for op in added)
    return added


def revoke_grant(session: Session, agency_code: str, service: str, operations: tuple[str, ...]) -> list[str]:
    agency = _agency(session, agency_code)
    revoked = []
    for grant in list(agency.grants):
        if grant.service == service and (not operations or grant.operation in operations):
            session.delete(grant)
            revoked.append(grant.operation)
    if not revoked:
        raise AdminError(f"agency {agency_code} has no such grant on {service}")
    return revoked


def list_users(session: Session, agency_code: str | None = None) -> list[UserRow]:
    query = (
        select(WsUser, AgencySystem.code, Agency.code)
        .join(AgencySystem, WsUser.system_id == AgencySystem.id)
        .join(Agency, AgencySystem.agency_id == Agency.id)
        .order_by(WsUser.username)
    )
    if agency_code:
        query = query.where(Agency.code == _agency(session, agency_code).code)
    return [
        UserRow(u.username, agency, system, u.environment, u.locked, u.digest_secret is not None, u.roles,
                u.client_cert_sha256)
        for u, system, agency in session.execute(query)
    ]


def _user(session: Session, username: str) -> WsUser:
    user = session.scalar(select(WsUser).where(WsUser.username == username))
    if user is None:
        raise AdminError(f"no WS user {username!r} (see: mitroo-provider user list)")
    return user


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AdminError(problem)


def add_user(
    session: Session,
    key: CredentialKey,
    *,
    username: str,
    agency_code: str,
    system_code: str,
    password: str,
    environment: str = "test",
    allow_digest: bool = False,
    roles: tuple[str, ...] = (),
) -> None:
    if environment not in ENVIRONMENTS:
        raise AdminError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise AdminError("username must be 1-100 characters without spaces")
    if session.scalar(select(WsUser.id).where(WsUser.username == username)) is not None:
        raise AdminError(f"WS user {username!r} already exists")
    _check_password(password)
    agency = _agency(session, agency_code)
    system = next((s for s in agency.systems if s.code == system_code), None)
    if system is None:
        known = ", ".join(s.code for s in agency.systems) or "none"
        raise AdminError(f"agency {agency_code} has no system {system_code!r} (systems: {known})")
    session.add(
        WsUser(
            system_id=system.id,
            username=username,
            password_hash=hash_password(password),
            digest_secret=key.encrypt(password) if allow_digest else None,
            environment=environment,
            locked=False,
            roles=",".join(roles),
            password_changed_at=dt.datetime.now(dt.UTC),
        )
    )


def set_password(session: Session, key: CredentialKey, username: str, password: str, allow_digest: bool | None = None) -> None:
    _check_password(password)
    user = _user(session, username)
    keep_digest = user.digest_secret is not None if allow_digest is None else allow_digest
    user.password_hash = hash_password(password)
    user.digest_secret = key.encrypt(password) if keep_digest else None
    user.password_changed_at = dt.datetime.now(dt.UTC)
    end_console_sessions(session, username)


def set_locked(session: Session, username: str, locked: bool) -> None:
    _user(session, username).locked = locked
    if locked:
        end_console_sessions(session, username)


def end_console_sessions(session: Session, username: str) -> int:
    """End every auditor-console session of ``username`` at once; returns how many there were."""
    _user(session, username)
    # A DML statement's result is a CursorResult (which has rowcount); Session.execute is typed as Result.
    result = cast(CursorResult[Any], session.execute(delete(ConsoleSession).where(ConsoleSession.username == username)))
    return result.rowcount or 0


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def bind_client_cert(session: Session, username: str, sha256: str | None) -> None:
    """Bind the user to the client certificate with this SHA-256 (hex, colons allowed); None unbinds."""
    if sha256 is not None:
        sha256 = sha256.replace(":", "").strip().lower()
        if not _SHA256.match(sha256):
            raise AdminError("a client certificate fingerprint is 64 hex digits (SHA-256 of the DER)")
    _user(session, username).client_cert_sha256 = sha256
