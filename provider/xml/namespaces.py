"""Every XML namespace URI the provider reads or writes, in one place.

No namespace is ever derived from a Python module path: the spyne models name
theirs explicitly from here, and a contract test checks the exported XSD.
"""
from typing import Final

COMMON: Final = "urn:mitroo-politon:common:v1"

SERVICE_NAMES: Final = (
    "registryParameters",
    "civilRegistryActs",
    "civilStatusCertificates",
    "specialElectoralRolls",
    "audit",
)


def service(name: str) -> str:
    """The namespace of one service, e.g. ``urn:mitroo-politon:registryParameters:v1``."""
    if name not in SERVICE_NAMES:
        raise ValueError(f"unknown service {name!r}")
    return f"urn:mitroo-politon:{name}:v1"


REGISTRY_PARAMETERS: Final = service("registryParameters")

SOAP11_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV: Final = "http://www.w3.org/2003/05/soap-envelope"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
XSD: Final = "http://www.w3.org/2001/XMLSchema"
WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE_PASSWORD_TEXT: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
WSSE_PASSWORD_DIGEST: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)
WSSE_BASE64: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
WSSE_X509V3: Final = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
)
DS: Final = "http://www.w3.org/2000/09/xmldsig#"
# The benchmark's echo service (MITROO_BENCH_ECHO, test environment only); never published.
BENCH_ECHO: Final = "urn:mitroo-politon:benchEcho:v1"
