"""Logging in to the console over HTTP (both databases): auditors only, cookie flags, refusals
and the lockout audited, CSRF on every form, the idle timeout."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import requests

from tests.audit.web.conftest import (
    Console, add_auditor, console_events, console_settings, csrf_token, log_in, start_console,
)
from tests.conftest import PASSWORD, USERS


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
    assert answer.status_code == 401 and 'id="login-error"' in answer.text
    assert "λάθος συνθηματικό" in answer.text
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302
    event = console_events(console, "login", USERS.auditor)[-1]
    assert event.outcome == "MP_AUTHENTICATION_FAILED" and event.agency_code is None


def test_an_agency_user_is_refused(console: Console) -> None:
    http, answer = log_in(console, USERS.aade)
    assert answer.status_code == 403 and "δεν έχει ρόλο ελεγκτή (auditor)" in answer.text
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302
    event = console_events(console, "login", USERS.aade)[-1]
    assert (event.outcome, event.agency_code) == ("MP_NOT_AUTHORIZED", "AADE")


def test_repeated_failures_lock_the_account(console: Console) -> None:
    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    for _ in range(console.settings.lockout_user_failures):
        assert log_in(console, username, "not-the-password")[1].status_code == 401
    http, answer = log_in(console, username, PASSWORD)  # the right password, but locked now
    assert answer.status_code == 401 and "κλειδώθηκε" in answer.text
    outcomes = [e.outcome for e in console_events(console, "login", username)]
    assert outcomes == ["MP_AUTHENTICATION_FAILED"] * (console.settings.lockout_user_failures + 1)
    assert "κλειδώθηκε" in (console_events(console, "login", username)[-1].outcome_detail or "")


def test_a_form_without_its_csrf_token_is_refused(console: Console, auditor: requests.Session) -> None:
    anonymous = requests.post(console.url("/login"), data={"username": USERS.auditor, "password": PASSWORD},
                              timeout=30)
    assert anonymous.status_code == 400 and "CSRF" in anonymous.text and "Traceback" not in anonymous.text
    for path, data in (("/logout", {}), ("/subject-report", {"amka": "01017012345"}), ("/language", {"lang": "en"})):
        refused = auditor.post(console.url(path), data=data, timeout=30)
        assert refused.status_code == 400 and "CSRF" in refused.text, path
        forged = auditor.post(console.url(path), data={**data, "csrf_token": "forged"}, timeout=30)
        assert forged.status_code == 400, path
    assert auditor.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 200  # still in


def test_logout_ends_the_session(console: Console, auditor: requests.Session) -> None:
    page = auditor.get(console.url("/search"), timeout=30)
    out = auditor.post(console.url("/logout"), data={"csrf_token": csrf_token(page.text)}, timeout=30)
    assert out.url.startswith(console.url("/login")) and "Αποσυνδεθήκατε" in out.text
    assert auditor.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302


def test_an_idle_session_expires(console: Console) -> None:
    http, _ = log_in(console)
    serializer = console.app.session_interface.get_signing_serializer(console.app)  # type: ignore[attr-defined]
    state = serializer.loads(http.cookies["mitroo_console"])
    state["seen"] = int(time.time()) - console.settings.console_idle_seconds - 5
    http.cookies.set("mitroo_console", serializer.dumps(state), domain="127.0.0.1", path="/")
    answer = http.get(console.url("/dashboard"), timeout=30)
    assert answer.url.startswith(console.url("/login?next=/dashboard")) and "αδράνειας" in answer.text


def test_a_locked_account_loses_its_session(console: Console) -> None:
    from sqlalchemy.orm import Session

    from provider import admin

    username = f"t-audit-{uuid.uuid4().hex[:6]}"
    add_auditor(console, username)
    http, answer = log_in(console, username)
    assert answer.url == console.url("/search")
    with Session(console.database.engine) as session, session.begin():
        admin.set_locked(session, username, True)
    assert http.get(console.url("/search"), allow_redirects=False, timeout=30).status_code == 302


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
