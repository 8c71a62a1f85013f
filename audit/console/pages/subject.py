"""A citizen's access report (``audit.report``) on screen, with a print stylesheet and the same
printable HTML ``mitroo-audit subject-report --format html`` writes, as a download. The AMKA is
posted (never put in a URL) and the report is audited with the citizen as its data subject."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from audit.console.shared import audit, console, t
from audit.criteria import parse_time
from audit.query import QueryError, subjects_of
from audit.report import SubjectNotFound, SubjectReport, as_html, html_body, subject_report

blueprint = Blueprint("subject", __name__)


class Refused(Exception):
    """The form cannot make a report; ``message`` is shown above it."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _form(error: str | None = None, status: int = 200, report: SubjectReport | None = None) -> ResponseReturnValue:
    values = {name: request.form.get(name, "").strip() for name in ("amka", "since", "until")}
    body = Markup(html_body(report)) if report is not None else None  # audit.report escapes every value
    return render_template("subject.html", values=values, error=error, report=report, body=body), status


def _period() -> str:
    return urlencode({"since": request.form.get("since", ""), "until": request.form.get("until", "")})


def _report(operation_detail: str) -> SubjectReport:
    """The report the form asks for, audited (refusals too) before it is shown."""
    amka = request.form.get("amka", "").strip()
    if len(amka) != 11 or not amka.isdigit():
        audit("subjectReport", outcome="MP_INVALID_INPUT", detail=f"{_period()}: not an AMKA")
        raise Refused(t("amka_invalid"), 400)
    try:
        with console().sessions() as session:
            report = subject_report(session, amka, since=parse_time(request.form.get("since"), t("f_since")),
                                    until=parse_time(request.form.get("until"), t("f_until")))
            persons = subjects_of(session, amka=amka)
    except SubjectNotFound as exc:
        audit("subjectReport", outcome="MP_NOT_FOUND", detail=f"{_period()}: no person with this AMKA")
        raise Refused(str(exc), 404) from None
    except QueryError as exc:
        audit("subjectReport", outcome="MP_INVALID_INPUT", detail=f"{_period()}: {exc}")
        raise Refused(str(exc), 400) from None
    audit("subjectReport", detail=operation_detail, subjects=persons)
    return report


@blueprint.route("/subject-report", methods=["GET", "POST"])
def page() -> ResponseReturnValue:
    if request.method == "GET":
        return _form()
    try:
        return _form(report=_report(_period()))
    except Refused as refused:
        return _form(refused.message, refused.status)


@blueprint.route("/subject-report/html", methods=["POST"])
def download() -> ResponseReturnValue:
    try:
        report = _report(_period() + "&format=html")
    except Refused as refused:
        return _form(refused.message, refused.status)
    return Response(as_html(report), mimetype="text/html", headers={
        "Content-Disposition": f'attachment; filename="access-report-{report.generated_at:%Y%m%d}.html"'})
