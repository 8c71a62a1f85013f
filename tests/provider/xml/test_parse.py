"""The hardened parser (provider/xml/parse.py) on its own, no HTTP: the markup limits counted on
the raw bytes at their boundaries, the nesting limit, the encodings, DTDs and XInclude, and the
corpus cases that the parser itself refuses."""
from __future__ import annotations

import pytest
from lxml import etree

from provider.errors import ErrorCode, MitrooError
from provider.xml import parse as xmlparse
from tests.hostile_corpus import Case, cases
from tests.provider.xml import pipeline


def refused(data: bytes) -> MitrooError:
    with pytest.raises(MitrooError) as caught:
        xmlparse.parse(data)
    assert caught.value.code is ErrorCode.MP_MALFORMED_REQUEST
    return caught.value


def document(inner: str = "", attributes: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><r{attributes}>{inner}</r>'.encode()


# The corpus cases whose bytes reach the parser unchanged and that the parser refuses.
PARSER_CASES = [
    case for case in cases()
    if case.send == "content-length" and case.content_type == "text/xml; charset=utf-8" and case.method == "POST"
    and case.soap_action == '""'
    and case.code == "MP_MALFORMED_REQUEST" and case.file not in ("oversized-body.xml", "million-attributes.xml")
    and case.name not in ("soap12-envelope", "second-body", "header-after-body", "not-a-soap-envelope")
]


@pytest.mark.parametrize("case", PARSER_CASES, ids=[case.name for case in PARSER_CASES])
def test_the_parser_refuses_the_corpus_cases_aimed_at_it(case: Case) -> None:
    error = refused(pipeline.hostile_request(case).body)
    assert case.reason in error.description


def test_the_parser_cases_are_most_of_the_corpus() -> None:
    assert len(PARSER_CASES) >= 17


@pytest.mark.parametrize(("count", "limit", "markup"), [
    (xmlparse.MAX_TAGS, "tags", "<a/>"),
    (xmlparse.MAX_ATTRIBUTES, "attributes", "="),
    (xmlparse.MAX_NAMESPACE_DECLARATIONS, "namespace declarations", "xmlns"),
])
def test_each_markup_limit_admits_its_bound_and_refuses_one_more(count: int, limit: str, markup: str) -> None:
    def with_total(total: int) -> bytes:
        if markup == "<a/>":  # <?xml?>, <r>, </r> are three of them
            return document("<a/>" * (total - 3))
        if markup == "=":  # version= and encoding= are two
            return document(attributes="".join(f' a{i}="v"' for i in range(total - 2)))
        return document(attributes="".join(f' xmlns:p{i}="urn:p{i}"' for i in range(total)))

    root = xmlparse.parse(with_total(count))
    assert root.tag == "r"
    error = refused(with_total(count + 1))
    assert f"{count + 1}" in error.detail and f"όριο {count}" in error.detail and limit in error.detail


def test_markup_is_counted_on_the_raw_bytes_even_in_text_and_comments() -> None:
    """A flood of '=' in text costs no parse time either: the count comes before libxml2."""
    assert refused(document("=" * (xmlparse.MAX_ATTRIBUTES + 1))).detail.startswith("το αίτημα έχει")
    assert "namespace declarations" in refused(document("<!--" + "xmlns " * 101 + "-->")).detail


@pytest.mark.parametrize(("depth", "refuses"), [(xmlparse.MAX_DEPTH - 1, False), (xmlparse.MAX_DEPTH + 1, True)])
def test_nesting_up_to_libxml2_s_limit(depth: int, refuses: bool) -> None:
    data = document("<a>" * depth + "</a>" * depth)
    if refuses:
        assert "nesting deeper than 256 levels" in refused(data).detail
    else:
        assert xmlparse.parse(data).tag == "r"


@pytest.mark.parametrize("data", [
    b"<r/>",
    b'<?xml version="1.0"?><r/>',
    b"<?xml version='1.0' encoding='utf-8'?><r/>",
    b'<?xml version="1.0" encoding="UTF8"?><r/>',
    b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?><r/>',  # UTF-8 byte order mark
    "<r>Αθήνα</r>".encode(),
])
def test_utf8_with_or_without_declaration_or_bom_is_parsed(data: bytes) -> None:
    assert xmlparse.parse(data).tag == "r"


@pytest.mark.parametrize(("data", "reason"), [
    ("<r/>".encode("utf-16"), "UTF-16 body"),
    ("<r/>".encode("utf-16-be"), "UTF-16 without a byte order mark"),
    (b'<?xml version="1.0" encoding="windows-1253"?><r/>', "windows-1253"),
    (b"<r>\xce</r>", "not valid UTF-8 at byte offset 3"),
    (b"<r>\xed\xa0\x80</r>", "not valid UTF-8 at byte offset 3"),  # a surrogate, not UTF-8
    (b"", "empty body"),
    (b" \r\n\t ", "empty body"),
])
def test_other_encodings_and_empty_bodies_are_refused(data: bytes, reason: str) -> None:
    assert reason in refused(data).detail


@pytest.mark.parametrize("data", [
    b'<!DOCTYPE r><r/>',
    b'<!doctype r><r/>',
    b'<! ENTITY x "y"><r/>',
    b'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r/>',
])
def test_any_dtd_is_refused_before_parsing(data: bytes) -> None:
    assert "DTDs and entity declarations are refused" in refused(data).detail


@pytest.mark.parametrize("namespace", ["http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"])
def test_xinclude_is_refused_never_processed(namespace: str) -> None:
    data = f'<r xmlns:xi="{namespace}"><a><xi:include href="/etc/passwd" parse="text"/></a></r>'.encode()
    assert "XInclude elements are refused" in refused(data).detail


@pytest.mark.parametrize(("data", "where"), [
    (b"<r><a></r>", "γραμμή 1"),
    (b"<r>\n\n  <a x='1' x='2'/></r>", "γραμμή 3"),
    (b"not xml at all", "γραμμή 1"),
])
def test_a_syntax_error_gives_a_position_not_libxml2_s_words(data: bytes, where: str) -> None:
    error = refused(data)
    assert where in error.detail and "not well-formed XML" in error.detail
    assert "lxml" not in error.detail and "libxml" not in error.detail


def test_comments_and_processing_instructions_are_kept_for_later_checks() -> None:
    root = xmlparse.parse(b"<r><!-- c --><?pi x?><a/></r>")
    assert [type(child) for child in root] == [etree._Comment, etree._ProcessingInstruction, etree._Element]


def test_parse_trusted_reads_the_provider_s_own_documents_with_the_same_options() -> None:
    assert xmlparse.parse_trusted(b'<?xml version="1.0" encoding="UTF-8"?><r/>').tag == "r"
    with pytest.raises(etree.XMLSyntaxError):
        xmlparse.parse_trusted(b"<r>")
