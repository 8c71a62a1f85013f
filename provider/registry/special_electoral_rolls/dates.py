"""Dates of the rolls: calendar years and months, and the bimonthly revisions (δίμηνες αναθεωρήσεις).

A revision is a two-month period of a year: 1 = January–February, ..., 6 = November–December.
The changes of a period are sent with its revision; its deadline is the period's last day, and the
roll is posted from the 1st to the 10th of the month after (circular §4.1, §4.2).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Law 3838/2010 (ΦΕΚ Α΄ 49/24.3.2010) gave homogeneis and third-country nationals the vote in local
# elections: no application to the special rolls can be older.
LAW_IN_FORCE = dt.date(2010, 3, 24)
PERIODS_PER_YEAR = 6
POSTING_DAYS = 10
# Municipalities date their acts in Greek time: "today" is the date in Athens, not in UTC.
GREECE = ZoneInfo("Europe/Athens")


def greek_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(GREECE).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months; the 31st becomes the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years (29 February becomes 28 February in a common year)."""
    return add_months(day, 12 * years)


def latest_extension(deadline: dt.date) -> dt.date:
    """The furthest a registration deadline may be extended: two months from the day after it (§2.5)."""
    return add_months(deadline + dt.timedelta(days=1), 2) - dt.timedelta(days=1)


def years_completed(start: dt.date, end: dt.date, years: int) -> bool:
    """Whether ``years`` whole years have passed from ``start`` by ``end``."""
    return add_years(start, years) <= end


@dataclass(frozen=True, order=True)
class Revision:
    year: int
    period: int  # 1..6

    def __post_init__(self) -> None:
        if not 1 <= self.period <= PERIODS_PER_YEAR:
            raise ValueError(f"revision period {self.period} is not 1..{PERIODS_PER_YEAR}")

    @classmethod
    def of(cls, day: dt.date) -> Revision:
        """The revision whose two months contain ``day``."""
        return cls(day.year, (day.month - 1) // 2 + 1)

    @classmethod
    def from_key(cls, key: int) -> Revision:
        return cls(*divmod(key, 10))

    @property
    def key(self) -> int:
        """The revision as stored: ``year * 10 + period``, ordered like the revisions."""
        return self.year * 10 + self.period

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 2 * self.period - 1, 1)

    @property
    def deadline(self) -> dt.date:
        """The last day of the two months: a file completed later belongs to the next revision."""
        return add_months(self.start, 2) - dt.timedelta(days=1)

    @property
    def posting_from(self) -> dt.date:
        return self.deadline + dt.timedelta(days=1)

    @property
    def posting_to(self) -> dt.date:
        return self.posting_from + dt.timedelta(days=POSTING_DAYS - 1)

    def next(self) -> Revision:
        return Revision.of(self.deadline + dt.timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.year}/{self.period} ({self.start:%d-%m-%Y} έως {self.deadline:%d-%m-%Y})"
