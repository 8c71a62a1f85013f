"""A deterministic, internally consistent synthetic registry (docs/design.md §10 Data).

``seed_registry(engine, persons, seed)`` fills persons, family shares (μερίδες) and civil acts.
The same ``(persons, seed)`` on an empty registry gives identical rows, ids included: names come
from pools drawn once from a seeded Faker ``el_GR`` and every other choice from one
``random.Random(seed)``; dates are relative to the fixed ``AS_OF``, never to the clock.

Households are built in a municipality: a married couple (marriage act; husband HEAD, wife
SPOUSE) with children born after the marriage (birth acts naming child, father, mother and the
father as declarant), a single person (HEAD), or a civil partnership (HEAD, PARTNER). Adults
who are Greek citizens also get a birth act, naming their parents (who are not in the registry)
as text: at an office in Greece, or at the Special Registry Office when they were born abroad.
About 8% of persons die (death act; every membership deleted, reason ΘΑΝΑΤΟΣ); about 10% of
marriages end in divorce and some partnerships are dissolved (a marginal note on the act; the
spouse or partner leaves the share and heads a new one). Some marriages and deaths happened
abroad. Corrections, recognitions, name changes and annulled duplicate registrations come from
``provider.synthetic.acts``; remarriages, moves to another municipality, naturalisations and the
certificates' registry fields from ``provider.synthetic.life``. Every living person has exactly one
current membership; AMKA (everyone) and AFM (adults) have valid check digits and are unique.

Rows are built as plain dicts with ids assigned here and inserted in batches of ``BATCH`` in one
transaction, which is fast on both SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from faker import Faker
from sqlalchemy import Connection, Engine, func, insert, select, text
from stdnum import luhn
from stdnum.gr import vat
from tqdm import tqdm

from db.models import ActParty, CivilAct, FamilyShare, FamilyShareMember, MarginalNote, Person
from db.reference_data import seeding_reference
from provider.registry.text.elot743 import transliterate
from provider.registry.text.names import female_surname, registry_form
from provider.synthetic.acts import ActBook
from provider.synthetic.life import DEATH_REASON, DIVORCE_REASON, Life

AS_OF = dt.date(2025, 12, 31)  # the synthetic registry's "today"
BATCH = 5000
NAME_POOL = 500
BIG_CITY_WEIGHT = 15
DISSOLUTION_REASON = "ΛΥΣΗ ΣΥΜΦΩΝΟΥ ΣΥΜΒΙΩΣΗΣ"
FOREIGN_NATIONALITIES = ("AL", "BG", "RO", "GE", "UA", "RU", "CY", "DE", "GB", "EG")
DIASPORA_BIRTH_COUNTRIES = ("DE", "US", "AU", "CA", "GB", "CY", "BE", "SE", "ZA", "EG")
MARRIAGES_ABROAD = 0.04
DEATHS_ABROAD = 0.03  # of Greek citizens

_YEAR = 365
_AS_OF = AS_OF.toordinal()
_MARRIAGES_FROM = dt.date(1960, 1, 1).toordinal()
_PARTNERSHIPS_FROM = dt.date(2008, 11, 26).toordinal()  # law 3719/2008
_SAME_SEX_FROM = dt.date(2015, 12, 24).toordinal()  # law 4356/2015
_NOTARIAL_DIVORCE_FROM = dt.date(2021, 1, 1).toordinal()  # law 4800/2021
_OLD_MOTHERS_SURNAME_BEFORE = 1984  # before law 1329/1983 a wife took her husband's surname
_DEATH_RATE = ((40, 0.003), (60, 0.015), (70, 0.05), (80, 0.13), (90, 0.3), (100, 0.7), (999, 0.95))
_TABLES = (Person, FamilyShare, FamilyShareMember, CivilAct, ActParty, MarginalNote)


@dataclass(frozen=True)
class SeedReport:
    persons: int
    deceased: int
    marriages: int
    partnerships: int
    family_shares: int
    acts: int
    seconds: float


def make_amka(birthdate: dt.date, gender: str, serial: int) -> str:
    """DDMMYY + three serial digits + a gender digit (odd M, even F) + the Luhn check digit."""
    body = f"{birthdate:%d%m%y}{serial // 5 % 1000:03d}{serial % 5 * 2 + (gender == 'M')}"
    return body + luhn.calc_check_digit(body)


def make_afm(body: int) -> str:
    digits = f"{body:08d}"
    return digits + vat.calc_check_digit(digits)


def _years(n: float) -> int:
    return int(n * _YEAR + n / 4)


def _date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


class _Generator:
    def __init__(self, seed: int, reference: dict[str, Any], first_ids: dict[str, int]) -> None:
        self.rng = random.Random(seed)
        fake = Faker("el_GR")
        fake.seed_instance(seed)
        self.male_first = self._pool(fake.first_name_male)
        self.female_first = self._pool(fake.first_name_female)
        self.male_surnames = self._pool(fake.last_name_male)
        self.latin: dict[str, str] = {}
        self.munis: list[int] = reference["municipalities"]
        self.offices: list[tuple[int, int, bool]] = reference["offices"]
        self.countries: set[str] = reference["countries"]
        self.foreign = [c for c in FOREIGN_NATIONALITIES if c in self.countries]
        self.diaspora = [c for c in DIASPORA_BIRTH_COUNTRIES if c in self.countries]
        by_muni: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
        by_region: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
        for office in self.offices:
            by_muni[office[1]].append(office)
            by_region[reference["region_of"][office[1]]].append(office)
        self.near = {
            m: by_muni.get(m) or by_region.get(reference["region_of"][m]) or self.offices for m in self.munis
        }
        # Municipalities whose office keeps volumes are the big cities: more households live there.
        big = {office[1] for office in self.offices if office[2]}
        self.muni_weights = list(itertools.accumulate(BIG_CITY_WEIGHT if m in big else 1 for m in self.munis))
        self.next_id = dict(first_ids)
        self.rows: dict[str, list[dict[str, Any]]] = {t.__tablename__: [] for t in _TABLES}
        self.book = ActBook(self.rng, self._id, self.rows, self.offices, reference["special_office"],
                            reference["office_names"], AS_OF)
        self.amkas: set[str] = set()
        self.afms: set[str] = set()
        self.birth_ord: dict[int, int] = {}
        self.last_event: dict[int, int] = {}  # the latest event a person's death must follow
        self.current: dict[int, dict[str, Any]] = {}  # pid -> current membership row
        self.share_muni: dict[int, int] = {}
        self.bond: dict[int, tuple[int, int]] = {}  # pid -> (spouse/partner, ordinal the bond ended)
        self.children: dict[int, list[int]] = defaultdict(list)
        self.father: dict[int, int] = {}

    def _pool(self, draw: Any) -> list[str]:
        return list(dict.fromkeys(registry_form(draw()) for _ in range(NAME_POOL)))

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _lat(self, name: str) -> str:
        if name not in self.latin:
            self.latin[name] = transliterate(name)
        return self.latin[name]

    def _full_name(self) -> str:
        return f"{self.rng.choice(self.male_first)} {self.rng.choice(self.male_surnames)}"

    # ----------------------------------------------------------------- persons
    def _person(self, gender: str, birth: int, surname: str, firstname: str, parents: dict[str, str],
                birth_place: tuple[int | None, str], nationality: str = "GR") -> dict[str, Any]:
        pid = self._id("persons")
        birthdate = _date(birth)
        while True:
            amka = make_amka(birthdate, gender, self.rng.randrange(5000))
            if amka not in self.amkas:
                self.amkas.add(amka)
                break
        second = None
        if self.rng.random() < 0.03:
            second = self.rng.choice(self.male_first if gender == "M" else self.female_first)
            second = None if second == firstname else second
        row = {
            "id": pid, "amka": amka, "afm": None, "surname": surname, "firstname": firstname,
            "secondname": second, "fathername": parents["fathername"], "fathersurname": parents["fathersurname"],
            "mothername": parents["mothername"], "mothersurname": parents["mothersurname"],
            "mothergenos": parents["mothergenos"], "surname_latin": self._lat(surname),
            "firstname_latin": self._lat(firstname), "fathername_latin": self._lat(parents["fathername"]),
            "mothername_latin": self._lat(parents["mothername"]), "gender": gender, "birthdate": birthdate,
            "birth_municipality_id": birth_place[0], "birth_country_code": birth_place[1],
            "nationality": nationality, "deathdate": None,
        }
        self.rows["persons"].append(row)
        self.birth_ord[pid] = birth
        self.last_event[pid] = birth + 1
        return row

    def _adult(self, gender: str, birth: int, muni: int, foreign_rate: float = 0.0) -> dict[str, Any]:
        rng = self.rng
        family = rng.choice(self.male_surnames)
        genos = family
        while genos == family:
            genos = rng.choice(self.male_surnames)
        old = _date(birth).year < _OLD_MOTHERS_SURNAME_BEFORE
        parents = {
            "fathername": rng.choice(self.male_first), "fathersurname": family,
            "mothername": rng.choice(self.female_first), "mothergenos": female_surname(genos),
            "mothersurname": female_surname(family) if old else female_surname(genos),
        }
        surname = family if gender == "M" else female_surname(family)
        firstname = rng.choice(self.male_first if gender == "M" else self.female_first)
        nationality = "GR"
        office = rng.choice(self.near[muni] if rng.random() < 0.6 else self.offices)
        if self.foreign and rng.random() < foreign_rate:
            nationality = rng.choice(self.foreign)
            place: tuple[int | None, str] = (None, nationality)
        elif self.diaspora and rng.random() < 0.03:
            place = (None, rng.choice(self.diaspora))
        else:
            place = (office[1], "GR")
        person = self._person(gender, birth, surname, firstname, parents, place, nationality)
        if nationality == "GR":  # a Greek citizen born abroad is registered at the Special Office
            self._adult_birth_act(person, office, parents, family)
        return person

    def _adult_birth_act(self, person: dict[str, Any], office: tuple[int, int, bool], parents: dict[str, str],
                         family: str) -> None:
        book, pid, birth = self.book, person["id"], self.birth_ord[person["id"]]
        act = book.act("BIRTH", office, birth, 10, timed=True, country=person["birth_country_code"])
        father = f"{parents['fathername']} {family}"
        mother = f"{parents['mothername']} {parents['mothersurname']}"
        recognised = book.recognised()
        book.party(act, "child", pid)
        book.party(act, "father", name_text=father)
        book.party(act, "mother", name_text=mother)
        book.party(act, "declarant", name_text=mother if recognised else father)
        book.maybe_duplicate(act)
        days = [act["_reg"]]
        if recognised:
            days.append(book.recognition(act, father))
        pool = self.male_first if person["gender"] == "M" else self.female_first
        days.append(book.maybe_name_change(act, birth, person["firstname"], pool) or 0)
        self.last_event[pid] = max(days)

    # ----------------------------------------------------------------- shares
    def _share(self, muni: int, created: int) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self._id("family_shares"), "municipality_id": muni, "share_number": 0,
               "created_on": _date(created)}
        self.rows["family_shares"].append(row)
        self.share_muni[row["id"]] = muni
        return row

    def _member(self, share: dict[str, Any], pid: int, membertype: str, registered: int) -> None:
        row = {"id": self._id("family_share_members"), "share_id": share["id"], "person_id": pid,
               "membertype": membertype, "registered_on": _date(registered), "deleted_on": None,
               "deletion_reason": None}
        self.rows["family_share_members"].append(row)
        self.current[pid] = row
        self.last_event[pid] = max(self.last_event[pid], registered)

    def _leave(self, pid: int, other: int, day: int, reason: str, muni: int) -> None:
        """A divorced or separated partner leaves the share and heads a new one."""
        self.current[pid].update(deleted_on=_date(day), deletion_reason=reason)
        self._member(self._share(muni, day), pid, "HEAD", day)
        self.last_event[other] = max(self.last_event[other], day)

    # ----------------------------------------------------------------- households
    def household(self, budget: int) -> None:
        roll = self.rng.random()
        muni = self.rng.choices(self.munis, cum_weights=self.muni_weights)[0]
        if budget == 1 or roll < 0.25:
            self._single(muni)
        elif roll < 0.33:
            self._partnership(muni)
        else:
            self._married(muni, budget - 2)

    def _single(self, muni: int) -> None:
        rng = self.rng
        birth = rng.randint(dt.date(1935, 1, 1).toordinal(), _AS_OF - _years(18) - 60)
        person = self._adult(rng.choice("MF"), birth, muni, foreign_rate=0.01)
        pid = person["id"]
        created = min(birth + rng.randint(_years(18), _years(35)), _AS_OF - 30)
        created = max(created, self.last_event[pid])
        self._member(self._share(muni, created), pid, "HEAD", created)

    def _partnership(self, muni: int) -> None:
        rng = self.rng
        day = rng.randint(_PARTNERSHIPS_FROM, _AS_OF - 60)
        genders = ("M", "F")
        if day >= _SAME_SEX_FROM and rng.random() < 0.2:
            genders = (rng.choice("MF"),) * 2
        one, two = (self._adult(g, day - rng.randint(_years(21), _years(55)), muni, 0.02) for g in genders)
        act = self.book.act("PARTNERSHIP", rng.choice(self.near[muni]), day, 15)
        self.book.party(act, "partner", one["id"])
        self.book.party(act, "partner", two["id"])
        reg = act["_reg"]
        share = self._share(muni, reg)
        self._member(share, one["id"], "HEAD", reg)
        self._member(share, two["id"], "PARTNER", reg)
        end = _AS_OF + 1
        if rng.random() < 0.15 and reg + 200 < _AS_OF - 15:
            end = rng.randint(reg + 180, min(reg + _years(8), _AS_OF - 15))
            self.book.note(act, end, "dissolution", f"Λύθηκε το σύμφωνο συμβίωσης με την υπ' αριθ. "
                           f"{rng.randint(100, 30000)}/{_date(end).year} συμβολαιογραφική δήλωση λύσης.")
            self._leave(two["id"], one["id"], end, DISSOLUTION_REASON, muni)
        self.bond[one["id"]] = (two["id"], end)
        self.bond[two["id"]] = (one["id"], end)

    def _married(self, muni: int, max_children: int) -> None:
        rng = self.rng
        day = rng.randint(_MARRIAGES_FROM, _AS_OF - 60)
        husband = self._adult("M", day - rng.randint(_years(22), _years(40)), muni, 0.02)
        wife = self._adult("F", day - rng.randint(_years(19), _years(36)), muni, 0.03)
        h, w = husband["id"], wife["id"]
        country = rng.choice(self.diaspora) if self.diaspora and rng.random() < MARRIAGES_ABROAD else "GR"
        act = self.book.act("MARRIAGE", rng.choice(self.near[muni]), day, 15, country=country)
        self.book.party(act, "spouse", h)
        self.book.party(act, "spouse", w)
        reg = act["_reg"]
        share = self._share(muni, reg)
        self._member(share, h, "HEAD", reg)
        self._member(share, w, "SPOUSE", reg)
        end = _AS_OF + 1
        if rng.random() < 0.10 and reg + 400 < _AS_OF - 15:
            end = rng.randint(reg + _years(1), min(reg + _years(25), _AS_OF - 15))
            if end >= _NOTARIAL_DIVORCE_FROM and rng.random() < 0.5:
                how = f"{rng.randint(100, 30000)}/{_date(end).year} συμβολαιογραφική πράξη συναινετικού διαζυγίου"
            else:
                how = f"{rng.randint(1, 9000)}/{_date(end).year} αμετάκλητη απόφαση του Πολυμελούς Πρωτοδικείου"
            self.book.note(act, end, "divorce", f"Λύθηκε ο γάμος με την υπ' αριθ. {how}.")
        self.bond[h] = (w, end)
        self.bond[w] = (h, end)
        count = min(rng.choices((0, 1, 2, 3, 4), (18, 26, 36, 15, 5))[0], max_children)
        born = day + rng.randint(280, _years(3))
        used: set[str] = set()
        for _ in range(count):
            if born >= min(end, _AS_OF - 15) or born - self.birth_ord[w] > _years(45):
                break
            self._child(husband, wife, born, muni, share, used)
            born += rng.randint(_years(1), _years(5))
        if end <= _AS_OF:
            self._leave(w, h, end, DIVORCE_REASON, muni)

    def _child(self, father: dict[str, Any], mother: dict[str, Any], born: int, muni: int,
               share: dict[str, Any], used: set[str]) -> None:
        rng = self.rng
        gender = rng.choice("MF")
        if gender == "M":
            names = [father["fathername"], mother["fathername"]]
            surname, pool = father["surname"], self.male_first
        else:
            names = [father["mothername"], mother["mothername"]]
            surname, pool = female_surname(father["surname"]), self.female_first
        firstname = next((n for n in names if n not in used and rng.random() < 0.5), None)
        while firstname is None or firstname in used:
            firstname = rng.choice(pool)
        used.add(firstname)
        parents = {"fathername": father["firstname"], "fathersurname": father["surname"],
                   "mothername": mother["firstname"], "mothersurname": mother["surname"],
                   "mothergenos": mother["surname"]}
        office = rng.choice(self.near[muni])
        child = self._person(gender, born, surname, firstname, parents, (office[1], "GR"))
        act = self.book.act("BIRTH", office, born, 10, timed=True)
        self.book.party(act, "child", child["id"])
        self.book.party(act, "father", father["id"])
        self.book.party(act, "mother", mother["id"])
        self.book.party(act, "declarant", father["id"])
        self.book.maybe_duplicate(act)
        self._member(share, child["id"], "CHILD", act["_reg"])
        for parent in (father["id"], mother["id"]):
            self.children[parent].append(child["id"])
            self.last_event[parent] = max(self.last_event[parent], act["_reg"])
        self.father[child["id"]] = father["id"]

    # ----------------------------------------------------------------- deaths, AFM, numbering
    def deaths(self) -> None:
        rng = self.rng
        persons = self.rows["persons"]
        died: dict[int, int] = {}
        for person in persons:
            pid = person["id"]
            age = (_AS_OF - self.birth_ord[pid]) / 365.25
            rate = next(r for limit, r in _DEATH_RATE if age < limit)
            if rng.random() >= rate:
                continue
            low = self.last_event[pid] + 1
            if age >= 70:
                low = max(low, self.birth_ord[pid] + _years(55))
            if low <= _AS_OF - 15:
                died[pid] = rng.randint(low, _AS_OF - 15)
        for person in persons:
            pid = person["id"]
            if pid not in died:
                continue
            day = died[pid]
            person["deathdate"] = _date(day)
            membership = self.current[pid]
            membership.update(deleted_on=person["deathdate"], deletion_reason=DEATH_REASON)
            office = rng.choice(self.near[self.share_muni[membership["share_id"]]])
            abroad = self.diaspora and person["nationality"] == "GR" and rng.random() < DEATHS_ABROAD
            country = rng.choice(self.diaspora) if abroad else "GR"
            act = self.book.act("DEATH", office, day, 3, timed=True, country=country)
            self.book.party(act, "deceased", pid)
            declarant = self._declarant(pid, day, died)
            self.book.party(act, "declarant", declarant, None if declarant else self._full_name())
            self.book.maybe_duplicate(act)

    def _declarant(self, pid: int, day: int, died: dict[int, int]) -> int | None:
        def alive(other: int) -> bool:  # and an adult on the day
            return died.get(other, _AS_OF + 1) > day and day - self.birth_ord[other] > _years(18)

        other, end = self.bond.get(pid, (0, 0))
        if other and end > day and alive(other):
            return other
        for child in self.children.get(pid, ()):
            if alive(child):
                return child
        father = self.father.get(pid)
        return father if father and alive(father) else None

    def assign_afms(self) -> None:
        for person in self.rows["persons"]:
            ref = person["deathdate"] or AS_OF
            if ref.toordinal() - self.birth_ord[person["id"]] < _years(18):
                continue
            while True:
                afm = make_afm(self.rng.randrange(1_000_000, 20_000_000))
                if afm not in self.afms:
                    self.afms.add(afm)
                    person["afm"] = afm
                    break

    def number(self) -> None:
        """Act and note numbers (see ActBook.number); share numbers per municipality."""
        self.book.number()
        counters: dict[int, int] = defaultdict(int)
        for share in sorted(self.rows["family_shares"], key=lambda s: (s["municipality_id"], s["created_on"], s["id"])):
            counters[share["municipality_id"]] += 1
            share["share_number"] = counters[share["municipality_id"]]


def _refuse_if_seeded(connection: Connection) -> None:
    for model in (Person, FamilyShare, CivilAct):
        count = connection.scalar(select(func.count()).select_from(model))
        if count:
            raise ValueError(
                f"the registry is not empty ({count} rows in {model.__tablename__}): "
                "synthetic data can only be seeded into an empty registry"
            )


def seed_registry(engine: Engine, persons: int, seed: int, progress: bool = True) -> SeedReport:
    """Generate ``persons`` synthetic persons (with their shares and acts) from ``seed`` and insert them."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    started = time.perf_counter()
    with engine.connect() as connection:
        _refuse_if_seeded(connection)
        reference = seeding_reference(connection)
        first_ids = {
            t.__tablename__: (connection.scalar(select(func.max(t.__table__.c.id))) or 0) + 1 for t in _TABLES
        }
    gen = _Generator(seed, reference, first_ids)
    rows = gen.rows["persons"]
    with tqdm(total=persons, desc="generating", unit="persons", disable=not progress) as bar:
        while len(rows) < persons:
            before = len(rows)
            gen.household(persons - before)
            bar.update(len(rows) - before)
    gen.deaths()
    Life(seed, gen.rows, gen._id, gen.book, gen.near, gen.munis, AS_OF).run()
    gen.assign_afms()
    gen.number()
    total = sum(len(r) for r in gen.rows.values())
    with engine.begin() as connection, tqdm(total=total, desc="inserting", unit="rows",
                                             disable=not progress) as bar:
        _refuse_if_seeded(connection)
        for model in _TABLES:
            table_rows = gen.rows[model.__tablename__]
            for start in range(0, len(table_rows), BATCH):
                batch = table_rows[start:start + BATCH]
                connection.execute(insert(model.__table__), batch)
                bar.update(len(batch))
        if connection.dialect.name == "postgresql":
            for model in _TABLES:
                name = model.__tablename__
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                ))
    acts = gen.rows["civil_acts"]
    return SeedReport(
        persons=len(rows),
        deceased=sum(1 for p in rows if p["deathdate"] is not None),
        marriages=sum(1 for a in acts if a["act_type"] == "MARRIAGE"),
        partnerships=sum(1 for a in acts if a["act_type"] == "PARTNERSHIP"),
        family_shares=len(gen.rows["family_shares"]),
        acts=len(acts),
        seconds=round(time.perf_counter() - started, 2),
    )
