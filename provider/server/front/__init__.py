"""The buffering front: nginx (Debian's package) in front of gunicorn, one command for both.

``mitroo-provider serve`` with ``MITROO_FRONT=nginx`` becomes a small supervisor:

- it starts ``serve`` again without the front (gunicorn, bound to 127.0.0.1 on a free port, trusting
  127.0.0.1 as a proxy besides MITROO_TRUSTED_PROXIES), waits for its banner, renders
  ``nginx.conf.template`` from the settings into a runtime directory of its own (pid, temporary
  files; the error log goes to standard error) and starts nginx in the foreground on the public
  address, plain HTTP or HTTPS (MITROO_TLS_*);
- nginx holds slow clients, not Python: a request reaches gunicorn only once its headers and whole
  body have arrived within the deadlines (MITROO_FRONT_*_TIMEOUT);
- SIGTERM: nginx stops accepting and finishes what it holds (graceful), then gunicorn does; SIGINT
  stops both at once. If either child dies the other is stopped and serve exits non-zero.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from provider.access.transport import CLIENT_CERT_HEADER
from provider.server.serving import address, free_port
from provider.settings import Settings
from provider.xml import envelope as soap

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
# TLS 1.2 with forward-secret AEAD suites only; TLS 1.3 suites are OpenSSL's (all AEAD).
CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
           "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")
NIL_SEQUENCE_ID = "00000000-0000-0000-0000-000000000000"  # a refusal by the front never reached the pipeline
BACKEND_TIMEOUT = 60  # seconds nginx waits for gunicorn's answer: gunicorn's own worker timeout


class FrontError(RuntimeError):
    """The front cannot start; the message says what to do."""


def find_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        raise FrontError("MITROO_FRONT=nginx needs nginx: sudo apt-get install nginx (Debian's package; "
                         "the system's own nginx service is neither used nor needed)")
    return found


def _nginx_string(text: str) -> str:
    """``text`` inside nginx's single quotes (which have no escape for a variable's ``$``)."""
    if "$" in text:
        raise ValueError("an nginx string cannot carry a literal $")
    return text.replace("\\", "\\\\").replace("'", "\\'")


def too_large_fault(settings: Settings) -> str:
    error = soap.body_too_large(settings.max_body_bytes)
    return soap.fault_document(error, NIL_SEQUENCE_ID, dt.datetime.now(dt.UTC)).decode("utf-8")


def _tls_block(settings: Settings) -> str:
    if not settings.tls:
        return ""
    lines = [
        f"ssl_certificate {settings.tls_cert_file};",
        f"ssl_certificate_key {settings.tls_key_file};",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        f"ssl_ciphers {CIPHERS};",
        "ssl_prefer_server_ciphers off;",
        "ssl_session_cache shared:mitroo_tls:10m;",
        "ssl_session_timeout 1h;",
        "ssl_session_tickets off;",
    ]
    if settings.tls_client_ca_file is not None:
        # Asked for, never required: a certificate the CA does not verify is passed as none, and the
        # provider refuses it only for a WS user bound to a certificate (an audited fault).
        lines += [f"ssl_client_certificate {settings.tls_client_ca_file};", "ssl_verify_client optional_no_ca;",
                  "ssl_verify_depth 3;"]
    return "\n".join("        " + line for line in lines)


def render(settings: Settings, listen: str, backend: str, runtime: Path, graceful_timeout: int) -> str:
    """The nginx configuration for these settings."""
    values = {
        "runtime": str(runtime),
        "listen": listen,
        "ssl_listen": " ssl" if settings.tls else "",
        "tls": _tls_block(settings),
        "backend": backend,
        "graceful_timeout": str(graceful_timeout),
        "backend_timeout": str(BACKEND_TIMEOUT),
        "header_timeout": str(settings.front_header_timeout_seconds),
        "body_timeout": str(settings.front_body_timeout_seconds),
        "keepalive_timeout": str(settings.front_keepalive_timeout_seconds),
        "send_timeout": str(settings.front_send_timeout_seconds),
        "max_body_bytes": str(settings.max_body_bytes),
        "client_cert_header": CLIENT_CERT_HEADER,
        "metrics_allow": "\n".join(f"            allow {net};" for net in settings.front_metrics_allow),
        "too_large_fault": _nginx_string(too_large_fault(settings)),
    }

    def value(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", value, TEMPLATE.read_text(encoding="utf-8"))


def _backend_env(settings: Settings) -> dict[str, str]:
    """The environment of the gunicorn child: no front, no TLS of its own, the front trusted as a proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MITROO_TLS_", "MITROO_FRONT"))}
    env["MITROO_FRONT"] = "none"
    env["MITROO_TRUSTED_PROXIES"] = ",".join([str(net) for net in settings.trusted_proxies] + ["127.0.0.1/32"])
    return env


def _die_with_parent() -> None:
    """In a child, before exec: receive SIGTERM if serve itself dies (even by SIGKILL)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_listening(host: str, port: int, nginx: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            raise FrontError(f"nginx exited with status {nginx.returncode} (its error is above)")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise FrontError(f"nginx did not listen on {address(host, port)} within {seconds:.0f} s")


def _stop(process: subprocess.Popen[str], signum: int, seconds: float) -> None:
    if process.poll() is None:
        process.send_signal(signum)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _stop_nginx(nginx: subprocess.Popen[bytes], signum: int, seconds: float) -> None:
    """Signal nginx's process group (master and workers), wait for the master, then kill any worker it
    left behind (a master killed outright leaves its workers serving)."""
    try:
        os.killpg(nginx.pid, signum)
    except ProcessLookupError:
        pass
    try:
        nginx.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(nginx.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    nginx.wait()


def run(settings: Settings, host: str, port: int, backend_args: list[str], graceful_timeout: int,
        ready: Callable[[str, str], None]) -> int:
    """Serve through nginx until SIGTERM/SIGINT or a child's death; return serve's exit status.
    ``ready`` gets the public listening URL and the backend's once both listen."""
    nginx_binary = find_nginx()
    for path in (settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file):
        if path is not None and not os.access(path, os.R_OK):
            raise FrontError(f"cannot read {path} (MITROO_TLS_* settings)")
    port = port or free_port(host)
    runtime = Path(tempfile.mkdtemp(prefix="mitroo-front-"))
    runtime.chmod(0o711)  # nginx's workers (another user when serve runs as root) reach their temp dirs
    stopping: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _frame: stopping.append(signum))
                for signum in (signal.SIGTERM, signal.SIGINT)}
    backend = subprocess.Popen(
        [sys.executable, "-m", "provider.cli", "serve", "--host", "127.0.0.1", "--port", "0", *backend_args],
        env=_backend_env(settings), stdout=subprocess.PIPE, text=True, preexec_fn=_die_with_parent)
    nginx: subprocess.Popen[bytes] | None = None
    try:
        banner = backend.stdout.readline()  # type: ignore[union-attr]
        match = re.search(r"listening on http://(127\.0\.0\.1:\d+)", banner)
        if match is None:
            return backend.wait() or 1
        threading.Thread(target=backend.stdout.read, daemon=True).start()  # type: ignore[union-attr]
        config = runtime / "nginx.conf"
        config.write_text(render(settings, address(host, port), match.group(1), runtime, graceful_timeout),
                          encoding="utf-8")
        nginx = subprocess.Popen([nginx_binary, "-p", str(runtime), "-c", str(config), "-e", "stderr"],
                                 stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent, start_new_session=True)
        _wait_listening(host, port, nginx, 15)
        scheme = "https" if settings.tls else "http"
        ready(f"{scheme}://{address(host, port)}", f"http://{match.group(1)}")
        while not stopping and nginx.poll() is None and backend.poll() is None:
            time.sleep(0.2)
        if not stopping:
            died = "nginx" if nginx.poll() is not None else "gunicorn"
            print(f"mitroo-provider: the front's {died} exited; stopping", file=sys.stderr, flush=True)
            return 1
        graceful = stopping[0] == signal.SIGTERM
        _stop_nginx(nginx, signal.SIGQUIT if graceful else signal.SIGTERM, graceful_timeout + 5)
        _stop(backend, signal.SIGTERM if graceful else signal.SIGINT, graceful_timeout + 5)
        return backend.returncode if backend.returncode and backend.returncode > 0 else 0
    finally:
        if nginx is not None:
            _stop_nginx(nginx, signal.SIGTERM, 10)
        _stop(backend, signal.SIGTERM, graceful_timeout + 5)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        shutil.rmtree(runtime, ignore_errors=True)
