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
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.models import Agency, AgencySystem, DailyUsage, Grant, UsedNonce, UsedTransaction, WsUser
from provider import lockout
from provider.catalogue import CATALOGUE
from provider.credentials import CredentialKey, verify_password
from provider.errors import ErrorCode, MitrooError
from provider.wssecurity import UsernameToken, check_digest_freshness, digest_matches

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


class Authenticator:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        environment: str,
        credential_key: CredentialKey,
        cache_seconds: int,
        digest_max_age_seconds: int,
        lockout_policy: lockout.LockoutPolicy = lockout.LockoutPolicy(),
    ) -> None:
        self.sessions = sessions
        self.lockout = lockout_policy
        self.environment = environment
        self.credential_key = credential_key
        self.digest_max_age = digest_max_age_seconds
        self.cache = _CredentialCache(cache_seconds)

    def authenticate(self, token: UsernameToken, now: dt.datetime, ip: str, session: Session | None = None) -> Caller:
        """The caller named by ``token``, read on ``session`` (the gateway's admission transaction) or on
        a session of its own. A wrong password or unknown user counts towards the lockout of the
        username and of the source ``ip`` (provider/lockout.py)."""
        with _borrowed(self.sessions, session) as session:
            failures = lockout.check(session, self.lockout, token.username, ip, now)
            row = session.execute(
                select(WsUser, AgencySystem, Agency)
                .join(AgencySystem, WsUser.system_id == AgencySystem.id)
                .join(Agency, AgencySystem.agency_id == Agency.id)
                .where(WsUser.username == token.username)
            ).one_or_none()
            try:
                if row is None:
                    raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, _UNKNOWN)
                user, system, agency = row
                self._check_password(session, token, user, now)
            except MitrooError:
                session.rollback()
                lockout.record_failure(session, self.lockout, token.username, ip, now)
                raise
            if failures.by_user:
                lockout.clear(session, user.username)
            # Checked after the password so a lock or environment is not revealed to a guesser.
            if user.locked:
                raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, "ο λογαριασμός είναι κλειδωμένος (user is locked)")
            if user.environment != self.environment:
                raise MitrooError(
                    ErrorCode.MP_AUTHENTICATION_FAILED,
                    f"ο χρήστης ανήκει στο περιβάλλον {user.environment}, όχι στο {self.environment}",
                )
            return Caller(
                user_id=user.id,
                username=user.username,
                roles=tuple(r for r in user.roles.split(",") if r),
                system_code=system.code,
                agency_id=agency.id,
                agency_code=agency.code,
                agency_status=agency.status,
                valid_from=agency.valid_from,
                valid_to=agency.valid_to,
                daily_quota=agency.daily_quota,
            )

    def _check_password(self, session: Session, token: UsernameToken, user: WsUser, now: dt.datetime) -> None:
        if token.digest:
            self._check_digest(session, token, user, now)
            return
        key = self.cache.key(user.username, user.password_hash, token.password)
        if not self.cache.hit(key):
            if not verify_password(user.password_hash, token.password):
                raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, _UNKNOWN)
            self.cache.remember(key)

    def _check_digest(self, session: Session, token: UsernameToken, user: WsUser, now: dt.datetime) -> None:
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


def check_grant(session: Session, caller: Caller, service: str, operation: str) -> None:
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
    found = session.scalar(
        select(Grant.id).where(
            Grant.agency_id == caller.agency_id, Grant.service == service, Grant.operation == operation
        )
    )
    if found is None:
        raise MitrooError(
            ErrorCode.MP_NOT_AUTHORIZED,
            f"ο φορέας {caller.agency_code} δεν έχει έγκριση για {service}.{operation}",
        )


def check_not_replayed(
    session: Session, caller: Caller, unit: str, transaction_id: str, content_digest: str
) -> str | None:
    """Refuse a reused auditTransactionId, unless the call is a retry: the same unit sending the
    same content again because the first answer never arrived (a client's retry after a dropped
    connection). A retry is answered, and its callSequenceId of the original is returned."""
    used = session.execute(
        select(UsedTransaction.call_sequence_id, UsedTransaction.content_digest).where(
            UsedTransaction.agency_id == caller.agency_id,
            UsedTransaction.audit_unit == unit,
            UsedTransaction.transaction_id == transaction_id,
        )
    ).first()
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


def consume_quota(session: Session, caller: Caller, day: dt.date) -> None:
    """Count this call against the agency's daily quota; refuse once the quota is spent."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(DailyUsage).values(agency_id=caller.agency_id, day=day, calls=1)
    statement = statement.on_conflict_do_update(
        index_elements=[DailyUsage.agency_id, DailyUsage.day],
        set_={"calls": DailyUsage.calls + 1},
        where=DailyUsage.calls < caller.daily_quota,
    ).returning(DailyUsage.calls)
    used = session.execute(statement).scalar_one_or_none()
    session.commit()
    if used is None or used > caller.daily_quota:
        raise MitrooError(
            ErrorCode.MP_QUOTA_EXCEEDED,
            f"ο φορέας {caller.agency_code} εξάντλησε το ημερήσιο όριο {caller.daily_quota} κλήσεων για {day.isoformat()}",
        )
