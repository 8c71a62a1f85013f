"""A citizen's access report (``audit.report``) on screen, with a print stylesheet and the same
printable HTML ``mitroo-audit subject-report --format html`` writes, as a download. The AMKA is
posted (never put in a URL) and the report is audited with the citizen as its data subject."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from audit.criteria import parse_time
from audit.query import QueryError, subjects_of
from audit.report import SubjectNotFound, SubjectReport, as_html, html_body, subject_report
from audit.web.app import audit, console, t

blueprint = Blueprint("subject", __name__)


def _form(error: str | None = None, status: int = 200, report: SubjectReport | None = None) -> ResponseReturnValue:
    values = {name: request.form.get(name, "").strip() for name in ("amka", "since", "until")}
    body = Markup(html_body(report)) if report is not None else None  # noqa: S704 - report.py escapes every value
    return render_template("subject.html", values=values, error=error, report=report, body=body), status


def _report() -> tuple[SubjectReport, frozenset[int]] | ResponseReturnValue:
    amka = request.form.get("amka", "").strip()
    since, until = request.form.get("since", ""), request.form.get("until", "")
    detail = urlencode({"since": since, "until": until})
    if len(amka) != 11 or not amka.isdigit():
        audit("subjectReport", outcome="MP_INVALID_INPUT", detail=f"{detail}: not an AMKA")
        return _form(t("amka_invalid"), 400)
    try:
        with console().sessions() as session:
            report = subject_report(session, amka, since=parse_time(since, t("f_since")),
                                    until=parse_time(until, t("f_until")))
            persons = subjects_of(session, amka=amka)
    except (SubjectNotFound, QueryError) as exc:
        code = "MP_NOT_FOUND" if isinstance(exc, SubjectNotFound) else "MP_INVALID_INPUT"
        audit("subjectReport", outcome=code, detail=f"{detail}: {exc}")
        return _form(str(exc), 404 if code == "MP_NOT_FOUND" else 400)
    return report, persons


@blueprint.route("/subject-report", methods=["GET", "POST"])
def page() -> ResponseReturnValue:
    if request.method == "GET":
        return _form()
    made = _report()
    if not isinstance(made, tuple) or not isinstance(made[0], SubjectReport):
        return made
    report, persons = made
    audit("subjectReport", detail=urlencode({"since": request.form.get("since", ""),
                                             "until": request.form.get("until", "")}),
          subjects=persons)
    return _form(report=report)


@blueprint.route("/subject-report/html", methods=["POST"])
def download() -> ResponseReturnValue:
    made = _report()
    if not isinstance(made, tuple) or not isinstance(made[0], SubjectReport):
        return made
    report, persons = made
    audit("subjectReport", detail=urlencode({"since": request.form.get("since", ""),
                                             "until": request.form.get("until", ""), "format": "html"}),
          subjects=persons)
    return Response(as_html(report), mimetype="text/html", headers={
        "Content-Disposition": f'attachment; filename="access-report-{report.generated_at:%Y%m%d}.html"'})
