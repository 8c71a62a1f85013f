"""Logging in to the console over HTTP (both databases): auditors only, one answer for every
refused login, in equal time, cookie flags, refusals and the lockout audited, CSRF on every form,
a return address that stays on the console, server-side sessions that logout, a lock, a new
password, an operator, the idle timeout and the absolute lifetime end."""
from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import ConsoleSession
from provider.access import admin
from provider.access.credentials import CredentialKey
from tests.audit.console.conftest import (
    Console,
    add_auditor,
    console_events,
    console_settings,
    csrf_token,
    log_in,
    start_console,
)
from tests.conftest import PASSWORD, USERS

LOGIN_ERROR = re.compile(r'<div class="error" role="alert" id="login-error">(.*?)</div>', re.S)
REFUSED = "Λάθος όνομα χρήστη ή συνθηματικό"


def login_error(answer: requests.Response) -> str:
    match = LOGIN_ERROR.search(answer.text)
    assert match, answer.text[:500]
    return match.group(1)


def test_an_auditor_logs_in_with_a_hardened_cookie(console: Console) -> None:
    http, answer = log_in(console)
    assert answer.status_code == 200 and answer.url == console.url("/search")
    cookie = answer.history[0].headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "demo" not in cookie and PASSWORD not in cookie
    assert answer.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    event = console_events(console, "login", USERS.auditor)[-1]
    assert (event.outcome, event.agency_code, event.observed_ip) == ("OK", "YPES-DPO", "127.0.0.1")
    assert PASSWORD not in (event.outcome_detail or "")


def test_the_cookie_is_secure_behind_tls(console: Console, tmp_path: Path) -> None:
    settings = console_settings(console.database, tmp_path, console_public_url="https://audit.example.gr")
    app, server, base_url = start_console(settings)
    try:
        cookie = requests.get(base_url + "/login", timeout=30).headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        server.close()  # type: ignore[attr-defined]
        app.extensions["mitroo_console"].engine.dispose()


def test_a_wrong_password_is_refused_and_audited(console: Console) -> None:
    http, answer = log_in(console, USERS.auditor, "wrong-password-123")
    assert answer.status_code == 401 and REFUSED in login_error(answer)
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302
    event = console_events(console, "login", USERS.auditor)[-1]
    assert event.outcome == "MP_AUTHENTICATION_FAILED" and event.agency_code is None


def test_an_agency_user_gets_the_answer_of_a_wrong_password(console: Console) -> None:
    """The right password of a user without the auditor role must not be told from a wrong one."""
    http, answer = log_in(console, USERS.aade)
    _, wrong = log_in(console, USERS.aade, "wrong-password-123")
    assert answer.status_code == wrong.status_code == 401
    assert login_error(answer) == login_error(wrong) and REFUSED in login_error(answer)
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302
    refused = console_events(console, "login", USERS.aade)[-2]  # the audit keeps the reason
    assert (refused.outcome, refused.agency_code) == ("MP_NOT_AUTHORIZED", "AADE")
    assert "auditor" in (refused.outcome_detail or "")


def test_failed_logins_take_equal_time(console: Console) -> None:
    """A wrong password, an unknown user and a non-auditor's right password each cost one Argon2
    hash: their medians stay within a factor of two (an unknown user used to answer 20 times
    faster). Fresh usernames each time, so no lockout shortens a refusal."""
    known = [f"t-time-{uuid.uuid4().hex[:6]}" for _ in range(5)]
    for username in known:
        add_auditor(console, username)
    http = requests.Session()
    token = csrf_token(http.get(console.url("/login"), timeout=30).text)

    def seconds(username: str, password: str) -> float:
        started = time.perf_counter()
        answer = http.post(console.url("/login"), data={"username": username, "password": password,
                                                        "csrf_token": token}, timeout=30)
        elapsed = time.perf_counter() - started
        assert answer.status_code == 401 and REFUSED in login_error(answer)
        return elapsed

    wrong, unknown, not_auditor = [], [], []
    for username in known:  # interleaved, so a busy moment of the machine falls on all three
        wrong.append(seconds(username, "wrong-password-123"))
        unknown.append(seconds(f"nobody-{uuid.uuid4().hex[:8]}", "wrong-password-123"))
        not_auditor.append(seconds(USERS.aade, PASSWORD))
    medians = [statistics.median(times) for times in (wrong, unknown, not_auditor)]
    assert max(medians) < 2 * min(medians), medians


def test_repeated_failures_lock_the_account(console: Console) -> None:
    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    for _ in range(console.settings.lockout_user_failures):
        assert log_in(console, username, "not-the-password")[1].status_code == 401
    http, answer = log_in(console, username, PASSWORD)  # the right password, but locked now
    assert answer.status_code == 401 and REFUSED in login_error(answer)
    outcomes = [e.outcome for e in console_events(console, "login", username)]
    assert outcomes == ["MP_AUTHENTICATION_FAILED"] * (console.settings.lockout_user_failures + 1)
    assert "κλειδώθηκε" in (console_events(console, "login", username)[-1].outcome_detail or "")


def test_a_form_without_its_csrf_token_is_refused(console: Console, auditor: requests.Session) -> None:
    anonymous = requests.post(console.url("/login"), data={"username": USERS.auditor, "password": PASSWORD},
                              timeout=30)
    assert anonymous.status_code == 400 and "CSRF" in anonymous.text and "Traceback" not in anonymous.text
    assert "Set-Cookie" not in anonymous.headers  # a refused form never hands out or replaces a cookie
    for path, data in (("/logout", {}), ("/subject-report", {"amka": "01017012345"}), ("/language", {"lang": "en"})):
        refused = auditor.post(console.url(path), data=data, timeout=30)
        assert refused.status_code == 400 and "CSRF" in refused.text, path
        assert "Set-Cookie" not in refused.headers, path
        forged = auditor.post(console.url(path), data={**data, "csrf_token": "forged"}, timeout=30)
        assert forged.status_code == 400, path
    assert auditor.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 200  # still in
    refusals = [e for e in console_events(console, "logout", USERS.auditor) if e.outcome == "MP_INVALID_INPUT"]
    assert refusals and "CSRF" in (refusals[-1].outcome_detail or "")  # audited, under the auditor who sent it


def auditor_sessions(console: Console, username: str) -> int:
    with Session(console.database.engine) as session:
        return session.query(ConsoleSession).filter_by(username=username).count()


def age_sessions(console: Console, username: str, **columns: dt.datetime) -> None:
    with Session(console.database.engine) as session, session.begin():
        session.execute(update(ConsoleSession).where(ConsoleSession.username == username).values(**columns))


def test_a_cookie_copied_before_logout_opens_nothing(console: Console) -> None:
    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    http, answer = log_in(console, username)
    copy = requests.Session()
    copy.cookies.update(http.cookies)
    assert copy.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 200
    assert auditor_sessions(console, username) == 1
    http.post(console.url("/logout"), data={"csrf_token": csrf_token(answer.text)}, timeout=30)
    assert auditor_sessions(console, username) == 0
    after = copy.get(console.url("/search"), timeout=30)
    assert after.url.startswith(console.url("/login")) and "Η συνεδρία τερματίστηκε" in after.text


def test_logout_ends_the_session(console: Console, auditor: requests.Session) -> None:
    page = auditor.get(console.url("/search"), timeout=30)
    out = auditor.post(console.url("/logout"), data={"csrf_token": csrf_token(page.text)}, timeout=30)
    assert out.url.startswith(console.url("/login")) and "Αποσυνδεθήκατε" in out.text
    assert auditor.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302


def test_an_idle_session_expires(console: Console) -> None:
    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    http, _ = log_in(console, username)
    idle = dt.timedelta(seconds=console.settings.console_idle_seconds + 5)
    age_sessions(console, username, last_seen_at=dt.datetime.now(dt.UTC) - idle)
    answer = http.get(console.url("/dashboard"), timeout=30)
    assert answer.url.startswith(console.url("/login?next=/dashboard")) and "αδράνειας" in answer.text
    assert auditor_sessions(console, username) == 0


def test_a_busy_session_ends_at_its_absolute_lifetime(console: Console) -> None:
    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    http, _ = log_in(console, username)
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 200
    started = dt.timedelta(seconds=console.settings.console_session_seconds + 5)
    age_sessions(console, username, created_at=dt.datetime.now(dt.UTC) - started)
    answer = http.get(console.url("/search"), timeout=30)  # active a moment ago, but too old
    assert answer.url.startswith(console.url("/login")) and "μέγιστη διάρκειά" in answer.text


def test_a_request_does_not_renew_the_cookie(console: Console, auditor: requests.Session) -> None:
    answer = auditor.get(console.url("/search"), allow_redirects=False, timeout=30)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_a_new_password_and_an_operator_end_the_sessions(console: Console) -> None:
    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    first, _ = log_in(console, username)
    with Session(console.database.engine) as session, session.begin():
        admin.set_password(session, CredentialKey(console.database.key_file), username, PASSWORD + "-new")
    assert auditor_sessions(console, username) == 0
    assert first.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302
    second, answer = log_in(console, username, PASSWORD + "-new")
    assert answer.url == console.url("/search")
    provider_cli = str(Path(sys.executable).with_name("mitroo-provider"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=console.database.url)
    ended = subprocess.run([provider_cli, "user", "end-sessions", username], env=env, capture_output=True,
                           text=True, encoding="utf-8", timeout=120)
    assert ended.returncode == 0 and f"1 console session(s) of {username} ended" in ended.stdout, ended.stderr
    assert second.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302


def test_a_locked_account_loses_its_session(console: Console) -> None:
    from sqlalchemy.orm import Session

    from provider.access import admin

    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    http, answer = log_in(console, username)
    assert answer.url == console.url("/search")
    with Session(console.database.engine) as session, session.begin():
        admin.set_locked(session, username, True)
    assert auditor_sessions(console, username) == 0
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302


def test_a_login_renews_the_session_id(console: Console) -> None:
    http = requests.Session()
    form = http.get(console.url("/login"), timeout=30)
    before = http.cookies["mitroo_console"]
    http.post(console.url("/login"), data={"username": USERS.auditor, "password": PASSWORD,
                                           "csrf_token": csrf_token(form.text)}, timeout=30)
    assert http.cookies["mitroo_console"] != before
    assert http.post(console.url("/logout"), data={"csrf_token": csrf_token(form.text)},
                     timeout=30).status_code == 400  # the CSRF token of before the login is void too


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example/", "\\/evil.example/", "https://evil.example/", "http:/evil.example",
    "/%2F/evil.example/", "%2F%2Fevil.example", "evil.example", " //evil.example", "javascript:alert(1)",
])
def test_next_stays_on_the_console(console: Console, target: str) -> None:
    http = requests.Session()
    form = http.get(console.url("/login"), params={"next": target}, timeout=30)
    answer = http.post(console.url("/login"), data={"username": USERS.auditor, "password": PASSWORD, "next": target,
                                                    "csrf_token": csrf_token(form.text)}, allow_redirects=False,
                       timeout=30)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert http.get(console.url("/login"), params={"next": target}, allow_redirects=False,
                    timeout=30).headers["Location"] == location  # logged in already: the same answer


@pytest.mark.parametrize("query", ["next=/%09/evil.example/", "next=/%0A/evil.example/", "next=/%0d%0aSet-Cookie:x=1",
                                   "next=%09//evil.example/"])
def test_a_control_character_in_next_is_a_400(console: Console, query: str) -> None:
    answer = requests.get(console.url(f"/login?{query}"), allow_redirects=False, timeout=30)
    assert answer.status_code == 400 and 'id="error-message"' in answer.text and "next" in answer.text
    assert "Location" not in answer.headers and "Set-Cookie" not in answer.headers
    event = console_events(console, "login")[-1]
    assert event.outcome == "MP_INVALID_INPUT" and "next" in (event.outcome_detail or "")


def test_pages_need_a_login_and_come_back_after_it(console: Console) -> None:
    http = requests.Session()
    first = http.get(console.url("/search?agency=AADE"), timeout=30)
    assert first.url == console.url("/login?next=/search?agency%3DAADE")
    answer = http.post(first.url, data={"username": USERS.auditor, "password": PASSWORD,
                                        "next": "/search?agency=AADE", "csrf_token": csrf_token(first.text)},
                       timeout=30)
    assert answer.url == console.url("/search?agency=AADE")


def test_english_is_a_switch(console: Console, auditor: requests.Session) -> None:
    page = auditor.get(console.url("/search"), timeout=30)
    assert 'lang="el"' in page.text and "Αναζήτηση στο αρχείο κλήσεων" in page.text
    english = auditor.post(console.url("/language"), data={"lang": "en", "next": "/dashboard",
                                                         "csrf_token": csrf_token(page.text)}, timeout=30)
    assert english.url == console.url("/dashboard") and 'lang="en"' in english.text and "Dashboard" in english.text
    elsewhere = auditor.post(console.url("/language"), data={"lang": "el", "next": "//evil.example/",
                                                           "csrf_token": csrf_token(english.text)}, timeout=30)
    assert elsewhere.url.startswith(console.url("/search"))
