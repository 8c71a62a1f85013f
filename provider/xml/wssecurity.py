"""WS-Security UsernameToken: reading it from the SOAP header and checking a PasswordDigest.

PasswordText and PasswordDigest (Base64(SHA-1(nonce + created + password))) are accepted;
a digest must carry a Nonce and a Created time within the configured freshness window.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from lxml import etree

from provider.errors import ErrorCode, MitrooError
from provider.xml import namespaces as ns

_WSSE = f"{{{ns.WSSE}}}"
_WSU = f"{{{ns.WSU}}}"


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str
    digest: bool
    nonce: bytes = b""
    created: str = ""


def _auth_failed(detail: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_AUTHENTICATION_FAILED, detail)


def _text(element: etree._Element) -> str:
    """The element's text content exactly as sent (a credential is compared as sent, surrounding
    whitespace included); comments or child elements inside a credential are refused."""
    for _ in element:
        raise _auth_failed(f"το στοιχείο {etree.QName(element).localname} πρέπει να περιέχει μόνο κείμενο")
    return element.text or ""


def username_token(header: etree._Element | None) -> UsernameToken:
    """The single UsernameToken of the request, or ``MP_AUTHENTICATION_FAILED``."""
    securities = [] if header is None else header.findall(_WSSE + "Security")
    if not securities:
        raise _auth_failed("λείπει η κεφαλίδα wsse:Security με UsernameToken (missing WS-Security UsernameToken)")
    if len(securities) > 1:
        raise _auth_failed("περισσότερες από μία κεφαλίδες wsse:Security")
    tokens = securities[0].findall(_WSSE + "UsernameToken")
    if len(tokens) != 1:
        raise _auth_failed("η κεφαλίδα wsse:Security πρέπει να έχει ακριβώς ένα UsernameToken")
    token = tokens[0]
    username_el = token.find(_WSSE + "Username")
    password_el = token.find(_WSSE + "Password")
    if username_el is None or password_el is None:
        raise _auth_failed("το UsernameToken πρέπει να έχει Username και Password")
    username, password = _text(username_el), _text(password_el)
    if not username or not password:
        raise _auth_failed("κενό όνομα χρήστη ή συνθηματικό")
    kind = password_el.get("Type", ns.WSSE_PASSWORD_TEXT)
    if kind == ns.WSSE_PASSWORD_TEXT:
        return UsernameToken(username=username, password=password, digest=False)
    if kind != ns.WSSE_PASSWORD_DIGEST:
        raise _auth_failed("άγνωστος τύπος συνθηματικού (Password/@Type must be PasswordText or PasswordDigest)")
    nonce_el = token.find(_WSSE + "Nonce")
    created_el = token.find(_WSU + "Created")
    if nonce_el is None or created_el is None:
        raise _auth_failed("το PasswordDigest απαιτεί Nonce και wsu:Created")
    try:
        nonce = base64.b64decode(_text(nonce_el).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _auth_failed("το Nonce δεν είναι έγκυρο Base64") from None
    if len(nonce) < 8:
        raise _auth_failed("το Nonce πρέπει να έχει τουλάχιστον 8 bytes")
    return UsernameToken(username=username, password=password, digest=True, nonce=nonce, created=_text(created_el).strip())


def check_digest_freshness(token: UsernameToken, now: dt.datetime, max_age_seconds: int) -> None:
    """Refuse a digest whose Created is unparseable, too old, or in the future."""
    try:
        created = dt.datetime.fromisoformat(token.created.replace("Z", "+00:00"))
    except ValueError:
        raise _auth_failed("μη έγκυρο wsu:Created (ISO 8601 with a time zone expected)") from None
    if created.tzinfo is None:
        raise _auth_failed("το wsu:Created πρέπει να έχει ζώνη ώρας")
    age = (now - created).total_seconds()
    if age > max_age_seconds:
        raise _auth_failed(f"ληγμένο PasswordDigest: wsu:Created παλαιότερο από {max_age_seconds} δευτερόλεπτα")
    if age < -60:
        raise _auth_failed("το wsu:Created είναι στο μέλλον")


def password_digest(nonce: bytes, created: str, password: str) -> str:
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def digest_matches(token: UsernameToken, password: str) -> bool:
    return hmac.compare_digest(password_digest(token.nonce, token.created, password), token.password)
