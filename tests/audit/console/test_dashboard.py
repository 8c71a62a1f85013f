"""The dashboard over HTTP (both databases): the charts drawn for the seeded calls, the period and
burst threshold chosen in the URL, bad periods refused, the view audited."""
from __future__ import annotations

import re

import pytest
import requests

from tests.audit.console.conftest import Console, Seeded, console_events
from tests.conftest import USERS


def marks(page: str, chart: str) -> list[str]:
    """The tooltip titles of a chart's bars or cells."""
    svg = page.split(f'<svg id="{chart}"')[1].split("</svg>")[0]
    return re.findall(r'<rect class="mark"[^>]*><title>([^<]+)</title>', svg)


def test_the_charts_show_the_seeded_calls(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    page = auditor.get(console.url("/dashboard"), params={"days": 1, "burst": 1}, timeout=30)
    assert page.status_code == 200
    daily = marks(page.text, "chart-daily")
    assert any(" AADE: " in title for title in daily) and any(" TDEATH: " in title for title in daily)
    errors = marks(page.text, "chart-errors")
    assert any(title.startswith("getBirthAct: ") and "/" in title for title in errors)
    cells = marks(page.text, "chart-heatmap")
    assert len(cells) == 7 * 24 and sum(int(title.rsplit(": ", 1)[1]) for title in cells) >= 6
    top = page.text.split('id="top-users"')[1].split("</table>")[0]
    assert USERS.aade in top and USERS.death in top
    assert 'id="bursts"' in page.text  # six calls within seconds are above one a minute
    event = console_events(console, "dashboard", USERS.auditor)[-1]
    assert "burst=1" in (event.outcome_detail or "") and event.outcome == "OK"


def test_a_period_without_calls(console: Console, auditor: requests.Session) -> None:
    page = auditor.get(console.url("/dashboard"), params={"from": "2001-01-01", "to": "2001-01-31"}, timeout=30)
    assert page.status_code == 200 and 'id="no-calls"' in page.text
    assert marks(page.text, "chart-daily") == [] and marks(page.text, "chart-heatmap") == []
    assert 'value="2001-01-01"' in page.text and 'value="2001-01-31"' in page.text


@pytest.mark.parametrize("params", [{"from": "2026-13-01"}, {"from": "2026-03-02", "to": "2026-03-01"},
                                    {"from": "2020-01-01", "to": "2026-01-01"}, {"days": "0"}, {"days": "999"},
                                    {"burst": "many"}])
def test_a_bad_period_is_refused(console: Console, auditor: requests.Session, params: dict[str, str]) -> None:
    answer = auditor.get(console.url("/dashboard"), params=params, timeout=30)
    assert answer.status_code == 400 and 'id="error-message"' in answer.text and "Traceback" not in answer.text
    refused = console_events(console, "dashboard", USERS.auditor)[-1]  # audited too
    assert refused.outcome == "MP_INVALID_INPUT" and refused.outcome_detail and "400" in refused.outcome_detail
