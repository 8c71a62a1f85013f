"""A call's admission to the concurrency cap and the daily quota (``ConcurrencyCap.admit``), on SQLite and
PostgreSQL: which refusal counts what, and how many statements an admission sends. (The cap across
provider processes: tests/e2e/test_abuse_controls.py.)"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.engine import make_sessionmaker
from db.models import CallSlot, DailyUsage
from provider.access.accreditation import Caller
from provider.access.concurrency import ConcurrencyCap, Slot
from provider.errors import ErrorCode, MitrooError
from tests.conftest import PreparedDatabase
from tests.processes import caller_of, new_agency
from tests.support import statements_sent


def counted(database: PreparedDatabase, caller: Caller) -> int:
    with Session(database.engine) as session:
        return session.scalar(select(func.sum(DailyUsage.calls)).where(DailyUsage.agency_id == caller.agency_id)) or 0


def holders(database: PreparedDatabase, caller: Caller) -> list[str]:
    with Session(database.engine) as session:
        return sorted(session.scalars(select(CallSlot.call_sequence_id).where(CallSlot.agency_id == caller.agency_id)))


def admit(database: PreparedDatabase, cap: ConcurrencyCap, caller: Caller, call: str,
          now: dt.datetime | None = None) -> list[str]:
    """Admit ``call`` in an admission transaction of its own; the statements it sent."""
    with cap.sessions() as session, statements_sent(database.engine) as statements:
        cap.admit(session, caller, call, now or dt.datetime.now(dt.UTC))
    return statements


def test_an_admission_takes_a_slot_and_counts_the_quota(test_db: PreparedDatabase) -> None:
    """On PostgreSQL a free slot and the quota are one statement; SQLite sends one for each."""
    caller = caller_of(test_db, new_agency(test_db))
    cap = ConcurrencyCap(make_sessionmaker(test_db.engine), limit=4, lease_seconds=60)
    statements = admit(test_db, cap, caller, "first")
    assert len(statements) == (1 if test_db.kind == "postgresql" else 2)
    assert holders(test_db, caller) == ["first"]
    assert counted(test_db, caller) == 1


def test_without_a_cap_only_the_quota_is_counted(test_db: PreparedDatabase) -> None:
    caller = caller_of(test_db, new_agency(test_db))
    cap = ConcurrencyCap(make_sessionmaker(test_db.engine), limit=0, lease_seconds=60)
    statements = admit(test_db, cap, caller, "uncapped")
    assert len(statements) == 1 and "agency_daily_usage" in statements[0]
    assert holders(test_db, caller) == []
    assert counted(test_db, caller) == 1


def test_a_call_refused_for_its_slot_counts_nothing(test_db: PreparedDatabase) -> None:
    caller = caller_of(test_db, new_agency(test_db))
    cap = ConcurrencyCap(make_sessionmaker(test_db.engine), limit=2, lease_seconds=60)
    now = dt.datetime.now(dt.UTC)
    for held in ("held-0", "held-1"):
        cap.acquire(caller, held, now)
    with pytest.raises(MitrooError) as refused:
        admit(test_db, cap, caller, "refused")
    assert refused.value.code is ErrorCode.MP_CONCURRENCY_LIMIT
    assert "at most 2 calls of one agency at once" in str(refused.value)
    assert holders(test_db, caller) == ["held-0", "held-1"]
    assert counted(test_db, caller) == 0


def test_a_call_refused_for_the_quota_keeps_no_slot(test_db: PreparedDatabase) -> None:
    caller = caller_of(test_db, new_agency(test_db, daily_quota=1))
    cap = ConcurrencyCap(make_sessionmaker(test_db.engine), limit=2, lease_seconds=60)
    admit(test_db, cap, caller, "admitted")
    with pytest.raises(MitrooError) as refused:
        admit(test_db, cap, caller, "over-quota")
    assert refused.value.code is ErrorCode.MP_QUOTA_EXCEEDED
    assert "εξάντλησε το ημερήσιο όριο 1 κλήσεων" in str(refused.value)
    assert holders(test_db, caller) == ["admitted"]
    assert counted(test_db, caller) == 1


def test_a_held_slot_tried_blind_falls_back_to_reading_the_slots(test_db: PreparedDatabase) -> None:
    """With one slot, held by a call whose lease ran out, the blind try meets it held: the slots are read
    and the expired one taken over (the quota counted once)."""
    caller = caller_of(test_db, new_agency(test_db))
    cap = ConcurrencyCap(make_sessionmaker(test_db.engine), limit=1, lease_seconds=60)
    now = dt.datetime.now(dt.UTC)
    cap.acquire(caller, "expired", now - dt.timedelta(seconds=61))
    statements = admit(test_db, cap, caller, "next", now)
    assert len(statements) == 4  # the blind try, the read, the take-over, the quota
    assert holders(test_db, caller) == ["next"]
    assert counted(test_db, caller) == 1


def test_a_thread_first_tries_the_slot_its_last_call_held(test_db: PreparedDatabase) -> None:
    """Every other slot of the agency held elsewhere, the thread's next call still takes a slot at its
    first try (on PostgreSQL one statement with the quota): the one its last call held and freed. A
    random first try would find a held slot 7 times in 8; three calls in a row make that 1 in 512."""
    caller = caller_of(test_db, new_agency(test_db))
    cap = ConcurrencyCap(make_sessionmaker(test_db.engine), limit=8, lease_seconds=60)
    admit(test_db, cap, caller, "call-0")
    with Session(test_db.engine) as session:
        mine = session.scalar(select(CallSlot.slot).where(CallSlot.call_sequence_id == "call-0"))
        assert mine is not None
        session.add_all(CallSlot(agency_id=caller.agency_id, slot=number, call_sequence_id=f"elsewhere-{number}",
                                 expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60))
                        for number in range(8) if number != mine)
        session.commit()
    held = "call-0"
    for call in ("call-1", "call-2", "call-3"):
        cap.release(Slot(caller.agency_id, mine, held))
        statements = admit(test_db, cap, caller, call)
        assert len(statements) == (1 if test_db.kind == "postgresql" else 2), statements
        assert call in holders(test_db, caller)
        held = call
