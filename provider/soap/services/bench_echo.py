"""The benchmark's echo service: ``echo(text)`` answers ``text``, through the same server and spyne
as every service but without the database, the audit or the signature (the framework's ceiling that
``scripts/bench`` compares the full pipeline with). Mounted at ``/ws/benchEcho`` only when
``MITROO_BENCH_ECHO`` is on, which the settings refuse outside the test environment; never published.
"""
from __future__ import annotations

from typing import Any

from spyne import Application, ServiceBase, Unicode, rpc
from spyne.server.wsgi import WsgiApplication

from provider.soap.services.common import CachedSoap11
from provider.xml import namespaces as ns

SERVICE = "benchEcho"


class Service(ServiceBase):
    __service_name__ = SERVICE

    @rpc(Unicode(min_occurs=1, nillable=False), _returns=Unicode, _operation_name="echo")
    def echo(ctx: Any, text: str) -> str:
        return text


def application() -> Application:
    return Application([Service], tns=ns.BENCH_ECHO, name=SERVICE, in_protocol=CachedSoap11(), out_protocol=CachedSoap11())


def wsgi_application() -> WsgiApplication:
    return WsgiApplication(application())
