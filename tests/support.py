"""Helpers for the tests: SOAP requests built from the templates in tests/data/requests,
HTTP posting, response parsing, audit-row lookup and the SQL statements a piece of code sends."""
from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any
from xml.sax.saxutils import escape

import requests
from lxml import etree
from sqlalchemy import Engine, event, select

from db.models import AuditEvent, AuditEventSubject
from provider.xml import namespaces as ns
from provider.xml.wssecurity import password_digest

DATA = Path(__file__).with_name("data")
REQUESTS = DATA / "requests"


def template(name: str) -> Template:
    return Template((REQUESTS / name).read_text(encoding="utf-8"))


def audit_record(**overrides: str | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        "auditTransactionId": f"tx-{uuid.uuid4()}",
        "auditTransactionDate": dt.datetime.now(dt.UTC).isoformat(),
        "auditUnit": "Τμήμα Ελέγχου",
        "auditProtocol": "ΑΠ 1234/2026",
        "auditUserId": "user-17",
        "auditUserIp": "10.20.30.40",
    }
    values.update(overrides)
    return values


def audit_xml(values: dict[str, str | None]) -> str:
    return "".join(f"<c:{k}>{escape(v)}</c:{k}>" for k, v in values.items() if v is not None)


def security_text(username: str, password: str) -> str:
    return template("security-text.xml").substitute(username=escape(username), password=escape(password))


def security_digest(username: str, password: str, *, created: dt.datetime | None = None, nonce: bytes | None = None) -> str:
    nonce = nonce or os.urandom(16)
    stamp = (created or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return template("security-digest.xml").substitute(
        username=escape(username),
        digest=password_digest(nonce, stamp, password),
        nonce=base64.b64encode(nonce).decode(),
        created=stamp,
    )


def envelope(
    operation: str,
    *,
    security: str,
    audit: dict[str, str | None] | None = None,
    input_xml: str = "",
    service: str = "registryParameters",
) -> bytes:
    return template("envelope.xml").substitute(
        service_ns=ns.service(service),
        security=security,
        operation=operation,
        audit=audit_xml(audit if audit is not None else audit_record()),
        input=input_xml,
    ).encode("utf-8")


@dataclass(frozen=True)
class Answer:
    status: int
    xml: etree._Element
    raw: bytes  # exactly the bytes received, for signature checks

    def find(self, local_name: str) -> etree._Element | None:
        return next((el for el in self.xml.iter() if isinstance(el.tag, str) and etree.QName(el).localname == local_name), None)

    def text(self, local_name: str) -> str | None:
        element = self.find(local_name)
        return None if element is None else element.text

    @property
    def error_code(self) -> str | None:
        return self.text("errorCode")

    @property
    def call_sequence_id(self) -> str:
        value = self.text("callSequenceId")
        assert value, "response carries no callSequenceId"
        return value

    @property
    def faultcode(self) -> str | None:
        return self.text("faultcode")

    @property
    def is_fault(self) -> bool:
        return self.find("Fault") is not None


def post(url: str, body: bytes, *, content_type: str = "text/xml; charset=utf-8",
         headers: dict[str, str] | None = None) -> Answer:
    """POST ``body`` as a SOAP 1.1 client does; SOAPAction "" (the Body names the operation) unless ``headers`` say otherwise."""
    sent = {"Content-Type": content_type, "SOAPAction": '""', **(headers or {})}
    response = requests.post(url, data=body, headers=sent, timeout=30)
    assert response.headers["Content-Type"].startswith("text/xml"), response.text[:300]
    return Answer(response.status_code, etree.fromstring(response.content), response.content)


def audit_row(engine: Engine, call_sequence_id: str) -> AuditEvent:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        row = session.scalar(select(AuditEvent).where(AuditEvent.call_sequence_id == call_sequence_id))
        assert row is not None, f"no audit event for {call_sequence_id}"
        return row


def audit_subjects(engine: Engine, event_id: int) -> set[int]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return set(session.scalars(select(AuditEventSubject.person_id).where(AuditEventSubject.event_id == event_id)))


def latest_audit_row(engine: Engine) -> AuditEvent:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        row = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert row is not None
        return row


@contextmanager
def statements_sent(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` inside the block (an executemany is one; a commit is none)."""
    statements: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def as_dict(obj: Any) -> Any:
    from zeep.helpers import serialize_object

    return serialize_object(obj, dict)
