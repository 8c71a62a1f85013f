"""Providers in processes of their own (``mitroo-provider serve``, as an operator starts it), for the
tests that need several workers on one database, a process to kill, or its resident memory; and
throwaway agencies with one WS user each, so such tests do not share quota or slots."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency
from provider.access import admin
from provider.access.accreditation import Caller
from provider.access.credentials import CredentialKey
from tests.conftest import PASSWORD, PreparedDatabase, signing_key_files

CLI = str(Path(sys.executable).with_name("mitroo-provider"))


@dataclass(frozen=True)
class ProviderProcess:
    base_url: str
    process: subprocess.Popen[str]
    log: Path

    def url(self, service: str = "registryParameters") -> str:
        return f"{self.base_url}/ws/{service}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the serve process's children (it is their arbiter)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


def provider_env(database_url: str, key_file: Path, directory: Path, **settings: str) -> dict[str, str]:
    keys = signing_key_files()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(
        MITROO_DATABASE_URL=database_url,
        MITROO_DATA_DIR=str(directory),
        MITROO_CREDENTIAL_KEY_FILE=str(key_file),
        MITROO_SIGNING_KEY_FILE=str(keys.key),
        MITROO_SIGNING_CERT_FILE=str(keys.cert),
        MITROO_PORT="0",
    )
    env.update(settings)
    return env


@contextmanager
def provider_process(
    database: PreparedDatabase, directory: Path, *, threads: int = 8, workers: int = 1, **settings: str
) -> Iterator[ProviderProcess]:
    """``mitroo-provider serve`` on a free port for ``database``; extra MITROO_* ``settings``."""
    env = provider_env(database.url, database.key_file, directory, **settings)
    with serve_env(env, directory, threads, workers) as served:
        yield served


@contextmanager
def serve_env(env: dict[str, str], directory: Path, threads: int = 8, workers: int = 1) -> Iterator[ProviderProcess]:
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / f"provider-{uuid.uuid4().hex[:6]}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([CLI, "serve", "--workers", str(workers), "--threads", str(threads)], env=env,
                                   stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            banner = process.stdout.readline()  # type: ignore[union-attr]
            match = re.search(r"listening on (https?://\S+)", banner)
            assert match, f"the provider did not start: {banner}{log_path.read_text()}"
            yield ProviderProcess(match.group(1), process, log_path)
        finally:
            if process.poll() is None:
                process.terminate()
            process.wait(timeout=30)
            process.stdout.close()  # type: ignore[union-attr]


def new_agency(database: PreparedDatabase, *, daily_quota: int = 10_000, environment: str = "test") -> str:
    """A fresh production agency granted registryParameters, and its WS user (PASSWORD) of ``environment``;
    returns the username."""
    code = f"T{uuid.uuid4().hex[:8].upper()}"
    username = f"u-{code.lower()}"
    with Session(database.engine) as session, session.begin():
        admin.add_agency(session, code=code, name=f"Δοκιμαστικός φορέας {code}", legal_basis="test",
                         status="production", systems=("SYS",), daily_quota=daily_quota,
                         valid_from=dt.date.today() - dt.timedelta(days=1))
        session.flush()
        admin.add_grant(session, code, "registryParameters", (), "δοκιμές", "test act")
        admin.add_user(session, CredentialKey(database.key_file), username=username, agency_code=code,
                       system_code="SYS", password=PASSWORD, environment=environment)
    return username


def caller_of(database: PreparedDatabase, username: str) -> Caller:
    """The Caller admission makes of ``username``, a WS user of ``new_agency``."""
    code = username.removeprefix("u-").upper()
    with Session(database.engine) as session:
        agency = session.scalars(select(Agency).where(Agency.code == code)).one()
        return Caller(0, username, (), "SYS", agency.id, code, agency.status, agency.valid_from, agency.valid_to,
                      agency.daily_quota)
