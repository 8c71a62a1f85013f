"""The certificates tests' data: histories found in the demo dataset (``registry`` fixture) by plain
SQL, and an oracle that reads a family share's composition on a day straight from the tables,
independently of provider.registry.civil_status_certificates.queries, to compare answers with."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, bindparam, text

from tests.acts_data import Registry


@dataclass(frozen=True)
class Event:
    """A membership that began or ended on ``day``: who, in which share."""

    person_id: int
    amka: str
    share_id: int
    municipality_code: str
    share_number: int
    day: dt.date


_EVENT = """
    SELECT p.id, p.amka, s.id, mu.code, s.share_number, m.{column}
    FROM family_share_members m JOIN persons p ON p.id = m.person_id
    JOIN family_shares s ON s.id = m.share_id JOIN municipalities mu ON mu.id = s.municipality_id
    WHERE {condition} ORDER BY m.id LIMIT 1
"""


def _event(registry: Registry, column: str, condition: str, **params: Any) -> Event:
    with registry.engine.connect() as connection:
        row = connection.execute(text(_EVENT.format(column=column, condition=condition)), params).first()
    assert row is not None, f"the demo dataset has no membership with {condition}"
    return Event(*row[:5], _date(row[5]))


def _date(value: Any) -> Any:
    """SQLite answers a plain SQL date as text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def deletion(registry: Registry, reason: str, *, others_stay: bool = True) -> Event:
    """The first membership deleted for ``reason``; with ``others_stay``, in a share where someone else stays."""
    stay = ("AND EXISTS (SELECT 1 FROM family_share_members o WHERE o.share_id = m.share_id "
            "AND o.person_id <> m.person_id AND o.deleted_on IS NULL)") if others_stay else ""
    return _event(registry, "deleted_on", f"m.deletion_reason = :reason {stay}", reason=reason)


def moved(registry: Registry) -> Event:
    """The first member who moved to another municipality (deleted from the old share)."""
    return _event(registry, "deleted_on", "m.deletion_reason = 'ΜΕΤΑΔΗΜΟΤΕΥΣΗ'")


def joined(registry: Registry, membertype: str) -> Event:
    """The first member of ``membertype`` who joined a share created before them (a birth, a remarriage)."""
    return _event(registry, "registered_on", "m.membertype = :type AND m.registered_on > s.created_on "
                  "AND m.deletion_reason IS NULL", type=membertype)


def share_without_living_members(registry: Registry) -> Event:
    return _event(registry, "deleted_on", "m.deletion_reason = 'ΘΑΝΑΤΟΣ' AND NOT EXISTS (SELECT 1 FROM "
                  "family_share_members o JOIN persons q ON q.id = o.person_id WHERE o.share_id = m.share_id "
                  "AND q.deathdate IS NULL)")


def naturalised(registry: Registry) -> int:
    return registry.scalars("SELECT id FROM persons WHERE grnatgaindate IS NOT NULL AND deathdate IS NULL "
                            "ORDER BY id LIMIT 1")[0]


def composition(registry: Registry, share_id: int, day: dt.date) -> set[tuple[Any, ...]]:
    """(amka, membertype, deletereason, deletedate) of every member listed on ``day``, read from the tables."""
    with registry.engine.connect() as connection:  # ``day`` typed: sqlite3's own date adapter is deprecated (3.12)
        rows = connection.execute(text(
            "SELECT p.amka, m.membertype, m.deleted_on, m.deletion_reason FROM family_share_members m "
            "JOIN persons p ON p.id = m.person_id WHERE m.share_id = :share AND m.registered_on <= :day"
        ).bindparams(bindparam("day", type_=Date)), {"share": share_id, "day": day}).all()
    listed = set()
    for amka, kind, deleted, reason in rows:
        gone = deleted is not None and _date(deleted) <= day
        listed.add((amka, kind, reason if gone else None, _date(deleted) if gone else None))
    return listed


def listed(certificate: dict[str, Any]) -> set[tuple[Any, ...]]:
    return {(m["amka"], m["membertype"], m["deletereason"], m["deletedate"]) for m in certificate["member"]}


def member_ids(registry: Registry, share_id: int, day: dt.date) -> set[int]:
    return set(registry.scalars("SELECT person_id FROM family_share_members "
                                "WHERE share_id = :s AND registered_on <= :d", s=share_id, d=day))
