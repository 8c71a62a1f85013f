"""Login lockout that an outsider cannot aim at an agency.

Failed logins live in the database (``login_failures``), and every successful login remembers its
(username, source address) pair for ``known_days`` (``login_sources``), so every worker and every
host sees the same counts. Within the sliding window:

- ``pair_failures`` failures of a username **from one address** lock that pair only: the same user
  from any other address is unaffected, so a guesser elsewhere cannot lock an agency out;
- ``ip_failures`` failures **from one address**, any usernames, stop that address from trying
  usernames that have never logged in from it (a guesser behind a NAT); the agency's users who
  have logged in from it before keep working;
- ``spray_failures`` failures of **one username from all addresses** (a spray from many
  addresses) throttle that username for addresses that have never logged it in: such an address
  may try it once per ``spray_delay_seconds``, an earlier attempt is refused at once, without the
  slow password check. An address that logged the user in before is never slowed.

Refused attempts are not counted, so an attacker cannot grow the table or extend a lock beyond
one window past the last counted failure; a lock lifts by itself once the failures age out. A
success forgives the pair's failures. Failures and refusals are counted in /metrics and a
threshold crossed is logged at WARNING, so an operator sees a spray.

Used by the SOAP authenticator and by the auditor console's login form.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ScalarSelect, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from db.models import LoginFailure, LoginSource
from provider import metrics
from provider.errors import ErrorCode, MitrooError

if TYPE_CHECKING:
    from provider.settings import Settings

log = logging.getLogger("mitroo.lockout")


@dataclass(frozen=True)
class LockoutPolicy:
    pair_failures: int = 10  # failures of one username from one address that lock that pair
    ip_failures: int = 50  # failures from one address after which it may try only usernames it logged in before
    window_seconds: int = 300
    spray_failures: int = 20  # failures of one username, all addresses, that throttle it for unknown addresses
    spray_delay_seconds: int = 30  # during a spray, an unknown address may try the username once per this
    known_days: int = 90  # how long a successful login makes its (username, address) pair known


def policy(settings: Settings) -> LockoutPolicy:
    """The policy the MITROO_LOCKOUT_* settings describe."""
    return LockoutPolicy(
        pair_failures=settings.lockout_user_failures, ip_failures=settings.lockout_ip_failures,
        window_seconds=settings.lockout_window_seconds, spray_failures=settings.lockout_spray_failures,
        spray_delay_seconds=settings.lockout_spray_delay_seconds, known_days=settings.lockout_known_days,
    )


@dataclass(frozen=True)
class Failures:
    """What the lockout knows of one attempt's username and source address, read before the password."""

    by_pair: int  # failures of this username from this address, in the window
    by_user: int  # failures of this username from every address
    by_ip: int  # failures from this address, every username
    pair_last_failure: dt.datetime | None
    last_success: dt.datetime | None  # this username's last successful login from this address

    def known(self, policy: LockoutPolicy, now: dt.datetime) -> bool:
        return self.last_success is not None and self.last_success > now - dt.timedelta(days=policy.known_days)


_FAILURES, _SOURCES = LoginFailure.__table__, LoginSource.__table__


def failure_columns(username: Any, ip: Any, since: Any) -> list[Any]:
    """The columns of ``Failures`` for ``username`` from ``ip`` after ``since`` (values or bind
    parameters), as labelled scalar subqueries on their indexes, for a statement that reads them
    together with other things."""
    f, s = _FAILURES.c, _SOURCES.c
    recent_pair = (f.username == username, f.ip == ip, f.failed_at > since)
    subqueries: dict[str, ScalarSelect[Any]] = {
        "by_pair": select(func.count()).where(*recent_pair).scalar_subquery(),
        "by_user": select(func.count()).where(f.username == username, f.failed_at > since).scalar_subquery(),
        "by_ip": select(func.count()).where(f.ip == ip, f.failed_at > since).scalar_subquery(),
        "pair_last_failure": select(func.max(f.failed_at)).where(*recent_pair).scalar_subquery(),
        "last_success": select(s.last_success_at).where(s.username == username, s.ip == ip).scalar_subquery(),
    }
    return [query.label(f"lockout_{name}") for name, query in subqueries.items()]


def failures_of(row: Any) -> Failures:
    """The ``Failures`` in a row read with ``failure_columns``."""
    return Failures(int(row.lockout_by_pair), int(row.lockout_by_user), int(row.lockout_by_ip),
                    row.lockout_pair_last_failure, row.lockout_last_success)


def window_start(policy: LockoutPolicy, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=policy.window_seconds)


_READ = select(*failure_columns(bindparam("username"), bindparam("ip"), bindparam("since")))


def recent_failures(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> Failures:
    return failures_of(session.execute(_READ, {"username": username, "ip": ip,
                                               "since": window_start(policy, now)}).one())


def check(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime) -> Failures:
    """Refuse a locked or throttled attempt; otherwise return the failures seen so far."""
    return refuse_locked(policy, recent_failures(session, policy, username, ip, now), ip, now)


def _refused(reason: str, detail: str) -> MitrooError:
    metrics.LOGIN_REFUSALS.labels(reason).inc()
    return MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, detail)


def refuse_locked(policy: LockoutPolicy, failures: Failures, ip: str, now: dt.datetime) -> Failures:
    """Refuse an attempt the policy stops before its password is checked; otherwise return ``failures``."""
    minutes = max(1, policy.window_seconds // 60)
    if failures.by_pair >= policy.pair_failures:
        raise _refused("pair_locked", (
            f"ο λογαριασμός κλειδώθηκε προσωρινά για τη διεύθυνση {ip} μετά από {failures.by_pair} αποτυχημένες "
            f"συνδέσεις· δοκιμάστε ξανά σε έως {minutes} λεπτά (too many failed logins from this address: "
            f"locked for up to {minutes} min)"))
    if failures.known(policy, now):
        return failures
    if failures.by_ip >= policy.ip_failures:
        raise _refused("address_limited", (
            f"η διεύθυνση {ip} έχει {failures.by_ip} αποτυχημένες συνδέσεις· για έως {minutes} λεπτά δέχεται μόνο "
            "χρήστες που έχουν συνδεθεί από αυτήν στο παρελθόν (too many failed logins from this IP; users who "
            "logged in from it before are not affected)"))
    if failures.by_user >= policy.spray_failures and failures.pair_last_failure is not None:
        wait = policy.spray_delay_seconds - (now - failures.pair_last_failure).total_seconds()
        if wait > 0:
            raise _refused("spray_throttled", (
                f"πολλές αποτυχημένες συνδέσεις για τον χρήστη από πολλές διευθύνσεις· από νέα διεύθυνση επιτρέπεται "
                f"μία δοκιμή ανά {policy.spray_delay_seconds} δευτερόλεπτα: δοκιμάστε ξανά σε {int(wait) + 1} "
                f"δευτερόλεπτα (many failed logins for this username from many addresses: try again in {int(wait) + 1} s)"))
    return failures


def record_failure(session: Session, policy: LockoutPolicy, username: str, ip: str, now: dt.datetime,
                   before: Failures) -> None:
    """Count one failed login (``before`` are the failures read for it) and drop failures older than
    the window; commits. A threshold this failure reaches is logged for the operator."""
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= window_start(policy, now)))
    session.add(LoginFailure(username=username[:100], ip=ip[:45], failed_at=now))
    session.commit()
    metrics.LOGIN_FAILURES.inc()
    shown = username[:100].encode("unicode_escape").decode("ascii")
    if before.by_pair + 1 == policy.pair_failures:
        log.warning("login lockout: username %r locked for address %s after %d failures", shown, ip, policy.pair_failures)
    if before.by_ip + 1 == policy.ip_failures:
        log.warning("login lockout: address %s reached %d failures; it may now try only usernames known from it",
                    ip, policy.ip_failures)
    if before.by_user + 1 == policy.spray_failures:
        log.warning("login lockout: username %r has %d failures from several addresses (a spray?); unknown "
                    "addresses are throttled to one attempt per %d s", shown, policy.spray_failures,
                    policy.spray_delay_seconds)


def _remember_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_SOURCES).values(username=bindparam("username"), ip=bindparam("ip"),
                                        last_success_at=bindparam("now"))
    return statement.on_conflict_do_update(index_elements=[_SOURCES.c.username, _SOURCES.c.ip],
                                           set_={"last_success_at": statement.excluded.last_success_at})


_REMEMBER = {dialect: _remember_statement(dialect) for dialect in ("postgresql", "sqlite")}
# A known pair's time is refreshed at most this often (one write a day per pair, not per call).
_REFRESH = dt.timedelta(days=1)


def succeeded(session: Session, username: str, ip: str, now: dt.datetime, before: Failures) -> None:
    """A successful login: forgive this pair's failures and remember the pair as known (written only
    when it is new or its time is a day old, so an ordinary call writes nothing); commits when it wrote."""
    wrote = False
    if before.by_pair:
        session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.ip == ip[:45]))
        wrote = True
    if before.last_success is None or before.last_success < now - _REFRESH:
        session.execute(_REMEMBER[session.get_bind().dialect.name], {"username": username, "ip": ip[:45], "now": now})
        wrote = True
    if wrote:
        session.commit()
