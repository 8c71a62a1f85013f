"""The special electoral rolls' test data: the seed's worked examples and the other 2010 cases of
tests/data/rolls/holders-2010.json, loaded through ``provider.synthetic.rolls_book`` like the synthetic data; and
``running_rolls``, a provider over the demo dataset (what ``scripts/serve`` seeds: registry,
synthetic rolls, demo users) plus these holders, with zeep clients for municipalities (agencies
acting for one municipality) and for the Ministry's elections directorate."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from zeep import Client
from zeep.wsse.username import UsernameToken

from db.models import WsUser
from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.synthetic.demo import DEMO_PERSONS, DEMO_SEED, ensure_demo
from provider.synthetic.rolls_book import RollBook
from tests.conftest import PASSWORD, Running, discard_database, prepare_database, serve, settings_for, stop

ROLLS_DATA = Path(__file__).with_name("data") / "rolls"
HOLDERS_2010 = ROLLS_DATA / "holders-2010.json"


@dataclass(frozen=True)
class FixtureHolder:
    key: str
    person_id: int
    permits: tuple[str, ...]  # numbers, oldest first; the last is the title in force
    surname_latin: str
    firstname_latin: str
    birth_year: int

    def criteria(self, permit: str | None = None) -> dict[str, Any]:
        """The circular's search criteria for this holder, presenting ``permit`` (the title in force by default)."""
        return {"permitNumber": permit or self.permits[-1], "surnamePrefix": self.surname_latin[:2],
                "firstnamePrefix": self.firstname_latin[:2], "birthYear": self.birth_year}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def load(engine: Engine, path: Path = HOLDERS_2010) -> dict[str, FixtureHolder]:
    data = json.loads(path.read_text(encoding="utf-8"))
    with engine.connect() as connection:
        book = RollBook(connection)
    for election in data["elections"]:
        book.election(election["code"], election["name"], _date(election["election_date"]),
                      _date(election["registration_deadline"]), _date(election.get("extended_deadline")))
    holders = {}
    for item in data["holders"]:
        person_id = book.holder(
            gender=item["gender"], surname=item["surname"], firstname=item["firstname"],
            surname_latin=item.get("surname_latin"), firstname_latin=item.get("firstname_latin"),
            birthdate=_date(item["birthdate"]), birthdate_exact=item.get("birthdate_exact", True),
            nationality=item["nationality"], homogeneis=item.get("homogeneis", False),
            fathername=item.get("fathername"), mothername=item.get("mothername"), birthplace=item.get("birthplace"),
            birth_country=item.get("birth_country"))
        for permit in item["permits"]:
            book.permit(person_id, number=permit["number"], type_code=permit["type"],
                        authority_kind=permit["authority_kind"], authority_name=permit["authority_name"],
                        application_date=_date(permit["application_date"]), valid_from=_date(permit["valid_from"]),
                        valid_to=_date(permit["valid_to"]))
        for row in item.get("history", ()):
            book.history(person_id, row["municipality"], _date(row["from"]), _date(row["registered"]), row["source"],
                         row.get("note"))
        for conviction in item.get("convictions", ()):
            book.conviction(person_id, court=conviction["court"], decision=conviction["decision"],
                            penalty=conviction["penalty"], irrevocable_on=_date(conviction["irrevocable_on"]),
                            rights_restored_on=_date(conviction.get("rights_restored_on")))
        if item.get("acquisition"):
            acquisition = item["acquisition"]
            book.acquisition(person_id, acquired_on=_date(acquisition["acquired_on"]),
                             municipality=acquisition["municipality"], decision=acquisition["decision"])
        person = book.by_id[("persons", person_id)]
        holders[item["key"]] = FixtureHolder(item["key"], person_id, tuple(p["number"] for p in item["permits"]),
                                             person["surname_latin"], person["firstname_latin"],
                                             person["birthdate"].year)
    with engine.begin() as connection:
        book.insert(connection)
    return holders


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

    def account(self, municipality: str | None = None) -> str:
        """The username of a municipality's clerk (agency TDIMOS-<code>, acting only for municipality
        <code>), or without a municipality of the Ministry's elections directorate; made on first use."""
        if municipality is None:
            username, agency, system = MINISTRY, "YPES-ELECTIONS", "EKLOGES"
        else:
            username, agency, system = f"t-dimos-{municipality}", f"TDIMOS-{municipality}", "OTA"
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
        return username

    def agency(self, agency: str, system: str) -> Client:
        """A zeep client of a fixture agency without a municipality (e.g. YPES-PORTAL, YPES-MIGRATION)."""
        username = f"t-{agency.lower()}"
        with Session(self.engine) as session, session.begin():
            if session.scalar(select(WsUser.id).where(WsUser.username == username)) is None:
                admin.add_user(session, CredentialKey(self.key_file), username=username, agency_code=agency,
                               system_code=system, password=PASSWORD)
        return self.client(username)

    def clerk(self, municipality: str) -> Client:
        """A zeep client of a municipality (agency TDIMOS-<code>, acting only for municipality <code>)."""
        return self.client(self.account(municipality))

    def ministry(self) -> Client:
        return self.client(self.account())

    def holder(self, key: str) -> FixtureHolder:
        return self.holders[key]


@contextlib.contextmanager
def running_rolls(kind: str, directory: Path) -> Iterator[Rolls]:
    """A provider over the demo dataset plus the 2010 fixture holders, on a database of its own."""
    prepared = prepare_database(kind, directory)
    ensure_demo(prepared.engine, CredentialKey(prepared.key_file), DEMO_PERSONS, DEMO_SEED)
    holders = load(prepared.engine)
    running, server = serve(settings_for(prepared, directory))
    try:
        yield Rolls(replace(running, database=prepared), holders, prepared.key_file)
    finally:
        stop(server, running.app)
        prepared.engine.dispose()
        discard_database(prepared.url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def rolls(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rolls]:
    """The provider the rolls tests share (registered for every test by tests/conftest.py): the
    end-to-end tests, each module with holders of its own, and read-only examples elsewhere."""
    with running_rolls(request.param, tmp_path_factory.mktemp(f"rolls-{request.param}")) as started:
        yield started
