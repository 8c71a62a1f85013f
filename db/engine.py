"""Engine and session setup for SQLite (the embedded default) and PostgreSQL."""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
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


class _Held:
    """The connection held for one call, taken from the pool when a session first needs it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def usable(self) -> Connection | None:
        if self.connection is None:
            try:
                self.connection = self.engine.connect()
            except SQLAlchemyError:
                return None  # the session connects by itself and meets the failure where it is handled
        if self.connection.invalidated or self.connection.get_transaction() is not None:
            return None  # in use, or left with a failed transaction (a commit the disk refused)
        return self.connection

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()


_HELD: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("held_connection", default=None)


class CallSession(Session):
    """A session on a call's held connection, which ends a transaction that wrote nothing with COMMIT
    rather than the ROLLBACK of ``Session.close``: for reads the two are the same, but on a ROLLBACK
    psycopg forgets every statement it has prepared on the connection, so each call's statements would
    be parsed and planned again by PostgreSQL (most of the database's CPU per call).

    A ``with`` block that ends normally commits a transaction still open (a block of reads: writers
    commit themselves). A block that ends with an exception (a business refusal such as "not found"
    is one) rolls back, unless PostgreSQL says the transaction wrote nothing (no transaction id was
    assigned to it): then it commits too, and the exception goes on unchanged."""

    def __exit__(self, type_: Any, value: Any, traceback: Any) -> None:
        transaction = self.get_transaction()
        if transaction is not None and transaction.is_active:  # not one a failure ended
            try:
                if type_ is None or self._wrote_nothing():
                    self.commit()
            except SQLAlchemyError:
                if type_ is None:
                    raise
                # raising, the block's own exception goes on; close() below rolls back
        super().__exit__(type_, value, traceback)

    def _wrote_nothing(self) -> bool:
        if self.get_bind().dialect.name != "postgresql":
            return False  # SQLite's driver prepares nothing that a rollback would lose
        return bool(self.execute(text("SELECT txid_current_if_assigned() IS NULL")).scalar_one())


class CallSessions(sessionmaker[Session]):
    """A sessionmaker whose sessions, inside ``hold()``, all run on the one connection held for it.

    The provider holds a connection for each call: the admission checks, the operation and the audit
    event then take one connection from the pool (one pre-ping) instead of one each. The sessions still
    run one after the other, each its own transaction, and are ``CallSession``s. A session opened while
    another is in the middle of a transaction on the held connection, or after that connection was
    invalidated (the database went away), gets a connection of its own from the pool, as without
    ``hold()``.
    """

    def __call__(self, **local_kw: Any) -> Session:
        held = _HELD.get()
        if held is not None and "bind" not in local_kw:
            connection = held.usable()
            if connection is not None:
                return CallSession(**{**self.kw, **local_kw, "bind": connection})
        return super().__call__(**local_kw)

    @contextlib.contextmanager
    def autocommit(self) -> Iterator[Session]:
        """A session whose every statement is its own transaction, for a block of reads or for one
        statement that writes: on PostgreSQL, inside ``hold()``, the held connection in autocommit for the
        block, so its statements go without a BEGIN and a COMMIT around them (two round trips fewer). Under
        READ COMMITTED each statement of a transaction sees its own snapshot anyway, so reads see what they
        would have seen in one; a statement that writes is atomic and committed when it returns. Elsewhere
        (SQLite, outside ``hold()``, a held connection in use) an ordinary session, committed at the end."""
        held = _HELD.get()
        connection = None if held is None else held.usable()
        if connection is None or connection.dialect.name != "postgresql":
            with self() as session:
                yield session
                session.commit()
            return
        # The driver's own switch (what SQLAlchemy's isolation_level="AUTOCOMMIT" sets, at a fraction of the
        # cost of its bookkeeping), turned back before the connection serves another session.
        driver = connection.connection.dbapi_connection
        assert driver is not None
        driver.autocommit = True
        try:
            with Session(**{**self.kw, "bind": connection}) as session:
                yield session
        finally:
            try:
                driver.autocommit = False
            except Exception:  # a connection the driver cannot switch back is not reused
                connection.invalidate()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        held = _Held(self.kw["bind"])
        token = _HELD.set(held)
        try:
            yield
        finally:
            _HELD.reset(token)
            held.release()


def make_sessionmaker(engine: Engine) -> CallSessions:
    return CallSessions(engine, expire_on_commit=False)
