"""docs/integration.md cannot go stale: its raw SOAP examples are sent to the live provider by
this test and the answers compared with what the guide shows, and its error table is the code's.

The generated blocks sit between ``<!-- generated:NAME -->`` and ``<!-- /generated -->``. After a
deliberate change, refresh them with ``MITROO_UPDATE_DOCS=1 scripts/test tests/docs``.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from consumer_client.envelope import envelope, fresh_audit_record
from provider.errors import markdown_table
from tests.acts_data import Registry
from tests.certificates_data import deletion
from tests.conftest import PASSWORD, USERS, Running
from tests.rolls_fixtures import ROLLS_DATA, Rolls
from tests.support import post

GUIDE = Path(__file__).parents[2] / "docs" / "integration.md"
SHOWN_DATE = "2026-11-23T10:15:00+02:00"
SHOWN_USER, SHOWN_PASSWORD = "demo-aade-eispraxis", "demo-aade-pass-2026"
ROLLS_EXAMPLE = ROLLS_DATA / "integration-example.xml"
VOLATILE = ("callSequenceId", "callSequenceDate", "Created", "Expires", "BinarySecurityToken", "DigestValue",
            "SignatureValue", "certificateNumber", "issuedAt")


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- generated:{re.escape(name)} -->\n)(.*?)(<!-- /generated -->)", re.S)


def check_block(name: str, content: str) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    match = _block(name).search(text)
    assert match, f"docs/integration.md has no generated block {name!r}"
    if os.environ.get("MITROO_UPDATE_DOCS") == "1":
        GUIDE.write_text(text[:match.start(2)] + content + text[match.end(2):], encoding="utf-8")
        return
    assert match.group(2) == content, (
        f"docs/integration.md block {name!r} is stale: run MITROO_UPDATE_DOCS=1 scripts/test tests/docs"
    )


def _xml(document: bytes, volatile: tuple[str, ...] = VOLATILE) -> str:
    root = etree.fromstring(document)
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname in volatile:
            element.text = "…"
    etree.indent(root, space="  ")
    return "```xml\n" + etree.tostring(root, encoding="unicode") + "\n```\n"


def _death_act_reference(registry: Registry) -> str:
    reference = registry.reference(registry.find("DEATH"))
    return "<svc:actReference>" + "".join(
        f"<c:{field}>{reference[field]}</c:{field}>"
        for field in ("registryOfficeCode", "actNumber", "volume", "year") if field in reference
    ) + "</svc:actReference>"


def _family_on_the_day_of_a_death(registry: Registry) -> str:
    death = deletion(registry, "ΘΑΝΑΤΟΣ")
    return (f"<svc:shareReference><svc:municipalityCode>{death.municipality_code}</svc:municipalityCode>"
            f"<svc:shareNumber>{death.share_number}</svc:shareNumber></svc:shareReference>"
            f"<svc:purpose>Επίδομα παιδιών έτους {death.day.year}</svc:purpose>"
            f"<svc:asOnDate>{death.day.isoformat()}</svc:asOnDate>")


EXAMPLES: dict[str, tuple[str, str, Callable[[Registry], str]]] = {
    "registryParameters": ("registryParameters", "getRegistryOffices",
                           lambda registry: "<svc:municipalityCode>7401</svc:municipalityCode>"),
    "civilRegistryActs": ("civilRegistryActs", "getDeathAct", _death_act_reference),
    "civilStatusCertificates": ("civilStatusCertificates", "getMaritalStatusCertificate", _family_on_the_day_of_a_death),
}


def check_example(running: Running, name: str, operation: str, input_xml: str, shown_user: tuple[str, str],
                  sent_user: tuple[str, str], *, sent_input_xml: str | None = None,
                  volatile: tuple[str, ...] = VOLATILE) -> None:
    """Send the example as ``sent_user`` (with ``sent_input_xml`` if given), built by the envelope
    helper of ``mitroo-client envelope``; the guide shows it as ``shown_user`` (a demo user) and its answer."""
    now = dt.datetime.now(dt.UTC).isoformat()
    audit = {"auditTransactionId": f"example-{operation}", "auditTransactionDate": SHOWN_DATE,
             "auditUnit": "Δ/νση Ελέγχου", "auditProtocol": "ΑΠ 1234/2026", "auditUserId": "user17",
             "auditUserIp": "10.1.2.3"}
    shown = envelope(name, operation, username=shown_user[0], password=shown_user[1], audit=audit, input_xml=input_xml)
    sent = envelope(name, operation, username=sent_user[0], password=sent_user[1],
                    audit={**audit, "auditTransactionId": f"example-{operation}-{now}", "auditTransactionDate": now},
                    input_xml=input_xml if sent_input_xml is None else sent_input_xml)
    answer = post(running.url(name), sent)
    assert answer.status == 200 and answer.error_code is None, answer.raw[:500]
    check_block(f"{name}:request", _xml(shown))
    check_block(f"{name}:response", _xml(answer.raw, volatile))


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_service_example_is_what_the_provider_answers(provider: Running, registry: Registry, name: str) -> None:
    service, operation, input_xml = EXAMPLES[name]
    assert service == name
    check_example(provider, name, operation, input_xml(registry), (SHOWN_USER, SHOWN_PASSWORD), (USERS.aade, PASSWORD))


def test_the_special_electoral_rolls_example_is_what_the_provider_answers(rolls: Rolls) -> None:
    """Over the demo dataset (the rolls provider), as the demo clerk of Athens; a read, so the shared
    provider is left as it was."""
    input_xml = re.sub(r"<!--.*?-->\n", "", ROLLS_EXAMPLE.read_text(encoding="utf-8"), flags=re.S)
    demo_clerk = ("demo-dimos-athinaion", "demo-athens-pass-2026")
    check_example(rolls.running, "specialElectoralRolls", "checkVoterEligibility", input_xml, demo_clerk, demo_clerk)


def test_the_audit_example_is_what_the_provider_answers(rolls: Rolls) -> None:
    """The demo auditor looks up, by its auditTransactionId, a call the demo AADE user has just made."""
    transaction = f"example-audited-{uuid.uuid4()}"
    audit = {**fresh_audit_record(unit="Δ/νση Ελέγχου", protocol="ΑΠ 1234/2026", user_id="user17",
                                  user_ip="10.1.2.3"), "auditTransactionId": transaction}
    audited = post(rolls.running.url("registryParameters"),
                   envelope("registryParameters", "getRegistryOffices", username=SHOWN_USER, password=SHOWN_PASSWORD,
                            audit=audit, input_xml="<svc:municipalityCode>7401</svc:municipalityCode>"))
    assert audited.status == 200 and audited.error_code is None, audited.raw[:500]
    auditor = ("demo-auditor", "demo-auditor-pass-2026")
    check_example(rolls.running, "audit", "searchAuditEvents",
                  "<svc:transactionId>b7e4c1d2-5f3a-4e8b-9c6d-0a1b2c3d4e5f</svc:transactionId>", auditor, auditor,
                  sent_input_xml=f"<svc:transactionId>{transaction}</svc:transactionId>",
                  volatile=VOLATILE + ("serverTime", "auditTransactionId", "auditTransactionDate", "durationMs"))


def test_the_error_table_is_the_code_table() -> None:
    check_block("error-table", markdown_table() + "\n")
