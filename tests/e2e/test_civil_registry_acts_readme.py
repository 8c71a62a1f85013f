"""The civilRegistryActs examples of docs/services/civil_registry_acts.md work on the demo dataset, as a user runs
them: the demo users of `scripts/serve`, the zeep example printing what the doc says it prints, every
row of the demo-acts table by reference and by AMKA, and the demo agencies' grants as the doc states."""
from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest
from zeep import Client
from zeep.wsse.username import UsernameToken

from provider.access.credentials import CredentialKey
from provider.synthetic.demo import DEMO_USERS, ensure_demo
from tests.acts_data import DEMO_SEED, Registry
from tests.conftest import PreparedDatabase, Running
from tests.docs_text import doc_text
from tests.e2e.test_civil_registry_acts import ALL_OPERATIONS, call, output, refused

DOC = "docs/services/civil_registry_acts.md"
TEXT = doc_text(DOC)
SECTION = TEXT[TEXT.index("## Looking up demo acts"):]
TABLE_HEADER = "| operation | registryOfficeCode | volume | actNumber | year | amka | what it shows |"
METAS = ["allowedMethods", "listMethods"]


def _block(after: str, fence: str) -> str:
    start = SECTION.index(fence, SECTION.index(after)) + len(fence)
    return SECTION[start:SECTION.index("```", start)]


def _table() -> list[list[str]]:
    """The rows of the demo-acts table: from its header to the first line that is not a table row."""
    rows = []
    for line in SECTION[SECTION.index(TABLE_HEADER):].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def demo(provider: Running, registry: Registry, database: PreparedDatabase) -> dict[str, Client]:
    ensure_demo(database.engine, CredentialKey(database.key_file), persons=0, seed=DEMO_SEED)
    return {user.agency: Client(f"{provider.url('civilRegistryActs')}?wsdl",
                                wsse=UsernameToken(user.username, user.password)) for user in DEMO_USERS}


def test_the_example_prints_what_the_readme_shows(provider: Running, demo: dict[str, Client]) -> None:
    code = _block("## Looking up demo acts", "```python\n").replace("http://127.0.0.1:8000", provider.base_url)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, DOC, "exec"), {"__name__": "readme_example"})
    assert printed.getvalue() == _block("It prints", "```text\n")


@pytest.mark.parametrize("row", _table(), ids=lambda row: f"{row[0]}-{row[1]}-{row[4]}")
def test_every_demo_act_in_the_table(demo: dict[str, Client], row: list[str]) -> None:
    operation, office, volume, number, year, amka, shows = row
    reference: dict[str, Any] = {"registryOfficeCode": office, "actNumber": int(number), "year": int(year)}
    if volume:
        reference["volume"] = int(volume)
    act = output(call(demo["AADE"], operation, actReference=reference), operation)
    assert amka in [party["amka"] for party in act["party"]]
    answer = call(demo["AADE"], operation, person={"amka": amka})
    if "MP_AMBIGUOUS" in shows:
        assert act["header"]["status"] == "annulled"
        refused(answer, operation, "MP_AMBIGUOUS")
    else:
        assert output(answer, operation) == act


def test_demo_users_hold_the_seed_001_grants(demo: dict[str, Client]) -> None:
    everything = sorted([*ALL_OPERATIONS, *METAS])
    assert output(call(demo["AADE"], "allowedMethods"), "allowedMethods")["method"] == everything
    assert output(call(demo["EFKA"], "allowedMethods"), "allowedMethods")["method"] == everything  # ORION, ΥΑ 5404/2021
    assert output(call(demo["EDYTE"], "allowedMethods"), "allowedMethods")["method"] == METAS
    reference = {"registryOfficeCode": "L4501", "volume": 1, "actNumber": 1, "year": 1984}
    assert "EDYTE" in refused(call(demo["EDYTE"], "getBirthAct", actReference=reference), "getBirthAct",
                              "MP_NOT_AUTHORIZED")
