"""The civil acts of the synthetic registry (used by ``provider.synthetic.registry``): acts, their parties and
marginal notes (σημειώσεις), numbered the way registry offices number them.

Besides the acts the households need, the book adds what a real registry holds:

* acts of events abroad, registered at the Special Registry Office (Ειδικό Ληξιαρχείο) with the
  country as the place of the event and no municipality;
* corrections (status ``corrected``), recognitions of a child by its father and changes of a
  first name, as marginal notes; with the divorces and dissolutions the households add, about
  one act in twenty carries a note;
* duplicate registrations of a birth or a death at a second office, annulled (status
  ``annulled``, an ``annulment`` note) but kept, as registries keep them.

Acts are numbered per (office, type, year) by registration date; offices that keep volumes
(τόμοι) start a new volume every ``ACTS_PER_VOLUME`` acts. Every choice comes from the caller's
``random.Random``, so the same seed gives the same book.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

ACTS_PER_VOLUME = 500
CORRECTION_RATE = 0.015
DUPLICATE_RATE = 0.005  # births and deaths registered twice; the second act is annulled
RECOGNITION_RATE = 0.015  # of birth acts of persons whose parents are not in the registry
NAME_CHANGE_RATE = 0.01  # likewise
ABROAD_DELAY = 540  # days an event abroad may take to reach the Special Registry Office
CORRECTED_FIELDS = (
    "το όνομα του πατέρα", "το επώνυμο της μητέρας", "την ημερομηνία του γεγονότος",
    "τον τόπο του γεγονότος", "το όνομα του προσώπου", "την ώρα του γεγονότος",
)
NOTE_KINDS = ("correction", "recognition", "divorce", "name_change", "dissolution", "annulment")

Office = tuple[int, int, bool]  # (id, municipality id, numbers by volume)
Row = dict[str, Any]


def _date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _years(n: float) -> int:
    return int(n * 365 + n / 4)


class ActBook:
    """Builds the rows of ``civil_acts``, ``act_parties`` and ``marginal_notes`` into ``rows``."""

    def __init__(self, rng: random.Random, new_id: Callable[[str], int], rows: dict[str, list[Row]],
                 offices: list[Office], special: Office, office_names: dict[int, str], as_of: dt.date) -> None:
        self.rng = rng
        self.new_id = new_id
        self.acts, self.parties, self.notes = rows["civil_acts"], rows["act_parties"], rows["marginal_notes"]
        self.offices = offices
        self.special = special
        self.office_names = office_names
        self.as_of = as_of.toordinal()

    # ----------------------------------------------------------------- acts, parties, notes
    def act(self, act_type: str, office: Office, event: int, delay: int, *, timed: bool = False,
            country: str = "GR") -> Row:
        """An act of an event on day ``event``; ``country`` other than GR registers it at the Special Office."""
        rng = self.rng
        abroad = country != "GR"
        if abroad:
            office, delay = self.special, max(delay, ABROAD_DELAY)
        reg = min(event + rng.randint(1, delay), self.as_of)
        row = self._row(act_type, office, event, reg, None if abroad else office[1], country)
        row["event_time"] = dt.time(rng.randrange(24), rng.randrange(60)) if timed else None
        if rng.random() < CORRECTION_RATE and reg + 30 < self.as_of:
            day = rng.randint(reg + 30, min(reg + _years(10), self.as_of))
            what = rng.choice(CORRECTED_FIELDS)
            self.note(row, day, "correction", f"Διορθώνεται η πράξη ως προς {what} με την υπ' αριθ. "
                      f"{rng.randint(1, 400)}/{_date(day).year} απόφαση του Ληξιάρχου.")
            row["status"] = "corrected"
        return row

    def _row(self, act_type: str, office: Office, event: int, reg: int, municipality: int | None,
             country: str) -> Row:
        registered = _date(reg)
        row = {
            "id": self.new_id("civil_acts"), "act_type": act_type, "registry_office_id": office[0],
            "act_number": 0, "volume": None, "year": registered.year, "registration_date": registered,
            "event_date": _date(event), "event_time": None, "event_municipality_id": municipality,
            "event_country_code": country, "status": "active", "_reg": reg, "_by_volume": office[2],
        }
        self.acts.append(row)
        return row

    def party(self, act: Row, role: str, person_id: int | None = None, name_text: str | None = None) -> None:
        self.parties.append({
            "id": self.new_id("act_parties"), "act_id": act["id"], "role": role,
            "person_id": person_id, "name_text": name_text,
        })

    def note(self, act: Row, day: int, kind: str, note_text: str) -> None:
        self.notes.append({
            "id": self.new_id("marginal_notes"), "act_id": act["id"], "seq": 0, "note_date": _date(day),
            "kind": kind, "text": note_text,
        })

    # ----------------------------------------------------------------- notes on birth acts
    def recognised(self) -> bool:
        """Whether the next birth outside the registry's households is recognised by the father later."""
        return self.rng.random() < RECOGNITION_RATE

    def recognition(self, act: Row, father: str) -> int:
        """The father recognises the child (εκούσια αναγνώριση) within five years; returns the day."""
        rng = self.rng
        day: int = min(act["_reg"] + rng.randint(30, _years(5)), self.as_of)
        self.note(act, day, "recognition", f"Το τέκνο αναγνωρίστηκε εκούσια από τον πατέρα του {father} με την "
                  f"υπ' αριθ. {rng.randint(100, 30000)}/{_date(day).year} συμβολαιογραφική πράξη.")
        return day

    def maybe_name_change(self, act: Row, birth: int, firstname: str, pool: list[str]) -> int | None:
        """Now and then the person, as an adult, changed the first name the act was drawn up with."""
        rng = self.rng
        if rng.random() >= NAME_CHANGE_RATE or birth + _years(18) >= self.as_of - 30:
            return None
        old = rng.choice(pool)
        if old == firstname:
            return None
        day = rng.randint(birth + _years(18), self.as_of - 30)
        self.note(act, day, "name_change", f"Το όνομα μεταβλήθηκε από «{old}» σε «{firstname}» με την υπ' αριθ. "
                  f"{rng.randint(1, 5000)}/{_date(day).year} απόφαση του Συντονιστή Αποκεντρωμένης Διοίκησης.")
        return day

    # ----------------------------------------------------------------- duplicates, annulled
    def maybe_duplicate(self, act: Row) -> None:
        """Now and then an event was registered a second time at another office: that act is annulled.

        Call it once the act's parties are added; the duplicate names the same parties.
        """
        rng = self.rng
        if rng.random() >= DUPLICATE_RATE or act["event_country_code"] != "GR":
            return
        reg = act["_reg"] + rng.randint(1, 60)
        annulled_on = reg + rng.randint(10, 200)
        office = rng.choice(self.offices)
        if annulled_on > self.as_of or office[0] == act["registry_office_id"]:
            return
        twin = self._row(act["act_type"], office, act["event_date"].toordinal(), reg, office[1], "GR")
        twin.update(event_time=act["event_time"], status="annulled")
        for party in self._parties_of(act):
            self.party(twin, party["role"], party["person_id"], party["name_text"])
        first = f"{self.office_names[act['registry_office_id']]} στις {act['registration_date']:%d/%m/%Y}"
        self.note(twin, annulled_on, "annulment", f"Ακυρώνεται η πράξη ως διπλή καταχώριση του ίδιου γεγονότος, "
                  f"που έχει καταχωριστεί στο {first}, με την υπ' αριθ. {rng.randint(1, 400)}/"
                  f"{_date(annulled_on).year} απόφαση του Ληξιάρχου.")

    def _parties_of(self, act: Row) -> list[Row]:
        found = []
        for party in reversed(self.parties):  # an act's parties are the last ones added
            if party["act_id"] != act["id"]:
                break
            found.append(party)
        return found[::-1]

    # ----------------------------------------------------------------- numbering
    def number(self) -> None:
        """Act numbers per (office, type, year) by registration date; note numbers per act by date."""
        acts = sorted(self.acts, key=lambda a: (a["registry_office_id"], a["act_type"], a["year"], a["_reg"], a["id"]))
        key, index = None, 0
        for act in acts:
            this = (act["registry_office_id"], act["act_type"], act["year"])
            index = index + 1 if this == key else 0
            key = this
            if act.pop("_by_volume"):
                act["volume"], act["act_number"] = index // ACTS_PER_VOLUME + 1, index % ACTS_PER_VOLUME + 1
            else:
                act["act_number"] = index + 1
            del act["_reg"]
        seqs: dict[int, int] = defaultdict(int)
        for note in sorted(self.notes, key=lambda n: (n["act_id"], n["note_date"], n["id"])):
            seqs[note["act_id"]] += 1
            note["seq"] = seqs[note["act_id"]]
