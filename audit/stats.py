"""Statistics over the audit store for ``mitroo-audit stats``: what a person scans for misuse.

- calls per agency, operation and (Greek local) day, with their error rates;
- the top callers (agency and username);
- calls outside a working-hours window (Greek local time, weekdays);
- bursts: a username above N calls within one minute;
- calls per weekday and hour of the day (Greek local time), for a heatmap.

The events of the chosen range are streamed once (``audit.query.search``) and counted in
Python, so the day and the working hours follow Europe/Athens, daylight saving included, on
SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from audit.query import AuditFilter, search

ATHENS = ZoneInfo("Europe/Athens")


@dataclass(frozen=True)
class WorkingHours:
    start: dt.time = dt.time(7, 0)
    end: dt.time = dt.time(19, 0)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0

    def contains(self, local: dt.datetime) -> bool:
        return local.weekday() in self.weekdays and self.start <= local.time() < self.end


# The agency of a call nobody authenticated: its username and operation are only what was claimed.
UNAUTHENTICATED = "(unauthenticated)"


@dataclass(frozen=True)
class DailyCount:
    agency: str
    operation: str
    day: dt.date
    calls: int
    errors: int

    @property
    def error_rate(self) -> float:
        return self.errors / self.calls if self.calls else 0.0


@dataclass(frozen=True)
class Caller:
    agency: str
    username: str
    calls: int
    errors: int


@dataclass(frozen=True)
class Burst:
    username: str
    minute: dt.datetime  # Greek local time, the start of the minute
    calls: int


@dataclass(frozen=True)
class HourCount:
    weekday: int  # Monday = 0 (Greek local time)
    hour: int  # 0-23
    calls: int


@dataclass(frozen=True)
class Stats:
    total: int
    errors: int
    daily: tuple[DailyCount, ...]
    top_callers: tuple[Caller, ...]
    outside_hours: int
    outside_hours_by_caller: tuple[Caller, ...]
    bursts: tuple[Burst, ...]
    hourly: tuple[HourCount, ...] = ()  # only the (weekday, hour) cells with calls


def compute(session: Session, criteria: AuditFilter, *, hours: WorkingHours = WorkingHours(),
            burst_threshold: int = 60, top: int = 10) -> Stats:
    """Statistics of the events matching ``criteria`` (every criterion, IP networks included)."""
    daily: dict[tuple[str, str, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    callers: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    outside: Counter[tuple[str, str]] = Counter()
    per_minute: Counter[tuple[str, dt.datetime]] = Counter()
    per_hour: Counter[tuple[int, int]] = Counter()
    total = errors = 0
    for event in search(session, criteria, batch=5000):
        server_time, agency, username, operation, outcome = (
            event.server_time, event.agency_code, event.username, event.operation, event.outcome)
        local = server_time.astimezone(ATHENS)
        failed = int(outcome != "OK")
        total += 1
        errors += failed
        agency, username = agency or UNAUTHENTICATED, username or UNAUTHENTICATED
        counts = daily[(agency, operation or "(none)", local.date())]
        counts[0] += 1
        counts[1] += failed
        caller = callers[(agency, username)]
        caller[0] += 1
        caller[1] += failed
        if not hours.contains(local):
            outside[(agency, username)] += 1
        per_minute[(username, local.replace(second=0, microsecond=0))] += 1
        per_hour[(local.weekday(), local.hour)] += 1
    ranked = sorted(callers.items(), key=lambda item: (-item[1][0], item[0]))
    return Stats(
        total=total,
        errors=errors,
        daily=tuple(DailyCount(a, o, d, c[0], c[1]) for (a, o, d), c in sorted(daily.items())),
        top_callers=tuple(Caller(a, u, c[0], c[1]) for (a, u), c in ranked[:top]),
        outside_hours=sum(outside.values()),
        outside_hours_by_caller=tuple(Caller(a, u, n, 0) for (a, u), n in
                                      sorted(outside.items(), key=lambda item: (-item[1], item[0]))),
        bursts=tuple(Burst(u, minute, n) for (u, minute), n in sorted(per_minute.items())
                     if n > burst_threshold),
        hourly=tuple(HourCount(day, hour, n) for (day, hour), n in sorted(per_hour.items())),
    )

