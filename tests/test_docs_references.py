"""What the code cites resolves inside the repository: no comment points at a document outside it,
every ``docs/….md`` a file names exists, and every ``docs/design.md §n`` names a section there.
The naming table of docs/design.md §3.2 (one name per service) holds: its paths exist, every served
service has a row, and the README carries the same table."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs_text import ROOT, doc_text

CODE_DIRS = ("provider", "audit", "db", "consumer_client", "scripts", "tests")
SKIPPED_PARTS = {"__pycache__", "node_modules", ".venv"}
DESIGN = "docs/design.md"
# Spelled in two pieces so that this file does not cite them itself.
OUTSIDE = ("DESIGN" + " §", "../" + "shared", "/work/" + "shared")


def _code_files() -> list[Path]:
    files = []
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and not SKIPPED_PARTS.intersection(path.parts):
                files.append(path)
    return files


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary data (keys, archives, images)


def _cited_texts() -> list[tuple[str, str]]:
    found = []
    for path in _code_files():
        text = _text(path)
        if text is not None:
            found.append((str(path.relative_to(ROOT)), text))
    return found


CITED = _cited_texts()


def design_sections() -> dict[str, str]:
    """Section number → title of docs/design.md: ``## 7. Audit (fail closed)`` → {"7": "Audit (fail closed)"}."""
    return dict(re.findall(r"^#{2,4} (\d+(?:\.\d+)*)\. (.+?)\s*$", doc_text(DESIGN), re.M))


def citations(text: str) -> list[tuple[str, str]]:
    """Each (section, first word of its title) cited as ``docs/design.md §4 Messages, §6 Error codes``."""
    cited = []
    for run in re.findall(r"docs/design\.md((?:,? §\d+(?:\.\d+)*(?: [A-Z][\w-]*(?: [a-z][\w-]*)*)?)+)", text):
        cited += re.findall(r"§(\d+(?:\.\d+)*)(?: ([A-Z][\w-]*))?", run)
    return cited


def test_nothing_cites_a_document_outside_the_repository() -> None:
    bad = [f"{name}: {needle!r}" for name, text in CITED for needle in OUTSIDE if needle in text]
    assert not bad, "cite docs/design.md (or another file of docs/) instead: " + "; ".join(bad)


def test_every_cited_doc_exists() -> None:
    missing = sorted({f"{name}: {doc}" for name, text in CITED
                      for doc in re.findall(r"(?<![\w/.-])docs/[\w/.-]+?\.md\b", text) if not (ROOT / doc).is_file()})
    assert not missing, "no such document: " + "; ".join(missing)


def test_every_cited_design_section_exists() -> None:
    sections = design_sections()
    bad = []
    for name, text in CITED:
        for number, word in citations(text):
            title = sections.get(number)
            if title is None:
                bad.append(f"{name}: §{number} is not a section")
            elif word and not title.startswith(word):
                bad.append(f"{name}: §{number} is {title!r}, not {word!r}")
    assert not bad, "; ".join(bad)


def test_the_design_is_cited() -> None:
    assert sum(len(citations(text)) for _, text in CITED) >= 15


def test_citations_parse() -> None:
    assert citations("Order (docs/design.md §4 Messages, §6 Error codes, §7 Audit): read") == [
        ("4", "Messages"), ("6", "Error"), ("7", "Audit")]
    assert citations("see docs/design.md §3.2.") == [("3.2", "")]
    assert design_sections()["7"].startswith("Audit")


# -- the naming table ------------------------------------------------------------------------------

NAMING_COLUMNS = ["wire name", "SOAP module", "domain package", "client module", "docs page"]


def naming_table(document: str) -> dict[str, list[str]]:
    """Wire name → the repository paths of its row, from the table between the naming-table markers."""
    match = re.search(r"<!-- naming-table -->\n(.*?)<!-- /naming-table -->", doc_text(document), re.S)
    assert match, f"{document} lost its naming table (<!-- naming-table --> … <!-- /naming-table -->)"
    lines = [line for line in match.group(1).strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == NAMING_COLUMNS, header
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        # a cell is `path` or [path](relative link); the path is from the repository's root
        values = [re.sub(r"^\[([^\]]+)\]\([^)]*\)$|^`([^`]+)`$", lambda m: m.group(1) or m.group(2), cell)
                  for cell in cells]
        rows[values[0]] = values[1:]
    return rows


def test_every_path_of_the_naming_table_exists() -> None:
    missing = [f"{wire}: {path}" for wire, paths in naming_table(DESIGN).items()
               for path in paths if not (ROOT / path.rstrip("/")).exists()]
    assert not missing, "; ".join(missing)


def test_every_served_service_has_a_row() -> None:
    from provider.soap.contract import SERVICES

    assert sorted(naming_table(DESIGN)) == sorted(SERVICES)


@pytest.mark.parametrize("wire", ["civilRegistryActs", "civilStatusCertificates", "registryParameters",
                                  "specialElectoralRolls"])
def test_a_service_is_named_by_the_snake_case_of_its_wire_name(wire: str) -> None:
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", wire).lower()
    assert naming_table(DESIGN)[wire] == [
        f"provider/soap/services/{snake}.py", f"provider/registry/{snake}/", f"consumer_client/{snake}.py",
        f"docs/services/{snake}.md",
    ]


def test_the_readme_has_the_same_naming_table() -> None:
    assert naming_table("README.md") == naming_table(DESIGN)


def test_the_services_table_of_the_design_lists_the_catalogue() -> None:
    """docs/design.md §5: each service's row names exactly its operations in provider/catalogue.py."""
    from provider.catalogue import CATALOGUE

    section = doc_text(DESIGN).split("## 5. Services", 1)[1].split("\n## ", 1)[0]
    rows = {cells[0]: cells[2] for cells in (
        [cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines() if line.startswith("| ")
    ) if cells[0] in CATALOGUE}
    assert {service: sorted(operations.split(", ")) for service, operations in rows.items()} == {
        service: sorted(operations) for service, operations in CATALOGUE.items()}
