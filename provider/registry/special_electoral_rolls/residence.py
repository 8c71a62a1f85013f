"""The municipality of permanent residence of a holder of a Region or Ministry permit (circular
§2.2.1, §2.2.2 and Annex of section 2, Γ), computed from the residence history the information
system holds on a given day.

Each row counts from its *effective* date: a declared move from the day it was registered in the
system ("από την ημερομηνία καταχώρισης"); a permit application, a late declaration (form 210: two
years before the Mayor's certificate), a supplementary declaration (form 411: the real date of the
move) and a certification by the Region (form 310) from the date they record. Consecutive rows of
one municipality make one stay. The municipality of permanent residence is the most recent stay of
at least two years, the last stay running to the day of the application; this single rule gives
each case the circular describes (the municipality of the permit application after two years; the
last notified move once two years have passed; else the most recent municipality with two years).
No such stay: the municipality is undetermined and the Region certifies it (form 310).

Rows registered after the day asked about are not yet in the system and are ignored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from provider.registry.special_electoral_rolls.dates import years_completed

PERMIT_APPLICATION = "PERMIT_APPLICATION"
DECLARED_MOVE = "DECLARED_MOVE"
FORM_210 = "FORM_210"
FORM_411 = "FORM_411"
FORM_310 = "FORM_310"
SOURCES = (PERMIT_APPLICATION, DECLARED_MOVE, FORM_210, FORM_411, FORM_310)
YEARS_OF_RESIDENCE = 2


@dataclass(frozen=True)
class Place:
    code: str
    name: str


@dataclass(frozen=True)
class HistoryRow:
    place: Place
    from_date: dt.date
    registered_on: dt.date
    source: str

    @property
    def effective(self) -> dt.date:
        """The date the system counts the row from."""
        return self.registered_on if self.source == DECLARED_MOVE else self.from_date


@dataclass(frozen=True)
class Stay:
    place: Place
    start: dt.date
    end: dt.date  # the next stay's start, or the day asked about

    @property
    def long_enough(self) -> bool:
        return years_completed(self.start, self.end, YEARS_OF_RESIDENCE)


@dataclass(frozen=True)
class Residence:
    """``place`` is None when the history shows no stay of two years."""

    place: Place | None
    since: dt.date | None
    stays: tuple[Stay, ...]


def stays(history: tuple[HistoryRow, ...] | list[HistoryRow], on: dt.date) -> tuple[Stay, ...]:
    """The stays the system shows on ``on``, oldest first."""
    visible = sorted((row for row in history if row.registered_on <= on and row.effective <= on),
                     key=lambda row: row.effective)
    starts: list[tuple[Place, dt.date]] = []
    for row in visible:
        if not starts or starts[-1][0] != row.place:
            starts.append((row.place, row.effective))
    ends = [start for _place, start in starts[1:]] + [on]
    return tuple(Stay(place, start, end) for (place, start), end in zip(starts, ends))


def permanent_residence(history: tuple[HistoryRow, ...] | list[HistoryRow], on: dt.date) -> Residence:
    shown = stays(history, on)
    for stay in reversed(shown):
        if stay.long_enough:
            return Residence(stay.place, stay.start, shown)
    return Residence(None, None, shown)


def correcting_form(history: tuple[HistoryRow, ...] | list[HistoryRow], place: Place, on: dt.date) -> str:
    """Which declaration corrects the record of a move to ``place`` the person says happened earlier.

    Form 411 when the system already shows the move (declared but registered late or with a later
    date); form 210 when it does not show it at all (the move was never declared).
    """
    shown = any(row.place == place for row in history if row.registered_on <= on)
    return "411" if shown else "210"
