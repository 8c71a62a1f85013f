"""The search page and its exports over HTTP (both databases): the rows are the CLI's for the same
filter, pagination and order, CSV and NDJSON parsed back, bad criteria named, every query (and
every refused one) audited, and a GET, which another site can trigger, runs no search."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from audit import events
from db.engine import make_sessionmaker
from tests.audit.console.conftest import Console, Seeded, console_events, run_search
from tests.conftest import USERS

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))
ROW = re.compile(r'<tr data-call="([^"]+)"')


def cli_search(console: Console, *args: str) -> list[dict[str, object]]:
    """``mitroo-audit search --format json`` on the console's database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=console.database.url)
    result = subprocess.run([AUDIT, "search", *args, "--format", "json"], env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def button_fields(html: str, button: str) -> dict[str, str]:
    """The hidden fields of the form around the button ``button`` (a page or sorting button)."""
    form = re.search(r'<form method="post"[^>]*>((?:(?!</form>).)*id="' + button + r'"(?:(?!</form>).)*)</form>', html, re.S)
    assert form, f"no form with the button {button}"
    return {name: value.replace("&amp;", "&") for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1))}


def rows(page: requests.Response) -> list[str]:
    assert page.status_code == 200, page.text[:500]
    return ROW.findall(page.text)


def test_the_rows_are_the_clis_for_the_same_filter(console: Console, seeded: Seeded,
                                                    auditor: requests.Session) -> None:
    criteria = {"unit": seeded.unit, "outcome": "OK", "service": "civilRegistryActs", "subject_amka": seeded.amka}
    page = run_search(console, auditor, {**criteria, "order": "asc"})
    expected = cli_search(console, "--unit", seeded.unit, "--outcome", "OK", "--service", "civilRegistryActs",
                          "--subject-amka", seeded.amka)
    assert rows(page) == [row["call_sequence_id"] for row in expected] == [seeded.birth_act, seeded.search_acts]
    for name, value in criteria.items():  # the form shows the filter it ran
        assert f'name="{name}" value="{value}"' in page.text
    newest = run_search(console, auditor, criteria)
    assert rows(newest) == [seeded.search_acts, seeded.birth_act]
    everything = cli_search(console, "--unit", seeded.unit)
    assert sorted(rows(run_search(console, auditor, {"unit": seeded.unit}))) == sorted(
        row["call_sequence_id"] for row in everything)
    event = console_events(console, "search", USERS.auditor)[-1]
    assert seeded.unit in (event.outcome_detail or "") and event.outcome == "OK"


def test_an_error_filter_and_an_ip_network(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    failed = run_search(console, auditor, {"unit": seeded.unit, "outcome": "ERROR"})
    assert rows(failed) == [seeded.refused] and "MP_NOT_AUTHORIZED" in failed.text
    network = run_search(console, auditor, {"unit": seeded.unit, "observed_ip": "127.0.0.0/8", "order": "asc"})
    assert rows(network) == [row["call_sequence_id"] for row in
                             cli_search(console, "--unit", seeded.unit, "--observed-ip", "127.0.0.0/8")]
    assert len(rows(network)) == 6


@pytest.fixture(scope="module")
def thirty(console: Console) -> str:
    """Thirty events of an agency of their own, a minute apart."""
    agency = f"PG{uuid.uuid4().hex[:8].upper()}"
    start = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC)
    sessions = make_sessionmaker(console.database.engine)
    for n in range(30):
        events.record(sessions, events.Event(
            call_sequence_id=str(uuid.uuid4()), server_time=start + dt.timedelta(minutes=n),
            service="registryParameters",
            operation="getCountries", observed_ip="192.0.2.9", outcome="OK", duration_ms=3, request_digest="0" * 64,
            agency_code=agency, system_code="SYS", username=f"u{n % 3}",
            declared={"auditProtocol": f"ΑΠ {n}/2026", "auditUnit": "Τμήμα"}))
    return agency


def test_pages_of_results_both_ways(console: Console, thirty: str, auditor: requests.Session) -> None:
    expected = [row["call_sequence_id"] for row in cli_search(console, "--agency", thirty)]
    first = run_search(console, auditor, {"agency": thirty, "order": "asc", "size": 25})
    assert rows(first) == expected[:25] and 'id="next-page"' in first.text and 'id="prev-page"' not in first.text
    second = auditor.post(console.url("/search"), data=button_fields(first.text, "next-page"), timeout=30)
    assert rows(second) == expected[25:] and 'id="next-page"' not in second.text and 'id="prev-page"' in second.text
    newest = run_search(console, auditor, {"agency": thirty, "size": 25})
    assert rows(newest) == list(reversed(expected))[:25]
    beyond = run_search(console, auditor, {"agency": thirty, "page": 3, "size": 25})
    assert rows(beyond) == [] and 'id="no-results"' in beyond.text


@pytest.mark.parametrize("output", ["csv", "ndjson"])
def test_an_export_of_the_current_filter(console: Console, thirty: str, auditor: requests.Session,
                                         output: str) -> None:
    answer = run_search(console, auditor, {"agency": thirty, "order": "asc"}, f"/search/export.{output}")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Content-Type"] == {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}[output]
    text = answer.content.decode("utf-8")
    parsed = (list(csv.DictReader(io.StringIO(text))) if output == "csv"
              else [json.loads(line) for line in text.splitlines()])
    expected = cli_search(console, "--agency", thirty)
    assert [row["call_sequence_id"] for row in parsed] == [row["call_sequence_id"] for row in expected]
    assert parsed[0]["audit_protocol"] == "ΑΠ 0/2026" and parsed[0]["server_time"] == expected[0]["server_time"]
    event = console_events(console, "export", USERS.auditor)[-1]
    assert thirty in (event.outcome_detail or "") and f"format={output}" in (event.outcome_detail or "")


@pytest.mark.parametrize("params, named", [
    ({"since": "yesterday"}, "Από"),
    ({"observed_ip": "10.0.0.999"}, "IP που παρατηρήθηκε"),
    ({"subject_act": "L1/x/2020"}, "πράξη"),
    ({"subject_amka": "00000000000"}, "no person"),
    ({"page": "x"}, "page"),
    ({"size": "7"}, "size"),
    ({"order": "sideways"}, "order"),
])
def test_a_bad_criterion_is_named(console: Console, auditor: requests.Session, params: dict[str, str],
                                  named: str) -> None:
    answer = run_search(console, auditor, params)
    assert answer.status_code == 400 and named in answer.text and 'id="error-message"' in answer.text
    assert "Traceback" not in answer.text
    refused = console_events(console, "search", USERS.auditor)[-1]  # every refusal is audited
    assert refused.outcome == "MP_INVALID_INPUT" and next(iter(params)) in (refused.outcome_detail or "")


def test_unknown_addresses_are_pages_too(console: Console, auditor: requests.Session) -> None:
    for path, status in (("/nowhere", 404), ("/search/export.csv", 405), ("/calls/x/reveal", 405)):
        answer = auditor.get(console.url(path), timeout=30)
        assert answer.status_code == status and 'id="error-message"' in answer.text, path
    assert [e.outcome for e in console_events(console, "refused", USERS.auditor)[-3:]] == [
        "MP_NOT_FOUND", "MP_MALFORMED_REQUEST", "MP_MALFORMED_REQUEST"]  # every refusal is audited
    assert run_search(console, auditor, {}, "/search/export.xlsx").status_code == 404
    assert console_events(console, "export", USERS.auditor)[-1].outcome == "MP_NOT_FOUND"


def test_a_link_only_fills_the_form_in(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    """A GET (a link from any site) runs no search and writes no event in the auditor's name."""
    searches = len(console_events(console, "search", USERS.auditor))
    page = auditor.get(console.url("/search"), params={"subject_amka": seeded.amka, "unit": seeded.unit}, timeout=30)
    assert page.status_code == 200 and 'id="press-search"' in page.text and 'id="results"' not in page.text
    assert f'name="subject_amka" value="{seeded.amka}"' in page.text and f'name="unit" value="{seeded.unit}"' in page.text
    assert len(console_events(console, "search", USERS.auditor)) == searches
    for path in ("/search", "/search/export.csv"):  # a POST from elsewhere has no token
        forged = auditor.post(console.url(path), data={"subject_amka": seeded.amka}, timeout=30)
        assert forged.status_code == 400 and "CSRF" in forged.text, path
    assert [e.outcome for e in console_events(console, "search", USERS.auditor)[searches:]] == ["MP_INVALID_INPUT"]
    ran = run_search(console, auditor, {"subject_amka": seeded.amka, "unit": seeded.unit})
    assert seeded.birth_act in rows(ran) and 'id="share-link"' in ran.text


def test_the_csv_download_is_spreadsheet_safe(console: Console, auditor: requests.Session) -> None:
    from tests.audit.test_export import FORMULAS, assert_neutralised, formula_events

    agency = formula_events(console.database.engine)
    csv_answer = run_search(console, auditor, {"agency": agency, "order": "asc"}, "/search/export.csv")
    assert csv_answer.status_code == 200
    assert_neutralised(list(csv.DictReader(io.StringIO(csv_answer.content.decode("utf-8"), newline=""))))
    ndjson = run_search(console, auditor, {"agency": agency, "order": "asc"}, "/search/export.ndjson")
    assert [json.loads(line)["audit_protocol"] for line in ndjson.text.splitlines()][:len(FORMULAS)] == list(
        FORMULAS.values())
    page = run_search(console, auditor, {"agency": agency, "order": "asc"})
    assert "=HYPERLINK(" in page.text.replace("&#34;", '"') and "&#39;=HYPERLINK" not in page.text
