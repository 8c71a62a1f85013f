"""The municipality of permanent residence from the residence history (circular §2.2, Annex Γ)."""
from __future__ import annotations

import datetime as dt

import pytest

from provider.registry.special_electoral_rolls.residence import (
    DECLARED_MOVE,
    FORM_210,
    FORM_310,
    FORM_411,
    PERMIT_APPLICATION,
    HistoryRow,
    Place,
    correcting_form,
    permanent_residence,
    stays,
)

D = dt.date
A, B, C, ATHENS = Place("0001", "Α"), Place("0002", "Β"), Place("0003", "Γ"), Place("4501", "Αθηναίων")


def row(place: Place, start: dt.date, source: str = PERMIT_APPLICATION, registered: dt.date | None = None) -> HistoryRow:
    return HistoryRow(place, start, registered or start, source)


@pytest.mark.parametrize(
    ("history", "on", "expected"),
    [
        ([row(A, D(2008, 1, 1))], D(2010, 1, 1), A),  # exactly two years
        ([row(A, D(2008, 1, 2))], D(2010, 1, 1), None),  # a day short
        ([row(A, D(2005, 1, 1)), row(B, D(2008, 1, 1), DECLARED_MOVE)], D(2010, 6, 1), B),  # the last move, 2 years on
        ([row(A, D(2005, 1, 1)), row(B, D(2009, 1, 1), DECLARED_MOVE)], D(2010, 6, 1), A),  # not yet: the previous one
        ([row(A, D(2005, 1, 1)), row(B, D(2006, 1, 1), DECLARED_MOVE), row(C, D(2009, 9, 1))], D(2010, 6, 1), B),
        ([row(A, D(2007, 1, 1)), row(B, D(2008, 1, 1), DECLARED_MOVE), row(C, D(2009, 9, 1))], D(2010, 6, 1), None),
        # a declared move counts from its registration, a form 411 from the real move
        ([row(A, D(2006, 1, 1)), row(B, D(2008, 5, 5), DECLARED_MOVE, D(2008, 9, 7))], D(2010, 5, 20), A),
        ([row(A, D(2006, 1, 1)), row(B, D(2008, 5, 5), DECLARED_MOVE, D(2008, 9, 7)),
          row(B, D(2008, 5, 5), FORM_411, D(2010, 5, 1))], D(2010, 5, 20), B),
        # rows registered later are not yet in the system
        ([row(A, D(2006, 1, 1)), row(B, D(2008, 1, 1), FORM_210, D(2010, 6, 18))], D(2010, 6, 5), A),
        ([row(A, D(2006, 1, 1)), row(B, D(2008, 1, 1), FORM_210, D(2010, 6, 18))], D(2010, 6, 18), B),
        # a certification by the Region joins the later stay in the same municipality
        ([row(C, D(2001, 3, 1), FORM_310, D(2010, 6, 10)), row(C, D(2005, 4, 20)), row(A, D(2006, 11, 2), DECLARED_MOVE),
          row(B, D(2008, 6, 16), DECLARED_MOVE), row(ATHENS, D(2009, 12, 1), DECLARED_MOVE)], D(2010, 6, 21), C),
        ([row(C, D(2001, 3, 1), FORM_310, D(2010, 6, 10)), row(C, D(2005, 4, 20)), row(A, D(2006, 11, 2), DECLARED_MOVE),
          row(B, D(2008, 6, 16), DECLARED_MOVE), row(ATHENS, D(2009, 12, 1), DECLARED_MOVE)], D(2010, 6, 9), None),
        ([], D(2010, 6, 21), None),
    ],
)
def test_permanent_residence(history: list[HistoryRow], on: dt.date, expected: Place | None) -> None:
    assert permanent_residence(history, on).place == expected


def test_stays_merge_one_municipality_and_end_on_the_day() -> None:
    shown = stays([row(A, D(2005, 1, 1)), row(A, D(2007, 1, 1)), row(B, D(2009, 1, 1), DECLARED_MOVE)], D(2010, 1, 1))
    assert [(s.place, s.start, s.end) for s in shown] == [(A, D(2005, 1, 1), D(2009, 1, 1)),
                                                          (B, D(2009, 1, 1), D(2010, 1, 1))]


def test_which_form_corrects_a_move() -> None:
    history = [row(A, D(2006, 1, 1)), row(B, D(2008, 5, 5), DECLARED_MOVE, D(2008, 9, 7))]
    assert correcting_form(history, B, D(2010, 5, 20)) == "411"  # the system shows the move, too late
    assert correcting_form(history, C, D(2010, 5, 20)) == "210"  # never declared
    assert correcting_form(history, B, D(2008, 9, 1)) == "210"  # not registered yet on that day
