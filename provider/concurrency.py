"""The per-agency concurrency cap: at most N calls of one agency in progress at once, across every
worker and process, so one agency cannot take every worker while the others queue behind it.

The state is in the database (table ``agency_call_slots``): an agency's slots are numbered
0 … N-1 and a call holds one, taken with a single INSERT … ON CONFLICT DO UPDATE that succeeds only
on a slot that is free (no row) or whose holder's lease has run out. Two callers can never hold the
same slot, whichever process they run in, and a call that finds every slot taken is refused at once
with ``MP_CONCURRENCY_LIMIT`` rather than queued. The slot is released once the call's audit event
is written, in the same transaction, just before the answer is signed and sent. When the release
itself fails (the database went away under the call), the worker keeps the slot and releases it
before its next acquisition, so an outage does not shrink the agency's cap once the database is
back. A worker that dies holding a slot cannot release it, so each slot is a
lease that expires after ``lease_seconds``: a longer call than that may let one more call in, never
fewer.
"""
from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.models import CallSlot
from provider.accreditation import Caller
from provider.errors import ErrorCode, MitrooError


@dataclass(frozen=True)
class Slot:
    agency_id: int
    number: int
    call_sequence_id: str


_SLOTS = CallSlot.__table__
_TAKEN = select(_SLOTS.c.slot).where(_SLOTS.c.agency_id == bindparam("agency_id"), _SLOTS.c.expires_at > bindparam("now"))
_RELEASE = delete(_SLOTS).where(
    _SLOTS.c.agency_id == bindparam("agency_id"), _SLOTS.c.slot == bindparam("slot"),
    _SLOTS.c.call_sequence_id == bindparam("call_sequence_id"),
)


def _take_statement(dialect: str) -> Any:
    """Take slot ``slot`` when it is free: no row, or its holder's lease ran out before ``now``."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_SLOTS).values(
        agency_id=bindparam("agency_id"), slot=bindparam("slot"), call_sequence_id=bindparam("call_sequence_id"),
        expires_at=bindparam("expires_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=[_SLOTS.c.agency_id, _SLOTS.c.slot],
        set_={"call_sequence_id": statement.excluded.call_sequence_id, "expires_at": statement.excluded.expires_at},
        where=_SLOTS.c.expires_at <= bindparam("now"),
    ).returning(_SLOTS.c.slot)


_TAKE = {dialect: _take_statement(dialect) for dialect in ("postgresql", "sqlite")}


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
        taken = set(session.scalars(_TAKEN, {"agency_id": caller.agency_id, "now": now}))
        free = [number for number in range(self.limit) if number not in taken]
        random.shuffle(free)  # racing callers rarely try the same slot first
        take = _TAKE[session.get_bind().dialect.name]
        for number in free:
            parameters = {"agency_id": caller.agency_id, "slot": number, "call_sequence_id": call_sequence_id,
                          "expires_at": now + self.lease, "now": now}
            if session.execute(take, parameters).scalar_one_or_none() is not None:
                return Slot(caller.agency_id, number, call_sequence_id)
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
