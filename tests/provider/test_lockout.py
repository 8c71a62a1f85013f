"""provider/lockout.py through the Authenticator, on a real migrated database (SQLite and
PostgreSQL): failed logins lock a username and a source IP for a sliding window, the lock lifts
by itself, a success forgives, and attempts refused while locked do not extend the lock."""
from __future__ import annotations

import datetime as dt

import pytest

from provider.accreditation import Authenticator
from provider.errors import ErrorCode, MitrooError
from provider.lockout import LockoutPolicy
from provider.settings import Settings, SettingsError
from tests.conftest import PreparedDatabase
from tests.provider.test_admin import NEW_PASSWORD, OLD_PASSWORD, new_user, test_db, text_token  # noqa: F401
from tests.provider.test_admin import authenticator as admin_authenticator

POLICY = LockoutPolicy(user_failures=4, ip_failures=6, window_seconds=300)
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone.utc)


def authenticator(test_db: PreparedDatabase) -> Authenticator:
    return admin_authenticator(test_db, lockout_policy=POLICY)


def attempt(auth: Authenticator, username: str, password: str, at: dt.datetime, ip: str) -> str | None:
    """None when accepted, else the refusal's message."""
    try:
        auth.authenticate(text_token(username, password), at, ip)
    except MitrooError as exc:
        assert exc.code is ErrorCode.MP_AUTHENTICATION_FAILED
        return str(exc)
    return None


def fail(auth: Authenticator, username: str, times: int, at: dt.datetime, ip: str) -> None:
    for i in range(times):
        message = attempt(auth, username, NEW_PASSWORD, at + dt.timedelta(seconds=i), ip)
        assert message is not None and "too many" not in message


def test_a_user_is_locked_after_n_failures_and_unlocked_after_the_window(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user, other = new_user(test_db), new_user(test_db)
    fail(auth, user, POLICY.user_failures, START, "10.0.0.1")
    last_failure = START + dt.timedelta(seconds=POLICY.user_failures - 1)

    locked = attempt(auth, user, OLD_PASSWORD, last_failure + dt.timedelta(seconds=5), "10.0.0.1")
    assert locked is not None and "too many failed logins" in locked and "5 min" in locked
    # The lock is the user's, whichever address they come from; another user is unaffected.
    assert attempt(auth, user, OLD_PASSWORD, last_failure + dt.timedelta(seconds=6), "10.9.9.9") == locked
    assert attempt(auth, other, OLD_PASSWORD, last_failure + dt.timedelta(seconds=7), "10.0.0.1") is None
    # Once the first failure leaves the window, only N-1 remain: the right password is accepted.
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=POLICY.window_seconds + 1), "10.0.0.1") is None


def test_attempts_refused_while_locked_do_not_extend_the_lock(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user = new_user(test_db)
    fail(auth, user, POLICY.user_failures, START, "10.0.1.1")
    for i in range(20):
        assert "too many" in (attempt(auth, user, NEW_PASSWORD, START + dt.timedelta(seconds=60 + i), "10.0.1.1") or "")
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=POLICY.window_seconds + 1), "10.0.1.1") is None


def test_a_success_forgives_the_users_failures(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user = new_user(test_db)
    fail(auth, user, POLICY.user_failures - 1, START, "10.0.2.1")
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=10), "10.0.2.1") is None
    fail(auth, user, POLICY.user_failures - 1, START + dt.timedelta(seconds=11), "10.0.2.1")
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=20), "10.0.2.1") is None


def test_a_source_ip_is_locked_after_failures_across_usernames(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user = new_user(test_db)
    ip = "192.0.2.77"
    for i in range(POLICY.ip_failures):  # a guesser trying a different (unknown) username each time
        assert attempt(auth, f"guess-{i}-{user}", "whatever-password", START + dt.timedelta(seconds=i), ip) is not None
    refused = attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=30), ip)
    assert refused is not None and ip in refused and "from this IP" in refused
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=31), "192.0.2.78") is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MITROO_LOCKOUT_FAILURES", "0", "MITROO_LOCKOUT_FAILURES='0': must be at least 1"),
        ("MITROO_LOCKOUT_IP_FAILURES", "many", "MITROO_LOCKOUT_IP_FAILURES='many': must be a whole number"),
        ("MITROO_LOCKOUT_WINDOW", "100000", "MITROO_LOCKOUT_WINDOW='100000': must be between 1 and 86400"),
    ],
)
def test_lockout_settings_are_validated(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        Settings.from_env({variable: value})


def test_lockout_settings_reach_the_policy() -> None:
    settings = Settings.from_env(
        {"MITROO_LOCKOUT_FAILURES": "3", "MITROO_LOCKOUT_IP_FAILURES": "7", "MITROO_LOCKOUT_WINDOW": "60"}
    )
    assert settings.lockout_policy == LockoutPolicy(3, 7, 60)
    assert Settings().lockout_policy == LockoutPolicy(10, 50, 300)
