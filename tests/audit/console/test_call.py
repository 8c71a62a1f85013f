"""A call's page over HTTP (both databases): every audit field, the data subjects masked until a
reason is given (the reveal audited with it), the seal status, and bad call ids."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text
from sqlalchemy.orm import Session

from audit import events
from audit.query import EXPORTED
from audit.seal import seal
from db.engine import make_sessionmaker
from tests.audit.console.conftest import (
    Console,
    Seeded,
    console_events,
    console_settings,
    csrf_token,
    log_in,
    start_console,
)
from tests.audit.test_seal import tamper
from tests.conftest import USERS, PreparedDatabase, discard_database, prepare_database


def test_every_field_and_masked_subjects(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    page = auditor.get(console.url(f"/calls/{seeded.birth_act}"), timeout=30)
    assert page.status_code == 200
    for name in EXPORTED:
        assert f'data-field="{name}"' in page.text
    assert seeded.unit in page.text and "ΑΠ 101/2026" in page.text and "getBirthAct" in page.text
    assert seeded.amka not in page.text and f"********{seeded.amka[-3:]}" in page.text
    assert 'id="seal-status"' in page.text
    viewed = console_events(console, "callDetail", USERS.auditor)[-1]
    assert viewed.outcome_detail == seeded.birth_act and viewed.purpose is None


def test_a_reveal_needs_a_reason_and_is_audited(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    page = auditor.get(console.url(f"/calls/{seeded.birth_act}"), timeout=30)
    url = console.url(f"/calls/{seeded.birth_act}/reveal")
    refused = auditor.post(url, data={"reason": " ", "csrf_token": csrf_token(page.text)}, timeout=30)
    assert refused.status_code == 400 and 'id="reveal-error"' in refused.text and seeded.amka not in refused.text
    assert console_events(console, "revealSubjects", USERS.auditor)[-1].outcome == "MP_INVALID_INPUT"
    reason = f"Καταγγελία πολίτη {uuid.uuid4().hex[:6]}"
    shown = auditor.post(url, data={"reason": reason, "protocol": "ΔΠΔ 7/2026", "csrf_token": csrf_token(page.text)},
                         timeout=30)
    assert shown.status_code == 200 and seeded.amka in shown.text and reason in shown.text
    event = console_events(console, "revealSubjects", USERS.auditor)[-1]
    assert (event.outcome, event.purpose, event.audit_protocol, event.outcome_detail) == (
        "OK", reason, "ΔΠΔ 7/2026", seeded.birth_act)
    assert event.call_sequence_id in shown.text
    with Session(console.database.engine) as session:
        subjects = set(session.scalars(text("SELECT person_id FROM audit_event_subjects WHERE event_id = :e"),
                                       {"e": event.id}))
    assert seeded.person_id in subjects


@pytest.mark.parametrize("call_id, status", [(str(uuid.UUID(int=7)), 404), ("not*an*id", 400), ("x" * 40, 400)])
def test_an_unknown_or_malformed_call(console: Console, auditor: requests.Session, call_id: str, status: int) -> None:
    answer = auditor.get(console.url(f"/calls/{call_id}"), timeout=30)
    assert answer.status_code == status and 'id="error-message"' in answer.text and "Traceback" not in answer.text


@pytest.fixture()
def sealed_store(database: PreparedDatabase, tmp_path: Path) -> Iterator[tuple[Console, list[str]]]:
    """A fresh database of the same kind with three sealed events and one newer, and a console on it."""
    store = prepare_database(database.kind, tmp_path)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    sessions = make_sessionmaker(store.engine)
    ids = []
    for n in range(4):
        event = events.Event(
            call_sequence_id=str(uuid.uuid4()), server_time=past + dt.timedelta(seconds=n), service="civilRegistryActs",
            operation="getBirthAct", observed_ip="192.0.2.1", outcome="OK", duration_ms=5, request_digest="a" * 64,
            agency_code="AADE", system_code="EISPRAXIS", username="u", declared={"auditProtocol": f"ΑΠ {n}"})
        events.record(sessions, event)
        ids.append(event.call_sequence_id)
        if n == 2:
            with Session(store.engine) as session:
                assert seal(session, lag=0).events == 3
    app, server, base_url = start_console(console_settings(store, tmp_path))
    yield Console(base_url, app, store, console_settings(store, tmp_path)), ids
    server.close()  # type: ignore[attr-defined]
    app.extensions["mitroo_console"].engine.dispose()
    store.engine.dispose()
    discard_database(store.url)


@pytest.mark.slow
def test_the_seal_status(sealed_store: tuple[Console, list[str]]) -> None:
    console, ids = sealed_store
    http, _ = log_in(console)

    def status(call_id: str) -> str:
        page = http.get(console.url(f"/calls/{call_id}"), timeout=30)
        assert page.status_code == 200
        return page.text.split('data-status="')[1].split('"')[0]

    assert [status(call_id) for call_id in ids] == ["sealed", "sealed", "sealed", "not-sealed"]
    tamper(console.database.engine,
           f"UPDATE audit_events SET audit_protocol = 'ΑΠ 99' WHERE call_sequence_id = '{ids[1]}'")
    assert [status(call_id) for call_id in ids] == ["sealed", "altered", "sealed", "not-sealed"]
    assert "ΑΛΛΟΙΩΜΕΝΗ" in http.get(console.url(f"/calls/{ids[1]}"), timeout=30).text


@pytest.mark.parametrize("path", ["/calls/{call}", "/dashboard?days=7"])
def test_a_link_from_another_site_opens_nothing_before_a_confirmation(console: Console, seeded: Seeded,
                                                                       auditor: requests.Session, path: str) -> None:
    """What a browser says of a link followed from another site (Sec-Fetch-Site) decides: such a
    GET shows a page to confirm, and nothing is read or audited in the auditor's name."""
    url = console.url(path.format(call=seeded.birth_act))
    operation = "callDetail" if path.startswith("/calls") else "dashboard"
    before = len(console_events(console, operation, USERS.auditor))
    confirm = auditor.get(url, headers={"Sec-Fetch-Site": "cross-site"}, timeout=30)
    assert confirm.status_code == 200 and 'id="confirm-open"' in confirm.text
    assert seeded.unit not in confirm.text and len(console_events(console, operation, USERS.auditor)) == before
    opened = auditor.get(url, headers={"Sec-Fetch-Site": "same-origin"}, timeout=30)
    assert opened.status_code == 200 and 'id="confirm-open"' not in opened.text
    assert len(console_events(console, operation, USERS.auditor)) == before + 1

