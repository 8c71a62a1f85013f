"""The published contract, exported from code: one WSDL per service and one XSD per namespace.

``scripts/export-contract`` writes these into wsdl/ and xsd/; a test fails when the committed
files differ. The gateway validates every request body against the same schemas.
"""
from __future__ import annotations

import copy
from functools import cache

from lxml import etree
from spyne import Application
from spyne.interface.wsdl import Wsdl11
from spyne.protocol.soap import Soap11

from provider.soap.codec import ServiceCodec
from provider.soap.services import (
    audit_service,
    civil_registry_acts,
    civil_status_certificates,
    registry_parameters,
    special_electoral_rolls,
)
from provider.xml import namespaces as ns
from provider.xml.parse import parse_trusted

SERVICES: dict[str, type] = {
    registry_parameters.SERVICE: registry_parameters.Service,
    civil_registry_acts.SERVICE: civil_registry_acts.Service,
    civil_status_certificates.SERVICE: civil_status_certificates.Service,
    special_electoral_rolls.SERVICE: special_electoral_rolls.Service,
    audit_service.SERVICE: audit_service.Service,
}

_XS = f"{{{ns.XSD}}}"
_WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def service_url(public_url: str, service: str) -> str:
    return f"{public_url.rstrip('/')}/ws/{service}"


SOAP_HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"


def spyne_application(service: str) -> Application:
    application = Application(
        [SERVICES[service]],
        tns=ns.service(service),
        name=service,
        in_protocol=Soap11(),
        out_protocol=Soap11(),
    )
    application.transport = SOAP_HTTP_TRANSPORT  # what the WSDL binding declares
    return application


def codec(service: str) -> ServiceCodec:
    """What the gateway reads the service's requests and writes its answers with."""
    return ServiceCodec(spyne_application(service))


def wsdl(service: str, public_url: str = DEFAULT_PUBLIC_URL) -> bytes:
    """The service's WSDL with ``soap:address`` taken from ``public_url`` (never a Host header)."""
    document = Wsdl11(spyne_application(service).interface)
    document.build_interface_document(service_url(public_url, service))
    root = parse_trusted(document.get_interface_document())
    _imported_schemas_first(root)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _imported_schemas_first(definitions: etree._Element) -> None:
    """Put the common schema before the service schema that imports it (spyne writes it last).

    The import names no schemaLocation, so a reader that builds the schemas in document order
    (JAX-WS ``wsimport``, xmlschema's ``Wsdl11Document``) meets ``s0:auditRecord`` before its
    definition and fails; with the imported schema first every reader resolves it.
    """
    types = definitions.find(_WSDL + "types")
    assert types is not None, "spyne writes wsdl:types in every WSDL"
    in_order = sorted(types.findall(_XS + "schema"), key=lambda schema: schema.get("targetNamespace") != ns.COMMON)
    for schema in in_order:
        types.append(schema)  # lxml moves the element: appended in this order, they end up in it


def xsd_filename(namespace: str | None) -> str:
    if namespace == ns.COMMON:
        return "common.xsd"
    for name in ns.SERVICE_NAMES:
        if namespace == ns.service(name):
            return f"{name}.xsd"
    raise ValueError(f"no published XSD for namespace {namespace}")


@cache
def schemas() -> dict[str, bytes]:
    """Every published XSD by file name; common types are the union over all services."""
    merged: dict[str, etree._Element] = {}
    for service in SERVICES:
        definitions = parse_trusted(wsdl(service))
        for schema in definitions.iter(_XS + "schema"):
            namespace = schema.get("targetNamespace")
            if namespace is None:
                raise ValueError(f"a schema of the {service} WSDL has no targetNamespace")
            name = xsd_filename(namespace)
            target = merged.get(name)
            if target is None:
                nsmap = {
                    k: v for k, v in definitions.nsmap.items() if k is not None and v in (ns.XSD, namespace, ns.COMMON)
                }
                nsmap["tns" if namespace != ns.COMMON else "c"] = namespace
                target = etree.Element(_XS + "schema", nsmap=nsmap)
                target.set("targetNamespace", namespace)
                target.set("elementFormDefault", "qualified")
                merged[name] = target
            existing = {(child.tag, child.get("name"), child.get("namespace")) for child in target}
            for child in schema:
                key = (child.tag, child.get("name"), child.get("namespace"))
                if key in existing:
                    continue
                child = copy.deepcopy(child)
                if child.tag == _XS + "import":
                    child.set("schemaLocation", xsd_filename(child.get("namespace")))
                target.append(child)
    for target in merged.values():
        imports = [child for child in target if child.tag == _XS + "import"]
        for child in imports:  # xs:import must come first
            target.remove(child)
        for position, child in enumerate(imports):
            target.insert(position, child)
    for root in merged.values():
        etree.indent(root, space="  ")
    return {
        name: etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
        for name, root in sorted(merged.items())
    }


class _SchemaResolver(etree.Resolver):
    # lxml calls resolve(system_url, public_id, context); lxml-stubs 0.5 leaves the context out.
    def resolve(self, system_url: str, public_id: str, context: object) -> object:  # type: ignore[override]
        name = system_url.rsplit("/", 1)[-1]
        documents = schemas()
        if name in documents:
            return self.resolve_string(documents[name], context, base_url=None)
        return None


@cache
def validation_schema(service: str) -> etree.XMLSchema:
    """The XMLSchema that request bodies of ``service`` are validated against."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_SchemaResolver())
    root = etree.fromstring(schemas()[f"{service}.xsd"], parser=parser, base_url=f"mitroo:/xsd/{service}.xsd")
    return etree.XMLSchema(root)
