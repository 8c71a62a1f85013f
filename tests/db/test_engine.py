"""``CallSessions``: inside ``hold()`` the sessions of a call run on one pooled connection, one after the
other; a session opened while another is mid-transaction gets a connection of its own."""
from __future__ import annotations

from sqlalchemy import text

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
