"""What the connection says about a call: whether it came over HTTPS, and the client certificate the
TLS front verified. Both are read from headers only when the socket peer is a trusted proxy (the
front that ``serve`` starts is one: it overwrites both headers on every request)."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import unquote

from cryptography import x509

from provider.access.client_address import Network, trusted
from provider.errors import ErrorCode, MitrooError
from provider.settings import Settings
from provider.xml.keys import sha256_hex

log = logging.getLogger("mitroo.transport")

# The verified client certificate, PEM, URL-escaped (nginx's $ssl_client_escaped_cert); empty or absent
# when the client sent none or one the client CA did not verify.
CLIENT_CERT_HEADER = "X-Mitroo-Client-Cert"
_CLIENT_CERT_KEY = "HTTP_" + CLIENT_CERT_HEADER.upper().replace("-", "_")


def _from_trusted_proxy(environ: Mapping[str, object], proxies: tuple[Network, ...]) -> bool:
    return bool(proxies) and trusted(str(environ.get("REMOTE_ADDR") or ""), proxies)


def over_https(environ: Mapping[str, object], proxies: tuple[Network, ...]) -> bool:
    """HTTPS to this server, or a trusted proxy that does not say the client used plain http."""
    if _from_trusted_proxy(environ, proxies):
        return str(environ.get("HTTP_X_FORWARDED_PROTO") or "https").strip().lower() != "http"
    return environ.get("wsgi.url_scheme") == "https"


def require_https(environ: Mapping[str, object], settings: Settings) -> None:
    """In production a call over plain HTTP is refused (the password would cross the network in clear)."""
    if settings.environment == "production" and not over_https(environ, settings.trusted_proxies):
        raise MitrooError(
            ErrorCode.MP_MALFORMED_REQUEST,
            "στο περιβάλλον production δεκτές μόνο κλήσεις HTTPS (plain HTTP refused: call the https:// URL "
            "of the service)",
        )


def client_cert_sha256(environ: Mapping[str, object], proxies: tuple[Network, ...]) -> str | None:
    """The fingerprint of the client certificate the front verified, or None."""
    raw = str(environ.get(_CLIENT_CERT_KEY) or "")
    if not raw or not _from_trusted_proxy(environ, proxies):
        return None
    try:
        return sha256_hex(x509.load_pem_x509_certificate(unquote(raw).encode("ascii")))
    except ValueError:
        log.warning("the front passed a client certificate that is not PEM; the call counts as without one")
        return None


def check_bound_certificate(bound: str | None, presented: str | None) -> None:
    """A WS user bound to a client certificate (``bound``, read with the user at admission) must call
    with exactly that one (``presented``, what the front verified)."""
    if bound is None or bound == presented:
        return
    if presented is None:
        why = ("ο χρήστης είναι δεσμευμένος σε πιστοποιητικό πελάτη και η κλήση ήρθε χωρίς επαληθευμένο "
               "(this WS user is bound to a client certificate: call over HTTPS presenting it)")
    else:
        why = (f"το πιστοποιητικό πελάτη (SHA-256 {presented[:16]}…) δεν είναι αυτό του χρήστη "
               "(this WS user is bound to another client certificate)")
    raise MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, why)
