"""civilRegistryActs samples (tests/data/acts): the requests and responses validate with xmlschema
against xsd/, the invalid ones fail it (and the provider's own validation); and the live provider,
on the demo dataset, answers each sample request with the committed sample response: the same
body element, its callSequenceId and callSequenceDate aside (the SOAP header is not compared).

After a deliberate change to the answers, rewrite the responses and review the diff:
    MITROO_REGENERATE_SAMPLES=1 scripts/test tests/contract/test_acts_samples.py -k sqlite
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from provider.xml import namespaces as ns
from tests.acts_data import Registry
from tests.conftest import PASSWORD, USERS, Running
from tests.support import DATA, post

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = DATA / "acts"
REQUESTS = sorted((SAMPLES / "requests").glob("*.xml"))
INVALID = sorted((SAMPLES / "invalid").glob("*.xml"))
WSSE = f"{{{ns.WSSE}}}"
CALL_FIELDS = ("callSequenceId", "callSequenceDate")
_PARSER = etree.XMLParser(remove_blank_text=True)


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(ROOT / "xsd" / "civilRegistryActs.xsd"))


def body_child(document: etree._Element) -> etree._Element:
    return document.find(f"{{{ns.SOAP11_ENV}}}Body")[0]


def validate(document: etree._Element) -> None:
    schema().validate(etree.tostring(body_child(document)).decode())


def response_path(request: Path) -> Path:
    return SAMPLES / "responses" / request.name


@pytest.mark.parametrize("path", REQUESTS, ids=[p.stem for p in REQUESTS])
def test_sample_request_and_response_validate(path: Path) -> None:
    validate(etree.parse(str(path)).getroot())
    validate(etree.parse(str(response_path(path))).getroot())


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_sample_fails_xmlschema_and_the_provider(provider: Running, path: Path) -> None:
    document = etree.parse(str(path)).getroot()
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        validate(document)
    answer = post(provider.url("civilRegistryActs"), _fresh(document))
    assert answer.is_fault and answer.error_code == "MP_SCHEMA_INVALID"


def _fresh(document: etree._Element) -> bytes:
    """The sample with the test user's credentials and a new transaction id and date."""
    document = etree.fromstring(etree.tostring(document))
    document.find(f".//{WSSE}Username").text = USERS.aade
    document.find(f".//{WSSE}Password").text = PASSWORD
    common = f"{{{ns.COMMON}}}"
    document.find(f".//{common}auditTransactionId").text = f"sample-{uuid.uuid4()}"
    document.find(f".//{common}auditTransactionDate").text = dt.datetime.now(dt.UTC).isoformat()
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def _without_call_ids(document: etree._Element) -> bytes:
    """The body's element, with the call's own id and date blanked."""
    document = etree.fromstring(etree.tostring(body_child(document)), _PARSER)
    for element in document.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname in CALL_FIELDS:
            element.text = "…"
    return etree.tostring(document, method="c14n", exclusive=True)  # namespaces it uses, not those in scope


@pytest.mark.parametrize("path", REQUESTS, ids=[p.stem for p in REQUESTS])
def test_live_answer_is_the_sample_response(provider: Running, registry: Registry, path: Path) -> None:
    answer = post(provider.url("civilRegistryActs"), _fresh(etree.parse(str(path)).getroot()))
    assert answer.status == 200 and answer.error_code is None, etree.tostring(answer.xml)[:500]
    validate(answer.xml)
    committed = response_path(path)
    if os.environ.get("MITROO_REGENERATE_SAMPLES"):
        pretty = etree.fromstring(etree.tostring(answer.xml), _PARSER)
        etree.indent(pretty, space="  ")
        committed.write_bytes(etree.tostring(pretty, xml_declaration=True, encoding="UTF-8") + b"\n")
    expected = etree.parse(str(committed), _PARSER).getroot()
    assert _without_call_ids(answer.xml) == _without_call_ids(expected), f"{committed.name} is stale (see docstring)"
