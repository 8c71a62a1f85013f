"""Evidence: a kept signed response, re-verified offline against the pinned certificates."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from lxml import etree

from consumer_client.signature import signed_at, verify_response


@dataclass(frozen=True)
class Evidence:
    call_sequence_id: str | None
    signed_at: dt.datetime
    error_code: str | None
    body: bytes  # the signed soap:Body, exclusive C14N


def verify_evidence(path: str | Path, pinned: Iterable[x509.Certificate]) -> Evidence:
    """Verify a response kept with ``keep_evidence``; raise SignatureError if it was altered.

    The signature, the structure and the certificate pin are checked as on the day; the
    Timestamp only has to be consistent, since evidence is read after it expired."""
    envelope = verify_response(Path(path).read_bytes(), list(pinned), fresh=False)
    body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None, "verify_response accepts only an Envelope of a Header then one Body"

    def first(name: str) -> str | None:
        found = body.xpath(f".//*[local-name() = '{name}']")
        element = found[0] if isinstance(found, list) and found else None
        return element.text if isinstance(element, etree._Element) else None

    return Evidence(
        call_sequence_id=first("callSequenceId"),
        signed_at=signed_at(envelope),
        error_code=first("errorCode"),
        body=etree.tostring(body, method="c14n", exclusive=True),
    )
