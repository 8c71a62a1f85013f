"""The one hardened XML parse entry point. Every byte that arrives is parsed here first.

No DTD is ever loaded or tolerated (so no entity expansion, no external entities, no
billion laughs), nothing is fetched from the network, and libxml2's huge-tree limits stay on.
Syntax errors come back as an ``MP_MALFORMED_REQUEST`` with a position, never libxml2 internals.
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

# A DOCTYPE (or a bare ENTITY declaration) anywhere before the root is refused before parsing,
# for ASCII-compatible encodings; the docinfo check after parsing catches the rest.
_DTD_MARKERS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**_PARSER_OPTIONS)  # type: ignore[arg-type]


def parse(data: bytes) -> etree._Element:
    """Parse ``data`` into an element tree, or raise ``MitrooError(MP_MALFORMED_REQUEST)``."""
    if not data.strip():
        raise MitrooError(ErrorCode.MP_MALFORMED_REQUEST, "το σώμα του αιτήματος είναι κενό (empty body)")
    if _DTD_MARKERS.search(data):
        raise MitrooError(
            ErrorCode.MP_MALFORMED_REQUEST,
            "δεν επιτρέπεται DOCTYPE/DTD ή δήλωση ENTITY (DTDs and entity declarations are refused)",
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise MitrooError(
            ErrorCode.MP_MALFORMED_REQUEST,
            f"μη καλοσχηματισμένο XML στη γραμμή {line}, στήλη {column} (not well-formed XML)",
        ) from None
    except ValueError:
        raise MitrooError(ErrorCode.MP_MALFORMED_REQUEST, "μη αναγνώσιμη κωδικοποίηση (unreadable encoding)") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MitrooError(
            ErrorCode.MP_MALFORMED_REQUEST,
            "δεν επιτρέπεται DOCTYPE/DTD ή δήλωση ENTITY (DTDs and entity declarations are refused)",
        )
    return root


def parse_trusted(data: bytes) -> etree._Element:
    """Parse XML the provider wrote itself (exported schemas); same hardened options."""
    return etree.fromstring(data, parser=_parser())
