"""Benchmark of civilRegistryActs lookups (run by scripts/bench-acts; not part of the test suite).

Seeds a synthetic registry of --persons persons into --database-url, or reuses it when it already
holds exactly that many, then times each way of naming an act, sequentially, over a random sample:
at the domain layer (provider.registry.civil_registry_acts.queries on one session) and over HTTP through the real provider
(``mitroo-provider serve`` in its own process, the whole pipeline: authentication, grants, quota,
audit row committed), and prints p50/p90/p99 per way and the plans PostgreSQL chooses by itself
for one lookup of each way.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.migrate import upgrade
from db.models import ActParty, Agency, CivilAct, Person, RegistryOffice, WsUser
from db.reference_data import load_all
from provider.access import admin
from provider.access.credentials import CredentialKey
from provider.registry.civil_registry_acts import queries as acts
from provider.registry.civil_registry_acts.criteria import ActReference, PersonCriteria, SearchCriteria
from provider.synthetic.registry import seed_registry

SERVER = os.environ.get("MITROO_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
USER, PASSWORD, AGENCY = "bench-acts", "bench-acts-password-2026", "BENCH"
CLI = str(Path(sys.executable).with_name("mitroo-provider"))
OPERATION = {"BIRTH": "getBirthAct", "DEATH": "getDeathAct", "MARRIAGE": "getMarriageAct",
             "PARTNERSHIP": "getCivilPartnershipAct"}
# A SOAP call as raw text (scripts/bench_serve.py and scripts/soak.py use it too).
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="urn:mitroo-politon:{service}:v1"
 xmlns:c="urn:mitroo-politon:common:v1"><s:Header><w:Security
 xmlns:w="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><w:UsernameToken>
<w:Username>{user}</w:Username><w:Password>{password}</w:Password></w:UsernameToken></w:Security></s:Header>
<s:Body><a:{op}><a:auditRecord><c:auditTransactionId>{tx}</c:auditTransactionId>
<c:auditTransactionDate>{now}</c:auditTransactionDate><c:auditUnit>{unit}</c:auditUnit>
<c:auditProtocol>{protocol}</c:auditProtocol><c:auditUserId>{unit}</c:auditUserId><c:auditUserIp>127.0.0.1</c:auditUserIp>
</a:auditRecord><a:{op}InputRecord>{input}</a:{op}InputRecord></a:{op}></s:Body></s:Envelope>"""


def ensure_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    server = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone() is None:
            print(f"creating database {parsed.database}")
            connection.execute(f'CREATE DATABASE "{parsed.database}"')


def ensure_registry(engine: Engine, url: str, persons: int, seed: int) -> None:
    upgrade(url)
    load_all(engine)
    with Session(engine) as session:
        present = session.scalar(select(func.count()).select_from(Person)) or 0
    if present == persons:
        print(f"reusing the registry of {present:,} persons in {make_url(url).database}")
    elif present:
        sys.exit(f"{make_url(url).database} holds {present:,} persons, not {persons:,}: "
                 f"pass --persons {present} or drop the database")
    else:
        print(f"seeding {persons:,} persons (seed {seed}); this takes a few minutes for 1,000,000")
        report = seed_registry(engine, persons=persons, seed=seed)
        print(f"seeded {report.persons:,} persons, {report.acts:,} acts in {report.seconds:.0f} s")
    with Session(engine) as session, session.begin():
        if session.scalar(select(Agency.id).where(Agency.code == AGENCY)) is None:
            admin.add_agency(session, code=AGENCY, name="Benchmark", legal_basis="benchmark only",
                             status="production", daily_quota=1_000_000_000, systems=("BENCH",))
            session.flush()
            admin.add_grant(session, AGENCY, "civilRegistryActs", (), "benchmark", "benchmark only")
        if session.scalar(select(WsUser.id).where(WsUser.username == USER)) is None:
            key = CredentialKey(Path(tempfile.mkdtemp()) / "credential.key")
            admin.add_user(session, key, username=USER, agency_code=AGENCY, system_code="BENCH", password=PASSWORD)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def pick_samples(engine: Engine, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Random acts whose main party has no other act of the type, each with its reference and main party."""
    with Session(engine) as session:
        top = session.scalar(select(func.max(CivilAct.id))) or 0
        chosen: list[dict[str, Any]] = []
        while len(chosen) < count:
            for act, office, person in _main_parties(session, rng.sample(range(1, top + 1), min(count, top))):
                if len(chosen) < count and _only_act(session, person.id, act.act_type):
                    reference = ActReference(office, act.act_number, act.year, act.volume)
                    chosen.append({"type": act.act_type, "reference": reference, "person": person})
        return chosen


def _main_parties(session: Session, ids: list[int]) -> list[Any]:
    rows = session.execute(
        select(CivilAct, RegistryOffice.code, Person, ActParty.role).join(RegistryOffice)
        .join(ActParty, ActParty.act_id == CivilAct.id).join(Person, Person.id == ActParty.person_id)
        .where(CivilAct.id.in_(ids)).order_by(CivilAct.id, ActParty.id)
    ).all()
    main: dict[int, Any] = {}
    for act, office, person, role in rows:
        if role == acts.MAIN_ROLE[act.act_type]:
            main.setdefault(act.id, (act, office, person))
    return list(main.values())


def _only_act(session: Session, person_id: int, act_type: str) -> bool:
    return len(list(session.scalars(acts.person_acts_query([person_id], act_type)))) == 1


# -- the ways of naming an act, at the domain layer and as SOAP input ------------------------------


def by_name(person: Person) -> PersonCriteria:
    return PersonCriteria(surname=person.surname, firstname=person.firstname, fathername=person.fathername,
                          birthdate=person.birthdate)


def person_xml(criteria: PersonCriteria) -> str:
    if criteria.amka:
        return f"<a:person><c:amka>{criteria.amka}</c:amka></a:person>"
    return (f"<a:person><c:surname>{criteria.surname}</c:surname><c:firstname>{criteria.firstname}</c:firstname>"
            f"<c:fathername>{criteria.fathername}</c:fathername><c:birthdate>{criteria.birthdate}</c:birthdate>"
            "</a:person>")


def reference_xml(reference: ActReference) -> str:
    volume = f"<c:volume>{reference.volume}</c:volume>" if reference.volume is not None else ""
    return (f"<a:actReference><c:registryOfficeCode>{reference.registry_office_code}</c:registryOfficeCode>"
            f"<c:actNumber>{reference.act_number}</c:actNumber>{volume}<c:year>{reference.year}</c:year>"
            "</a:actReference>")


Way = tuple[Callable[[Session, dict[str, Any], dt.date], Any], Callable[[dict[str, Any]], tuple[str, str]]]

WAYS: dict[str, Way] = {
    "by reference": (
        lambda s, x, today: acts.get_act(s, x["type"], x["reference"], None, today),
        lambda x: (OPERATION[x["type"]], reference_xml(x["reference"]))),
    "by AMKA": (
        lambda s, x, today: acts.get_act(s, x["type"], None, PersonCriteria(amka=x["person"].amka), today),
        lambda x: (OPERATION[x["type"]], person_xml(PersonCriteria(amka=x["person"].amka)))),
    "by name + birthdate": (
        lambda s, x, today: acts.get_act(s, x["type"], None, by_name(x["person"]), today),
        lambda x: (OPERATION[x["type"]], person_xml(by_name(x["person"])))),
    "searchActs by AMKA": (
        lambda s, x, today: acts.search_acts(s, SearchCriteria(person=PersonCriteria(amka=x["person"].amka)), today),
        lambda x: ("searchActs", person_xml(PersonCriteria(amka=x["person"].amka)))),
    "searchActs by office + year": (
        lambda s, x, today: acts.search_acts(s, _office_year(x), today),
        lambda x: ("searchActs", f"<a:registryOfficeCode>{x['reference'].registry_office_code}</a:registryOfficeCode>"
                                 f"<a:yearFrom>{x['reference'].year}</a:yearFrom>"
                                 f"<a:yearTo>{x['reference'].year}</a:yearTo>")),
}


def _office_year(sample: dict[str, Any]) -> SearchCriteria:
    reference = sample["reference"]
    return SearchCriteria(registry_office_code=reference.registry_office_code, year_from=reference.year,
                          year_to=reference.year)


# -- timing -----------------------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[89] * 1000, cuts[98] * 1000


def time_domain(engine: Engine, samples: list[dict[str, Any]], lookup: Callable[..., Any]) -> list[float]:
    today, spent = dt.date.today(), []
    for sample in samples:
        started = time.perf_counter()
        with Session(engine) as session:
            lookup(session, sample, today)
        spent.append(time.perf_counter() - started)
    return spent


def time_http(url: str, samples: list[dict[str, Any]], soap: Callable[[dict[str, Any]], tuple[str, str]],
              namespace: str = "civilRegistryActs") -> tuple[list[float], int]:
    spent, errors = [], 0
    with requests.Session() as http:
        for sample in samples:
            operation, input_xml = soap(sample)
            body = ENVELOPE.format(service=namespace, user=USER, password=PASSWORD, op=operation, tx=uuid.uuid4(),
                                   input=input_xml, unit="bench", protocol="bench",
                                   now=dt.datetime.now(dt.UTC).isoformat()).encode()
            started = time.perf_counter()
            answer = http.post(url, data=body,
                                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation}"'},
                                timeout=60)
            spent.append(time.perf_counter() - started)
            errors += answer.status_code != 200 or b"errorCode>" in answer.content  # nil errorRecord on success
    return spent, errors


def serve(url: str, data_dir: Path) -> tuple[str, subprocess.Popen[str]]:
    """``mitroo-provider serve`` on a free port, as an operator starts it, after ``demo --persons 0``
    (reference data and demo users; any key the release needs in MITROO_DATA_DIR)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(MITROO_DATABASE_URL=url, MITROO_DATA_DIR=str(data_dir), MITROO_PORT=str(port),
               MITROO_PUBLIC_URL=f"http://127.0.0.1:{port}")
    subprocess.run([CLI, "demo", "--persons", "0"], env=env, check=True, capture_output=True, timeout=600)
    log = data_dir / "serve.log"  # its JSON log lines; the banner comes on standard output
    server = subprocess.Popen([CLI, "serve"], env=env, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
    assert server.stdout is not None
    banner = server.stdout.readline()
    if "listening" not in banner:
        server.kill()
        server.wait()
        sys.exit(f"mitroo-provider serve did not start: {banner}{server.stdout.read()}{log.read_text()[-3000:]}")
    return f"http://127.0.0.1:{port}/ws/civilRegistryActs", server


def stop(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def plans(engine: Engine, sample: dict[str, Any]) -> dict[str, list[str]]:
    """The scans PostgreSQL's planner picks by itself for the statements of one lookup of each way."""
    if engine.dialect.name != "postgresql":
        return {}
    return {name: chosen_scans(engine, lambda session, lookup=lookup: lookup(session, sample, dt.date.today()))
            for name, (lookup, _soap) in WAYS.items()}


def chosen_scans(engine: Engine, run: Callable[[Session], Any]) -> list[str]:
    """The scans PostgreSQL's planner picks by itself for the SELECTs ``run`` executes on a session."""
    statements: list[tuple[str, Any]] = []

    def remember(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with Session(engine) as session:
            run(session)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as connection:
        lines = [row[0] for statement, parameters in statements
                 for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]
    return sorted({line.strip().lstrip("-> ").split("  (")[0] for line in lines if " Scan " in line})


def prepared(description: str, unit: str, suffix: str = "") -> tuple[argparse.Namespace, Engine]:
    """The options every bench takes, and its database: created when missing, migrated, seeded or reused.

    The default database is mitroo_bench_1m<suffix> on MITROO_BENCH_POSTGRES_URL's server
    (mitroo_bench<suffix>_<N> for another size)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url", help=f"default: database mitroo_bench_1m{suffix} (mitroo_bench{suffix}_<N> "
                        "for other sizes) on MITROO_BENCH_POSTGRES_URL's server, created when missing")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=1000, help=f"{unit} per way (default 1000)")
    args = parser.parse_args()
    args.database_url, engine = prepare(args.persons, args.seed, args.database_url, suffix)
    return args, engine


def prepare(persons: int, seed: int, url: str | None = None, suffix: str = "") -> tuple[str, Engine]:
    """The bench database of ``persons`` persons (url, or the default name for the size), made ready."""
    if not url:
        name = f"mitroo_bench_1m{suffix}" if persons == 1_000_000 else f"mitroo_bench{suffix}_{persons}"
        url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    ensure_database(url)
    engine = make_engine(url)
    ensure_registry(engine, url, persons, seed)
    return url, engine


def main() -> None:
    args, engine = prepared(__doc__, "lookups")
    rng = random.Random(args.seed)
    samples = pick_samples(engine, args.samples, rng)
    warmup = samples[: max(1, len(samples) // 20)]
    url, server = serve(args.database_url, Path(tempfile.mkdtemp()))
    print(f"\n{len(samples)} lookups per way, one at a time; times in ms (HTTP: the whole pipeline, audit included)")
    print(f"{'way':<30}{'domain p50':>11}{'p90':>8}{'p99':>8}{'HTTP p50':>11}{'p90':>8}{'p99':>8}{'errors':>8}")
    try:
        for name, (lookup, soap) in WAYS.items():
            time_domain(engine, warmup, lookup)
            time_http(url, warmup, soap)
            domain = percentiles(time_domain(engine, samples, lookup))
            spent, errors = time_http(url, samples, soap)
            http = percentiles(spent)
            print(f"{name:<30}{domain[0]:>11.1f}{domain[1]:>8.1f}{domain[2]:>8.1f}"
                  f"{http[0]:>11.1f}{http[1]:>8.1f}{http[2]:>8.1f}{errors:>8}")
        for name, scans in plans(engine, samples[0]).items():
            print(f"\nplan {name}:\n  " + "\n  ".join(scans))
    finally:
        stop(server)
        engine.dispose()


if __name__ == "__main__":
    main()
