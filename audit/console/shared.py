"""What the console's pages share: the console's state, the request's language and audit, its errors.

The pages import this module, never ``audit.console.app``, which builds the Flask application and
imports the pages (an import-linter contract forbids the cycle).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request, session
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

from audit.console import auditing
from audit.console import sessions as console_sessions
from audit.console.i18n import DEFAULT, translate
from db.engine import CallSessions
from provider.access.accreditation import Authenticator
from provider.access.client_address import observed_ip
from provider.settings import Settings

log = logging.getLogger("mitroo.console")
PUBLIC_ENDPOINTS = frozenset({"login.login", "login.language", "static"})
# Pages a GET opens and audits in the auditor's name (the others read nothing or need a POST).
AUDITED_GETS = frozenset({"call.page", "dashboard.page"})
# The audit operation of each page, for the events of refused requests.
OPERATIONS = {
    "login.login": "login", "login.logout": "logout", "login.language": "language", "search.form": "search",
    "search.page": "search", "search.download": "export", "call.page": "callDetail", "call.full": "callDetail",
    "call.reveal": "revealSubjects", "dashboard.page": "dashboard", "subject.page": "subjectReport",
    "subject.download": "subjectReport",
}
REFUSALS = {400: "MP_INVALID_INPUT", 401: "MP_AUTHENTICATION_FAILED", 403: "MP_NOT_AUTHORIZED",
            404: "MP_NOT_FOUND", 405: "MP_MALFORMED_REQUEST", 413: "MP_MALFORMED_REQUEST"}


class ConsoleError(Exception):
    """A request the console refuses, shown as a page with ``status``, a title and a message."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


@dataclass(frozen=True)
class Console:
    settings: Settings
    engine: Engine
    sessions: CallSessions
    authenticator: Authenticator

    @property
    def lifetimes(self) -> console_sessions.Lifetimes:
        return console_sessions.Lifetimes(self.settings.console_idle_seconds, self.settings.console_session_seconds)


def console() -> Console:
    return current_app.extensions["mitroo_console"]  # type: ignore[no-any-return]


def t(key: str, **values: object) -> str:
    """``key`` in the language of this request."""
    return translate(key, g.get("lang", DEFAULT), **values)


def bad_parameter(name: str, value: object) -> ConsoleError:
    return ConsoleError(400, t("bad_request"), t("bad_parameter", name=name, value=repr(value)))


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def audit_request() -> auditing.Request:
    try:
        form = list(request.form.items(multi=True))
    except HTTPException:  # a body too large to read: the request is audited without it
        form = []
    return auditing.request_of(request.method, request.path, request.query_string.decode("utf-8", "replace"),
                               form, client_ip(), g.get("started", time.monotonic()))


def client_ip() -> str:
    return observed_ip(request.environ, console().settings.trusted_proxies)


def audit(operation: str, **values: Any) -> str:
    """Write this request's audit event (see ``audit.console.auditing.record``); return its callSequenceId."""
    values.setdefault("auditor", g.get("auditor"))
    call_sequence_id = auditing.record(console().sessions, audit_request(), operation, **values)
    g.audited = True
    return call_sequence_id


def fresh_session() -> None:
    """A new, anonymous session cookie (and CSRF token) that keeps only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
