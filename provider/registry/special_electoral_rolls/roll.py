"""getSpecialElectoralRoll: a municipality's special roll as it stands at the end of a bimonthly
revision, with the fields of circular §4.1, and the additions and deletions of that revision (the
changes sent to the Ministry with the revision and posted from the 1st to the 10th of the next
month), and whether the Ministry has finalized it (``finalizedOn``; provisional until then). A
correction shows as the old row deleted and the new one added; a row added and removed within the
same revision is in neither list."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import RollEntry, RollFinalization
from provider.registry.special_electoral_rolls import criteria, records, scope, store, views
from provider.registry.special_electoral_rolls.dates import LAW_IN_FORCE, PERIODS_PER_YEAR, Revision
from provider.registry.special_electoral_rolls.residence import Place


@dataclass(frozen=True)
class Roll:
    municipality: Place
    revision: Revision
    entries: tuple[views.EntryView, ...]
    additions: tuple[views.EntryView, ...]
    deletions: tuple[views.EntryView, ...]
    finalized_on: dt.date | None = None  # the Ministry's final finalization; None: provisional

    @property
    def subjects(self) -> frozenset[int]:
        return frozenset(e.person_id for e in (*self.entries, *self.deletions))


def revision(year: int | None, period: int | None, today: dt.date) -> Revision:
    if period is None or not 1 <= period <= PERIODS_PER_YEAR:
        raise criteria.invalid("revisionPeriod", f"{period}: δίμηνο 1 (Ιαν.-Φεβ.) έως {PERIODS_PER_YEAR} (Νοε.-Δεκ.)")
    if year is None or not LAW_IN_FORCE.year <= year <= today.year:
        raise criteria.invalid("revisionYear", f"{year}: από {LAW_IN_FORCE.year} έως {today.year}")
    asked = Revision(year, period)
    if asked.deadline < LAW_IN_FORCE:
        raise criteria.invalid("revisionPeriod", f"η αναθεώρηση {asked} προηγείται του ν. 3838/2010")
    if asked.start > today:
        raise criteria.invalid("revisionPeriod", f"η αναθεώρηση {asked} δεν έχει αρχίσει (future revision)")
    return asked


def special_roll(session: Session, context: store.Context, municipality_code: str | None, year: int | None,
                 period: int | None) -> Roll:
    code = criteria.municipality_code("municipalityCode", municipality_code, required=True)
    assert code is not None
    asked = revision(year, period, context.today)
    municipality_id, place = records.municipality(session, code)
    scope.check_reads(session, scope.acting(session, context.caller), municipality_id, "δει τον ειδικό κατάλογο")
    key, here = asked.key, RollEntry.municipality_id == municipality_id
    still = or_(RollEntry.removed_revision.is_(None), RollEntry.removed_revision > key)
    finalized_on = session.scalar(select(RollFinalization.finalized_on).where(
        RollFinalization.municipality_id == municipality_id, RollFinalization.revision == key))
    return Roll(
        place, asked,
        tuple(_as_of(e, key) for e in views.entries(session, here, RollEntry.added_revision <= key, still)),
        tuple(_as_of(e, key) for e in views.entries(session, here, RollEntry.added_revision == key, still)),
        tuple(views.entries(session, here, RollEntry.removed_revision == key, RollEntry.added_revision < key)),
        finalized_on,
    )


def _as_of(entry: views.EntryView, key: int) -> views.EntryView:
    """The entry as the roll of revision ``key`` shows it: a later removal is not known yet."""
    if entry.removed is not None and entry.removed.key > key:
        return replace(entry, removed=None, removed_reason=None, removed_by=None)
    return entry
