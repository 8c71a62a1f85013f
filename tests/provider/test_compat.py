"""provider/compat.py: spyne 2.14.0 imports on this interpreter, compiled from its sources, with no
warning beyond the one 3.11 and 3.12 already gave (the standard library's ``cgi`` is deprecated), and
the compatibility module does only what this version needs."""
from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from provider import compat

ROOT = Path(__file__).parents[2]
PYTHON_FOLDERS = ("provider", "db", "audit", "consumer_client", "scripts", "tests")


def python(code: str, *options: str, pycache: Path) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a new interpreter whose bytecode cache is empty, so every module is compiled."""
    return subprocess.run([sys.executable, *options, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPYCACHEPREFIX": str(pycache)})


# What spyne said before Python 3.12, unchanged there (compat does nothing on 3.11): the standard
# library's cgi is deprecated (3.11, 3.12); on 3.11 the import system falls back to the bundled
# six's find_module and load_module (ImportWarning), and invalid escape sequences are a
# DeprecationWarning when spyne's sources are compiled (both ignored by Python's default filters).
OLD_WARNINGS = ("-W", "ignore:'cgi' is deprecated:DeprecationWarning",
                "-W", "ignore:_SixMetaPathImporter.:ImportWarning",
                "-W", "ignore:invalid escape sequence:DeprecationWarning")


@pytest.mark.slow
def test_the_provider_and_its_contract_load_without_a_warning(tmp_path: Path) -> None:
    code = "import provider.server.app\nfrom provider.soap import contract\nfor s in contract.SERVICES: contract.wsdl(s)"
    run = python(code, "-W", "error", *OLD_WARNINGS, pycache=tmp_path)
    assert (run.returncode, run.stderr) == (0, "")


@pytest.mark.slow
def test_only_spyne_s_invalid_escape_warnings_are_hidden(tmp_path: Path) -> None:
    code = ("import provider.compat\n"
            "compile(r'x = \"\\d\"', '/srv/site-packages/spyne/x.py', 'exec')\n"
            "compile(r'x = \"\\d\"', '/srv/site-packages/other/x.py', 'exec')\n")
    run = python(code, "-W", "always", pycache=tmp_path)
    assert run.returncode == 0, run.stderr
    warned = [line for line in run.stderr.splitlines() if "SyntaxWarning" in line]
    if sys.version_info >= (3, 12):
        assert warned == ["/srv/site-packages/other/x.py:1: SyntaxWarning: invalid escape sequence '\\d'"]
    else:  # 3.11 says DeprecationWarning for these, and compat does nothing on it
        assert warned == []


def test_spyne_s_own_six_moves_are_served() -> None:
    parse = importlib.import_module("spyne.util.six.moves.urllib.parse")
    assert parse.splittype is not None  # spyne's addition to six, absent from the six on PyPI
    finders = [finder for finder in sys.meta_path if isinstance(finder, compat.SixMovesFinder)]
    assert len(finders) == (1 if sys.version_info >= (3, 12) else 0)
    compat.install()
    assert len([finder for finder in sys.meta_path if isinstance(finder, compat.SixMovesFinder)]) == len(finders)


def test_cgi_comes_from_legacy_cgi_exactly_on_3_13() -> None:
    cgi = importlib.import_module("cgi")
    assert callable(cgi.parse_header)
    if sys.version_info >= (3, 13):
        assert "legacy-cgi" in importlib.metadata.packages_distributions()["cgi"]
    else:
        with pytest.raises(importlib.metadata.PackageNotFoundError):
            importlib.metadata.distribution("legacy-cgi")


def test_spyne_is_imported_only_under_provider_soap_whose_package_imports_compat_first() -> None:
    """Python runs provider/soap/__init__.py before any module of the package, so the shim is in place
    before spyne is imported (the import-linter contract in .importlinter keeps spyne inside it). The
    edge's own tests (tests/provider/soap/, which compare the codec with spyne's runtime) import it too:
    tests/conftest.py imports the provider, and so the shim, before any test module."""
    outside = []
    for path in sorted(path for folder in PYTHON_FOLDERS for path in (ROOT / folder).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if any(line.startswith(("import spyne", "from spyne")) for line in text.splitlines()):
            if not path.relative_to(ROOT).as_posix().startswith(("provider/soap/", "tests/provider/soap/")):
                outside.append(str(path.relative_to(ROOT)))
    assert outside == [], f"spyne imported outside provider/soap: {outside}"
    package = (ROOT / "provider" / "soap" / "__init__.py").read_text(encoding="utf-8")
    assert "from provider import compat" in package
