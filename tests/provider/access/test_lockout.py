"""provider/access/lockout.py through the Authenticator, on a real migrated database (SQLite and
PostgreSQL): failures lock a (username, address) pair, never the user elsewhere; an address with
many failures may try only usernames known from it; a username sprayed from many addresses is
throttled for unknown addresses only; locks lift by themselves, a success forgives, and attempts
refused unchecked do not extend a lock."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from provider.access import lockout
from provider.access.accreditation import Authenticator
from provider.access.lockout import LockoutPolicy
from provider.errors import ErrorCode, MitrooError
from provider.settings import Settings, SettingsError
from tests.conftest import PreparedDatabase
from tests.provider.access.test_admin import NEW_PASSWORD, OLD_PASSWORD, new_user, text_token
from tests.provider.access.test_admin import authenticator as admin_authenticator

POLICY = LockoutPolicy(pair_failures=4, ip_failures=6, window_seconds=300, spray_failures=5, spray_delay_seconds=30)
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


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
        assert message is not None and "wrong password" in message


def test_failures_lock_the_pair_not_the_user_elsewhere_and_the_lock_lifts(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user, other = new_user(test_db), new_user(test_db)
    fail(auth, user, POLICY.pair_failures, START, "10.0.0.1")
    last_failure = START + dt.timedelta(seconds=POLICY.pair_failures - 1)

    locked = attempt(auth, user, OLD_PASSWORD, last_failure + dt.timedelta(seconds=5), "10.0.0.1")
    assert locked is not None and "from this address" in locked and "5 min" in locked
    # The lock is the pair's: the user from another address, and another user from this one, get in.
    assert attempt(auth, user, OLD_PASSWORD, last_failure + dt.timedelta(seconds=6), "10.9.9.9") is None
    assert attempt(auth, other, OLD_PASSWORD, last_failure + dt.timedelta(seconds=7), "10.0.0.1") is None
    # Once the first failure leaves the window, only N-1 remain: the right password is accepted.
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=POLICY.window_seconds + 1), "10.0.0.1") is None


def test_attempts_refused_while_locked_do_not_extend_the_lock(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user = new_user(test_db)
    fail(auth, user, POLICY.pair_failures, START, "10.0.1.1")
    for i in range(20):
        assert "too many" in (attempt(auth, user, NEW_PASSWORD, START + dt.timedelta(seconds=60 + i), "10.0.1.1") or "")
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=POLICY.window_seconds + 1), "10.0.1.1") is None


def test_a_success_forgives_the_pairs_failures(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user = new_user(test_db)
    fail(auth, user, POLICY.pair_failures - 1, START, "10.0.2.1")
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=10), "10.0.2.1") is None
    fail(auth, user, POLICY.pair_failures - 1, START + dt.timedelta(seconds=11), "10.0.2.1")
    assert attempt(auth, user, OLD_PASSWORD, START + dt.timedelta(seconds=20), "10.0.2.1") is None


def test_an_address_with_many_failures_may_try_only_usernames_known_from_it(test_db: PreparedDatabase) -> None:
    """Agencies behind one NAT: a guesser behind it does not lock out the users who log in from it."""
    auth = authenticator(test_db)
    regular, newcomer = new_user(test_db), new_user(test_db)
    ip = "192.0.2.77"
    assert attempt(auth, regular, OLD_PASSWORD, START - dt.timedelta(days=3), ip) is None  # known from this address
    for i in range(POLICY.ip_failures):  # a guesser trying a different (unknown) username each time
        assert attempt(auth, f"guess-{i}-{regular}", "whatever-password", START + dt.timedelta(seconds=i), ip) is not None
    refused = attempt(auth, newcomer, OLD_PASSWORD, START + dt.timedelta(seconds=30), ip)
    assert refused is not None and ip in refused and "from this IP" in refused and "not affected" in refused
    assert attempt(auth, regular, OLD_PASSWORD, START + dt.timedelta(seconds=31), ip) is None
    assert attempt(auth, newcomer, OLD_PASSWORD, START + dt.timedelta(seconds=32), "192.0.2.78") is None


def test_a_sprayed_username_is_throttled_for_new_addresses_only(test_db: PreparedDatabase) -> None:
    auth = authenticator(test_db)
    user = new_user(test_db)
    assert attempt(auth, user, OLD_PASSWORD, START - dt.timedelta(days=1), "198.51.100.1") is None  # the agency
    for i in range(POLICY.spray_failures):  # one failure each from many addresses: no pair is locked
        assert "wrong password" in (attempt(auth, user, NEW_PASSWORD, START + dt.timedelta(seconds=i), f"203.0.113.{i}") or "")
    now = START + dt.timedelta(seconds=POLICY.spray_failures)
    # A new address gets one check, then must wait spray_delay_seconds for the next.
    assert "wrong password" in (attempt(auth, user, NEW_PASSWORD, now, "203.0.113.200") or "")
    began = time.monotonic()
    throttled = attempt(auth, user, OLD_PASSWORD, now + dt.timedelta(seconds=10), "203.0.113.200")
    unchecked = time.monotonic() - began
    assert throttled is not None and "try again in 21" in throttled
    assert unchecked < 0.05, "a throttled attempt must not pay the slow password check"
    assert attempt(auth, user, OLD_PASSWORD, now + dt.timedelta(seconds=POLICY.spray_delay_seconds + 1),
                   "203.0.113.200") is None
    # The agency's own address is never slowed, even mid-spray.
    assert attempt(auth, user, OLD_PASSWORD, now + dt.timedelta(seconds=11), "198.51.100.1") is None


def test_an_unknown_username_costs_the_same_slow_check_as_a_wrong_password(test_db: PreparedDatabase) -> None:
    """Equal time: the two refusals' timings overlap (each pays one Argon2 verification)."""
    auth = authenticator(test_db)
    user = new_user(test_db)

    def timed(username: str, i: int) -> float:
        began = time.monotonic()
        assert attempt(auth, username, NEW_PASSWORD, START + dt.timedelta(hours=i), f"198.18.{i}.1") is not None
        return time.monotonic() - began

    # Interleaved, so a burst of other work on the machine falls on both alike.
    wrong, unknown = [], []
    for i in range(9):
        wrong.append(timed(user, 2 * i))
        unknown.append(timed(f"nobody-{user}", 2 * i + 1))
    wrong.sort()
    unknown.sort()
    # Medians within a factor of two of each other (the slow check is the whole cost of both), and
    # each distribution's range overlaps the other's.
    assert 0.5 < unknown[4] / wrong[4] < 2.0, (wrong, unknown)
    assert unknown[0] <= wrong[-1] and wrong[0] <= unknown[-1], (wrong, unknown)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MITROO_LOCKOUT_FAILURES", "0", "MITROO_LOCKOUT_FAILURES='0': must be at least 1"),
        ("MITROO_LOCKOUT_IP_FAILURES", "many", "MITROO_LOCKOUT_IP_FAILURES='many': must be a whole number"),
        ("MITROO_LOCKOUT_WINDOW", "100000", "MITROO_LOCKOUT_WINDOW='100000': must be between 1 and 86400"),
        ("MITROO_LOCKOUT_SPRAY_DELAY", "0", "MITROO_LOCKOUT_SPRAY_DELAY='0': must be between 1 and 3600"),
    ],
)
def test_lockout_settings_are_validated(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        Settings.from_env({variable: value})


def test_lockout_settings_reach_the_policy() -> None:
    settings = Settings.from_env(
        {"MITROO_LOCKOUT_FAILURES": "3", "MITROO_LOCKOUT_IP_FAILURES": "7", "MITROO_LOCKOUT_WINDOW": "60"}
    )
    assert lockout.policy(settings) == LockoutPolicy(pair_failures=3, ip_failures=7, window_seconds=60)
    assert lockout.policy(Settings()) == LockoutPolicy(10, 50, 300, spray_failures=20, spray_delay_seconds=30)
    sprays = lockout.policy(Settings.from_env({"MITROO_LOCKOUT_SPRAY_FAILURES": "9", "MITROO_LOCKOUT_SPRAY_DELAY": "5",
                                               "MITROO_LOCKOUT_KNOWN_DAYS": "30"}))
    assert (sprays.spray_failures, sprays.spray_delay_seconds, sprays.known_days) == (9, 5, 30)
