"""The synthetic registry generator: deterministic, valid identifiers, internally consistent."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select
from stdnum.gr import amka as stdnum_amka
from stdnum.gr import vat as stdnum_vat

import provider.synthetic.acts as synthetic_acts
import provider.synthetic.registry as synthetic
from db.engine import make_engine
from db.migrate import upgrade
from db.models import (
    ActParty,
    CivilAct,
    Country,
    FamilyShare,
    FamilyShareMember,
    MarginalNote,
    Municipality,
    Person,
    RegistryOffice,
)
from provider.registry.text.elot743 import transliterate
from provider.registry.text.names import female_surname, registry_form
from provider.synthetic.registry import SeedReport, make_afm, make_amka, seed_registry

PERSONS = 2000
SEED = 2026

MUNICIPALITIES = [
    (1, "0101", "Κομοτηνής", "KOMOTINIS", "EL51", "Ανατολική Μακεδονία και Θράκη", "Ροδόπη"),
    (2, "0201", "Δράμας", "DRAMAS", "EL51", "Ανατολική Μακεδονία και Θράκη", "Δράμα"),
    (3, "4501", "Αθηναίων", "ATHINAION", "EL30", "Αττική", "Κεντρικός Τομέας Αθηνών"),
    (4, "4502", "Βύρωνος", "VYRONOS", "EL30", "Αττική", "Κεντρικός Τομέας Αθηνών"),
    (5, "5401", "Θεσσαλονίκης", "THESSALONIKIS", "EL52", "Κεντρική Μακεδονία", "Θεσσαλονίκη"),
]
OFFICES = [  # Δράμας (2) has no office of its own: its events go to the region's office
    (1, "L0101", "Ληξιαρχείο Κομοτηνής", 1, False),
    (2, "L4501", "Ληξιαρχείο Αθηνών", 3, True),
    (3, "L4502", "Ληξιαρχείο Βύρωνα", 4, False),
    (4, "L5401", "Ληξιαρχείο Θεσσαλονίκης", 5, True),
    (5, "LEIDIKO", "Ειδικό Ληξιαρχείο Αθηνών", 3, True),  # events abroad
]
SPECIAL = 5
COUNTRIES = [("GR", "Ελλάδα", "Greece"), ("AL", "Αλβανία", "Albania"), ("DE", "Γερμανία", "Germany"),
             ("CY", "Κύπρος", "Cyprus"), ("US", "Ηνωμένες Πολιτείες", "United States")]


def reference_database(path: Path) -> Engine:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(Municipality), [
            dict(zip(("id", "code", "name", "name_latin", "region_code", "region_name", "regional_unit"), row))
            for row in MUNICIPALITIES
        ])
        connection.execute(insert(RegistryOffice), [
            dict(zip(("id", "code", "name", "municipality_id", "numbers_by_volume"), row)) for row in OFFICES
        ])
        connection.execute(insert(Country), [dict(zip(("code", "name", "name_en"), row)) for row in COUNTRIES])
    return engine


def seeded(path: Path, persons: int, seed: int) -> tuple[Engine, SeedReport]:
    engine = reference_database(path)
    return engine, seed_registry(engine, persons=persons, seed=seed, progress=False)


def rows(engine: Engine, model: type) -> list:
    with engine.connect() as connection:
        return connection.execute(select(model.__table__).order_by(*model.__table__.primary_key.columns)).all()


class Registry:
    """The seeded tables, loaded once, with the lookups the tests need."""

    def __init__(self, engine: Engine, report: SeedReport) -> None:
        self.engine, self.report = engine, report
        self.persons = {p.id: p for p in rows(engine, Person)}
        self.shares = {s.id: s for s in rows(engine, FamilyShare)}
        self.members = rows(engine, FamilyShareMember)
        self.acts = {a.id: a for a in rows(engine, CivilAct)}
        self.parties = rows(engine, ActParty)
        self.notes = rows(engine, MarginalNote)
        self.parties_of: dict[int, list] = defaultdict(list)
        self.acts_naming: dict[tuple[int, str], list] = defaultdict(list)  # annulled acts left out
        for party in self.parties:
            self.parties_of[party.act_id].append(party)
            if party.person_id is not None and self.acts[party.act_id].status != "annulled":
                self.acts_naming[(party.person_id, party.role)].append(self.acts[party.act_id])
        self.members_of_share: dict[int, list] = defaultdict(list)
        self.memberships: dict[int, list] = defaultdict(list)
        for member in self.members:
            self.members_of_share[member.share_id].append(member)
            self.memberships[member.person_id].append(member)
        self.notes_of: dict[int, list] = defaultdict(list)
        for note in self.notes:
            self.notes_of[note.act_id].append(note)

    def role(self, act_id: int, role: str) -> list[int | None]:
        return [p.person_id for p in self.parties_of[act_id] if p.role == role]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    engine, report = seeded(tmp_path_factory.mktemp("synthetic") / "registry.sqlite3", PERSONS, SEED)
    yield Registry(engine, report)
    engine.dispose()


def adult(person, on: dt.date) -> bool:
    return (on - person.birthdate).days >= 18 * 365 + 4


# ---------------------------------------------------------------- determinism, refusal


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    one, _ = seeded(tmp_path / "one.sqlite3", 300, 7)
    two, _ = seeded(tmp_path / "two.sqlite3", 300, 7)
    other, _ = seeded(tmp_path / "other.sqlite3", 300, 8)
    for model in (Person, FamilyShare, FamilyShareMember, CivilAct, ActParty, MarginalNote):
        assert rows(one, model) == rows(two, model), model.__tablename__
    assert rows(one, Person) != rows(other, Person)
    for engine in (one, two, other):
        engine.dispose()


def test_report_matches_the_tables(registry: Registry) -> None:
    report, acts = registry.report, registry.acts.values()
    assert report.persons == len(registry.persons) == PERSONS
    assert report.deceased == sum(1 for p in registry.persons.values() if p.deathdate)
    assert report.marriages == sum(1 for a in acts if a.act_type == "MARRIAGE") > 0
    assert report.partnerships == sum(1 for a in acts if a.act_type == "PARTNERSHIP") > 0
    assert report.family_shares == len(registry.shares)
    assert report.acts == len(registry.acts)
    assert report.seconds >= 0


def test_refuses_to_seed_twice(registry: Registry) -> None:
    with pytest.raises(ValueError, match="not empty"):
        seed_registry(registry.engine, persons=10, seed=1, progress=False)
    with registry.engine.connect() as connection:
        assert len(connection.execute(select(Person.id)).all()) == PERSONS


def test_refuses_without_reference_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bare.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with pytest.raises(ValueError, match="reference data"):
        seed_registry(engine, persons=10, seed=1, progress=False)
    engine.dispose()


# ---------------------------------------------------------------- identifiers and names


def test_every_amka_is_valid_unique_and_matches_birthdate_and_gender(registry: Registry) -> None:
    amkas = [p.amka for p in registry.persons.values()]
    assert len(set(amkas)) == len(amkas)
    for person in registry.persons.values():
        assert stdnum_amka.is_valid(person.amka), person.amka
        assert person.amka[:6] == person.birthdate.strftime("%d%m%y")
        assert stdnum_amka.get_gender(person.amka) == person.gender


def test_every_adult_has_a_valid_unique_afm_and_minors_none(registry: Registry) -> None:
    afms = [p.afm for p in registry.persons.values() if p.afm]
    assert len(set(afms)) == len(afms)
    for person in registry.persons.values():
        if adult(person, person.deathdate or synthetic.AS_OF):
            assert person.afm and stdnum_vat.is_valid(person.afm), person
        else:
            assert person.afm is None


@pytest.mark.parametrize("field", ["surname", "firstname", "fathername", "mothername"])
def test_latin_names_are_the_ascii_uppercase_transliteration(registry: Registry, field: str) -> None:
    for person in registry.persons.values():
        latin = getattr(person, f"{field}_latin")
        assert latin.isascii() and latin == latin.upper() and latin.strip()
        assert latin == transliterate(getattr(person, field))


@pytest.mark.parametrize("field", ["surname", "firstname", "fathername", "mothername", "mothersurname", "mothergenos"])
def test_greek_names_are_capitals_without_accents(registry: Registry, field: str) -> None:
    for person in registry.persons.values():
        name = getattr(person, field)
        assert name == name.upper() and name == registry_form(name)
        assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", name))
        assert all("Α" <= c <= "Ω" or c in " -" for c in name), name


def test_surnames_follow_gender(registry: Registry) -> None:
    for person in registry.persons.values():
        expected = person.fathersurname if person.gender == "M" else female_surname(person.fathersurname)
        assert person.surname == expected, person


def test_birthplace_and_nationality(registry: Registry) -> None:
    people = registry.persons.values()
    for person in people:
        assert (person.birth_municipality_id is not None) == (person.birth_country_code == "GR")
    nationalities = Counter(p.nationality for p in people)
    assert nationalities["GR"] >= 0.95 * len(people) and len(nationalities) > 1


@pytest.mark.parametrize(("birthdate", "gender"), [
    (dt.date(1957, 3, 8), "M"), (dt.date(2004, 2, 29), "F"), (dt.date(2000, 12, 31), "M"), (dt.date(1919, 1, 1), "F"),
])
@pytest.mark.parametrize("serial", [0, 1, 2499, 4999])
def test_make_amka(birthdate: dt.date, gender: str, serial: int) -> None:
    amka = make_amka(birthdate, gender, serial)
    assert stdnum_amka.is_valid(amka) and stdnum_amka.get_gender(amka) == gender
    assert amka[:6] == birthdate.strftime("%d%m%y")


@pytest.mark.parametrize("body", [1_000_000, 12_345_678, 19_999_999])
def test_make_afm(body: int) -> None:
    assert stdnum_vat.is_valid(make_afm(body))


# ---------------------------------------------------------------- consistency


def test_deceased_have_one_death_act_and_deleted_memberships(registry: Registry) -> None:
    deceased = [p for p in registry.persons.values() if p.deathdate]
    assert 0.04 * PERSONS < len(deceased) < 0.13 * PERSONS
    death_acts = [a for a in registry.acts.values() if a.act_type == "DEATH" and a.status != "annulled"]
    assert len(death_acts) == len(deceased)
    for person in deceased:
        acts = registry.acts_naming[(person.id, "deceased")]
        assert len(acts) == 1
        act = acts[0]
        assert act.act_type == "DEATH" and act.event_date == person.deathdate > person.birthdate
        assert act.event_time is not None
        assert len(registry.parties_of[act.id]) == 2 and len(registry.role(act.id, "declarant")) == 1
        declarant = next(p for p in registry.parties_of[act.id] if p.role == "declarant")
        assert (declarant.person_id is None) != (declarant.name_text is None)
        if declarant.person_id is not None:
            assert declarant.person_id != person.id
            other = registry.persons[declarant.person_id]
            assert other.deathdate is None or other.deathdate > person.deathdate
        memberships = registry.memberships[person.id]
        assert all(m.deleted_on is not None for m in memberships)
        last = max(memberships, key=lambda m: (m.registered_on, m.id))
        assert last.deleted_on == person.deathdate and last.deletion_reason == "ΘΑΝΑΤΟΣ"
        assert all(m.deleted_on <= person.deathdate for m in memberships)


def test_every_living_person_has_exactly_one_current_membership(registry: Registry) -> None:
    for person in registry.persons.values():
        current = [m for m in registry.memberships[person.id] if m.deleted_on is None]
        assert len(current) == (0 if person.deathdate else 1), person
        for member in registry.memberships[person.id]:
            assert member.registered_on >= person.birthdate
            assert member.deleted_on is None or member.deleted_on >= member.registered_on


def test_married_couples_have_a_marriage_act_naming_both(registry: Registry) -> None:
    pairs = set()
    for _share_id, members in registry.members_of_share.items():
        heads = [m.person_id for m in members if m.membertype == "HEAD"]
        spouses = [m for m in members if m.membertype == "SPOUSE"]
        assert len(heads) == 1 and sum(m.deleted_on is None for m in spouses) <= 1  # a widower may remarry
        for spouse in spouses:
            pairs.add(frozenset((heads[0], spouse.person_id)))
            assert {registry.persons[heads[0]].gender, registry.persons[spouse.person_id].gender} == {"M", "F"}
    marriages = [a for a in registry.acts.values() if a.act_type == "MARRIAGE" and a.status != "annulled"]
    assert pairs == {frozenset(registry.role(act.id, "spouse")) for act in marriages}
    assert len(marriages) == registry.report.marriages
    for act in marriages:
        assert act.event_date > max(registry.persons[p].birthdate for p in registry.role(act.id, "spouse"))


def test_partners_have_a_partnership_act(registry: Registry) -> None:
    for member in registry.members:
        if member.membertype != "PARTNER":
            continue
        head = next(m for m in registry.members_of_share[member.share_id] if m.membertype == "HEAD")
        acts = registry.acts_naming[(member.person_id, "partner")]
        assert len(acts) == 1 and acts[0].act_type == "PARTNERSHIP"
        assert sorted(registry.role(acts[0].id, "partner")) == sorted([head.person_id, member.person_id])
        assert acts[0].event_date >= dt.date(2008, 11, 26)


def test_children_have_a_birth_act_naming_head_and_spouse(registry: Registry) -> None:
    """In the share a child was registered in at birth; a family that moved later lists it again elsewhere."""
    children = [min(registry.memberships[m.person_id], key=lambda m: (m.registered_on, m.id))
                for m in registry.members if m.membertype == "CHILD"]
    assert children
    for member in children:
        assert member.membertype == "CHILD"
        share = registry.members_of_share[member.share_id]
        head = next(m.person_id for m in share if m.membertype == "HEAD")
        spouse = min((m for m in share if m.membertype == "SPOUSE"),
                     key=lambda m: m.registered_on).person_id  # the first wife, not a widower's later one
        acts = registry.acts_naming[(member.person_id, "child")]
        assert len(acts) == 1 and acts[0].act_type == "BIRTH"
        act = acts[0]
        assert registry.role(act.id, "father") == [head]
        assert registry.role(act.id, "mother") == [spouse]
        assert registry.role(act.id, "declarant") == [head]
        child, father, mother = (registry.persons[i] for i in (member.person_id, head, spouse))
        assert act.event_date == child.birthdate and act.event_time is not None
        assert member.registered_on == act.registration_date
        assert child.birth_municipality_id == act.event_municipality_id
        assert (child.fathername, child.fathersurname) == (father.firstname, father.surname)
        assert (child.mothername, child.mothersurname, child.mothergenos) == (
            mother.firstname, mother.surname, mother.surname)
        [marriage] = [a for a in registry.acts_naming[(head, "spouse")] if spouse in registry.role(a.id, "spouse")]
        assert child.birthdate > marriage.event_date


def test_greek_citizens_by_birth_have_one_birth_act_at_home_or_abroad(registry: Registry) -> None:
    abroad = 0
    for person in registry.persons.values():
        acts = registry.acts_naming[(person.id, "child")]
        native = person.nationality == "GR" and person.grnatgaindate is None  # not naturalised
        assert len(acts) == (1 if native else 0)
        for act in acts:
            roles = sorted(p.role for p in registry.parties_of[act.id])
            assert roles == ["child", "declarant", "father", "mother"]
            assert act.event_date == person.birthdate
            assert act.event_country_code == person.birth_country_code
            assert act.event_municipality_id == person.birth_municipality_id
            assert (act.registry_office_id == SPECIAL) == (person.birth_country_code != "GR")
            abroad += person.birth_country_code != "GR"
    assert abroad > 0


def test_events_abroad_are_registered_at_the_special_office(registry: Registry) -> None:
    abroad = [a for a in registry.acts.values() if a.event_country_code != "GR"]
    assert {a.act_type for a in abroad} == {"BIRTH", "MARRIAGE", "DEATH"}
    for act in abroad:
        assert act.registry_office_id == SPECIAL and act.event_municipality_id is None
        assert 0 < (act.registration_date - act.event_date).days <= synthetic_acts.ABROAD_DELAY
    assert all(a.event_country_code != "GR" for a in registry.acts.values() if a.registry_office_id == SPECIAL)


def test_annulled_acts_duplicate_an_act_of_the_same_event(registry: Registry) -> None:
    annulled = [a for a in registry.acts.values() if a.status == "annulled"]
    assert annulled
    for act in annulled:
        parties = sorted((p.role, p.person_id, p.name_text) for p in registry.parties_of[act.id])
        originals = [
            a for a in registry.acts.values()
            if a.status != "annulled" and a.act_type == act.act_type and a.event_date == act.event_date
            and sorted((p.role, p.person_id, p.name_text) for p in registry.parties_of[a.id]) == parties
        ]
        assert len(originals) == 1 and originals[0].registry_office_id != act.registry_office_id
        assert act.act_type in ("BIRTH", "DEATH") and act.registration_date > originals[0].registration_date
        [note] = registry.notes_of[act.id]
        assert note.kind == "annulment" and note.note_date > act.registration_date
        assert "διπλή καταχώριση" in note.text


def test_divorces_are_noted_on_marriage_acts(registry: Registry) -> None:
    divorces = [n for n in registry.notes if n.kind == "divorce"]
    assert 0.04 * registry.report.marriages < len(divorces) < 0.2 * registry.report.marriages
    for note in divorces:
        act = registry.acts[note.act_id]
        assert act.act_type == "MARRIAGE" and note.note_date > act.event_date
        assert note.text.startswith("Λύθηκε ο γάμος")
        spouses = registry.role(act.id, "spouse")
        left = [m for p in spouses for m in registry.memberships[p] if m.deletion_reason == "ΛΥΣΗ ΓΑΜΟΥ"]
        assert len(left) == 1 and left[0].deleted_on == note.note_date
        for spouse in spouses:
            death = registry.persons[spouse].deathdate
            assert death is None or death > note.note_date


def test_marginal_notes_and_status(registry: Registry) -> None:
    kinds = Counter(n.kind for n in registry.notes)
    assert set(kinds) == set(synthetic_acts.NOTE_KINDS)
    assert 0.035 < len({n.act_id for n in registry.notes}) / len(registry.acts) < 0.07  # about 1 in 20
    on = {"dissolution": {"PARTNERSHIP"}, "divorce": {"MARRIAGE"}, "recognition": {"BIRTH"},
          "name_change": {"BIRTH"}, "annulment": {"BIRTH", "DEATH"}}
    for note in registry.notes:
        act = registry.acts[note.act_id]
        assert note.note_date > act.registration_date or note.kind not in ("correction", "annulment")
        assert act.act_type in on.get(note.kind, {act.act_type})
    for act in registry.acts.values():
        notes = registry.notes_of[act.id]
        assert [n.seq for n in sorted(notes, key=lambda n: n.seq)] == list(range(1, len(notes) + 1))
        assert [n.note_date for n in sorted(notes, key=lambda n: n.seq)] == sorted(n.note_date for n in notes)
        if any(n.kind == "annulment" for n in notes):
            assert act.status == "annulled"
        else:
            assert act.status == ("corrected" if any(n.kind == "correction" for n in notes) else "active")


def test_recognitions_and_name_changes_agree_with_the_person(registry: Registry) -> None:
    for note in registry.notes:
        if note.kind not in ("recognition", "name_change"):
            continue
        act = registry.acts[note.act_id]
        [child] = (registry.persons[p] for p in registry.role(act.id, "child"))
        assert note.note_date > act.registration_date and (child.deathdate is None or child.deathdate > note.note_date)
        if note.kind == "recognition":
            father = next(p for p in registry.parties_of[act.id] if p.role == "father")
            declarant = next(p for p in registry.parties_of[act.id] if p.role == "declarant")
            assert father.person_id is None and father.name_text in note.text
            assert declarant.name_text == f"{child.mothername} {child.mothersurname}"
        else:
            old, new = re.search(r"από «(.+)» σε «(.+)»", note.text).groups()
            assert new == child.firstname != old
            assert (note.note_date - child.birthdate).days >= 18 * 365


def test_acts_numbering_dates_and_places(registry: Registry) -> None:
    offices = {o[0]: o for o in OFFICES}
    numbers: dict[tuple, list[int]] = defaultdict(list)
    for act in registry.acts.values():
        office = offices[act.registry_office_id]
        if act.registry_office_id != SPECIAL:
            assert act.event_municipality_id == office[3] and act.event_country_code == "GR"
            late = 60 if act.status == "annulled" else 0  # a duplicate registration comes later
            assert 0 <= (act.registration_date - act.event_date).days <= 15 + late
        assert act.year == act.registration_date.year
        assert (act.event_time is not None) == (act.act_type in ("BIRTH", "DEATH"))
        assert (act.volume is not None) == office[4]
        numbers[(act.registry_office_id, act.act_type, act.year, act.volume)].append(act.act_number)
    for key, values in numbers.items():
        assert sorted(values) == list(range(1, len(values) + 1)), key


def test_share_numbers_are_sequential_per_municipality(registry: Registry) -> None:
    numbers: dict[int, list[int]] = defaultdict(list)
    for share in registry.shares.values():
        numbers[share.municipality_id].append(share.share_number)
        assert share.municipality_id in {m[0] for m in MUNICIPALITIES}
    for values in numbers.values():
        assert sorted(values) == list(range(1, len(values) + 1))


def test_a_new_volume_every_acts_per_volume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synthetic_acts, "ACTS_PER_VOLUME", 3)
    engine, _ = seeded(tmp_path / "volumes.sqlite3", 600, 3)
    per_volume: dict[tuple, list[int]] = defaultdict(list)
    for act in rows(engine, CivilAct):
        if act.volume is not None:
            per_volume[(act.registry_office_id, act.act_type, act.year, act.volume)].append(act.act_number)
    assert max(key[3] for key in per_volume) > 1
    for values in per_volume.values():
        assert sorted(values) == list(range(1, len(values) + 1)) and len(values) <= 3
    engine.dispose()
