"""The text of a document of this repository (README.md, docs/…), for the tests that keep it true."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def doc_path(name: str) -> Path:
    """``name`` relative to the repository root, e.g. ``"docs/integration.md"``."""
    return ROOT / name


def doc_text(name: str) -> str:
    return doc_path(name).read_text(encoding="utf-8")


def doc_block(name: str, marker: str, language: str) -> str:
    """The fenced ``language`` block right after ``<!-- marker -->`` in document ``name``."""
    match = re.search(rf"<!-- {marker} -->\n```{language}\n(.*?)```", doc_text(name), re.S)
    assert match, f"{name} lost its {marker} block"
    return match.group(1)
