"""The HTTP side of the client: timeouts, and signature verification before zeep reads a byte.

``VerifyingTransport`` is a zeep Transport whose POST
- bounds the connection (``connect_timeout``) and the whole operation (``operation_timeout``,
  checked while the body streams in, not only between socket reads);
- verifies the response's WS-Security signature against the pinned certificates
  (``consumer_client.signature.verify_response``) and raises ``SignatureError`` otherwise, so
  zeep never parses, and the caller never sees, data from an unverified answer;
- keeps the raw signed bytes of the last answer on this thread, for evidence.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import requests
from cryptography import x509
from zeep.transports import Transport

from consumer_client.errors import TransportError
from consumer_client.signature import verify_response


class ConnectionLost(TransportError):
    """The connection failed or closed before a complete answer: safe to retry the same call."""


class _Session(requests.Session):
    """A session whose own CA bundle (``verify``) wins over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, which
    plain requests lets override it."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("verify", self.verify)
        return super().request(method, url, *args, **kwargs)


class VerifyingTransport(Transport):
    def __init__(
        self,
        pinned: Sequence[x509.Certificate],
        *,
        connect_timeout: float,
        operation_timeout: float,
    ) -> None:
        # zeep's Transport.__init__ is unannotated.
        super().__init__(timeout=connect_timeout + operation_timeout, operation_timeout=operation_timeout,  # type: ignore[no-untyped-call]
                         session=_Session())
        self.pinned = list(pinned)
        self.connect_timeout = connect_timeout
        self._local = threading.local()

    @property
    def last_response(self) -> bytes | None:
        return getattr(self._local, "raw", None)

    def post(self, address: str, message: Any, headers: dict[str, str]) -> requests.Response:
        self._local.raw = None
        deadline = time.monotonic() + self.operation_timeout
        try:
            response = self.session.post(
                address, data=message, headers=headers, stream=True,
                timeout=(self.connect_timeout, self.operation_timeout),
            )
            chunks = []
            for chunk in response.iter_content(chunk_size=65536):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    response.close()
                    raise TransportError(f"no complete answer from {address} within {self.operation_timeout:g} s")
            response._content = b"".join(chunks)  # what response.content returns from now on
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if isinstance(exc, requests.ConnectTimeout):
                raise ConnectionLost(f"could not connect to {address} within {self.connect_timeout:g} s") from None
            raise ConnectionLost(f"the connection to {address} failed: {type(exc).__name__}") from None
        except requests.Timeout:
            raise TransportError(f"no answer from {address} within {self.operation_timeout:g} s") from None
        if "xml" in response.headers.get("Content-Type", ""):
            verify_response(response.content, self.pinned)
            self._local.raw = response.content
        return response
