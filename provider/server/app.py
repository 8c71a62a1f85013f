"""The WSGI application factory: one gateway (and spyne application) per service under /ws/."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from db.engine import make_engine, make_sessionmaker
from provider import metrics
from provider.access import lockout
from provider.access.accreditation import Authenticator
from provider.access.concurrency import ConcurrencyCap
from provider.access.credentials import CredentialKey
from provider.server.health import Health
from provider.settings import Settings
from provider.soap import contract
from provider.soap.gateway import Gateway, StartResponse
from provider.soap.services import bench_echo
from provider.xml.keys import KeyConfigError, KeyStore, SigningKey, signing_source
from provider.xml.signing import ResponseSigner

log = logging.getLogger("mitroo.provider")


class Provider:
    """Routes ``/ws/<service>`` to that service's gateway; everything else is 404."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = KeyStore(signing_source(settings))  # KeyConfigError: refuse to start
        if warning := self.signing_key.expiry_warning():
            log.warning("%s", warning)
        signer = None if settings.bench_unsigned else ResponseSigner(self.keys, settings.signature_ttl_seconds)
        if signer is None:
            log.warning("MITROO_BENCH_UNSIGNED is on: answers leave unsigned (a benchmark-only switch)")
        self.engine = make_engine(
            settings.database_url,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            connect_timeout_seconds=settings.db_connect_timeout_seconds,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
        metrics.watch_pool(self.engine, settings.db_pool_size)
        self.sessions = make_sessionmaker(self.engine)
        self.health = Health(settings.database_url, self.keys)
        self.authenticator = Authenticator(
            self.sessions,
            environment=settings.environment,
            credential_key=CredentialKey(settings.credential_key_file),
            cache_seconds=settings.credential_cache_seconds,
            digest_max_age_seconds=settings.digest_max_age_seconds,
            lockout_policy=lockout.policy(settings),
        )
        cap = ConcurrencyCap(
            self.sessions, limit=settings.agency_max_concurrent_calls, lease_seconds=settings.call_slot_lease_seconds
        )
        self.gateways = {
            service: Gateway(
                service,
                settings=settings,
                sessions=self.sessions,
                authenticator=self.authenticator,
                codec=contract.codec(service),
                wsdl=contract.wsdl(service, settings.public_url),
                schema=contract.validation_schema(service),
                signer=signer,
                cap=cap,
            )
            for service in contract.SERVICES
        }
        self.echo = bench_echo.wsgi_application() if settings.bench_echo else None

    @property
    def signing_key(self) -> SigningKey:
        """The signing key now (KeyConfigError when its files cannot be read)."""
        return self.keys.current()

    def service_urls(self) -> dict[str, str]:
        return {name: contract.service_url(self.settings.public_url, name) for name in self.gateways}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/ws/"):
            gateway = self.gateways.get(path[4:].rstrip("/"))
            if gateway is not None:
                return gateway(environ, start_response)
            if self.echo is not None and path == f"/ws/{bench_echo.SERVICE}":
                answer: Iterable[bytes] = self.echo(environ, start_response)  # spyne's WSGI application
                return answer
        if path in ("", "/"):
            return _json(start_response, "200 OK", {"services": self.service_urls()})
        if path == "/certificates":
            try:
                pem = self.signing_key.published_pem()
            except KeyConfigError:
                return _json(start_response, "503 Service Unavailable", {"error": "the signing key cannot be read"})
            start_response("200 OK", [("Content-Type", "application/x-pem-file"), ("Content-Length", str(len(pem)))])
            return [pem]
        if path == "/health":
            status, report = self.health.report()
            return _json(start_response, status, report)
        if path == "/metrics":
            body = metrics.render()
            start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE), ("Content-Length", str(len(body)))])
            return [body]
        return _json(
            start_response,
            "404 Not Found",
            {"error": f"no such path {path[:100]!r}", "services": self.service_urls()},
        )

    def close(self) -> None:
        self.health.close()
        self.engine.dispose()
        metrics.unwatch_pool(self.settings.db_pool_size)


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> Iterable[bytes]:
    body = json.dumps(payload, ensure_ascii=False, indent=2).encode()
    start_response(status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def create_app(settings: Settings | None = None) -> Provider:
    return Provider(settings or Settings.from_env())
