"""The later life events of the synthetic registry (provider.synthetic.life): remarriages, moves to another
municipality, naturalisations, gainmunrecdate and special electoral numbers, consistent with the
rest of the registry."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from provider.synthetic import life as synthetic_life
from provider.synthetic import registry as synthetic
from tests.provider.synthetic.test_registry import Registry, registry  # noqa: F401  (the module's seeded registry fixture)


def test_every_kind_of_event_happens(registry: Registry) -> None:  # noqa: F811
    reasons = Counter(m.deletion_reason for m in registry.members)
    assert reasons[synthetic_life.MOVE_REASON] > 10 and reasons[synthetic_life.MARRIAGE_REASON] > 5
    assert sum(1 for p in registry.persons.values() if p.grnatgaindate) > 0


def test_a_move_deletes_every_current_member_and_registers_them_elsewhere(registry: Registry) -> None:  # noqa: F811
    for member in registry.members:
        if member.deletion_reason != synthetic_life.MOVE_REASON:
            continue
        old = registry.shares[member.share_id]
        [new] = [m for m in registry.memberships[member.person_id] if m.registered_on == member.deleted_on]
        assert registry.shares[new.share_id].municipality_id != old.municipality_id
        assert registry.shares[new.share_id].created_on == member.deleted_on == new.gainmunrecdate
        assert new.membertype == member.membertype or new.membertype == "HEAD"
        later = [m for m in registry.members_of_share[old.id]
                 if m.registered_on >= member.deleted_on or (m.deleted_on and m.deleted_on > member.deleted_on)]
        assert later == [], "nothing happens in a share after its family moved"


def test_a_remarriage_joins_a_widower_with_a_divorced_woman(registry: Registry) -> None:  # noqa: F811
    for member in registry.members:
        if member.deletion_reason != synthetic_life.MARRIAGE_REASON:
            continue
        wife = registry.persons[member.person_id]
        assert wife.gender == "F" and any(m.deletion_reason == "ΛΥΣΗ ΓΑΜΟΥ" for m in registry.memberships[wife.id])
        assert all(m.deleted_on is not None for m in registry.members_of_share[member.share_id])
        [joined] = [m for m in registry.memberships[wife.id] if m.registered_on == member.deleted_on]
        assert joined.membertype == "SPOUSE"
        head = next(m.person_id for m in registry.members_of_share[joined.share_id] if m.membertype == "HEAD")
        first_wife = min((m for m in registry.members_of_share[joined.share_id] if m.membertype == "SPOUSE"),
                         key=lambda m: m.registered_on)
        assert first_wife.deletion_reason == synthetic_life.DEATH_REASON
        marriages = sorted(registry.acts_naming[(head, "spouse")], key=lambda a: a.event_date)
        assert len(marriages) == 2 and marriages[-1].registration_date == member.deleted_on
        assert wife.id in registry.role(marriages[-1].id, "spouse")
        assert len(registry.acts_naming[(wife.id, "spouse")]) == 2


def test_naturalised_persons(registry: Registry) -> None:  # noqa: F811
    for person in registry.persons.values():
        if person.grnatgaindate is None:
            continue
        assert person.nationality == "GR" and person.birth_country_code != "GR"
        assert (person.grnatgaindate - person.birthdate).days >= 18 * 365
        assert person.grnatgaindate < (person.deathdate or synthetic.AS_OF)
        assert registry.acts_naming[(person.id, "child")] == []


def test_gainmunrecdate_is_kept_within_a_municipality(registry: Registry) -> None:  # noqa: F811
    for person_id, memberships in registry.memberships.items():
        ordered = sorted(memberships, key=lambda m: (m.registered_on, m.id))
        for before, after in zip(ordered, ordered[1:]):
            same = registry.shares[before.share_id].municipality_id == registry.shares[after.share_id].municipality_id
            assert after.gainmunrecdate == (before.gainmunrecdate if same else after.registered_on)
        for member in ordered:
            assert registry.persons[person_id].birthdate <= member.gainmunrecdate <= member.registered_on


def test_special_electoral_numbers(registry: Registry) -> None:  # noqa: F811
    numbers = [p.eklspecialno for p in registry.persons.values() if p.eklspecialno]
    assert len(numbers) == len(set(numbers)) and all(len(n) == 10 and n.isdigit() for n in numbers)
    for person in registry.persons.values():
        voter = (dt.date(2025, 12, 31) - person.birthdate).days >= 17 * 365 + 4
        assert bool(person.eklspecialno) == (person.nationality == "GR" and person.deathdate is None and voter)
