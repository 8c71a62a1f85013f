"""The search page: every criterion of ``mitroo-audit search``, paginated, sorted by time either
way, and exported whole as CSV or NDJSON.

A search reads personal data and is audited in the auditor's name, so only a POST with the form's
CSRF token runs one (pages, sorting and exports are such forms too). A GET, which any site can
make a browser send, only fills the form in from its query string: a link holds a filter, and
the auditor presses Search to run it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from audit import export
from audit.console.shared import ConsoleError, audit, bad_parameter, console, t
from audit.criteria import FIELDS, criteria
from audit.query import AuditFilter, QueryError, search
from audit.stats import ATHENS

blueprint = Blueprint("search", __name__)
PAGE_SIZES = (25, 50, 100, 200)
ORDERS = ("desc", "asc")  # newest first (the default), oldest first
EXPORTS = ("csv", "ndjson", "json")


@dataclass(frozen=True)
class Listing:
    page: int
    size: int
    order: str

    @property
    def newest_first(self) -> bool:
        return self.order == "desc"


def filter_values(args: Mapping[str, str]) -> dict[str, str]:
    """The criteria given in the query string, blanks left out."""
    return {field: args[field].strip() for field in FIELDS if args.get(field, "").strip()}


def listing(args: Mapping[str, str]) -> Listing:
    """Page, page size and order from the query string; a bad value is a 400 naming it."""
    page_text, size_text, order = args.get("page", "1"), args.get("size", "50"), args.get("order", "desc")
    if not page_text.isdigit() or not 1 <= int(page_text) <= 1_000_000:
        raise bad_parameter("page", page_text)
    if not size_text.isdigit() or int(size_text) not in PAGE_SIZES:
        raise bad_parameter("size", size_text)
    if order not in ORDERS:
        raise bad_parameter("order", order)
    return Listing(int(page_text), int(size_text), order)


def resolve(values: Mapping[str, str], operation: str) -> AuditFilter:
    """The ``AuditFilter`` of the form, through the CLI's own parser; a bad criterion is audited
    and shown as a 400 page naming the field."""
    try:
        with console().sessions() as session:
            return criteria(session, values, label=lambda field: t(f"f_{field}"))
    except QueryError as exc:
        audit(operation, outcome="MP_INVALID_INPUT", detail=f"{urlencode(values)}: {exc}")
        raise ConsoleError(400, t("bad_request"), str(exc)) from None


def local_time(moment: dt.datetime) -> str:
    return f"{moment.astimezone(ATHENS):%Y-%m-%d %H:%M:%S}"


@blueprint.route("/search")
def form() -> ResponseReturnValue:
    """The form filled in from the query string; nothing is searched, nothing audited."""
    values = filter_values(request.args)
    return render_template("search.html", values=values, fields=FIELDS, listing=listing(request.args), rows=None,
                           page_sizes=PAGE_SIZES)


def _share(values: Mapping[str, str]) -> str:
    """The address that fills the form in with ``values`` (a link to send a colleague)."""
    query: dict[str, Any] = dict(values)  # the form's field names, none of url_for's own _anchor/_external/...
    return url_for("search.form", **query)


@blueprint.route("/search", methods=["POST"])
def page() -> ResponseReturnValue:
    values = filter_values(request.form)
    shown = listing(request.form)
    found = resolve(values, "search")
    with console().sessions() as session:
        rows = list(search(session, found, offset=(shown.page - 1) * shown.size, limit=shown.size + 1,
                           newest_first=shown.newest_first))
        session.expunge_all()
    audit("search", detail=urlencode({**values, "order": shown.order, "page": shown.page, "size": shown.size}),
          subjects=found.subjects or frozenset())
    more = len(rows) > shown.size

    def fields_of(**changes: object) -> dict[str, object]:
        """The hidden fields of a button that runs this search again with ``changes`` (a page, the order)."""
        return {**values, "order": shown.order, "size": shown.size, "page": shown.page, **changes}

    return render_template(
        "search.html", values=values, fields=FIELDS, listing=shown, rows=rows[:shown.size], more=more,
        fields_of=fields_of, local_time=local_time, page_sizes=PAGE_SIZES, share=_share(values),
    )


@blueprint.route("/search/export.<output>", methods=["POST"])
def download(output: str) -> ResponseReturnValue:
    if output not in EXPORTS:
        raise ConsoleError(404, t("not_found"), t("no_such_page"))
    values = filter_values(request.form)
    order = request.form.get("order", "asc")
    if order not in ORDERS:
        raise bad_parameter("order", order)
    found = resolve(values, "export")
    audit("export", detail=urlencode({**values, "order": order, "format": output}),
          subjects=found.subjects or frozenset())
    sessions = console().sessions

    def stream() -> Iterator[str]:
        with sessions() as session:
            yield from export.chunks(search(session, found, newest_first=order == "desc"), output)

    stamp = dt.datetime.now(ATHENS).strftime("%Y%m%d-%H%M%S")
    return Response(stream(), content_type=export.MEDIA_TYPES[output], headers={
        "Content-Disposition": f'attachment; filename="mitroo-audit-{stamp}.{output}"'})
