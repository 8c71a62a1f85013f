"""The observed client IP: the socket peer, or X-Forwarded-For only through trusted proxies."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def observed_ip(environ: Mapping[str, object], proxies: tuple[Network, ...]) -> str:
    """Walk X-Forwarded-For from the right while the hop is a trusted proxy."""
    peer = str(environ.get("REMOTE_ADDR") or "unknown")
    if not proxies or not trusted(peer, proxies):
        return peer
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not trusted(hop, proxies):
            break
    return client
