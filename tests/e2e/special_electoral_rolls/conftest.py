"""A provider over the demo dataset (what ``scripts/serve`` seeds: registry, synthetic rolls, demo
users) plus the 2010 fixtures of the seed's examples, on SQLite and on PostgreSQL, and zeep clients
for municipalities (agencies acting for one municipality) and for the Ministry's elections directorate.

Each test module uses its own holders, so the order tests run in never matters."""
from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from zeep import Client
from zeep.wsse.username import UsernameToken

from db.models import WsUser
from provider import admin
from provider.credentials import CredentialKey
from provider.demo import DEMO_PERSONS, DEMO_SEED, ensure_demo
from tests.conftest import PASSWORD, Running, discard_database, prepare_database, serve, settings_for, stop
from tests.rolls_fixtures import FixtureHolder, load
from tests.support import audit_record

SERVICE = "specialElectoralRolls"
MINISTRY = "t-ypes-ekloges"  # YPES-ELECTIONS, as shipped in the accreditation fixture


class Rolls:
    """The running provider, the fixture holders, and zeep clients by username."""

    def __init__(self, running: Running, holders: dict[str, FixtureHolder], key_file: Path) -> None:
        self.running, self.holders, self.key_file = running, holders, key_file
        self._clients: dict[str, Client] = {}
        self._lock = threading.Lock()

    @property
    def engine(self) -> Any:
        return self.running.engine

    def client(self, username: str, password: str = PASSWORD) -> Client:
        with self._lock:
            if username not in self._clients:
                self._clients[username] = Client(f"{self.running.url(SERVICE)}?wsdl",
                                                 wsse=UsernameToken(username, password))
            return self._clients[username]

    def _user(self, username: str, agency: str, system: str, municipality: str | None = None) -> Client:
        with Session(self.engine) as session, session.begin():
            if session.scalar(select(WsUser.id).where(WsUser.username == username)) is None:
                if municipality is not None:
                    admin.add_agency(session, code=agency, name=f"Δοκιμαστικός Δήμος {municipality}",
                                     legal_basis="test", status="production", systems=(system,),
                                     municipality_code=municipality)
                    session.flush()
                    admin.add_grant(session, agency, SERVICE, (), "δοκιμές", "test act")
                    session.flush()
                admin.add_user(session, CredentialKey(self.key_file), username=username, agency_code=agency,
                               system_code=system, password=PASSWORD)
        return self.client(username)

    def clerk(self, municipality: str) -> Client:
        """A client of a municipality (agency TDIMOS-<code>, acting only for municipality <code>)."""
        return self._user(f"t-dimos-{municipality}", f"TDIMOS-{municipality}", "OTA", municipality)

    def ministry(self) -> Client:
        return self._user(MINISTRY, "YPES-ELECTIONS", "EKLOGES")

    def holder(self, key: str) -> FixtureHolder:
        return self.holders[key]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def rolls(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rolls]:
    directory = tmp_path_factory.mktemp(f"rolls-{request.param}")
    prepared = prepare_database(request.param, directory)
    ensure_demo(prepared.engine, CredentialKey(prepared.key_file), DEMO_PERSONS, DEMO_SEED)
    holders = load(prepared.engine)
    running, server = serve(settings_for(prepared, directory))
    yield Rolls(replace(running, database=prepared), holders, prepared.key_file)
    stop(server, running.app)
    prepared.engine.dispose()
    discard_database(prepared.url)


def call(client: Client, operation: str, **record: Any) -> Any:
    """``operation`` with a fresh auditRecord and ``record`` as its input record."""
    return getattr(client.service, operation)(auditRecord=audit_record(), **{f"{operation}InputRecord": record})


def _error(answer: Any) -> tuple[str | None, str | None]:
    record = answer.errorRecord  # nil on success (zeep shows it with empty fields)
    return (record.errorCode, record.errorDescr) if record is not None else (None, None)


def ok(answer: Any, operation: str) -> Any:
    """The output record of a successful answer."""
    code, description = _error(answer)
    assert code is None, f"{code}: {description}"
    return getattr(answer, f"{operation}OutputRecord")


def refused(answer: Any, operation: str, code: str) -> str:
    """The error description of an answer refused with ``code`` (and no output record)."""
    got, description = _error(answer)
    assert got == code, f"{got}: {description}"
    assert getattr(answer, f"{operation}OutputRecord") is None
    return str(description)
