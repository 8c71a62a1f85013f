"""Seal records: the chain's head kept outside the database, signed, one JSON line per seal.

Every seal (audit.seal) appends one line to an append-only file (``MITROO_AUDIT_SEAL_LOG``)::

    {"record": {"seal": 7, "first_event_id": 101, "last_event_id": 180, "events": 80,
                "previous_digest": "…", "digest": "…", "sealed_at": "2026-12-06T05:00:00+00:00",
                "lag_seconds": 60},
     "certificate": "<SHA-256 of the signing certificate, hex>",
     "signature": "<base64>",
     "timestamp": "<base64 DER RFC 3161 TimeStampResp, or null>"}

The signature (RSA PKCS#1 v1.5 or ECDSA, SHA-256, by the seal key: the provider's signing key
unless another is configured) covers ``payload(record)``: the record's JSON with sorted keys and no
spaces. When a Time-Stamping Authority is configured (``MITROO_AUDIT_TSA_URL``) the same bytes are
timestamped by it and its response is kept beside the signature. A line verifies with the
certificate alone (and the TSA's CA certificate for the timestamp): ``read`` needs no database.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from provider.xml.keys import SigningKey, sha256_hex

MAX_LINE_BYTES = 64 * 1024  # a record line is under 2 KiB even with a timestamp and its TSA certificate
MAX_TSA_RESPONSE_BYTES = 64 * 1024
TSA_TIMEOUT_SECONDS = 10


class SealLogError(Exception):
    """A seal record cannot be written or timestamped; the message says where and why."""


@dataclass(frozen=True)
class SealRecord:
    seal: int
    first_event_id: int
    last_event_id: int
    events: int
    previous_digest: str
    digest: str
    sealed_at: str  # ISO 8601, UTC
    lag_seconds: int

    def payload(self) -> bytes:
        """The signed (and timestamped) bytes."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True)
class LogLine:
    """One line of the seal log as read back: its record when it verifies, else why not."""

    number: int  # 1-based line number in the file
    record: SealRecord | None
    problem: str | None = None
    timestamped_at: dt.datetime | None = None  # the TSA's time, when a token verified


def _sign(key: SigningKey, data: bytes) -> bytes:
    if isinstance(key.private_key, rsa.RSAPrivateKey):
        return key.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return key.private_key.sign(data, ec.ECDSA(hashes.SHA256()))


def _signature_holds(certificate: x509.Certificate, signature: bytes, data: bytes) -> bool:
    public = certificate.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def request_timestamp(url: str, data: bytes, trusted: list[x509.Certificate]) -> bytes:
    """An RFC 3161 timestamp of ``data`` from the TSA at ``url``, checked against ``trusted`` (its
    CA certificates) before it is kept: the DER TimeStampResp."""
    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .cert_request(cert_request=True).nonce(nonce=True).build())
    http = urllib.request.Request(url, data=request.as_bytes(), method="POST",
                                  headers={"Content-Type": "application/timestamp-query"})
    try:
        with urllib.request.urlopen(http, timeout=TSA_TIMEOUT_SECONDS) as answer:
            body: bytes = answer.read(MAX_TSA_RESPONSE_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise SealLogError(f"the Time-Stamping Authority at {url} cannot be reached: {exc}") from None
    if len(body) > MAX_TSA_RESPONSE_BYTES:
        raise SealLogError(f"the Time-Stamping Authority at {url} answered more than {MAX_TSA_RESPONSE_BYTES} bytes")
    try:
        status = decode_timestamp_response(body)
    except ValueError:
        raise SealLogError(f"the Time-Stamping Authority at {url} answered something else than a timestamp") from None
    if status.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        reason = "; ".join(status.status_string) or f"status {status.status}"
        raise SealLogError(f"the Time-Stamping Authority at {url} refused the timestamp: {reason}")
    problem = _timestamp_problem(body, data, trusted, nonce=request.nonce)
    if problem:
        raise SealLogError(f"the Time-Stamping Authority at {url} answered a timestamp that does not verify: {problem}")
    return body


def _timestamp_problem(der: bytes, data: bytes, trusted: list[x509.Certificate],
                       nonce: int | None = None) -> str | None:
    try:
        response = decode_timestamp_response(der)
        builder = VerifierBuilder(roots=list(trusted), nonce=nonce)
        builder.build().verify_message(response, data)
    except (VerificationError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None


def _timestamp_time(der: bytes) -> dt.datetime:
    return decode_timestamp_response(der).tst_info.gen_time


def signed_line(record: SealRecord, key: SigningKey, timestamp: bytes | None = None) -> str:
    """The log line of ``record``: signed by ``key``, with the TSA's response if any."""
    return json.dumps({
        "record": asdict(record),
        "certificate": sha256_hex(key.certificate),
        "signature": base64.b64encode(_sign(key, record.payload())).decode("ascii"),
        "timestamp": base64.b64encode(timestamp).decode("ascii") if timestamp else None,
    }, sort_keys=True, separators=(",", ":")) + "\n"


def append(path: Path, line: str) -> None:
    """Append ``line`` to the seal log and flush it to disk before returning."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, line.encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        raise SealLogError(f"the seal log {path} cannot be written: {exc.strerror or exc}") from None


def parse_line(number: int, text: bytes, certificates: Iterable[x509.Certificate],
               tsa_roots: list[x509.Certificate] | None) -> LogLine:
    """One line checked: well-formed, signed by one of ``certificates``, and its timestamp (if any)
    verifying against ``tsa_roots`` (not checked when None)."""
    if len(text) > MAX_LINE_BYTES:
        return LogLine(number, None, f"line {number} is longer than {MAX_LINE_BYTES} bytes")
    try:
        line = json.loads(text)
        record = SealRecord(**line["record"])
        signature = base64.b64decode(line["signature"], validate=True)
        timestamp = base64.b64decode(line["timestamp"], validate=True) if line.get("timestamp") else None
        signer = str(line["certificate"])
    except (ValueError, TypeError, KeyError, binascii.Error):
        return LogLine(number, None, f"line {number} is not a seal record")
    by_print = {sha256_hex(c): c for c in certificates}
    certificate = by_print.get(signer)
    if certificate is None:
        return LogLine(number, record, f"line {number} (seal {record.seal}) is signed by a certificate that is "
                                       f"not the seal certificate (SHA-256 {signer[:16]}…)")
    if not _signature_holds(certificate, signature, record.payload()):
        return LogLine(number, record, f"line {number} (seal {record.seal}) does not carry a valid signature: "
                                       "the record was forged or altered")
    if timestamp is None or tsa_roots is None:
        return LogLine(number, record)
    problem = _timestamp_problem(timestamp, record.payload(), tsa_roots)
    if problem:
        return LogLine(number, record, f"line {number} (seal {record.seal}) has a timestamp that does not "
                                       f"verify ({problem}): the record was forged or altered")
    return LogLine(number, record, timestamped_at=_timestamp_time(timestamp))


def read(path: Path, certificates: Iterable[x509.Certificate],
         tsa_roots: list[x509.Certificate] | None = None) -> list[LogLine]:
    """Every line of the seal log, each checked; no file reads as no line."""
    certificates = list(certificates)
    try:
        with open(path, "rb") as handle:
            return [parse_line(number, text.rstrip(b"\n"), certificates, tsa_roots)
                    for number, text in enumerate(handle, start=1) if text.strip()]
    except FileNotFoundError:
        return []


def certificates_in(path: Path) -> list[x509.Certificate]:
    """Every certificate of a PEM file (a CA bundle or a signing certificate and its successor)."""
    return x509.load_pem_x509_certificates(path.read_bytes())


@dataclass(frozen=True)
class SealLog:
    """Where and how seal records are written: the file, the key that signs them, and the TSA
    that timestamps them (optional)."""

    path: Path
    key: SigningKey
    tsa_url: str | None = None
    tsa_roots: tuple[x509.Certificate, ...] = ()

    def write(self, record: SealRecord) -> str | None:
        """Sign, timestamp (when a TSA is configured) and append ``record``. A TSA that fails does
        not stop the record, written without a timestamp: the warning is returned."""
        timestamp, warning = None, None
        if self.tsa_url:
            try:
                timestamp = request_timestamp(self.tsa_url, record.payload(), list(self.tsa_roots))
            except SealLogError as exc:
                warning = f"seal {record.seal} recorded without a timestamp: {exc}"
        append(self.path, signed_line(record, self.key, timestamp))
        return warning

    def last(self) -> SealRecord | None:
        """The newest record in the file, as written (its signature is ``read``'s business)."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - 2 * MAX_LINE_BYTES))
                lines = [line for line in handle.read().splitlines() if line.strip()]
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SealLogError(f"the seal log {self.path} cannot be read: {exc.strerror or exc}") from None
        if not lines:
            return None
        try:
            return SealRecord(**json.loads(lines[-1])["record"])
        except (ValueError, TypeError, KeyError):
            raise SealLogError(f"the last line of the seal log {self.path} is not a seal record") from None
