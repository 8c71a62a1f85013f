"""The dashboard's charts as geometry for server-side SVG: no JavaScript, no CDN, nothing fetched.

Each function turns ``audit.stats`` results into frozen shapes (rectangles with a tooltip title,
axis labels, a legend) that ``templates/chart.html`` draws. Colours are the Okabe-Ito palette,
which stays distinguishable for colour-blind readers; every chart also comes with its data as a
table in the page.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from audit.stats import UNAUTHENTICATED, DailyCount, HourCount

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "#999999"
WIDTH = 760


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str  # the tooltip, and what a screen reader reads


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"  # SVG text-anchor
    fill: str = "#222222"


@dataclass(frozen=True)
class LegendItem:
    fill: str
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rects: tuple[Rect, ...]
    labels: tuple[Text, ...]
    lines: tuple[tuple[float, float, float, float], ...]  # axis and grid lines: x1, y1, x2, y2
    legend: tuple[LegendItem, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.rects


def _nice(value: int) -> int:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 1:
        return 1
    power: int = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every day from ``first`` to ``last`` inclusive (at most 400, the latest kept)."""
    count = min((last - first).days + 1, 400)
    return [last - dt.timedelta(days=n) for n in reversed(range(count))] if count > 0 else []


def daily_by_agency(daily: Iterable[DailyCount], days: list[dt.date], top_agencies: int = 7) -> Chart:
    """Stacked bars: calls per day, one colour per agency (the busiest seven, then "others")."""
    per_day: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for row in daily:
        per_day[row.day][row.agency] += row.calls
        totals[row.agency] += row.calls
    ranked = sorted(totals, key=lambda agency: (-totals[agency], agency))
    shown = ranked[:top_agencies]
    colours = {agency: PALETTE[index] for index, agency in enumerate(shown)}
    others = "άλλοι / others"
    left, right, top, bottom = 48, 8, 10, 44
    height = 280
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    peak = max((sum(per_day[day].values()) for day in days), default=0)
    scale = _nice(peak)
    slot = plot_w / max(len(days), 1)
    rects: list[Rect] = []
    labels: list[Text] = []
    every = max(1, math.ceil(len(days) / 12))
    for index, day in enumerate(days):
        x = left + index * slot + slot * 0.1
        y: float = top + plot_h
        counts = per_day.get(day, {})
        stack = [(agency, counts.get(agency, 0)) for agency in shown]
        rest = sum(n for agency, n in counts.items() if agency not in colours)
        if rest:
            stack.append((others, rest))
        for agency, calls in stack:
            if not calls:
                continue
            bar = plot_h * calls / scale
            y -= bar
            rects.append(Rect(round(x, 1), round(y, 1), round(slot * 0.8, 1), round(bar, 1),
                              colours.get(agency, OTHER), f"{day:%d/%m/%Y} {agency}: {calls}"))
        if index % every == 0:
            labels.append(Text(round(left + index * slot + slot / 2, 1), height - bottom + 16, f"{day:%d/%m}"))
    lines: list[tuple[float, float, float, float]] = [
        (left, top + plot_h, WIDTH - right, top + plot_h), (left, top, left, top + plot_h)]
    for fraction in (0.5, 1.0):
        y = round(top + plot_h - plot_h * fraction, 1)
        lines.append((left, y, WIDTH - right, y))
        labels.append(Text(left - 6, y + 4, f"{round(scale * fraction):g}", anchor="end"))
    labels.append(Text(left - 6, top + plot_h + 4, "0", anchor="end"))
    legend = tuple(LegendItem(colours[agency], agency) for agency in shown)
    if any(agency not in colours for agency in totals):
        legend += (LegendItem(OTHER, others),)
    return Chart(WIDTH, height, tuple(rects), tuple(labels), tuple(lines), legend)


@dataclass(frozen=True)
class OperationErrors:
    operation: str
    calls: int
    errors: int

    @property
    def rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0


def errors_per_operation(daily: Iterable[DailyCount]) -> tuple[OperationErrors, ...]:
    """Calls and errors per operation over the period, the highest error rate first. Calls nobody
    authenticated count under one ``(unauthenticated)`` row: the operation they name is only claimed,
    and anyone could fill the chart with made-up names."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in daily:
        operation = UNAUTHENTICATED if row.agency == UNAUTHENTICATED else row.operation
        sums[operation][0] += row.calls
        sums[operation][1] += row.errors
    rows = (OperationErrors(operation, calls, errors) for operation, (calls, errors) in sums.items())
    return tuple(sorted(rows, key=lambda r: (-r.rate, -r.calls, r.operation)))


def error_rates(rows: tuple[OperationErrors, ...]) -> Chart:
    """Horizontal bars: each operation's error rate (0-100 %), labelled with errors/calls."""
    left, right, top, row_h = 230, 120, 6, 24
    height = top * 2 + row_h * len(rows) + 20
    plot_w = WIDTH - left - right
    rects, labels = [], []
    for index, row in enumerate(rows):
        y = top + index * row_h
        labels.append(Text(left - 8, y + 16, row.operation, anchor="end"))
        width = round(plot_w * row.rate, 1)
        fill = "#D55E00" if row.rate >= 0.5 else "#E69F00" if row.rate > 0 else "#009E73"
        rects.append(Rect(left, y + 4, max(width, 1.5), row_h - 8, fill,
                          f"{row.operation}: {row.rate:.1%} ({row.errors}/{row.calls})"))
        labels.append(Text(left + max(width, 1.5) + 6, y + 16, f"{row.rate:.1%} ({row.errors}/{row.calls})",
                           anchor="start"))
    axis_y = top + row_h * len(rows) + 2
    lines: list[tuple[float, float, float, float]] = [(left, top, left, axis_y), (left, axis_y, left + plot_w, axis_y)]
    for fraction in (0.5, 1.0):
        x = round(left + plot_w * fraction, 1)
        lines.append((x, top, x, axis_y))
        labels.append(Text(x, axis_y + 14, f"{fraction:.0%}"))
    return Chart(WIDTH, height, tuple(rects), tuple(labels), tuple(lines))


def _shade(fraction: float) -> str:
    """From a pale blue (few calls) to a dark blue (the busiest hour)."""
    low, high = (0xE8, 0xF1, 0xFA), (0x08, 0x30, 0x6B)
    return "#" + "".join(f"{round(a + (b - a) * fraction):02x}" for a, b in zip(low, high))


def heatmap(hourly: Iterable[HourCount], weekday_names: list[str]) -> Chart:
    """7 rows (Monday to Sunday) by 24 hours; the darker the cell, the more calls."""
    counts = {(cell.weekday, cell.hour): cell.calls for cell in hourly}
    peak = max(counts.values(), default=0)
    left, top, cell_w, cell_h = 48, 20, 28, 26
    rects, labels = [], []
    for hour in range(24):
        labels.append(Text(left + hour * cell_w + cell_w / 2, top - 6, f"{hour:02d}"))
    for day in range(7):
        y = top + day * cell_h
        labels.append(Text(left - 6, y + cell_h / 2 + 4, weekday_names[day], anchor="end"))
        for hour in range(24):
            calls = counts.get((day, hour), 0)
            fraction = calls / peak if peak else 0.0
            x = left + hour * cell_w
            rects.append(Rect(x, y, cell_w - 2, cell_h - 2, _shade(fraction) if calls else "#f7f7f7",
                              f"{weekday_names[day]} {hour:02d}:00–{hour:02d}:59: {calls}"))
            if calls:
                labels.append(Text(x + (cell_w - 2) / 2, y + cell_h / 2 + 3, str(calls),
                                   fill="#ffffff" if fraction > 0.5 else "#222222"))
    width = left + 24 * cell_w + 4
    return Chart(width, top + 7 * cell_h + 4, tuple(rects) if peak else (), tuple(labels), ())
