"""``mitroo-provider serve``: the provider under gunicorn, N worker processes of T threads each.

- The master process checks what can be checked once (settings, migrations at head, the signing key
  loads) and then forks the workers; each worker builds its own ``Provider`` after the fork (no
  preload), so no database connection, pool or key object crosses a fork.
- Keep-alive: gthread workers keep an idle client connection open ``keep_alive`` seconds.
- Graceful shutdown: on SIGTERM the workers stop accepting, finish the calls in flight (their audit
  events committed, their answers sent) within ``graceful_timeout`` and exit; the master exits 0.
  SIGINT (Ctrl-C) stops at once, like any server.
- Metrics: ``PROMETHEUS_MULTIPROC_DIR`` points at a directory emptied at start (a fresh temporary
  one unless the operator sets it), so /metrics sums all workers; a worker that exits is marked dead.
- Logs: JSON lines on standard error, gunicorn's own included.
"""
from __future__ import annotations

import ctypes
import gc
import os
import shutil
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
            "bind": [f"[{o.host}]:{o.port}" if ":" in o.host else f"{o.host}:{o.port}"],
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
            "when_ready": self._when_ready,
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

    def _when_ready(self, arbiter: Any) -> None:
        host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        self.ready(f"http://{'[' + host + ']' if ':' in host else host}:{port}")


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


def run(settings: Settings, options: ServeOptions, ready: Callable[[str], None]) -> None:
    """Serve until stopped; ``ready`` gets the listening URL once the socket is bound."""
    made = prepare_metrics_dir()
    try:
        _Server(settings, options, ready).run()
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
