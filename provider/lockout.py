"""Login lockout: too many failed logins lock a username, and a source IP, for a sliding window.

The failures live in the database (``login_failures``), so every worker and every host behind the
load balancer sees the same count. A lock lifts by itself once the failures age out of the window;
a successful login clears the user's failures. Attempts refused while locked are not counted, so
an attacker cannot grow the table or extend the lock beyond one window past the last counted one.

Used by the SOAP authenticator and by the auditor console's login form.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, delete, func, select
from sqlalchemy.orm import Session

from db.models import LoginFailure
from provider.errors import ErrorCode, MitrooError


@dataclass(frozen=True)
class LockoutPolicy:
    user_failures: int = 10  # failed logins of one username within the window that lock it
    ip_failures: int = 50  # failed logins from one source IP (any usernames) that lock the IP
    window_seconds: int = 300


@dataclass(frozen=True)
class Failures:
    by_user: int
    by_ip: int


_FAILURES = LoginFailure.__table__


def failure_counts(username: Any, ip: Any, since: Any) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """The failed logins of ``username`` and from ``ip`` after ``since`` (values or bind parameters), as
    two scalar subqueries on their indexes, for a statement that reads them with other things."""
    failures = _FAILURES.c
    by_user = select(func.count()).where(failures.username == username, failures.failed_at > since)
    by_ip = select(func.count()).where(failures.ip == ip, failures.failed_at > since)
    return by_user.scalar_subquery(), by_ip.scalar_subquery()


def window_start(policy: LockoutPolicy, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=policy.window_seconds)


def recent_failures(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> Failures:
    by_user, by_ip = session.execute(select(*failure_counts(username, ip, window_start(policy, now)))).one()
    return Failures(int(by_user), int(by_ip))


def check(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> Failures:
    """Refuse a locked username or source IP; otherwise return the failures seen so far."""
    return refuse_locked(policy, recent_failures(session, policy, username, ip, now), ip)


def refuse_locked(policy: LockoutPolicy, failures: Failures, ip: str) -> Failures:
    """Refuse a username or source IP with too many ``failures``; otherwise return them."""
    minutes = max(1, policy.window_seconds // 60)
    if failures.by_user >= policy.user_failures:
        raise MitrooError(
            ErrorCode.MP_AUTHENTICATION_FAILED,
            f"ο λογαριασμός κλειδώθηκε προσωρινά μετά από {failures.by_user} αποτυχημένες συνδέσεις· "
            f"δοκιμάστε ξανά σε έως {minutes} λεπτά (too many failed logins: locked for up to {minutes} min)",
        )
    if failures.by_ip >= policy.ip_failures:
        raise MitrooError(
            ErrorCode.MP_AUTHENTICATION_FAILED,
            f"η διεύθυνση {ip} κλειδώθηκε προσωρινά μετά από {failures.by_ip} αποτυχημένες συνδέσεις· "
            f"δοκιμάστε ξανά σε έως {minutes} λεπτά (too many failed logins from this IP)",
        )
    return failures


def record_failure(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> None:
    """Count one failed login and drop failures older than the window; commits."""
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - dt.timedelta(seconds=policy.window_seconds)))
    session.add(LoginFailure(username=username[:100], ip=ip[:45], failed_at=now))
    session.commit()


def clear(session: Session, username: str) -> None:
    """A successful login forgives the user's earlier failures (not the IP's); commits."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    session.commit()
