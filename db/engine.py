"""Engine and session setup for SQLite (the embedded default) and PostgreSQL."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return configure


def make_engine(
    url: str, *, statement_timeout_ms: int | None = None, connect_timeout_seconds: int | None = None, **kwargs: Any
) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys on and a busy timeout.

    ``statement_timeout_ms`` bounds how long one statement may wait or run: PostgreSQL's
    statement_timeout (which covers waiting for a lock), SQLite's busy timeout (waiting for another
    writer); without it PostgreSQL has none and SQLite waits 10 s. ``connect_timeout_seconds`` bounds
    a PostgreSQL connection attempt. PostgreSQL connections are checked before use (pool_pre_ping),
    so after an outage the pool replaces dead connections by itself.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(statement_timeout_ms or 10_000))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    connect_args = dict(kwargs.pop("connect_args", {}))
    if statement_timeout_ms is not None:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    if connect_timeout_seconds is not None:
        connect_args["connect_timeout"] = int(connect_timeout_seconds)
    return create_engine(url, connect_args=connect_args, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
