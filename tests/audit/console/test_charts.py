"""The dashboard's SVG geometry (``audit.console.charts``) on known counts, and the console's secret key
file and masking helpers: plain functions, no database."""
from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from audit.console import charts
from audit.console.auth import secret_key
from audit.console.pages.call import mask_amka, mask_name
from audit.stats import DailyCount, HourCount

DAY = dt.date(2026, 3, 2)


def test_stacked_bars_per_day_and_agency() -> None:
    daily = [DailyCount("AADE", "getBirthAct", DAY, 6, 1), DailyCount("AADE", "getDeathAct", DAY, 2, 0),
             DailyCount("EFKA", "getBirthAct", DAY, 2, 0),
             DailyCount("EFKA", "getBirthAct", DAY + dt.timedelta(days=1), 5, 5)]
    chart = charts.daily_by_agency(daily, charts.days_between(DAY, DAY + dt.timedelta(days=2)))
    titles = [rect.title for rect in chart.rects]
    assert titles == ["02/03/2026 AADE: 8", "02/03/2026 EFKA: 2", "03/03/2026 EFKA: 5"]
    aade, efka, second = chart.rects
    assert aade.y + aade.height == pytest.approx(236) and efka.y + efka.height == pytest.approx(aade.y)  # stacked
    assert aade.height == pytest.approx(4 * efka.height)  # 8 and 2 calls on one scale
    assert [item.label for item in chart.legend] == ["AADE", "EFKA"]
    assert {label.text for label in chart.labels} >= {"02/03", "10", "5", "0"}  # axis up to a round 10


def test_more_than_seven_agencies_share_an_others_bar() -> None:
    daily = [DailyCount(f"A{n}", "op", DAY, 10 - n, 0) for n in range(9)]
    chart = charts.daily_by_agency(daily, [DAY])
    assert len(chart.legend) == 8 and chart.legend[-1].fill == charts.OTHER
    assert chart.rects[-1].title == "02/03/2026 άλλοι / others: 5"  # A7 (3 calls) and A8 (2), the two smallest


def test_error_rates_highest_first() -> None:
    daily = [DailyCount("AADE", "getBirthAct", DAY, 4, 1), DailyCount("EFKA", "getBirthAct", DAY, 4, 3),
             DailyCount("AADE", "getCountries", DAY, 10, 0), DailyCount("AADE", "getDeathAct", DAY, 2, 2)]
    rows = charts.errors_per_operation(daily)
    assert [(r.operation, r.calls, r.errors) for r in rows] == [
        ("getDeathAct", 2, 2), ("getBirthAct", 8, 4), ("getCountries", 10, 0)]
    chart = charts.error_rates(rows)
    widths = [rect.width for rect in chart.rects]
    assert widths[0] == 2 * widths[1] and widths[2] == 1.5  # a sliver shows 0 %
    assert chart.rects[1].title == "getBirthAct: 50.0% (4/8)"


def test_the_heatmap_darkens_with_calls() -> None:
    chart = charts.heatmap([HourCount(0, 9, 10), HourCount(4, 23, 1)], "Mo Tu We Th Fr Sa Su".split())
    assert len(chart.rects) == 7 * 24
    busiest = next(r for r in chart.rects if r.title == "Mo 09:00–09:59: 10")
    quiet = next(r for r in chart.rects if r.title == "Fr 23:00–23:59: 1")
    empty = next(r for r in chart.rects if r.title == "Su 12:00–12:59: 0")
    assert busiest.fill == "#08306b" and quiet.fill not in (busiest.fill, empty.fill) and empty.fill == "#f7f7f7"
    assert charts.heatmap([], ["x"] * 7).empty


def test_the_secret_key_is_made_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "console-secret.key"
    first = secret_key(path)
    assert len(first) == 64 and secret_key(path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_masking() -> None:
    assert mask_amka("01017012345") == "********345" and mask_amka(None) == "—"
    assert mask_name("Γεώργιος Παπαδόπουλος") == "Γ*** Π***"
