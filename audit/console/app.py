"""The auditor console: a Flask application served by ``mitroo-audit web`` (waitress).

Pages: login, search (with CSV/NDJSON export), one call, dashboard, a citizen's access report.
Every page but the login needs an auditor's session; every query is audited first (fail closed);
every form carries a CSRF token (Flask-WTF); every error is a page that says what went wrong,
never a traceback. There is no JavaScript: charts are SVG drawn on the server.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from audit.console import sessions as console_sessions
from audit.console.auth import secret_key, still_valid
from audit.console.i18n import DEFAULT, LANGUAGES
from audit.console.masking import short
from audit.console.shared import (
    AUDITED_GETS,
    OPERATIONS,
    PUBLIC_ENDPOINTS,
    REFUSALS,
    Console,
    ConsoleError,
    audit,
    console,
    fresh_session,
    log,
    now,
    t,
)
from audit.events import AuditUnavailable
from db.engine import make_engine, make_sessionmaker
from provider.access import lockout
from provider.access.accreditation import Authenticator
from provider.access.credentials import CredentialKey
from provider.settings import Settings


def create_app(settings: Settings) -> Flask:
    """The console over the provider's database, with the provider's accounts and lockout policy."""
    app = Flask(__name__)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    authenticator = Authenticator(  # no credential cache: every login pays the same hash, right password or not
        sessions, environment=settings.environment, credential_key=CredentialKey(settings.credential_key_file),
        cache_seconds=0, digest_max_age_seconds=settings.digest_max_age_seconds,
        lockout_policy=lockout.policy(settings),
    )
    app.config.update(
        SECRET_KEY=secret_key(settings.console_secret_key_file),
        SESSION_COOKIE_NAME="mitroo_console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.console_secure_cookies,
        MAX_CONTENT_LENGTH=64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session cookie
    )
    app.session_interface = _SessionCookie()
    app.extensions["mitroo_console"] = Console(settings, engine, sessions, authenticator)
    app.jinja_env.globals.update(_=t, languages=LANGUAGES)
    app.jinja_env.filters["short"] = short  # stored values can be as long as anyone sent

    from audit.console.pages import call, dashboard, login, search, subject

    for module in (login, search, call, dashboard, subject):
        app.register_blueprint(module.blueprint)
    app.before_request(_before)
    CSRFProtect(app)  # after _before, so a refused form is audited under the auditor who sent it
    app.after_request(_headers)
    _error_pages(app)
    return app


def _before() -> ResponseReturnValue | None:
    g.started = time.monotonic()
    g.lang = session.get("lang") if session.get("lang") in LANGUAGES else DEFAULT
    g.auditor = None
    token = session.get("sid")
    if isinstance(token, str):
        try:
            auditor = console_sessions.resume(console().sessions, token, now(), console().lifetimes)
        except console_sessions.SessionEnded as ended:
            _end_session(ended.reason)
        else:
            if still_valid(console().sessions, auditor, console().settings.environment):
                g.auditor = auditor
            else:
                console_sessions.end(console().sessions, token)
                _end_session("session_ended")
    if g.auditor is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.endpoint is None:
            return None  # an unknown address: the 404 page
        if request.method == "GET":
            return redirect(url_for("login.login", next=request.full_path.rstrip("?")))
        raise ConsoleError(403, t("forbidden"), t("login_needed"))
    if (request.endpoint in AUDITED_GETS and request.method == "GET"
            and request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site")):
        # A link on another site: nothing is opened in the auditor's name until they confirm here.
        return render_template("confirm.html", target=request.full_path.rstrip("?"))
    return None


def _end_session(reason: str) -> None:
    fresh_session()
    flash(reason)


class _SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, left untouched by error pages: a refused request (a forged form from
    another site, which arrives without the cookie) must not replace the auditor's session."""

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        if g.get("error_page"):
            return
        super().save_session(app, session, response)


def _headers(response: Any) -> Any:
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _page(status: int, title: str, message: str) -> ResponseReturnValue:
    g.error_page = True
    return render_template("error.html", status=status, title=title, message=message), status


def _refused(status: int, title: str, message: str) -> ResponseReturnValue:
    """The page of a refused request, audited first unless the page already audited it."""
    if not g.get("audited"):
        try:
            audit(OPERATIONS.get(request.endpoint or "", "refused"), outcome=REFUSALS.get(status, "MP_INVALID_INPUT"),
                  detail=f"{status} {request.method} {request.path[:200]}: {message}")
        except AuditUnavailable:
            return _page(503, t("unavailable"), t("audit_unavailable"))
    return _page(status, title, message)


def _error_pages(app: Flask) -> None:
    handlers: dict[Any, Callable[[Any], ResponseReturnValue]] = {
        ConsoleError: lambda exc: _refused(exc.status, exc.title, exc.message),
        CSRFError: lambda exc: _refused(400, t("bad_request"), t("csrf_failed")),
        AuditUnavailable: lambda exc: _page(503, t("unavailable"), t("audit_unavailable")),
        SQLAlchemyError: lambda exc: _page(503, t("unavailable"), t("store_unavailable", kind=type(exc).__name__)),
    }
    for kind, handler in handlers.items():
        app.register_error_handler(kind, handler)

    def http_error(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        messages = {404: ("not_found", "no_such_page"), 405: ("bad_request", "method_not_allowed"),
                    413: ("bad_request", "too_large")}
        title, message = messages.get(status, ("error", ""))
        return _refused(status, t(title), t(message) if message else (exc.description or ""))

    def unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("console error on %s %s", request.method, request.path)
        return _page(500, t("error"), t("internal"))

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)

