"""Shared SOAP types (namespace ``urn:mitroo-politon:common:v1``) and the operation factory."""
from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable
from typing import Any

from spyne import ComplexModel, Date, DateTime, Int, ServiceBase, Unicode, rpc

from provider.errors import MitrooError
from provider.soap.call import Call
from provider.xml import namespaces as ns

Mandatory = dict(min_occurs=1, nillable=False)
Optional = dict(min_occurs=0, nillable=False)


def text(**kwargs: Any) -> Any:
    """A mandatory string unless told otherwise."""
    options = {**Mandatory, **kwargs}
    return Unicode(**options)


class AuditRecord(ComplexModel):
    """The caller's audit data, mandatory on every call (checked by the pipeline)."""

    __namespace__ = ns.COMMON
    __type_name__ = "auditRecord"
    _type_info = [
        ("auditTransactionId", text()),
        ("auditTransactionDate", text()),
        ("auditUnit", text()),
        ("auditProtocol", text()),
        ("auditUserId", text()),
        ("auditUserIp", text()),
    ]


class ErrorRecord(ComplexModel):
    __namespace__ = ns.COMMON
    __type_name__ = "errorRecord"
    _type_info = [("errorCode", text()), ("errorDescr", text())]


class MethodList(ComplexModel):
    __namespace__ = ns.COMMON
    __type_name__ = "methodList"
    _type_info = [("method", Unicode(min_occurs=0, max_occurs="unbounded", nillable=False))]


class EmptyInput(ComplexModel):
    __namespace__ = ns.COMMON
    __type_name__ = "emptyInputRecord"
    _type_info: list[tuple[str, Any]] = []


class PersonCriteria(ComplexModel):
    """A person, named by AMKA or by surname + firstname + fathername + birthdate (mothername optional).

    Every element is optional in the schema: which combination is complete is a domain rule,
    answered with MP_INVALID_INPUT naming the element that is missing.
    """

    __namespace__ = ns.COMMON
    __type_name__ = "personCriteria"
    _type_info = [
        ("amka", text(**Optional)),
        ("surname", text(**Optional)),
        ("firstname", text(**Optional)),
        ("fathername", text(**Optional)),
        ("mothername", text(**Optional)),
        ("birthdate", Date(**Optional)),
    ]


class ActReference(ComplexModel):
    """A civil act by reference: registry office, act number, year, and volume where the office keeps volumes."""

    __namespace__ = ns.COMMON
    __type_name__ = "actReference"
    _type_info = [
        ("registryOfficeCode", text()),
        ("actNumber", Int(**Mandatory)),
        ("volume", Int(**Optional)),
        ("year", Int(**Mandatory)),
    ]


@functools.cache  # field names: a few hundred at most
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def build(model: type[Any], **values: Any) -> types.SimpleNamespace:
    """An answer record of ``model`` with its members ``values`` (those left out are absent): a plain
    record, which the codec writes as ``model``. A spyne instance would cost spyne's per-member set-up
    for nothing: the codec only reads the attributes."""
    assert all(name in model._type_info for name in values), f"not all members of {model.__name__}: {list(values)}"
    return types.SimpleNamespace(**values)


def output_model(model: type[Any], record: Any) -> types.SimpleNamespace:
    """The answer record of ``model`` from the frozen ``record``'s fields of the same (camelCase) name;
    others are left out."""
    names = model._type_info
    values = {_camel(f.name): getattr(record, f.name) for f in dataclasses.fields(record)}
    return build(model, **{name: value for name, value in values.items() if name in names})


def input_record(record_type: type, data: Any) -> Any:
    """A domain criteria record from a spyne input object (absent elements are None)."""
    if data is None:
        return None
    return record_type(**{f.name: getattr(data, _camel(f.name), None) for f in dataclasses.fields(record_type)})


Handler = Callable[[Call, Any], Any]


def _error_record(error: MitrooError) -> types.SimpleNamespace:
    return build(ErrorRecord, errorCode=error.code.name, errorDescr=error.description)


def answer(call: Call, handler: Handler, input_record: Any) -> tuple[Any, ...] | None:
    """The response values of an operation (its outputRecord, callSequenceId, callSequenceDate and
    errorRecord) for ``call``: the errorRecord of the call's rejection, or the handler's output, or the
    errorRecord of its business refusal. None when the answer must be a fault: ``call.failure`` says why
    (a fault-class MitrooError, or any other exception, which the gateway answers MP_INTERNAL_ERROR)."""
    ids = (call.call_sequence_id, call.call_sequence_date)
    if call.rejection is not None:
        return None, *ids, _error_record(call.rejection)
    try:
        output = handler(call, input_record)
    except MitrooError as error:
        if error.code.is_fault:
            call.failure = error
            return None
        call.answered_error = error
        return None, *ids, _error_record(error)
    except Exception as exc:
        call.failure = exc
        return None
    return output, *ids, None


def operation(name: str, input_model: type[Any], output_model: type[Any]) -> Any:
    """A document/literal wrapped operation in the KED shape (docs/design.md §4 Messages), for the contract.

    Request ``<name>``: auditRecord + ``<name>InputRecord``. Response ``<name>Response``:
    ``<name>OutputRecord`` (absent on error), callSequenceId, callSequenceDate, errorRecord.
    spyne only describes it (the WSDL and XSD); the gateway reads and answers it through
    ``provider.soap.codec`` and ``answer``.
    """

    def method(ctx: Any, auditRecord: Any, input_record: Any) -> None:
        raise NotImplementedError("answered by the gateway through provider.soap.codec, never by spyne")

    method.__name__ = name
    return rpc(
        AuditRecord.customize(**Mandatory),
        input_model.customize(**Mandatory),
        _returns=(
            output_model.customize(min_occurs=0, nillable=True),
            Unicode(min_occurs=1, nillable=False),
            DateTime(min_occurs=1, nillable=False, timezone=True),
            ErrorRecord.customize(min_occurs=1, nillable=True),
        ),
        _in_variable_names={"input_record": f"{name}InputRecord"},
        _out_variable_names=(f"{name}OutputRecord", "callSequenceId", "callSequenceDate", "errorRecord"),
        _operation_name=name,
    )(method)


def service_class(service: str, operations: dict[str, tuple[type, type, Handler]]) -> type:
    """A spyne ServiceBase with ``operations`` plus the listMethods/allowedMethods metaservices."""
    from provider.soap.metaservices import allowed_methods, list_methods

    names = sorted([*operations, "listMethods", "allowedMethods"])
    everything: dict[str, tuple[type, type, Handler]] = {
        **operations,
        "listMethods": (EmptyInput, MethodList, lambda call, _input: MethodList(method=list_methods(names))),
        "allowedMethods": (EmptyInput, MethodList, lambda call, _input: MethodList(method=allowed_methods(call, names))),
    }
    members: dict[str, Any] = {"__service_name__": service}
    for name, (input_model, output_model, _handler) in everything.items():
        members[name] = operation(name, input_model, output_model)
    members["handlers"] = {name: handler for name, (_input, _output, handler) in everything.items()}  # by operation
    return type(f"{service}Service", (ServiceBase,), members)
