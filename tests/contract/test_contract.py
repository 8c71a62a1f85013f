"""The published contract: committed wsdl/ and xsd/ equal the export; every WSDL loads in two
independent SOAP clients; soap:address comes from MITROO_PUBLIC_URL; no namespace comes from
a Python module path; sample requests validate with xmlschema against xsd/."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import requests
import xmlschema
from lxml import etree

from provider.soap import contract
from provider.xml import namespaces as ns
from tests.conftest import PASSWORD, USERS, Running
from tests.support import audit_record, envelope, security_text

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(contract.SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_committed_wsdl_equals_export(service: str) -> None:
    committed = (ROOT / "wsdl" / f"{service}.wsdl").read_bytes()
    assert committed == contract.wsdl(service), f"wsdl/{service}.wsdl is stale: run scripts/export-contract"


@pytest.mark.parametrize("service", SERVICES)
def test_wsdl_loads_in_xmlschema_without_a_warning(service: str) -> None:
    """xmlschema builds the embedded schemas in document order, as JAX-WS wsimport does (that one is
    checked by scripts/interop): the common schema the service schema imports must come first."""
    from xmlschema.extras.wsdl import Wsdl11Document

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        document = Wsdl11Document(str(ROOT / "wsdl" / f"{service}.wsdl"))
    audit_record_type = document.schema.maps.types[f"{{{ns.COMMON}}}auditRecord"]
    assert [element.local_name for element in audit_record_type.content] == [
        "auditTransactionId", "auditTransactionDate", "auditUnit", "auditProtocol", "auditUserId", "auditUserIp"]
    (port_type,) = document.port_types.values()
    assert {"listMethods", "allowedMethods"} <= {name for name, _, _ in port_type.operations}


def test_committed_xsd_equals_export() -> None:
    exported = contract.schemas()
    committed = {path.name: path.read_bytes() for path in (ROOT / "xsd").glob("*.xsd")}
    assert committed == exported, "xsd/ is stale: run scripts/export-contract"


def test_every_namespace_is_documented() -> None:
    documented = {ns.COMMON, *(ns.service(name) for name in ns.SERVICE_NAMES)}
    for data in contract.schemas().values():
        root = etree.fromstring(data)
        assert root.get("targetNamespace") in documented
        for uri in root.nsmap.values():
            assert not uri.startswith(("provider.", "spyne.", "db.")), uri
            assert "edge" not in uri


def test_mandatory_elements_are_stated() -> None:
    common = etree.fromstring(contract.schemas()["common.xsd"])
    audit = common.find(f"{{{ns.XSD}}}complexType[@name='auditRecord']")
    elements = audit.findall(f".//{{{ns.XSD}}}element")
    assert [e.get("name") for e in elements] == [
        "auditTransactionId", "auditTransactionDate", "auditUnit", "auditProtocol", "auditUserId", "auditUserIp"]
    assert all(e.get("minOccurs", "1") == "1" and e.get("nillable", "false") == "false" for e in elements)


def test_sample_request_validates_with_xmlschema() -> None:
    schema = xmlschema.XMLSchema(str(ROOT / "xsd" / "registryParameters.xsd"))
    body = etree.fromstring(envelope("getMunicipalities", security=security_text("u", "p"), audit=audit_record(),
                                     input_xml="<svc:regionCode>EL43</svc:regionCode>"))
    operation = body.find(f".//{{{ns.REGISTRY_PARAMETERS}}}getMunicipalities")
    schema.validate(etree.tostring(operation).decode())
    broken = etree.fromstring(envelope("getMunicipalities", security="", audit=audit_record(auditUnit=None)))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(etree.tostring(broken.find(f".//{{{ns.REGISTRY_PARAMETERS}}}getMunicipalities")).decode())


def test_sample_response_validates_with_xmlschema(provider: Running) -> None:
    schema = xmlschema.XMLSchema(str(ROOT / "xsd" / "registryParameters.xsd"))
    response = requests.post(provider.url(), data=envelope("getRegistryOffices", security=security_text(USERS.aade, PASSWORD)),
                             headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"getRegistryOffices"'},
                             timeout=30)
    operation = etree.fromstring(response.content).find(f".//{{{ns.REGISTRY_PARAMETERS}}}getRegistryOfficesResponse")
    schema.validate(etree.tostring(operation).decode())


@pytest.mark.parametrize("service", SERVICES)
def test_wsdl_loads_in_zeep_and_suds(provider: Running, service: str) -> None:
    import suds.client
    import zeep

    url = f"{provider.url(service)}?wsdl"
    operations = set(zeep.Client(url).service._binding._operations)
    assert {"listMethods", "allowedMethods"} <= operations
    suds_client = suds.client.Client(url, cache=None)
    suds_operations = {method.name for port in suds_client.wsdl.services[0].ports for method in port.methods.values()}
    assert suds_operations == operations


def test_suds_calls_the_provider(provider: Running) -> None:
    import suds.client
    from suds.wsse import Security, UsernameToken

    client = suds.client.Client(f"{provider.url()}?wsdl", cache=None)
    security = Security()
    security.tokens.append(UsernameToken(USERS.aade, PASSWORD))
    client.set_options(wsse=security)
    record = client.factory.create("{urn:mitroo-politon:common:v1}auditRecord")
    for key, value in audit_record().items():
        setattr(record, key, value)
    answer = client.service.getActTypes(record, client.factory.create("{urn:mitroo-politon:common:v1}emptyInputRecord"))
    assert [entry.code for entry in answer.getActTypesOutputRecord.actType] == ["BIRTH", "DEATH", "MARRIAGE", "PARTNERSHIP"]


def test_soap_address_comes_from_public_url_not_host_header(provider: Running) -> None:
    response = requests.get(f"{provider.url()}?wsdl", headers={"Host": "evil.example:666"}, timeout=10)
    root = etree.fromstring(response.content)
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address").get("location")
    assert address == provider.url()
    assert "evil" not in response.text
