"""provider.registry.civil_registry_acts.criteria without a database: what the rules normalise (the rules themselves are
exercised over HTTP in tests/e2e/test_civil_registry_acts_input.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from provider.errors import ErrorCode, MitrooError
from provider.registry.civil_registry_acts.criteria import (
    DEFAULT_MAX_RESULTS,
    ActReference,
    PersonCriteria,
    SearchCriteria,
    check_lookup,
    check_search,
    registry_today,
)

TODAY = dt.date(2026, 11, 23)
UTC = dt.UTC


@pytest.mark.parametrize(("moment", "day"), [
    (dt.datetime(2026, 12, 31, 22, 30, tzinfo=UTC), dt.date(2027, 1, 1)),  # EET, UTC+2
    (dt.datetime(2026, 7, 1, 20, 59, tzinfo=UTC), dt.date(2026, 7, 1)),  # EEST, UTC+3
    (dt.datetime(2026, 7, 1, 21, 0, tzinfo=UTC), dt.date(2026, 7, 2)),
])
def test_today_is_the_registry_s_day_in_athens(moment: dt.datetime, day: dt.date) -> None:
    assert registry_today(moment) == day


def test_names_are_compared_in_the_registry_s_form() -> None:
    person = PersonCriteria(surname=" Ράφιος ", firstname="δρόσος", fathername="Φιλήμων", mothername="",
                            birthdate=dt.date(1984, 5, 28))
    assert check_lookup(None, person, TODAY) == PersonCriteria(
        surname="ΡΑΦΙΟΣ", firstname="ΔΡΟΣΟΣ", fathername="ΦΙΛΗΜΩΝ", birthdate=dt.date(1984, 5, 28))


def test_amka_and_office_code_are_compacted() -> None:
    assert check_lookup(None, PersonCriteria(amka=" 280584 60537 "), TODAY) == PersonCriteria(amka="28058460537")
    assert check_lookup(ActReference(" l4501 ", 1, 1984, 1), None, TODAY) == ActReference("L4501", 1, 1984, 1)


def test_search_defaults() -> None:
    checked = check_search(SearchCriteria(registry_office_code="l4501", year_from=1984, year_to=1984,
                                          act_type=" birth "), TODAY)
    assert checked == SearchCriteria(None, "BIRTH", "L4501", 1984, 1984, DEFAULT_MAX_RESULTS)


@pytest.mark.parametrize("year", [1899, 2027])
def test_years_are_within_the_registry_s_range(year: int) -> None:
    with pytest.raises(MitrooError) as caught:
        check_lookup(ActReference("L0101", 1, year), None, TODAY)
    assert caught.value.code is ErrorCode.MP_INVALID_INPUT and caught.value.detail.startswith("year: ")
