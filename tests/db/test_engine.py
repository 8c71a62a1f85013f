"""``CallSessions``: inside ``hold()`` the sessions of a call run on one pooled connection, one after the
other; a session opened while another is mid-transaction, or after a failed commit, gets a connection
of its own; a block of reads ends with COMMIT (the driver keeps its prepared statements), a block that raises
still rolls back."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import make_engine, make_sessionmaker
from tests.conftest import PreparedDatabase, create_pg_database, drop_pg_database


def test_sessions_in_a_hold_share_one_connection(database: PreparedDatabase) -> None:
    sessions = make_sessionmaker(database.engine)
    with sessions.hold():
        with sessions() as first:
            first_connection = first.connection().connection.dbapi_connection
            first.execute(text("SELECT 1"))
        with sessions() as second:
            assert second.connection().connection.dbapi_connection is first_connection
            second.execute(text("SELECT 1"))
            with sessions() as nested:  # ``second`` is mid-transaction: not joined, a connection of its own
                assert nested.connection().connection.dbapi_connection is not first_connection
    with sessions() as outside:
        assert outside.execute(text("SELECT 1")).scalar_one() == 1


def test_a_commit_that_failed_does_not_poison_the_held_connection(database: PreparedDatabase) -> None:
    """A commit the database refuses (here a deferred constraint; in life, a full disk) leaves the held
    connection with a dead transaction: the call's next session (its audit event) still gets one."""
    sessions = make_sessionmaker(database.engine)
    if database.kind == "postgresql":
        setup = ["CREATE TEMP TABLE deferred_check (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)"]
        violation = "INSERT INTO deferred_check VALUES (1), (1)"
    else:
        setup = ["CREATE TEMP TABLE deferred_parent (id INTEGER PRIMARY KEY)",
                 "CREATE TEMP TABLE deferred_check (parent INTEGER REFERENCES deferred_parent (id) "
                 "DEFERRABLE INITIALLY DEFERRED)"]
        violation = "INSERT INTO deferred_check VALUES (1)"
    with sessions.hold():
        with sessions() as first:
            for statement in setup:
                first.execute(text(statement))
            first.commit()
            first.execute(text(violation))
            with pytest.raises(DBAPIError):
                first.commit()
        with sessions() as after:
            assert after.execute(text("SELECT 1")).scalar_one() == 1
            after.commit()


class Refused(Exception):
    """A business refusal raised inside a block of reads (as "not found" is)."""


@pytest.mark.parametrize("refused", [False, True], ids=["ending-normally", "ending-with-a-refusal"])
def test_a_block_of_reads_keeps_the_statements_the_driver_prepared(database: PreparedDatabase, refused: bool) -> None:
    """A call's session that wrote nothing ends with COMMIT (for reads the same as a rollback), also when
    the block raises: on PostgreSQL a ROLLBACK makes psycopg forget its prepared statements, and every
    call would be planned anew. The block's exception goes on unchanged."""
    sessions = make_sessionmaker(database.engine)
    with sessions.hold():
        for _ in range(8):  # psycopg prepares a statement on its fifth execution on a connection
            with contextlib.suppress(Refused), sessions() as reading:
                assert reading.execute(text("SELECT count(*) FROM act_types WHERE code <> :c"), {"c": "x"}).scalar_one()
                if refused:
                    raise Refused()
        with sessions() as looking:
            if database.kind == "postgresql":
                prepared = looking.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
                assert any("FROM act_types" in statement for statement in prepared), prepared


def test_a_block_that_raises_still_rolls_back(database: PreparedDatabase) -> None:
    engine = make_engine(database.url)  # its own pool: no connection another test left behind
    sessions = make_sessionmaker(engine)
    with sessions.hold():
        with sessions() as setup:
            setup.execute(text("CREATE TEMP TABLE written (id int)"))
            setup.commit()
        with pytest.raises(RuntimeError), sessions() as writing:
            writing.execute(text("INSERT INTO written VALUES (1)"))
            raise RuntimeError("the call failed")
        with sessions() as after:
            assert after.execute(text("SELECT count(*) FROM written")).scalar_one() == 0
    engine.dispose()


def test_autocommit_makes_each_statement_its_own_transaction_then_gives_the_connection_back(
        database: PreparedDatabase) -> None:
    """On PostgreSQL, ``autocommit()`` sends its statements without BEGIN and COMMIT: each is a transaction
    of its own (two get two transaction ids; a write is visible to others before the block ends), the
    driver keeps its prepared statements even when the block raises, and the call's next session is a
    transaction again. On SQLite it is an ordinary session, committed when the block ends."""
    engine = make_engine(database.url)
    sessions = make_sessionmaker(engine)
    postgresql = database.kind == "postgresql"
    with sessions.hold():
        with sessions() as setup:
            setup.execute(text("CREATE TABLE IF NOT EXISTS autocommit_probe (id int)"))
            setup.execute(text("DELETE FROM autocommit_probe"))
            setup.commit()
        with sessions.autocommit() as single:
            single.execute(text("INSERT INTO autocommit_probe VALUES (1)"))
            with engine.connect() as other:  # another connection sees the row at once, or (SQLite) not yet
                seen = other.execute(text("SELECT count(*) FROM autocommit_probe")).scalar_one()
            assert seen == (1 if postgresql else 0)
            if postgresql:
                first, second = (single.execute(text("SELECT txid_current()")).scalar_one() for _ in range(2))
                assert first != second
        for _ in range(8):  # psycopg prepares a statement on its fifth execution on a connection
            with contextlib.suppress(Refused), sessions.autocommit() as reading:
                assert reading.execute(text("SELECT count(*) FROM act_types WHERE code <> :c"), {"c": "y"}).scalar_one()
                raise Refused()
        with sessions() as after:
            if postgresql:
                prepared = after.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
                assert any("code <> $1" in statement for statement in prepared), prepared
                assert after.execute(text("SELECT txid_current()")).scalar_one() == after.execute(
                    text("SELECT txid_current()")).scalar_one()  # one transaction again
            after.execute(text("INSERT INTO autocommit_probe VALUES (2)"))
            after.rollback()
            assert after.execute(text("SELECT count(*) FROM autocommit_probe")).scalar_one() == 1
        with pytest.raises(Refused), sessions.autocommit() as failing:
            failing.execute(text("INSERT INTO autocommit_probe VALUES (3)"))
            raise Refused()
        with sessions() as last:  # committed by its statement on PostgreSQL; rolled back with the block on SQLite
            assert last.execute(text("SELECT count(*) FROM autocommit_probe")).scalar_one() == (2 if postgresql else 1)
            last.execute(text("DROP TABLE autocommit_probe"))
            last.commit()
    engine.dispose()


def test_a_connection_lost_in_autocommit_fails_the_block_and_not_the_next_session() -> None:
    """PostgreSQL ends the held connection under an autocommit block: the block's own error comes out
    (switching the lost connection back out of autocommit does not replace it), and the call's next
    session still works, on a connection of its own. (SQLite has no server to end a connection.)"""
    url = create_pg_database()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions.hold():
            with pytest.raises(DBAPIError), sessions.autocommit() as reading:
                pid = reading.execute(text("SELECT pg_backend_pid()")).scalar_one()
                with engine.connect() as other:
                    other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                reading.execute(text("SELECT 1"))
            with sessions() as after:
                assert after.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()
        drop_pg_database(url)
