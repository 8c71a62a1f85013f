"""What the client returns: frozen dataclasses, never zeep objects.

Field names are the XSD element names in snake_case (``nameLatin`` → ``name_latin``), so the
published schema is the documentation. ``build`` fills any of these from a zeep object.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Reply(Generic[T]):
    """One answered call: the data, the provider's id of the call, and the signed evidence."""

    data: T
    call_sequence_id: str
    call_sequence_date: dt.datetime | None
    audit_transaction_id: str
    evidence: bytes | None = None  # the raw signed response, when keep_evidence is on


# -- registryParameters ----------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    name_latin: str
    region_code: str
    region_name: str
    regional_unit: str | None = None


@dataclass(frozen=True)
class RegistryOffice:
    code: str
    name: str
    municipality_code: str
    numbers_by_volume: bool


@dataclass(frozen=True)
class CodeEntry:
    """An entry of a code table: countries, act types, member types."""

    code: str
    name: str
    name_en: str | None = None


# -- conversion ------------------------------------------------------------------------------


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def build(cls: type[T], source: Any) -> T:
    """A ``cls`` dataclass from a zeep object (or dict), converting nested dataclasses and tuples."""
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        raw = source.get(camel(field.name)) if isinstance(source, dict) else getattr(source, camel(field.name), None)
        values[field.name] = _convert(hints[field.name], raw)
    return cls(**values)


def many(cls: type[T], items: Any) -> tuple[T, ...]:
    return tuple(build(cls, item) for item in items or ())


def _convert(hint: Any, raw: Any) -> Any:
    if raw is None:
        return () if typing.get_origin(hint) is tuple else None
    origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_convert(item, value) for value in raw)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _convert(options[0], raw) if len(options) == 1 else raw
    if dataclasses.is_dataclass(hint):
        return build(hint, raw)  # type: ignore[arg-type]
    return raw
