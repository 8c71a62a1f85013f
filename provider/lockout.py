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

from sqlalchemy import case, delete, func, or_, select
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


def recent_failures(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> Failures:
    since = now - dt.timedelta(seconds=policy.window_seconds)
    by_user, by_ip = session.execute(
        select(
            func.coalesce(func.sum(case((LoginFailure.username == username, 1), else_=0)), 0),
            func.coalesce(func.sum(case((LoginFailure.ip == ip, 1), else_=0)), 0),
        ).where(LoginFailure.failed_at > since, or_(LoginFailure.username == username, LoginFailure.ip == ip))
    ).one()
    return Failures(int(by_user), int(by_ip))


def check(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> Failures:
    """Refuse a locked username or source IP; otherwise return the failures seen so far."""
    failures = recent_failures(session, policy, username, ip, now)
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
