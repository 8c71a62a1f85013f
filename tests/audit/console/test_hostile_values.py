"""What callers stored shown safely over HTTP (both databases): personal numbers masked in the
console's own events and on a call's page until the audited reveal, SOAP input errors that name
the field and not the value, long values cut short (the whole on request, audited), and claimed
names told from authenticated ones on the dashboard."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit import events
from consumer_client import InvalidInput, MitrooClient
from db.engine import make_sessionmaker
from db.models import AuditEvent
from tests.audit.console.conftest import Console, Seeded, console_events, csrf_token, run_search
from tests.conftest import PASSWORD, USERS, Running, signing_key_files

LONG = 300_000


def stored(console: Console, **fields: object) -> str:
    """An event written straight to the store, as a caller could have caused; its callSequenceId."""
    call_sequence_id = str(uuid.uuid4())
    values: dict[str, object] = dict(
        call_sequence_id=call_sequence_id, server_time=dt.datetime.now(dt.UTC), service="civilRegistryActs",
        operation="getBirthAct", observed_ip="192.0.2.77", outcome="MP_INVALID_INPUT", duration_ms=2,
        request_digest="0" * 64)
    values.update(fields)
    events.record(make_sessionmaker(console.database.engine), events.Event(**values))  # type: ignore[arg-type]
    return call_sequence_id


def test_the_consoles_own_events_mask_the_amka(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    assert run_search(console, auditor, {"subject_amka": seeded.amka, "unit": seeded.unit}).status_code == 200
    assert run_search(console, auditor, {"subject_amka": seeded.amka}, "/search/export.csv").status_code == 200
    for operation in ("search", "export"):
        event = console_events(console, operation, USERS.auditor)[-1]
        detail = event.outcome_detail or ""
        assert seeded.amka not in detail and f"subject_amka=********{seeded.amka[-3:]}" in detail, operation


def test_a_soap_input_error_names_the_field_not_the_value(provider: Running, console: Console) -> None:
    bad = "12345678901"  # eleven digits, a wrong check digit
    client = MitrooClient(provider.base_url, USERS.aade, PASSWORD, unit="Τμήμα", user_id="clerk-7",
                          provider_certificates=[signing_key_files().cert], backoff=0.01)
    with pytest.raises(InvalidInput) as refused:
        client.get_birth_act(protocol="ΑΠ 301/2026", amka=bad)
    assert bad not in str(refused.value) and "amka" in str(refused.value)
    with Session(console.database.engine) as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.call_sequence_id == refused.value.call_sequence_id)).one()
    assert event.outcome == "MP_INVALID_INPUT" and bad not in (event.outcome_detail or "")
    assert "amka" in (event.outcome_detail or "")


def test_a_call_page_masks_personal_numbers_until_the_reveal(console: Console, auditor: requests.Session) -> None:
    amka = "01017012345"
    call = stored(console, outcome_detail=f"amka: {amka!r}: λάθος ψηφίο ελέγχου", declared={"auditUserId": amka})
    page = auditor.get(console.url(f"/calls/{call}"), timeout=30)
    assert page.status_code == 200 and amka not in page.text and "********345" in page.text
    reason = f"Έλεγχος καταγγελίας {uuid.uuid4().hex[:6]}"
    shown = auditor.post(console.url(f"/calls/{call}/reveal"), data={"reason": reason,
                                                                     "csrf_token": csrf_token(page.text)}, timeout=30)
    assert shown.status_code == 200 and amka in shown.text
    assert console_events(console, "revealSubjects", USERS.auditor)[-1].purpose == reason


def test_long_values_are_cut_short_and_shown_whole_when_asked(console: Console,
                                                               auditor: requests.Session) -> None:
    unit = f"U{uuid.uuid4().hex[:8]}"
    calls = [stored(console, agency_code=None, username="x" * 100, declared={
        "auditUnit": unit + "u" * LONG, "auditProtocol": "p" * LONG, "auditUserId": "i" * LONG}) for _ in range(3)]
    found = run_search(console, auditor, {"since": dt.date.today().isoformat(), "observed_ip": "192.0.2.77"})
    assert found.status_code == 200 and all(call in found.text for call in calls)
    assert len(found.content) < 200_000, len(found.content)  # three 900,000-character rows, and more
    page = auditor.get(console.url(f"/calls/{calls[0]}"), timeout=30)
    assert page.status_code == 200 and len(page.content) < 50_000 and 'id="show-full"' in page.text
    assert f"{LONG + len(unit) - 200}" in page.text  # how much is cut off
    whole = auditor.post(console.url(f"/calls/{calls[0]}/full"), data={"csrf_token": csrf_token(page.text)},
                         timeout=60)
    assert whole.status_code == 200 and unit + "u" * LONG in whole.text
    event = console_events(console, "callDetail", USERS.auditor)[-1]
    assert event.outcome_detail == f"{calls[0]} in full"
    forged = auditor.post(console.url(f"/calls/{calls[0]}/full"), timeout=30)
    assert forged.status_code == 400


def test_the_dashboard_tells_claimed_names_from_authenticated_ones(console: Console, seeded: Seeded,
                                                                   auditor: requests.Session) -> None:
    planted = f"planted-{uuid.uuid4().hex[:6]}"
    for _ in range(40):  # more than any real caller, to reach the top list
        stored(console, agency_code=None, username=planted, operation=f"madeUp{planted[-6:]}",
               outcome="MP_AUTHENTICATION_FAILED")
    page = auditor.get(console.url("/dashboard"), params={"days": 1}, timeout=30)
    assert page.status_code == 200
    top = page.text.split('id="top-users"')[1].split("</table>")[0]
    row = next(line for line in top.split("<tr>") if planted in line)
    assert "(unauthenticated)" in row and 'class="claimed"' in row
    authenticated = next(line for line in top.split("<tr>") if f">{USERS.aade}<" in line)
    assert 'class="claimed"' not in authenticated
    errors = page.text.split('id="errors-table"')[1].split("</table>")[0]
    assert f"madeUp{planted[-6:]}" not in errors and "(unauthenticated)" in errors
    chart = page.text.split('id="chart-errors"')[1].split("</svg>")[0]
    assert f"madeUp{planted[-6:]}" not in chart


def test_a_body_too_large_is_refused_and_audited(console: Console, auditor: requests.Session) -> None:
    answer = requests.post(console.url("/login"), data={"username": "x" * 100_000, "password": "y"}, timeout=30)
    assert answer.status_code == 413 and 'id="error-message"' in answer.text and "Traceback" not in answer.text
    event = console_events(console, "login")[-1]
    assert event.outcome == "MP_MALFORMED_REQUEST" and "413" in (event.outcome_detail or "")

