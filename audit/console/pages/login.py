"""Logging in and out, and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from audit.console import sessions
from audit.console.auth import Auditor, LoginRefused
from audit.console.auth import login as check_login
from audit.console.i18n import LANGUAGES
from audit.console.shared import ConsoleError, audit, client_ip, console, fresh_session, now, t

blueprint = Blueprint("login", __name__)


def safe_next(value: str | None) -> str:
    """A path of the console to go back to after a form, never another site: parsed, without scheme,
    host or fragment, starting with one slash. A control character (a tab or a newline, which browsers
    drop from a URL) is a 400; a backslash (which browsers read as a slash) or anything that is not
    such a path falls back to the search page."""
    if not value:
        return url_for("search.form")
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in value):
        raise ConsoleError(400, t("bad_request"), t("bad_next"))
    parts = urlsplit(value)
    if (parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//")
            or "\\" in value):
        return url_for("search.form")
    return urlunsplit(("", "", parts.path, parts.query, ""))


@blueprint.route("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("search.form"))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    target = safe_next(request.values.get("next"))
    if g.auditor is not None:
        return redirect(target)
    if request.method == "GET":
        return render_template("login.html", next=target, username="", error=None)
    username = request.form.get("username", "").strip()
    try:
        auditor = check_login(console().sessions, console().authenticator, username,
                              request.form.get("password", ""), client_ip(), now())
    except LoginRefused as refused:
        who = None
        if refused.caller is not None:
            who = Auditor(refused.caller.username, refused.caller.agency_code, refused.caller.system_code, "")
        audit("login", auditor=who, username=username[:100], outcome=refused.code.name, detail=refused.message)
        # One answer for every refusal (the audit event keeps the reason): a right password without
        # the auditor role must not look different from a wrong one.
        return render_template("login.html", next=target, username=username, error=t("login_failed")), 401
    audit("login", auditor=auditor)
    fresh_session()  # a new session id (and CSRF token) for the auditor
    session["sid"] = sessions.begin(console().sessions, auditor, now(), console().lifetimes)
    return redirect(target)


@blueprint.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    audit("logout")
    sessions.end(console().sessions, session["sid"])  # a copy of the cookie is worth nothing from now on
    fresh_session()
    flash("logged_out")
    return redirect(url_for("login.login"))


@blueprint.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")))
