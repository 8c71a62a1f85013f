"""The applications of the synthetic rolls (used by ``provider.synthetic.rolls``): what the municipalities
did from the 2023 local elections to the registry's ``AS_OF``, written the way the service writes it.

About half the holders apply once. A holder entitled elsewhere who applies where they live is taken
"προς απόρριψη" and rejected with the form 210/411 guidance; one not entitled at all is dissuaded
and lodges nothing; the others register where the system (or, for police-issued titles, the
Mayor's certificate) puts them. A criminal record not brought is requested ex officio and delays
the file, sometimes past its revision (carried over to the next) or past ``AS_OF`` (still pending).
Some electors later ask to be deleted, correct their address, or are deleted by the municipality of
their family share after acquiring Greek citizenship. Eligibility, residence, documents, numbers,
guidance and history texts all come from ``provider.registry.special_electoral_rolls``.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from provider.registry.special_electoral_rolls import check, documents, events, guidance, model, store
from provider.registry.special_electoral_rolls.dates import Revision
from provider.registry.special_electoral_rolls.numbers import application_number, special_electoral_number
from provider.registry.special_electoral_rolls.residence import Place
from provider.synthetic.rolls_book import RollBook, Row

FIRST_DAY = dt.date(2023, 10, 9)  # the day after the 2023 local elections
APPLYING = 0.5
WRONG_MUNICIPALITY = 0.08
STREETS = ("ΕΡΜΟΥ", "ΑΘΗΝΑΣ", "ΠΑΤΗΣΙΩΝ", "ΑΧΑΡΝΩΝ", "ΕΛΕΥΘΕΡΙΟΥ ΒΕΝΙΖΕΛΟΥ", "ΚΟΛΟΚΟΤΡΩΝΗ", "ΜΗΤΡΟΠΟΛΕΩΣ",
           "ΑΓΙΟΥ ΝΙΚΟΛΑΟΥ", "ΠΑΠΑΦΛΕΣΣΑ", "ΚΑΝΑΡΗ", "ΜΑΡΚΟΥ ΜΠΟΤΣΑΡΗ", "ΑΝΔΡΕΑ ΠΑΠΑΝΔΡΕΟΥ", "ΚΥΠΡΟΥ", "ΣΟΛΩΜΟΥ")
SYNTHETIC_USER = "synthetic-data"


class Lifecycle:
    def __init__(self, book: RollBook, rng: random.Random, election: Row, as_of: dt.date) -> None:
        self.book, self.rng, self.as_of = book, rng, as_of
        self.election = model.ElectionInfo(election["id"], election["code"], election["name"],
                                           election["election_date"], election["registration_deadline"],
                                           election["extended_deadline"])

    def _day(self, after: dt.date, within: int | None = None) -> dt.date | None:
        last = self.as_of - dt.timedelta(days=1) if within is None else min(after + dt.timedelta(days=within),
                                                                            self.as_of - dt.timedelta(days=1))
        if after > last:
            return None
        return dt.date.fromordinal(self.rng.randint(after.toordinal(), last.toordinal()))

    # -- rows ---------------------------------------------------------------------------------

    def _event(self, application: Row, event: str, day: dt.date, detail: str) -> None:
        place = self._place_of(application["municipality_id"])
        self.book.add("roll_application_events", application_id=application["id"], event=event, event_date=day,
                       recorded_at=dt.datetime.combine(day, dt.time(9), dt.UTC),
                       agency_code=f"DIMOS-{place.code}", username=SYNTHETIC_USER, call_sequence_id=None,
                       detail=detail)

    def _place_of(self, municipality_id: int) -> Place:
        return next(place for mid, place in self.book.places.values() if mid == municipality_id)

    def _application(self, kind: str, applicant: model.Applicant, place: str, day: dt.date, detail: str | None = None,
                     **fields: Any) -> Row:
        municipality_id, where = self.book.place(place)
        values: dict[str, Any] = dict(
            number=None, kind=kind, status="CREATED", holder_id=applicant.holder.person_id,
            permit_id=applicant.permit.id, election_id=self.election.id, municipality_id=municipality_id,
            revision=Revision.of(day).key, application_date=day, criminal_record=None, mothername=None,
            fathersurname=None, phone=None, street=None, street_number=None, postal_code=None,
            electoral_district=None, new_municipality_id=None, protocol_number=None, protocol_date=None,
            completed_on=None, documents=None, passport_number=None, rejection_reason=None, rejection_note=None,
            rejection_office=None, rejection_form=None, rejection_guidance=None, previous_id=None,
            created_at=dt.datetime.combine(day, dt.time(9), dt.UTC),
        )
        values.update(fields)
        row = self.book.add("roll_applications", **values)
        row["number"] = application_number(where.code, day.year, row["id"])
        self._event(row, events.CREATED, day,
                    detail or events.created(kind, where, self.election.code, Revision.of(day)))
        return row

    def _finalize(self, row: Row, applicant: model.Applicant, completed: dt.date, done: Callable[[Row], str]) -> Row:
        revision = Revision.of(row["application_date"])
        if completed > revision.deadline:  # carried over, with a new application for the next revision
            now = Revision.of(completed)
            copied = {k: row[k] for k in store.CARRIED_FIELDS if k not in ("kind", "holder_id", "permit_id",
                                                                            "election_id", "municipality_id")}
            successor = self._application(row["kind"], applicant, self._place_of(row["municipality_id"]).code,
                                          completed, events.successor(now, row["number"]), previous_id=row["id"],
                                          **copied)
            row["status"] = "CARRIED_OVER"
            self._event(row, events.CARRIED_OVER, completed,
                        events.carried_over(completed, revision, now, successor["number"]))
            row = successor
        needed = documents.required(row["kind"], applicant.permit, new_municipality=bool(row["new_municipality_id"]))
        protocol = f"{self.rng.randint(100, 30000)}/{row['application_date']:%d-%m-%Y}"
        row.update(status="FINALIZED", protocol_number=protocol, protocol_date=row["application_date"],
                   completed_on=completed, documents=",".join(sorted(d.code for d in needed)))
        if any(d.code == documents.PASSPORT for d in needed):
            row["passport_number"] = f"{applicant.holder.nationality}{self.rng.randint(10 ** 6, 10 ** 7 - 1)}"
        self._event(row, events.FINALIZED, completed, events.finalized(Revision.from_key(row["revision"]), done(row)))
        return row

    def _entry(self, applicant: model.Applicant, row: Row, municipality_id: int, number: str, reason: str) -> Row:
        return self.book.add("roll_entries", municipality_id=municipality_id, special_electoral_number=number,
                             added_revision=row["revision"], added_reason=reason, added_by=row["id"],
                             removed_revision=None, removed_reason=None, removed_by=None,
                             **store.entry_fields(applicant.holder, row, applicant.permit.number))

    def _address(self) -> dict[str, Any]:
        rng = self.rng
        return dict(street=rng.choice(STREETS), street_number=str(rng.randint(1, 180)),
                    postal_code=f"{rng.randint(10000, 85999)}", electoral_district=f"{rng.randint(1, 7)}Ο ΔΗΜΟΤΙΚΟ "
                    "ΔΙΑΜΕΡΙΣΜΑ", phone=f"69{rng.randint(10 ** 7, 10 ** 8 - 1)}")

    # -- one holder ---------------------------------------------------------------------------

    def holder(self, holder_id: int, permit_id: int, lives_at: Callable[[dt.date], str], police: bool) -> None:
        rng, book = self.rng, self.book
        if rng.random() >= APPLYING:
            return
        in_force = book.by_id[("residence_permits", permit_id)]["valid_from"]
        day = self._day(max(FIRST_DAY, in_force))
        if day is None:
            return
        applicant = book.applicant(holder_id, permit_id, day)
        lives = book.place(lives_at(day))[1]
        residence = check.residence_of(applicant, None)
        applied = lives if police else residence.place
        elsewhere = not police and residence.place is not None and residence.place != lives
        if elsewhere and rng.random() < WRONG_MUNICIPALITY:
            applied = lives  # insists on applying where they live: taken, then rejected
        if applied is None:
            return  # no municipality yet: sent to the Region with form 310, no application
        outcome = check.evaluate(applicant, self.election, applied)
        advice = [g for g in outcome.guidance if g.code == guidance.OTHER_MUNICIPALITY]
        if advice and outcome.eligible:
            row = self._application("REGISTRATION", applicant, applied.code, day, criminal_record="BROUGHT",
                                    mothername=applicant.holder.mothername, **self._address())
            row.update(status="REJECTED", rejection_reason=advice[0].code, rejection_office=advice[0].office,
                       rejection_form=advice[0].form, rejection_guidance=advice[0].text)
            self._event(row, events.REJECTED, day, events.rejected(advice[0].code, advice[0].text))
            return
        if not outcome.eligible or advice or day > self.election.deadline:
            return  # dissuaded: nothing lodged
        self._register(applicant, applied, day, lives_at)

    def _register(self, applicant: model.Applicant, applied: Place, day: dt.date,
                  lives_at: Callable[[dt.date], str]) -> None:
        rng, book = self.rng, self.book
        brought = rng.random() < 0.7
        row = self._application("REGISTRATION", applicant, applied.code, day,
                                criminal_record="BROUGHT" if brought else "REQUESTED",
                                mothername=applicant.holder.mothername, **self._address())
        if not brought:
            self._event(row, events.CRIMINAL_RECORD_REQUESTED, day, events.criminal_record_requested())
        completed = day + dt.timedelta(days=rng.randint(0, 10) if brought else rng.randint(20, 75))
        if completed >= self.as_of or completed > self.election.deadline:
            return  # still waiting for the criminal record (or past the deadline: left pending)
        later = book.applicant(applicant.holder.person_id, applicant.permit.id, completed)
        if check.evaluate(later, self.election, applied).reasons:
            return  # became ineligible meanwhile (e.g. the title expired): left pending
        serial: list[str] = []

        def registered(final: Row) -> str:
            serial.append(special_electoral_number(Revision.from_key(final["revision"]).year, final["id"]))
            return events.registered(serial[0])

        final = self._finalize(row, later, completed, registered)
        entry = self._entry(later, final, final["municipality_id"], serial[0], "REGISTRATION")
        self._afterwards(later, entry, completed)

    def _afterwards(self, applicant: model.Applicant, entry: Row, registered: dt.date) -> None:
        """At most one later change: citizenship, a deletion request or an address correction."""
        rng, acquisition = self.rng, applicant.acquisition
        roll = rng.random()
        if acquisition is not None and acquisition.acquired_on > registered:
            day = self._day(acquisition.acquired_on + dt.timedelta(days=10), within=60)
            if day is not None:
                self._change(applicant, entry, "DELETION_CITIZENSHIP", acquisition.municipality.code, day)
        elif roll < 0.04:
            day = self._day(registered + dt.timedelta(days=30))
            if day is not None:
                self._change(applicant, entry, "DELETION_REQUEST", self._place_of(entry["municipality_id"]).code, day)
        elif roll < 0.08:
            day = self._day(registered + dt.timedelta(days=30))
            if day is not None:
                self._change(applicant, entry, "CORRECTION", self._place_of(entry["municipality_id"]).code, day)

    def _change(self, applicant: model.Applicant, entry: Row, kind: str, place: str, day: dt.date) -> None:
        applicant = self.book.applicant(applicant.holder.person_id, applicant.permit.id, day)
        fields = self._address() if kind == "CORRECTION" else {}
        fields.pop("electoral_district", None)
        row = self._application(kind, applicant, place, day, **fields)
        number = entry["special_electoral_number"]
        done = events.corrected(number) if kind == "CORRECTION" else events.deleted(number)
        completed = min(day + dt.timedelta(days=self.rng.randint(0, 5)), Revision.of(day).deadline,
                        self.as_of - dt.timedelta(days=1))
        row = self._finalize(row, applicant, completed, lambda _row: done)
        removed = max(row["revision"], entry["added_revision"])
        entry.update(removed_revision=removed, removed_by=row["id"],
                     removed_reason={"DELETION_CITIZENSHIP": "GREEK_CITIZENSHIP"}.get(kind, kind))
        if kind == "CORRECTION":
            row["electoral_district"] = entry["electoral_district"]
            row["mothername"] = entry["mothername"]
            new = self._entry(applicant, row, entry["municipality_id"], number, "CORRECTION")
            new["added_revision"] = removed
