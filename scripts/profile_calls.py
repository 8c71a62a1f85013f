"""CPU per call of the full pipeline, by part, in-process (run by scripts/profile-calls; not part of the
test suite).

It builds the provider application (``provider.server.app.Provider``, as a gunicorn worker does) on the
benchmark database of scripts/bench (``mitroo_bench_1m_certs``, which must exist: run scripts/bench
once first), and calls it directly as a WSGI application, one call at a time, with the workload mix
of scripts/bench (the same envelopes, a unique auditTransactionId each). No HTTP server and no load
generator share the process, so the figures are the worker's own CPU per call, by part of the
pipeline (thread CPU time, measured around the parts), without a profiler's overhead. Every answer
must be a 200 without an errorRecord. With ``--cprofile FILE`` it also writes a cProfile of the
measured calls (``python -m pstats FILE``) for the detail inside each part.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bench_acts
import bench_serve
from sqlalchemy.engine import make_url

# The parts, outermost first; a part's time excludes the parts measured inside it.
PARTS: dict[str, str] = {
    "parse": "hardened parse, envelope, XSD validation of the request",
    "admission": "authentication, grant, replay guard, concurrency slot, quota",
    "operation": "the domain lookup (and the certificate stored), its sessions",
    "answer": "reading the input record, the service's models, writing the answer (provider.soap.codec)",
    "audit": "the audit event committed (the concurrency slot freed with it)",
    "signing": "signing the answer (parse, C14N, RSA, serialize)",
    "other": "the rest of the gateway (WSGI, digests, metrics)",
}


class Meter:
    """Thread CPU time spent inside wrapped callables, by part, exclusive of nested measured parts."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._stack: list[list[Any]] = []  # [part, started, nested time]

    def wrap(self, part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([part, time.thread_time(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                _, started, nested = self._stack.pop()
                total = time.thread_time() - started
                self.spent[part] += total - nested
                if self._stack:
                    self._stack[-1][2] += total

        return measured


def instrument(meter: Meter) -> None:
    """Wrap each part's entry points (module and class attributes, looked up at call time)."""
    from audit import events
    from provider.registry.civil_registry_acts import queries as acts
    from provider.registry.civil_status_certificates import queries as certificates
    from provider.registry.registry_parameters import queries as parameters
    from provider.soap.gateway import Gateway
    from provider.xml import envelope as soap
    from provider.xml import parse as xmlparse
    from provider.xml.signing import ResponseSigner

    for owner, name, part in (
        (xmlparse, "parse", "parse"), (soap, "parse_envelope", "parse"), (Gateway, "_validate", "parse"),
        (Gateway, "_admit", "admission"), (Gateway, "_dispatch", "answer"), (events, "record", "audit"),
        (ResponseSigner, "sign_tree", "signing"),
        (acts, "get_act", "operation"), (acts, "search_acts", "operation"),
        (certificates, "marital_status_certificate", "operation"), (parameters, "municipalities", "operation"),
    ):
        setattr(owner, name, meter.wrap(part, getattr(owner, name)))


def environ_for(path: str, body: bytes) -> dict[str, Any]:
    operation = body.split(b"InputRecord>", 1)[0].rsplit(b"<a:", 1)[1].decode()
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "8080", "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)), "HTTP_SOAPACTION": f'"{operation}"', "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="measured calls (default 1000)")
    parser.add_argument("--warmup", type=int, default=200, help="calls before measuring (default 200)")
    parser.add_argument("--database-url", default=str(make_url(bench_acts.SERVER).set(database="mitroo_bench_1m_certs")))
    parser.add_argument("--data-dir", type=Path, default=Path("var/profile-calls"), help="signing key etc.")
    parser.add_argument("--cprofile", type=Path, help="also write a cProfile of the measured calls here")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--statements", action="store_true",
                        help="also count the SQL statements the measured calls send, by kind, per call")
    args = parser.parse_args()

    from db.engine import make_engine
    engine = make_engine(args.database_url)
    bench_serve.grant_everything(engine)
    work = bench_serve.workload(engine, args.calls + args.warmup, random.Random(args.seed))
    engine.dispose()
    for key in [k for k in os.environ if k.startswith("MITROO_")]:
        del os.environ[key]
    os.environ.update(MITROO_DATABASE_URL=args.database_url, MITROO_DATA_DIR=str(args.data_dir.resolve()))
    if not (args.data_dir / "keys").exists():
        subprocess.run([bench_acts.CLI, "demo", "--persons", "0"], check=True, capture_output=True, timeout=600)

    import gc

    meter = Meter()
    assert "provider.soap.services.civil_status_certificates" not in sys.modules  # it binds its handlers at import
    instrument(meter)
    from provider.server.app import create_app
    provider = create_app()
    gc.freeze()  # as each gunicorn worker does after start-up

    by_operation: dict[str, list[float]] = defaultdict(list)

    def call(path: str, template: str) -> None:
        started = time.thread_time()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        body = template.replace(bench_serve.TX, uuid.uuid4().hex).replace(bench_serve.NOW, now).encode()
        statuses: list[str] = []
        answer = b"".join(provider(environ_for(path, body), lambda status, headers: statuses.append(status)))
        if not statuses[0].startswith("200") or b"errorCode>" in answer:
            sys.exit(f"call failed: {statuses[0]}\n{answer[:3000].decode(errors='replace')}")
        by_operation[environ_for(path, body)["HTTP_SOAPACTION"].strip('"')].append(time.thread_time() - started)

    total = Meter()
    whole = total.wrap("call", call)
    for path, template in work[: args.warmup]:
        whole(path, template)
    meter.spent.clear()
    total.spent.clear()
    by_operation.clear()
    statements: Counter[str] = Counter()
    if args.statements:
        from sqlalchemy import Engine, event

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            statements[" ".join(statement.split())[:90]] += 1

        event.listen(Engine, "before_cursor_execute", count)
    profiler = cProfile.Profile(time.thread_time) if args.cprofile else None  # CPU, not waiting on the database
    wall = time.monotonic()
    if profiler:
        profiler.enable()
    for path, template in work[args.warmup:]:
        whole(path, template)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    wall = time.monotonic() - wall
    provider.close()

    calls = len(work) - args.warmup
    cpu = total.spent["call"]
    spent = dict(meter.spent)
    spent["other"] = cpu - sum(spent.values())
    print(f"{calls} calls, {wall / calls * 1000:.2f} ms wall and {cpu / calls * 1000:.2f} ms CPU per call"
          + (" (under cProfile)" if profiler else ""))
    print(f"{'part':<10} {'CPU ms/call':>11} {'share':>6}  what")
    for part, what in PARTS.items():
        seconds = spent.get(part, 0.0)
        print(f"{part:<10} {seconds / calls * 1000:>11.3f} {seconds / cpu:>6.1%}  {what}")
    for operation, seconds in sorted(by_operation.items()):
        print(f"{operation:<28} {len(seconds):>5} calls {sum(seconds) / len(seconds) * 1000:>7.2f} ms CPU per call")
    if args.statements:
        print(f"{sum(statements.values()) / calls:.1f} SQL statements per call; by kind, per call:")
        for statement, times in statements.most_common():
            print(f"{times / calls:>6.2f}  {statement}")


if __name__ == "__main__":
    main()
