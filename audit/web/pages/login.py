"""Logging in and out, and the language switch."""
from __future__ import annotations

import time

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from audit.web.app import audit, client_ip, console, now, t
from audit.web.auth import Auditor, LoginRefused, login as check_login
from audit.web.i18n import LANGUAGES

blueprint = Blueprint("login", __name__)


def safe_next(value: str | None) -> str:
    """A local path to go back to after a form, never another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("search.page")


@blueprint.route("/")
def index() -> ResponseReturnValue:
    return redirect(url_for("search.page"))


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
        message = t("not_auditor", user=username) if refused.message == "not_auditor" else refused.message
        audit("login", auditor=who, username=username[:100], outcome=refused.code.name, detail=message)
        status = 403 if refused.caller is not None else 401
        return render_template("login.html", next=target, username=username, error=message), status
    audit("login", auditor=auditor)
    language = session.get("lang")
    session.clear()  # a fresh session (and CSRF token) for the auditor
    if language:
        session["lang"] = language
    session["auditor"] = auditor.as_session()
    session["seen"] = int(time.time())
    return redirect(target)


@blueprint.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    audit("logout")
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    flash("logged_out")
    return redirect(url_for("login.login"))


@blueprint.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")))
