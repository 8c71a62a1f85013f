"""The clerk's day and the whole revision (clerk, the person at home, the directorate; issue 23) of
docs/services/special_electoral_rolls.md run as written with the reference client against the
demo dataset (what scripts/serve seeds), on SQLite and PostgreSQL: its code blocks are executed, with the test
provider's address and certificate, and every printed line is compared with the comment under it
(`# → ` exactly, `# e.g. ` by shape)."""
from __future__ import annotations

import contextlib
import io
import re

from tests.conftest import signing_key_files
from tests.docs_text import doc_text
from tests.rolls_fixtures import Rolls

DOC = "docs/services/special_electoral_rolls.md"
SECTION = "## A municipality clerk's day"
REVISION = "## A whole revision: the clerk, the person at home and the directorate"


def walkthrough(section: str = SECTION) -> tuple[str, list[tuple[str, str]]]:
    text = doc_text(DOC)
    start = text.index(section)
    end = text.find("\n## ", start + len(section))
    code = "\n".join(re.findall(r"```python\n(.*?)```", text[start:end if end >= 0 else len(text)], re.S))
    expected = [(m.group(1), m.group(2)) for m in re.finditer(r"^# (→|e\.g\.) (.*)$", code, re.M)]
    return code, expected


def _shape(text: str) -> str:
    return re.sub(r"[0-9A-Z]", "x", text)


def test_the_clerks_day_runs_as_written(rolls: Rolls) -> None:
    run(rolls, SECTION, 8)


def test_a_whole_revision_runs_as_written(rolls: Rolls) -> None:
    run(rolls, REVISION, 15)


def run(rolls: Rolls, section: str, least: int) -> None:
    code, expected = walkthrough(section)
    assert "MitrooClient(\"http://127.0.0.1:8000\"" in code and "provider-cert.pem" in code and len(expected) >= least
    assert "zeep" not in code  # the reference client, not raw SOAP
    code = code.replace("http://127.0.0.1:8000", rolls.running.base_url)
    code = code.replace("provider-cert.pem", str(signing_key_files().cert))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, DOC, "exec"), {})
    lines = printed.getvalue().splitlines()
    assert len(lines) == len(expected), lines
    for line, (kind, text) in zip(lines, expected):
        if kind == "→":
            assert line == text
        else:
            example = text.split(" (")[0]
            assert _shape(line) == _shape(example), (line, example)
