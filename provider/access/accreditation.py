"""Who is calling and what they may do: authentication, accreditation status, grants, quota.

Plain Python over the database (no spyne). The slow Argon2 hash is paid once per credential
per ``credential_cache_seconds``: the cache key includes the stored hash, and the user row
(lock flag, hash) is read on every call, so a password change or a lock takes effect at once.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from db.models import Agency, AgencySystem, DailyUsage, Grant, UsedNonce, UsedTransaction, WsUser
from provider.access import lockout
from provider.access.credentials import CredentialKey, hash_password, verify_password
from provider.catalogue import CATALOGUE
from provider.errors import ErrorCode, MitrooError
from provider.xml.wssecurity import UsernameToken, check_digest_freshness, digest_matches

# Operations every authenticated caller of an active agency may call on any service.
METASERVICES = frozenset({"listMethods", "allowedMethods"})


@dataclass(frozen=True)
class Caller:
    user_id: int
    username: str
    roles: tuple[str, ...]
    system_code: str
    agency_id: int
    agency_code: str
    agency_status: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    daily_quota: int
    # The client certificate the WS user is bound to (SHA-256, hex), read with the user; None: not bound.
    bound_cert_sha256: str | None = None


class _CredentialCache:
    def __init__(self, ttl_seconds: int) -> None:
        self.ttl = ttl_seconds
        self._entries: dict[str, float] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, stored_hash: str, password: str) -> str:
        return hashlib.sha256("\0".join((username, stored_hash, password)).encode()).hexdigest()

    def hit(self, key: str) -> bool:
        with self._lock:
            expiry = self._entries.get(key)
            if expiry is None:
                return False
            if expiry < time.monotonic():
                del self._entries[key]
                return False
            return True

    def remember(self, key: str) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = time.monotonic() + self.ttl


_UNKNOWN = "άγνωστος χρήστης ή λάθος συνθηματικό (unknown user or wrong password)"

# An unknown username is checked against this hash, so it costs the same slow Argon2 verification
# as a wrong password: the time of a refusal does not tell whether the username exists.
_DUMMY_HASH = hash_password("unknown-user-dummy-password")


_USERS, _SYSTEMS, _AGENCIES = WsUser.__table__, AgencySystem.__table__, Agency.__table__
_GRANTS, _USED = Grant.__table__, UsedTransaction.__table__


def _caller_query(for_call: bool) -> Select[Any]:
    """The WS user, their system and agency, and what the lockout knows of the username and source
    address (provider/access/lockout.py): one indexed statement.
    ``for_call`` adds what admission to a call also needs, on the same round trip: whether the agency
    holds the grant for the service and operation, and the earlier use of the auditTransactionId."""
    users, systems, agencies = _USERS.c, _SYSTEMS.c, _AGENCIES.c
    joined = _USERS.join(_SYSTEMS, users.system_id == systems.id).join(_AGENCIES, systems.agency_id == agencies.id)
    columns: list[Any] = [
        *lockout.failure_columns(bindparam("username"), bindparam("ip"), bindparam("since")), users.id, users.username,
        users.password_hash, users.digest_secret, users.environment, users.locked, users.roles, users.client_cert_sha256,
        systems.code.label("system_code"), agencies.id.label("agency_id"), agencies.code.label("agency_code"),
        agencies.status, agencies.valid_from, agencies.valid_to, agencies.daily_quota,
    ]
    if for_call:
        grants, used = _GRANTS.c, _USED.c
        joined = joined.outerjoin(_GRANTS, and_(
            grants.agency_id == agencies.id, grants.service == bindparam("service"),
            grants.operation == bindparam("operation"),
        )).outerjoin(_USED, and_(
            used.agency_id == agencies.id, used.audit_unit == bindparam("unit"),
            used.transaction_id == bindparam("transaction_id"),
        ))
        columns += [grants.id.label("grant_id"), used.call_sequence_id.label("used_call_sequence_id"),
                    used.content_digest.label("used_content_digest")]
    return select(*columns).select_from(joined).where(users.username == bindparam("username"))


_CALLER = _caller_query(for_call=False)
_CALLER_FOR_CALL = _caller_query(for_call=True)
_DEFAULT_LOCKOUT = lockout.LockoutPolicy()  # frozen: one instance serves every Authenticator


@dataclass(frozen=True)
class Admission:
    """What admission to a call read with the caller: the grant, and an earlier use of the transaction id."""

    caller: Caller
    granted: bool
    used: UsedTransactionId | None


@dataclass(frozen=True)
class UsedTransactionId:
    call_sequence_id: str
    content_digest: str | None


class Authenticator:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        environment: str,
        credential_key: CredentialKey,
        cache_seconds: int,
        digest_max_age_seconds: int,
        lockout_policy: lockout.LockoutPolicy = _DEFAULT_LOCKOUT,
    ) -> None:
        self.sessions = sessions
        self.lockout = lockout_policy
        self.environment = environment
        self.credential_key = credential_key
        self.digest_max_age = digest_max_age_seconds
        self.cache = _CredentialCache(cache_seconds)

    def authenticate(self, token: UsernameToken, now: dt.datetime, ip: str, session: Session | None = None) -> Caller:
        """The caller named by ``token``, read on ``session`` or on a session of its own. A wrong
        password or unknown user counts towards the lockout of the username and of the source ``ip``
        (provider/access/lockout.py)."""
        with _borrowed(self.sessions, session) as session:
            return self._caller(session, _CALLER, {}, token, now, ip)[0]

    def admit(self, session: Session, token: UsernameToken, now: dt.datetime, ip: str, service: str, operation: str,
              unit: str, transaction_id: str) -> Admission:
        """``authenticate`` on the call's admission ``session``, reading in the same statement whether the
        caller's agency holds the grant for ``service``.``operation`` and whether it used
        ``transaction_id`` from ``unit`` before (checked by ``check_grant`` and ``replay_of``)."""
        parameters = {"service": service, "operation": operation, "unit": unit, "transaction_id": transaction_id}
        caller, row = self._caller(session, _CALLER_FOR_CALL, parameters, token, now, ip)
        used = None if row.used_call_sequence_id is None else UsedTransactionId(
            row.used_call_sequence_id, row.used_content_digest)
        return Admission(caller, row.grant_id is not None, used)

    def _caller(self, session: Session, query: Select[Any], parameters: dict[str, str], token: UsernameToken,
                now: dt.datetime, ip: str) -> tuple[Caller, Row[Any]]:
        row = session.execute(query, {
            **parameters, "username": token.username, "ip": ip, "since": lockout.window_start(self.lockout, now),
        }).one_or_none()
        if row is None:  # the lockout still decides first whether the attempt is refused unchecked
            failures = lockout.check(session, self.lockout, token.username, ip, now)
        else:
            failures = lockout.refuse_locked(self.lockout, lockout.failures_of(row), ip, now)
        try:
            if row is None:
                if not token.digest:  # a digest is checked without the slow hash for known users too
                    verify_password(_DUMMY_HASH, token.password)
                raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, _UNKNOWN)
            self._check_password(session, token, row, now)
        except MitrooError:
            session.rollback()
            lockout.record_failure(session, self.lockout, token.username, ip, now, failures)
            raise
        lockout.succeeded(session, row.username, ip, now, failures)
        # Checked after the password so a lock or environment is not revealed to a guesser.
        if row.locked:
            raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, "ο λογαριασμός είναι κλειδωμένος (user is locked)")
        if row.environment != self.environment:
            raise MitrooError(
                ErrorCode.MP_AUTHENTICATION_FAILED,
                f"ο χρήστης ανήκει στο περιβάλλον {row.environment}, όχι στο {self.environment}",
            )
        caller = Caller(
            user_id=row.id,
            username=row.username,
            roles=tuple(r for r in row.roles.split(",") if r),
            system_code=row.system_code,
            agency_id=row.agency_id,
            agency_code=row.agency_code,
            agency_status=row.status,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            daily_quota=row.daily_quota,
            bound_cert_sha256=row.client_cert_sha256,
        )
        return caller, row

    def _check_password(self, session: Session, token: UsernameToken, user: Row[Any], now: dt.datetime) -> None:
        if token.digest:
            self._check_digest(session, token, user, now)
            return
        key = self.cache.key(user.username, user.password_hash, token.password)
        if not self.cache.hit(key):
            if not verify_password(user.password_hash, token.password):
                raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, _UNKNOWN)
            self.cache.remember(key)

    def _check_digest(self, session: Session, token: UsernameToken, user: Row[Any], now: dt.datetime) -> None:
        check_digest_freshness(token, now, self.digest_max_age)
        password = self.credential_key.decrypt(user.digest_secret) if user.digest_secret else None
        if password is None:
            raise MitrooError(
                ErrorCode.MP_AUTHENTICATION_FAILED,
                "ο χρήστης δεν είναι ρυθμισμένος για PasswordDigest· χρησιμοποιήστε PasswordText",
            )
        if not digest_matches(token, password):
            raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, _UNKNOWN)
        nonce = hashlib.sha256(token.nonce).hexdigest()
        session.execute(delete(UsedNonce).where(UsedNonce.seen_at < now - dt.timedelta(seconds=self.digest_max_age * 2)))
        session.add(UsedNonce(nonce=nonce, username=user.username, seen_at=now))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, "το Nonce έχει ήδη χρησιμοποιηθεί (nonce replay)") from None


@contextlib.contextmanager
def _borrowed(sessions: sessionmaker[Session], session: Session | None) -> Iterator[Session]:
    """``session`` when given, else a new one closed afterwards."""
    if session is not None:
        yield session
        return
    with sessions() as own:
        yield own


def check_active(caller: Caller, today: dt.date) -> None:
    if caller.agency_status == "suspended":
        raise MitrooError(ErrorCode.MP_ACCREDITATION_INACTIVE, f"η διαπίστευση του φορέα {caller.agency_code} έχει ανασταλεί")
    if caller.valid_from and today < caller.valid_from:
        raise MitrooError(
            ErrorCode.MP_ACCREDITATION_INACTIVE,
            f"η διαπίστευση του φορέα {caller.agency_code} ισχύει από {caller.valid_from.isoformat()}",
        )
    if caller.valid_to and today > caller.valid_to:
        raise MitrooError(
            ErrorCode.MP_ACCREDITATION_INACTIVE,
            f"η διαπίστευση του φορέα {caller.agency_code} έληξε στις {caller.valid_to.isoformat()}",
        )


AUDITOR_ROLE = "auditor"
# Services opened by a WS user's role rather than by an agency grant.
ROLE_SERVICES = {"audit": AUDITOR_ROLE}


def granted_operations(session: Session, caller: Caller, service: str) -> list[str]:
    role = ROLE_SERVICES.get(service)
    if role is not None:
        return sorted(CATALOGUE[service]) if role in caller.roles else []
    return list(
        session.scalars(
            select(Grant.operation).where(Grant.agency_id == caller.agency_id, Grant.service == service)
            .order_by(Grant.operation)
        )
    )


def check_grant(caller: Caller, service: str, operation: str, granted: bool) -> None:
    """Refuse ``operation`` unless it is a metaservice, the caller has the service's role, or the agency
    holds the grant (``granted``, as read by ``Authenticator.admit``)."""
    if operation in METASERVICES:
        return
    role = ROLE_SERVICES.get(service)
    if role is not None:
        if role not in caller.roles:
            raise MitrooError(
                ErrorCode.MP_NOT_AUTHORIZED,
                f"η υπηρεσία {service} είναι μόνο για χρήστες με ρόλο {role} (only for users with the {role} role)",
            )
        return
    if not granted:
        raise MitrooError(
            ErrorCode.MP_NOT_AUTHORIZED,
            f"ο φορέας {caller.agency_code} δεν έχει έγκριση για {service}.{operation}",
        )


def replay_of(used: UsedTransactionId | None, transaction_id: str, content_digest: str) -> str | None:
    """Refuse a reused auditTransactionId (``used``, as read by ``Authenticator.admit``), unless the
    call is a retry: the same unit sending the same content again because the first answer never
    arrived (a client's retry after a dropped connection). A retry is answered, and the
    callSequenceId of the original is returned."""
    if used is None:
        return None
    if used.content_digest is not None and used.content_digest == content_digest:
        return str(used.call_sequence_id)
    raise duplicate_transaction(transaction_id, used.call_sequence_id)


def duplicate_transaction(transaction_id: str, call_sequence_id: str) -> MitrooError:
    return MitrooError(
        ErrorCode.MP_DUPLICATE_TRANSACTION,
        f"το auditTransactionId {transaction_id!r} χρησιμοποιήθηκε ήδη (callSequenceId {call_sequence_id})",
    )


_USAGE = DailyUsage.__table__


def counting(statement: PgInsert | SqliteInsert) -> ReturningInsert[int]:
    """``statement``, an INSERT of an agency's row of the day in agency_daily_usage with one call, made to
    count one call more on the row that exists instead, while it holds fewer calls than the bind parameter
    ``quota``: it returns the calls counted, or no row when the quota is spent (and then counts nothing).
    The plain count below, and the PostgreSQL statement that takes a concurrency slot and counts the call
    (provider/access/concurrency.py)."""
    return statement.on_conflict_do_update(
        index_elements=[_USAGE.c.agency_id, _USAGE.c.day],
        set_={"calls": _USAGE.c.calls + 1},
        where=_USAGE.c.calls < bindparam("quota"),
    ).returning(_USAGE.c.calls)


_COUNT_CALL = {
    dialect: counting(insert(_USAGE).values(agency_id=bindparam("agency_id"), day=bindparam("day"), calls=1))
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def quota_parameters(caller: Caller, day: dt.date) -> dict[str, Any]:
    return {"agency_id": caller.agency_id, "day": day, "quota": caller.daily_quota}


def count_call(session: Session, caller: Caller, day: dt.date) -> int | None:
    """Count this call against the agency's daily quota on ``session`` (uncommitted): the calls counted on
    ``day``, or None when the quota is spent (nothing counted)."""
    statement = _COUNT_CALL[session.get_bind().dialect.name]
    return session.execute(statement, quota_parameters(caller, day)).scalar_one_or_none()


def check_quota(caller: Caller, calls: int | None, day: dt.date) -> None:
    """Refuse the call whose count against the daily quota came to ``calls`` (None: the quota was spent)."""
    if calls is None or calls > caller.daily_quota:
        raise MitrooError(
            ErrorCode.MP_QUOTA_EXCEEDED,
            f"ο φορέας {caller.agency_code} εξάντλησε το ημερήσιο όριο {caller.daily_quota} κλήσεων για {day.isoformat()}",
        )
