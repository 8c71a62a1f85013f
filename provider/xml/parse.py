"""The one hardened XML parse entry point. Every byte that arrives is parsed here first.

Requests are UTF-8 (the contract's ``Content-Type: text/xml; charset=utf-8``): the bytes are
checked as UTF-8 first, so every later check on the raw bytes is sound. No DTD is ever loaded or
tolerated (so no entity expansion, no external entities, no billion laughs), nothing is fetched
from the network, XInclude is refused (never processed), and libxml2's huge-tree limits stay on.
Before libxml2 sees a byte, a request is refused when it has more markup than any real request
(tags, attributes, namespace declarations, counted on the raw bytes), so a flood of them within
the size limit costs no parse time. Errors come back as an ``MP_MALFORMED_REQUEST`` with a
position or the limit exceeded, never libxml2 internals.
"""
from __future__ import annotations

import re

from lxml import etree

from provider.errors import ErrorCode, MitrooError

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    load_dtd=False,
    dtd_validation=False,
    no_network=True,
    huge_tree=False,
    collect_ids=False,
    remove_blank_text=False,
)

# Markup limits, counted on the raw (UTF-8) bytes. A real request has under a hundred tags, a
# dozen attributes and a handful of namespace declarations.
MAX_TAGS = 10_000  # '<': start and end tags, comments, processing instructions
MAX_ATTRIBUTES = 1_000  # '=': attributes and namespace declarations (and any '=' in text)
MAX_NAMESPACE_DECLARATIONS = 100  # 'xmlns'
MAX_DEPTH = 256  # libxml2's own limit without XML_PARSE_HUGE

# A DOCTYPE (or a bare ENTITY declaration) anywhere is refused before parsing; the docinfo check
# after parsing is a second line.
_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")


def _malformed(detail: str) -> MitrooError:
    return MitrooError(ErrorCode.MP_MALFORMED_REQUEST, detail)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_PARSER_OPTIONS)  # type: ignore[arg-type]


def check_encoding(data: bytes) -> None:
    """Refuse anything but UTF-8: UTF-16 (with or without a byte order mark), another declared
    encoding, or bytes that are not valid UTF-8 (the first bad byte's offset is given)."""
    if data.startswith(_UTF16_BOMS):
        raise _malformed("κωδικοποίηση UTF-16: τα αιτήματα γίνονται δεκτά μόνο σε UTF-8 (UTF-16 body; send UTF-8)")
    if b"\x00" in data[:4]:
        raise _malformed(
            "κωδικοποίηση UTF-16 χωρίς BOM: τα αιτήματα γίνονται δεκτά μόνο σε UTF-8 "
            "(UTF-16 without a byte order mark; send UTF-8)"
        )
    declared = _XML_DECLARATION.match(data)
    if declared and declared.group(1).decode("ascii").lower() not in ("utf-8", "utf8"):
        raise _malformed(
            f"η δήλωση XML ορίζει κωδικοποίηση {declared.group(1).decode('ascii')}: "
            "τα αιτήματα γίνονται δεκτά μόνο σε UTF-8 (declare encoding=\"UTF-8\" or none)"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(
            f"μη έγκυρο UTF-8 στο byte {exc.start} (the body is not valid UTF-8 at byte offset {exc.start})"
        ) from None


def _check_markup(data: bytes) -> None:
    if _DTD_MARKERS.search(data):
        raise _malformed("δεν επιτρέπεται DOCTYPE/DTD ή δήλωση ENTITY (DTDs and entity declarations are refused)")
    for count, limit, what in (
        (data.count(b"<"), MAX_TAGS, "ετικέτες (tags)"),
        (data.count(b"xmlns"), MAX_NAMESPACE_DECLARATIONS, "δηλώσεις χώρου ονομάτων (namespace declarations)"),
        (data.count(b"="), MAX_ATTRIBUTES, "χαρακτηριστικά (attributes, '=')"),
    ):
        if count > limit:
            raise _malformed(f"το αίτημα έχει {count} {what}· όριο {limit} (too much markup)")


def _syntax_error(exc: etree.XMLSyntaxError) -> MitrooError:
    line, column = exc.position if exc.position else (0, 0)
    if "depth" in (exc.msg or "").lower():
        return _malformed(f"εμφώλευση βαθύτερη από {MAX_DEPTH} επίπεδα (nesting deeper than {MAX_DEPTH} levels)")
    return _malformed(f"μη καλοσχηματισμένο XML στη γραμμή {line}, στήλη {column} (not well-formed XML)")


def parse(data: bytes) -> etree._Element:
    """Parse ``data`` into an element tree, or raise ``MitrooError(MP_MALFORMED_REQUEST)``."""
    if not data.strip():
        raise _malformed("το σώμα του αιτήματος είναι κενό (empty body)")
    check_encoding(data)
    _check_markup(data)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc) from None
    except ValueError:
        raise _malformed("μη αναγνώσιμη κωδικοποίηση (unreadable encoding)") from None
    docinfo = root.getroottree().docinfo
    # lxml-stubs 0.5 leaves DocInfo.doctype out; lxml has it (the DOCTYPE declaration, or "").
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:  # type: ignore[union-attr]
        raise _malformed("δεν επιτρέπεται DOCTYPE/DTD ή δήλωση ENTITY (DTDs and entity declarations are refused)")
    for namespace in _XINCLUDE_NAMESPACES:
        if next(root.iter(f"{{{namespace}}}*"), None) is not None:
            raise _malformed("δεν επιτρέπεται XInclude (XInclude elements are refused, never processed)")
    return root


def parse_trusted(data: bytes) -> etree._Element:
    """Parse XML the provider wrote itself (exported schemas); same hardened options."""
    return etree.fromstring(data, parser=_parser())
