"""The synthetic central database of the special electoral rolls (seed 003), deterministic from a seed.

``seed_rolls(engine, holders, seed)`` adds permit holders (third-country nationals with passport
names from ``data/foreign_names.csv``, homogeneis with Greek names), each with a continuous chain of
residence titles ending with the one in force (about one in fourteen expired), the residence history
the system keeps for Region/Ministry titles (permit applications, declared moves, moves registered
late and corrected with form 411, undeclared moves declared late with form 210), a few irrevocable
convictions and Greek-citizenship acquisitions (with the family share that registers the new
citizen), one synthetic election (``DEMO_ELECTION``) and, from ``provider.synthetic.roll_applications``,
the applications of 2023-2025 with their history and the rolls they made. Every choice comes from
one ``random.Random(seed)`` and dates are relative to the registry's ``AS_OF``, never the clock.

The rules the rows must satisfy (who is eligible, in which municipality) are the service's own
(``provider.registry.special_electoral_rolls``), applied to the rows in memory: the synthetic rolls are what the service
would have produced.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from faker import Faker
from sqlalchemy import Engine, func, select

from db.models import Election, Municipality, PermitHolder
from db.reference_data import DATA, OFFICES_BY_VOLUME
from provider.registry.special_electoral_rolls import model
from provider.registry.special_electoral_rolls.dates import add_months, add_years
from provider.registry.special_electoral_rolls.residence import (
    DECLARED_MOVE,
    FORM_210,
    FORM_411,
    PERMIT_APPLICATION,
)
from provider.registry.text.elot743 import transliterate
from provider.registry.text.names import female_surname, registry_form
from provider.synthetic.registry import AS_OF
from provider.synthetic.roll_applications import Lifecycle
from provider.synthetic.rolls_book import RollBook

DEMO_ELECTION = ("AUTO-2028", "Δημοτικές και περιφερειακές εκλογές 2028 (συνθετικά δεδομένα)",
                 dt.date(2028, 10, 8), dt.date(2028, 6, 30))
PERSONS_PER_HOLDER = 5  # the demo's 2000 persons come with 400 permit holders
FIRST_ARRIVAL = dt.date(1991, 1, 1)
BIG_CITY_WEIGHT = 25
NAME_POOL = 200
# (weight, permit types, authority kinds, nationalities, homogeneis)
PROFILES = (
    (30, ("B1", "B2", "B3", "B4"), (model.REGION, model.REGION, model.MINISTRY),
     ("AL", "GE", "UA", "MD", "EG", "PH", "RS"), False),
    (18, ("C1", "C2"), (model.REGION, model.MINISTRY), ("AL", "GE", "UA", "MD", "BD", "PK", "PH", "CN"), False),
    (10, ("D1", "D2", "D3", "D4", "D5", "D6"), (model.REGION,), ("AL", "UA", "MD", "RS", "PH", "EG"), False),
    (7, ("E1", "E2", "E3"), (model.REGION,), ("AL", "GE", "UA", "EG", "PH"), False),
    (12, ("A1-EDTO", "A1-ADET", "A2-EDTO"), (model.POLICE,), ("AL", "GE", "RU", "UA", "KZ", "AM"), True),
    (3, ("A2-SPOUSE",), (model.REGION,), ("GE", "RU", "UA"), False),
    (5, ("F1-REFUGEE", "F1-FAMILY", "F2"), (model.POLICE,), ("SY", "AF"), False),
    (2, ("G1", "G2"), (model.POLICE,), ("XX",), False),
    (3, ("H1", "H2"), (model.POLICE,), ("TR", "AL", "EG"), True),
    (10, ("X-WORK", "X-STUDY"), (model.REGION,), ("AL", "BD", "PK", "PH", "CN", "EG"), False),
)
VALID_YEARS = {"B1": None, "B2": None, "B3": None, "B4": 10, "C1": 5, "C2": 5, "D1": 10, "D2": 5, "D3": 10,
               "D4": 5, "D5": 2, "D6": 2, "E1": 5, "E2": 2, "E3": 2, "A1-EDTO": 10, "A1-ADET": 10, "A2-EDTO": None,
               "A2-SPOUSE": 5, "F1-REFUGEE": 5, "F1-FAMILY": 5, "F2": 1, "G1": 5, "G2": 5, "H1": 2, "H2": 5,
               "X-WORK": 2, "X-STUDY": 1}
YEARS_BEFORE = {"B": 10, "C": 5}  # residence before a long-term title is granted
STATELESS_BORN_IN = ("SY", "AF", "IQ")


@dataclass(frozen=True)
class RollsReport:
    holders: int
    permits: int
    applications: int
    roll_entries: int
    seconds: float


def _names() -> dict[tuple[str, str], list[tuple[str, str]]]:
    table: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    with (DATA / "foreign_names.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table[(row["nationality"], row["kind"])].append((row["latin"], row["greek"]))
    return table


def _d(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


class _Holders:
    def __init__(self, book: RollBook, rng: random.Random, seed: int) -> None:
        self.book, self.rng = book, rng
        self.names = _names()
        fake = Faker("el_GR")
        fake.seed_instance(seed + 3)
        self.greek = {kind: list(dict.fromkeys(registry_form(draw()) for _ in range(NAME_POOL)))
                      for kind, draw in (("male", fake.first_name_male), ("female", fake.first_name_female),
                                         ("surname", fake.last_name_male))}
        self.places = sorted(book.places)
        big = {code for code, (_mid, place) in book.places.items() if place.name in OFFICES_BY_VOLUME}
        self.weights = [BIG_CITY_WEIGHT if code in big else 1 for code in self.places]
        self.serial = 0

    # -- a person ----------------------------------------------------------------------------

    def _foreign(self, nationality: str, kind: str) -> tuple[str, str]:
        return self.rng.choice(self.names[(nationality, kind)])

    def person(self, nationality: str, homogeneis: bool, birth: dt.date, exact: bool) -> int:
        rng = self.rng
        gender = rng.choice("MF")
        first = "male" if gender == "M" else "female"
        born_in = rng.choice(STATELESS_BORN_IN) if nationality == "XX" else nationality
        if homogeneis or (born_in, first) not in self.names:
            surname = rng.choice(self.greek["surname"])
            surname = surname if gender == "M" else female_surname(surname)
            firstname = rng.choice(self.greek[first])
            latin = (transliterate(surname), transliterate(firstname))
            father, mother = rng.choice(self.greek["male"]), rng.choice(self.greek["female"])
            city = None
        else:
            (surname_latin, surname), (firstname_latin, firstname) = (self._foreign(born_in, "surname"),
                                                                      self._foreign(born_in, first))
            latin = (surname_latin, firstname_latin)
            father, mother = self._foreign(born_in, "male")[1], self._foreign(born_in, "female")[1]
            city = rng.choice(self.names[(born_in, "city")])[1]
        return self.book.holder(
            gender=gender, surname=surname, firstname=firstname, surname_latin=latin[0], firstname_latin=latin[1],
            birthdate=birth, birthdate_exact=exact, nationality=nationality, homogeneis=homogeneis,
            fathername=father, mothername=mother, birthplace=city, birth_country=born_in)

    # -- permits and residence ---------------------------------------------------------------

    def municipality(self) -> str:
        """A municipality, the big cities more likely."""
        return self.rng.choices(self.places, weights=self.weights)[0]

    def _number(self, kind: str) -> str:
        self.serial += 1
        return f"{'EL' if kind == model.POLICE else 'AD'}{self.serial:08d}"

    def _authority(self, kind: str, code: str) -> str:
        place = self.book.places[code][1]
        if kind == model.POLICE:
            return f"Τμήμα Αλλοδαπών Δήμου {place.name}"
        if kind == model.MINISTRY:
            return "Διεύθυνση Μεταναστευτικής Πολιτικής ΥΠ.ΕΣ."
        return f"Διεύθυνση Αλλοδαπών και Μετανάστευσης (Δήμος {place.name})"

    def chain(self, holder: int, types: tuple[str, str], kind: str, first: dt.date, current_from: dt.date,
              live: Residence) -> int:
        """Permits from ``first`` (of the earlier type) renewed until the title in force: the first applied for on
        or after ``current_from`` is of the final type, renewed in turn until it covers ``AS_OF`` (a few holders
        stop renewing and hold an expired title)."""
        rng, applied, earlier = self.rng, first, types[0]
        lapses = rng.random() < 0.07
        while True:
            final = applied >= current_from
            code = types[1] if final else earlier
            issue = applied + dt.timedelta(days=rng.randint(45, 150))
            years = VALID_YEARS[code]
            until = add_years(issue, years) - dt.timedelta(days=1) if years else None
            place = live.at(applied)
            permit = self.book.permit(holder, number=self._number(kind), type_code=code, authority_kind=kind,
                                      authority_name=self._authority(kind, place), application_date=applied,
                                      valid_from=issue, valid_to=until)
            if kind != model.POLICE:
                self.book.history(holder, place, applied, applied, PERMIT_APPLICATION)
            if until is None:
                return permit
            renewal = until - dt.timedelta(days=rng.randint(10, 60))
            if renewal >= AS_OF - dt.timedelta(days=200):
                return permit  # the renewal is not due yet
            if final and lapses and until > AS_OF - dt.timedelta(days=3 * 365):
                return permit  # not renewed: expired
            applied = renewal
            if rng.random() < 0.03:  # a lapse: the residence is no longer continuous
                applied = add_months(until, rng.randint(3, 9))


class Residence:
    """Where a holder lives over time, and what the system learns of it."""

    def __init__(self, holders: _Holders, holder: int, start: dt.date, police: bool) -> None:
        self.moves: list[tuple[dt.date, str]] = [(start, holders.municipality())]
        rng, book = holders.rng, holders.book
        day = start
        while True:
            day += dt.timedelta(days=rng.randint(400, 4000))
            if day >= AS_OF - dt.timedelta(days=30) or rng.random() < 0.45:
                break
            previous = self.moves[-1][1]
            region = book.places[previous][1].code[:2]
            nearby = [c for c in holders.places if c[:2] == region and c != previous]
            to = rng.choice(nearby) if nearby and rng.random() < 0.7 else holders.municipality()
            if to == previous:
                continue
            self.moves.append((day, to))
            if not police:
                self._declare(book, rng, holder, day, to)

    @staticmethod
    def _declare(book: RollBook, rng: random.Random, holder: int, day: dt.date, to: str) -> None:
        roll = rng.random()
        last = AS_OF - dt.timedelta(days=1)
        if roll < 0.78:
            book.history(holder, to, day, min(day + dt.timedelta(days=rng.randint(5, 40)), last), DECLARED_MOVE)
        elif roll < 0.90:  # declared, registered late; sometimes corrected with form 411
            registered = min(day + dt.timedelta(days=rng.randint(120, 400)), last)
            book.history(holder, to, day, registered, DECLARED_MOVE)
            fixed = registered + dt.timedelta(days=rng.randint(60, 500))
            if rng.random() < 0.4 and fixed < last:
                book.history(holder, to, day, fixed, FORM_411, "συμπληρωματική δήλωση αλλαγής διεύθυνσης (έντυπο 411)")
        else:  # never declared; sometimes declared late with the Mayor's certificate (form 210)
            certified = day + dt.timedelta(days=rng.randint(800, 1500))
            if rng.random() < 0.5 and certified < last:
                book.history(holder, to, add_years(certified, -2), certified + dt.timedelta(days=rng.randint(10, 60)),
                             FORM_210, f"βεβαίωση μόνιμης κατοικίας της {certified:%d-%m-%Y}")

    def at(self, day: dt.date) -> str:
        return [code for start, code in self.moves if start <= day][-1]


def seed_rolls(engine: Engine, holders: int, seed: int) -> RollsReport:
    """Add ``holders`` synthetic permit holders (and everything about them) from ``seed``."""
    started = time.perf_counter()
    with engine.connect() as connection:
        if connection.scalar(select(func.count()).select_from(PermitHolder)):
            raise ValueError("the rolls' central database is not empty: synthetic holders can only be added once")
        if not connection.scalar(select(func.count()).select_from(Municipality)):
            raise ValueError("no municipalities: load the reference data before seeding")
        book = RollBook(connection)
        configured = connection.execute(
            select(Election.__table__).where(Election.code == DEMO_ELECTION[0])).one_or_none()
    rng = random.Random(seed * 7919 + 3)
    people = _Holders(book, rng, seed)
    election = dict(configured._mapping) if configured else book.election(*DEMO_ELECTION)  # an operator's own kept
    lifecycle = Lifecycle(book, rng, election, AS_OF)
    profiles = [p[0] for p in PROFILES]
    for _ in range(holders):
        _, types, kinds, nations, homogeneis = rng.choices(PROFILES, weights=profiles)[0]
        code, kind, nationality = rng.choice(types), rng.choice(kinds), rng.choice(nations)
        young = code == "C2"
        birth = _d(rng.randint(dt.date(1945, 1, 1).toordinal(),
                               dt.date(2012 if young else 1998, 12, 31).toordinal()))
        exact = rng.random() > 0.12
        if not exact:
            birth = dt.date(birth.year, 1, 1)
        floor = max(FIRST_ARRIVAL, add_years(birth, 1 if young else 17))
        first = _d(rng.randint(floor.toordinal(), (AS_OF - dt.timedelta(days=400)).toordinal()))
        before = YEARS_BEFORE.get(code[0], 0)
        current_from = min(add_years(first, before + rng.randint(0, 6)), AS_OF - dt.timedelta(days=90))
        holder = people.person(nationality, homogeneis, birth, exact)
        live = Residence(people, holder, first, kind == model.POLICE)
        earlier = code if kind == model.POLICE or code.startswith("X") else "X-WORK"
        if VALID_YEARS[earlier] is None:  # an indefinite title is never renewed
            current_from = first
        permit = people.chain(holder, (earlier, code), kind, first, current_from, live)
        if rng.random() < 0.015:
            irrevocable = _d(rng.randint(first.toordinal(), (AS_OF - dt.timedelta(days=60)).toordinal()))
            book.conviction(holder, court="Μικτό Ορκωτό Εφετείο Αθηνών", decision=f"{rng.randint(100, 2000)}/"
                            f"{irrevocable.year - 1}", penalty=f"πρόσκαιρη κάθειρξη {rng.randint(5, 12)} ετών",
                            irrevocable_on=irrevocable)
        if not code.startswith("X") and add_years(first, 8) < AS_OF and rng.random() < 0.04:
            acquired = _d(rng.randint(add_years(first, 7).toordinal(), (AS_OF - dt.timedelta(days=30)).toordinal()))
            book.acquisition(holder, acquired_on=acquired, municipality=live.at(acquired),
                             decision=f"απόφαση απόκτησης ιθαγένειας {rng.randint(1000, 99999)}/{acquired:%d-%m-%Y}")
        lifecycle.holder(holder, permit, live.at, kind == model.POLICE)
    with engine.begin() as connection:
        counts = book.insert(connection)
    return RollsReport(holders, counts["residence_permits"], counts["roll_applications"], counts["roll_entries"],
                       round(time.perf_counter() - started, 2))
