"""Bimonthly revisions, calendar arithmetic, the deadline extension and the Greek date."""
from __future__ import annotations

import datetime as dt

import pytest

from provider.registry.special_electoral_rolls.dates import (
    Revision,
    add_years,
    greek_date,
    latest_extension,
    years_completed,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "year", "period", "start", "deadline", "posting"),
    [(D(2010, 6, 5), 2010, 3, D(2010, 5, 1), D(2010, 6, 30), (D(2010, 7, 1), D(2010, 7, 10))),
     (D(2010, 4, 30), 2010, 2, D(2010, 3, 1), D(2010, 4, 30), (D(2010, 5, 1), D(2010, 5, 10))),
     (D(2012, 2, 29), 2012, 1, D(2012, 1, 1), D(2012, 2, 29), (D(2012, 3, 1), D(2012, 3, 10))),
     (D(2010, 12, 31), 2010, 6, D(2010, 11, 1), D(2010, 12, 31), (D(2011, 1, 1), D(2011, 1, 10)))],
)
def test_revision_of_a_day(day: dt.date, year: int, period: int, start: dt.date, deadline: dt.date,
                           posting: tuple[dt.date, dt.date]) -> None:
    revision = Revision.of(day)
    assert (revision.year, revision.period, revision.start, revision.deadline) == (year, period, start, deadline)
    assert (revision.posting_from, revision.posting_to) == posting
    assert Revision.from_key(revision.key) == revision and revision.key == year * 10 + period


def test_revisions_order_and_follow_each_other() -> None:
    assert Revision(2010, 6).next() == Revision(2011, 1) and Revision(2010, 3).next() == Revision(2010, 4)
    assert Revision(2010, 6) < Revision(2011, 1) and Revision(2010, 6).key < Revision(2011, 1).key
    with pytest.raises(ValueError):
        Revision(2010, 7)


def test_years() -> None:
    assert add_years(D(2008, 2, 29), 2) == D(2010, 2, 28)
    assert years_completed(D(2008, 5, 5), D(2010, 5, 5), 2) and not years_completed(D(2008, 5, 5), D(2010, 5, 4), 2)


def test_the_deadline_may_be_extended_by_two_months() -> None:
    assert latest_extension(D(2010, 6, 30)) == D(2010, 8, 31)
    assert latest_extension(D(2010, 6, 15)) == D(2010, 8, 15)


def test_today_is_the_date_in_greece() -> None:
    assert greek_date(dt.datetime(2026, 11, 23, 22, 30, tzinfo=dt.UTC)) == D(2026, 11, 24)
    assert greek_date(dt.datetime(2026, 7, 1, 20, 59, tzinfo=dt.UTC)) == D(2026, 7, 1)
    assert greek_date(dt.datetime(2026, 7, 1, 21, 0, tzinfo=dt.UTC)) == D(2026, 7, 2)
