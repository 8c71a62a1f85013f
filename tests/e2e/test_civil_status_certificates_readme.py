"""The civilStatusCertificates example of docs/services/civil_status_certificates.md works on the demo dataset, as a
user runs it: the demo users of `scripts/serve`, the zeep example printing what the doc says it prints
(a family as on a past date, the same family after its move, the first certificate verified), and the
demo agencies' certificate grants as the doc states them."""
from __future__ import annotations

import contextlib
import io

import pytest
from zeep import Client
from zeep.wsse.username import UsernameToken

from provider.access.credentials import CredentialKey
from provider.synthetic.demo import DEMO_USERS, ensure_demo
from tests.acts_data import DEMO_SEED, Registry
from tests.conftest import PreparedDatabase, Running
from tests.docs_text import doc_text
from tests.e2e.test_civil_registry_acts import call, output

DOC = "docs/services/civil_status_certificates.md"
TEXT = doc_text(DOC)
SECTION = TEXT[TEXT.index("## A family as on a past date, verified (demo)"):]
EVERYTHING = ["allowedMethods", "getBirthCertificate", "getMaritalStatusCertificate", "getRegistrationCertificate",
              "listMethods", "verifyCertificate"]


def _block(after: str, fence: str) -> str:
    start = SECTION.index(fence, SECTION.index(after)) + len(fence)
    return SECTION[start:SECTION.index("```", start)]


@pytest.fixture(scope="module")
def demo(provider: Running, registry: Registry, database: PreparedDatabase) -> dict[str, Client]:
    ensure_demo(database.engine, CredentialKey(database.key_file), persons=0, seed=DEMO_SEED)
    return {user.agency: Client(f"{provider.url('civilStatusCertificates')}?wsdl",
                                wsse=UsernameToken(user.username, user.password)) for user in DEMO_USERS}


def test_the_example_prints_what_the_readme_shows(provider: Running, demo: dict[str, Client]) -> None:
    code = _block("## A family as on a past date", "```python\n").replace("http://127.0.0.1:8000", provider.base_url)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, DOC, "exec"), {"__name__": "readme_example"})
    assert printed.getvalue() == _block("It prints", "```text\n")


@pytest.mark.parametrize("agency", ["AADE", "EFKA", "EDYTE"])
def test_demo_users_hold_the_certificates(demo: dict[str, Client], agency: str) -> None:
    assert output(call(demo[agency], "allowedMethods"), "allowedMethods")["method"] == EVERYTHING
