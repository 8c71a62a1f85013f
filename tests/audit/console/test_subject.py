"""A citizen's access report in the console over HTTP (both databases): the calls of several
services on screen with Greek headings and a print stylesheet, the printable HTML download, the
report audited with the citizen as its subject, and bad or unknown AMKAs."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.audit.console.conftest import Console, Seeded, console_events, csrf_token
from tests.conftest import USERS


def report(console: Console, http: requests.Session, path: str = "/subject-report", **form: str) -> requests.Response:
    page = http.get(console.url("/subject-report"), timeout=30)
    return http.post(console.url(path), data={**form, "csrf_token": csrf_token(page.text)}, timeout=30)


def test_the_report_of_a_citizen_reached_through_several_services(console: Console, seeded: Seeded,
                                                                    auditor: requests.Session) -> None:
    answer = report(console, auditor, amka=seeded.amka)
    assert answer.status_code == 200
    section = answer.text.split('id="report"')[1]
    assert "Αναφορά πρόσβασης στα προσωπικά σας δεδομένα" in section and "Αριθμός πρωτοκόλλου" in section
    for call_id, service in ((seeded.birth_act, "Λήψη Ληξιαρχικών Πράξεων: getBirthAct"),
                             (seeded.search_acts, "Λήψη Ληξιαρχικών Πράξεων: searchActs"),
                             (seeded.certificate, "getBirthCertificate")):
        row = section.split(call_id)[0].rsplit("<tr>", 1)[1]
        assert service in row and seeded.unit in row
    assert seeded.refused not in section  # refused: it returned nothing about the citizen
    assert "Επίδομα θέρμανσης 2026" in section
    css = auditor.get(console.url("/static/console.css"), timeout=30).text
    assert "@media print" in css
    event = console_events(console, "subjectReport", USERS.auditor)[-1]
    with Session(console.database.engine) as session:
        subjects = set(session.scalars(text("SELECT person_id FROM audit_event_subjects WHERE event_id = :e"),
                                       {"e": event.id}))
    assert event.outcome == "OK" and subjects == {seeded.person_id}
    assert seeded.amka not in (event.outcome_detail or "")


def test_the_printable_html_download(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    answer = report(console, auditor, "/subject-report/html", amka=seeded.amka, since="2020-01-01")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    assert answer.text.startswith("<!DOCTYPE html>") and 'lang="el"' in answer.text and "@media print" in answer.text
    assert seeded.birth_act in answer.text and "Περίοδος: από 01/01/2020" in answer.text


@pytest.mark.parametrize("amka, status, message", [
    ("123", 400, "11"), ("00000000000", 404, "δεν υπάρχει πρόσωπο"),
])
def test_a_bad_or_unknown_amka(console: Console, auditor: requests.Session, amka: str, status: int,
                               message: str) -> None:
    answer = report(console, auditor, amka=amka)
    assert answer.status_code == status and message in answer.text and 'id="subject-error"' in answer.text
    event = console_events(console, "subjectReport", USERS.auditor)[-1]
    assert event.outcome in ("MP_INVALID_INPUT", "MP_NOT_FOUND")


def test_a_bad_date_is_named(console: Console, seeded: Seeded, auditor: requests.Session) -> None:
    answer = report(console, auditor, amka=seeded.amka, since="last year")
    assert answer.status_code == 400 and "Από" in answer.text and "Traceback" not in answer.text
