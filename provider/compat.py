"""What spyne 2.14.0 (the SOAP engine's last release) needs to import on Python 3.12 and 3.13.

Every module that imports spyne imports this module first. It does only what the running
interpreter needs, and nothing on 3.11:

- 3.12+: spyne's bundled copy of ``six`` serves ``spyne.util.six.moves`` through a meta path
  importer that has only ``find_module``, which 3.12 no longer calls (``No module named
  'spyne.util.six.moves'``). ``SixMovesFinder`` answers ``find_spec`` for the names that importer
  knows and lets it load them, as six 1.16 does.
- 3.12+: compiling spyne's sources (when no bytecode is cached) warns of invalid escape sequences
  in its string literals. That one SyntaxWarning is ignored for spyne's files only; every other
  warning stays visible.
- 3.13+: the standard library no longer has ``cgi``, which spyne's SOAP protocol and WSGI server
  import. The ``legacy-cgi`` package, a dependency on 3.13+ only, installs the same module under the
  same name, so nothing is done here for it.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import warnings
from importlib.machinery import ModuleSpec
from types import ModuleType

SIX = "spyne.util.six"
SIX_MOVES = SIX + ".moves"


class SixMovesFinder(importlib.abc.Loader):
    """A meta path finder and loader for ``spyne.util.six.moves`` and its submodules, delegating to
    the importer that spyne's bundled six registered (which knows the names and loads them)."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if not fullname.startswith(SIX_MOVES):
            return None
        six = sys.modules.get(SIX)
        if six is None or fullname not in six._importer.known_modules:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module: ModuleType = sys.modules[SIX]._importer.load_module(spec.name)
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The module came loaded from create_module."""


def install() -> None:
    """Apply what this interpreter needs before spyne is imported; calling it again does nothing."""
    if sys.version_info < (3, 12):
        return
    if not any(isinstance(finder, SixMovesFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SixMovesFinder())
    warnings.filterwarnings(
        "ignore", message=r"invalid escape sequence", category=SyntaxWarning, module=r".*[\\/]spyne[\\/]"
    )


install()
