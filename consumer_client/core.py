"""The call path every ``MitrooClient`` method goes through, built on zeep.

One logical call = one auditRecord (a fresh auditTransactionId, the current time with its zone,
the unit, the end user, the caller's protocol number and the end user's IP). The same record is
sent again on a retry, and retries happen only when the connection failed or the provider
answered MP_SERVICE_UNAVAILABLE; the provider recognizes a retry of the same call and answers it
instead of refusing it as a replay. Every answer's signature is verified before zeep reads it;
errorRecords and faults become exceptions of ``consumer_client.errors``.
"""
from __future__ import annotations

import random
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from cryptography import x509
from lxml import etree
from zeep import Client
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.exceptions import TransportError as ZeepTransportError
from zeep.wsse.username import UsernameToken

from consumer_client.envelope import fresh_audit_record
from consumer_client.errors import MitrooClientError, ProviderError, TransportError, provider_error
from consumer_client.models import Reply
from consumer_client.signature import load_certificates
from consumer_client.transport import ConnectionLost, VerifyingTransport

T = TypeVar("T")
Certificates = Sequence[x509.Certificate | bytes | str | Path]


def _pinned(certificates: Certificates) -> list[x509.Certificate]:
    pinned: list[x509.Certificate] = []
    for item in certificates:
        if isinstance(item, x509.Certificate):
            pinned.append(item)
        else:
            pem = Path(item).read_bytes() if isinstance(item, (str, Path)) else item
            pinned.extend(load_certificates(pem))
    if not pinned:
        raise ValueError("pin at least one provider certificate (from GET /certificates, checked out of band)")
    return pinned


def local_ip(base_url: str) -> str:
    """The address this machine uses to reach the provider (no packet is sent)."""
    parts = urlsplit(base_url)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((parts.hostname or "127.0.0.1", parts.port or 80))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def _text(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    found = element.xpath(f".//*[local-name() = '{name}']")
    first = found[0] if isinstance(found, list) and found else None
    return first.text if isinstance(first, etree._Element) else None


class ClientCore:
    """Construction, the auditRecord, retries, verification and error mapping; the typed
    methods per operation live in one mixin per service."""

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        unit: str,
        user_id: str,
        user_ip: str | None = None,
        provider_certificates: Certificates,
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        backoff: float = 0.5,
        keep_evidence: bool | str | Path = False,
        ca_bundle: str | Path | None = None,
        client_cert: tuple[str | Path, str | Path] | None = None,
    ) -> None:
        """``timeout`` is (connect, whole operation) in seconds; ``retries`` counts extra attempts.
        ``keep_evidence``: True keeps each answer's signed bytes in ``Reply.evidence``; a directory
        also writes them there as ``<callSequenceId>.xml``. Over HTTPS: ``ca_bundle`` (PEM) verifies
        the provider's TLS certificate (default: the system's CAs); ``client_cert`` is the (certificate,
        key) PEM pair presented for mutual TLS when the WS user is bound to one."""
        self.base_url = base_url.rstrip("/")
        self.unit = unit
        self.user_id = user_id
        self.user_ip = user_ip or local_ip(self.base_url)
        self.retries = retries
        self.backoff = backoff
        self.evidence_dir = None if isinstance(keep_evidence, bool) else Path(keep_evidence)
        self.keep_evidence = bool(keep_evidence)
        if self.evidence_dir is not None:
            self.evidence_dir.mkdir(parents=True, exist_ok=True)
        self.transport = VerifyingTransport(
            _pinned(provider_certificates), connect_timeout=timeout[0], operation_timeout=timeout[1]
        )
        if ca_bundle is not None:
            self.transport.session.verify = str(ca_bundle)
        if client_cert is not None:
            self.transport.session.cert = (str(client_cert[0]), str(client_cert[1]))
        self._wsse = UsernameToken(username, password)
        self._services: dict[str, Any] = {}

    # -- the one call path --------------------------------------------------------------------

    def service(self, name: str) -> Any:
        """zeep's proxy for one service, bound to ``base_url`` (not the WSDL's soap:address), so
        the calls go where the integrator pointed the client, through any proxy on the way."""
        if name not in self._services:
            url = f"{self.base_url}/ws/{name}"
            try:
                client = Client(f"{url}?wsdl", wsse=self._wsse, transport=self.transport)
            except (OSError, ZeepError) as exc:
                raise TransportError(f"cannot load the WSDL of {name} from {self.base_url}: {exc}") from None
            self._services[name] = client.create_service(next(iter(client.wsdl.bindings)), url)
        return self._services[name]

    def audit_record(self, protocol: str, user_ip: str | None = None) -> dict[str, str]:
        if not protocol or not protocol.strip():
            raise ValueError("protocol (auditProtocol, your case or protocol number) is required")
        return fresh_audit_record(unit=self.unit, protocol=protocol, user_id=self.user_id,
                                  user_ip=user_ip or self.user_ip)

    def call(
        self,
        service: str,
        operation: str,
        protocol: str,
        extract: Callable[[Any], T],
        /,
        *,
        user_ip: str | None = None,
        **inputs: Any,
    ) -> Reply[T]:
        """Call ``service.operation`` with ``inputs`` (XSD names, which may be ``service`` or
        ``protocol`` too; None values are left out)."""
        record = self.audit_record(protocol, user_ip)
        payload = {key: value for key, value in inputs.items() if value is not None}
        attempt = 0
        while True:
            try:
                return self._once(service, operation, record, payload, extract)
            except (ConnectionLost, ProviderError) as exc:
                retryable = isinstance(exc, ConnectionLost) or exc.retryable
                if not retryable or attempt >= self.retries:
                    raise
            attempt += 1
            time.sleep(self.backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2))

    def _once(self, service: str, operation: str, record: dict[str, str], payload: dict[str, Any],
              extract: Callable[[Any], T]) -> Reply[T]:
        method = getattr(self.service(service), operation)
        try:
            answer = method(auditRecord=record, **{f"{operation}InputRecord": payload})
        except Fault as fault:
            raise self._kept(self._fault(fault)) from None
        except ZeepTransportError as exc:
            raise TransportError(f"HTTP {exc.status_code} from the provider: {str(exc.message)[:200]}") from None
        except MitrooClientError:
            raise
        except ZeepError as exc:
            raise TransportError(f"the answer could not be read: {exc}") from None
        error = answer.errorRecord
        if error is not None and error.errorCode:
            raise self._kept(provider_error(error.errorCode, error.errorDescr or "", answer.callSequenceId))
        return Reply(
            data=extract(getattr(answer, f"{operation}OutputRecord")),
            call_sequence_id=answer.callSequenceId,
            call_sequence_date=answer.callSequenceDate,
            audit_transaction_id=record["auditTransactionId"],
            evidence=self._keep(answer.callSequenceId),
        )

    def _keep(self, call_sequence_id: str | None) -> bytes | None:
        """The signed bytes of the last answer, written to the evidence directory if there is one."""
        raw = self.transport.last_response
        if raw is not None and self.evidence_dir is not None:
            (self.evidence_dir / f"{call_sequence_id or uuid.uuid4()}.xml").write_bytes(raw)
        return raw if self.keep_evidence else None

    def _kept(self, error: ProviderError) -> ProviderError:
        error.evidence = self._keep(error.call_sequence_id)
        return error

    @staticmethod
    def _fault(fault: Fault) -> ProviderError:
        detail = fault.detail
        code = _text(detail, "errorCode") or (fault.code or "").rpartition(".")[2] or "MP_INTERNAL_ERROR"
        return provider_error(code, _text(detail, "errorDescr") or fault.message or "", _text(detail, "callSequenceId"))
