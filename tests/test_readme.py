"""The README stays a newcomer's manual, and the docs stay true: the error table of the integration
guide is the code's, every setting is documented in docs/operations.md, the README stays small,
and every relative link of the README and docs/*.md leads somewhere."""
import inspect
import re
from pathlib import Path

import pytest

from provider import settings
from provider.errors import markdown_table
from tests.docs_text import ROOT, doc_text

README_MAX_BYTES = 15 * 1024


def test_error_table_matches_code() -> None:
    assert markdown_table() in doc_text("docs/integration.md")


def test_the_configuration_table_is_the_settings_table() -> None:
    """docs/operations.md holds the table generated from provider.settings.VARIABLES, which is all
    that Settings.from_env reads."""
    assert settings.markdown_table() in doc_text("docs/operations.md")
    read_outside_the_table = set(re.findall(r'"(MITROO_[A-Z0-9_]+)"', inspect.getsource(settings)))
    assert read_outside_the_table <= {variable.name for variable in settings.VARIABLES}


def test_the_readme_stays_small() -> None:
    size = (ROOT / "README.md").stat().st_size
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes, more than {README_MAX_BYTES}: move detail into docs/"


def _markdown_files() -> list[Path]:
    files = [ROOT / "README.md"]
    files += [p for p in sorted((ROOT / "docs").rglob("*.md")) if "node_modules" not in p.parts]
    return files


def _outside_code(text: str) -> str:
    """The text without fenced blocks, indented code blocks and inline code spans."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    text = re.sub(r"^(?: {4}|\t).*$", "", text, flags=re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation other than - and _ dropped, spaces to -."""
    heading = re.sub(r"`", "", heading.strip().lower())
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    for heading in re.findall(r"^#{1,6} (.+?)#*\s*$", text, re.M):
        slug = github_slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


@pytest.mark.parametrize("source", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(source: Path) -> None:
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", _outside_code(source.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, …
            continue
        path, _, anchor = target.partition("#")
        linked = (source.parent / path).resolve() if path else source
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no such heading")
    assert not broken, f"{source.relative_to(ROOT)}: " + "; ".join(broken)


def test_github_slugs() -> None:
    assert github_slug("The reference client (`consumer_client`, `mitroo-client`)") == \
        "the-reference-client-consumer_client-mitroo-client"
    assert github_slug("6. Complete examples for PHP, Node, Java, .NET and Python") == \
        "6-complete-examples-for-php-node-java-net-and-python"
    assert github_slug("Special electoral rolls (specialElectoralRolls, seed 003)") == \
        "special-electoral-rolls-specialelectoralrolls-seed-003"
