"""SOAP 1.1 header rules, on the parsed envelope (no HTTP): mustUnderstand="1" on a header entry
meant for the provider that it does not process is a MustUnderstand fault (SOAP 1.1 §4.2.3, §4.4.1)."""
from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from provider.errors import ErrorCode, Kind, MitrooError
from provider.xml import envelope as soap

WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def envelope(header: str) -> etree._Element:
    return etree.fromstring(
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:wsa="{WSA}" xmlns:wsse="{WSSE}"><e:Header>{header}</e:Header>'
        '<e:Body><op xmlns="urn:x"/></e:Body></e:Envelope>'
    )


@pytest.mark.parametrize("header", [
    '<wsa:Action e:mustUnderstand="1">urn:a</wsa:Action>',
    '<wsa:Action e:mustUnderstand="true">urn:a</wsa:Action>',
    '<wsa:Action e:mustUnderstand="1" e:actor="http://schemas.xmlsoap.org/soap/actor/next">urn:a</wsa:Action>',
    '<wsse:Security e:mustUnderstand="1"/><x:Custom xmlns:x="urn:c" e:mustUnderstand="1"/>',
])
def test_a_mandatory_header_the_provider_does_not_process_is_refused(header: str) -> None:
    with pytest.raises(MitrooError) as refused:
        soap.parse_envelope(envelope(header))
    assert refused.value.code is ErrorCode.MP_HEADER_NOT_UNDERSTOOD
    assert ErrorCode.MP_HEADER_NOT_UNDERSTOOD.kind is Kind.FAULT_MUST_UNDERSTAND
    assert "only wsse:Security is understood" in refused.value.detail


@pytest.mark.parametrize("header", [
    '<wsse:Security e:mustUnderstand="1"/>',  # understood
    '<wsa:Action>urn:a</wsa:Action>',  # optional
    '<wsa:Action e:mustUnderstand="0">urn:a</wsa:Action>',
    '<wsa:Action e:mustUnderstand="1" e:actor="urn:another-node">urn:a</wsa:Action>',  # for another SOAP node
])
def test_understood_optional_or_foreign_headers_pass(header: str) -> None:
    assert soap.parse_envelope(envelope(header)).operation_name == "op"


def test_the_fault_code_is_soap_must_understand() -> None:
    document = soap.fault_document(MitrooError(ErrorCode.MP_HEADER_NOT_UNDERSTOOD, "x"), "id", dt.datetime(2026, 1, 1))
    assert etree.fromstring(document).findtext(".//faultcode") == "soap:MustUnderstand.MP_HEADER_NOT_UNDERSTOOD"
