"""Fixtures: a real database (SQLite file and a throwaway PostgreSQL database, each test run
on both), migrated with Alembic, loaded with the reference data and test accreditation, and
the real provider served over HTTP by waitress on an ephemeral loopback port. ``registry``
adds the demo dataset's synthetic registry (see tests/acts_data.py) for the acts tests.

PostgreSQL comes from MITROO_TEST_POSTGRES_URL (default the local server's ``test`` database);
the suite creates its own databases there and drops them. If the server cannot be reached
the PostgreSQL half fails: it is never skipped.

The ``slow`` marker (``scripts/test --quick`` runs the rest): a test that uses one of
SERVER_FIXTURES gets it here; a module whose own fixtures or tests start a server, a process
(the CLIs, gunicorn, nginx, openssl, PHP, Node), a browser or a soak says
``pytestmark = pytest.mark.slow``. A test without the mark that does start one fails, with the
reason: while an unmarked test sets up and runs, listening on a socket and starting a process
are refused (``_refuse_servers_and_processes``), so the quick selection cannot grow slow unseen.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest
import waitress
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import upgrade
from db.reference_data import load_all
from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.server.app import Provider
from provider.settings import Settings
from provider.xml.keys import SignatureAlgorithm, generate_development_key
from tests.acts_data import Registry, seed_demo_registry

# The specialElectoralRolls provider (``rolls``), shared by the rolls end-to-end tests and the docs.
pytest_plugins = ("tests.rolls_fixtures",)

# Fixtures that start a server (waitress in a thread, or a process of its own): every test using
# one, directly or through another fixture, is marked slow.
SERVER_FIXTURES = frozenset({"provider", "unwritable_audit", "rolls", "console"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@contextlib.contextmanager
def _refuse_servers_and_processes(item: pytest.Item) -> Iterator[None]:
    """While a test without the slow mark sets up and runs, starting a process or listening on a
    socket fails it, naming the marker it lacks."""
    if item.get_closest_marker("slow") is not None:
        yield
        return

    def refuse(what: str) -> Callable[..., object]:
        def refused(*args: object, **kwargs: object) -> object:
            pytest.fail(f"{item.nodeid} {what} but is not marked slow: add pytestmark = pytest.mark.slow "
                        "to its module (or @pytest.mark.slow to the test), or use a fixture of "
                        "tests/conftest.py SERVER_FIXTURES")
        return refused

    saved = (subprocess.Popen.__init__, socket.socket.listen, os.system)
    subprocess.Popen.__init__ = refuse("starts a process")  # type: ignore[assignment,method-assign]
    socket.socket.listen = refuse("listens on a socket (starts a server)")  # type: ignore[assignment,method-assign]
    os.system = refuse("starts a process (os.system)")  # type: ignore[assignment]
    try:
        yield
    finally:
        subprocess.Popen.__init__, socket.socket.listen, os.system = saved  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _refuse_servers_and_processes(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _refuse_servers_and_processes(item):
        return (yield)


PG_BASE = os.environ.get("MITROO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct-horse-battery-staple"


@dataclass(frozen=True)
class FixtureUsers:
    """WS users made for the tests (all with PASSWORD)."""

    aade: str = "t-aade"              # AADE/EISPRAXIS, PasswordText and PasswordDigest
    nogrant: str = "t-nogrant"        # agency TNOGRANT without any grant
    locked: str = "t-locked"          # AADE, locked
    production: str = "t-prod"        # AADE, production environment (provider runs test)
    suspended: str = "t-suspended"    # agency TSUSP, suspended
    expired: str = "t-expired"        # agency TEXPIRED, valid_to in the past
    future: str = "t-future"          # agency TFUTURE, valid_from in the future
    quota: str = "t-quota"            # agency TQUOTA, daily quota 2
    auditor: str = "t-auditor"        # YPES-DPO, role auditor (the audit service)
    death: str = "t-death"            # agency TDEATH, granted civilRegistryActs.getDeathAct only


USERS = FixtureUsers()


@dataclass(frozen=True)
class PreparedDatabase:
    kind: str
    url: str
    engine: Engine
    key_file: Path


def _pg_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_pg_database(prefix: str = "mitroo_t") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(_pg_conninfo(PG_BASE), autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {PG_BASE} is unreachable ({exc}). The suite runs on PostgreSQL as well as SQLite; "
            "start the server (.ci/run does) or point MITROO_TEST_POSTGRES_URL at one.",
            pytrace=False,
        )
    return make_url(PG_BASE).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_pg_conninfo(PG_BASE), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_database_url(kind: str, directory: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{directory / f'mitroo-{uuid.uuid4().hex[:8]}.sqlite3'}"
    return create_pg_database()


def discard_database(url: str) -> None:
    if url.startswith("postgresql"):
        drop_pg_database(url)


def _accredit_test_users(engine: Engine, key: CredentialKey) -> None:
    today = dt.date.today()
    with Session(engine) as session, session.begin():
        def agency(code: str, **kwargs: object) -> None:
            admin.add_agency(session, code=code, name=f"Δοκιμαστικός φορέας {code}", legal_basis="test",
                             status=str(kwargs.pop("status", "production")), systems=("SYS",), **kwargs)  # type: ignore[arg-type]
            session.flush()
            if code != "TNOGRANT":
                admin.add_grant(session, code, "registryParameters", (), "δοκιμές", "test act")

        agency("TNOGRANT")
        agency("TSUSP", status="suspended")
        agency("TEXPIRED", valid_from=today - dt.timedelta(days=400), valid_to=today - dt.timedelta(days=1))
        agency("TFUTURE", valid_from=today + dt.timedelta(days=30))
        agency("TQUOTA", daily_quota=2)
        agency("TDEATH")
        session.flush()
        # Like e-EFKA's first grant (ΥΑ 10245/2020, «Ληξιαρχικές Πράξεις θανάτου»): death acts only.
        admin.add_grant(session, "TDEATH", "civilRegistryActs", ("getDeathAct",), "δοκιμές", "test act")
        for username, agency_code, system, extra in (
            (USERS.aade, "AADE", "EISPRAXIS", {"allow_digest": True}),
            (USERS.locked, "AADE", "EISPRAXIS", {}),
            (USERS.production, "AADE", "EISPRAXIS", {"environment": "production"}),
            (USERS.nogrant, "TNOGRANT", "SYS", {}),
            (USERS.suspended, "TSUSP", "SYS", {}),
            (USERS.expired, "TEXPIRED", "SYS", {}),
            (USERS.future, "TFUTURE", "SYS", {}),
            (USERS.quota, "TQUOTA", "SYS", {}),
            (USERS.death, "TDEATH", "SYS", {}),
            (USERS.auditor, "YPES-DPO", "AUDIT", {"roles": ("auditor",)}),
        ):
            admin.add_user(session, key, username=username, agency_code=agency_code, system_code=system,
                           password=PASSWORD, **extra)  # type: ignore[arg-type]
        session.flush()
        admin.set_locked(session, USERS.locked, True)


def prepare_database(kind: str, directory: Path, url: str | None = None) -> PreparedDatabase:
    """A new database of ``kind`` (or the empty one at ``url``), migrated, with reference data and the test users."""
    url = url or new_database_url(kind, directory)
    upgrade(url)
    engine = make_engine(url)
    load_all(engine)
    key_file = directory / f"credential-{kind}.key"
    _accredit_test_users(engine, CredentialKey(key_file))
    return PreparedDatabase(kind, url, engine, key_file)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreparedDatabase]:
    test_db = prepare_database(request.param, tmp_path_factory.mktemp(request.param))
    yield test_db
    test_db.engine.dispose()
    discard_database(test_db.url)


@dataclass(frozen=True)
class Running:
    base_url: str
    app: Provider
    database: PreparedDatabase

    def url(self, service: str = "registryParameters") -> str:
        return f"{self.base_url}/ws/{service}"

    @property
    def engine(self) -> Engine:
        return self.database.engine


def serve(settings: Settings) -> tuple[Running, object]:
    """Start the provider for ``settings`` on an ephemeral loopback port; return it and the server."""
    server = waitress.create_server(lambda environ, start: [], host="127.0.0.1", port=0, threads=4)
    base_url = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[attr-defined]
    app = Provider(replace(settings, public_url=base_url))
    server.application = app  # type: ignore[attr-defined]

    def run() -> None:
        try:
            server.run()  # type: ignore[attr-defined]
        except OSError:  # the socket closed under select() by stop()
            pass

    threading.Thread(target=run, daemon=True).start()
    return Running(base_url, app, None), server  # type: ignore[arg-type]


def stop(server: object, app: Provider) -> None:
    server.close()  # type: ignore[attr-defined]
    app.close()


@dataclass(frozen=True)
class KeyFiles:
    key: Path
    cert: Path


def signing_key_files(algorithm: SignatureAlgorithm = SignatureAlgorithm.RSA_SHA256, name: str = "provider") -> KeyFiles:
    """A development key pair made once per test process (and removed at its exit)."""
    return _key_files(algorithm, name)


@functools.cache
def _key_files(algorithm: SignatureAlgorithm, name: str) -> KeyFiles:
    directory = Path(tempfile.mkdtemp(prefix="mitroo-keys-"))
    atexit.register(shutil.rmtree, directory, True)
    files = KeyFiles(directory / f"{name}-key.pem", directory / f"{name}-cert.pem")
    generate_development_key(files.key, files.cert, algorithm, common_name=f"test {name}")
    return files


def settings_for(test_db: PreparedDatabase, directory: Path, **overrides: object) -> Settings:
    algorithm = SignatureAlgorithm.from_setting(str(overrides.get("signature_algorithm", "rsa-sha256")))
    keys = signing_key_files(algorithm)
    values: dict[str, object] = dict(
        data_dir=directory,
        database_url=test_db.url,
        credential_key_file=test_db.key_file,
        signing_key_file=keys.key,
        signing_cert_file=keys.cert,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def registry(database: PreparedDatabase) -> Registry:
    """The demo dataset's synthetic registry in ``database`` (seeded once per session), plus a namesake."""
    return seed_demo_registry(database.engine)


@pytest.fixture(scope="session")
def provider(database: PreparedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    running, server = serve(settings_for(database, tmp_path_factory.mktemp("provider")))
    running = replace(running, database=database)
    yield running
    stop(server, running.app)


@pytest.fixture()
def unwritable_audit(database: PreparedDatabase, tmp_path: Path) -> Iterator[Running]:
    """A throwaway database, like the real one, whose audit table refuses every INSERT."""
    broken = prepare_database(database.kind, tmp_path)
    with broken.engine.begin() as connection:
        if broken.kind == "postgresql":
            connection.execute(text("REVOKE INSERT ON audit_events FROM PUBLIC"))
            connection.execute(text(
                "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full (simulated by the test)'; END $$"))
            connection.execute(text(
                "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_insert()"))
        else:
            connection.execute(text(
                "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'disk full (simulated by the test)'); END"))
    running, server = serve(settings_for(broken, tmp_path))
    yield running
    stop(server, running.app)
    broken.engine.dispose()
    discard_database(broken.url)
