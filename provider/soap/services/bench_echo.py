"""The benchmark's echo service: ``echo(text)`` answers ``text``, through the same server and
spyne's own WSGI runtime (which the services no longer use: provider.soap.codec), without the
database, the audit or the signature (the framework's ceiling that ``scripts/bench`` compares the
full pipeline with). Mounted at ``/ws/benchEcho`` only when
``MITROO_BENCH_ECHO`` is on, which the settings refuse outside the test environment; never published.
"""
from __future__ import annotations

from typing import Any

from spyne import Application, ServiceBase, Unicode, rpc
from spyne import const as spyne_const
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from provider.xml import namespaces as ns

SERVICE = "benchEcho"

# spyne runs a full gc.collect() at the end of a call whenever a second has passed since the last
# one, to close file handles of multipart uploads (which no service here takes). Under load that
# stop-the-world pass over the whole heap was half of a worker's CPU time; Python's own generational
# collector is enough.
spyne_const.MIN_GC_INTERVAL = float("inf")


class Service(ServiceBase):
    __service_name__ = SERVICE

    @rpc(Unicode(min_occurs=1, nillable=False), _returns=Unicode, _operation_name="echo")
    def echo(ctx: Any, text: str) -> str:
        return text


def application() -> Application:
    return Application([Service], tns=ns.BENCH_ECHO, name=SERVICE, in_protocol=Soap11(), out_protocol=Soap11())


def wsgi_application() -> WsgiApplication:
    return WsgiApplication(application())
