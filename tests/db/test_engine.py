"""``CallSessions``: inside ``hold()`` the sessions of a call run on one pooled connection, one after the
other; a session opened while another is mid-transaction, or after a failed commit, gets a connection
of its own."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.engine import make_sessionmaker
from tests.conftest import PreparedDatabase


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
