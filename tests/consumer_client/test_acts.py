"""The client's civilRegistryActs methods against the live provider and the demo dataset."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from consumer_client import Ambiguous, InvalidInput, MitrooClient, NotAuthorized
from consumer_client.civil_registry_acts import Act, ActSearchResult
from consumer_client.models import camel
from tests.acts_data import MAIN_ROLE, Registry
from tests.conftest import USERS, Running
from tests.consumer_client.test_client import make_client

METHOD = {"BIRTH": "get_birth_act", "DEATH": "get_death_act", "MARRIAGE": "get_marriage_act",
          "PARTNERSHIP": "get_civil_partnership_act"}


def as_xsd(value: Any) -> Any:
    """A client dataclass in the shape the oracle (tests/acts_data.py) reads from the tables."""
    if dataclasses.is_dataclass(value):
        return {camel(field.name): as_xsd(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [as_xsd(item) for item in value]
    return value


def by_reference(registry: Registry, act_id: int) -> dict[str, Any]:
    reference = registry.reference(act_id)
    return {"registry_office_code": reference["registryOfficeCode"], "act_number": reference["actNumber"],
            "year": reference["year"], "volume": reference.get("volume")}


@pytest.fixture()
def client(provider: Running, registry: Registry) -> MitrooClient:
    return make_client(provider.base_url)


@pytest.mark.parametrize("act_type, traits", [
    ("BIRTH", {"note": "correction"}), ("DEATH", {}), ("MARRIAGE", {"note": "divorce"}),
    ("PARTNERSHIP", {"note": "dissolution"}),
])
@pytest.mark.parametrize("way", ["reference", "amka", "name"])
def test_each_act_type_each_way(client: MitrooClient, registry: Registry, act_type: str, traits: dict[str, Any],
                                way: str) -> None:
    act_id = registry.find(act_type, **traits)
    person = registry.main_person(act_id)
    if way == "reference":
        named = by_reference(registry, act_id)
    elif way == "amka":
        named = {"amka": person.amka}
    else:
        named = {"surname": person.surname, "firstname": person.firstname, "fathername": person.fathername,
                 "birthdate": person.birthdate}
    reply = getattr(client, METHOD[act_type])(protocol="ΑΠ 3/2026", **named)
    assert isinstance(reply.data, Act)
    assert as_xsd(reply.data) == registry.expected(act_id)
    assert any(p.role == MAIN_ROLE[act_type] and p.amka == person.amka for p in reply.data.party)
    if traits:
        assert traits["note"] in {note.kind for note in reply.data.marginal_note}


def test_search_acts_of_an_office_is_capped(client: MitrooClient, registry: Registry) -> None:
    act_id = registry.find("BIRTH")
    reference = registry.reference(act_id)
    reply = client.search_acts(protocol="p", registry_office_code=reference["registryOfficeCode"],
                               year_from=1900, year_to=2025, max_results=2)
    assert isinstance(reply.data, ActSearchResult) and len(reply.data.act) == 2 and reply.data.truncated is True
    assert all(summary.header.registry_office_code == reference["registryOfficeCode"] for summary in reply.data.act)


def test_ambiguous_invalid_and_refused(client: MitrooClient, registry: Registry, provider: Running) -> None:
    twin = registry.main_person(registry.namesake.original_act)
    with pytest.raises(Ambiguous):
        client.get_birth_act(protocol="p", surname=twin.surname, firstname=twin.firstname,
                             fathername=twin.fathername, birthdate=twin.birthdate)
    with pytest.raises(InvalidInput, match="amka"):
        client.get_birth_act(protocol="p", amka="12345678901")
    with pytest.raises(NotAuthorized):
        make_client(provider.base_url, USERS.death).get_birth_act(protocol="p", amka=twin.amka)
