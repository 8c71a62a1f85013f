"""Slow clients against ``mitroo-provider serve`` (issue 18), run by scripts/slow-clients; not part of
the test suite (tests/e2e/test_front.py runs it small).

On a demo registry (SQLite) it starts the provider through its buffering front (MITROO_FRONT=nginx)
and, for contrast, bare (gunicorn alone), and against each:
- opens --header-tricklers connections that send a request line and then one header line a second,
  never finishing their headers, and --body-tricklers that send complete headers announcing a body
  and then one body byte a second until the ordinary calls are done, then nothing;
- meanwhile sends --calls ordinary signed-in calls (getActTypes) from --clients threads, each with a
  --call-timeout, and reports how many were answered and their latency (p50, p99, max);
- then waits for the front to cut the tricklers: a header trickler within the header deadline counted
  from its connection (MITROO_FRONT_HEADER_TIMEOUT, a total), a body trickler within the body deadline
  counted from its last byte (MITROO_FRONT_BODY_TIMEOUT, between reads), and reports the times.
Bare gunicorn gets fewer ordinary calls (--bare-calls): there each one waits its whole timeout.
Exit status 0 when, through the front, every ordinary call was answered, p99 was under --p99-limit
and every trickler was cut no earlier than its deadline and within --cut-grace seconds after it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from bench_acts import ENVELOPE  # scripts/ is on sys.path when this script runs

from provider.synthetic.demo import DEMO_USERS

CLI = str(Path(sys.executable).with_name("mitroo-provider"))
TICK = 1.0  # seconds between two trickled bytes


@dataclass
class Trickler:
    kind: str  # "header" or "body"
    sock: socket.socket
    opened: float
    last_sent: float
    cut: float | None = None

    @property
    def waited(self) -> float:
        """Seconds from the start of its deadline to the cut: the connection (header), the last byte (body)."""
        assert self.cut is not None
        return self.cut - (self.opened if self.kind == "header" else self.last_sent)


@dataclass
class Attack:
    tricklers: list[Trickler]
    body_until: list[float] = field(default_factory=lambda: [float("inf")])  # body bytes stop then
    stop: threading.Event = field(default_factory=threading.Event)

    def open_count(self, kind: str) -> int:
        return sum(1 for t in self.tricklers if t.kind == kind and t.cut is None)

    def run(self) -> None:
        """One thread: a byte a second on every open connection; a closed or reset one counts as cut."""
        selector = selectors.DefaultSelector()
        for trickler in self.tricklers:
            selector.register(trickler.sock, selectors.EVENT_READ, trickler)
        next_tick = time.monotonic() + TICK
        while not self.stop.is_set() and any(t.cut is None for t in self.tricklers):
            for key, _ in selector.select(timeout=max(0.0, next_tick - time.monotonic())):
                trickler = key.data
                try:
                    if key.fileobj.recv(65536):  # type: ignore[union-attr]
                        continue  # an error page; the close follows
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    pass
                self._cut(selector, trickler)
            now = time.monotonic()
            if now < next_tick:
                continue
            next_tick = now + TICK
            for trickler in self.tricklers:
                if trickler.cut is not None or (trickler.kind == "body" and now >= self.body_until[0]):
                    continue
                try:
                    trickler.sock.send(b"X-Slow: a\r\n" if trickler.kind == "header" else b"x")
                    trickler.last_sent = now
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    self._cut(selector, trickler)
        selector.close()

    @staticmethod
    def _cut(selector: selectors.BaseSelector, trickler: Trickler) -> None:
        trickler.cut = time.monotonic()
        selector.unregister(trickler.sock)
        trickler.sock.close()

    def close(self) -> None:
        self.stop.set()
        for trickler in self.tricklers:
            if trickler.cut is None:
                trickler.sock.close()


def open_tricklers(host: str, port: int, headers: int, bodies: int) -> list[Trickler]:
    tricklers = []
    for kind, count in (("header", headers), ("body", bodies)):
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=10)
            first = f"POST /ws/registryParameters HTTP/1.1\r\nHost: {host}\r\n"
            if kind == "body":
                first += "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\nContent-Length: 100000\r\n\r\n"
            sock.sendall(first.encode())
            sock.setblocking(False)
            now = time.monotonic()
            tricklers.append(Trickler(kind, sock, now, now))
    return tricklers


def ordinary_calls(url: str, count: int, clients: int, timeout: float) -> list[tuple[bool, float, str]]:
    """(answered without fault, seconds, what) per call."""
    user = DEMO_USERS[0]

    def one(n: int) -> tuple[bool, float, str]:
        body = ENVELOPE.format(service="registryParameters", user=user.username, password=user.password,
                               op="getActTypes", tx=f"slow-{uuid.uuid4()}", unit="slow-clients", protocol=f"slow {n}",
                               now=dt.datetime.now(dt.UTC).isoformat(), input="").encode()
        started = time.perf_counter()
        try:
            answer = requests.post(url, data=body, timeout=timeout,
                                   headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"getActTypes"'})
        except requests.RequestException as exc:
            return False, time.perf_counter() - started, type(exc).__name__
        ok = answer.status_code == 200 and b"Fault" not in answer.content and b"errorCode>MP_" not in answer.content
        return ok, time.perf_counter() - started, f"HTTP {answer.status_code}"

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(count)))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Served:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen([CLI, "serve", "--port", "0", "--workers", "1", "--threads", "4"], env=env,
                                        stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
        banner = self.process.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"listening on http://([\d.]+):(\d+)", banner)
        if match is None:
            self.stop()
            raise SystemExit(f"the provider did not start:\n{log.read_text()[-3000:]}")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()  # type: ignore[union-attr]
        self.host, self.port = match.group(1), int(match.group(2))
        self.url = f"http://{self.host}:{self.port}/ws/registryParameters"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def attack(name: str, env: dict[str, str], directory: Path, args: argparse.Namespace, calls: int,
           deadlines: dict[str, float] | None) -> dict[str, Any]:
    served = Served(env, directory / f"{name}.log")
    try:
        ordinary_calls(served.url, 3, 1, 30)  # warm the worker
        tricklers = open_tricklers(served.host, served.port, args.header_tricklers, args.body_tricklers)
        held = Attack(tricklers)
        runner = threading.Thread(target=held.run, daemon=True)
        runner.start()
        time.sleep(TICK)  # every trickler has sent a second piece
        at_start = {kind: held.open_count(kind) for kind in ("header", "body")}
        results = ordinary_calls(served.url, calls, args.clients, args.call_timeout)
        at_end = {kind: held.open_count(kind) for kind in ("header", "body")}
        held.body_until[0] = time.monotonic()  # body tricklers fall silent now
        report: dict[str, Any] = {
            "tricklers open when the calls started": at_start,
            "tricklers open when the calls ended": at_end,
        }
        latencies = [seconds for ok, seconds, _ in results if ok]
        report["ordinary calls"] = {
            "sent": len(results), "answered": len(latencies),
            "failures": sorted({what for ok, _, what in results if not ok}),
            "p50 s": round(percentile(latencies, 0.50), 3) if latencies else None,
            "p99 s": round(percentile(latencies, 0.99), 3) if latencies else None,
            "max s": round(max(latencies), 3) if latencies else None,
        }
        if deadlines is not None:
            wait = max(deadlines.values()) + args.cut_grace
            runner.join(timeout=wait + TICK)
            for kind in ("header", "body"):
                waited = [t.waited for t in tricklers if t.kind == kind and t.cut is not None]
                report[f"{kind} tricklers cut"] = {
                    "deadline s": deadlines[kind], "cut": len(waited), "still open": held.open_count(kind),
                    "min s": round(min(waited), 1) if waited else None,
                    "median s": round(statistics.median(waited), 1) if waited else None,
                    "max s": round(max(waited), 1) if waited else None,
                }
        held.close()
        return report
    finally:
        served.stop()


def front_passed(report: dict[str, Any], args: argparse.Namespace) -> bool:
    calls = report["ordinary calls"]
    if calls["answered"] != calls["sent"] or calls["p99 s"] is None or calls["p99 s"] >= args.p99_limit:
        return False
    for kind in ("header", "body"):
        cut = report[f"{kind} tricklers cut"]
        if cut["still open"] or cut["min s"] is None or cut["min s"] < cut["deadline s"] - TICK:
            return False
        if cut["max s"] > cut["deadline s"] + args.cut_grace:
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--header-tricklers", type=int, default=500)
    parser.add_argument("--body-tricklers", type=int, default=500)
    parser.add_argument("--calls", type=int, default=200, help="ordinary calls through the front (default 200)")
    parser.add_argument("--bare-calls", type=int, default=16, help="ordinary calls to bare gunicorn (default 16)")
    parser.add_argument("--clients", type=int, default=4, help="threads sending the ordinary calls (default 4)")
    parser.add_argument("--call-timeout", type=float, default=5.0, help="seconds an ordinary call may take (default 5)")
    parser.add_argument("--header-timeout", type=int, default=10, help="MITROO_FRONT_HEADER_TIMEOUT (default 10)")
    parser.add_argument("--body-timeout", type=int, default=10, help="MITROO_FRONT_BODY_TIMEOUT (default 10)")
    parser.add_argument("--cut-grace", type=float, default=10.0, help="seconds past a deadline a cut may take")
    parser.add_argument("--p99-limit", type=float, default=1.0, help="p99 of the ordinary calls, seconds (default 1)")
    parser.add_argument("--persons", type=int, default=200, help="demo registry size (default 200)")
    parser.add_argument("--no-bare", action="store_true", help="skip the contrast against bare gunicorn")
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="mitroo-slow-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MITROO_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(MITROO_DATA_DIR=str(directory), MITROO_LOG_LEVEL="WARNING")
    try:
        print(f"preparing the demo registry ({args.persons} persons) in {directory} …", flush=True)
        subprocess.run([CLI, "demo", "--persons", str(args.persons)], env=env, check=True, stdout=subprocess.DEVNULL)
        deadlines = {"header": float(args.header_timeout), "body": float(args.body_timeout)}
        front_env = dict(env, MITROO_FRONT="nginx", MITROO_FRONT_HEADER_TIMEOUT=str(args.header_timeout),
                         MITROO_FRONT_BODY_TIMEOUT=str(args.body_timeout))
        print(f"through the front: {args.header_tricklers} header + {args.body_tricklers} body tricklers, "
              f"{args.calls} ordinary calls …", flush=True)
        report: dict[str, Any] = {"front (nginx)": attack("front", front_env, directory, args, args.calls, deadlines)}
        if not args.no_bare:
            print(f"bare gunicorn: the same tricklers, {args.bare_calls} ordinary calls …", flush=True)
            report["bare gunicorn"] = attack("bare", env, directory, args, args.bare_calls, None)
        report["passed"] = front_passed(report["front (nginx)"], args)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        if args.json is not None:
            args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        return 0 if report["passed"] else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
