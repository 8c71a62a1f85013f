"""Operator actions for the rolls against a real database (SQLite and PostgreSQL): elections with
the two-month extension, and agencies that are municipalities."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from provider.access import admin
from provider.access.admin import AdminError
from provider.registry.special_electoral_rolls import elections
from tests.conftest import PreparedDatabase

D = dt.date


def _code() -> str:
    return f"T-{uuid.uuid4().hex[:8].upper()}"


def test_an_election_and_its_extension(database: PreparedDatabase) -> None:
    code = _code()
    with Session(database.engine) as session, session.begin():
        elections.add_election(session, code, "Δημοτικές εκλογές", D(2028, 10, 8), D(2028, 6, 30))
    with Session(database.engine) as session, session.begin():
        with pytest.raises(AdminError, match="at most two months, to 2028-08-31"):
            elections.extend_deadline(session, code, D(2028, 9, 1))
        with pytest.raises(AdminError, match="after the deadline"):
            elections.extend_deadline(session, code, D(2028, 6, 30))
        elections.extend_deadline(session, code, D(2028, 8, 31))
    with Session(database.engine) as session:
        row = next(r for r in elections.list_elections(session) if r.code == code)
        assert (row.registration_deadline, row.extended_deadline) == (D(2028, 6, 30), D(2028, 8, 31))
    with Session(database.engine) as session, session.begin():
        elections.extend_deadline(session, code, None)
    with Session(database.engine) as session:
        assert next(r for r in elections.list_elections(session) if r.code == code).extended_deadline is None


@pytest.mark.parametrize(
    ("code", "day", "deadline", "message"),
    [("x", D(2028, 10, 8), D(2028, 6, 30), "capital letters"),
     ("OK-CODE", D(2028, 10, 8), D(2028, 10, 8), "before the election day")],
)
def test_an_election_is_checked(database: PreparedDatabase, code: str, day: dt.date, deadline: dt.date,
                                message: str) -> None:
    with Session(database.engine) as session, pytest.raises(AdminError, match=message):
        elections.add_election(session, code, "εκλογές", day, deadline)


def test_an_agency_that_is_a_municipality(database: PreparedDatabase) -> None:
    code = _code().replace("T-", "TM")
    with Session(database.engine) as session, session.begin():
        admin.add_agency(session, code=code, name="Δήμος", legal_basis="ν. 3838/2010", systems=("EEK",),
                         municipality_code="7401")
    with Session(database.engine) as session, session.begin():
        assert next(a for a in admin.list_agencies(session) if a.code == code).municipality == "7401"
        with pytest.raises(AdminError, match="no municipality with code '9999'"):
            admin.set_agency_municipality(session, code, "9999")
        admin.set_agency_municipality(session, code, None)
    with Session(database.engine) as session:
        assert next(a for a in admin.list_agencies(session) if a.code == code).municipality is None
        assert next(a for a in admin.list_agencies(session) if a.code == "DIMOS-4501").municipality == "4501"
        assert next(a for a in admin.list_agencies(session) if a.code == "AADE").municipality is None
