"""Soak test (run by scripts/soak; issue 10 §4): the provider with several workers under a steady
mixed load over every service for a while, then the books are checked.

Sets up a throwaway demo database (SQLite in a temporary directory, or an empty PostgreSQL database
given with --database-url), starts the workers, sends --rate calls a second for --duration seconds
from --clients threads as raw SOAP envelopes (every service and operation family, plus deliberate
rejections: unknown users, calls without a grant, malformed XML, schema-invalid bodies, replayed
transaction ids), and reports:

- calls made, succeeded, and failed by code; a failure is *expected* when it is the outcome that call
  was built to get (a rejection, or a business outcome such as MP_NOT_FOUND), otherwise unexpected;
- audit rows written against the calls answered, by outcome: each call's callSequenceId must have
  exactly one audit row with the outcome the client saw, and the store must hold no other row;
- each worker's resident memory (VmRSS) after the warm-up and at the end.

Exit status 0 only with zero unexpected outcomes, zero audit mismatches and every worker's memory
growth under --max-growth percent. Workers: ``mitroo-provider serve --workers N`` (gunicorn), as in
production.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests
from bench_acts import ENVELOPE  # scripts/ is on sys.path when this script runs
from lxml import etree
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.engine import make_engine
from db.models import (
    Agency,
    AuditEvent,
    Election,
    Municipality,
    PermitHolder,
    Person,
    ResidencePermit,
    RollApplication,
)
from provider.synthetic.demo import DEMO_USERS

CLI = str(Path(sys.executable).with_name("mitroo-provider"))
USERS = {user.agency: user for user in DEMO_USERS}
BUSINESS = frozenset({"OK", "MP_NOT_FOUND", "MP_AMBIGUOUS", "MP_INVALID_INPUT", "MP_NOT_ELIGIBLE"})


@dataclass(frozen=True)
class Call:
    """One call of the mix: what to send and the outcomes it is built to get."""

    kind: str
    service: str
    operation: str
    user: str
    password: str
    input: str = ""
    expected: frozenset[str] = BUSINESS
    body: bytes | None = None  # sent as is (malformed) instead of the envelope
    transaction_id: str | None = None
    forwarded_for: str | None = None


@dataclass(frozen=True)
class Result:
    kind: str
    code: str
    expected: bool
    call_sequence_id: str | None
    seconds: float


# -- the data the mix names --------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    amkas: list[str]
    holders: list[tuple[str, str, str, int]]  # permit number, surname prefix, firstname prefix, birth year
    election: str
    applications: list[str]
    municipality: str


def load_data(url: str) -> Data:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            amkas = list(session.scalars(select(Person.amka).where(Person.amka.is_not(None)).limit(500)))
            holders = [
                (number, surname[:2], firstname[:2], birthdate.year)
                for number, surname, firstname, birthdate in session.execute(
                    select(ResidencePermit.number, Person.surname_latin, Person.firstname_latin, Person.birthdate)
                    .join(PermitHolder, PermitHolder.person_id == ResidencePermit.holder_id)
                    .join(Person, Person.id == PermitHolder.person_id).limit(300)
                )
            ]
            election = session.scalar(select(Election.code).order_by(Election.election_date.desc()).limit(1)) or "NONE"
            athens = USERS["DIMOS-4501"].agency.removeprefix("DIMOS-")
            municipality_id = session.scalar(select(Municipality.id).where(Municipality.code == athens))
            applications = list(session.scalars(
                select(RollApplication.number).where(RollApplication.municipality_id == municipality_id,
                                                     RollApplication.number.is_not(None)).limit(200)
            ))
            # the soak's own database: no agency of the mix may run out of its daily quota
            session.execute(update(Agency).where(Agency.code.in_(list(USERS))).values(daily_quota=100_000_000))
            session.commit()
    finally:
        engine.dispose()
    return Data(amkas or ["01017012345"], holders, election, applications or ["NONE"], athens)


def mix(data: Data) -> list[tuple[int, str, Call]]:
    """(weight, kind, call template) over every service; valid calls are most of the load. A template's
    "*…" service, operation, user or input is filled in per call (Mix.next)."""
    def call(service: str, operation: str, agency: str, input_xml: str = "", **options: object) -> Call:
        user = USERS[agency]
        return Call("", service, operation, user.username, user.password, input_xml, **options)  # type: ignore[arg-type]

    roll = (f"<a:municipalityCode>{data.municipality}</a:municipalityCode>"
            f"<a:revisionYear>{dt.date.today().year}</a:revisionYear><a:revisionPeriod>1</a:revisionPeriod>")
    rejected = frozenset
    return [
        (8, "getMunicipalities", call("registryParameters", "getMunicipalities", "AADE")),
        (8, "registryParameters small tables", call("registryParameters", "*small", "AADE")),
        (12, "civilRegistryActs get*Act by AMKA", call("civilRegistryActs", "*act", "EFKA", "*person")),
        (6, "searchActs by AMKA", call("civilRegistryActs", "searchActs", "AADE", "*person")),
        (10, "civilStatusCertificates get*Certificate", call("civilStatusCertificates", "*certificate", "EDYTE", "*certificate")),
        (3, "verifyCertificate", call("civilStatusCertificates", "verifyCertificate", "EDYTE",
                                      "<a:certificateNumber>NO-SUCH-CERTIFICATE</a:certificateNumber>")),
        (6, "checkVoterEligibility", call("specialElectoralRolls", "checkVoterEligibility", "DIMOS-4501", "*holder")),
        (4, "getRollApplication", call("specialElectoralRolls", "getRollApplication", "YPES-ELECTIONS", "*application")),
        (2, "getSpecialElectoralRoll", call("specialElectoralRolls", "getSpecialElectoralRoll", "DIMOS-4501", roll)),
        (3, "searchAuditEvents", call("audit", "searchAuditEvents", "YPES-DPO",
                                      "<a:agency>AADE</a:agency><a:maxResults>20</a:maxResults>")),
        (2, "getSubjectAccessReport", call("audit", "getSubjectAccessReport", "YPES-DPO", "*amka")),
        (3, "allowedMethods", call("*any", "allowedMethods", "AADE")),
        (2, "rejected: unknown user", Call("", "registryParameters", "getActTypes", "*nobody", "wrong-password-1234",
                                           expected=rejected({"MP_AUTHENTICATION_FAILED"}))),
        (2, "rejected: no grant", call("civilRegistryActs", "getBirthAct", "EDYTE", "*person",
                                       expected=rejected({"MP_NOT_AUTHORIZED"}))),
        (1, "rejected: malformed XML", call("registryParameters", "getActTypes", "AADE", body=b"<s:Envelope><unclosed>",
                                            expected=rejected({"MP_MALFORMED_REQUEST"}))),
        (1, "rejected: schema-invalid", call("registryParameters", "getMunicipalities", "AADE", "<a:bogus/>",
                                             expected=rejected({"MP_SCHEMA_INVALID"}))),
        (1, "rejected: replayed transaction id", call("registryParameters", "getActTypes", "AADE", transaction_id="*replay",
                                                      expected=rejected({"MP_DUPLICATE_TRANSACTION"}))),
    ]


SMALL = ("getActTypes", "getCountries", "getMemberTypes", "getRegistryOffices")
ACTS = ("getBirthAct", "getDeathAct", "getMarriageAct", "getCivilPartnershipAct")
CERTIFICATES = ("getMaritalStatusCertificate", "getBirthCertificate", "getRegistrationCertificate")
SERVICES = ("registryParameters", "civilRegistryActs", "civilStatusCertificates", "specialElectoralRolls")


class Mix:
    def __init__(self, data: Data, replay_id: str) -> None:
        self.data = data
        self.entries = mix(data)
        self.weights = [weight for weight, _, _ in self.entries]
        self.replay_id = replay_id
        self.counter = 0
        self._lock = threading.Lock()

    def _holder(self) -> str:
        number, surname, firstname, year = random.choice(self.data.holders or [("NONE", "XX", "XX", 1980)])
        return (f"<a:applicant><a:permitNumber>{number}</a:permitNumber><a:surnamePrefix>{surname}</a:surnamePrefix>"
                f"<a:firstnamePrefix>{firstname}</a:firstnamePrefix><a:birthYear>{year}</a:birthYear></a:applicant>"
                f"<a:electionCode>{self.data.election}</a:electionCode>")

    def next(self) -> tuple[Call, bytes, int]:
        _, kind, template = random.choices(self.entries, self.weights)[0]
        with self._lock:
            self.counter += 1
            n = self.counter
        operation = {"*small": random.choice(SMALL), "*act": random.choice(ACTS),
                     "*certificate": random.choice(CERTIFICATES)}.get(template.operation, template.operation)
        service = random.choice(SERVICES) if template.service == "*any" else template.service
        user = f"soak-nobody-{uuid.uuid4().hex[:8]}" if template.user == "*nobody" else template.user
        amka = random.choice(self.data.amkas)
        data_input = {
            "*person": lambda: f"<a:person><c:amka>{amka}</c:amka></a:person>",
            "*certificate": lambda: f"<a:person><c:amka>{amka}</c:amka></a:person><a:purpose>soak</a:purpose>",
            "*holder": self._holder,
            "*application": lambda: f"<a:applicationNumber>{random.choice(self.data.applications)}</a:applicationNumber>",
            "*amka": lambda: f"<a:amka>{amka}</a:amka>",
        }.get(template.input, lambda: template.input)()
        transaction = self.replay_id if template.transaction_id == "*replay" else f"soak-{uuid.uuid4()}"
        body = template.body or ENVELOPE.format(
            service=service, user=user, password=template.password, op=operation, tx=transaction, unit="soak",
            protocol=f"soak {n}",
            now=dt.datetime.now(dt.UTC).isoformat(), input=data_input,
        ).encode("utf-8")
        forwarded = f"203.0.113.{random.randrange(1, 255)}" if template.user == "*nobody" else None
        call = Call(kind, service, operation, user, template.password, expected=template.expected,
                    forwarded_for=forwarded)
        return call, body, n


# -- workers -------------------------------------------------------------------------------------


def rss(pid: int, samples: int = 10, every: float = 0.1) -> int:
    """The worker's resident memory without the transient: the least of ``samples`` readings ``every``
    seconds apart. A password check (Argon2, 64 MiB while it runs, for every unknown user of the mix)
    in flight at one reading would otherwise be read as growth."""
    readings = []
    for i in range(samples):
        if i:
            time.sleep(every)
        match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
        readings.append(int(match.group(1)) * 1024 if match else 0)
    return min(readings)


class Workers:
    """``mitroo-provider serve --workers N``: the arbiter, and its workers that answer the calls."""

    def __init__(self, env: dict[str, str], count: int, threads: int, log_dir: Path) -> None:
        self.mode = f"mitroo-provider serve --workers {count} --threads {threads}"
        log = (log_dir / "provider.log").open("w")
        self.process = subprocess.Popen(
            [CLI, "serve", "--port", "0", "--workers", str(count), "--threads", str(threads)],
            env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            raise SystemExit(f"the provider did not start; see {log.name}")
        self.urls = [match.group(1)]
        deadline = time.monotonic() + 60
        while len(self.pids()) < count:  # each worker builds its application after the fork
            if time.monotonic() > deadline:
                raise SystemExit(f"only {len(self.pids())} of {count} workers started; see {log.name}")
            time.sleep(0.2)

    def pids(self) -> list[int]:
        """The workers: the children of the serve process."""
        pid = self.process.pid
        return sorted(int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


# -- the load --------------------------------------------------------------------------------------


def run_load(urls: list[str], the_mix: Mix, rate: float, duration: float, clients: int) -> tuple[list[Result], float]:
    results: list[Result] = []
    lock = threading.Lock()
    start = time.monotonic()
    slots = iter(range(int(rate * duration)))

    def client() -> None:
        session = requests.Session()
        while True:
            with lock:
                n = next(slots, None)
            if n is None:
                return
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            call, body, _ = the_mix.next()
            headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{call.operation}"'}
            if call.forwarded_for:
                headers["X-Forwarded-For"] = call.forwarded_for
            sent = time.monotonic()
            try:
                response = session.post(f"{random.choice(urls)}/ws/{call.service}", data=body, headers=headers, timeout=60)
                code, call_id = outcome(response.content)
            except requests.RequestException as exc:
                code, call_id = f"no answer ({type(exc).__name__})", None
            result = Result(call.kind, code, code in call.expected, call_id, time.monotonic() - sent)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - start


def outcome(content: bytes) -> tuple[str, str | None]:
    """(errorCode or OK, callSequenceId) of an answer."""
    try:
        root = etree.fromstring(content)
    except etree.XMLSyntaxError:
        return "not XML", None
    texts = {etree.QName(el).localname: el.text for el in root.iter() if isinstance(el.tag, str)}
    if "Fault" in texts and not texts.get("errorCode"):
        return "fault without a code", texts.get("callSequenceId")
    return texts.get("errorCode") or "OK", texts.get("callSequenceId")


# -- the books -------------------------------------------------------------------------------------


def audit_books(url: str, results: list[Result], since: dt.datetime) -> dict[str, object]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = dict(session.execute(
                select(AuditEvent.call_sequence_id, AuditEvent.outcome).where(AuditEvent.server_time >= since)
            ).all())
    finally:
        engine.dispose()
    answered = {r.call_sequence_id: r.code for r in results if r.call_sequence_id}
    missing = [cid for cid in answered if cid not in rows]
    differing = [cid for cid, code in answered.items() if cid in rows and rows[cid] != code]
    extra = [cid for cid in rows if cid not in answered]
    by_outcome_calls = collections.Counter(answered.values())
    by_outcome_rows = collections.Counter(rows.values())
    return {
        "calls answered": len(answered),
        "audit rows": len(rows),
        "audit rows for successful calls": sum(1 for cid, code in answered.items() if code == "OK" and cid in rows),
        "successful calls": by_outcome_calls["OK"],
        "audit rows for rejected calls": sum(1 for cid, code in answered.items() if code != "OK" and cid in rows),
        "rejected calls": len(answered) - by_outcome_calls["OK"],
        "calls without an audit row": len(missing),
        "audit rows with another outcome": len(differing),
        "audit rows of no call": len(extra),
        "rows by outcome equal calls by outcome": by_outcome_calls == by_outcome_rows,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    parser.add_argument("--rate", type=float, default=20, help="calls per second (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="provider worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument("--clients", type=int, default=8, help="client threads sending the load (default 8)")
    parser.add_argument("--persons", type=int, default=2000, help="demo registry size (default 2000)")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database (default: SQLite in a temp dir)")
    parser.add_argument("--warmup", type=float, default=420,
                        help="seconds of the same load before measuring (default 420: a worker's caches and malloc "
                             "arenas fill in its first minutes)")
    parser.add_argument("--max-growth", type=float, default=5.0, help="allowed RSS growth per worker, percent (default 5)")
    parser.add_argument("--sample-every", type=float, default=60, help="seconds between RSS samples in the report (default 60)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, worker logs)")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="mitroo-soak-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
    env.update(MITROO_DATA_DIR=str(directory), MITROO_TRUSTED_PROXIES="127.0.0.1")
    if args.database_url:
        env["MITROO_DATABASE_URL"] = args.database_url
    print(f"preparing the demo database ({args.persons} persons) in {directory} …", flush=True)
    subprocess.run([CLI, "demo", "--persons", str(args.persons)], env=env, check=True, stdout=subprocess.DEVNULL)
    url = args.database_url or f"sqlite:///{directory / 'mitroo.sqlite3'}"
    data = load_data(url)
    workers = Workers(env, args.workers, args.threads, directory)
    try:
        the_mix = Mix(data, f"soak-replay-{uuid.uuid4()}")
        claim = ENVELOPE.format(service="registryParameters", user=USERS["AADE"].username, password=USERS["AADE"].password,
                                op="getActTypes", tx=the_mix.replay_id, unit="soak", protocol="soak 0", input="",
                                now=dt.datetime.now(dt.UTC).isoformat())
        requests.post(f"{workers.urls[0]}/ws/registryParameters", data=claim.encode(), timeout=30,
                      headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})  # the id replays reuse
        print(f"workers: {workers.mode}; warming up for {args.warmup:g} s …", flush=True)
        run_load(workers.urls, the_mix, args.rate, args.warmup, args.clients)
        since = dt.datetime.now(dt.UTC)
        pids = workers.pids()
        rss_start = {pid: rss(pid) for pid in pids}
        print(f"soak: {args.rate:g} calls/s for {args.duration:g} s from {args.clients} clients …", flush=True)
        samples: list[list[float]] = []
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(args.sample_every):
                samples.append([round(rss(pid) / 2**20, 1) for pid in pids])

        threading.Thread(target=sample, daemon=True).start()
        results, elapsed = run_load(workers.urls, the_mix, args.rate, args.duration, args.clients)
        sampling.set()
        rss_end = {pid: rss(pid) for pid in pids}
        alive = workers.process.poll() is None and workers.pids() == pids
    finally:
        workers.stop()
    books = audit_books(url, results, since)
    if not args.keep:
        shutil.rmtree(directory, ignore_errors=True)
    report = summarize(args, workers.mode, results, elapsed, books, rss_start, rss_end, alive)
    report[f"rss MB every {args.sample_every:g} s"] = samples
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0 if report["passed"] else 1


def summarize(args: argparse.Namespace, mode: str, results: list[Result], elapsed: float, books: dict[str, object],
              rss_start: dict[int, int], rss_end: dict[int, int], alive: bool) -> dict[str, object]:
    by_code = collections.Counter(r.code for r in results)
    unexpected = collections.Counter(f"{r.kind}: {r.code}" for r in results if not r.expected)
    latencies = sorted(r.seconds for r in results)
    growth = {str(pid): round(100 * (rss_end[pid] - rss_start[pid]) / rss_start[pid], 1) for pid in rss_start}
    audit_ok = (books["calls without an audit row"] == books["audit rows with another outcome"]
                == books["audit rows of no call"] == 0 and books["calls answered"] == books["audit rows"])
    return {
        "workers": mode,
        "duration s": round(elapsed, 1),
        "calls made": len(results),
        "achieved rate /s": round(len(results) / elapsed, 2) if elapsed else 0,
        "succeeded": by_code["OK"],
        "failed by code": {code: count for code, count in sorted(by_code.items()) if code != "OK"},
        "expected failures": sum(1 for r in results if r.expected and r.code != "OK"),
        "outcomes by kind of call": {
            kind: dict(sorted(collections.Counter(r.code for r in results if r.kind == kind).items()))
            for kind in sorted({r.kind for r in results})
        },
        "unexpected outcomes": dict(unexpected),
        "latency ms p50/p90/p99": [round(1000 * latencies[int(q * (len(latencies) - 1))], 1) for q in (0.5, 0.9, 0.99)]
        if latencies else [],
        "audit": books,
        "rss MB at start": {str(pid): round(value / 2**20, 1) for pid, value in rss_start.items()},
        "rss MB at end": {str(pid): round(value / 2**20, 1) for pid, value in rss_end.items()},
        "rss growth %": growth,
        "workers alive, none restarted": alive,
        "passed": not unexpected and audit_ok and alive and all(g < args.max_growth for g in growth.values()),
    }


if __name__ == "__main__":
    sys.exit(main())
