"""The operator CLI, run as the real ``mitroo-provider`` console script in a subprocess against
a fresh database (SQLite and PostgreSQL): migrations, agencies, grants and WS users. Failures
must be one clear line on stderr with a non-zero exit code, never a traceback."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import make_engine, make_sessionmaker
from db.migrate import head_revision
from db.models import WsUser
from provider.access.accreditation import Authenticator
from provider.access.credentials import CredentialKey, verify_password
from provider.catalogue import CATALOGUE
from provider.errors import ErrorCode, MitrooError
from provider.xml.wssecurity import UsernameToken
from tests.conftest import discard_database, new_database_url

pytestmark = pytest.mark.slow  # the CLI in processes

SCRIPT = Path(sys.executable).with_name("mitroo-provider")
SEED_AGENCIES = Path(__file__).parents[2] / "db" / "data" / "accreditation.json"
OLD_PASSWORD = "cli-first-password-2026"
NEW_PASSWORD = "cli-second-password-2026"


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def base_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env["PYTHONUTF8"] = "1"
    env.update(settings)
    return env


@dataclass
class Cli:
    kind: str
    url: str
    data_dir: Path
    log: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return base_env(MITROO_DATABASE_URL=self.url, MITROO_DATA_DIR=str(self.data_dir))

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = run(self.env, *args, stdin=stdin)
        assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def fails(self, *args: str, stdin: str | None = None, exit_code: int = 1) -> str:
        """Run a command that must fail cleanly; return its stderr."""
        result = run(self.env, *args, stdin=stdin)
        assert result.returncode == exit_code, f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(("Error: ", "Usage: ")), result.stderr
        return result.stderr

    def agencies(self) -> dict[str, str]:
        """`agency list` as code -> the whole line."""
        return {line.split()[0]: line for line in self.ok("agency", "list").splitlines()}

    def statuses(self) -> dict[str, str]:
        return {code: line.split()[1] for code, line in self.agencies().items()}

    def grants(self, agency: str) -> set[tuple[str, str, str]]:
        return {tuple(line.split()[:3]) for line in self.ok("grant", "list", "--agency", agency).splitlines()}  # type: ignore[misc]

    def users(self, agency: str | None = None) -> dict[str, list[str]]:
        """`user list` as username -> [agency, system, environment, flags, (roles)]."""
        args = ("--agency", agency) if agency else ()
        return {line.split()[0]: line.split()[1:] for line in self.ok("user", "list", *args).splitlines()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cli(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    directory = tmp_path_factory.mktemp(f"cli-{request.param}")
    url = new_database_url(request.param, directory)
    try:
        tool = Cli(request.param, url, directory / "data")
        tool.log["upgrade"] = tool.ok("db", "upgrade")
        tool.log["current after"] = tool.ok("db", "current")
        tool.log["demo"] = tool.ok("demo", "--persons", "0")
        yield tool
    finally:
        discard_database(url)


def new_code() -> str:
    return f"T{uuid.uuid4().hex[:8].upper()}"


def new_username() -> str:
    return f"cli-{uuid.uuid4().hex}"


def test_db_upgrade_brings_the_database_to_head(cli: Cli) -> None:
    head = head_revision()
    assert head
    assert cli.log["upgrade"].strip() == "database at head"
    assert cli.log["current after"].strip() == f"current: {head}  head: {head}"
    assert "demo-aade-eispraxis" in cli.log["demo"] and "AADE/EISPRAXIS" in cli.log["demo"]


def test_agency_list_shows_the_seed_agencies(cli: Cli) -> None:
    seed = {item["code"]: item for item in json.loads(SEED_AGENCIES.read_text(encoding="utf-8"))["agencies"]}
    # seed 001, the elections directorate, the DPO, the Ministry's site and its migration directorate (issue 23)
    assert len([a for a in seed.values() if not a.get("municipality_code")]) == 20
    listed = cli.agencies()
    assert "Δήμος 4501" in listed["DIMOS-4501"] and "Δήμος" not in listed["AADE"].split("Ανεξάρτητη")[0]
    assert set(seed) <= set(listed)
    for code, item in seed.items():
        assert listed[code].split()[1] == item["status"]
    assert listed["AADE"].split()[1] == "production" and "EISPRAXIS" in listed["AADE"]
    assert "ORION" in listed["EFKA"]
    assert "2020-05-08..-" in listed["EDYTE"] and "EDYTE-MAIN" in listed["EDYTE"]
    assert "Ανεξάρτητη Αρχή Δημοσίων Εσόδων" in listed["AADE"]


def test_agency_add_suspend_and_activate(cli: Cli) -> None:
    code = new_code()
    out = cli.ok(
        "agency", "add", code, "--name", "Δοκιμαστικός φορέας", "--legal-basis", "ΦΕΚ Β΄ 1/2026",
        "--valid-from", "2025-01-01", "--valid-to", "2030-12-31", "--daily-quota", "500",
        "--system", "SYS1", "--system", "SYS2",
    )
    assert out.strip() == f"agency {code} added (pilot)"
    line = cli.agencies()[code]
    assert line.split()[1] == "pilot"
    assert "2025-01-01..2030-12-31" in line and "quota 500" in line and "SYS1,SYS2" in line
    assert line.endswith("Δοκιμαστικός φορέας")

    assert "suspended" in cli.ok("agency", "suspend", code)
    assert cli.statuses()[code] == "suspended"
    assert cli.ok("agency", "activate", code).strip() == f"agency {code} is production"
    statuses = cli.statuses()
    assert statuses[code] == "production"
    assert statuses["AADE"] == "production"  # nothing else touched

    error = cli.fails("agency", "add", "AADE", "--name", "x", "--legal-basis", "y")
    assert "agency 'AADE' already exists" in error


def test_grant_list_of_edyte_shows_certificates_and_parameters_only(cli: Cli) -> None:
    out = cli.ok("grant", "list", "--agency", "EDYTE")
    grants = {tuple(line.split()[:3]) for line in out.splitlines()}
    assert {agency for agency, _, _ in grants} == {"EDYTE"}
    assert {service for _, service, _ in grants} == {"civilStatusCertificates", "registryParameters"}
    assert {(service, op) for _, service, op in grants} >= {
        ("registryParameters", op) for op in CATALOGUE["registryParameters"]
    }
    assert all(op in CATALOGUE[service] for _, service, op in grants)
    assert "civilRegistryActs" not in out


def test_grant_add_and_revoke(cli: Cli) -> None:
    code = new_code()
    cli.ok("agency", "add", code, "--name", "Φορέας χορηγήσεων", "--legal-basis", "ΦΕΚ", "--system", "SYS")
    act = ("--purpose", "Έλεγχος", "--legal-act", "ΥΑ 1/2026")
    out = cli.ok("grant", "add", code, "civilRegistryActs", "getBirthAct", "getDeathAct", *act)
    assert out.strip() == f"granted to {code}: getBirthAct, getDeathAct"
    out = cli.ok("grant", "add", code, "registryParameters", *act)
    assert out.strip() == f"granted to {code}: {', '.join(CATALOGUE['registryParameters'])}"
    assert cli.grants(code) == {(code, "civilRegistryActs", "getBirthAct"), (code, "civilRegistryActs", "getDeathAct")} | {
        (code, "registryParameters", op) for op in CATALOGUE["registryParameters"]
    }

    error = cli.fails("grant", "add", code, "civilRegistryActs", "getPassport", *act)
    assert "unknown operation 'getPassport' of civilRegistryActs; known: getBirthAct" in error

    assert cli.ok("grant", "revoke", code, "civilRegistryActs", "getDeathAct").strip() == f"revoked from {code}: getDeathAct"
    out = cli.ok("grant", "revoke", code, "registryParameters")
    assert set(out.strip().split(": ", 1)[1].split(", ")) == set(CATALOGUE["registryParameters"])
    assert cli.grants(code) == {(code, "civilRegistryActs", "getBirthAct")}


def test_user_add_reads_the_password_from_stdin(cli: Cli) -> None:
    username = new_username()
    out = cli.ok("user", "add", username, "--agency", "AADE", "--system", "EISPRAXIS", "--allow-digest",
                 "--role", "auditor", "--password-stdin", stdin=f"{OLD_PASSWORD}\n")
    assert out.strip() == f"user {username} added to AADE/EISPRAXIS (test)"
    out = cli.ok("user", "list", "--agency", "AADE")
    users = {line.split()[0]: line.split()[1:] for line in out.splitlines()}
    assert users[username] == ["AADE", "EISPRAXIS", "test", "digest", "auditor"]
    assert "demo-aade-eispraxis" in users and "demo-efka-orion" not in users
    assert OLD_PASSWORD not in out  # never shown

    with Session(engine := make_engine(cli.url)) as session:
        user = session.scalar(select(WsUser).where(WsUser.username == username))
        assert user is not None and user.digest_secret is not None
        assert verify_password(user.password_hash, OLD_PASSWORD)
        assert CredentialKey(cli.data_dir / "credential.key").decrypt(user.digest_secret) == OLD_PASSWORD
    engine.dispose()


def test_user_add_refusals(cli: Cli) -> None:
    username = new_username()
    add = ("user", "add", username, "--agency", "AADE", "--system", "EISPRAXIS")
    error = cli.fails(*add, "--password-stdin", stdin="short\n")
    assert "the password must be at least 12 characters" in error
    error = cli.fails(*add, "--password", OLD_PASSWORD, exit_code=2)
    assert "No such option '--password'" in error
    error = cli.fails("user", "add", "demo-edyte", "--agency", "EDYTE", "--system", "EDYTE-MAIN", "--password-stdin",
                      stdin=f"{OLD_PASSWORD}\n")
    assert "WS user 'demo-edyte' already exists" in error


def test_user_lock_unlock_and_set_password(cli: Cli) -> None:
    username = new_username()
    cli.ok("user", "add", username, "--agency", "EFKA", "--system", "ORION", "--allow-digest", "--password-stdin",
           stdin=f"{OLD_PASSWORD}\n")
    engine = make_engine(cli.url)
    try:
        auth = Authenticator(make_sessionmaker(engine), environment="test",
                             credential_key=CredentialKey(cli.data_dir / "credential.key"),
                             cache_seconds=60, digest_max_age_seconds=300)

        def authenticate(password: str) -> ErrorCode | None:
            try:
                auth.authenticate(UsernameToken(username, password, digest=False), dt.datetime.now(dt.UTC), "127.0.0.1")
            except MitrooError as exc:
                return exc.code
            return None

        assert authenticate(OLD_PASSWORD) is None  # now cached

        assert cli.ok("user", "lock", username).strip() == f"user {username} locked"
        assert cli.users("EFKA")[username][3] == "locked,digest"
        assert authenticate(OLD_PASSWORD) is ErrorCode.MP_AUTHENTICATION_FAILED

        assert cli.ok("user", "unlock", username).strip() == f"user {username} unlocked"
        assert authenticate(OLD_PASSWORD) is None

        out = cli.ok("user", "set-password", username, "--password-stdin", stdin=f"{NEW_PASSWORD}\n")
        assert "the old one stops working now" in out
        assert cli.users("EFKA")[username][3] == "digest"
        with Session(engine) as session:
            user = session.scalar(select(WsUser).where(WsUser.username == username))
            assert user is not None and user.digest_secret is not None
            assert verify_password(user.password_hash, NEW_PASSWORD)
            assert not verify_password(user.password_hash, OLD_PASSWORD)
            assert CredentialKey(cli.data_dir / "credential.key").decrypt(user.digest_secret) == NEW_PASSWORD
        assert authenticate(OLD_PASSWORD) is ErrorCode.MP_AUTHENTICATION_FAILED
        assert authenticate(NEW_PASSWORD) is None
    finally:
        engine.dispose()



def test_user_bind_cert_and_unbind_cert(cli: Cli, tmp_path: Path) -> None:
    from provider.xml.keys import sha256_hex
    from tests.tls_certs import TestCA

    issued = TestCA(tmp_path).issue("agency-system")
    username = new_username()
    cli.ok("user", "add", username, "--agency", "EFKA", "--system", "ORION", "--password-stdin", stdin=f"{OLD_PASSWORD}\n")

    def bound() -> str | None:
        with Session(engine := make_engine(cli.url)) as session:
            value = session.scalar(select(WsUser.client_cert_sha256).where(WsUser.username == username))
        engine.dispose()
        return value

    sha256 = sha256_hex(issued.certificate)
    assert sha256 in cli.ok("user", "bind-cert", username, "--cert", str(issued.cert))
    assert bound() == sha256 and cli.users("EFKA")[username][3] == "cert"
    assert cli.ok("user", "unbind-cert", username).strip() == f"user {username} is no longer bound to a client certificate"
    assert bound() is None and cli.users("EFKA")[username][3] == "-"
    colons = ":".join(sha256[i:i + 2] for i in range(0, 64, 2)).upper()
    cli.ok("user", "bind-cert", username, "--sha256", colons)
    assert bound() == sha256

    assert "64 hex digits" in cli.fails("user", "bind-cert", username, "--sha256", "abc")
    assert "is not a PEM certificate" in cli.fails("user", "bind-cert", username, "--cert", str(issued.key), exit_code=2)
    assert "exactly one of --cert FILE or --sha256 HEX" in cli.fails("user", "bind-cert", username, exit_code=2)
    assert "no WS user 'nobody-here'" in cli.fails("user", "bind-cert", "nobody-here", "--sha256", sha256)
    assert bound() == sha256


def test_a_bad_setting_stops_the_cli_with_a_clear_message(tmp_path: Path) -> None:
    env = base_env(
        MITROO_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        MITROO_DATA_DIR=str(tmp_path),
        MITROO_PORT="abc",
        MITROO_ENVIRONMENT="staging",
    )
    result = run(env, "db", "current")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "MITROO_PORT='abc': must be a whole number" in result.stderr
    assert "MITROO_ENVIRONMENT='staging'" in result.stderr
    assert result.stdout == ""
