"""The per-agency concurrency cap: at most N calls of one agency in progress at once, across every
worker and process, so one agency cannot take every worker while the others queue behind it.

The state is in the database (table ``agency_call_slots``): an agency's slots are numbered
0 … N-1 and a call holds one, taken with an INSERT … ON CONFLICT DO NOTHING when the slot is free (no
row) or an UPDATE … WHERE expires_at <= now when its holder's lease has run out; neither locks a
slot it does not take, so callers racing for slots cannot deadlock. Two callers can never hold the
same slot, whichever process they run in, and a call that finds every slot taken is refused at once
with ``MP_CONCURRENCY_LIMIT`` rather than queued. The slot is taken in the call's admission
transaction and released in the transaction of its audit event, just before the answer is signed and
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

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.models import CallSlot
from provider.access.accreditation import Caller
from provider.errors import ErrorCode, MitrooError


@dataclass(frozen=True)
class Slot:
    agency_id: int
    number: int
    call_sequence_id: str


_SLOTS = CallSlot.__table__
_HELD = select(_SLOTS.c.slot, _SLOTS.c.expires_at).where(_SLOTS.c.agency_id == bindparam("agency_id"))
_RELEASE = delete(_SLOTS).where(
    _SLOTS.c.agency_id == bindparam("agency_id"), _SLOTS.c.slot == bindparam("slot"),
    _SLOTS.c.call_sequence_id == bindparam("call_sequence_id"),
)
# Taking a slot locks no row it does not get, so two callers racing for the same slots inside their
# admission transactions cannot deadlock: a free slot is taken by an INSERT that does nothing on a
# conflict; a slot whose lease ran out, by an UPDATE that only matches it while it is still expired.
# (Bind parameters named unlike the columns: an UPDATE reserves the column names for its SET clause.)
_TAKE_EXPIRED = update(_SLOTS).where(
    _SLOTS.c.agency_id == bindparam("p_agency"), _SLOTS.c.slot == bindparam("p_slot"),
    _SLOTS.c.expires_at <= bindparam("p_now"),
).values(call_sequence_id=bindparam("p_holder"), expires_at=bindparam("p_until")).returning(_SLOTS.c.slot)


def _take_free_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(_SLOTS).values(
        agency_id=bindparam("p_agency"), slot=bindparam("p_slot"), call_sequence_id=bindparam("p_holder"),
        expires_at=bindparam("p_until"),
    ).on_conflict_do_nothing(index_elements=[_SLOTS.c.agency_id, _SLOTS.c.slot]).returning(_SLOTS.c.slot)


_TAKE_FREE = {dialect: _take_free_statement(dialect) for dialect in ("postgresql", "sqlite")}


class ConcurrencyCap:
    def __init__(self, sessions: sessionmaker[Session], *, limit: int, lease_seconds: int) -> None:
        self.sessions = sessions
        self.limit = limit  # 0: no cap
        self.lease = dt.timedelta(seconds=lease_seconds)
        self._unreleased: list[Slot] = []  # slots whose release failed; released at the next acquire
        self._lock = threading.Lock()

    def acquire(self, caller: Caller, call_sequence_id: str, now: dt.datetime, session: Session | None = None
                ) -> Slot | None:
        """Take one of the agency's slots, or raise ``MP_CONCURRENCY_LIMIT``; None when there is no cap.
        On ``session`` (the gateway's admission transaction) the slot is taken in its transaction, which
        the caller commits; without one, in a transaction of its own."""
        if self.limit <= 0:
            return None
        if session is None:
            with self.sessions() as own:
                slot = self.acquire(caller, call_sequence_id, now, own)
                own.commit()
                return slot
        self._release_unreleased(session)
        take_free = _TAKE_FREE[session.get_bind().dialect.name]
        # Racing callers may take every slot this one found free; slots freed meanwhile are found by
        # reading them once more.
        for _ in range(2):
            held = {slot: expires for slot, expires in session.execute(_HELD, {"agency_id": caller.agency_id})}
            free = [number for number in range(self.limit) if number not in held or held[number] <= now]
            random.shuffle(free)  # racing callers rarely try the same slot first
            for number in free:
                parameters = {"p_agency": caller.agency_id, "p_slot": number, "p_holder": call_sequence_id,
                              "p_until": now + self.lease, "p_now": now}
                # An expired slot may have been freed since it was read: then it is inserted again.
                statements = (_TAKE_EXPIRED, take_free) if number in held else (take_free,)
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

    def release(self, slot: Slot, session: Session | None = None) -> None:
        """Free ``slot`` if this call still holds it (after a lease ran out, another call may). On
        ``session`` (the call's audit transaction) the caller commits; if that fails, the caller
        releases the slot again without one. Without a session, if the database cannot be reached,
        the slot is kept and freed before this worker's next acquisition."""
        if session is not None:
            session.execute(_RELEASE, _release_parameters(slot))
            return
        try:
            with self.sessions() as own:
                own.execute(_RELEASE, _release_parameters(slot))
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
            session.execute(_RELEASE, [_release_parameters(slot) for slot in slots])
            session.commit()
        except SQLAlchemyError:
            with self._lock:
                self._unreleased.extend(slots)
            raise


def _release_parameters(slot: Slot) -> dict[str, Any]:
    return {"agency_id": slot.agency_id, "slot": slot.number, "call_sequence_id": slot.call_sequence_id}
