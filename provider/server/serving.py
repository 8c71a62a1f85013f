"""``mitroo-provider serve``: the provider under gunicorn, N worker processes of T threads each.

- The master process checks what can be checked once (settings, migrations at head, the signing key
  loads) and then forks the workers; each worker builds its own ``Provider`` after the fork (no
  preload), so no database connection, pool or key object crosses a fork.
- Keep-alive: gthread workers keep an idle client connection open ``keep_alive`` seconds.
- Each worker listens on a socket of its own (gunicorn's ``reuse_port``: SO_REUSEPORT), and the kernel
  spreads new connections over them. On one shared socket the worker that woke first took them: 32
  keep-alive connections opened at once all went to one worker, which then served every call on one
  core while the other idled (half the throughput; scripts/bench). The master checks once that nothing
  else listens on the address (SO_REUSEPORT would otherwise let a second server share it), and the
  first worker that is ready says so (``ready``).
- Graceful shutdown: on SIGTERM the workers stop accepting, finish the calls in flight (their audit
  events committed, their answers sent) within ``graceful_timeout`` and exit; the master exits 0.
  SIGINT (Ctrl-C) stops at once, like any server.
- Metrics: ``PROMETHEUS_MULTIPROC_DIR`` points at a directory emptied at start (a fresh temporary
  one unless the operator sets it), so /metrics sums all workers; a worker that exits is marked dead.
- Logs: JSON lines on standard error, gunicorn's own included.
"""
from __future__ import annotations

import ctypes
import dataclasses
import gc
import os
import shutil
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from provider import logs
from provider.settings import Settings


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    workers: int = 1
    threads: int = 4
    worker_class: str = "gthread"
    keep_alive: int = 5
    graceful_timeout: int = 30
    timeout: int = 60
    access_log: bool = False


def prepare_metrics_dir() -> Path | None:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at an empty directory before any worker (or import of
    prometheus_client) exists; return the directory to remove at exit when we made it."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        return None
    made = Path(tempfile.mkdtemp(prefix="mitroo-metrics-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(made)
    return made


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, options: ServeOptions, ready: Callable[[str], None]) -> None:
        self.settings = settings
        self.options = options
        self.ready = ready
        super().__init__()

    def load_config(self) -> None:
        o = self.options
        config: dict[str, Any] = {
            "bind": [address(o.host, o.port)],
            "reuse_port": True,  # a listening socket per worker: see the module's docstring
            "workers": o.workers,
            "worker_class": o.worker_class,
            "threads": o.threads,
            "keepalive": o.keep_alive,
            "graceful_timeout": o.graceful_timeout,
            "timeout": o.timeout,
            "preload_app": False,  # the app (engine, pool, key) is built in each worker, after the fork
            "control_socket_disable": True,
            # gunicorn would believe X-Forwarded-Proto from 127.0.0.1 by default; which proxies are believed
            # is MITROO_TRUSTED_PROXIES' decision alone (provider.access.client_address, provider.access.transport).
            "forwarded_allow_ips": "",
            "secure_scheme_headers": {},
            "proc_name": "mitroo-provider",
            "logconfig_dict": logs.gunicorn_logconfig(self.settings.log_level, o.access_log),
            "post_worker_init": self._post_worker_init,
            "worker_exit": _worker_exit,
            "child_exit": _child_exit,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """In each worker, after the fork."""
        from provider.server.app import create_app

        cap_malloc_arenas()
        app = create_app(self.settings)
        gc.collect()
        gc.freeze()  # the app's long-lived objects (spyne models, schemas) leave the collector's rounds
        return app

    def _post_worker_init(self, worker: Any) -> None:
        """In each worker, its socket listening and its app built: the first worker the master started
        tells that the server is ready (once; a worker started later replaces one)."""
        if worker.age == 1:
            self.ready(f"http://{address(self.options.host, self.options.port)}")


# glibc's mallopt parameter for the number of malloc arenas (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8


def cap_malloc_arenas(arenas: int = 2) -> None:
    """Let this process's threads share ``arenas`` glibc malloc arenas (unless the operator set
    MALLOC_ARENA_MAX). By default glibc gives each thread that allocates an arena of its own, up to
    eight per core, and keeps freed memory in each: a gthread worker's resident memory then creeps up
    for a long while after start, without any leak, as its threads' arenas fill (docs/security.md, Soak).
    Called in each worker before its threads start; nothing happens where libc is not glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, arenas)


def _worker_exit(_arbiter: Any, worker: Any) -> None:
    close = getattr(worker.wsgi, "close", None)
    if close is not None:
        close()


def _child_exit(_arbiter: Any, worker: Any) -> None:
    """In the master: drop the dead worker's live gauges. (The master never imports provider.metrics,
    which would give it sample files of its own.)"""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


class AddressInUse(Exception):
    """Something else listens on the address serve was given."""


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def free_port(host: str) -> int:
    """A port nothing listens on at ``host`` now (for ``--port 0``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def check_unused(host: str, port: int) -> None:
    """Raise ``AddressInUse`` when a socket listens on ``host``:``port``. The workers' sockets share their
    port with SO_REUSEPORT, which a second server of the same user could join unnoticed; this bind,
    without it, fails while anything listens there (SO_REUSEADDR lets it pass a previous run's
    connections still in TIME_WAIT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise AddressInUse(f"{address(host, port)}: {exc.strerror}") from None


def run(settings: Settings, options: ServeOptions, ready: Callable[[str], None]) -> None:
    """Serve until stopped; ``ready`` gets the listening URL once a worker listens and can answer.
    Raises ``AddressInUse`` when something else listens on the address."""
    if options.port == 0:
        options = dataclasses.replace(options, port=free_port(options.host))
    check_unused(options.host, options.port)
    made = prepare_metrics_dir()
    try:
        _Server(settings, options, ready).run()
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
