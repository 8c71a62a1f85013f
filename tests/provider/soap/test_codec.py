"""provider.soap.codec against spyne's own runtime, which it replaced in the gateway: every request the
tests hold is read to the same values spyne's deserializer gives, and every operation's answer is
written to the same bytes spyne's Soap11 writes, with every member filled, with only the mandatory
ones, and as an errorRecord. No HTTP, no database."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from lxml import etree
from spyne import Boolean, ComplexModelBase, Date, DateTime, Integer, MethodContext, Time, Unicode
from spyne.server import ServerBase

from provider.errors import ErrorCode, MitrooError
from provider.soap import contract
from provider.soap.services.common import ErrorRecord
from provider.xml import envelope as soap
from provider.xml import parse as xmlparse
from tests.conftest import PASSWORD, USERS
from tests.provider.xml import pipeline
from tests.support import DATA, envelope, security_text


def _operations() -> list[tuple[str, str]]:
    return [(service, name) for service, cls in contract.SERVICES.items() for name in sorted(cls.public_methods)]


def _requests() -> list[tuple[str, str, bytes]]:
    """(name, service, body): an input record of every operation (the authorization matrix's), the
    committed acts requests and the pipeline's valid samples."""
    inputs = json.loads((DATA / "authorization" / "inputs.json").read_text(encoding="utf-8"))["inputs"]
    found = []
    for key, input_xml in sorted(inputs.items()):
        services, operation = key.split(".")
        for service in contract.SERVICES if services == "*" else [services]:  # "*": the metaservices
            found.append((f"{service}.{operation}", service, envelope(
                operation, security=security_text(USERS.aade, PASSWORD), service=service, input_xml=input_xml)))
    for sample in pipeline.valid_samples():
        checked = soap.parse_envelope(xmlparse.parse(sample.body))
        service = next(name for name in contract.SERVICES if checked.operation.tag.startswith(f"{{urn:mitroo-politon:{name}:"))
        found.append((sample.name, service, sample.body))
    return found


def _spyne_read(service: str, body: bytes) -> Any:
    application = contract.spyne_application(service)
    context = MethodContext(ServerBase(application), MethodContext.SERVER)
    context.in_string = [body]
    protocol = application.in_protocol
    protocol.create_in_document(context)
    protocol.decompose_incoming_envelope(context, message=protocol.REQUEST)
    context.descriptor = contract.SERVICES[service].public_methods[context.method_request_string.rpartition("}")[2]]
    protocol.deserialize(context, message=protocol.REQUEST)
    return context.in_object[1]  # after the auditRecord


def _same(spyne_value: Any, codec_value: Any, where: str) -> None:
    if isinstance(spyne_value, ComplexModelBase):
        for name in type(spyne_value)._type_info:
            _same(getattr(spyne_value, name), getattr(codec_value, name), f"{where}.{name}")
    elif isinstance(spyne_value, list):
        assert isinstance(codec_value, list) and len(codec_value) == len(spyne_value), where
        for index, (left, right) in enumerate(zip(spyne_value, codec_value, strict=True)):
            _same(left, right, f"{where}[{index}]")
    else:
        assert codec_value == spyne_value and type(codec_value) is type(spyne_value), (where, spyne_value, codec_value)


@pytest.mark.parametrize(("name", "service", "body"), _requests(), ids=lambda value: value if isinstance(value, str) else "")
def test_the_codec_reads_a_request_as_spyne_does(name: str, service: str, body: bytes) -> None:
    checked = soap.parse_envelope(xmlparse.parse(body))
    read = contract.codec(service).read(checked.operation_name, checked.operation)
    _same(_spyne_read(service, body), read, name)


def test_every_operation_has_a_request_here() -> None:
    covered = {(service, name.split(".")[1]) for name, service, _body in _requests() if "." in name}
    assert covered >= set(_operations())


# -- answers ------------------------------------------------------------------------------------

_VALUES: tuple[tuple[type, Any], ...] = (
    (Boolean, True), (Date, dt.date(1984, 5, 28)), (DateTime, dt.datetime(2026, 12, 6, 11, 59, 8, 622404, dt.UTC)),
    (Time, dt.time(17, 49)), (Integer, 4501), (Unicode, "Ληξιαρχείο <Αθηνών> & «Πειραιά»"),
)


def _filled(cls: type, full: bool, depth: int = 0) -> Any:
    """An instance of spyne model ``cls``: every member set (``full``; two of each repeated one) or only
    the mandatory ones."""
    values = {}
    for name, member in cls._type_info.items():  # type: ignore[attr-defined]
        attributes = member.Attributes
        if not full and attributes.min_occurs == 0:
            continue
        if issubclass(member, ComplexModelBase):
            value = _filled(member, full, depth + 1) if depth < 6 else None
        else:
            value = next(sample for kind, sample in _VALUES if issubclass(member, kind))
        values[name] = [value, value] if attributes.max_occurs > 1 and value is not None else value
    return cls(**values)


def _spyne_write(service: str, operation: str, values: tuple[Any, ...]) -> bytes:
    application = contract.spyne_application(service)
    context = MethodContext(ServerBase(application), MethodContext.SERVER)
    context.descriptor = contract.SERVICES[service].public_methods[operation]
    context.out_object = values
    application.out_protocol.serialize(context, message=application.out_protocol.RESPONSE)
    return etree.tostring(context.out_document)


@pytest.mark.parametrize("full", [True, False], ids=["every-member", "mandatory-members"])
@pytest.mark.parametrize(("service", "operation"), _operations())
def test_the_codec_writes_an_answer_as_spyne_does(service: str, operation: str, full: bool) -> None:
    output_class = contract.SERVICES[service].public_methods[operation].out_message._type_info[f"{operation}OutputRecord"]
    values = (_filled(output_class, full), "8a1c5a5e-0c87-4d8e-9d55-7d7c6d9a0b1e",
              dt.datetime(2026, 12, 6, 11, 59, 8, 622404, dt.UTC), None)
    written = etree.tostring(contract.codec(service).write(operation, values))
    assert written == _spyne_write(service, operation, values)


@pytest.mark.parametrize(("service", "operation"), _operations())
def test_the_codec_writes_an_error_record_as_spyne_does(service: str, operation: str) -> None:
    values = (None, "8a1c5a5e-0c87-4d8e-9d55-7d7c6d9a0b1e", dt.datetime(2026, 12, 6, 11, 59, 8, tzinfo=dt.UTC),
              ErrorRecord(errorCode=ErrorCode.MP_NOT_FOUND.name, errorDescr="δεν υπάρχει <τέτοια> πράξη & άλλη"))
    written = etree.tostring(contract.codec(service).write(operation, values))
    assert written == _spyne_write(service, operation, values)


def _read_birthdate(text: str) -> object:
    body = envelope("searchActs", security=security_text(USERS.aade, PASSWORD), service="civilRegistryActs",
                    input_xml=f"<svc:person><c:birthdate>{text}</c:birthdate></svc:person>")
    checked = soap.parse_envelope(xmlparse.parse(body))
    assert contract.validation_schema("civilRegistryActs").validate(checked.operation), text
    record = contract.codec("civilRegistryActs").read(checked.operation_name, checked.operation)
    assert record is not None
    return record.person.birthdate


@pytest.mark.parametrize("text", ["1984-05-28", "1984-05-28+02:00", "1984-05-28Z"])
def test_a_date_is_read_with_the_time_zone_the_schema_admits(text: str) -> None:
    assert _read_birthdate(text) == dt.date(1984, 5, 28)


@pytest.mark.parametrize("text", ["10000-01-01", "-0001-01-01"])
def test_a_value_the_schema_admits_but_python_cannot_hold_is_refused_as_schema_invalid(text: str) -> None:
    with pytest.raises(MitrooError) as refused:
        _read_birthdate(text)
    assert refused.value.code is ErrorCode.MP_SCHEMA_INVALID
    assert "birthdate" in refused.value.description


def test_a_repeated_element_is_read_whole_and_in_order() -> None:
    """Thousands of items, near the hardened parser's limit of 10,000 tags, all read and in document order
    (the reader appends each to one list; it used to copy the list per item)."""
    documents = [f"D{number}" for number in range(4_900)]
    body = envelope("finalizeRollApplication", security=security_text(USERS.aade, PASSWORD),
                    service="specialElectoralRolls", input_xml=(
                        "<svc:applicationNumber>4501-2010-000001</svc:applicationNumber><svc:protocolNumber>1/2026"
                        "</svc:protocolNumber><svc:protocolDate>2026-01-15</svc:protocolDate>"
                        + "".join(f"<svc:document>{code}</svc:document>" for code in documents)))
    checked = soap.parse_envelope(xmlparse.parse(body))
    assert contract.validation_schema("specialElectoralRolls").validate(checked.operation)
    record = contract.codec("specialElectoralRolls").read(checked.operation_name, checked.operation)
    assert record is not None and record.document == documents
