"""The services' messages read and written straight from their spyne models, without spyne's runtime.

spyne defines the contract: the models in ``provider.soap.services`` give the WSDL and the XSD. At
run time the gateway has already parsed the request once (hardened) and validated it against that
XSD, so reading it again through spyne (a second parse, an object per element, a protocol dispatch per
value) and writing the answer through spyne (the same per value) cost a quarter of a call's CPU.
``ServiceCodec`` does both from a plan compiled once per model from the same class attributes spyne
reads (element names and namespaces, min/max occurs, defaults), over the few value types the models
use, and hands the answer to the signer as a tree:

- ``read``: the ``<op>InputRecord`` element of a validated request as a plain record (attributes named
  as the elements; absent ones None, repeated ones a list), what spyne's deserializer gave the
  handlers. A value the schema admits but Python cannot hold (the year 10000) is MP_SCHEMA_INVALID.
- ``write``: the response envelope, element for element what spyne's Soap11 writes: members in model
  order, each in its model's namespace, an absent optional member left out, an absent mandatory or
  nillable one written ``xsi:nil="true"``, dates and times in ISO 8601, booleans ``true``/``false``.
  tests/provider/soap/test_codec.py compares the two on every operation's answers.
"""
from __future__ import annotations

import datetime as dt
import functools
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from spyne import Application, Boolean, ComplexModelBase, Date, DateTime, Integer, Time, Unicode

from provider.errors import ErrorCode, MitrooError
from provider.soap.services.common import Handler
from provider.xml import namespaces as ns

_XSI_NIL = f"{{{ns.XSI}}}nil"
_ENVELOPE = f"{{{ns.SOAP11_ENV}}}Envelope"
_BODY = f"{{{ns.SOAP11_ENV}}}Body"


def _boolean(text: str) -> bool:
    return text.strip() in ("true", "1")


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip()[:10])  # a time zone, if given, does not change the day


def _datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.strip())


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text.strip())


def _format_date(value: dt.date) -> str:
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def _format_time(value: dt.time | dt.datetime) -> str:
    return (value.time() if isinstance(value, dt.datetime) else value).isoformat()


# The value types the models use, most specific first (spyne's Date is a DateTime): how a value is
# read from an element's text and written as one.
_SIMPLE: tuple[tuple[type, Callable[[str], Any], Callable[[Any], str]], ...] = (
    (Boolean, _boolean, lambda value: "true" if value else "false"),
    (Date, _date, _format_date),
    (DateTime, _datetime, lambda value: value.isoformat()),
    (Time, _time, _format_time),
    (Integer, int, str),
    (Unicode, str, str),
)


@dataclass(frozen=True)
class _Member:
    name: str  # the attribute, and the element's local name
    tag: str  # {namespace}name
    model: _Model | None  # a complex member's plan; None for a value
    read: Callable[[str], Any]
    write: Callable[[Any], str]
    many: bool
    min_occurs: int
    default: Any


@dataclass(frozen=True)
class _Model:
    members: tuple[_Member, ...]
    by_name: dict[str, _Member]


@functools.cache  # the services' models: built once, shared by every service that uses one
def _plan(cls: type) -> _Model:
    """The plan of spyne model ``cls``."""
    if getattr(cls, "__extends__", None) is not None:
        raise TypeError(f"{cls.__name__}: the codec does not write models that extend others")
    namespace = cls.get_namespace()  # type: ignore[attr-defined]
    members = []
    for name, member_cls in cls._type_info.items():  # type: ignore[attr-defined]
        attributes = member_cls.Attributes
        if attributes.sub_ns is not None or attributes.sub_name is not None:
            raise TypeError(f"{cls.__name__}.{name}: renamed members are not supported by the codec")
        if issubclass(member_cls, ComplexModelBase):
            model: _Model | None = _plan(member_cls)
            read: Callable[[str], Any] = str
            write: Callable[[Any], str] = str
        else:
            model = None
            rules = [(r, w) for kind, r, w in _SIMPLE if issubclass(member_cls, kind)]
            if not rules:
                raise TypeError(f"{cls.__name__}.{name}: the codec has no rule for {member_cls.__name__}")
            read, write = rules[0]
            if issubclass(member_cls, DateTime) and not issubclass(member_cls, Date) and not attributes.timezone:
                raise TypeError(f"{cls.__name__}.{name}: a DateTime without timezone=True")
        members.append(_Member(name, f"{{{namespace}}}{name}", model, read, write, attributes.max_occurs > 1,
                               attributes.min_occurs, attributes.default))
    return _Model(tuple(members), {member.name: member for member in members})


# -- reading ----------------------------------------------------------------------------------------


def _read(model: _Model, element: etree._Element) -> types.SimpleNamespace:
    values: dict[str, Any] = {member.name: member.default for member in model.members}
    repeated: dict[str, list[Any]] = {}  # a repeated member's items, in document order
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        member = model.by_name.get(tag.rpartition("}")[2])
        if member is None:
            continue
        value = None if child.get(_XSI_NIL) in ("true", "1") else _value(member, child)
        if member.many:
            repeated.setdefault(member.name, []).append(value)
        else:
            values[member.name] = value
    return types.SimpleNamespace(**{**values, **repeated})


def _value(member: _Member, element: etree._Element) -> Any:
    if member.model is not None:
        return _read(member.model, element)
    try:
        return member.read(element.text or "")
    except ValueError:
        raise MitrooError(
            ErrorCode.MP_SCHEMA_INVALID,
            f"{member.name}: η τιμή {(element.text or '')[:40]!r} δεν αναπαρίσταται (value out of range)",
        ) from None


# -- writing ----------------------------------------------------------------------------------------


def _write(parent: etree._Element, model: _Model, instance: Any) -> None:
    for member in model.members:
        value = getattr(instance, member.name, None)
        if value is not None and member.many:
            for item in value:
                _element(parent, member, item)
        elif value is not None or member.min_occurs > 0:
            _element(parent, member, value)


def _element(parent: etree._Element, member: _Member, value: Any) -> None:
    # Made apart and appended, as spyne does: an element of a namespace the envelope does not declare
    # (the common one) then declares it itself, under the same prefix spyne writes (ns0).
    element = etree.Element(member.tag)
    parent.append(element)
    if value is None:
        value = member.default
    if value is None:
        element.set(_XSI_NIL, "true")
    elif member.model is not None:
        _write(element, member.model, value)
    else:
        element.text = member.write(value)


# -- one service ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Operation:
    input_tag: str
    input: _Model
    output_tag: str
    output: _Model


class ServiceCodec:
    """Reads the requests and writes the answers of one service's operations."""

    def __init__(self, application: Application) -> None:
        self._nsmap = {prefix: uri for prefix, uri in application.interface.nsmap.items() if prefix != "xml"}
        self._operations: dict[str, _Operation] = {}
        self.handlers: dict[str, Handler] = {}  # by operation
        for service in application.services:
            self.handlers.update(service.handlers)
            for name, descriptor in service.public_methods.items():
                request, response = descriptor.in_message, descriptor.out_message
                input_name = list(request._type_info)[-1]  # after the auditRecord
                self._operations[name] = _Operation(
                    f"{{{request.get_namespace()}}}{input_name}",
                    _plan(request._type_info[input_name]),
                    f"{{{response.get_namespace()}}}{response.get_type_name()}",
                    _plan(response),
                )

    def read(self, operation: str, element: etree._Element) -> types.SimpleNamespace | None:
        """The input record of validated operation ``element`` (None when the request has none)."""
        spec = self._operations[operation]
        record = element.find(spec.input_tag)
        return None if record is None else _read(spec.input, record)

    def write(self, operation: str, values: tuple[Any, ...]) -> etree._Element:
        """The response envelope of ``operation`` whose wrapper members are ``values``, in order."""
        spec = self._operations[operation]
        envelope = etree.Element(_ENVELOPE, nsmap=self._nsmap)
        wrapper = etree.SubElement(etree.SubElement(envelope, _BODY), spec.output_tag)
        _write(wrapper, spec.output, types.SimpleNamespace(
            **{member.name: value for member, value in zip(spec.output.members, values, strict=True)}))
        etree.cleanup_namespaces(envelope)
        return envelope
