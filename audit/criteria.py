"""Search criteria as typed by a person (``mitroo-audit`` options, the console's form fields) turned
into an ``AuditFilter``. One parser for both, so the CLI and the console read a filter alike.

Every problem raises ``QueryError`` naming the field as the caller calls it (``label``): the CLI
says ``--since``, the console its form label.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from audit.query import AuditFilter, QueryError, ip_criterion, subjects_of

ATHENS = ZoneInfo("Europe/Athens")

# Every criterion of ``mitroo-audit search``, by its option name (``--user-id`` is ``user_id``).
FIELDS = (
    "agency", "system", "username", "unit", "user_id", "observed_ip", "declared_ip", "service", "operation",
    "outcome", "since", "until", "call_sequence_id", "transaction_id", "protocol", "subject_amka", "subject_act",
    "subject_share",
)

Label = Callable[[str], str]


def option_label(field: str) -> str:
    """How the CLI names a field: ``--subject-amka``."""
    return "--" + field.replace("_", "-")


def parse_time(value: str | None, name: str) -> dt.datetime | None:
    """A date or date-time; without a zone it is read as Greek local time (Europe/Athens)."""
    if not value or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise QueryError(f"{name}: {value!r} is not a date (2026-11-23) or date-time (2026-11-23T10:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ATHENS)
    return moment.astimezone(dt.UTC)


def parse_act(value: str | None, name: str) -> tuple[str, int, int, int | None] | None:
    """OFFICE/NUMBER/YEAR or OFFICE/NUMBER/VOLUME/YEAR as (office, number, year, volume)."""
    if not value or not value.strip():
        return None
    parts = value.strip().split("/")
    try:
        if len(parts) == 3:
            return parts[0], int(parts[1]), int(parts[2]), None
        if len(parts) == 4:
            return parts[0], int(parts[1]), int(parts[3]), int(parts[2])
    except ValueError:
        pass
    raise QueryError(f"{name}: give OFFICE/NUMBER/YEAR or OFFICE/NUMBER/VOLUME/YEAR, e.g. L7101/15/2019")


def parse_share(value: str | None, name: str) -> tuple[str, int] | None:
    """MUNICIPALITY/SHARE as (municipality code, share number)."""
    if not value or not value.strip():
        return None
    municipality, _, number = value.strip().partition("/")
    if not municipality or not number.isdigit():
        raise QueryError(f"{name}: give MUNICIPALITY/SHARE, e.g. 7401/1234")
    return municipality, int(number)


def _text(options: Mapping[str, object], field: str) -> str | None:
    value = options.get(field)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def criteria(session: Session, options: Mapping[str, object], label: Label = option_label) -> AuditFilter:
    """The ``AuditFilter`` of ``options`` (keys from ``FIELDS``; absent or blank means "any").
    A data subject is resolved to the persons it names; naming nobody is an error."""
    subjects = None
    amka, act, share = (_text(options, "subject_amka"), _text(options, "subject_act"),
                        _text(options, "subject_share"))
    if amka or act or share:
        subjects = subjects_of(session, amka=amka, act=parse_act(act, label("subject_act")),
                               share=parse_share(share, label("subject_share")))
        if not subjects:
            raise QueryError("no person in the registry matches the given subject")
    observed, declared = _text(options, "observed_ip"), _text(options, "declared_ip")
    return AuditFilter(
        agency=_text(options, "agency"), system=_text(options, "system"), username=_text(options, "username"),
        unit=_text(options, "unit"), user_id=_text(options, "user_id"),
        observed_ip=ip_criterion(observed, label("observed_ip")) if observed else None,
        declared_ip=ip_criterion(declared, label("declared_ip")) if declared else None,
        service=_text(options, "service"), operation=_text(options, "operation"), outcome=_text(options, "outcome"),
        since=parse_time(_text(options, "since"), label("since")),
        until=parse_time(_text(options, "until"), label("until")),
        call_sequence_id=_text(options, "call_sequence_id"), transaction_id=_text(options, "transaction_id"),
        protocol=_text(options, "protocol"), subjects=subjects,
    )
