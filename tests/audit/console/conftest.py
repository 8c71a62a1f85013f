"""Fixtures for the auditor console: the console served by waitress on an ephemeral loopback
port over the test database (SQLite and PostgreSQL), calls made through the reference client
against the real provider so there is something to audit, and a logged-in HTTP session."""
from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import waitress
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.console.app import create_app
from consumer_client import MitrooClient, NotAuthorized
from db.models import AuditEvent, Person
from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.settings import Settings
from tests.acts_data import Registry
from tests.conftest import PASSWORD, USERS, PreparedDatabase, Running, settings_for, signing_key_files

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Console:
    base_url: str
    app: Flask
    database: PreparedDatabase
    settings: Settings

    def url(self, path: str) -> str:
        return self.base_url + path


def start_console(settings: Settings) -> tuple[Flask, object, str]:
    app = create_app(settings)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    base_url = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[attr-defined]

    def run() -> None:
        try:
            server.run()  # type: ignore[attr-defined]
        except OSError:
            pass

    threading.Thread(target=run, daemon=True).start()
    return app, server, base_url


def console_settings(database: PreparedDatabase, directory: Path, **overrides: object) -> Settings:
    # A high per-IP threshold: every test logs in from 127.0.0.1; the per-user lockout is tested.
    values: dict[str, object] = {"lockout_user_failures": 3, "lockout_ip_failures": 100_000}
    values.update(overrides)
    return settings_for(database, directory, **values)


@pytest.fixture(scope="module")
def console(database: PreparedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    settings = console_settings(database, tmp_path_factory.mktemp("console"))
    app, server, base_url = start_console(settings)
    yield Console(base_url, app, database, settings)
    server.close()  # type: ignore[attr-defined]
    app.extensions["mitroo_console"].engine.dispose()


@dataclass(frozen=True)
class Seeded:
    """Calls made through the reference client for one citizen, under a unit of their own."""

    unit: str
    amka: str
    person_id: int
    birth_act: str  # callSequenceIds
    search_acts: str
    certificate: str
    refused: str  # an agency without the grant: MP_NOT_AUTHORIZED
    parameters: tuple[str, ...]

    @property
    def ok_calls(self) -> list[str]:
        return [self.birth_act, self.search_acts, self.certificate, *self.parameters]


@pytest.fixture(scope="session")
def seeded(provider: Running, registry: Registry) -> Seeded:
    person = registry.main_person(registry.find("BIRTH"))
    unit = f"Console-{uuid.uuid4().hex[:8]}"

    def client(username: str) -> MitrooClient:
        return MitrooClient(provider.base_url, username, PASSWORD, unit=unit, user_id="clerk-7",
                            provider_certificates=[signing_key_files().cert], backoff=0.01)

    aade = client(USERS.aade)
    birth = aade.get_birth_act(protocol="ΑΠ 101/2026", amka=person.amka).call_sequence_id
    found = aade.search_acts(protocol="ΑΠ 102/2026", amka=person.amka).call_sequence_id
    certificate = aade.get_birth_certificate(protocol="ΑΠ 103/2026", purpose="Επίδομα θέρμανσης 2026",
                                             amka=person.amka).call_sequence_id
    parameters = tuple(aade.get_municipalities(protocol=f"ΑΠ 2{n}/2026", region_code="EL43").call_sequence_id
                       for n in range(2))
    with pytest.raises(NotAuthorized) as refused:
        client(USERS.death).get_birth_act(protocol="ΑΠ 104/2026", amka=person.amka)
    return Seeded(unit, person.amka, person.id, birth, found, certificate, refused.value.call_sequence_id or "",
                  parameters)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def log_in(console: Console, username: str = USERS.auditor,
           password: str = PASSWORD) -> tuple[requests.Session, requests.Response]:
    """A requests session after posting the login form (with its CSRF token)."""
    http = requests.Session()
    form = http.get(console.url("/login"), timeout=30)
    answer = http.post(console.url("/login"), data={"username": username, "password": password,
                                                     "csrf_token": csrf_token(form.text)}, timeout=30)
    return http, answer


@pytest.fixture()
def auditor(console: Console) -> requests.Session:
    http, answer = log_in(console)
    assert answer.status_code == 200 and answer.url.endswith("/search"), answer.text[:500]
    return http


def run_search(console: Console, http: requests.Session, params: dict[str, object],
               path: str = "/search") -> requests.Response:
    """Press Search (or an export button): a POST of ``params`` with the session's CSRF token."""
    token = csrf_token(http.get(console.url("/search"), timeout=30).text)
    return http.post(console.url(path), data={**params, "csrf_token": token}, timeout=30)


def console_events(console: Console, operation: str, username: str | None = None) -> list[AuditEvent]:
    """The console's own audit events of one operation, oldest first."""
    with Session(console.database.engine) as session:
        query = select(AuditEvent).where(AuditEvent.service == "auditConsole", AuditEvent.operation == operation)
        if username is not None:
            query = query.where(AuditEvent.username == username)
        return list(session.scalars(query.order_by(AuditEvent.id)))


def add_auditor(console: Console, username: str, roles: tuple[str, ...] = ("auditor",)) -> None:
    with Session(console.database.engine) as session, session.begin():
        admin.add_user(session, CredentialKey(console.database.key_file), username=username, agency_code="YPES-DPO",
                       system_code="AUDIT", password=PASSWORD, roles=roles)


def person_amka(console: Console, person_id: int) -> str:
    with Session(console.database.engine) as session:
        amka = session.scalar(select(Person.amka).where(Person.id == person_id))
        assert amka
        return amka

