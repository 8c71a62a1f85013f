"""The per-agency concurrency cap: at most N calls of one agency in progress at once, across every
worker and process, so one agency cannot take every worker while the others queue behind it.

The state is in the database (table ``agency_call_slots``): an agency's slots are numbered
0 … N-1 and a call holds one, taken with an INSERT … ON CONFLICT DO NOTHING when the slot is free (no
row) or an UPDATE … WHERE expires_at <= now when its holder's lease has run out; neither locks a
slot it does not take, so callers racing for slots cannot deadlock. A call first tries one slot blind:
the one its thread's last call of the agency held, else one at random; only when that one is held
does it read the agency's slots and try the free or expired ones. Two callers can never hold the
same slot, whichever process they run in, and a call that finds every slot taken is refused at once
with ``MP_CONCURRENCY_LIMIT`` rather than queued.

A call's slot is taken in its admission transaction (``ConcurrencyCap.admit``), which also counts the
call against the agency's daily quota (provider/access/accreditation.py): a call refused for its slot
counts nothing, and a call refused for the quota keeps no slot. On PostgreSQL the blind try and the
quota are one statement, whose quota upsert only counts when the slot was taken. The slot is released
in the transaction of the call's audit event (audit/events.py), just before the answer is signed and
sent. When the release itself fails (the database went away under the call), the worker keeps the
slot and releases it before its next acquisition, so an outage does not shrink the agency's cap once
the database is back. A worker that dies holding a slot cannot release it, so each slot is a lease
that expires after ``lease_seconds``: a longer call than that may let one more call in, never fewer.
"""
from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Integer, Select, bindparam, delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.models import CallSlot, DailyUsage
from provider.access.accreditation import Caller, check_quota, count_call, counting, quota_parameters
from provider.errors import ErrorCode, MitrooError


@dataclass(frozen=True)
class Slot:
    agency_id: int
    number: int
    call_sequence_id: str


_SLOTS = CallSlot.__table__
_HELD = select(_SLOTS.c.slot, _SLOTS.c.expires_at).where(_SLOTS.c.agency_id == bindparam("agency_id"))
# Freeing a slot, if its call still holds it: run by audit.events.record in the call's audit transaction.
RELEASE = delete(_SLOTS).where(
    _SLOTS.c.agency_id == bindparam("p_agency"), _SLOTS.c.slot == bindparam("p_slot"),
    _SLOTS.c.call_sequence_id == bindparam("p_holder"),
)
# Taking a slot locks no row it does not get, so two callers racing for the same slots inside their
# admission transactions cannot deadlock: a free slot is taken by an INSERT that does nothing on a
# conflict; a slot whose lease ran out, by an UPDATE that only matches it while it is still expired.
# (Bind parameters named unlike the columns: an UPDATE reserves the column names for its SET clause.)
_TAKE_EXPIRED = update(_SLOTS).where(
    _SLOTS.c.agency_id == bindparam("p_agency"), _SLOTS.c.slot == bindparam("p_slot"),
    _SLOTS.c.expires_at <= bindparam("p_now"),
).values(call_sequence_id=bindparam("p_holder"), expires_at=bindparam("p_until")).returning(_SLOTS.c.slot)
_TAKE_FREE = {
    dialect: insert(_SLOTS).values(
        agency_id=bindparam("p_agency"), slot=bindparam("p_slot"), call_sequence_id=bindparam("p_holder"),
        expires_at=bindparam("p_until"),
    ).on_conflict_do_nothing(index_elements=[_SLOTS.c.agency_id, _SLOTS.c.slot]).returning(_SLOTS.c.slot)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def _take_free_counting() -> Select[int | None, int | None]:
    """PostgreSQL: take a free slot and, only if it was taken, count the call against the daily quota, in
    one statement; it returns the slot (NULL: held) and the calls counted (NULL: not counted)."""
    taken = _TAKE_FREE["postgresql"].cte("taken")
    usage = DailyUsage.__table__
    day_row = select(bindparam("agency_id", type_=Integer), bindparam("day", type_=Date), literal(1)).select_from(taken)
    counted = counting(pg_insert(usage).from_select(["agency_id", "day", "calls"], day_row)).cte("counted")
    return select(select(taken.c.slot).scalar_subquery(), select(counted.c.calls).scalar_subquery())


_TAKE_FREE_COUNTING = _take_free_counting()


class _LastSlots(threading.local):
    """Per thread: agency id -> the slot the thread's last call of that agency held."""

    def __init__(self) -> None:
        self.slots: dict[int, int] = {}


class ConcurrencyCap:
    def __init__(self, sessions: sessionmaker[Session], *, limit: int, lease_seconds: int) -> None:
        self.sessions = sessions
        self.limit = limit  # 0: no cap
        self.lease = dt.timedelta(seconds=lease_seconds)
        self._unreleased: list[Slot] = []  # slots whose release failed; released at the next acquire
        self._lock = threading.Lock()
        self._last = _LastSlots()

    def _guess(self, agency_id: int) -> int:
        """The slot to try blind: the one this thread's last call of the agency held, which that call's
        audit freed (unless another call has taken it since), else one at random. With every slot of an
        agency busy, a random guess finds its slot held as often as the slots are; the thread's own
        last slot is nearly always free."""
        number = self._last.slots.get(agency_id)
        return number if number is not None and number < self.limit else random.randrange(self.limit)

    def _remember(self, slot: Slot | None) -> Slot | None:
        if slot is not None:
            self._last.slots[slot.agency_id] = slot.number
        return slot

    def admit(self, session: Session, caller: Caller, call_sequence_id: str, now: dt.datetime) -> Slot | None:
        """Take one of the agency's slots (None when there is no cap) and count the call against the
        agency's daily quota, on the call's admission ``session``, and commit. Refused with
        ``MP_CONCURRENCY_LIMIT`` (nothing counted) or ``MP_QUOTA_EXCEEDED`` (the transaction rolled back,
        so the call keeps no slot)."""
        slot = None
        if self.limit > 0:
            self._release_unreleased(session)
            if session.get_bind().dialect.name == "postgresql":
                number = self._guess(caller.agency_id)
                taken, calls = session.execute(_TAKE_FREE_COUNTING, {
                    **self._parameters(caller, call_sequence_id, now, number), **quota_parameters(caller, now.date()),
                }).one()
                if taken is not None:
                    slot = Slot(caller.agency_id, number, call_sequence_id)
                    return self._remember(_admitted(session, caller, slot, calls, now))
                slot = self._take(session, caller, call_sequence_id, now, tried_one=True)
            else:
                slot = self._take(session, caller, call_sequence_id, now)
        return self._remember(_admitted(session, caller, slot, count_call(session, caller, now.date()), now))

    def acquire(self, caller: Caller, call_sequence_id: str, now: dt.datetime, session: Session | None = None
                ) -> Slot | None:
        """Take one of the agency's slots, or raise ``MP_CONCURRENCY_LIMIT``; None when there is no cap.
        Counts nothing against the quota (``admit`` does, for a call). On ``session`` the slot is taken in
        its transaction, which the caller commits; without one, in a transaction of its own."""
        if self.limit <= 0:
            return None
        if session is None:
            with self.sessions() as own:
                slot = self.acquire(caller, call_sequence_id, now, own)
                own.commit()
                return slot
        self._release_unreleased(session)
        return self._take(session, caller, call_sequence_id, now)

    def _take(self, session: Session, caller: Caller, call_sequence_id: str, now: dt.datetime,
              tried_one: bool = False) -> Slot:
        """A slot tried blind (``_guess``; unless the caller has ``tried_one`` already); when that one
        is held, the first of the free or expired slots read that can be taken; or ``MP_CONCURRENCY_LIMIT``."""
        dialect = session.get_bind().dialect.name
        if not tried_one:
            number = self._guess(caller.agency_id)
            parameters = self._parameters(caller, call_sequence_id, now, number)
            if session.execute(_TAKE_FREE[dialect], parameters).scalar_one_or_none() is not None:
                return Slot(caller.agency_id, number, call_sequence_id)
        # Racing callers may take every slot this one found free; slots freed meanwhile are found by
        # reading them once more.
        for _ in range(2):
            held = {slot: expires for slot, expires in session.execute(_HELD, {"agency_id": caller.agency_id})}
            free = [number for number in range(self.limit) if number not in held or held[number] <= now]
            random.shuffle(free)  # racing callers rarely try the same slot first
            for number in free:
                parameters = self._parameters(caller, call_sequence_id, now, number)
                # An expired slot may have been freed since it was read: then it is inserted again.
                statements = (_TAKE_EXPIRED, _TAKE_FREE[dialect]) if number in held else (_TAKE_FREE[dialect],)
                if any(session.execute(statement, parameters).scalar_one_or_none() is not None
                       for statement in statements):
                    return Slot(caller.agency_id, number, call_sequence_id)
            if not free:
                break
        raise MitrooError(
            ErrorCode.MP_CONCURRENCY_LIMIT,
            f"ο φορέας {caller.agency_code} έχει ήδη {self.limit} κλήσεις σε εξέλιξη, το όριο ταυτόχρονων κλήσεων "
            f"(at most {self.limit} calls of one agency at once)",
        )

    def _parameters(self, caller: Caller, call_sequence_id: str, now: dt.datetime, number: int) -> dict[str, Any]:
        return {"p_agency": caller.agency_id, "p_slot": number, "p_holder": call_sequence_id,
                "p_until": now + self.lease, "p_now": now}

    def release(self, slot: Slot) -> None:
        """Free ``slot`` if this call still holds it (after a lease ran out, another call may), in a
        transaction of its own: for a call whose audit transaction, which frees it otherwise, failed. If
        the database cannot be reached, the slot is kept and freed before this worker's next acquisition."""
        try:
            with self.sessions() as own:
                own.execute(RELEASE, release_parameters(slot))
                own.commit()
        except SQLAlchemyError:
            with self._lock:
                self._unreleased.append(slot)
            raise

    def _release_unreleased(self, session: Session) -> None:
        with self._lock:
            slots, self._unreleased = self._unreleased, []
        if not slots:
            return
        try:
            session.execute(RELEASE, [release_parameters(slot) for slot in slots])
            session.commit()
        except SQLAlchemyError:
            with self._lock:
                self._unreleased.extend(slots)
            raise


def _admitted(session: Session, caller: Caller, slot: Slot | None, calls: int | None, now: dt.datetime) -> Slot | None:
    """Commit the admission of a call holding ``slot`` whose count against the quota came to ``calls``;
    roll it back when the quota was spent, so the refused call keeps no slot."""
    try:
        check_quota(caller, calls, now.date())
    except MitrooError:
        session.rollback()
        raise
    session.commit()
    return slot


def release_parameters(slot: Slot) -> dict[str, Any]:
    """The parameters of ``RELEASE`` for ``slot``."""
    return {"p_agency": slot.agency_id, "p_slot": slot.number, "p_holder": slot.call_sequence_id}
