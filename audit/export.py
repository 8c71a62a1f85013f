"""Audit events as CSV, JSON or NDJSON text, produced in chunks so an export of millions of rows
streams (to the CLI's stdout, or to the console's HTTP response) without sitting in memory.
The columns are ``audit.query.EXPORTED``, each event as ``as_record`` gives it.

CSV is opened by auditors in spreadsheets, and several of its cells carry what a caller sent
(the declared auditRecord values, the username): a text cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is written with a leading ``'``, so a spreadsheet shows it as text
instead of evaluating it as a formula (OWASP's rule against CSV injection). JSON and NDJSON keep
every value exactly as stored."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from audit.query import EXPORTED, as_record
from db.models import AuditEvent

FORMATS = ("csv", "json", "ndjson")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
               "ndjson": "application/x-ndjson"}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell a spreadsheet shows as text: a string that a spreadsheet would read
    as a formula gets a leading apostrophe; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(events: Iterable[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORTED, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for event in events:
        writer.writerow({name: spreadsheet_safe(value) for name, value in as_record(event).items()})
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ndjson_chunks(events: Iterable[AuditEvent]) -> Iterator[str]:
    for event in events:
        yield json.dumps(as_record(event), ensure_ascii=False) + "\n"


def json_chunks(events: Iterable[AuditEvent]) -> Iterator[str]:
    yield "["
    for index, event in enumerate(events):
        yield ("," if index else "") + "\n  " + json.dumps(as_record(event), ensure_ascii=False)
    yield "\n]\n"


def chunks(events: Iterable[AuditEvent], output: str) -> Iterator[str]:
    """``events`` in ``output`` (one of ``FORMATS``)."""
    writers = {"csv": csv_chunks, "json": json_chunks, "ndjson": ndjson_chunks}
    return writers[output](events)
