"""The production-serving benchmark (run by scripts/bench; not part of the test suite).

It starts ``mitroo-provider serve --workers N`` on a PostgreSQL registry of 1,000,000 persons (the
database of scripts/bench-certificates, ``mitroo_bench_1m_certs``, seeded on first use and reused
afterwards) and drives it with wrk over keep-alive connections, from a Lua script that rotates
through pre-built valid envelopes and gives every request a unique auditTransactionId (the replay
guard refuses a reused one) and the current auditTransactionDate. Workload mix: 60% getBirthAct by
reference, 20% getMaritalStatusCertificate by AMKA, 10% searchActs by AMKA, 10% registryParameters
(getMunicipalities of a region).

Side by side, at each number of connections: the full pipeline (validated, authenticated, audited,
signed); the same with signing off (MITROO_BENCH_UNSIGNED); an echo operation through the same
server and spyne without database, audit or signature (MITROO_BENCH_ECHO, the framework's ceiling);
and the raw RSA-2048 sign rate of this machine. Errors are non-200 answers, errorRecords and wrk's
socket errors and timeouts. After each run it counts the audit events written with outcome OK and
compares them with the calls the server answered OK (its /metrics) and with the successes wrk saw.
Then the data scale: the same registry lookups at the domain layer on 10,000 and on 1,000,000
persons. It prints a table and writes it, with every figure as JSON, under --out.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bench_acts
import bench_certificates
import requests
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from db.models import ActParty, AuditEvent, CivilAct, Grant, Municipality, Person, RegistryOffice
from provider.access import admin
from provider.registry.civil_registry_acts import queries as acts
from provider.registry.civil_registry_acts.criteria import PersonCriteria

CLI = bench_acts.CLI
SUFFIX = "_certs"  # the database scripts/bench-certificates seeds: it has the families' histories
LEVELS = (8, 32, 64)
MIX = {"getBirthAct": 60, "getMaritalStatusCertificate": 20, "searchActs": 10, "getMunicipalities": 10}
MODES = {
    "full": ("full pipeline (signed, audited)", {}),
    "unsigned": ("signing off", {"MITROO_BENCH_UNSIGNED": "1"}),
    "echo": ("echo (server + spyne only)", {"MITROO_BENCH_ECHO": "1"}),
}
TX, NOW = "\x00TX\x00", "\x00NOW\x00"  # where the Lua script writes the transaction id and the date
ECHO = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:e="urn:mitroo-politon:benchEcho:v1"><s:Body><e:echo><e:text>' + TX + "</e:text></e:echo></s:Body>"
        "</s:Envelope>")
LUA = Path(__file__).with_name("bench.lua")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs (8 s per level) and a smaller scale sample")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2, one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread",
                        help="gunicorn worker class (default gthread; sync has no keep-alive)")
    parser.add_argument("--front", action="store_true", help="serve through the nginx front (MITROO_FRONT=nginx)")
    parser.add_argument("--connections", default=",".join(map(str, LEVELS)), help="comma-separated levels")
    parser.add_argument("--duration", type=int, default=None, help="seconds per level (default 30, --quick 8)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1: the generator shares the machine)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--scale-persons", type=int, default=10_000, help="the small registry of the data-scale check (0: skip)")
    parser.add_argument("--database-url", help="default: mitroo_bench_1m_certs on MITROO_BENCH_POSTGRES_URL's server")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--envelopes", type=int, default=4000, help="distinct pre-built envelopes the generator rotates through")
    parser.add_argument("--out", type=Path, default=Path("bench-results"), help="where the JSON and the table go")
    args = parser.parse_args()
    args.duration = args.duration or (8 if args.quick else 30)
    args.levels = [int(level) for level in args.connections.split(",")]
    args.modes = [mode.strip() for mode in args.modes.split(",")]
    unknown = [mode for mode in args.modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    return args


def ensure_wrk() -> str:
    """wrk from Debian's package, installed when missing (as root, with apt-get)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("the load generator wrk is missing: sudo apt-get install wrk")
    print("installing wrk (Debian package)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=environment, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("apt-get did not install wrk")


# -- the requests -------------------------------------------------------------------------------


def grant_everything(engine: Engine) -> None:
    bench_certificates.grant(engine)
    with Session(engine) as session, session.begin():
        granted = select(Grant.id).where(Grant.service == "registryParameters", Grant.agency.has(code=bench_acts.AGENCY))
        if session.scalar(granted) is None:
            admin.add_grant(session, bench_acts.AGENCY, "registryParameters", (), "benchmark", "benchmark only")


def envelope(service: str, operation: str, input_xml: str) -> str:
    body = bench_acts.ENVELOPE.format(service=service, user=bench_acts.USER, password=bench_acts.PASSWORD,
                                      op=operation, tx="{tx}", now="{now}", input=input_xml, unit="bench",
                                      protocol="bench")
    return body.replace("{tx}", TX).replace("{now}", NOW)


def birth_acts(engine: Engine, count: int, rng: random.Random) -> list[tuple[Any, Person]]:
    """Random birth acts with the person they are about (who has an AMKA)."""
    chosen: list[tuple[Any, Person]] = []
    with Session(engine) as session:
        top = session.scalar(select(func.max(CivilAct.id))) or 0
        while len(chosen) < count:
            rows = session.execute(
                select(CivilAct, RegistryOffice.code, Person).join(RegistryOffice)
                .join(ActParty, ActParty.act_id == CivilAct.id).join(Person, Person.id == ActParty.person_id)
                .where(CivilAct.id.in_(rng.sample(range(1, top + 1), min(4 * count, top))),
                       CivilAct.act_type == "BIRTH", ActParty.role == acts.MAIN_ROLE["BIRTH"],
                       CivilAct.status != "annulled", Person.amka.is_not(None))
            ).all()
            seen = {act.id for act, _ in chosen}
            for act, office, person in rows:
                if act.id not in seen and len(chosen) < count:
                    seen.add(act.id)
                    chosen.append((bench_acts.ActReference(office, act.act_number, act.year, act.volume), person))
    return chosen


def workload(engine: Engine, total: int, rng: random.Random) -> list[tuple[str, str]]:
    """``total`` (path, envelope) pairs in the mix's proportions, shuffled."""
    counts = {operation: total * share // 100 for operation, share in MIX.items()}
    births = birth_acts(engine, counts["getBirthAct"] + counts["searchActs"], rng)
    certificates = bench_certificates.pick_samples(engine, counts["getMaritalStatusCertificate"], rng)
    with Session(engine) as session:
        regions = sorted(set(session.scalars(select(Municipality.region_code))))
    work: list[tuple[str, str]] = []
    for reference, _person in births[: counts["getBirthAct"]]:
        work.append(("/ws/civilRegistryActs",
                     envelope("civilRegistryActs", "getBirthAct", bench_acts.reference_xml(reference))))
    for _reference, person in births[counts["getBirthAct"]:]:
        work.append(("/ws/civilRegistryActs",
                     envelope("civilRegistryActs", "searchActs", bench_acts.person_xml(PersonCriteria(amka=person.amka)))))
    for sample in certificates:
        request = bench_certificates.CertificateRequest(bench_certificates.PURPOSE, person=PersonCriteria(amka=sample["amka"]))
        work.append(("/ws/civilStatusCertificates",
                     envelope("civilStatusCertificates", "getMaritalStatusCertificate", bench_certificates._xml(request))))
    for index in range(counts["getMunicipalities"]):
        region = regions[index % len(regions)]
        work.append(("/ws/registryParameters",
                     envelope("registryParameters", "getMunicipalities", f"<a:regionCode>{region}</a:regionCode>")))
    rng.shuffle(work)
    return work


def lua_data(work: list[tuple[str, str]], target: Path) -> None:
    """The requests as a Lua table: {path, text before the transaction id, between it and the date, after}."""
    lines = ["requests = {"]
    for path, body in work:
        head, rest = body.split(TX)
        middle, tail = rest.split(NOW) if NOW in rest else (rest, "")
        parts = [path, head, middle, tail]
        assert not any("]==]" in part for part in parts)
        lines.append("{" + ",".join(f"[==[{part}]==]" for part in parts) + ("" if NOW in rest else ",true") + "},")
    lines.append("}")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    log: Path

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)  # graceful: calls in flight finish
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def _children(self, parent: int) -> list[tuple[Path, list[str]]]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == parent:
                found.append((stat.parent, fields))
        return found

    def workers(self) -> list[tuple[Path, list[str]]]:
        """Each gunicorn worker's /proc directory and its stat fields (after the command name). Through the
        front, serve's children are nginx and the gunicorn master, whose children the workers are."""
        children = self._children(self.process.pid)
        arbiter = [int(d.name) for d, _ in children if b"provider.cli" in (d / "cmdline").read_bytes()]
        return self._children(arbiter[0]) if arbiter else children

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for directory, _fields in self.workers():
            status = (directory / "status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
        return sorted(sizes)

    def worker_cpu_seconds(self) -> float:
        """User + system CPU time of all workers so far (a per-call cost that contention does not inflate much)."""
        ticks = os.sysconf("SC_CLK_TCK")
        return sum(int(fields[11]) + int(fields[12]) for _directory, fields in self.workers()) / ticks

    @staticmethod
    def database_cpu_seconds() -> float:
        """User + system CPU time of the local PostgreSQL server's processes so far (0 for SQLite, which runs
        inside the workers): the other half of a call's cost on a machine the database shares."""
        ticks, total = os.sysconf("SC_CLK_TCK"), 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                name, rest = stat.read_text().split(" (", 1)[1].rsplit(")", 1)
            except (OSError, IndexError, ValueError):
                continue
            if name == "postgres":
                fields = rest.split()
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def metric(self, prefix: str, *labels: str) -> float:
        """The sum of a metric's samples over every worker (its /metrics)."""
        metrics = requests.get(f"{self.base_url}/metrics", timeout=30).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith(prefix) and all(label in line for label in labels))

    def calls_ok(self) -> int:
        """Calls the server answered OK."""
        return int(self.metric("mitroo_calls_total{", 'outcome="OK"'))

    def settle(self, timeout: float = 120) -> None:
        """Wait until the calls still in flight when wrk stopped are finished (and audited): no database
        connection checked out and the count of answered calls unchanged, twice in a row."""
        deadline, quiet, last = time.monotonic() + timeout, 0, -1.0
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
            answered = self.metric("mitroo_calls_total{")
            busy = self.metric("mitroo_db_pool_connections{", 'state="checked_out"')
            quiet = quiet + 1 if busy == 0 and answered == last else 0
            last = answered


def start(url: str, data_dir: Path, args: argparse.Namespace, extra: dict[str, str]) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(MITROO_DATABASE_URL=url, MITROO_DATA_DIR=str(data_dir), MITROO_DB_POOL_SIZE=str(args.threads + 1),
               MITROO_DB_MAX_OVERFLOW="2", **extra)
    if args.front:
        env["MITROO_FRONT"] = "nginx"
    log = data_dir / f"serve-{len(list(data_dir.glob('serve-*.log')))}.log"
    process = subprocess.Popen(
        [CLI, "serve", "--port", "0", "--workers", str(args.workers), "--threads", str(args.threads),
         "--worker-class", args.worker_class],
        env=env, stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
    assert process.stdout is not None
    banner = process.stdout.readline()
    found = re.search(r"listening on (http://\S+)", banner)
    if not found:
        process.kill()
        sys.exit(f"mitroo-provider serve did not start: {banner}\n{log.read_text()[-3000:]}")
    server = Server(process, found.group(1), log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # every worker up: /health answers (it is served by any of them)
        try:
            if requests.get(f"{server.base_url}/health", timeout=5).status_code == 200 and \
                    len(server.worker_rss_mb()) == args.workers:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.stop()
    sys.exit(f"the provider did not become healthy: {log.read_text()[-3000:]}")


# -- driving it ----------------------------------------------------------------------------------


def run_wrk(wrk: str, server: Server, connections: int, seconds: int, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:12]
    command = [wrk, "-t", str(min(args.wrk_threads, connections)), "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "10s", "--latency", "-s", str(LUA), server.base_url, "--", str(data), run_id]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    line = next((line for line in finished.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if finished.returncode != 0 or line is None:
        sys.exit(f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}")
    figures = json.loads(line.split(" ", 1)[1])
    socket_errors = sum(figures[key] for key in ("connect", "read", "write", "timeout"))
    figures["errors"] = figures["non200"] + figures["error_records"] + socket_errors
    figures["successes"] = figures["requests"] - figures["non200"] - figures["error_records"]
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def audit_mark(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0


def audit_ok_since(engine: Engine, mark: int) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(select(AuditEvent.outcome, func.count()).where(AuditEvent.id > mark)
                               .group_by(AuditEvent.outcome)).all()
    return {outcome: count for outcome, count in rows}


def measure_mode(mode: str, wrk: str, url: str, engine: Engine, data_dir: Path, args: argparse.Namespace,
                 data: Path) -> dict[str, Any]:
    title, extra = MODES[mode]
    server = start(url, data_dir, args, extra)
    front = " behind the nginx front" if args.front else ""
    print(f"\n{title}: {args.workers} {args.worker_class} workers x {args.threads} threads{front} at {server.base_url}")
    levels: dict[str, Any] = {}
    try:
        run_wrk(wrk, server, 16, max(3, args.duration // 4), data, args)  # warm-up: pools, caches, imports
        server.settle()
        for connections in args.levels:
            mark, answered_before = audit_mark(engine), server.calls_ok()
            cpu_before, database_before = server.worker_cpu_seconds(), server.database_cpu_seconds()
            figures = run_wrk(wrk, server, connections, args.duration, data, args)
            server.settle()  # calls still in flight when wrk stopped finish (and are audited)
            calls = max(1, figures["requests"])
            figures["worker_cpu_ms_per_call"] = (server.worker_cpu_seconds() - cpu_before) * 1000 / calls
            figures["database_cpu_ms_per_call"] = (server.database_cpu_seconds() - database_before) * 1000 / calls
            figures["audit_ok_rows"] = audit_ok_since(engine, mark).get("OK", 0)
            figures["server_ok_calls"] = server.calls_ok() - answered_before
            if mode == "echo":
                figures["audit_matches"] = figures["audit_ok_rows"] == 0
            else:
                figures["audit_matches"] = (figures["audit_ok_rows"] == figures["server_ok_calls"]
                                            and figures["successes"] <= figures["audit_ok_rows"])
            levels[str(connections)] = figures
            print(f"  {connections:>3} connections: {figures['rps']:8.1f}/s  p50 {figures['p50'] / 1000:6.1f} ms  "
                  f"p95 {figures['p95'] / 1000:6.1f}  p99 {figures['p99'] / 1000:6.1f}  max {figures['max'] / 1000:7.1f}  "
                  f"errors {figures['errors']}  worker CPU {figures['worker_cpu_ms_per_call']:.2f} ms/call  "
                  f"PostgreSQL CPU {figures['database_cpu_ms_per_call']:.2f} ms/call  "
                  f"audit OK rows {figures['audit_ok_rows']} / answered OK "
                  f"{figures['server_ok_calls']} / seen OK by wrk {figures['successes']}")
        rss = server.worker_rss_mb()
    finally:
        exit_code = server.stop()
    return {"title": title, "levels": levels, "worker_rss_mb": rss, "exit_code": exit_code}


def raw_sign_rate(data_dir: Path, seconds: float = 3.0) -> float:
    """RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second on one core (the signing floor)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

    from provider.xml.keys import KeySource, SignatureAlgorithm, load_signing_key

    key = load_signing_key(KeySource(data_dir / "signing-key.pem", data_dir / "signing-cert.pem",
                                     algorithm=SignatureAlgorithm.RSA_SHA256)).private_key
    signed_info = b"x" * 600  # about a canonical SignedInfo
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        key.sign(signed_info, PKCS1v15(), hashes.SHA256())  # type: ignore[attr-defined]
        count += 1
    return count / (time.perf_counter() - started)


# -- data scale -----------------------------------------------------------------------------------

SCALE_WAYS = ("by reference", "by AMKA", "searchActs by AMKA")


def data_scale(args: argparse.Namespace, large: Engine) -> dict[str, Any]:
    """p50/p90 of the same registry lookups (domain layer, one at a time) on the small and the large registry."""
    samples = 200 if args.quick else 1000
    _url, small = bench_acts.prepare(args.scale_persons, args.seed, None, SUFFIX)
    result: dict[str, Any] = {"samples": samples, "small_persons": args.scale_persons, "large_persons": args.persons, "ways": {}}
    try:
        chosen = {name: bench_acts.pick_samples(engine, samples, random.Random(args.seed))
                  for name, engine in (("small", small), ("large", large))}
        for way in SCALE_WAYS:
            lookup = bench_acts.WAYS[way][0]
            figures = {}
            for name, engine in (("small", small), ("large", large)):
                bench_acts.time_domain(engine, chosen[name][: samples // 10], lookup)  # warm-up
                p50, p90, p99 = bench_acts.percentiles(bench_acts.time_domain(engine, chosen[name], lookup))
                figures[name] = {"p50_ms": p50, "p90_ms": p90, "p99_ms": p99}
            figures["ratio_p50"] = figures["large"]["p50_ms"] / figures["small"]["p50_ms"]
            result["ways"][way] = figures
            print(f"  {way:<22} {args.scale_persons:,} persons p50 {figures['small']['p50_ms']:.2f} ms   "
                  f"{args.persons:,} persons p50 {figures['large']['p50_ms']:.2f} ms   ratio {figures['ratio_p50']:.2f}")
    finally:
        small.dispose()
    return result


# -- the report -----------------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    full = report["modes"].get("full", {}).get("levels", {})
    lines = ["| configuration | connections | throughput (/s) | p50 ms | p95 ms | p99 ms | max ms | errors | "
             "worker CPU ms/call | PostgreSQL CPU ms/call | audit OK rows = calls answered OK | vs full pipeline |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for mode, result in report["modes"].items():
        for level, f in result["levels"].items():
            ratio = f["rps"] / full[level]["rps"] if level in full and full[level]["rps"] else None
            audit = "n/a (none written)" if mode == "echo" else f"{f['audit_ok_rows']:,} = {f['server_ok_calls']:,}"
            audit += "" if f["audit_matches"] else " **MISMATCH**"
            lines.append(f"| {result['title']} | {level} | {f['rps']:,.0f} | {f['p50'] / 1000:.1f} | {f['p95'] / 1000:.1f} | "
                         f"{f['p99'] / 1000:.1f} | {f['max'] / 1000:.1f} | {f['errors']} | "
                         f"{f['worker_cpu_ms_per_call']:.2f} | {f['database_cpu_ms_per_call']:.2f} | {audit} | "
                         f"{'' if ratio is None else f'{ratio:.2f}×'} |")
    sign = report["raw_rsa2048_signs_per_second"]
    reference = full.get("32", {}).get("rps")
    lines.append(f"| raw RSA-2048 sign, one core | – | {sign:,.0f} | | | | | | | | | "
                 f"{'' if not reference else f'{sign / reference:.2f}×'} (at 32) |")
    rss = {mode: max(result["worker_rss_mb"], default=0) for mode, result in report["modes"].items()}
    lines.append("")
    lines.append("Largest worker RSS after the run: " + ", ".join(f"{mode} {mb:.0f} MB" for mode, mb in rss.items()) + ".")
    scale = report.get("data_scale")
    if scale:
        lines.append("")
        lines.append(f"| registry lookup (domain layer) | {scale['small_persons']:,} persons p50 ms | "
                     f"{scale['large_persons']:,} persons p50 ms | ratio |")
        lines.append("|---|---|---|---|")
        for way, f in scale["ways"].items():
            lines.append(f"| {way} | {f['small']['p50_ms']:.2f} | {f['large']['p50_ms']:.2f} | {f['ratio_p50']:.2f} |")
    return "\n".join(lines)


def conditions(args: argparse.Namespace) -> dict[str, Any]:
    load = os.getloadavg()
    return {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
            "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
            "workers": args.workers, "threads": args.threads, "worker_class": args.worker_class, "front": args.front,
            "wrk_threads": args.wrk_threads,
            "seconds_per_level": args.duration, "persons": args.persons, "load_average_at_start": load}


def main() -> None:
    args = parse()
    wrk = ensure_wrk()
    report: dict[str, Any] = {"conditions": conditions(args), "mix_percent": MIX, "modes": {}}
    url, engine = bench_acts.prepare(args.persons, args.seed, args.database_url, SUFFIX)
    try:
        grant_everything(engine)
        with engine.connect() as connection:
            persons = connection.execute(text("SELECT count(*) FROM persons")).scalar_one()
        print(f"building {args.envelopes} envelopes from the registry of {persons:,} persons")
        work = workload(engine, args.envelopes, random.Random(args.seed))
        data_dir = Path(tempfile.mkdtemp(prefix="mitroo-bench-"))
        bench_acts_env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_")}
        subprocess.run([CLI, "demo", "--persons", "0"], check=True, capture_output=True, timeout=600,
                       env={**bench_acts_env, "MITROO_DATABASE_URL": url, "MITROO_DATA_DIR": str(data_dir)})
        for mode in args.modes:
            data = data_dir / f"{mode}.lua"
            lua_data([("/ws/benchEcho", ECHO)] if mode == "echo" else work, data)
            report["modes"][mode] = measure_mode(mode, wrk, url, engine, data_dir, args, data)
        report["raw_rsa2048_signs_per_second"] = raw_sign_rate(data_dir)
        print(f"\nraw RSA-2048 signatures: {report['raw_rsa2048_signs_per_second']:,.0f}/s on one core")
        if args.scale_persons:
            print("\ndata scale: the same lookups, domain layer, one at a time")
            report["data_scale"] = data_scale(args, engine)
    finally:
        engine.dispose()
    report["table"] = table(report)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.out / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (args.out / f"bench-{stamp}.md").write_text(report["table"] + "\n", encoding="utf-8")
    print("\n" + report["table"])
    print(f"\nwritten: {args.out / f'bench-{stamp}.json'} and .md")
    mismatched = [mode for mode, result in report["modes"].items()
                  if not all(f["audit_matches"] for f in result["levels"].values())]
    print("audit check: " + (f"MISMATCH in {', '.join(mismatched)}" if mismatched else
                             "every call answered OK has its audit event"))
    if mismatched:
        sys.exit(1)


if __name__ == "__main__":
    main()
