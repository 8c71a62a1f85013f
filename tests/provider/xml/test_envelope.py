"""SOAP 1.1 envelope rules, on the parsed envelope (no HTTP): its shape (one Body holding one
element, at most one Header and before the Body, nothing else, no SOAP 1.2), and mustUnderstand="1"
on a header entry meant for the provider that it does not process is a MustUnderstand fault
(SOAP 1.1 §4.2.3, §4.4.1); the fault document's shape; SOAPAction and Content-Type as the gateway
checks them."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from lxml import etree

from provider.errors import ErrorCode, Kind, MitrooError
from provider.soap.gateway import Gateway, read_body
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


SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


def parsed(children: str, root: str = "e:Envelope", namespace: str = SOAP11) -> soap.Envelope:
    return soap.parse_envelope(etree.fromstring(f'<{root} xmlns:e="{namespace}">{children}</{root}>'))


def malformed(children: str, root: str = "e:Envelope", namespace: str = SOAP11) -> str:
    with pytest.raises(MitrooError) as refused:
        parsed(children, root, namespace)
    assert refused.value.code is ErrorCode.MP_MALFORMED_REQUEST
    return refused.value.detail


@pytest.mark.parametrize("children", [
    '<e:Body><op xmlns="urn:x"/></e:Body>',
    '<e:Header/><e:Body><op xmlns="urn:x"/></e:Body>',
    '<!-- c --><e:Header/><?pi x?><e:Body>\n <!-- c --> <op xmlns="urn:x"><a/></op>\n</e:Body>',
])
def test_a_well_formed_envelope_gives_its_header_and_operation(children: str) -> None:
    envelope_ = parsed(children)
    assert (envelope_.operation_name, envelope_.operation_namespace) == ("op", "urn:x")
    assert (envelope_.header is None) == ("Header" not in children)


@pytest.mark.parametrize(("children", "reason"), [
    ("", "ακριβώς ένα Body (found 0)"),
    ("<e:Header/>", "ακριβώς ένα Body (found 0)"),
    ('<e:Body><a xmlns="urn:x"/></e:Body><e:Body><a xmlns="urn:x"/></e:Body>', "(found 2)"),
    ('<e:Header/><e:Header/><e:Body><a xmlns="urn:x"/></e:Body>', "more than one Header"),
    ('<e:Body><a xmlns="urn:x"/></e:Body><e:Header/>', "Header after the Body"),
    ('<e:Body><a xmlns="urn:x"/></e:Body><e:Trailer/>', "only a Header and a Body"),
    ('<x:Header xmlns:x="urn:x"/><e:Body><a xmlns="urn:x"/></e:Body>', "only a Header and a Body"),
    ("<e:Body/>", "ακριβώς ένα στοιχείο (found 0)"),
    ('<e:Body><a xmlns="urn:x"/><b xmlns="urn:x"/></e:Body>', "ακριβώς ένα στοιχείο (found 2)"),
    ('<e:Body>text<a xmlns="urn:x"/></e:Body>', "κείμενο εκτός στοιχείων"),
    ('<e:Body><a xmlns="urn:x"/>tail</e:Body>', "κείμενο εκτός στοιχείων"),
])
def test_an_envelope_of_the_wrong_shape_is_refused(children: str, reason: str) -> None:
    assert reason in malformed(children)


def test_a_soap12_envelope_or_another_root_is_refused() -> None:
    assert "SOAP 1.2 envelope sent to a SOAP 1.1 endpoint" in malformed(
        '<e:Body><a xmlns="urn:x"/></e:Body>', namespace="http://www.w3.org/2003/05/soap-envelope")
    assert "root is root" in malformed("", root="root", namespace="urn:x")
    assert "root is Body" in malformed("", root="e:Body")


def test_every_fault_has_the_common_detail_and_a_greek_faultstring() -> None:
    error = MitrooError(ErrorCode.MP_MALFORMED_REQUEST, "λεπτομέρεια")
    document = etree.fromstring(soap.fault_document(error, "call-1", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    c = "{urn:mitroo-politon:common:v1}"
    assert document.findtext(".//faultcode") == "soap:Client.MP_MALFORMED_REQUEST"
    faultstring = document.find(".//faultstring")
    assert faultstring is not None and faultstring.text == error.description
    assert faultstring.get("{http://www.w3.org/XML/1998/namespace}lang") == "el"
    assert document.findtext(f".//{c}errorCode") == "MP_MALFORMED_REQUEST"
    assert (document.findtext(f".//{c}callSequenceId"), document.findtext(f".//{c}callSequenceDate")) == (
        "call-1", "2026-01-01T00:00:00+00:00")


def test_an_error_record_code_has_no_fault_document() -> None:
    with pytest.raises(ValueError, match="errorRecord"):
        soap.fault_document(MitrooError(ErrorCode.MP_INVALID_AUDIT_RECORD, "x"), "id", dt.datetime(2026, 1, 1))


def test_the_size_refusal_names_the_limit() -> None:
    assert "1024 bytes (body too large)" in soap.body_too_large(1024).detail


# -- as the gateway checks the HTTP request around the envelope (no server) ----------------------

@pytest.mark.parametrize("action", ['""', "", '"op"', "op", '"urn:mitroo-politon:x:v1/op"', '"urn:x#op"', ' "op" '])
def test_a_soap_action_that_is_empty_or_names_the_operation_passes(action: str) -> None:
    Gateway._check_soap_action({"HTTP_SOAPACTION": action}, "op")


@pytest.mark.parametrize(("environ", "reason"), [
    ({}, "missing SOAPAction header"),
    ({"HTTP_SOAPACTION": '"other"'}, "SOAPAction names another operation"),
    ({"HTTP_SOAPACTION": '"urn:x/op/other"'}, "SOAPAction names another operation"),
    ({"HTTP_SOAPACTION": '"opx"'}, "SOAPAction names another operation"),
])
def test_a_missing_soap_action_or_one_naming_another_operation_is_refused(environ: dict[str, str], reason: str) -> None:
    with pytest.raises(MitrooError) as refused:
        Gateway._check_soap_action(environ, "op")
    assert refused.value.code is ErrorCode.MP_MALFORMED_REQUEST and reason in refused.value.detail


@pytest.mark.parametrize("content_type", ["text/xml", "text/xml; charset=utf-8", 'TEXT/XML; Charset="UTF8"'])
def test_text_xml_in_utf8_passes(content_type: str) -> None:
    Gateway._check_content_type({"CONTENT_TYPE": content_type})


@pytest.mark.parametrize(("content_type", "reason"), [
    (None, "Content-Type κανένα"),
    ("application/json", "text/xml; charset=utf-8"),
    ("application/soap+xml; charset=utf-8", "SOAP 1.2"),
    ("text/xml; charset=iso-8859-7", "charset=iso-8859-7"),
])
def test_another_content_type_or_charset_is_refused(content_type: str | None, reason: str) -> None:
    environ = {} if content_type is None else {"CONTENT_TYPE": content_type}
    with pytest.raises(MitrooError) as refused:
        Gateway._check_content_type(environ)
    assert refused.value.code is ErrorCode.MP_MALFORMED_REQUEST and reason in refused.value.detail


@pytest.mark.parametrize(("length", "body", "reason"), [
    ("11", b"x" * 10, "body shorter than Content-Length"),
    ("-1", b"x", "not a byte count"),
    ("ten", b"x", "not a byte count"),
    ("1025", b"x" * 1025, "body too large"),
    (None, b"x" * 1025, "body too large"),  # no Content-Length (chunked): read to the limit
])
def test_the_body_is_read_within_its_limit_and_its_content_length(length: str | None, body: bytes, reason: str) -> None:
    environ: dict[str, object] = {"wsgi.input": io.BytesIO(body)}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    with pytest.raises(MitrooError) as refused:
        read_body(environ, 1024)
    assert refused.value.code is ErrorCode.MP_MALFORMED_REQUEST and reason in refused.value.detail


@pytest.mark.parametrize("length", ["1024", None, ""])
def test_a_body_of_exactly_the_limit_is_read(length: str | None) -> None:
    environ: dict[str, object] = {"wsgi.input": io.BytesIO(b"x" * 1024)}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    assert read_body(environ, 1024) == b"x" * 1024
