"""The gateway's checks that need neither HTTP nor a database, in the gateway's order
(provider/soap/gateway.py, ``Gateway._handle`` then ``_admit``), run on a request as a WSGI server
would hand it over; and the data that drives them: the hostile corpus (tests/data/hostile) and the
valid samples (tests/data/requests, acts, rolls).

body read (size, Content-Length) → Content-Type → hardened parse → SOAP 1.1 envelope → SOAPAction →
declared auditRecord → XSD validation → UsernameToken → (the user's row and password: the database)
→ digest freshness → auditRecord. The first check that refuses raises its ``MitrooError``.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

from lxml import etree

from provider.errors import ErrorCode, MitrooError
from provider.settings import Settings
from provider.soap.contract import validation_schema
from provider.soap.gateway import Gateway, read_body, validate
from provider.xml import auditrecord, wssecurity
from provider.xml import envelope as soap
from provider.xml import parse as xmlparse
from tests.conftest import PASSWORD, USERS
from tests.hostile_corpus import Case, Context, render
from tests.support import DATA, audit_record, envelope, security_digest, security_text

SETTINGS = Settings()  # the defaults: body limit, digest age, clock skew

# Cases refused before any function the gateway calls: the method check is inline in Gateway._handle.
# Over HTTP they are tested by tests/e2e/test_hostile.py.
REFUSED_INLINE = {"get-with-garbage": "only POST is accepted"}

# Nothing listens there: a request that made the parser fetch a URL would fail to connect (and the
# e2e test counts connections on a real listener).
CONTEXT = Context(secret_file=Path("/nonexistent/mitroo-secret.txt"), canary_url="http://127.0.0.1:9/canary")


@dataclass(frozen=True)
class Request:
    body: bytes
    method: str = "POST"
    content_type: str | None = "text/xml; charset=utf-8"
    soap_action: str | None = '""'
    send: str = "content-length"  # or chunked, short-content-length, long-content-length (as tests/hostile_corpus.py)


def environ(request: Request) -> dict[str, Any]:
    """The WSGI environ a server builds for ``request``: a chunked body arrives de-chunked with no
    CONTENT_LENGTH; a lying Content-Length is passed on as it was sent."""
    body = request.body
    values: dict[str, Any] = {"REQUEST_METHOD": request.method, "wsgi.input": io.BytesIO(body)}
    if request.content_type is not None:
        values["CONTENT_TYPE"] = request.content_type
    if request.soap_action is not None:
        values["HTTP_SOAPACTION"] = request.soap_action
    length = {"short-content-length": len(body) // 2, "long-content-length": len(body) + 100}.get(request.send, len(body))
    if request.send != "chunked":
        values["CONTENT_LENGTH"] = str(length)
    return values


@dataclass(frozen=True)
class Checked:
    envelope: soap.Envelope
    declared: dict[str, str | None]
    token: wssecurity.UsernameToken
    record: auditrecord.AuditRecord


def service_of(operation: etree._Element) -> str:
    """The service whose namespace the operation is in (urn:mitroo-politon:<service>:v1)."""
    return (etree.QName(operation).namespace or "").split(":")[2]


@cache
def schema(service: str) -> etree.XMLSchema:
    return validation_schema(service)


def validate_schema(checked: soap.Envelope) -> None:
    """The gateway's own check (gateway.validate) with the service's schema (the gateway holds it; here it is built)."""
    validate(schema(service_of(checked.operation)), checked)


def check(request: Request, now: dt.datetime, settings: Settings = SETTINGS) -> Checked:
    """Every check of the gateway that needs neither HTTP nor a database, in its order."""
    wsgi = environ(request)
    data = read_body(wsgi, settings.max_body_bytes)
    Gateway._check_content_type(wsgi)
    parsed = soap.parse_envelope(xmlparse.parse(data))
    Gateway._check_soap_action(wsgi, parsed.operation_name)
    declared = auditrecord.declared_values(parsed.operation)
    validate_schema(parsed)
    token = wssecurity.username_token(parsed.header)
    if token.digest:
        wssecurity.check_digest_freshness(token, now, settings.digest_max_age_seconds)
    record = auditrecord.validate(declared, now, settings.audit_clock_skew_seconds)
    return Checked(parsed, declared, token, record)


def refusal(request: Request, now: dt.datetime) -> MitrooError | None:
    try:
        check(request, now)
    except MitrooError as error:
        return error
    return None


# -- the hostile corpus --------------------------------------------------------------------------

def hostile_request(case: Case) -> Request:
    return Request(render(case, CONTEXT), case.method, case.content_type, case.soap_action, case.send)


# -- the valid samples ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    name: str
    body: bytes
    now: dt.datetime  # when the sample is checked: its auditTransactionDate for the committed ones


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _declared_date(body: bytes) -> dt.datetime:
    match = re.search(rb"<c:auditTransactionDate>([^<]+)</c:auditTransactionDate>", body)
    assert match, "a committed sample declares its auditTransactionDate"
    return dt.datetime.fromisoformat(match.group(1).decode())


ROLLS = DATA / "rolls"
ROLLS_HEADER = re.compile(r"<!-- operation: (\w+); code: (\w+); field: (\S+) -->")


def rolls_request(path: Path, username: str = "t-dimos-4501") -> tuple[str, bytes]:
    """A tests/data/rolls/invalid input record in its envelope (as the e2e test sends it): code and body."""
    text = path.read_text(encoding="utf-8")
    match = ROLLS_HEADER.match(text)
    assert match, path.name
    operation, code, _field = match.groups()
    body = envelope(operation, security=security_text(username, PASSWORD), service="specialElectoralRolls",
                    input_xml=Template(text).substitute(application="4501-2010-000001"))
    return code, body


def valid_samples() -> list[Sample]:
    """Requests that pass every check: the corpus's valid request, the envelope template with each
    kind of UsernameToken, the committed civilRegistryActs requests, the integration guide's rolls
    example, and the rolls inputs refused only by the domain's rules (past the XML checks)."""
    now = _now()
    samples = [
        Sample("hostile/valid-request", render(Case("valid", "valid-request.xml", ""), CONTEXT), now),
        Sample("requests/envelope+security-text",
               envelope("getActTypes", security=security_text(USERS.aade, PASSWORD)), now),
        Sample("requests/envelope+security-digest",
               envelope("getActTypes", security=security_digest(USERS.aade, PASSWORD)), now),
        Sample("requests/envelope-all-fields-at-their-limits",
               envelope("getActTypes", security=security_text(USERS.aade, PASSWORD), audit=audit_record(
                   **{name: "x" * limit for name, limit in auditrecord.FIELDS.items()
                      if name not in ("auditTransactionDate", "auditUserIp")},
                   auditUserIp="2001:0db8:0000:0000:0000:ffff:192.168.100.228")), now),
        Sample("rolls/integration-example", envelope(
            "checkVoterEligibility", security=security_text("t-dimos-4501", PASSWORD), service="specialElectoralRolls",
            input_xml=(ROLLS / "integration-example.xml").read_text(encoding="utf-8")), now),
    ]
    for path in sorted((DATA / "acts" / "requests").glob("*.xml")):
        body = path.read_bytes()
        samples.append(Sample(f"acts/requests/{path.stem}", body, _declared_date(body)))
    for path in sorted((ROLLS / "invalid").glob("*.xml")):
        code, body = rolls_request(path)
        if code != ErrorCode.MP_SCHEMA_INVALID.name:
            samples.append(Sample(f"rolls/invalid/{path.stem} ({code}: the domain's)", body, now))
    return samples


def schema_invalid_samples() -> list[tuple[str, bytes, dt.datetime]]:
    """The committed requests the XSD refuses (MP_SCHEMA_INVALID): acts/invalid and rolls/invalid."""
    found = []
    for path in sorted((DATA / "acts" / "invalid").glob("*.xml")):
        body = path.read_bytes()
        found.append((f"acts/invalid/{path.stem}", body, _declared_date(body)))
    for path in sorted((ROLLS / "invalid").glob("*.xml")):
        code, body = rolls_request(path)
        if code == ErrorCode.MP_SCHEMA_INVALID.name:
            found.append((f"rolls/invalid/{path.stem}", body, _now()))
    return found
