"""The dashboard: ``audit.stats`` over a chosen period, drawn as SVG charts (calls per day per
agency, error rate per operation, an hour-by-weekday heatmap) and tables (top users, bursts)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue

from audit.console import charts
from audit.console.shared import ConsoleError, audit, bad_parameter, console, t
from audit.query import AuditFilter
from audit.stats import ATHENS, UNAUTHENTICATED, WorkingHours, compute

blueprint = Blueprint("dashboard", __name__)
QUICK_RANGES = (1, 7, 30, 90)
MAX_DAYS = 400


@dataclass(frozen=True)
class Period:
    first: dt.date  # Greek local days, both included
    last: dt.date
    burst: int

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), ATHENS).astimezone(dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), ATHENS).astimezone(dt.UTC)


def _date(args: Mapping[str, str], name: str, default: dt.date) -> dt.date:
    value = args.get(name, "").strip()
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_parameter(t(f"d_{name}"), value) from None


def period(args: Mapping[str, str], today: dt.date) -> Period:
    """The period asked for: ``days`` back from today, or ``from``/``to`` dates; 30 days by default."""
    days_text, burst_text = args.get("days", "").strip(), args.get("burst", "60").strip() or "60"
    if not burst_text.isdigit() or not 1 <= int(burst_text) <= 100_000:
        raise bad_parameter(t("burst"), burst_text)
    if days_text:
        if not days_text.isdigit() or not 1 <= int(days_text) <= MAX_DAYS:
            raise bad_parameter("days", days_text)
        return Period(today - dt.timedelta(days=int(days_text) - 1), today, int(burst_text))
    last = _date(args, "to", today)
    first = _date(args, "from", last - dt.timedelta(days=29))
    if first > last:
        raise ConsoleError(400, t("bad_request"), t("bad_period"))
    if (last - first).days >= MAX_DAYS:
        raise ConsoleError(400, t("bad_request"), t("period_too_long", n=MAX_DAYS))
    return Period(first, last, int(burst_text))


@blueprint.route("/dashboard")
def page() -> ResponseReturnValue:
    chosen = period(request.args, dt.datetime.now(ATHENS).date())
    hours = WorkingHours()
    with console().sessions() as session:
        stats = compute(session, AuditFilter(since=chosen.since, until=chosen.until), hours=hours,
                        burst_threshold=chosen.burst, top=10)
    audit("dashboard", detail=urlencode({"from": chosen.first.isoformat(), "to": chosen.last.isoformat(),
                                         "burst": chosen.burst}))
    weekdays = t("weekdays").split()
    operations = charts.errors_per_operation(stats.daily)
    return render_template(
        "dashboard.html", period=chosen, stats=stats, hours=hours, quick_ranges=QUICK_RANGES,
        unauthenticated=UNAUTHENTICATED,
        daily=charts.daily_by_agency(stats.daily, charts.days_between(chosen.first, chosen.last)),
        operations=operations, errors_chart=charts.error_rates(operations),
        heatmap=charts.heatmap(stats.hourly, weekdays), weekdays=weekdays,
        rate=f"{stats.errors / stats.total:.1%}" if stats.total else "0%",
        search_url=url_for("search.form", since=chosen.first.isoformat(),
                           until=(chosen.last + dt.timedelta(days=1)).isoformat()),
    )
