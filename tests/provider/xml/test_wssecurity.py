"""WS-Security UsernameToken (provider/xml/wssecurity.py) on its own, no HTTP and no database: reading
the token from the header, credentials compared exactly as sent (whitespace kept, a comment or a
processing instruction refused), the digest's Nonce and Created formats, and the freshness window
at its boundaries."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from lxml import etree

from provider.errors import ErrorCode, MitrooError
from provider.xml import namespaces as ns
from provider.xml import wssecurity
from provider.xml.wssecurity import UsernameToken

SOAP = ns.SOAP11_ENV
NONCE = b"0123456789abcdef"
CREATED = "2026-03-02T10:00:00Z"
AT_CREATED = dt.datetime(2026, 3, 2, 10, 0, 0, tzinfo=dt.UTC)
MAX_AGE = 300


def header(security: str) -> etree._Element:
    return etree.fromstring(
        f'<e:Header xmlns:e="{SOAP}" xmlns:wsse="{ns.WSSE}" xmlns:wsu="{ns.WSU}">{security}</e:Header>'
    )


def token_xml(username: str = "u", password: str = "p", kind: str | None = ns.WSSE_PASSWORD_TEXT, extra: str = "") -> str:
    typed = "" if kind is None else f' Type="{kind}"'
    return (f"<wsse:UsernameToken><wsse:Username>{username}</wsse:Username>"
            f"<wsse:Password{typed}>{password}</wsse:Password>{extra}</wsse:UsernameToken>")


def security(inner: str) -> str:
    return f"<wsse:Security>{inner}</wsse:Security>"


def digest_xml(nonce: str = base64.b64encode(NONCE).decode(), created: str = CREATED, password: str = "secret") -> str:
    value = wssecurity.password_digest(NONCE, CREATED, password)  # right for the default nonce and created
    return token_xml("u", value, ns.WSSE_PASSWORD_DIGEST,
                     f"<wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created>")


def read(security_xml: str) -> UsernameToken:
    return wssecurity.username_token(header(security_xml))


def refused(security_xml: str | None) -> str:
    with pytest.raises(MitrooError) as caught:
        wssecurity.username_token(None if security_xml is None else header(security_xml))
    assert caught.value.code is ErrorCode.MP_AUTHENTICATION_FAILED
    return caught.value.detail


# -- reading the token ---------------------------------------------------------------------------

def test_a_password_text_token_is_read_as_sent() -> None:
    assert read(security(token_xml("demo-user", "pass"))) == UsernameToken("demo-user", "pass", digest=False)


def test_password_text_is_the_default_type() -> None:
    assert read(security(token_xml(kind=None))).digest is False


@pytest.mark.parametrize(("username", "password"), [
    (" u", "p"), ("u ", "p"), ("u", " p "), ("u", "\tp\n"), ("Χρήστης", "συνθηματικό"), ("u", "&lt;p&amp;"),
])
def test_credentials_keep_surrounding_whitespace_and_are_unescaped(username: str, password: str) -> None:
    token = read(security(token_xml(username, password)))
    assert (token.username, token.password) == (
        username.replace("&lt;", "<").replace("&amp;", "&"), password.replace("&lt;", "<").replace("&amp;", "&"))


@pytest.mark.parametrize(("username", "password"), [
    ("u<!-- c -->", "p"),
    ("u", "p<!---->q"),
    ("u<?pi x?>", "p"),
    ("u", "<b>p</b>"),
])
def test_a_comment_processing_instruction_or_element_inside_a_credential_is_refused(username: str, password: str) -> None:
    assert "πρέπει να περιέχει μόνο κείμενο" in refused(security(token_xml(username, password)))


@pytest.mark.parametrize(("security_xml", "reason"), [
    (None, "missing WS-Security UsernameToken"),
    ("", "missing WS-Security UsernameToken"),
    (security(token_xml()) * 2, "περισσότερες από μία κεφαλίδες wsse:Security"),
    (security(""), "ακριβώς ένα UsernameToken"),
    (security(token_xml() * 2), "ακριβώς ένα UsernameToken"),
    (security("<wsse:UsernameToken><wsse:Username>u</wsse:Username></wsse:UsernameToken>"), "Username και Password"),
    (security("<wsse:UsernameToken><wsse:Password>p</wsse:Password></wsse:UsernameToken>"), "Username και Password"),
    (security(token_xml("", "p")), "κενό όνομα χρήστη ή συνθηματικό"),
    (security(token_xml("u", "")), "κενό όνομα χρήστη ή συνθηματικό"),
    (security(token_xml(kind="urn:other")), "PasswordText or PasswordDigest"),
])
def test_a_missing_duplicated_or_empty_part_is_refused(security_xml: str | None, reason: str) -> None:
    assert reason in refused(security_xml)


def test_a_security_header_in_another_namespace_is_not_read() -> None:
    other = f'<s:Security xmlns:s="urn:not-wsse">{token_xml()}</s:Security>'
    assert "missing WS-Security UsernameToken" in refused(other)


# -- PasswordDigest: Nonce and Created -----------------------------------------------------------

def test_a_digest_token_carries_its_nonce_and_created() -> None:
    token = read(security(digest_xml()))
    assert (token.digest, token.nonce, token.created) == (True, NONCE, CREATED)
    assert wssecurity.digest_matches(token, "secret")


def test_the_digest_is_base64_of_sha1_of_nonce_created_password() -> None:
    expected = base64.b64encode(hashlib.sha1(NONCE + CREATED.encode() + "κωδικός".encode()).digest()).decode()
    assert wssecurity.password_digest(NONCE, CREATED, "κωδικός") == expected


@pytest.mark.parametrize("wrong", ["secret ", " secret", "Secret", "", "secret\n"])
def test_a_digest_matches_only_the_exact_password(wrong: str) -> None:
    assert not wssecurity.digest_matches(read(security(digest_xml())), wrong)


def test_whitespace_around_nonce_and_created_is_ignored() -> None:
    token = read(security(digest_xml(nonce=f"\n  {base64.b64encode(NONCE).decode()}  ", created=f" {CREATED}\n")))
    assert (token.nonce, token.created) == (NONCE, CREATED)


@pytest.mark.parametrize(("nonce", "reason"), [
    ("not base64!", "έγκυρο Base64"),
    ("QUJD", "τουλάχιστον 8 bytes"),  # 3 bytes
    (base64.b64encode(b"1234567").decode(), "τουλάχιστον 8 bytes"),  # 7 bytes, one short
    ("QUJDRA", "έγκυρο Base64"),  # missing padding
])
def test_a_nonce_that_is_not_base64_of_eight_bytes_or_more_is_refused(nonce: str, reason: str) -> None:
    assert reason in refused(security(digest_xml(nonce=nonce)))


def test_a_nonce_of_exactly_eight_bytes_is_accepted() -> None:
    assert read(security(digest_xml(nonce=base64.b64encode(b"12345678").decode()))).nonce == b"12345678"


@pytest.mark.parametrize("missing", ["Nonce", "Created"])
def test_a_digest_without_nonce_or_created_is_refused(missing: str) -> None:
    xml = security(digest_xml())
    start = xml.index(f"<{'wsu' if missing == 'Created' else 'wsse'}:{missing}>")
    end = xml.index(f"</{'wsu' if missing == 'Created' else 'wsse'}:{missing}>") + len(missing) + 7
    assert "απαιτεί Nonce και wsu:Created" in refused(xml[:start] + xml[end:])


# -- freshness -----------------------------------------------------------------------------------

def digest_token(created: str) -> UsernameToken:
    return UsernameToken("u", "x", digest=True, nonce=NONCE, created=created)


def freshness_refusal(created: str, now: dt.datetime) -> str | None:
    try:
        wssecurity.check_digest_freshness(digest_token(created), now, MAX_AGE)
    except MitrooError as error:
        assert error.code is ErrorCode.MP_AUTHENTICATION_FAILED
        return error.detail
    return None


@pytest.mark.parametrize(("seconds_after_created", "reason"), [
    (0, None),
    (MAX_AGE, None),  # exactly the window
    (MAX_AGE + 0.001, "ληγμένο PasswordDigest"),
    (MAX_AGE + 1, "ληγμένο PasswordDigest"),
    (-60, None),  # the caller's clock a minute ahead is tolerated
    (-60.001, "στο μέλλον"),
    (-3600, "στο μέλλον"),
])
def test_the_freshness_window_at_its_boundaries(seconds_after_created: float, reason: str | None) -> None:
    detail = freshness_refusal(CREATED, AT_CREATED + dt.timedelta(seconds=seconds_after_created))
    assert detail is None if reason is None else reason in (detail or ""), detail


@pytest.mark.parametrize("created", [
    "2026-03-02T10:00:00Z",
    "2026-03-02T10:00:00.000Z",
    "2026-03-02T10:00:00.123456Z",
    "2026-03-02T12:00:00+02:00",
    "2026-03-02T05:00:00-05:00",
    "2026-03-02T10:00:00+00:00",
])
def test_created_in_any_iso_8601_form_with_a_zone_is_read_at_its_instant(created: str) -> None:
    assert freshness_refusal(created, AT_CREATED + dt.timedelta(seconds=1)) is None


@pytest.mark.parametrize(("created", "reason"), [
    ("2026-03-02T10:00:00", "ζώνη ώρας"),
    ("2026-03-02", "ζώνη ώρας"),
    ("yesterday", "ISO 8601 with a time zone expected"),
    ("", "ISO 8601 with a time zone expected"),
    ("2026-13-02T10:00:00Z", "ISO 8601 with a time zone expected"),
])
def test_created_without_a_zone_or_not_a_date_is_refused(created: str, reason: str) -> None:
    assert reason in (freshness_refusal(created, AT_CREATED) or "")
